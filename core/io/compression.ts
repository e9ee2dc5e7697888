import { Transform, type TransformCallback } from "node:stream";
import zlib from "node:zlib";
import { Decompress } from "fzstd";
import type * as ZstdWasmModule from "@bokuweb/zstd-wasm";

export type Compression = "gzip" | "zstd" | "none";

export const DEFAULT_GZIP_LEVEL = 6;
export const DEFAULT_ZSTD_LEVEL = 3;

/** Input bytes per zstd frame in the WASM fallback: bounds the memory one frame needs. */
const ZSTD_FRAME_BYTES = 1 << 20;

const HTTP_URL = /^https?:\/\//i;

/** The compression a path implies by its extension (`.gz`, `.zst`, `.zstd`). */
export function compressionOf(path: string): Compression {
  // An http(s) query string or fragment is not part of the file name; a local file or an S3 key
  // may contain "?" or "#".
  const name = (HTTP_URL.test(path) ? path.replace(/[?#].*$/s, "") : path).toLowerCase();
  if (name.endsWith(".gz")) return "gzip";
  if (name.endsWith(".zst") || name.endsWith(".zstd")) return "zstd";
  return "none";
}

/**
 * A stream that decompresses zstd (concatenated frames too), or null for "none". Gzip is not a
 * stream here: storage reads it member by member (gzip.ts), to survive damage.
 */
export function decompressor(kind: Exclude<Compression, "gzip">, onDamage?: (damage: ZstdDamage) => void): Transform | null {
  switch (kind) {
    case "zstd":
      // Not node's zlib.createZstdDecompress, even where it exists: on Node 22.15 it silently stops
      // after the first frame (nodejs/node#64741) and ends a truncated file without an error.
      return new FzstdDecompressStream(onDamage);
    case "none":
      return null;
  }
}

/** A stream that compresses to `kind` at `level` (gzip 6, zstd 3 by default), or null for "none". */
export function compressor(kind: Compression, level?: number): Transform | null {
  switch (kind) {
    case "gzip":
      return zlib.createGzip({ level: level ?? DEFAULT_GZIP_LEVEL });
    case "zstd":
      return nativeZstdCompressor(level ?? DEFAULT_ZSTD_LEVEL) ?? fallbackZstdCompressor(level);
    case "none":
      return null;
  }
}

// Node >= 22.15 has zstd in zlib; @types/node 20 does not declare it, hence this view.
interface NativeZstd {
  createZstdCompress?: (options: { params: Record<number, number> }) => Transform;
  constants: { ZSTD_c_compressionLevel?: number };
}
const nativeZstd = zlib as unknown as NativeZstd;

function nativeZstdCompressor(level: number): Transform | null {
  const levelParam = nativeZstd.constants.ZSTD_c_compressionLevel;
  if (!nativeZstd.createZstdCompress || levelParam === undefined) return null;
  return nativeZstd.createZstdCompress({ params: { [levelParam]: level } });
}

/** Internal (exported for tests): zstd compression through WASM, one frame per ~1 MiB of input. */
export function fallbackZstdCompressor(level?: number): Transform {
  return new WasmZstdCompressStream(level ?? DEFAULT_ZSTD_LEVEL);
}

/**
 * Where a zstd input stops decoding, and why: the offset in the compressed bytes of the chunk in
 * which the decoder noticed the damage, at or after the damage itself (a block is checked whole).
 */
export interface ZstdDamage {
  offset: number;
  detail: string;
}

/**
 * Streaming zstd decompression in pure JS. Damaged or truncated data is an error, or, given
 * `onDamage`, reported once: what was decoded before it stands, and the rest of the input is
 * read past (a zstd frame has no marker to resume at inside it).
 */
class FzstdDecompressStream extends Transform {
  // fzstd moves on to the next frame by itself, so concatenated frames decode in sequence.
  private readonly decoder = new Decompress((chunk) => {
    if (chunk.length > 0) this.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  });
  /** Compressed bytes before the current chunk. */
  private offset = 0;
  private broken = false;

  constructor(private readonly onDamage?: (damage: ZstdDamage) => void) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const at = this.offset;
    this.offset += chunk.length;
    if (this.broken) return callback();
    const error = this.damaged(at, attempt(() => this.decoder.push(chunk, false)));
    // Damaged: the output ends here, and a reader that stops at its end stops the download too.
    if (this.broken) this.push(null);
    callback(error);
  }

  override _flush(callback: TransformCallback): void {
    callback(this.broken ? null : this.damaged(this.offset, attempt(() => this.decoder.push(new Uint8Array(0), true))));
  }

  /** `error` as the stream's error, or, told to onDamage, as none. */
  private damaged(offset: number, error: Error | null): Error | null {
    if (!error || !this.onDamage) return error;
    this.broken = true;
    this.onDamage({ offset, detail: error.message });
    return null;
  }
}

function attempt(work: () => void): Error | null {
  try {
    work();
    return null;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

type ZstdWasm = typeof ZstdWasmModule;
let zstdWasm: Promise<ZstdWasm> | undefined;

function loadZstdWasm(): Promise<ZstdWasm> {
  // Loaded on first use: WASM instantiation is wasted work for runs that never write zstd.
  zstdWasm ??= import("@bokuweb/zstd-wasm").then(async (module) => {
    await module.init();
    return module;
  });
  return zstdWasm;
}

class WasmZstdCompressStream extends Transform {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private framesWritten = 0;

  constructor(private readonly level: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes < ZSTD_FRAME_BYTES) return callback();
    this.compressPending(false).then(() => callback(), callback);
  }

  override _flush(callback: TransformCallback): void {
    this.compressPending(true).then(() => callback(), callback);
  }

  /** Emits whole frames of ZSTD_FRAME_BYTES; on `final`, also the remainder (or one empty frame). */
  private async compressPending(final: boolean): Promise<void> {
    const { compress } = await loadZstdWasm();
    let input = Buffer.concat(this.pending, this.pendingBytes);
    while (input.length >= ZSTD_FRAME_BYTES || (final && (input.length > 0 || this.framesWritten === 0))) {
      const frameInput = input.subarray(0, ZSTD_FRAME_BYTES);
      this.push(Buffer.from(compress(frameInput, this.level)));
      this.framesWritten += 1;
      input = input.subarray(frameInput.length);
    }
    this.pending = input.length > 0 ? [input] : [];
    this.pendingBytes = input.length;
  }
}
