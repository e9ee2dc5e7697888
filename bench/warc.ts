/**
 * WARC reader throughput, per core: the `warc` reader (gzip members, record parsing, HTTP
 * parsing, charset detection and decoding: every document it returns) over the sample crawl's
 * WARC.gz files, against a bare loop over the same files in the same process: gunzip and split the
 * stream at `WARC/1.0` lines, decoding each record as UTF-8. MB/s of decompressed WARC, one
 * thread, median of --runs.
 *
 *   npm run bench -- warc [--pages 4000] [--runs 5]
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { gunzipSync } from "node:zlib";
import { generateSample } from "../datasets/sample/index.js";
import type { TaskContext } from "../pipeline/doc.js";
import { getSpec } from "../pipeline/registry.js";
import "../stages/readers/index.js";
import { formatTable, median } from "./_report.js";

const { values } = parseArgs({ options: { pages: { type: "string", default: "4000" }, runs: { type: "string", default: "5" } } });
const work = await mkdtemp(path.join(os.tmpdir(), "kiln-bench-warc-"));
const sample = await generateSample({ outDir: work, pages: Number(values.pages), files: 4, seed: 5 });
const files = sample.warcFiles;
const decompressed = (await Promise.all(files.map(async (f) => gunzipSync(await readFile(f)).length))).reduce((a, b) => a + b, 0);

const ctx: TaskContext = { rank: 0, world: 1, step: "bench", stepDataDir: () => work, skip() {}, drop() {}, log() {} };
const reader = getSpec("reader", "warc");
const params = reader.params.parse({});

async function kiln(): Promise<number> {
  let docs = 0;
  for (const file of files) for await (const doc of reader.create(params).read(file, ctx)) docs += doc.text.length > 0 ? 1 : 0;
  return docs;
}

async function bare(): Promise<number> {
  const decoder = new TextDecoder("utf-8");
  let records = 0;
  for (const file of files) {
    const bytes = gunzipSync(await readFile(file));
    let at = 0;
    for (;;) {
      const next = bytes.indexOf("\r\nWARC/1.0\r\n", at);
      const end = next < 0 ? bytes.length : next + 2;
      records += decoder.decode(bytes.subarray(at, end)).length > 0 ? 1 : 0;
      if (next < 0) break;
      at = end;
    }
  }
  return records;
}

const rates: Record<string, number[]> = { kiln: [], bare: [] };
const counts: Record<string, number> = {};
for (let r = 0; r < Number(values.runs); r++) {
  for (const [name, run] of [["bare", bare], ["kiln", kiln]] as const) {
    const started = performance.now();
    counts[name] = await run();
    rates[name]!.push(decompressed / 1e6 / ((performance.now() - started) / 1000));
  }
}
await rm(work, { recursive: true, force: true });

const bareRate = median(rates.bare!);
const kilnRate = median(rates.kiln!);
console.log(`${sample.pages} sample pages, ${files.length} WARC.gz files, ${(decompressed / 1e6).toFixed(1)} MB decompressed; one thread, median of ${values.runs}\n`);
console.log(formatTable([
  ["reader", "records or documents", "MB/s decompressed", "ratio"],
  ["bare gunzip + split + UTF-8 decode (baseline)", String(counts.bare), bareRate.toFixed(1), "1.00"],
  ["kiln warc reader (documents)", String(counts.kiln), kilnRate.toFixed(1), (kilnRate / bareRate).toFixed(2)],
]));
