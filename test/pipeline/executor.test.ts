import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runPipelineFile } from "../../pipeline/cli/run.js";
import { createReporter } from "../../pipeline/progress.js";
import type { StepStats } from "../../pipeline/stats.js";
import { builtinModules, parseLines, readStepData, tempDir, testStages, writeConfig, writeInputs } from "./helpers.js";

const quiet = createReporter(process.stderr, true);

async function run(dir: string, inputs: string, output: string, workers: number, extra: Record<string, unknown> = {}) {
  const config = await writeConfig(dir, {
    output,
    modules: [testStages],
    steps: [
      {
        name: "first",
        read: { format: "jsonl", paths: inputs },
        stages: [{ explode: { trigger: "BOOM" } }, { text_length: { minChars: 20 } }],
        write: { format: "jsonl", compression: "gzip" },
        keepExcluded: true,
        ...extra,
      },
      { name: "second", read: { from: "first" }, stages: ["sampler"], write: { format: "jsonl", compression: "none" } },
    ],
  }, `pipeline-${path.basename(output)}.yaml`);
  return runPipelineFile(config, { builtinModules, workers, reporter: quiet });
}

describe("local executor", () => {
  it("reads every input file in exactly one rank, for any worker count and world size", async () => {
    const dir = await tempDir();
    const files = await writeInputs(dir, 7, 5);
    for (const [workers, tasks] of [[1, 3], [2, 3], [3, 7], [2, 10]] as const) {
      const output = path.join(dir, `run-w${workers}-t${tasks}`);
      await run(dir, path.join(dir, "*.jsonl.gz"), output, workers, { tasks });
      const data = await readStepData(output, "first");
      expect(data.size).toBe(tasks);
      const seenFiles = new Map<number, number>();
      for (const [name, text] of data) {
        const rank = Number(name.slice(0, 5));
        for (const doc of parseLines(text)) {
          const file = doc.meta.file as number;
          // files[rank::world]: the inputs are sorted by name, so file i belongs to rank i % world
          expect(file % tasks).toBe(rank);
          seenFiles.set(file, (seenFiles.get(file) ?? 0) + 1);
        }
      }
      expect([...seenFiles.keys()].sort((a, b) => a - b)).toEqual(files.map((_, i) => i));
      for (const count of seenFiles.values()) expect(count).toBe(5);
    }
  });

  it("gives byte-identical output with 1 and 2 workers", async () => {
    const dir = await tempDir();
    await writeInputs(dir, 6, 40);
    const one = path.join(dir, "one");
    const two = path.join(dir, "two");
    await run(dir, path.join(dir, "*.jsonl.gz"), one, 1);
    await run(dir, path.join(dir, "*.jsonl.gz"), two, 2);
    for (const step of ["first", "second"]) {
      const a = await readStepData(one, step);
      const b = await readStepData(two, step);
      expect([...b.keys()]).toEqual([...a.keys()]);
      for (const [name, text] of a) expect(b.get(name)).toBe(text);
    }
    // same documents in the same order as the inputs (minus the short ones)
    const first = [...(await readStepData(one, "first")).values()].flatMap(parseLines);
    expect(first.length).toBe(6 * 40);
  });

  it("drops a document a stage throws on with reason error:<stage>, and the run goes on", async () => {
    const dir = await tempDir();
    await writeInputs(dir, 2, 10, (f, d) => (f === 1 && d === 3 ? "this one goes BOOM in the stage" : `a perfectly ordinary document ${f}/${d}`));
    const output = path.join(dir, "run");
    const { stats } = await run(dir, path.join(dir, "*.jsonl.gz"), output, 2);
    const first = stats[0] as StepStats;
    const explode = first.stages.find((s) => s.name === "explode")!;
    expect(explode.docsIn).toBe(20);
    expect(explode.docsOut).toBe(19);
    expect(explode.dropped).toEqual({ "error:explode": 1 });
    const kept = [...(await readStepData(output, "first")).values()].flatMap(parseLines);
    expect(kept.map((d) => d.id)).not.toContain("f1-3");
    expect(kept).toHaveLength(19);
    // the dropped document is kept in excluded/ with its reason, and the log says why
    const excludedDir = path.join(output, "first", "excluded");
    const { gunzipSync } = await import("node:zlib");
    const excluded = (await readdir(excludedDir)).flatMap((f) => [f]);
    const excludedDocs = (await Promise.all(excluded.map(async (f) => parseLines(gunzipSync(await readFile(path.join(excludedDir, f))).toString())))).flat();
    expect(excludedDocs.map((d) => [d.id, d.meta.excluded])).toEqual([["f1-3", { stage: "explode", reason: "error:explode" }]]);
    const log = await readFile(path.join(output, "first", "logs", "00001.log"), "utf8");
    expect(log).toContain("explode: document f1-3: found BOOM");
  });

  it("writes per-rank stats, merges them, and counts drops by reason", async () => {
    const dir = await tempDir();
    // texts of 10..19 characters are dropped by text_length minChars 20
    await writeInputs(dir, 3, 10, (f, d) => (d < 4 ? "short" + "." .repeat(5 + d) : "long enough to be kept by the filter"));
    const output = path.join(dir, "run");
    const { stats } = await run(dir, path.join(dir, "*.jsonl.gz"), output, 2);
    const merged = JSON.parse(await readFile(path.join(output, "first", "stats.json"), "utf8")) as StepStats;
    expect(merged).toEqual(JSON.parse(JSON.stringify(stats[0])));
    const byName = Object.fromEntries(merged.stages.map((s) => [s.name, s]));
    expect(byName["read:jsonl"]!.docsOut).toBe(30);
    expect(byName["text_length"]!.dropped).toEqual({ too_short: 12 });
    expect(byName["write:jsonl"]!.docsOut).toBe(18);
    expect(byName["write:jsonl"]!.bytesOut).toBe(18 * Buffer.byteLength("long enough to be kept by the filter"));
    expect(merged.ranks).toBe(3);
    const completions = await readdir(path.join(output, "first", "completions"));
    expect(completions.sort()).toEqual(["00000", "00001", "00002"]);
  });
});

describe("whole-step tasks", () => {
  it("gives every task all input files of the earlier step, and merges their counters", async () => {
    const dir = await tempDir();
    await writeInputs(dir, 5, 7);
    const output = path.join(dir, "run");
    const config = await writeConfig(dir, {
      output,
      modules: [testStages],
      steps: [
        { name: "copy", read: { paths: path.join(dir, "*.jsonl.gz") } },
        { name: "count", read: { from: "copy" }, task: { name: "count_docs" }, tasks: 2 },
      ],
    });
    const { stats } = await runPipelineFile(config, { builtinModules, workers: 2, reporter: quiet });
    expect(stats[1]!.counters).toEqual({ docs: 35, inputsSeen: 10 });
    // copy wrote files 00000..00004: rank 0 counts files 0, 2, 4 and rank 1 files 1, 3
    expect(await readFile(path.join(output, "count", "data", "0.txt"), "utf8")).toBe("21");
    expect(await readFile(path.join(output, "count", "data", "1.txt"), "utf8")).toBe("14");
  });
});

describe("excluded documents", () => {
  it("keeps every dropped document, in order, when far more are dropped than the writer buffers", async () => {
    const dir = await tempDir();
    // 20,000 documents of ~1 KB: every one dropped by text_length, so the excluded writer sees ~20 MB.
    await writeInputs(dir, 1, 20_000, (_, d) => `document ${d} `.padEnd(1000, "x"));
    const output = path.join(dir, "run");
    const config = await writeConfig(dir, {
      output,
      steps: [{ name: "drop", read: { paths: path.join(dir, "*.jsonl.gz") }, stages: [{ text_length: { minChars: 5000 } }], keepExcluded: true }],
    });
    const { stats } = await runPipelineFile(config, { builtinModules, workers: 1, reporter: quiet });
    expect(stats[0]!.stages.find((s) => s.name === "text_length")!.dropped).toEqual({ too_short: 20_000 });
    const { gunzipSync } = await import("node:zlib");
    const excluded = parseLines(gunzipSync(await readFile(path.join(output, "drop", "excluded", "00000.jsonl.gz"))).toString("utf8"));
    expect(excluded).toHaveLength(20_000);
    expect(excluded.map((d) => d.id)).toEqual(Array.from({ length: 20_000 }, (_, d) => `f0-${d}`));
    expect(excluded[0]!.meta.excluded).toEqual({ stage: "text_length", reason: "too_short" });
  });
});
