import { Readable, addAbortSignal, pipeline, type Transform, type Writable } from "node:stream";
import { text } from "node:stream/consumers";
import { KilnError, errorMessage } from "../errors.js";
import { compressionOf, decompressor } from "./compression.js";
import { gunzipMembers, type GzipDamage } from "./gzip.js";
import { isHttpUrl, openHttp } from "./http.js";
import { listLocal, openLocal, openLocalWriteAtomic, readLocal, type AtomicWrite } from "./local.js";
import { isS3Url, listS3, openS3, openS3WriteAtomic } from "./s3.js";

export interface ReadOptions {
  /** Undo the compression the extension names (default true). */
  decompress?: boolean;
  signal?: AbortSignal;
  /**
   * Hears of each damaged region of a `.gz` file (a corrupt member, bytes that are not gzip data),
   * and reading goes on after it; and of damage in a `.zst` file (corrupt or cut short), after
   * which the file ends. Without it, damage is a read_error naming the file.
   */
  onDamage?: (damage: InputDamage) => void;
}

/** Damage in a compressed input: where it starts in the compressed bytes, why, and in which format. */
export interface InputDamage extends GzipDamage {
  format: "gzip" | "zstd";
}

export type { GzipDamage } from "./gzip.js";

export interface WriteOptions {
  /** Compression level for `.gz` (default 6) or `.zst` (default 3). */
  level?: number;
}

/**
 * Every file the patterns name: local paths and globs, `s3://bucket/prefix/**` globs, and
 * http(s) URLs as they are. Sorted in plain string order and de-duplicated, because tasks
 * take `files[rank::world]` and every task must see the same list.
 * A pattern that matches nothing is an error: a typo should not make an empty run.
 */
export async function listFiles(patterns: string | string[]): Promise<string[]> {
  const all = typeof patterns === "string" ? [patterns] : patterns;
  const found = new Set<string>();
  for (const pattern of all) {
    const matches = await listPattern(pattern);
    if (matches.length === 0) throw new KilnError("no_input", `no files match ${pattern}`);
    for (const match of matches) found.add(match);
  }
  return [...found].sort();
}

/**
 * The files a command-line flag names as comma-separated paths or globs (`--docs a.jsonl,b/*.gz`);
 * an absent value names none, a value that names nothing is an error naming the flag.
 */
export async function listFlagFiles(flag: string, value: string | undefined): Promise<string[]> {
  if (!value) return [];
  const found = await listFiles(value.split(",").map((s) => s.trim()).filter(Boolean));
  if (found.length === 0) throw new KilnError("no_input", `--${flag} ${value}: no such file`);
  return found;
}

function listPattern(pattern: string): Promise<string[]> {
  if (isHttpUrl(pattern)) return Promise.resolve([pattern]);
  if (isS3Url(pattern)) return listS3(pattern);
  return listLocal(pattern);
}

/** The bytes at `path` (local, http(s) or s3), streamed and decompressed by its extension. */
export async function openRead(path: string, options: ReadOptions = {}): Promise<Readable> {
  const kind = options.decompress === false ? "none" : compressionOf(path);
  const stream = kind === "none" ? await openRaw(path, options.signal) : Readable.from(await readChunks(path, options), { objectMode: false });
  return options.signal ? addAbortSignal(options.signal, stream) : stream;
}

/**
 * `openRead`'s bytes as the chunks they are decoded in, for a reader that only iterates them: a
 * compressed file's chunks skip the stream's buffering (a gzip member per WARC record adds up).
 */
export async function readChunks(path: string, options: ReadOptions = {}): Promise<AsyncIterable<Uint8Array>> {
  const remote = isHttpUrl(path) || isS3Url(path);
  const raw = remote ? await openRaw(path, options.signal) : await readLocal(path);
  const kind = options.decompress === false ? "none" : compressionOf(path);
  const onDamage = options.onDamage;
  if (kind === "gzip") {
    const heard = onDamage
      ? (damage: GzipDamage) => onDamage({ ...damage, format: "gzip" })
      : (damage: GzipDamage) => {
          throw new KilnError("read_error", `${path}: at offset ${damage.offset}: ${damage.detail}`);
        };
    return describedErrors(path, gunzipMembers(raw, heard));
  }
  if (kind === "zstd") {
    const decoder = decompressor(kind, onDamage && ((damage) => onDamage({ ...damage, format: "zstd" })))!;
    return decoded(path, raw instanceof Readable ? raw : Readable.from(raw, { objectMode: false }), decoder);
  }
  return raw;
}

function openRaw(path: string, signal?: AbortSignal): Promise<Readable> {
  if (isHttpUrl(path)) return Promise.resolve(openHttp(path, signal));
  if (isS3Url(path)) return Promise.resolve(openS3(path, signal));
  return openLocal(path);
}

/** `raw` through `decoder`; a corrupt or truncated file surfaces as a KilnError naming it. */
function decoded(path: string, raw: Readable, decoder: Transform): AsyncIterable<Uint8Array> {
  // pipeline destroys the source when the decoder stops early or fails.
  pipeline(raw, decoder, () => undefined);
  return describedErrors(path, decoder);
}

/** The chunks of `source`; its failures (and its source's) become KilnErrors naming `path`. */
async function* describedErrors(path: string, source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const chunks: AsyncIterator<Uint8Array> = source[Symbol.asyncIterator]();
  try {
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await chunks.next();
      } catch (error) {
        // Only the decoder's (and source's) failures are described; the yield is outside this catch.
        throw error instanceof KilnError ? error : new KilnError("read_error", `${path}: ${errorMessage(error)}`);
      }
      if (next.done) return;
      yield next.value;
    }
  } finally {
    // Stops the decoder, hence the source, when the consumer stops early.
    await chunks.return?.();
  }
}

/**
 * An atomic writer (see AtomicWrite): nothing appears under `path` until commit(). A local path is
 * written under a temporary name and renamed; an s3:// key is uploaded (one PutObject up to 8 MiB,
 * else a multipart upload) and published by the last request. http(s) URLs are read-only.
 */
export function openWriteAtomic(path: string, options: WriteOptions = {}): AtomicWrite {
  if (isHttpUrl(path)) {
    throw new KilnError("unsupported", `${path}: http(s):// URLs are read-only; write to a local path or to s3://`);
  }
  if (isS3Url(path)) return openS3WriteAtomic(path, options);
  return openLocalWriteAtomic(path, options);
}

/** `data` written atomically to a local path or an s3:// key. */
/**
 * Opens an atomic write, lets `fill` write into its stream, and commits; if `fill` or the commit
 * fails, the write is aborted (the target is never touched) and the error rethrown.
 */
export async function writeAtomically(path: string, fill: (stream: Writable) => Promise<void>, options: WriteOptions = {}): Promise<void> {
  const writer = openWriteAtomic(path, options);
  try {
    await fill(writer.stream);
    await writer.commit();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await writeAtomically(path, (stream) => new Promise<void>((resolve, reject) => stream.write(data, (error?: Error | null) => (error ? reject(error) : resolve()))));
}

/** The whole file as UTF-8 text, decompressed by its extension. */
export async function readText(path: string, options: ReadOptions = {}): Promise<string> {
  return text(await openRead(path, options));
}
