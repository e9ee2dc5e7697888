/**
 * Main-content extraction: Kiln's `extract` against @mozilla/readability 0.6 on linkedom, in the
 * same process, over the article-extraction-benchmark pages (181 real pages with ground truth).
 * Pages are `html/<id>.html.gz` (or `.html`), decoded from their own charset as Kiln's readers
 * decode a crawled page. Both are scored with the benchmark's metric (4-token shingles of Unicode
 * \w+ tokens, see ../shared/bench/README.md) and timed single-threaded, median of several passes.
 *
 *   npm run bench -- extract ../shared/bench/extraction [--runs 3] [--no-crosscheck]
 *   npm run bench -- extract <WCXB checkout>/dev --runs 1 --no-crosscheck
 *   npm run bench -- extract <fundus checkout>/tests/resources/parser/test_data --runs 3 --no-crosscheck
 *
 * The last is fundus' parser test pages: 258 news pages of 40 countries (99 in German), each with
 * the article its publisher's hand-written parser extracts (see _extract-pass.ts).
 *
 * Where the ground truth also lists snippets the main text must and must not hold (WCXB, see
 * _extract-pass.ts), a second table scores them (scoreSnippets).
 *
 * Unless --no-crosscheck, the predictions are also scored by the benchmark's own
 * score_extraction.py (when python3 is available) to check this file's metric.
 *
 * Each extractor runs in a worker thread of its own (see _extract-pass.ts), one untimed pass
 * first (JIT warm-up), then timed passes taking turns with the other's. Speed is given per
 * wall-clock second and per second of the process's CPU time over the pass: on a shared, loaded
 * machine the wall-clock ratio swings by ±15% between runs, the CPU-time one much less.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type { Worker } from "node:worker_threads";
import { startWorker } from "../core/worker.js";
import { EXTRACTORS, loadPages, type ExtractorName, type Page } from "./_extract-pass.js";
import { formatTable, median } from "./_report.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { runs: { type: "string", default: "3" }, "no-crosscheck": { type: "boolean", default: false } },
});
const dir = path.resolve(positionals[0] ?? "../shared/bench/extraction");

// --- The benchmark's metric ----------------------------------------------------------------
// Python's re `\w` with UNICODE: letters, numbers, underscore (marks are not word characters).
const tokenize = (text: string): string[] => text.match(/[\p{L}\p{N}_]+/gu) ?? [];

function shingles(tokens: string[], n = 4): Map<string, number> {
  const counts = new Map<string, number>();
  if (tokens.length === 0) return counts;
  for (let i = 0; i < Math.max(tokens.length - n + 1, 1); i++) {
    const key = tokens.slice(i, i + n).join("\u0001");
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

export interface Score {
  f1: number;
  precision: number;
  recall: number;
  accuracy: number;
}

export function scoreExtraction(pages: Page[], predictions: Map<string, string>): Score {
  const precisions: number[] = [];
  const recalls: number[] = [];
  let exact = 0;
  for (const page of pages) {
    const truthTokens = tokenize(page.truth);
    const predictedTokens = tokenize(predictions.get(page.id) ?? "");
    const truth = shingles(truthTokens);
    const predicted = shingles(predictedTokens);
    let tp = 0;
    let predictedTotal = 0;
    let truthTotal = 0;
    for (const [key, count] of predicted) {
      predictedTotal += count;
      tp += Math.min(count, truth.get(key) ?? 0);
    }
    for (const count of truth.values()) truthTotal += count;
    let fp = predictedTotal - tp;
    let fn = truthTotal - tp;
    const total = tp + fp + fn;
    if (total > 0) [tp, fp, fn] = [tp / total, fp / total, fn / total];
    if (tp + fp > 0) precisions.push(tp / (tp + fp));
    if (tp + fn > 0) recalls.push(tp / (tp + fn));
    if (truthTokens.length === predictedTokens.length && truthTokens.every((t, i) => t === predictedTokens[i])) exact++;
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const precision = mean(precisions);
  const recall = mean(recalls);
  return { precision, recall, f1: (2 * precision * recall) / (precision + recall), accuracy: exact / pages.length };
}

/**
 * Snippets found, pooled over the pages as trafilatura's evaluation counts them: a "with" snippet
 * in the text is a true positive, one missing a false negative, a "without" snippet in the text a
 * false positive. A snippet matches as a substring, both sides lower-cased, whitespace collapsed,
 * and curly quotes, apostrophes and the ellipsis written plainly (WCXB's snippets use straight
 * quotes where its pages have curly ones).
 */
export function scoreSnippets(pages: Page[], predictions: Map<string, string>): { precision: number; recall: number; f1: number } {
  const plain = (text: string) =>
    text.toLowerCase().replace(/[‘’ʼ]/g, "'").replace(/[“”„]/g, '"').replace(/…/g, "...").replace(/[\u00ad\u200b]/g, "").replace(/\s+/g, " ").trim();
  let tp = 0, fn = 0, fp = 0;
  for (const page of pages) {
    const text = plain(predictions.get(page.id) ?? "");
    for (const snippet of page.with) if (text.includes(plain(snippet))) tp++; else fn++;
    for (const snippet of page.without) if (text.includes(plain(snippet))) fp++;
  }
  const precision = tp / (tp + fp || 1);
  const recall = tp / (tp + fn || 1);
  return { precision, recall, f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0 };
}

function crossCheck(pages: Page[], name: string, predictions: Map<string, string>): string {
  const script = path.join(dir, "score_extraction.py");
  const tmp = mkdtempSync(path.join(os.tmpdir(), "kiln-bench-extract-"));
  try {
    const file = path.join(tmp, "predictions.json");
    writeFileSync(file, JSON.stringify(Object.fromEntries(pages.map((p) => [p.id, { articleBody: predictions.get(p.id) ?? "" }]))));
    const out = execFileSync("python3", [script, path.join(dir, "ground-truth.json"), file], { encoding: "utf8" });
    return `${name}: score_extraction.py says ${out.trim()}`;
  } catch (error) {
    return `${name}: cross-check skipped (${(error as Error).message.split("\n")[0]})`;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}


/** The extractor's worker, once it has loaded the pages and run its warm-up pass. */
async function startExtractor(name: ExtractorName): Promise<Worker> {
  const worker = startWorker(import.meta.url, "_extract-pass", { dir, extractor: name });
  await reply(worker);
  return worker;
}

/** The worker's next message, or its error. */
function reply<T>(worker: Worker): Promise<T> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      worker.off("message", onMessage);
      reject(error);
    };
    const onMessage = (message: T) => {
      worker.off("error", onError);
      resolve(message);
    };
    worker.once("message", onMessage);
    worker.once("error", onError);
  });
}

async function timedPass(worker: Worker): Promise<{ seconds: number; cpuSeconds: number; predictions: Map<string, string> }> {
  const next = reply<{ seconds: number; cpuSeconds: number; predictions: Array<[string, string]> }>(worker);
  worker.postMessage("pass");
  const { seconds, cpuSeconds, predictions } = await next;
  return { seconds, cpuSeconds, predictions: new Map(predictions) };
}

async function main(): Promise<void> {
  const pages = loadPages(dir);
  const megabytes = pages.reduce((a, p) => a + Buffer.byteLength(p.html), 0) / 1e6;
  const runs = Number(values.runs);
  const extractors = await Promise.all((Object.keys(EXTRACTORS) as ExtractorName[]).map(async (name) => ({ name, worker: await startExtractor(name) })));
  const seconds = extractors.map(() => [] as number[]);
  const cpuSeconds = extractors.map(() => [] as number[]);
  const predictions = extractors.map(() => new Map<string, string>());
  // Interleaved passes, so drift in machine load hits both extractors alike.
  for (let r = 0; r < runs; r++) {
    for (const [i, extractor] of extractors.entries()) {
      const pass = await timedPass(extractor.worker);
      seconds[i]!.push(pass.seconds);
      cpuSeconds[i]!.push(pass.cpuSeconds);
      predictions[i] = pass.predictions;
      process.stderr.write(`pass ${r + 1}/${runs} ${extractor.name}: ${pass.seconds.toFixed(2)} s (${pass.cpuSeconds.toFixed(2)} s of CPU)\n`);
    }
  }
  await Promise.all(extractors.map((extractor) => extractor.worker.terminate()));
  const basePagesPerSecond = pages.length / median(seconds[0]!);
  const basePagesPerCpuSecond = pages.length / median(cpuSeconds[0]!);
  const header = ["extractor", "F1", "precision", "recall", "accuracy", "pages/s", "MB/s", "vs baseline", "pages/CPU-s", "vs baseline (CPU)"];
  const rows = extractors.map((extractor, i) => {
    const score = scoreExtraction(pages, predictions[i]!);
    const pagesPerSecond = pages.length / median(seconds[i]!);
    const pagesPerCpuSecond = pages.length / median(cpuSeconds[i]!);
    return [
      extractor.name, score.f1.toFixed(4), score.precision.toFixed(4), score.recall.toFixed(4), score.accuracy.toFixed(4),
      pagesPerSecond.toFixed(1), (megabytes / median(seconds[i]!)).toFixed(1), `${(pagesPerSecond / basePagesPerSecond).toFixed(2)}x`,
      pagesPerCpuSecond.toFixed(1), `${(pagesPerCpuSecond / basePagesPerCpuSecond).toFixed(2)}x`,
    ];
  });
  console.log(`\nextraction benchmark: ${pages.length} pages, ${megabytes.toFixed(1)} MB of HTML, single thread, median of ${runs} pass(es)`);
  console.log(formatTable([header, ...rows]));
  const withSnippets = pages.reduce((n, page) => n + page.with.length, 0);
  if (withSnippets > 0) {
    const withoutSnippets = pages.reduce((n, page) => n + page.without.length, 0);
    console.log(`\nsnippets: ${withSnippets} that the main text must hold, ${withoutSnippets} of boilerplate it must not (see scoreSnippets)`);
    const snippetRows = extractors.map((extractor, i) => {
      const score = scoreSnippets(pages, predictions[i]!);
      return [extractor.name, score.f1.toFixed(4), score.precision.toFixed(4), score.recall.toFixed(4)];
    });
    console.log(formatTable([["extractor", "F1", "precision", "recall"], ...snippetRows]));
  }
  const charsets = new Map<string, number>();
  for (const page of pages) charsets.set(page.charset, (charsets.get(page.charset) ?? 0) + 1);
  console.log(`pages by charset (decoded as Kiln's readers decode a crawled page): ${[...charsets].sort((a, b) => b[1] - a[1]).map(([charset, n]) => `${charset} ${n}`).join(", ")}`);
  console.log("targets: kiln F1 >= 0.97 and >= 10x the baseline's pages/s");
  if (!values["no-crosscheck"]) for (const [i, extractor] of extractors.entries()) console.log(crossCheck(pages, extractor.name, predictions[i]!));
}

await main();
