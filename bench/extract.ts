/**
 * Main-content extraction: Kiln's `extract` against @mozilla/readability 0.6 on linkedom, in the
 * same process, over the article-extraction-benchmark pages (181 real pages with ground truth).
 * Both are scored with the benchmark's metric (4-token shingles of Unicode \w+ tokens, see
 * ../shared/bench/README.md) and timed single-threaded, median of several passes.
 *
 *   npm run bench -- extract ../shared/bench/extraction [--runs 3] [--no-crosscheck]
 *
 * Unless --no-crosscheck, the predictions are also scored by the benchmark's own
 * score_extraction.py (when python3 is available) to check this file's metric.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { gunzipSync } from "node:zlib";
import { Readability } from "@mozilla/readability";
import { parseHTML } from "linkedom";
import { extractMainText } from "../stages/extract/extract.js";
import { formatTable, median } from "./_report.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { runs: { type: "string", default: "3" }, "no-crosscheck": { type: "boolean", default: false } },
});
const dir = path.resolve(positionals[0] ?? "../shared/bench/extraction");

interface Page {
  id: string;
  html: string;
  truth: string;
}

function loadPages(): Page[] {
  const truth = JSON.parse(readFileSync(path.join(dir, "ground-truth.json"), "utf8")) as Record<string, { articleBody: string }>;
  return readdirSync(path.join(dir, "html"))
    .filter((f) => f.endsWith(".html.gz"))
    .sort()
    .map((f) => {
      const id = f.slice(0, -".html.gz".length);
      const html = gunzipSync(readFileSync(path.join(dir, "html", f))).toString("utf8");
      return { id, html, truth: truth[id]?.articleBody ?? "" };
    });
}

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

// --- The extractors --------------------------------------------------------------------------
type Extractor = (html: string) => string;

const kiln: Extractor = (html) => {
  const result = extractMainText(html);
  return result.ok ? result.text : "";
};

const readabilityOnLinkedom: Extractor = (html) => {
  const { document } = parseHTML(html);
  const article = new Readability(document as never).parse();
  return article?.textContent ?? "";
};

function runPass(pages: Page[], extractor: Extractor): { seconds: number; predictions: Map<string, string> } {
  const predictions = new Map<string, string>();
  const started = performance.now();
  for (const page of pages) {
    let text = "";
    try {
      text = extractor(page.html);
    } catch {
      text = "";
    }
    predictions.set(page.id, text);
  }
  return { seconds: (performance.now() - started) / 1000, predictions };
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


function main(): void {
  const pages = loadPages();
  const megabytes = pages.reduce((a, p) => a + Buffer.byteLength(p.html), 0) / 1e6;
  const runs = Number(values.runs);
  const extractors: { name: string; run: Extractor }[] = [
    { name: "@mozilla/readability 0.6 + linkedom (baseline)", run: readabilityOnLinkedom },
    { name: "kiln extract", run: kiln },
  ];
  const seconds = extractors.map(() => [] as number[]);
  const predictions = extractors.map(() => new Map<string, string>());
  // Interleaved passes, so drift in machine load hits both extractors alike.
  for (let r = 0; r < runs; r++) {
    for (const [i, extractor] of extractors.entries()) {
      const pass = runPass(pages, extractor.run);
      seconds[i]!.push(pass.seconds);
      predictions[i] = pass.predictions;
      process.stderr.write(`pass ${r + 1}/${runs} ${extractor.name}: ${pass.seconds.toFixed(2)} s\n`);
    }
  }
  const basePagesPerSecond = pages.length / median(seconds[0]!);
  const header = ["extractor", "F1", "precision", "recall", "accuracy", "pages/s", "MB/s", "vs baseline"];
  const rows = extractors.map((extractor, i) => {
    const score = scoreExtraction(pages, predictions[i]!);
    const pagesPerSecond = pages.length / median(seconds[i]!);
    return [
      extractor.name, score.f1.toFixed(4), score.precision.toFixed(4), score.recall.toFixed(4), score.accuracy.toFixed(4),
      pagesPerSecond.toFixed(1), (megabytes / median(seconds[i]!)).toFixed(1), `${(pagesPerSecond / basePagesPerSecond).toFixed(2)}x`,
    ];
  });
  console.log(`\nextraction benchmark: ${pages.length} pages, ${megabytes.toFixed(1)} MB of HTML, single thread, median of ${runs} pass(es)`);
  console.log(formatTable([header, ...rows]));
  console.log("targets: kiln F1 >= 0.96 and >= 3x the baseline's pages/s");
  if (!values["no-crosscheck"]) for (const [i, extractor] of extractors.entries()) console.log(crossCheck(pages, extractor.name, predictions[i]!));
}

main();
