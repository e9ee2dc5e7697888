/**
 * `kiln inspect` on a large run: a generated run folder of `--docs` documents (default 1M; gzip
 * JSONL in data/ and excluded/ with Gopher-quality signals in meta, config.json and stats.json as a
 * pipeline writes them), then
 *
 * - the index build (once per run): seconds and the process's peak memory;
 * - time to first page: server start on the existing index, the summary, and the first 25
 *   documents of one drop reason; a page half-way through that reason; a what-if on one threshold;
 * - the baseline, measured in the same run: what a notebook or `inspect_data`-style reader does
 *   without an index to show the same page and its count, streaming and parsing every file.
 *
 *   npm run bench -- inspect [--docs 1000000] [--files 8] [--runs 3]
 */
import { createWriteStream } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createGzip } from "node:zlib";
import { once } from "node:events";
import { RunIndex, startInspectServer } from "../stages/inspect/index.js";
import { fileLines } from "../stages/inspect/run-index.js";
import { formatTable, median } from "./_report.js";

const { values } = parseArgs({ options: { docs: { type: "string", default: "1000000" }, files: { type: "string", default: "8" }, runs: { type: "string", default: "3" } } });
const N = Number(values.docs);
const FILES = Number(values.files);
const RUNS = Number(values.runs);
const log = (line: string) => process.stderr.write(line + "\n");
await import("../stages/index.js");

const WORDS = "the of and to in a is that for it as was with be by on not he this are or his from at which but have an they you were her she there one all we their".split(" ");
const LANGS = ["en", "de", "fr", "es"];
const MIN_WORDS = 50;

/** Writes the run: a quarter of the documents too short for gopher_quality (dropped), the rest kept. */
async function generate(run: string): Promise<{ short: number }> {
  const step = path.join(run, "filter");
  for (const sub of ["data", "excluded"]) await mkdir(path.join(step, sub), { recursive: true });
  let short = 0;
  let seed = 1;
  const next = () => (seed = (seed * 1103515245 + 12345) >>> 0);
  for (let f = 0; f < FILES; f++) {
    const name = `${String(f).padStart(5, "0")}.jsonl.gz`;
    const outs = ["data", "excluded"].map((sub) => {
      const gzip = createGzip({ level: 1 });
      gzip.pipe(createWriteStream(path.join(step, sub, name)));
      return gzip;
    });
    for (let i = f; i < N; i += FILES) {
      const words = 20 + (next() % 100);
      const text = Array.from({ length: words }, (_, k) => WORDS[(i + k * 7) % WORDS.length]).join(" ") + ".";
      const dropped = words < MIN_WORDS;
      const meta: Record<string, unknown> = {
        language: LANGS[i % LANGS.length],
        gopherQuality: { tokens: words + 1, nonSymbolWords: words, meanWordLength: 3.1, hashRatio: 0, ellipsisRatio: 0, bulletLineFrac: 0, ellipsisLineFrac: 0, alphaWordFrac: 1, stopWords: words, noSpaceScriptFrac: 0 },
      };
      if (dropped) {
        meta.excluded = { stage: "gopher_quality", reason: "gopher_quality:short_doc" };
        short++;
      }
      const out = outs[dropped ? 1 : 0]!;
      if (!out.write(JSON.stringify({ id: `doc-${i}`, text, url: `https://example.org/${i}`, meta }) + "\n")) await once(out, "drain");
    }
    for (const out of outs) {
      out.end();
      await once(out, "finish");
    }
  }
  await writeFile(path.join(run, "config.json"), JSON.stringify({ name: "bench", output: run, steps: [{ name: "filter", keepExcluded: true, stages: [{ name: "gopher_quality", params: { minDocWords: MIN_WORDS } }] }] }));
  await writeFile(path.join(step, "stats.json"), JSON.stringify({ step: "filter", stages: [{ name: "gopher_quality", docsIn: N, docsOut: N - short, bytesIn: 0, bytesOut: 0, dropped: { "gopher_quality:short_doc": short }, skipped: {} }] }));
  return { short };
}

const seconds = (start: number) => (performance.now() - start) / 1000;

/** Without an index: stream and parse every excluded file to count the reason and keep its first 25 documents. */
async function baselinePage(run: string): Promise<{ total: number; first: string[] }> {
  let total = 0;
  const first: string[] = [];
  for (let f = 0; f < FILES; f++) {
    const file = path.join(run, "filter", "excluded", `${String(f).padStart(5, "0")}.jsonl.gz`);
    for await (const line of fileLines(file)) {
      if (!line) continue;
      const doc = JSON.parse(line) as { id: string; meta: { excluded?: { reason: string } } };
      if (doc.meta.excluded?.reason !== "gopher_quality:short_doc") continue;
      total++;
      if (first.length < 25) first.push(doc.id);
    }
  }
  return { total, first };
}

const run = await mkdtemp(path.join(tmpdir(), "kiln-bench-inspect-"));
try {
  let start = performance.now();
  const { short } = await generate(run);
  log(`generated ${N.toLocaleString("en")} documents (${short.toLocaleString("en")} dropped) in ${seconds(start).toFixed(1)} s`);
  const rssBefore = process.resourceUsage().maxRSS / 1024;
  start = performance.now();
  const built = await RunIndex.open(run);
  const buildSeconds = seconds(start);
  const rssAfter = process.resourceUsage().maxRSS / 1024;
  await built.close();
  log(`index built in ${buildSeconds.toFixed(1)} s; peak RSS ${rssBefore.toFixed(0)} MiB before, ${rssAfter.toFixed(0)} MiB after`);

  const firstPage: number[] = [];
  const laterPage: number[] = [];
  const whatIfs: number[] = [];
  const baselines: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    start = performance.now();
    const index = await RunIndex.open(run);
    const server = await startInspectServer(index);
    await (await fetch(`${server.url}api/summary`)).json();
    const page = (await (await fetch(`${server.url}api/docs?step=0&dropped=1&reason=gopher_quality:short_doc&limit=25`)).json()) as { total: number; docs: { id: string }[] };
    firstPage.push(seconds(start));
    start = performance.now();
    await (await fetch(`${server.url}api/docs?step=0&dropped=1&reason=gopher_quality:short_doc&limit=25&offset=${Math.floor(page.total / 2)}`)).json();
    laterPage.push(seconds(start));
    start = performance.now();
    const whatIf = (await (await fetch(`${server.url}api/whatif?step=0&stage=gopher_quality&p.minDocWords=${MIN_WORDS - 10}`)).json()) as { passedAfter: { docs: number } };
    whatIfs.push(seconds(start));
    await server.close();
    await index.close();
    start = performance.now();
    const base = await baselinePage(run);
    baselines.push(seconds(start));
    if (base.total !== page.total || base.first.join() !== page.docs.map((d) => d.id).join()) throw new Error(`the baseline and the index disagree: ${base.total} vs ${page.total}`);
    log(`run ${r + 1}: first page ${firstPage.at(-1)!.toFixed(3)} s, baseline ${baselines.at(-1)!.toFixed(1)} s; what-if passes ${whatIf.passedAfter.docs}`);
  }
  const rows = [
    ["measure", "seconds (median)", "note"],
    ["index build (once)", buildSeconds.toFixed(1), `peak RSS ${rssAfter.toFixed(0)} MiB (${rssBefore.toFixed(0)} MiB before)`],
    ["first page: start, summary, 25 docs of a reason", median(firstPage).toFixed(3), "index already built"],
    ["a page half-way through that reason", median(laterPage).toFixed(3), "the reason's list is cached"],
    ["what-if, minDocWords 50 → 40", median(whatIfs).toFixed(3), "decides again only the documents in between"],
    ["baseline: stream + parse every file for that page", median(baselines).toFixed(2), `${(median(baselines) / median(firstPage)).toFixed(0)}× the first page`],
  ];
  process.stdout.write(`\n## kiln inspect on ${N.toLocaleString("en")} documents in ${FILES} files, median of ${RUNS} runs\n\n${formatTable(rows)}\n`);
} finally {
  await rm(run, { recursive: true, force: true });
}
