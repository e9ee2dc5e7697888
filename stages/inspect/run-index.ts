/**
 * The index `kiln inspect` pages through: built once per run, in `<run>/.inspect/`, in one pass
 * over every step's kept (`data/`) and dropped (`excluded/`) documents, with memory bounded by the
 * number of documents (a few bytes each), never by their text.
 *
 *   summary.json     steps in order with their stats, stage parameters, drops by reason and by
 *                    language (documents, bytes, tokens), the signal ranges, the training files
 *   docs.bin         one DOC_BYTES record per document (layout below), in reading order
 *   store.bin        each document's JSON line, deflated on its own, at the offset docs.bin names
 *   signals/<i>.f32  one column per knob signal (KNOB_SIGNALS[i]); NaN where meta lacks it
 *   ids.bin          (id hash hi, id hash lo, document) sorted, for joining two runs
 *
 * The index is written under a temporary name and renamed, and rebuilt when a source file's size
 * or modification time changes. Nothing else in the run folder is written.
 */
import { readSync } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm, stat, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { type Doc, parseDocLine, type StageStats as PipelineStageStats } from "../../pipeline/index.js";
import { KilnError, fileExists, openRead, lines } from "../../core/index.js";
import { signalAt } from "../calibrate.js";
import { hashString64 } from "../dedup/hash.js";
import { KNOB_SIGNALS } from "./knobs.js";

export const INDEX_DIR = ".inspect";
const VERSION = 2;

/**
 * docs.bin, little-endian: u16 step, u16 stage, u16 reason (0xffff for a kept document), u16
 * language, u16 file, u16 flags (bit 0: dropped), u32 line, u32 characters, u32 UTF-8 bytes,
 * u32 tokens (0xffffffff: not counted), u32 stored length, f64 stored offset, u32 MinHash
 * cluster's representative rank + 1 (0: in no cluster), u32 its position.
 */
export const DOC_BYTES = 48;
export const NONE16 = 0xffff;
const NO_TOKENS = 0xffffffff;

export interface DocRecord {
  n: number;
  step: number;
  stage: number;
  reason: number;
  language: number;
  file: number;
  dropped: boolean;
  line: number;
  chars: number;
  bytes: number;
  tokens: number | null;
  storeLength: number;
  storeOffset: number;
  /** meta.minhashCluster ("rank-position" of the representative), or null. */
  cluster: string | null;
}

export function readRecord(buffer: Buffer, offset: number, n: number): DocRecord {
  const tokens = buffer.readUInt32LE(offset + 24);
  return {
    n,
    step: buffer.readUInt16LE(offset),
    stage: buffer.readUInt16LE(offset + 2),
    reason: buffer.readUInt16LE(offset + 4),
    language: buffer.readUInt16LE(offset + 6),
    file: buffer.readUInt16LE(offset + 8),
    dropped: (buffer.readUInt16LE(offset + 10) & 1) === 1,
    line: buffer.readUInt32LE(offset + 12),
    chars: buffer.readUInt32LE(offset + 16),
    bytes: buffer.readUInt32LE(offset + 20),
    tokens: tokens === NO_TOKENS ? null : tokens,
    storeLength: buffer.readUInt32LE(offset + 28),
    storeOffset: buffer.readDoubleLE(offset + 32),
    cluster: buffer.readUInt32LE(offset + 40) === 0 ? null : `${buffer.readUInt32LE(offset + 40) - 1}-${buffer.readUInt32LE(offset + 44)}`,
  };
}

/** Documents, bytes and tokens (null when no tokenizer counted them). */
export interface Tally {
  docs: number;
  bytes: number;
  tokens: number | null;
}

/** A stage's line of the step's stats.json, without its timing. */
export type StageStats = Omit<PipelineStageStats, "wallMs">;

export interface StepSummary {
  name: string;
  /** The step's merged stats.json, when it has one. */
  stages: StageStats[];
  /** Each stage's resolved parameters, from the run's config.json. */
  params: { name: string; params: Record<string, unknown> }[];
  /** The step it reads from and its writer, from config.json (for following dedup steps back to their signatures). */
  from: string | null;
  writer: { name: string; params: Record<string, unknown> } | null;
  kept: Tally;
  /** stage → reason → what it dropped (the documents in excluded/). */
  dropped: Record<string, Record<string, Tally>>;
  /** language → documents kept and dropped. */
  languages: Record<string, { kept: number; dropped: number }>;
  /** Whether the step kept its dropped documents (excluded/ holds them). */
  keepsExcluded: boolean;
  /** Documents that carry a MinHash cluster. */
  clustered: number;
  /** Lines of the step's JSONL that are not documents (damaged output): counted, not listed. */
  unreadable: number;
}

export interface IndexSummary {
  version: number;
  docs: number;
  steps: StepSummary[];
  stages: string[];
  reasons: string[];
  languages: string[];
  /** Source files, relative to the run, with what the index saw of them. */
  files: { path: string; size: number; mtimeMs: number }[];
  signals: string[];
  /** Per signal: the smallest and largest value seen (null when none). */
  signalRanges: ({ min: number; max: number } | null)[];
  tokens: boolean;
  /** Training outputs found in the run, relative paths. */
  training: { metrics: string[]; classifiers: string[]; manifests: string[] };
}

export interface IndexOptions {
  /** Counts a document's tokens (the run's tokenizer); without it the index has no token counts. */
  countTokens?: (text: string) => number;
  /** Rebuild even when the index is up to date. */
  rebuild?: boolean;
}

const JSONL = /\.jsonl(\.gz|\.zst)?$/;

/** Steps in the order the run's config lists them (config.json), else the folders with stats.json in name order. */
interface RunStep {
  name: string;
  keepExcluded: boolean;
  stages: { name: string; params: Record<string, unknown> }[];
  from: string | null;
  writer: { name: string; params: Record<string, unknown> } | null;
}

async function runSteps(run: string): Promise<RunStep[]> {
  const configPath = path.join(run, "config.json");
  if (await fileExists(configPath)) {
    type Named = { name: string; params?: Record<string, unknown> };
    const config = JSON.parse(await readFile(configPath, "utf8")) as { steps?: { name: string; keepExcluded?: boolean; from?: string; stages?: Named[]; writer?: Named }[] };
    if (Array.isArray(config.steps)) {
      return config.steps.map((s) => ({
        name: s.name,
        keepExcluded: s.keepExcluded === true,
        stages: (s.stages ?? []).map((st) => ({ name: st.name, params: st.params ?? {} })),
        from: s.from ?? null,
        writer: s.writer ? { name: s.writer.name, params: s.writer.params ?? {} } : null,
      }));
    }
  }
  const entries = await readdir(run, { withFileTypes: true });
  const steps = [];
  for (const e of entries.filter((d) => d.isDirectory() && !d.name.startsWith(".")).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (await fileExists(path.join(run, e.name, "stats.json"))) steps.push({ name: e.name, keepExcluded: await fileExists(path.join(run, e.name, "excluded")), stages: [], from: null, writer: null });
  }
  return steps;
}

async function jsonlFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((f) => JSONL.test(f)).sort().map((f) => path.join(dir, f));
  } catch {
    return [];
  }
}

/** Training outputs under the run (three levels down): metrics.jsonl, classifier model.json, shard manifest.json. */
async function findTraining(run: string): Promise<IndexSummary["training"]> {
  const found: IndexSummary["training"] = { metrics: [], classifiers: [], manifests: [] };
  const walk = async (dir: string, depth: number) => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(dir, e.name);
      const rel = path.relative(run, full);
      if (e.isDirectory() && depth < 3 && !e.name.startsWith(".") && e.name !== "data" && e.name !== "excluded" && e.name !== "checkpoint") await walk(full, depth + 1);
      else if (e.name === "metrics.jsonl") found.metrics.push(rel);
      else if (e.name === "model.json" && (await readFile(full, "utf8").catch(() => "")).includes('"kiln-quality-classifier"')) found.classifiers.push(rel);
      else if (e.name === "manifest.json" && (await readFile(full, "utf8").catch(() => "")).includes('"kiln-token-shards"')) found.manifests.push(rel);
    }
  };
  await walk(run, 0);
  return found;
}

/** A JSONL file's lines, decompressed by its extension. */
export async function* fileLines(file: string): AsyncGenerator<string> {
  const stream = await openRead(file);
  stream.setEncoding("utf8");
  yield* lines(stream as AsyncIterable<string>, { file });
}

class Interner {
  readonly names: string[] = [];
  private readonly ids = new Map<string, number>();
  id(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      if (id >= NONE16) throw new KilnError("bad_input", `more than ${NONE16 - 1} distinct values of one field`);
      this.ids.set(name, id);
      this.names.push(name);
    }
    return id;
  }
}

const addTally = (t: Tally, bytes: number, tokens: number | null) => {
  t.docs++;
  t.bytes += bytes;
  t.tokens = t.tokens === null || tokens === null ? null : t.tokens + tokens;
};

/**
 * Writes to one file through a fixed 1 MiB block: data is copied in and the block written when
 * full, so the small buffers made per document die young instead of piling up until a flush.
 */
class BufferedFile {
  private readonly block = Buffer.allocUnsafe(1 << 20);
  private used = 0;
  offset = 0;
  private constructor(private readonly handle: FileHandle) {}
  static async open(file: string): Promise<BufferedFile> {
    return new BufferedFile(await open(file, "w"));
  }
  async write(data: Uint8Array): Promise<void> {
    if (this.used + data.length > this.block.length) await this.flush();
    if (data.length > this.block.length) await this.handle.write(data);
    else {
      this.block.set(data, this.used);
      this.used += data.length;
    }
    this.offset += data.length;
  }
  async flush(): Promise<void> {
    if (this.used === 0) return;
    await this.handle.write(this.block, 0, this.used);
    this.used = 0;
  }
  async close(): Promise<void> {
    await this.flush();
    await this.handle.close();
  }
}

/** A column of f32 values, written in blocks. */
class ColumnFile {
  private readonly block = new Float32Array(1 << 16);
  private used = 0;
  private constructor(private readonly file: BufferedFile) {}
  static async open(file: string): Promise<ColumnFile> {
    return new ColumnFile(await BufferedFile.open(file));
  }
  async push(v: number): Promise<void> {
    this.block[this.used++] = v;
    if (this.used === this.block.length) await this.flush();
  }
  private async flush(): Promise<void> {
    await this.file.write(new Uint8Array(this.block.buffer, 0, this.used * 4));
    this.used = 0;
  }
  async close(): Promise<void> {
    await this.flush();
    await this.file.close();
  }
}

/** Source files of the run the index covers, with their sizes and modification times. */
async function sourceFiles(run: string, steps: { name: string }[]): Promise<IndexSummary["files"]> {
  const files: IndexSummary["files"] = [];
  for (const step of steps) {
    for (const sub of ["data", "excluded"]) {
      for (const file of await jsonlFiles(path.join(run, step.name, sub))) {
        const s = await stat(file);
        files.push({ path: path.relative(run, file), size: s.size, mtimeMs: s.mtimeMs });
      }
    }
  }
  return files;
}

/** The summary of an up-to-date index, or undefined when there is none or a source changed. */
async function currentIndex(run: string): Promise<IndexSummary | undefined> {
  const summaryPath = path.join(run, INDEX_DIR, "summary.json");
  if (!(await fileExists(summaryPath))) return undefined;
  const summary = JSON.parse(await readFile(summaryPath, "utf8")) as IndexSummary;
  if (summary.version !== VERSION) return undefined;
  const now = await sourceFiles(run, summary.steps);
  const same = now.length === summary.files.length && now.every((f, i) => f.path === summary.files[i]!.path && f.size === summary.files[i]!.size && f.mtimeMs === summary.files[i]!.mtimeMs);
  return same ? summary : undefined;
}

/** Builds the index of `run` (or finds it up to date) and returns its summary. */
export async function buildIndex(run: string, options: IndexOptions = {}): Promise<IndexSummary> {
  if (!(await stat(run).catch(() => undefined))?.isDirectory()) throw new KilnError("not_found", `${run}: no such run folder`);
  if (!options.rebuild) {
    const existing = await currentIndex(run);
    if (existing) return existing;
  }
  const steps = await runSteps(run);
  if (steps.length === 0) throw new KilnError("bad_input", `${run}: not a run folder (no config.json and no step with stats.json)`);
  const files = await sourceFiles(run, steps);
  const tmp = path.join(run, `${INDEX_DIR}.tmp-${process.pid}`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(path.join(tmp, "signals"), { recursive: true });
  const docsFile = await BufferedFile.open(path.join(tmp, "docs.bin"));
  const storeFile = await BufferedFile.open(path.join(tmp, "store.bin"));
  const signalFiles = await Promise.all(KNOB_SIGNALS.map((_, i) => ColumnFile.open(path.join(tmp, "signals", `${i}.f32`))));
  const stages = new Interner();
  const reasons = new Interner();
  const languages = new Interner();
  const ranges: IndexSummary["signalRanges"] = KNOB_SIGNALS.map(() => null);
  // (hash hi, hash lo, doc) triples; 12 bytes a document.
  let ids = new Uint32Array(3 * 1024);
  let docs = 0;
  const summaries: StepSummary[] = [];
  const fileNumber = new Map(files.map((f, i) => [f.path, i]));
  const tokensOf = options.countTokens;
  const record = Buffer.alloc(DOC_BYTES);
  for (const [stepNumber, step] of steps.entries()) {
    const statsPath = path.join(run, step.name, "stats.json");
    const stats = (await fileExists(statsPath)) ? ((JSON.parse(await readFile(statsPath, "utf8")) as { stages?: StageStats[] }).stages ?? []) : [];
    const summary: StepSummary = {
      name: step.name,
      stages: stats.map(({ name, docsIn, docsOut, bytesIn, bytesOut, dropped, skipped }) => ({ name, docsIn, docsOut, bytesIn, bytesOut, dropped: dropped ?? {}, skipped: skipped ?? {} })),
      params: step.stages,
      from: step.from,
      writer: step.writer,
      kept: { docs: 0, bytes: 0, tokens: tokensOf ? 0 : null },
      dropped: {},
      languages: {},
      keepsExcluded: step.keepExcluded,
      clustered: 0,
      unreadable: 0,
    };
    summaries.push(summary);
    for (const dropped of [false, true]) {
      for (const file of await jsonlFiles(path.join(run, step.name, dropped ? "excluded" : "data"))) {
        const rel = path.relative(run, file);
        let line = 0;
        for await (const text of fileLines(file)) {
          line++;
          if (text.trim() === "") continue;
          const doc = parseDocLine(text, `${rel}:${line}`);
          if (typeof doc === "string") {
            summary.unreadable++;
            continue;
          }
          const excluded = (doc.meta.excluded ?? {}) as { stage?: string; reason?: string };
          const stage = dropped ? stages.id(excluded.stage ?? "unknown") : NONE16;
          const reason = dropped ? reasons.id(excluded.reason ?? "unknown") : NONE16;
          const language = languages.id(typeof doc.meta.language === "string" ? doc.meta.language : "und");
          const bytes = Buffer.byteLength(doc.text);
          const tokens = tokensOf ? tokensOf(doc.text) : null;
          const stored = deflateRawSync(text);
          record.fill(0);
          record.writeUInt16LE(stepNumber, 0);
          record.writeUInt16LE(stage, 2);
          record.writeUInt16LE(reason, 4);
          record.writeUInt16LE(language, 6);
          record.writeUInt16LE(fileNumber.get(rel)!, 8);
          record.writeUInt16LE(dropped ? 1 : 0, 10);
          record.writeUInt32LE(line, 12);
          record.writeUInt32LE(Math.min(doc.text.length, NO_TOKENS - 1), 16);
          record.writeUInt32LE(Math.min(bytes, NO_TOKENS - 1), 20);
          record.writeUInt32LE(tokens === null ? NO_TOKENS : Math.min(tokens, NO_TOKENS - 1), 24);
          record.writeUInt32LE(stored.length, 28);
          record.writeDoubleLE(storeFile.offset, 32);
          const cluster = /^(\d+)-(\d+)$/.exec(typeof doc.meta.minhashCluster === "string" ? doc.meta.minhashCluster : "");
          if (cluster) {
            summary.clustered++;
            record.writeUInt32LE(Number(cluster[1]) + 1, 40);
            record.writeUInt32LE(Number(cluster[2]), 44);
          }
          await docsFile.write(record);
          await storeFile.write(stored);
          for (const [i, signal] of KNOB_SIGNALS.entries()) {
            const v = signalAt(doc.meta, signal);
            await signalFiles[i]!.push(v ?? Number.NaN);
            if (v !== undefined) {
              const r = ranges[i];
              ranges[i] = r ? { min: Math.min(r.min, v), max: Math.max(r.max, v) } : { min: v, max: v };
            }
          }
          if (3 * docs + 3 > ids.length) {
            const grown = new Uint32Array(ids.length * 2);
            grown.set(ids);
            ids = grown;
          }
          const [hi, lo] = hashString64(doc.id);
          ids[3 * docs] = hi >>> 0;
          ids[3 * docs + 1] = lo >>> 0;
          ids[3 * docs + 2] = docs;
          docs++;
          tally(summary, doc, dropped, excluded, bytes, tokens);
        }
      }
    }
  }
  await docsFile.close();
  await storeFile.close();
  await Promise.all(signalFiles.map((f) => f.close()));
  await writeSortedIds(path.join(tmp, "ids.bin"), ids.subarray(0, 3 * docs));
  const summary: IndexSummary = {
    version: VERSION,
    docs,
    steps: summaries,
    stages: stages.names,
    reasons: reasons.names,
    languages: languages.names,
    files,
    signals: [...KNOB_SIGNALS],
    signalRanges: ranges,
    tokens: tokensOf !== undefined,
    training: await findTraining(run),
  };
  const handle = await open(path.join(tmp, "summary.json"), "w");
  await handle.writeFile(JSON.stringify(summary));
  await handle.close();
  const final = path.join(run, INDEX_DIR);
  await rm(final, { recursive: true, force: true });
  await rename(tmp, final);
  return summary;
}

function tally(summary: StepSummary, doc: Doc, dropped: boolean, excluded: { stage?: string; reason?: string }, bytes: number, tokens: number | null): void {
  const language = typeof doc.meta.language === "string" ? doc.meta.language : "und";
  const byLanguage = (summary.languages[language] ??= { kept: 0, dropped: 0 });
  if (!dropped) {
    addTally(summary.kept, bytes, tokens);
    byLanguage.kept++;
    return;
  }
  byLanguage.dropped++;
  const byStage = (summary.dropped[excluded.stage ?? "unknown"] ??= {});
  addTally((byStage[excluded.reason ?? "unknown"] ??= { docs: 0, bytes: 0, tokens: tokens === null ? null : 0 }), bytes, tokens);
}

/** The (hi, lo, doc) triples sorted by hash, then document. */
async function writeSortedIds(file: string, triples: Uint32Array): Promise<void> {
  const n = triples.length / 3;
  const order = new Uint32Array(n).map((_, i) => i);
  order.sort((a, b) => triples[3 * a]! - triples[3 * b]! || triples[3 * a + 1]! - triples[3 * b + 1]! || triples[3 * a + 2]! - triples[3 * b + 2]!);
  const out = new Uint32Array(3 * n);
  order.forEach((i, k) => out.set(triples.subarray(3 * i, 3 * i + 3), 3 * k));
  const handle = await open(file, "w");
  await handle.writeFile(Buffer.from(out.buffer, out.byteOffset, out.byteLength));
  await handle.close();
}

/** An index opened for reading: records by number, scans, stored documents, signal columns. */
export class RunIndex {
  private constructor(
    readonly run: string,
    readonly summary: IndexSummary,
    private readonly docs: FileHandle,
    private readonly store: FileHandle,
  ) {}

  static async open(run: string, options: IndexOptions = {}): Promise<RunIndex> {
    const summary = await buildIndex(run, options);
    const dir = path.join(run, INDEX_DIR);
    return new RunIndex(run, summary, await open(path.join(dir, "docs.bin"), "r"), await open(path.join(dir, "store.bin"), "r"));
  }

  async close(): Promise<void> {
    await this.docs.close();
    await this.store.close();
  }

  // Single records and documents are read with positioned synchronous reads: a what-if reads
  // thousands of small ones, where a promise per read costs more than the read.
  async record(n: number): Promise<DocRecord> {
    if (!Number.isInteger(n) || n < 0 || n >= this.summary.docs) throw new KilnError("not_found", `document ${n}: the index has ${this.summary.docs}`);
    const buffer = Buffer.alloc(DOC_BYTES);
    readSync(this.docs.fd, buffer, 0, DOC_BYTES, n * DOC_BYTES);
    return readRecord(buffer, 0, n);
  }

  /** Every record in order, read a block at a time (memory: one block). */
  async *records(): AsyncGenerator<DocRecord> {
    const perBlock = 1 << 14;
    const buffer = Buffer.alloc(perBlock * DOC_BYTES);
    for (let first = 0; first < this.summary.docs; first += perBlock) {
      const count = Math.min(perBlock, this.summary.docs - first);
      await this.docs.read(buffer, 0, count * DOC_BYTES, first * DOC_BYTES);
      for (let i = 0; i < count; i++) yield readRecord(buffer, i * DOC_BYTES, first + i);
    }
  }

  /** The document as the run wrote it. */
  async doc(record: DocRecord): Promise<Doc> {
    const buffer = Buffer.allocUnsafe(record.storeLength);
    readSync(this.store.fd, buffer, 0, record.storeLength, record.storeOffset);
    const parsed = parseDocLine(inflateRawSync(buffer).toString("utf8"), `document ${record.n}`);
    if (typeof parsed === "string") throw new KilnError("bad_input", `document ${record.n}: ${parsed}`);
    return parsed;
  }

  /** One signal's column (NaN where the document has no value). */
  async signal(index: number): Promise<Float32Array> {
    const bytes = await readFile(path.join(this.run, INDEX_DIR, "signals", `${index}.f32`));
    return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  }

  /** (hash hi, hash lo, document) triples sorted by hash. */
  async ids(): Promise<Uint32Array> {
    const bytes = await readFile(path.join(this.run, INDEX_DIR, "ids.bin"));
    return new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  }
}
