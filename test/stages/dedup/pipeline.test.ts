import { readFile, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runPipelineFile } from "../../../pipeline/cli/run.js";
import { createReporter } from "../../../pipeline/progress.js";
import { builtinModules, parseLines, readStepData, tempDir, writeConfig } from "../../pipeline/helpers.js";
import { rng, variant, words, writeDocs, type TestDoc } from "./corpus.js";

const quiet = createReporter(process.stderr, true);
const dedupModule = new URL("../../../stages/dedup/index.ts", import.meta.url).pathname;

/**
 * 4 input files (ranks). Clusters, by construction (1-2 of 300 words replaced: Jaccard >= 0.93,
 * caught with probability > 0.9999 at 14 x 8):
 *  A: a0 (file 0), a1 (file 2), a2 (file 3)  -> one cluster across three ranks; a2 has the highest quality
 *  B: b0 (file 1), b1 (file 1)               -> within one rank
 *  C: c0 (file 3), c1 (file 0, exact copy with other case and punctuation)
 * Every other document is unrelated random text.
 */
function corpus(): TestDoc[][] {
  const random = rng(3);
  const a = words(random, 300);
  const b = words(random, 300);
  const c = words(random, 300);
  const unique = (name: string): TestDoc => ({ id: name, text: words(random, 250).join(" "), meta: {} });
  const doc = (id: string, w: string[], meta: Record<string, unknown> = {}): TestDoc => ({ id, text: w.join(" "), meta });
  return [
    [unique("u0"), doc("a0", a, { quality: 0.2 }), doc("c1", c.map((x, i) => (i % 7 === 0 ? x.toUpperCase() + "," : x))), unique("u1")],
    [doc("b0", b), unique("u2"), doc("b1", variant(b, 2, random))],
    [unique("u3"), doc("a1", variant(a, 1, random), { quality: 0.5 }), unique("u4")],
    [doc("c0", c), unique("u5"), doc("a2", variant(a, 2, random), { quality: 0.9 }), unique("u6")],
  ];
}

/**
 * signatures, buckets, clusters, merged (when clusterTasks > 1: clusters then writes partition
 * edges only), deduped. `sortBuffer` small forces the clusters' sorts to spill to disk.
 */
function dedupSteps(inputs: string, kind: "minhash" | "text" | "url", bucketTasks = 3, clusterTasks = 2, sortBuffer?: number) {
  const writer = kind === "minhash" ? { format: "minhash_signatures" } : { format: "exact_hashes", key: kind };
  const clusterParams = sortBuffer ? { sortBufferRecords: sortBuffer } : {};
  const merged = clusterTasks > 1;
  return [
    { name: "signatures", read: { paths: inputs }, write: writer },
    { name: "buckets", read: { from: "signatures" }, task: { name: "minhash_buckets" }, tasks: bucketTasks },
    { name: "clusters", read: { from: "buckets" }, task: { name: "minhash_clusters", ...clusterParams }, tasks: clusterTasks },
    ...(merged ? [{ name: "merged", read: { from: "clusters" }, task: { name: "minhash_clusters_merge", ...clusterParams } }] : []),
    {
      name: "deduped",
      read: { paths: inputs },
      stages: [{ [kind === "minhash" ? "minhash_filter" : "exact_filter"]: { clusters: merged ? "merged" : "clusters" } }],
      write: { format: "jsonl", compression: "none" },
      keepExcluded: true,
    },
  ];
}

async function runDedup(dir: string, inputs: string, name: string, workers: number, kind: "minhash" | "text" | "url" = "minhash", bucketTasks = 3, clusterTasks = 2, sortBuffer?: number) {
  const output = path.join(dir, name);
  const config = await writeConfig(dir, { output, modules: [dedupModule], steps: dedupSteps(inputs, kind, bucketTasks, clusterTasks, sortBuffer) }, `${name}.yaml`);
  const result = await runPipelineFile(config, { builtinModules, workers, reporter: quiet });
  const kept = [...(await readStepData(output, "deduped")).values()].flatMap(parseLines);
  const step = (name: string) => result.stats.find((s) => s.step === name)!;
  return { output, kept, stats: result.stats, step, mapStep: clusterTasks > 1 ? "merged" : "clusters" };
}

describe("MinHash dedup pipeline", () => {
  it("removes exactly the planted duplicates, keeping one representative per cluster, across ranks", async () => {
    const dir = await tempDir();
    const inputs = await writeDocs(dir, corpus());
    const { kept, step } = await runDedup(dir, inputs, "run", 2);
    expect(kept.map((d) => d.id).sort()).toEqual(["a2", "b0", "c1", "u0", "u1", "u2", "u3", "u4", "u5", "u6"]);
    const byId = Object.fromEntries(kept.map((d) => [d.id, d.meta]));
    // a2: highest quality in cluster A (rank 3, position 2); b0, c1: lowest (rank, position)
    expect(byId.a2).toMatchObject({ minhashCluster: "3-2", clusterSize: 3 });
    expect(byId.b0).toMatchObject({ minhashCluster: "1-0", clusterSize: 2 });
    expect(byId.c1).toMatchObject({ minhashCluster: "0-2", clusterSize: 2 });
    expect(byId.u0).not.toHaveProperty("minhashCluster");
    const filter = step("deduped").stages.find((s) => s.name === "minhash_filter")!;
    expect(filter.dropped).toEqual({ minhash_duplicate: 4 });
    expect(step("merged").counters).toMatchObject({ clusters: 3, documentsToRemove: 4 });
  });

  it("rehydrate after the filter writes each representative once per its cluster's FineWeb-2 weight", async () => {
    const dir = await tempDir();
    const inputs = await writeDocs(dir, corpus());
    const steps = dedupSteps(inputs, "minhash", 3, 1);
    (steps.at(-1)!.stages as object[]).push({ rehydrate: {} });
    const output = path.join(dir, "rehydrated");
    const config = await writeConfig(dir, { output, modules: [dedupModule], steps }, "rehydrated.yaml");
    const result = await runPipelineFile(config, { builtinModules, workers: 2, reporter: quiet });
    const kept = [...(await readStepData(output, "deduped")).values()].flatMap(parseLines);
    // Clusters of 3 (a2) and 2 (b0, c1): 3, 2 and 2 copies; the 7 unique documents once each.
    expect(kept.map((d) => d.id).sort()).toEqual(["a2", "a2#2", "a2#3", "b0", "b0#2", "c1", "c1#2", "u0", "u1", "u2", "u3", "u4", "u5", "u6"]);
    expect(kept.filter((d) => d.id.startsWith("a2")).map((d) => d.meta.rehydrationCopies)).toEqual([3, 3, 3]);
    expect(new Set(kept.filter((d) => d.id.startsWith("a2")).map((d) => d.text)).size).toBe(1);
    const rehydrate = result.stats.find((s) => s.step === "deduped")!.stages.find((s) => s.name === "rehydrate")!;
    expect([rehydrate.docsIn, rehydrate.docsOut]).toEqual([10, 14]);
  });

  it("gives byte-identical output with 1, 2 and 4 workers, other task counts, and reruns", async () => {
    const dir = await tempDir();
    const inputs = await writeDocs(dir, corpus());
    const runs = [
      await runDedup(dir, inputs, "w1", 1),
      await runDedup(dir, inputs, "w2", 2),
      await runDedup(dir, inputs, "w4", 4, "minhash", 14, 4),
      await runDedup(dir, inputs, "w2-again", 2, "minhash", 1, 1),
      // sorts that spill every 1000 edges, and more partitions than there are clusters
      await runDedup(dir, inputs, "spilled", 2, "minhash", 2, 5, 1000),
    ];
    const texts = await Promise.all(runs.map(async (r) => [...(await readStepData(r.output, "deduped")).entries()]));
    for (const t of texts.slice(1)) expect(t).toEqual(texts[0]);
    const clusterFiles = await Promise.all(runs.map(async (r) => [...(await readStepData(r.output, r.mapStep)).entries()].filter(([n]) => n.endsWith(".clusters"))));
    expect(clusterFiles[0]!.map(([n]) => n)).toEqual(["00000.clusters"]);
    for (const c of clusterFiles.slice(1)) expect(c).toEqual(clusterFiles[0]);
    // a rerun in the same folder finds every task complete and changes nothing
    const again = await runDedup(dir, inputs, "w1", 2);
    expect(again.kept).toEqual(runs[0]!.kept);
  });

  it("refuses to filter a different document stream than the signatures saw", async () => {
    const dir = await tempDir();
    const docs = corpus();
    const inputs = await writeDocs(dir, docs);
    const output = path.join(dir, "run");
    const steps = dedupSteps(inputs, "minhash");
    await runPipelineFile(await writeConfig(dir, { output, modules: [dedupModule], steps: steps.slice(0, 3) }, "a.yaml"), { builtinModules, workers: 2, reporter: quiet });
    // one input file changed after the signatures were computed
    docs[1]!.push({ id: "late", text: "a document that arrived later", meta: {} });
    await writeDocs(dir, docs);
    // same folder, one more step: the engine would refuse a changed config, so the saved one goes
    await rm(path.join(output, "config.json"));
    const config = await writeConfig(dir, { output, modules: [dedupModule], steps }, "a.yaml");
    await expect(runPipelineFile(config, { builtinModules, workers: 1, reporter: quiet })).rejects.toThrow(/saw 4 document\(s\).*signature step saw 3/);
  });
});

describe("exact and URL dedup", () => {
  it("exact: drops documents whose normalised text is identical, keeps near-duplicates", async () => {
    const dir = await tempDir();
    const inputs = await writeDocs(dir, corpus());
    const { kept, step } = await runDedup(dir, inputs, "exact", 2, "text");
    // only c1 (case and punctuation changes of c0) is an exact duplicate after normalisation; c1 comes first
    expect(kept.map((d) => d.id).sort()).toEqual(["a0", "a1", "a2", "b0", "b1", "c1", "u0", "u1", "u2", "u3", "u4", "u5", "u6"]);
    expect(kept.find((d) => d.id === "c1")!.meta).toMatchObject({ exactCluster: "0-2", exactClusterSize: 2 });
    expect(step("deduped").stages.find((s) => s.name === "exact_filter")!.dropped).toEqual({ exact_duplicate: 1 });
  });

  it("url: drops documents whose normalised URL repeats; documents without a URL stay", async () => {
    const dir = await tempDir();
    const doc = (id: string, url?: string): TestDoc => ({ id, text: `text of ${id}`, meta: {}, ...(url ? { url } : {}) });
    const inputs = await writeDocs(dir, [
      [doc("p1", "https://Example.org/page#top"), doc("n1"), doc("p2", "https://example.org/other/")],
      [doc("p1-again", "https://example.org/page"), doc("n2"), doc("p2-again", "https://EXAMPLE.org/other")],
    ]);
    const { kept, step } = await runDedup(dir, inputs, "url", 2, "url");
    expect(kept.map((d) => d.id).sort()).toEqual(["n1", "n2", "p1", "p2"]);
    expect(step("deduped").stages.find((s) => s.name === "exact_filter")!.dropped).toEqual({ url_duplicate: 2 });
  });
});

describe("signature files", () => {
  it("refuses signature files written with other parameters, naming the file and the parameter", async () => {
    const dir = await tempDir();
    const inputs = await writeDocs(dir, corpus().slice(0, 2));
    const output = path.join(dir, "run");
    const steps = dedupSteps(inputs, "minhash");
    await runPipelineFile(await writeConfig(dir, { output, modules: [dedupModule], steps: steps.slice(0, 1) }, "a.yaml"), { builtinModules, workers: 1, reporter: quiet });
    // a second run with other rows writes rank 1 again into the same folder
    const other = path.join(dir, "other");
    const otherSteps = structuredClone(steps);
    (otherSteps[0]!.write as Record<string, unknown>).rows = 9;
    await runPipelineFile(await writeConfig(dir, { output: other, modules: [dedupModule], steps: otherSteps.slice(0, 1) }, "b.yaml"), { builtinModules, workers: 1, reporter: quiet });
    const name = "00001.minhash.sig";
    await writeFile(path.join(output, "signatures", "data", name), await readFile(path.join(other, "signatures", "data", name)));
    await rm(path.join(output, "config.json"));
    const config = await writeConfig(dir, { output, modules: [dedupModule], steps: steps.slice(0, 2) }, "a.yaml");
    await expect(runPipelineFile(config, { builtinModules, workers: 1, reporter: quiet })).rejects.toThrow(/00001\.minhash\.sig: written with rows=9, but this step expects rows=8/);
    const data = await readdir(path.join(output, "buckets", "data")).catch(() => []);
    expect(data.filter((f) => !f.includes(".tmp-"))).toEqual([]);
  });
});
