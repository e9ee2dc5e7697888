/**
 * Reading and writing Parquet against reading and writing the same documents as gzipped JSONL
 * (the baselines, in the same run), through Kiln's readers and writers: docs/s, MB of text/s and
 * peak heap growth. The documents are
 * generated (FineWeb-like columns: text, id, url, dump, language, language_score, token_count).
 *
 *   npm run bench -- parquet [--docs 100000] [--runs 3] [--row-group 10000]
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { parquetWriteBuffer } from "hyparquet-writer";
import type { TaskContext } from "../pipeline/doc.js";
import { getSpec } from "../pipeline/registry.js";
import { seededRandom } from "../core/random.js";
import "../stages/readers/index.js";
import { writeJsonl } from "../stages/writers/jsonl.js";
import { writeParquet } from "../stages/writers/parquet.js";
import { formatTable, median } from "./_report.js";

const { values } = parseArgs({ options: { docs: { type: "string", default: "100000" }, runs: { type: "string", default: "3" }, "row-group": { type: "string", default: "10000" } } });
const N = Number(values.docs);
const random = seededRandom(1);
const words = ["the", "kiln", "fires", "clay", "at", "high", "temperature", "and", "glaze", "melts", "into", "glass", "over", "hours"];
const texts = Array.from({ length: N }, () => Array.from({ length: 100 + Math.floor(random() * 800) }, () => words[Math.floor(random() * words.length)]).join(" "));
const columns = {
  text: texts,
  id: texts.map((_, i) => `<urn:uuid:${i}>`),
  url: texts.map((_, i) => `https://site${i % 997}.example/${i}`),
  dump: texts.map(() => "CC-MAIN-2024-22"),
  language: texts.map((_, i) => (i % 5 === 0 ? "de" : "en")),
  language_score: texts.map(() => 0.65 + random() * 0.35),
  token_count: texts.map((t) => BigInt(t.length >> 2)),
};
const textBytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);

const dir = await mkdtemp(path.join(os.tmpdir(), "kiln-bench-parquet-"));
const parquetFile = path.join(dir, "docs.parquet");
const jsonlFile = path.join(dir, "docs.jsonl.gz");
const parquet = parquetWriteBuffer({
  columnData: Object.entries(columns).map(([name, data]) => ({ name, data, type: name === "language_score" ? ("DOUBLE" as const) : name === "token_count" ? ("INT64" as const) : ("STRING" as const) })),
  rowGroupSize: Number(values["row-group"]),
});
await writeFile(parquetFile, Buffer.from(parquet));
const lines = texts.map((text, i) => JSON.stringify({ id: columns.id[i], text, url: columns.url[i], meta: { dump: "CC-MAIN-2024-22", language: columns.language[i], language_score: columns.language_score[i], token_count: Number(columns.token_count[i]) } }));
await writeFile(jsonlFile, gzipSync(lines.join("\n") + "\n", { level: 6 }));

const ctx: TaskContext = { rank: 0, world: 1, step: "bench", stepDataDir: () => dir, skip: () => {}, drop: () => {}, log: () => {} };

async function timeReader(format: string, file: string): Promise<{ seconds: number; heapMb: number }> {
  const spec = getSpec("reader", format);
  const reader = spec.create(spec.params.parse({}));
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  let heapPeak = heapBefore;
  const start = performance.now();
  let count = 0;
  for await (const doc of reader.read(file, ctx)) {
    if (doc.text.length < 0) throw new Error("unreachable");
    if ((++count & 4095) === 0) heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
  }
  if (count !== N) throw new Error(`${format}: read ${count} documents, expected ${N}`);
  return { seconds: (performance.now() - start) / 1000, heapMb: (heapPeak - heapBefore) / 1e6 };
}

const runs = Number(values.runs);
const rows = [["reader", "file MB", "docs/s", "text MB/s", "heap growth MB", "x baseline"]];
const results: Record<string, { seconds: number; heapMb: number }> = {};
for (const [name, format, file, size] of [["jsonl.gz (baseline)", "jsonl", jsonlFile, 0], ["parquet (snappy)", "parquet", parquetFile, parquet.byteLength]] as const) {
  const timings = [];
  for (let r = 0; r < runs; r++) timings.push(await timeReader(format, file));
  const seconds = median(timings.map((t) => t.seconds));
  results[name] = { seconds, heapMb: median(timings.map((t) => t.heapMb)) };
  const fileMb = (size || (await import("node:fs")).statSync(file).size) / 1e6;
  const baseline = results["jsonl.gz (baseline)"]!.seconds;
  rows.push([name, fileMb.toFixed(1), (N / seconds).toFixed(0), (textBytes / 1e6 / seconds).toFixed(1), results[name]!.heapMb.toFixed(0), `${(baseline / seconds).toFixed(2)}x`]);
}
async function timeWriter(write: (file: string) => Promise<void>, file: string): Promise<number> {
  const start = performance.now();
  await write(file);
  return (performance.now() - start) / 1000;
}
const docs = texts.map((text, i) => ({ id: columns.id[i]!, text, url: columns.url[i]!, meta: { dump: "CC-MAIN-2024-22", language: columns.language[i], language_score: columns.language_score[i], token_count: Number(columns.token_count[i]) } }));
async function* all() {
  yield* docs;
}
const writeRows = [["writer", "docs/s", "text MB/s", "x baseline"]];
let writeBaseline = 0;
for (const [name, write] of [
  ["jsonl.gz (baseline)", (file: string) => writeJsonl(all(), file)],
  ["parquet (snappy)", (file: string) => writeParquet(all(), file, { codec: "snappy", rowGroupDocs: Number(values["row-group"]), rowGroupBytes: 64 * 1024 * 1024 })],
] as const) {
  const timings = [];
  for (let r = 0; r < runs; r++) timings.push(await timeWriter(write, path.join(dir, `out-${r}-${name.split(" ")[0]}`)));
  const seconds = median(timings);
  writeBaseline ||= seconds;
  writeRows.push([name, (N / seconds).toFixed(0), (textBytes / 1e6 / seconds).toFixed(1), `${(writeBaseline / seconds).toFixed(2)}x`]);
}

console.log(`parquet benchmark: ${N} documents, ${(textBytes / 1e6).toFixed(1)} MB of text, row groups of ${values["row-group"]}; median of ${runs} runs, one thread`);
console.log(formatTable(rows));
console.log("");
console.log(formatTable(writeRows));
await rm(dir, { recursive: true, force: true });
