/**
 * WARC reader accounting under damage: every record of real WARC files is mutated in turn (bit
 * flips, lying or missing lengths, gzip damage, bombs, huge headers and pages, hostile markup,
 * joined files, ...), the file is read through the registered `warc` reader, and every record is
 * checked to be either returned or counted with a reason.
 *
 *   npm run bench -- fuzz ../shared/bench/warc [--seed 1] [--heavy 3]
 *
 * A record counts as returned when a document with its pristine id and text comes out; the
 * mutated record may also come out changed. Records the mutation did not touch must come out
 * exactly as in the clean file ("undamaged lost" must be 0), and the mutated record, if it was a
 * document or a counted skip in the clean file, must come out or raise the skip count ("damaged
 * unaccounted" must be 0). The baseline row is the clean files read the same way.
 * `--heavy` bounds how many records per file get the costly mutations (50 MB pages, bombs).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { gunzipSync, gzipSync } from "node:zlib";
import type { Doc, TaskContext } from "../pipeline/doc.js";
import { getSpec } from "../pipeline/registry.js";
import "../stages/readers/index.js";
import { isWarcProblem, readWarcRecords } from "../stages/readers/warc.js";
import { formatTable } from "./_report.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { seed: { type: "string", default: "1" }, heavy: { type: "string", default: "3" } },
});
const root = path.resolve(positionals[0] ?? "../shared/bench/warc");
const heavyPerFile = Number(values.heavy);
let state = Number(values.seed) >>> 0 || 1;
/** xorshift32: the same mutations for the same seed. */
const random = () => {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 2 ** 32;
};
const pick = (n: number) => Math.floor(random() * n);

// --- Real records ------------------------------------------------------------------------------

interface Source {
  name: string;
  /** Each record's bytes, from its version line to the next record's. */
  records: Buffer[];
}

function warcFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((f) => path.join(dir, f))
    .filter((f) => /\.warc(\.gz)?$/.test(f) && statSync(f).isFile())
    .sort();
}

async function splitRecords(file: string): Promise<Source> {
  const raw = readFileSync(file);
  const bytes = file.endsWith(".gz") ? gunzipSync(raw) : raw;
  const offsets: number[] = [];
  for await (const item of readWarcRecords((async function* () { yield bytes; })())) {
    if (isWarcProblem(item)) throw new Error(`${file}: the clean file has a problem: ${item.detail}`);
    offsets.push(item.offset);
  }
  offsets.push(bytes.length);
  const records = offsets.slice(0, -1).map((start, i) => bytes.subarray(start, offsets[i + 1]));
  return { name: path.relative(root, file), records };
}

// --- Mutations ---------------------------------------------------------------------------------

/** A damaged file: its records (some changed) and how they are joined. */
interface Damaged {
  records: Buffer[];
  /** Bytes to put between record `at` and the next, in the compressed file (per-record gzip). */
  between?: { at: number; bytes: Buffer };
  /** Change the gzip member of record `at` (after compression). */
  member?: (member: Buffer) => Buffer;
  /** Write one gzip member for the whole file instead of one per record. */
  wholeFile?: boolean;
  /** Write the file uncompressed. */
  plain?: boolean;
}

type Mutation = (records: Buffer[], k: number) => Damaged;
const CRLF = "\r\n";

/** Where the blank line after a header starts (CRLF or LF line ends), from `from`; the length if none. */
function blankLine(bytes: Buffer, from = 0): number {
  const crlf = bytes.indexOf("\r\n\r\n", from);
  const lf = bytes.indexOf("\n\n", from);
  const found = [crlf, lf].filter((at) => at >= 0);
  return found.length > 0 ? Math.min(...found) : bytes.length;
}

/** The end of the WARC header and of the HTTP header in a record. */
function parts(record: Buffer) {
  const warcEnd = blankLine(record);
  return { warcEnd, httpEnd: blankLine(record, warcEnd + 4) };
}

const replaced = (records: Buffer[], k: number, record: Buffer): Buffer[] => records.map((r, i) => (i === k ? record : r));

function flipIn(record: Buffer, from: number, to: number, flips = 1): Buffer {
  const copy = Buffer.from(record);
  if (to <= from) return copy;
  for (let i = 0; i < flips; i++) {
    const at = from + pick(to - from);
    copy[at] = copy[at]! ^ (1 << pick(8));
  }
  return copy;
}

/** Rewrites a WARC header field (or removes it when `value` is null). */
function withField(record: Buffer, name: string, value: string | null): Buffer {
  const { warcEnd } = parts(record);
  const head = record.subarray(0, warcEnd).toString("latin1");
  const pattern = new RegExp(`\\r\\n${name}:[^\\r]*`, "i");
  const next = value === null ? head.replace(pattern, "") : pattern.test(head) ? head.replace(pattern, `${CRLF}${name}: ${value}`) : `${head}${CRLF}${name}: ${value}`;
  return Buffer.concat([Buffer.from(next, "latin1"), record.subarray(warcEnd)]);
}

/** The record with a new HTTP message (status line, headers, body), its Content-Length fixed. */
function withHttp(record: Buffer, headers: string[], body: Buffer, statusLine = "HTTP/1.1 200 OK"): Buffer {
  const block = Buffer.concat([Buffer.from([statusLine, ...headers].join(CRLF) + CRLF + CRLF, "latin1"), body]);
  const head = withField(record.subarray(0, parts(record).warcEnd), "Content-Length", String(block.length));
  return Buffer.concat([head, Buffer.from(CRLF + CRLF), block, Buffer.from(CRLF + CRLF)]);
}

const contentLength = (record: Buffer) => Number(/\r\nContent-Length:\s*(\d+)/i.exec(record.subarray(0, parts(record).warcEnd).toString("latin1"))?.[1] ?? 0);
const html = (body: string) => Buffer.from(`<!doctype html><html><head><title>t</title></head><body>${body}</body></html>`);

const MUTATIONS: Record<string, { heavy?: boolean; mutate: Mutation }> = {
  "flip: WARC header": { mutate: (r, k) => ({ records: replaced(r, k, flipIn(r[k]!, 0, parts(r[k]!).warcEnd, 2)) }) },
  "flip: HTTP header": { mutate: (r, k) => ({ records: replaced(r, k, flipIn(r[k]!, parts(r[k]!).warcEnd + 4, parts(r[k]!).httpEnd, 2)) }) },
  "flip: body": { mutate: (r, k) => ({ records: replaced(r, k, flipIn(r[k]!, parts(r[k]!).httpEnd, r[k]!.length - 4, 8)) }) },
  "length: too small": { mutate: (r, k) => ({ records: replaced(r, k, withField(r[k]!, "Content-Length", String(Math.floor(contentLength(r[k]!) / 2)))) }) },
  "length: too large": { mutate: (r, k) => ({ records: replaced(r, k, withField(r[k]!, "Content-Length", String(contentLength(r[k]!) + 1 + pick(5000)))) }) },
  // Too large by exactly the next record: the block ends where that record's block does, so that a record end and then a record follow it.
  "length: over the next record": { mutate: (r, k) => ({ records: replaced(r, k, withField(r[k]!, "Content-Length", String(contentLength(r[k]!) + (r[k + 1]?.length ?? 1)))) }) },
  "length: not a number": { mutate: (r, k) => ({ records: replaced(r, k, withField(r[k]!, "Content-Length", "12x4")) }) },
  "length: missing": { mutate: (r, k) => ({ records: replaced(r, k, withField(r[k]!, "Content-Length", null)) }) },
  "length: huge": { mutate: (r, k) => ({ records: replaced(r, k, withField(r[k]!, "Content-Length", "99999999999999")) }) },
  "type: missing": { mutate: (r, k) => ({ records: replaced(r, k, withField(r[k]!, "WARC-Type", null)) }) },
  "type: unknown": { mutate: (r, k) => ({ records: replaced(r, k, withField(r[k]!, "WARC-Type", "rfsponse")) }) },
  "version line damaged": { mutate: (r, k) => ({ records: replaced(r, k, Buffer.concat([Buffer.from("WARX"), r[k]!.subarray(4)])) }) },
  "record cut short": { mutate: (r, k) => ({ records: replaced(r, k, r[k]!.subarray(0, Math.max(1, pick(r[k]!.length)))) }) },
  "line ends LF only": { mutate: (r, k) => ({ records: replaced(r, k, Buffer.from(r[k]!.subarray(0, parts(r[k]!).warcEnd + 4).toString("latin1").replace(/\r\n/g, "\n") + r[k]!.subarray(parts(r[k]!).warcEnd + 4).toString("latin1"), "latin1")) }) },
  "10 MB header line": { heavy: true, mutate: (r, k) => ({ records: replaced(r, k, withField(r[k]!, "X-Huge", "a".repeat(10_000_000))) }) },
  "50 MB page": { heavy: true, mutate: (r, k) => ({ records: replaced(r, k, withHttp(r[k]!, ["Content-Type: text/html"], html("<p>x</p>".repeat(6_500_000)))) }) },
  "gzip bomb body": { heavy: true, mutate: (r, k) => ({ records: replaced(r, k, withHttp(r[k]!, ["Content-Type: text/html", "Content-Encoding: gzip"], gzipSync(Buffer.alloc(200_000_000, 0x20)))) }) },
  "million-deep nesting": { heavy: true, mutate: (r, k) => ({ records: replaced(r, k, withHttp(r[k]!, ["Content-Type: text/html"], html("<div>".repeat(1_000_000)))) }) },
  "regex-hostile text": { heavy: true, mutate: (r, k) => ({ records: replaced(r, k, withHttp(r[k]!, ["Content-Type: text/html"], html(`<p>${" \t".repeat(500_000)}a${"=".repeat(500_000)}</p>`))) }) },
  "broken chunking": { mutate: (r, k) => ({ records: replaced(r, k, withHttp(r[k]!, ["Content-Type: text/html", "Transfer-Encoding: chunked"], Buffer.from("zz\r\n<html>\r\n"))) }) },
  "bad status line": { mutate: (r, k) => ({ records: replaced(r, k, withHttp(r[k]!, ["Content-Type: text/html"], html("ok"), "HTTX 2oo")) }) },
  "NUL bytes in body": { mutate: (r, k) => ({ records: replaced(r, k, withHttp(r[k]!, ["Content-Type: text/html"], Buffer.concat([html("a"), Buffer.alloc(4096)]))) }) },
  "lying Content-Encoding": { mutate: (r, k) => ({ records: replaced(r, k, withHttp(r[k]!, ["Content-Type: text/html", "Content-Encoding: gzip"], html("plain"))) }) },
  "duplicated record": { mutate: (r, k) => ({ records: [...r.slice(0, k + 1), r[k]!, ...r.slice(k + 1)] }) },
  "garbage between records": { mutate: (r, k) => ({ records: r, plain: true, between: { at: k, bytes: Buffer.from("garbage\r\nWARC/0.9\r\n" + "x".repeat(pick(300))) } }) },
  "garbage between members": { mutate: (r, k) => ({ records: r, between: { at: k, bytes: Buffer.from("X".repeat(1 + pick(600))) } }) },
  "zeros between members": { mutate: (r, k) => ({ records: r, between: { at: k, bytes: Buffer.alloc(512) } }) },
  "member: flipped bytes": { mutate: (r) => ({ records: r, member: (m) => flipIn(m, 10, m.length - 8, 4) }) },
  "member: CRC damaged": { mutate: (r) => ({ records: r, member: (m) => flipIn(m, m.length - 8, m.length - 4, 1) }) },
  "member: cut short": { mutate: (r) => ({ records: r, member: (m) => m.subarray(0, 1 + pick(m.length - 1)) }) },
  "whole-file gzip, cut": { mutate: (r, k) => ({ records: r.slice(0, k + 1).map((x, i) => (i === k ? x.subarray(0, 1 + pick(x.length - 1)) : x)), wholeFile: true }) },
};

/** The file bytes of a damaged record list. */
function build(damaged: Damaged, k: number): Buffer {
  if (damaged.plain || damaged.wholeFile) {
    const pieces: Buffer[] = [];
    damaged.records.forEach((record, i) => {
      pieces.push(record);
      if (damaged.between?.at === i) pieces.push(damaged.between.bytes);
    });
    const joined = Buffer.concat(pieces);
    return damaged.wholeFile ? gzipSync(joined) : joined;
  }
  const pieces: Buffer[] = [];
  damaged.records.forEach((record, i) => {
    const member = gzipSync(record);
    pieces.push(i === k && damaged.member ? damaged.member(member) : member);
    if (damaged.between?.at === i) pieces.push(damaged.between.bytes);
  });
  return Buffer.concat(pieces);
}

// --- Reading and accounting --------------------------------------------------------------------

const work = mkdtempSync(path.join(os.tmpdir(), "kiln-fuzz-"));
const reader = getSpec("reader", "warc");
const params = reader.params.parse({});

interface Outcome {
  docs: Doc[];
  skipped: number;
  reasons: Record<string, number>;
}

async function readFile(bytes: Buffer, gz: boolean): Promise<Outcome> {
  const file = path.join(work, gz ? "f.warc.gz" : "f.warc");
  writeFileSync(file, bytes);
  const outcome: Outcome = { docs: [], skipped: 0, reasons: {} };
  const ctx: TaskContext = {
    rank: 0,
    world: 1,
    step: "fuzz",
    stepDataDir: () => work,
    skip(_stage, reason, n = 1) {
      outcome.skipped += n;
      outcome.reasons[reason] = (outcome.reasons[reason] ?? 0) + n;
    },
    drop() {},
    log() {},
  };
  for await (const doc of reader.create(params).read(file, ctx)) outcome.docs.push(doc);
  return outcome;
}

/** What each record alone becomes in the clean file: its document, a skip, or nothing. */
async function cleanOutcomes(records: Buffer[]): Promise<Array<{ doc?: Doc; skipped: number }>> {
  const out = [];
  for (const record of records) {
    const { docs, skipped } = await readFile(gzipSync(record), true);
    out.push({ doc: docs[0], skipped });
  }
  return out;
}

interface Row {
  runs: number;
  damaged: number;
  returned: number;
  counted: number;
  unaccounted: number;
  undamagedLost: number;
  maxMs: number;
}
const newRow = (): Row => ({ runs: 0, damaged: 0, returned: 0, counted: 0, unaccounted: 0, undamagedLost: 0, maxMs: 0 });
const rows = new Map<string, Row>();
const failures: string[] = [];
const key = (doc: Doc) => `${doc.id}\u0000${doc.text}`;

const sources = await Promise.all(warcFiles(root).map(splitRecords));
const baseline = newRow();
for (const source of sources) {
  const clean = await cleanOutcomes(source.records);
  const whole = await readFile(build({ records: source.records }, -1), true);
  baseline.runs++;
  const expected = clean.filter((c) => c.doc).length;
  baseline.returned += whole.docs.length;
  baseline.counted += whole.skipped;
  if (whole.docs.length !== expected) failures.push(`${source.name}: clean file gave ${whole.docs.length} documents, its records alone ${expected}`);

  let heavyLeft = heavyPerFile;
  for (let k = 0; k < source.records.length; k++) {
    const isResponse = clean[k]!.doc !== undefined || clean[k]!.skipped > 0;
    const heavy = isResponse && heavyLeft-- > 0;
    for (const [name, mutation] of Object.entries(MUTATIONS)) {
      if (mutation.heavy && !heavy) continue;
      const damaged = mutation.mutate(source.records, k);
      const gz = !damaged.plain;
      const started = performance.now();
      const result = await readFile(build(damaged, k), gz);
      const ms = performance.now() - started;
      const row = rows.get(name) ?? newRow();
      rows.set(name, row);
      row.runs++;
      row.maxMs = Math.max(row.maxMs, ms);

      // A whole-file cut removes the records after k from the file: they are no longer input.
      const present = (i: number) => !(damaged.wholeFile === true && i > k);
      const out = new Map<string, number>();
      for (const doc of result.docs) out.set(key(doc), (out.get(key(doc)) ?? 0) + 1);
      let otherDocs = 0;
      let otherSkips = 0;
      for (let i = 0; i < source.records.length; i++) {
        if (i === k || !present(i)) continue;
        otherSkips += clean[i]!.skipped;
        const doc = clean[i]!.doc;
        if (!doc) continue;
        otherDocs++;
        const left = out.get(key(doc)) ?? 0;
        if (left > 0) out.set(key(doc), left - 1);
        else {
          row.undamagedLost++;
          failures.push(`${source.name} record ${k} "${name}": untouched record ${i} (${doc.id}) lost`);
        }
      }
      const extraDocs = result.docs.length - otherDocs;
      const extraSkips = result.skipped - otherSkips;
      const wanted = clean[k]!.doc || clean[k]!.skipped > 0 ? 1 : 0;
      row.damaged += wanted;
      const returned = Math.min(wanted, Math.max(0, extraDocs));
      const counted = Math.min(wanted - returned, Math.max(0, extraSkips));
      row.returned += returned;
      row.counted += counted;
      const missing = wanted - returned - counted;
      if (missing > 0) {
        row.unaccounted += missing;
        failures.push(`${source.name} record ${k} "${name}": ${missing} damaged record(s) neither returned nor counted (skips ${JSON.stringify(result.reasons)})`);
      }
    }
  }
}
rmSync(work, { recursive: true, force: true });

const table = [["mutation", "runs", "damaged", "returned", "counted", "unaccounted", "undamaged lost", "max ms"]];
const line = (name: string, r: Row) => [name, String(r.runs), String(r.damaged), String(r.returned), String(r.counted), String(r.unaccounted), String(r.undamagedLost), r.maxMs.toFixed(0)];
table.push(line("baseline: clean files", baseline));
const total = newRow();
for (const [name, r] of rows) {
  table.push(line(name, r));
  for (const k of ["runs", "damaged", "returned", "counted", "unaccounted", "undamagedLost"] as const) total[k] += r[k];
  total.maxMs = Math.max(total.maxMs, r.maxMs);
}
table.push(line(`all ${rows.size} mutations`, total));
console.log(`${sources.length} files, ${sources.reduce((n, s) => n + s.records.length, 0)} records, from ${root}\n`);
console.log(formatTable(table));
if (failures.length > 0) {
  console.log(`\n${failures.length} failures:`);
  for (const failure of failures.slice(0, 40)) console.log(`  ${failure}`);
  process.exitCode = 1;
}
