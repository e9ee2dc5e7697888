/**
 * One extractor of `npm run bench -- extract`, in a worker thread of its own: the bench's
 * extractors share htmlparser2, and in one V8 isolate the baseline's DOM building (linkedom's
 * parser callbacks) would retrain the shared tokenizer's inline caches and slow Kiln's pass by
 * 10-40%, which no Kiln worker sees. A worker has its own isolate, so each extractor is timed as
 * it runs alone, while both stay in the bench's process and take turns.
 *
 * workerData: { dir, extractor }. After one untimed warm-up pass, each message runs a timed pass
 * and answers { seconds, cpuSeconds, predictions: [id, text][] }: wall time, and the process's CPU
 * time over the pass (the other extractor's worker is idle meanwhile, so it is this one's, with
 * the collector's helper threads, the optimizing compiler's too). Each timed pass starts on a
 * collected heap (see collect): in a worker, linkedom's documents outlive an ordinary major
 * collection and the baseline's heap grew by ~250 MB a pass (passes of 3.4, 4.7, 4.5, 10.3,
 * 29.5 s); only a memory-reducing one frees them.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { parentPort, workerData } from "node:worker_threads";
import { gunzipSync } from "node:zlib";
import { decodeHtml } from "../stages/readers/decode.js";
import { collectGarbage } from "./_report.js";

export interface Page {
  id: string;
  html: string;
  truth: string;
  /** Passages the main text must hold, and boilerplate it must not (empty where the set has none). */
  with: string[];
  without: string[];
  /** The charset the page was decoded from (see decodePage). */
  charset: string;
}

interface Truth {
  articleBody: string;
  with: string[];
  without: string[];
}

/**
 * The ground truth under `dir`: `ground-truth.json` (`{id: {articleBody, with?, without?}}`, the
 * article-extraction-benchmark's layout), or a `ground-truth/` folder of `<id>.json` files
 * (`{ground_truth: {main_content, with, without}}`, the layout of WCXB, a 2025 benchmark of
 * 2,008 pages with "must find" and "must not find" snippets).
 */
function loadTruth(dir: string): Record<string, Truth> {
  const file = path.join(dir, "ground-truth.json");
  if (existsSync(file)) {
    const entries = JSON.parse(readFileSync(file, "utf8")) as Record<string, { articleBody?: string; with?: string[]; without?: string[] }>;
    return Object.fromEntries(Object.entries(entries).map(([id, t]) => [id, { articleBody: t.articleBody ?? "", with: t.with ?? [], without: t.without ?? [] }]));
  }
  const folder = path.join(dir, "ground-truth");
  return Object.fromEntries(
    readdirSync(folder)
      .filter((f) => f.endsWith(".json"))
      .map((f) => {
        const t = (JSON.parse(readFileSync(path.join(folder, f), "utf8")) as { ground_truth?: { main_content?: string; with?: string[]; without?: string[] } }).ground_truth ?? {};
        return [f.slice(0, -".json".length), { articleBody: t.main_content ?? "", with: t.with ?? [], without: t.without ?? [] }];
      }),
  );
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

const PAGE_FILE = /\.html(?:\.gz)?$/;

/**
 * A page's bytes as Kiln's readers decode a crawled page (stages/readers/decode.ts: byte order
 * mark, `<meta>` charset, valid UTF-8, then detection), so that a page saved in windows-1252 or
 * GBK keeps its umlauts and characters; bytes that decode in nothing are read as UTF-8 with
 * replacement characters, as before.
 */
function decodePage(bytes: Uint8Array): { html: string; charset: string } {
  const decoded = decodeHtml(bytes);
  if ("problem" in decoded) return { html: new TextDecoder("utf-8").decode(bytes), charset: "undecodable" };
  return { html: decoded.text, charset: decoded.charset };
}

/** A version of a publisher's parsed article in fundus' test data: its body's summary, and sections of headlines and paragraphs. */
interface FundusVersion {
  body?: { summary?: string[]; sections?: Array<{ headline?: string[]; paragraphs?: string[] }> };
}

/** The article text of a fundus version: summary, then each section's headline and paragraphs, a blank line between. */
function fundusParagraphs(version: FundusVersion): string[] {
  const body = version.body ?? {};
  return [...(body.summary ?? []), ...(body.sections ?? []).flatMap((section) => [...(section.headline ?? []), ...(section.paragraphs ?? [])])];
}

/** Letters and digits of a text, lower case, runs of anything else as one space (to find a paragraph in a page's markup). */
const looseText = (text: string) => text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();

/**
 * The pages of fundus' parser tests (flairNLP/fundus, MIT: `tests/resources/parser/test_data`):
 * `<country>/<Publisher>_<date>.html.gz` beside `<country>/<Publisher>.json`, whose versions
 * (`V1`, `V1_1` …) hold the article each parser version extracts, set down by the publisher's
 * own hand-written parser. A page's truth is the version most of whose paragraphs its markup holds
 * (read from the markup, so the choice does not depend on any extractor).
 */
function loadFundusPages(dir: string): Page[] {
  const pages: Page[] = [];
  for (const country of readdirSync(dir).sort()) {
    const folder = path.join(dir, country);
    for (const json of readdirSync(folder).filter((f) => f.endsWith(".json")).sort()) {
      const publisher = json.slice(0, -".json".length);
      const versions = Object.values(JSON.parse(readFileSync(path.join(folder, json), "utf8")) as Record<string, FundusVersion>).map(fundusParagraphs).filter((v) => v.length > 0);
      for (const file of readdirSync(folder).filter((f) => f.startsWith(`${publisher}_`) && PAGE_FILE.test(f)).sort()) {
        const raw = readFileSync(path.join(folder, file));
        const { html, charset } = decodePage(file.endsWith(".gz") ? gunzipSync(raw) : raw);
        const markup = looseText(html.replace(/<[^>]*>/g, " "));
        // Each version scored once: the share of its paragraphs whose opening the markup holds.
        const held = versions.map((version) => version.filter((p) => markup.includes(looseText(p).slice(0, 60))).length / version.length);
        const best = versions[held.indexOf(Math.max(...held))] ?? [];
        pages.push({ id: `${country}/${file.replace(PAGE_FILE, "")}`, html, truth: best.join("\n\n"), with: [], without: [], charset });
      }
    }
  }
  return pages;
}

/**
 * The pages (`html/<id>.html.gz` or `html/<id>.html`) and their ground truth (see loadTruth) under
 * `dir`, or fundus' parser test pages (see loadFundusPages) where `dir` has no `html/` folder.
 */
export function loadPages(dir: string): Page[] {
  if (!existsSync(path.join(dir, "html"))) return loadFundusPages(dir);
  const truth = loadTruth(dir);
  return readdirSync(path.join(dir, "html"))
    .filter((f) => PAGE_FILE.test(f))
    .sort()
    .map((f) => {
      const id = f.replace(PAGE_FILE, "");
      const raw = readFileSync(path.join(dir, "html", f));
      const { html, charset } = decodePage(f.endsWith(".gz") ? gunzipSync(raw) : raw);
      return { id, html, truth: truth[id]?.articleBody ?? "", with: truth[id]?.with ?? [], without: truth[id]?.without ?? [], charset };
    });
}

/**
 * Pages extracted untimed after the collection: a memory-reducing collection also drops compiled
 * code and type feedback, which the first pages after it would pay for (Kiln's pass: 0.29 s
 * settled, 0.37 s unsettled, from TypeScript sources).
 */
const SETTLE_PAGES = 20;

/**
 * How far past the heap that the last memory-reducing collection left an ordinary collection may
 * leave it before a pass. Every extractor's pass starts after an ordinary full collection; one
 * whose heap that does not bring back (the baseline's, ~110-200 MB more after each pass) also
 * gets a memory-reducing one. That one discards all optimized code, which the next pass compiles
 * again, in the process's CPU time: a cost no long extraction run pays, and the larger the
 * faster the extractor's pass is (Kiln's pass over the shared 181 pages: 0.48-0.58 s of CPU
 * after it, 0.34-0.45 s after an ordinary one; medians of 7 passes, three bench runs of each,
 * alternating). Kiln's heap grew by ~2 MB a pass.
 */
const HEAP_GROWTH_LIMIT = 64e6;

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
  let collectedHeap: number | undefined;
  const collect = () => {
    collectGarbage("ordinary");
    if (collectedHeap !== undefined && process.memoryUsage().heapUsed <= collectedHeap + HEAP_GROWTH_LIMIT) return;
    collectGarbage("memory-reducing");
    collectedHeap = process.memoryUsage().heapUsed;
  };
  // The collection ends a pass, so that none of it (concurrent marking, sweeping) runs in the
  // other extractor's pass, which comes next.
  const pass = () => {
    for (const page of pages.slice(0, SETTLE_PAGES)) extractOrEmpty(page.html);
    const predictions: Array<[string, string]> = [];
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    for (const page of pages) predictions.push([page.id, extractOrEmpty(page.html)]);
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStarted);
    collect();
    return { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, predictions };
  };
  collect();
  pass();
  port.on("message", () => port.postMessage(pass()));
  port.postMessage("ready");
}
