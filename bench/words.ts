/**
 * English word splitting (datatrove's word tokenizer: spaCy's English rules) on real text:
 * agreement with the same rules run in Python's own regex engine, speed against the simple
 * splitter in the same process, and how many Gopher and FineWeb decisions the choice changes.
 *
 *   npm run bench -- words <texts> [<texts> ...] [--runs 5] [--python python3]
 *
 * A <texts> file is JSON lines with a `text` field, or the extraction benchmark's
 * ground-truth.json (its `articleBody` texts). The reference is bench/english_words.py, reading
 * the same vendored rules.json; skipped when Python cannot be run.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { gopherQualityDecide, gopherQualitySignals, gopherQualityParams } from "../stages/filters/gopher-quality.js";
import { gopherRepetitionDecide, gopherRepetitionParams, gopherRepetitionSignals } from "../stages/filters/gopher-repetition.js";
import { finewebQualityDecide, finewebQualityParams, finewebQualitySignals } from "../stages/filters/fineweb-quality.js";
import { splitWords } from "../stages/filters/text.js";
import { formatTable, median } from "./_report.js";

const { values, positionals } = parseArgs({ allowPositionals: true, options: { runs: { type: "string", default: "5" }, python: { type: "string", default: "python3" } } });
if (positionals.length === 0) {
  process.stderr.write("usage: npm run bench -- words <texts.jsonl|ground-truth.json> [...] [--runs 5] [--python python3]\n");
  process.exit(2);
}
const runs = Math.max(1, Number(values.runs));

function readTexts(file: string): string[] {
  const raw = readFileSync(file, "utf8");
  if (file.endsWith(".json")) return Object.values(JSON.parse(raw) as Record<string, { articleBody: string }>).map((v) => v.articleBody);
  return raw
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => (JSON.parse(line) as { text: string }).text);
}

function pythonWords(texts: string[]): string[][] | undefined {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "english_words.py");
  const run = spawnSync(values.python!, [script], { input: texts.map((text) => JSON.stringify({ text })).join("\n") + "\n", maxBuffer: 1 << 30, encoding: "utf8" });
  if (run.status !== 0) return undefined;
  return run.stdout
    .trim()
    .split("\n")
    .map((line) => (JSON.parse(line) as { words: string[] }).words);
}

function megabytesPerSecond(texts: string[], bytes: number, split: (text: string) => unknown): number {
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = process.cpuUsage();
    for (const text of texts) split(text);
    const used = process.cpuUsage(start);
    times.push((used.user + used.system) / 1e6);
  }
  return bytes / 1e6 / median(times);
}

const rows = [["texts", "docs", "same as Python re", "tokens (english/simple)", "english MB/CPU-s", "simple MB/CPU-s", "ratio", "Gopher quality changed", "Gopher rep. changed", "FineWeb changed"]];
const gq = gopherQualityParams.parse({});
const gr = gopherRepetitionParams.parse({});
const fw = finewebQualityParams.parse({});
for (const file of positionals) {
  const texts = readTexts(file);
  const bytes = texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0);
  const reference = pythonWords(texts);
  let same = 0;
  let englishTokens = 0;
  let simpleTokens = 0;
  const changed = { quality: 0, repetition: 0, fineweb: 0 };
  const verdict = (v: true | string) => (v === true ? "keep" : v);
  for (const [i, text] of texts.entries()) {
    const words = splitWords(text, "english").words;
    if (reference && JSON.stringify(words) === JSON.stringify(reference[i])) same++;
    englishTokens += words.length;
    simpleTokens += splitWords(text, "simple").words.length;
    if (verdict(gopherQualityDecide(gopherQualitySignals(text, gq.stopWords, "english"), gq)) !== verdict(gopherQualityDecide(gopherQualitySignals(text, gq.stopWords, "simple"), gq))) changed.quality++;
    if (verdict(gopherRepetitionDecide(gopherRepetitionSignals(text, "english"), gr)) !== verdict(gopherRepetitionDecide(gopherRepetitionSignals(text, "simple"), gr))) changed.repetition++;
    if (verdict(finewebQualityDecide(finewebQualitySignals(text, { ...fw, words: "english" }), fw)) !== verdict(finewebQualityDecide(finewebQualitySignals(text, { ...fw, words: "simple" }), fw))) changed.fineweb++;
  }
  // Each text once more with a trailing space, so the splitters' one-text memos never answer.
  const english = megabytesPerSecond(texts, bytes, (text) => splitWords(text + " ", "english"));
  const simple = megabytesPerSecond(texts, bytes, (text) => splitWords(text + " ", "simple"));
  rows.push([
    path.basename(file),
    String(texts.length),
    reference ? `${same}/${texts.length}` : "(no Python)",
    `${englishTokens}/${simpleTokens}`,
    english.toFixed(1),
    simple.toFixed(1),
    (english / simple).toFixed(2),
    String(changed.quality),
    String(changed.repetition),
    String(changed.fineweb),
  ]);
}
process.stdout.write(formatTable(rows) + "\n");
process.stdout.write(`median of ${runs} runs; "changed" = documents whose decision (keep or the rule that fired) differs between words: english and words: simple\n`);
