import path from "node:path";
import { describe, expect, it } from "vitest";
import { listSafe, readStepData, repoRoot, startKilnRun, tempDir, waitForExit, writeConfig } from "../../pipeline/helpers.js";
import { rng, variant, words, writeDocs, type TestDoc } from "./corpus.js";

const dedupModule = path.join(repoRoot, "stages", "dedup", "index.ts");

/** 8 files of 150 documents; a third are near-duplicates (2 of 300 words replaced) of a document in any file. */
function corpus(): TestDoc[][] {
  const random = rng(8);
  const originals: string[][] = [];
  return Array.from({ length: 8 }, (_, f) =>
    Array.from({ length: 150 }, (_, d) => {
      if (originals.length > 0 && random() < 0.33) {
        return { id: `f${f}-${d}`, text: variant(originals[Math.floor(random() * originals.length)]!, 2, random).join(" "), meta: { quality: Math.floor(random() * 4) } };
      }
      const text = words(random, 300);
      originals.push(text);
      return { id: `f${f}-${d}`, text: text.join(" "), meta: {} };
    }),
  );
}

describe("MinHash dedup killed and resumed", () => {
  it("a run killed with SIGKILL after the first completed signature task resumes to byte-identical output", async () => {
    const dir = await tempDir();
    const inputs = await writeDocs(dir, corpus());
    const configFor = (output: string) =>
      writeConfig(dir, {
        output,
        modules: [dedupModule],
        steps: [
          { name: "signatures", read: { paths: inputs }, write: { format: "minhash_signatures" } },
          { name: "buckets", read: { from: "signatures" }, task: { name: "minhash_buckets" }, tasks: 3 },
          // a small sort buffer: the clusters' sorts spill run files that a kill could leave behind
          { name: "clusters", read: { from: "buckets" }, task: { name: "minhash_clusters", sortBufferRecords: 1000 }, tasks: 3 },
          { name: "merged", read: { from: "clusters" }, task: { name: "minhash_clusters_merge", sortBufferRecords: 1000 } },
          { name: "deduped", read: { paths: inputs }, stages: [{ minhash_filter: { clusters: "merged" } }], write: { format: "jsonl", compression: "none" } },
        ],
      }, `${path.basename(output)}.yaml`);

    const whole = path.join(dir, "whole");
    const reference = await waitForExit(startKilnRun(await configFor(whole)));
    expect(reference.code, reference.stderr).toBe(0);
    const kept = [...(await readStepData(whole, "deduped")).values()].join("").split("\n").filter(Boolean).length;
    expect(kept).toBeLessThan(1200); // duplicates were found, so the comparison below means something

    const killed = path.join(dir, "killed");
    const config = await configFor(killed);
    const child = startKilnRun(config);
    const exit = waitForExit(child);
    const completions = path.join(killed, "signatures", "completions");
    while ((await listSafe(completions)).length < 1) await new Promise((r) => setTimeout(r, 5));
    child.kill("SIGKILL");
    expect((await exit).signal).toBe("SIGKILL");
    const doneBefore = (await listSafe(completions)).length;
    expect(doneBefore).toBeGreaterThanOrEqual(1);
    expect(doneBefore).toBeLessThan(8);
    expect(await listSafe(path.join(killed, "deduped"))).toEqual([]);

    const resumed = await waitForExit(startKilnRun(config));
    expect(resumed.code, resumed.stderr).toBe(0);
    for (const step of ["signatures", "buckets", "clusters", "merged", "deduped"]) {
      const a = await readStepData(whole, step);
      const b = await readStepData(killed, step);
      expect([...b.keys()], step).toEqual([...a.keys()]);
      for (const [name, bytes] of a) expect(b.get(name) === bytes, `${step}/${name} identical`).toBe(true);
      expect([...b.keys()].filter((f) => f.includes(".tmp-"))).toEqual([]);
    }
  });
});
