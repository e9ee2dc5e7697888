/**
 * Decontamination speed: documents checked against an index of 10,000 evaluation items (13-grams),
 * MB of text per CPU-second on one thread, against a baseline that only lowercases and splits the
 * same text into words, in the same run. A sanity row plants 13-word spans of items into copies of
 * documents and reports how many are found (and how many clean documents are flagged).
 *
 *   npm run bench -- decontaminate [docs.jsonl] [--items 10000] [--runs 5]
 *
 * Documents: the text field of a JSONL file, or the sample corpus's main texts (1,500 pages).
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { seededRandom } from "../core/random.js";
import { buildContaminationIndex, contaminationHits } from "../stages/filters/decontaminate.js";
import { formatTable, median } from "./_report.js";

const { values, positionals } = parseArgs({ allowPositionals: true, options: { items: { type: "string", default: "10000" }, runs: { type: "string", default: "5" } } });
const runs = Math.max(1, Number(values.runs));

async function loadTexts(): Promise<string[]> {
  if (positionals[0]) {
    return (await readFile(positionals[0], "utf8"))
      .split("\n")
      .filter((line) => line.trim())
      .map((line) => (JSON.parse(line) as { text: string }).text);
  }
  const { generateSample } = await import("../datasets/sample/index.js");
  const outDir = await mkdtemp(path.join(os.tmpdir(), "kiln-bench-decont-"));
  try {
    const { truthFile } = await generateSample({ outDir, seed: 7, pages: 1500 });
    return (await readFile(truthFile, "utf8"))
      .split("\n")
      .filter((line) => line.trim())
      .map((line) => (JSON.parse(line) as { mainText: string }).mainText)
      .filter((text) => text);
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

const texts = await loadTexts();
const megabytes = texts.reduce((sum, t) => sum + Buffer.byteLength(t), 0) / 1e6;

// Items: 40-word passages of the documents' own vocabulary, in a fresh order (so they do not occur in
// the documents), as a benchmark's questions and answers would be.
const random = seededRandom(3);
const vocabulary = [...new Set(texts.join(" ").toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean))];
const itemCount = Number(values.items);
const items = Array.from({ length: itemCount }, () => Array.from({ length: 40 }, () => vocabulary[Math.floor(random() * vocabulary.length)]!).join(" "));

const cpu = () => {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1e6;
};

const start = cpu();
const index = buildContaminationIndex([{ name: "bench", texts: items }], 13, 8);
const buildSeconds = cpu() - start;

function timed(run: () => void): number {
  const seconds: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = cpu();
    run();
    seconds.push(cpu() - t0);
  }
  return megabytes / median(seconds);
}

let flagged = 0;
const decont = timed(() => {
  flagged = 0;
  for (const text of texts) if (contaminationHits(text, index).size > 0) flagged++;
});
let words = 0;
const baseline = timed(() => {
  words = 0;
  for (const text of texts) words += text.toLowerCase().split(/[^\p{L}\p{N}]+/u).length;
});

// Planted: a 13-word span of item k in a copy of document k.
let found = 0;
const planted = Math.min(500, texts.length);
for (let k = 0; k < planted; k++) {
  const span = items[k]!.split(" ").slice(10, 23).join(" ").toUpperCase();
  const text = texts[k]!;
  const at = Math.floor(text.length / 2);
  if (contaminationHits(`${text.slice(0, at)} ${span}, ${text.slice(at)}`, index).size > 0) found++;
}

const rows = [
  ["variant", "MB/CPU-s", "x baseline"],
  ["baseline: toLowerCase + split into words", baseline.toFixed(1), "1.00"],
  [`decontaminate (${itemCount} items, ${index.index.size} 13-grams)`, decont.toFixed(1), (decont / baseline).toFixed(2)],
];
process.stdout.write(`decontamination benchmark: ${texts.length} documents, ${megabytes.toFixed(2)} MB; median of ${runs} runs, one thread\n\n`);
process.stdout.write(formatTable(rows) + "\n\n");
process.stdout.write(`index: built in ${buildSeconds.toFixed(2)} CPU-s; clean documents flagged: ${flagged}/${texts.length}; planted spans found: ${found}/${planted} (target >= 20 MB/s per core; ${words} baseline words)\n`);
