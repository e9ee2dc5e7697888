/**
 * Tokenizer speed: encoding MB/s of Kiln's tokenizers against the other npm tokenizers measured in
 * the same run on the same documents, ids checked against tiktoken (OpenAI's Rust core as WASM);
 * and byte-level BPE training throughput.
 *
 *   npm run bench -- tokenize [--mb 4] [--runs 3] [--vocab 8192] [--file docs.jsonl|text.txt]
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { encode as gtR50k } from "gpt-tokenizer/encoding/r50k_base";
import { encode as gtCl100k } from "gpt-tokenizer/encoding/cl100k_base";
import { encode as gtO200k } from "gpt-tokenizer/encoding/o200k_base";
import { Tiktoken as JsTiktoken } from "js-tiktoken/lite";
import jsR50k from "js-tiktoken/ranks/r50k_base";
import jsCl100k from "js-tiktoken/ranks/cl100k_base";
import jsO200k from "js-tiktoken/ranks/o200k_base";
import { get_encoding } from "tiktoken";
import { loadPretrained } from "../datasets/tokenizer/pretrained.js";
import { PretokenCounter, trainBpe } from "../datasets/tokenizer/train.js";
import { seededRandom } from "../core/random.js";
import { median } from "./_report.js";

const { values } = parseArgs({
  options: {
    mb: { type: "string", default: "4" },
    runs: { type: "string", default: "3" },
    vocab: { type: "string", default: "8192" },
    file: { type: "string" },
  },
});
const runs = Number(values.runs);

const rng = seededRandom;

/** Web-like documents: Zipfian words (English, German, Russian, made-up), numbers, punctuation, some emoji and CJK. */
function generatedDocs(megabytes: number): string[] {
  const random = rng(2024);
  const real = ("the of and to in is was for on that with as by at from it this be are or an have not which one you had but his they were all her she there would their we him been has when who will more no if out so said what up its about into than them can only other new some could time these two may then do first any my now such like our over man me even most made after also did many before must through back years where much your way well down should because each just those people how too little state good very make world still own see men work long get here between both life being under never day same another know while last might us great old year off come since against go came right used take three").split(" ");
  const syllables = ["ka", "lo", "mi", "te", "ra", "sun", "ber", "gol", "in", "tri", "an", "dé", "vo", "ple", "xis", "or", "ma", "qua", "zen", "ти", "ра", "но", "über", "straße"];
  const invented = Array.from({ length: 5000 }, () => Array.from({ length: 1 + Math.floor(random() * 3) }, () => syllables[Math.floor(random() * syllables.length)]).join(""));
  const extras = ["😀", "👍🏽", "日本語", "中文", "2024", "3.14", "$12,000", "e-mail", "(see above)", "\"quoted\"", "don't", "it's", "\n\n", "  "];
  const word = () => (random() < 0.7 ? real[Math.floor(real.length * random() ** 2)]! : invented[Math.floor(invented.length * random() ** 3)]!);
  const docs: string[] = [];
  let bytes = 0;
  while (bytes < megabytes * 1e6) {
    let text = "";
    const words = 100 + Math.floor(random() * 500);
    for (let w = 0; w < words; w++) {
      text += w % 15 === 14 ? ". " : random() < 0.03 ? ` ${extras[Math.floor(random() * extras.length)]} ` : " ";
      text += w % 15 === 0 ? word().replace(/^./, (c) => c.toUpperCase()) : word();
    }
    docs.push(text.trim());
    bytes += Buffer.byteLength(text);
  }
  return docs;
}

function fileDocs(path: string): string[] {
  const text = readFileSync(path, "utf8");
  if (!/\.jsonl$/.test(path)) return text.split(/\n{2,}/);
  return text.split("\n").filter(Boolean).map((line) => (JSON.parse(line) as { text: string }).text);
}

const docs = values.file ? fileDocs(values.file) : generatedDocs(Number(values.mb));
const megabytes = docs.reduce((n, d) => n + Buffer.byteLength(d), 0) / 1e6;
const table = (header: string[], rows: string[][]) => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n") + "\n";
};

/** Median MB/s over runs (after one warm-up pass that also fills caches the way a long job would). */
function measure(encode: (text: string) => ArrayLike<number>): { mbps: number; ids: number[][] } {
  const ids = docs.map((d) => Array.from(encode(d)));
  const speeds: number[] = [];
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    for (const doc of docs) encode(doc);
    speeds.push(megabytes / ((performance.now() - start) / 1000));
  }
  return { mbps: median(speeds), ids };
}

const same = (a: number[][], b: number[][]) => a.length === b.length && a.every((x, i) => x.length === b[i]!.length && x.every((v, j) => v === b[i]![j]));

process.stdout.write(`tokenizer bench: ${docs.length} documents, ${megabytes.toFixed(2)} MB, median of ${runs} runs after a warm-up\n\n`);
const encodings = [
  { name: "r50k_base", gt: gtR50k, js: jsR50k },
  { name: "cl100k_base", gt: gtCl100k, js: jsCl100k },
  { name: "o200k_base", gt: gtO200k, js: jsO200k },
] as const;
const rows: string[][] = [];
for (const encoding of encodings) {
  const wasm = get_encoding(encoding.name);
  const reference = measure((t) => wasm.encode(t, [], []));
  const kiln = await loadPretrained(encoding.name);
  const js = new JsTiktoken(encoding.js);
  const candidates = [
    { name: "kiln (gpt-tokenizer + WTF-8)", result: measure((t) => kiln.encode(t)) },
    { name: "gpt-tokenizer 4.0", result: measure((t) => encoding.gt(t, { disallowedSpecial: new Set() })) },
    { name: "js-tiktoken 1.0", result: measure((t) => js.encode(t, [], [])) },
    { name: "tiktoken 1.0 (WASM)", result: reference },
  ];
  wasm.free();
  const fastestOther = Math.max(...candidates.slice(2).map((c) => c.result.mbps));
  for (const c of candidates) {
    rows.push([encoding.name, c.name, c.result.mbps.toFixed(2), same(c.result.ids, reference.ids) ? "yes" : "NO", (c.result.mbps / fastestOther).toFixed(2)]);
  }
}
process.stdout.write("Pretrained encodings (correct = same ids as tiktoken; ratio = MB/s / fastest of js-tiktoken and tiktoken)\n");
process.stdout.write(table(["encoding", "implementation", "MB/s", "correct", "ratio"], rows) + "\n");

// BPE training: streaming pre-token count, then the merge loop.
const vocab = Number(values.vocab);
const countStart = performance.now();
const counter = new PretokenCounter();
for (const doc of docs) counter.add(doc);
const countSeconds = (performance.now() - countStart) / 1000;
const mergeStart = performance.now();
const trained = trainBpe(counter.counts, { vocabSize: vocab });
const mergeSeconds = (performance.now() - mergeStart) / 1000;
const rss = process.memoryUsage().rss / 2 ** 20;
const ours = measure((t) => trained.tokenizer.encode(t));
const cl100k = await loadPretrained("cl100k_base");
const cl100kSpeed = measure((t) => cl100k.encode(t)).mbps;
const roundTrips = docs.every((d, i) => trained.tokenizer.decode(ours.ids[i]!) === d);
process.stdout.write(`BPE training (vocab ${vocab}, ${trained.merges} merges, ${counter.counts.size} distinct pre-tokens, RSS ${rss.toFixed(0)} MiB)\n`);
process.stdout.write(table(["step", "seconds", "MB/s"], [
  ["count pre-tokens (streaming)", countSeconds.toFixed(2), (megabytes / countSeconds).toFixed(2)],
  ["merge loop", mergeSeconds.toFixed(2), "-"],
  ["total", (countSeconds + mergeSeconds).toFixed(2), (megabytes / (countSeconds + mergeSeconds)).toFixed(2)],
]) + "\n");
const tokens = ours.ids.reduce((n, ids) => n + ids.length, 0);
process.stdout.write(`Trained BPE encode: ${ours.mbps.toFixed(2)} MB/s (${(megabytes * 1e6 / tokens).toFixed(2)} bytes/token, round-trip ${roundTrips ? "exact" : "BROKEN"}); ` +
  `kiln cl100k_base in the same run: ${cl100kSpeed.toFixed(2)} MB/s, ratio ${(ours.mbps / cl100kSpeed).toFixed(2)}\n`);
