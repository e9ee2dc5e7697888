/**
 * One extractor of `npm run bench -- extract`, in a worker thread of its own: the bench's
 * extractors share htmlparser2, and in one V8 isolate the baseline's DOM building (linkedom's
 * parser callbacks) would retrain the shared tokenizer's inline caches and slow Kiln's pass by
 * 10-40%, which no Kiln worker sees. A worker has its own isolate, so each extractor is timed as
 * it runs alone, while both stay in the bench's process and take turns.
 *
 * workerData: { dir, extractor }. After one untimed warm-up pass, each message runs a timed pass
 * and answers { seconds, predictions: [id, text][] }. Each timed pass starts on a collected heap:
 * in a worker, linkedom's documents outlive an ordinary major collection and the baseline's heap
 * grew by ~250 MB a pass (passes of 3.4, 4.7, 4.5, 10.3, 29.5 s); only a memory-reducing one
 * frees them.
 */
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { parentPort, workerData } from "node:worker_threads";
import { gunzipSync } from "node:zlib";
import { collectGarbage } from "./_report.js";

export interface Page {
  id: string;
  html: string;
  truth: string;
}

export const EXTRACTORS = {
  "@mozilla/readability 0.6 + linkedom (baseline)": async () => {
    const { Readability } = await import("@mozilla/readability");
    const { parseHTML } = await import("linkedom");
    return (html: string) => {
      const { document } = parseHTML(html);
      return new Readability(document as never).parse()?.textContent ?? "";
    };
  },
  "kiln extract": async () => {
    const { extractMainText } = await import("../stages/extract/extract.js");
    return (html: string) => {
      const result = extractMainText(html);
      return result.ok ? result.text : "";
    };
  },
} satisfies Record<string, () => Promise<(html: string) => string>>;
export type ExtractorName = keyof typeof EXTRACTORS;

export function loadPages(dir: string): Page[] {
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

/**
 * Pages extracted untimed after the collection: a memory-reducing collection also drops compiled
 * code and type feedback, which the first pages after it would pay for (Kiln's pass: 0.29 s
 * settled, 0.37 s unsettled, from TypeScript sources).
 */
const SETTLE_PAGES = 20;

if (parentPort && workerData?.extractor) {
  const port = parentPort;
  const { dir, extractor } = workerData as { dir: string; extractor: ExtractorName };
  const pages = loadPages(dir);
  const extract = await EXTRACTORS[extractor]();
  /** A page the extractor throws on counts as extracting nothing. */
  const extractOrEmpty = (html: string) => {
    try {
      return extract(html);
    } catch {
      return "";
    }
  };
  const pass = () => {
    collectGarbage();
    for (const page of pages.slice(0, SETTLE_PAGES)) extractOrEmpty(page.html);
    const predictions: Array<[string, string]> = [];
    const started = performance.now();
    for (const page of pages) predictions.push([page.id, extractOrEmpty(page.html)]);
    return { seconds: (performance.now() - started) / 1000, predictions };
  };
  pass();
  port.on("message", () => port.postMessage(pass()));
  port.postMessage("ready");
}
