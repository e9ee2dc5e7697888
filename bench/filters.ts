/**
 * Throughput of the heuristic filters on extracted text, one thread: each filter stage alone,
 * and the FineWeb chain of them (Gopher repetition -> Gopher quality -> C4 without the
 * terminal-punctuation rule -> FineWeb quality -> PII; a dropped document leaves the chain).
 * Baseline, same run and documents: a bare loop doing only `text.split("\n")` and
 * `line.split(/\s+/)`, the floor any line-and-word filter pays. MB are 10^6 bytes of UTF-8 text.
 * Both wall-clock and CPU-time (user + system of this process) rates are printed: on a shared
 * machine the wall clock also counts time spent waiting for a core, the CPU time does not.
 *
 *   npm run bench -- filters [docs.jsonl[.gz]] [--runs 5] [--pages 1500]
 *
 * Without a path, the text is the `mainText` of a generated sample corpus (datasets/sample).
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { gunzipSync } from "node:zlib";
import type { Doc, Stage, TaskContext } from "../pipeline/doc.js";
import { getSpec } from "../pipeline/registry.js";
import "../stages/filters/index.js";
import { median } from "./_report.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { runs: { type: "string", default: "5" }, pages: { type: "string", default: "1500" } },
});

async function loadDocs(): Promise<{ docs: Doc[]; source: string }> {
  const file = positionals[0];
  if (file) {
    let bytes = await readFile(file);
    if (file.endsWith(".gz")) bytes = gunzipSync(bytes);
    const docs: Doc[] = [];
    for (const [i, line] of bytes.toString("utf8").split("\n").entries()) {
      if (!line.trim()) continue;
      const value = JSON.parse(line) as { id?: string; text?: string; url?: string };
      if (typeof value.text === "string" && value.text) docs.push({ id: value.id ?? String(i), text: value.text, url: value.url, meta: {} });
    }
    return { docs, source: file };
  }
  const { generateSample } = await import("../datasets/sample/index.js");
  const outDir = await mkdtemp(path.join(os.tmpdir(), "kiln-bench-filters-"));
  try {
    const { truthFile } = await generateSample({ outDir, seed: 7, pages: Number(values.pages) });
    const docs: Doc[] = [];
    for (const line of (await readFile(truthFile, "utf8")).split("\n")) {
      if (!line.trim()) continue;
      const truth = JSON.parse(line) as { id: string; url: string; mainText: string };
      if (truth.mainText) docs.push({ id: truth.id, text: truth.mainText, url: truth.url, meta: {} });
    }
    return { docs, source: `sample corpus mainText (${values.pages} pages, seed 7)` };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

const counts = { dropped: 0 };
const ctx: TaskContext = {
  rank: 0,
  world: 1,
  step: "bench",
  stepDataDir: () => os.tmpdir(),
  skip: () => {},
  drop: () => void counts.dropped++,
  log: () => {},
};

function makeStage(name: string, params: Record<string, unknown> = {}): Stage {
  const spec = getSpec("stage", name);
  return spec.create(spec.params.parse(params));
}

async function* fromArray(docs: Doc[]): AsyncGenerator<Doc> {
  for (const doc of docs) yield doc;
}

/** Seconds to push fresh copies of `docs` through `stages` (copies made before the clock starts). */
interface Timing {
  seconds: number;
  cpuSeconds: number;
  kept: number;
}

const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
};

async function timeStages(docs: Doc[], stages: Stage[]): Promise<Timing> {
  const copies = docs.map((d) => ({ ...d, meta: {} }));
  counts.dropped = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  let stream: AsyncIterable<Doc> = fromArray(copies);
  for (const stage of stages) stream = stage.run(stream, ctx);
  let kept = 0;
  for await (const _ of stream) kept++;
  return { seconds: (performance.now() - started) / 1000, cpuSeconds: cpuSeconds(cpu), kept };
}

function timeBaseline(docs: Doc[]): Timing {
  const cpu = process.cpuUsage();
  const started = performance.now();
  let words = 0;
  for (const doc of docs) for (const line of doc.text.split("\n")) words += line.split(/\s+/).length;
  if (words < 0) throw new Error("unreachable");
  return { seconds: (performance.now() - started) / 1000, cpuSeconds: cpuSeconds(cpu), kept: docs.length };
}


async function main(): Promise<void> {
  const { docs, source } = await loadDocs();
  const megabytes = docs.reduce((sum, d) => sum + Buffer.byteLength(d.text), 0) / 1e6;
  const finewebC4 = { filterNoTerminalPunct: false };
  const variants: Array<{ name: string; run: () => Promise<Timing> | Timing }> = [
    { name: "baseline: split(\"\\n\") + split(/\\s+/)", run: () => timeBaseline(docs) },
    { name: "gopher_repetition", run: () => timeStages(docs, [makeStage("gopher_repetition")]) },
    { name: "gopher_quality", run: () => timeStages(docs, [makeStage("gopher_quality")]) },
    { name: "c4_quality (FineWeb params)", run: () => timeStages(docs, [makeStage("c4_quality", finewebC4)]) },
    { name: "fineweb_quality", run: () => timeStages(docs, [makeStage("fineweb_quality")]) },
    { name: "c4_badwords (C4 English list)", run: () => timeStages(docs, [makeStage("c4_badwords")]) },
    { name: "pii", run: () => timeStages(docs, [makeStage("pii")]) },
    {
      name: "full chain (FineWeb order)",
      run: () =>
        timeStages(docs, [
          makeStage("gopher_repetition"),
          makeStage("gopher_quality"),
          makeStage("c4_quality", finewebC4),
          makeStage("fineweb_quality"),
          makeStage("pii"),
        ]),
    },
  ];
  const runs = Number(values.runs);
  // One untimed pass warms the JIT and the character tables.
  for (const v of variants) await v.run();
  const wall = variants.map(() => [] as number[]);
  const cpu = variants.map(() => [] as number[]);
  const kept = variants.map(() => 0);
  for (let r = 0; r < runs; r++) {
    for (const [i, v] of variants.entries()) {
      const result = await v.run();
      wall[i]!.push(result.seconds);
      cpu[i]!.push(result.cpuSeconds);
      kept[i] = result.kept;
    }
  }
  const rate = (times: number[]) => megabytes / median(times);
  process.stdout.write(`filters benchmark: ${docs.length} documents, ${megabytes.toFixed(2)} MB of text from ${source}; median of ${runs} runs, one thread\n\n`);
  const rows = [["variant", "MB/s wall", "MB/s CPU", "docs/s CPU", "kept", "x baseline CPU time"]];
  for (const [i, v] of variants.entries()) {
    rows.push([
      v.name,
      rate(wall[i]!).toFixed(1),
      rate(cpu[i]!).toFixed(1),
      Math.round(docs.length / median(cpu[i]!)).toString(),
      `${kept[i]}/${docs.length}`,
      (median(cpu[i]!) / median(cpu[0]!)).toFixed(1),
    ]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const row of rows) process.stdout.write(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ") + "\n");
  const last = variants.length - 1;
  process.stdout.write(
    `\nfull chain: ${rate(cpu[last]!).toFixed(1)} MB/s per core by CPU time, ${rate(wall[last]!).toFixed(1)} MB/s wall (target > 20); ` +
      `baseline ${rate(cpu[0]!).toFixed(1)} MB/s CPU; the chain takes ${(median(cpu[last]!) / median(cpu[0]!)).toFixed(1)}x the baseline's CPU time\n`,
  );
}

await main();
