import path from "node:path";
import { describe, expect, it } from "vitest";
import "../../../stages/index.js";
import { resolvePipeline } from "../../../pipeline/config.js";
import { readStepData, tempDir } from "../../pipeline/helpers.js";
import { rng, variant, words, writeDocs, type TestDoc } from "./corpus.js";
import { fingerprint, minhashSteps, runSteps } from "./run-helpers.js";

/**
 * Crawl A (2 files): originals a0..a5, and a5x, a near-copy of a5 inside A (A's own dedup removes it).
 * Crawl B (3 files, deduplicated against A's index), by construction (1-2 of 300 words replaced,
 * caught with probability > 0.9999):
 *   near-copies of A: b-a0 (quality 0.99, higher than anything: the index still wins), b-a1 and
 *   b-a1y (two copies of a1 in different files), b-a5x (a copy of a5x, which A itself removed);
 *   a cluster inside B: n0 (file 0) and n0y (file 2), n0 kept as the lowest (rank, position);
 *   unrelated new documents u0..u5.
 */
function crawls() {
  const random = rng(19);
  const a = Array.from({ length: 6 }, () => words(random, 300));
  const n0 = words(random, 300);
  const doc = (id: string, w: string[], meta: Record<string, unknown> = {}): TestDoc => ({ id, text: w.join(" "), meta });
  const unique = (id: string) => doc(id, words(random, 250));
  const a5x = variant(a[5]!, 2, random);
  const crawlA: TestDoc[][] = [
    [doc("a0", a[0]!), doc("a1", a[1]!), doc("a2", a[2]!), doc("a5x", a5x)],
    [doc("a3", a[3]!), doc("a4", a[4]!), doc("a5", a[5]!)],
  ];
  const crawlB: TestDoc[][] = [
    [unique("u0"), doc("b-a0", variant(a[0]!, 1, random), { quality: 0.99 }), doc("n0", n0), unique("u1")],
    [doc("b-a1", variant(a[1]!, 2, random)), unique("u2"), unique("u3"), doc("b-a5x", variant(a5x, 1, random))],
    [unique("u4"), doc("n0y", variant(n0, 2, random)), doc("b-a1y", variant(a[1]!, 1, random)), unique("u5")],
  ];
  return { crawlA, crawlB };
}

const ids = (docs: { id: string }[]) => docs.map((d) => d.id).sort();

describe("incremental dedup against an index of an earlier crawl (minhash_buckets index)", () => {
  it("removes exactly B's near-copies of A (and B's own duplicates), leaves A untouched, same output for 1 and 2 workers", async () => {
    const dir = await tempDir();
    const { crawlA, crawlB } = crawls();
    const inputsA = await writeDocs(await tempDir(), crawlA);
    const inputsB = await writeDocs(await tempDir(), crawlB);

    const runA = await runSteps(dir, "A", minhashSteps(inputsA));
    expect(ids(runA.kept)).toEqual(["a0", "a1", "a2", "a3", "a4", "a5x"]);
    const index = path.join(runA.output, "signatures", "data");
    const before = await fingerprint(runA.output);

    const runs = [];
    for (const [name, workers, clusterTasks] of [["B1", 1, 1], ["B2", 2, 1], ["B2-sharded", 2, 3]] as const) {
      const run = await runSteps(dir, name, minhashSteps(inputsB, { buckets: { index }, clusterTasks, bucketTasks: 4 }), workers);
      expect(ids(run.kept)).toEqual(["n0", "u0", "u1", "u2", "u3", "u4", "u5"]);
      const clusterStep = run.step(clusterTasks > 1 ? "merged" : "clusters");
      expect(clusterStep.counters).toMatchObject({ clusters: 1, documentsToRemove: 5, documentsMatchingIndex: 4, clustersWithIndexedRepresentative: 3 });
      expect(run.step("buckets").counters).toMatchObject({ indexedDocuments: 7 });
      const filter = run.step("deduped").stages.find((s) => s.name === "minhash_filter")!;
      expect(filter.dropped).toEqual({ minhash_duplicate: 5 });
      const n0 = run.kept.find((d) => d.id === "n0")!;
      expect(n0.meta).toMatchObject({ minhashCluster: "0-2", clusterSize: 2 });
      runs.push(run);
    }
    const outputs = await Promise.all(runs.map(async (r) => [...(await readStepData(r.output, "deduped")).entries()]));
    for (const o of outputs.slice(1)) expect(o).toEqual(outputs[0]);
    const maps = await Promise.all(runs.map((r, i) => fingerprint(path.join(r.output, i === 2 ? "merged" : "clusters", "data"), (f) => f.endsWith(".clusters"))));
    for (const m of maps.slice(1)) expect(m).toEqual(maps[0]);

    // A's run folder, index included, is byte for byte what it was
    expect(await fingerprint(runA.output)).toEqual(before);
    // and B without the index removes only its own duplicate
    const alone = await runSteps(dir, "B-alone", minhashSteps(inputsB));
    expect(ids(alone.kept)).toEqual(["b-a0", "b-a1", "b-a5x", "n0", "u0", "u1", "u2", "u3", "u4", "u5"]);
  });

  it("verifies pairs against the index's full signatures too", async () => {
    const dir = await tempDir();
    const { crawlA, crawlB } = crawls();
    const inputsA = await writeDocs(await tempDir(), crawlA);
    const inputsB = await writeDocs(await tempDir(), crawlB);
    const full = { fullSignatures: true };
    const runA = await runSteps(dir, "A", minhashSteps(inputsA, { signatures: full }).slice(0, 1));
    const index = path.join(runA.output, "signatures", "data");
    const run = await runSteps(dir, "B", minhashSteps(inputsB, { signatures: full, buckets: { index, verifyThreshold: 0.8 } }));
    expect(ids(run.kept)).toEqual(["n0", "u0", "u1", "u2", "u3", "u4", "u5"]);
    // a threshold above every planted pair's estimate (1 or 2 words of 300 replaced: below 0.99) keeps them all
    const strict = await runSteps(dir, "B-strict", minhashSteps(inputsB, { signatures: full, buckets: { index, verifyThreshold: 0.99 } }));
    expect(ids(strict.kept)).toEqual(ids(crawlB.flat()));
  });

  it("refuses an index written with other parameters, without full signatures when verifying, or the step's own signatures, naming the file", async () => {
    const dir = await tempDir();
    const { crawlA, crawlB } = crawls();
    const inputsA = await writeDocs(await tempDir(), crawlA);
    const inputsB = await writeDocs(await tempDir(), crawlB);
    const runA = await runSteps(dir, "A", minhashSteps(inputsA, { signatures: { rows: 9 } }).slice(0, 1));
    const index = path.join(runA.output, "signatures", "data");
    const first = path.join(index, "00000.minhash.sig").replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    await expect(runSteps(dir, "B", minhashSteps(inputsB, { buckets: { index } }).slice(0, 2))).rejects.toThrow(new RegExp(`${first}: written with rows=9, but this step expects rows=8`));

    const runA8 = await runSteps(dir, "A8", minhashSteps(inputsA).slice(0, 1));
    const index8 = path.join(runA8.output, "signatures", "data");
    const verifying = minhashSteps(inputsB, { signatures: { fullSignatures: true }, buckets: { index: [index8], verifyThreshold: 0.8 } });
    await expect(runSteps(dir, "B-verify", verifying.slice(0, 2))).rejects.toThrow(/A8\/signatures\/data\/00000\.minhash\.sig: written without full signatures/);

    const own = minhashSteps(inputsB, { buckets: { index: path.join(dir, "B-own", "signatures", "data") } });
    await expect(runSteps(dir, "B-own", own.slice(0, 2))).rejects.toThrow(/B-own\/signatures\/data: is this step's own signatures folder/);
    await expect(runSteps(dir, "B-missing", minhashSteps(inputsB, { buckets: { index: path.join(dir, "A8", "signatures") } }).slice(0, 2))).rejects.toThrow(/A8\/signatures: no signature files.*give .*A8\/signatures\/data/);
  });
});

describe("the fineweb preset with an index and verification", () => {
  it("routes presetParams.minhash.index and verifyThreshold to the buckets step and turns on full signatures", () => {
    const step = { name: "web", read: { format: "warc", paths: "/crawl/*.warc.gz" }, preset: "fineweb" };
    const withIndex = resolvePipeline({ output: "/runs/x", steps: [{ ...step, presetParams: { minhash: { index: ["/runs/2024/web.signatures/data"], verifyThreshold: 0.75 } } }] }, "p.yaml");
    const signatures = withIndex.steps.find((s) => s.name === "web.signatures")!;
    const buckets = withIndex.steps.find((s) => s.name === "web.buckets")!;
    expect(signatures.writer!.params).toMatchObject({ bands: 14, rows: 8, fullSignatures: true });
    expect(signatures.writer!.params).not.toHaveProperty("index");
    expect(buckets.task!.params).toEqual({ index: ["/runs/2024/web.signatures/data"], verifyThreshold: 0.75 });
    // without them, the defaults: no verification, no index, no side files
    const plain = resolvePipeline({ output: "/runs/x", steps: [step] }, "p.yaml");
    expect(plain.steps.find((s) => s.name === "web.buckets")!.task!.params).toEqual({ index: [], verifyThreshold: null });
    expect(plain.steps.find((s) => s.name === "web.signatures")!.writer!.params).toMatchObject({ fullSignatures: false });
  });
});
