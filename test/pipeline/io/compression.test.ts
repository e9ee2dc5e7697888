import { gunzipSync, gzipSync } from "node:zlib";
import { decompress as fzstdDecompress } from "fzstd";
import { describe, expect, it } from "vitest";
import {
  type ZstdDamage,
  compressionOf,
  compressor,
  decompressor,
  fallbackZstdCompressor,
} from "../../../core/io/compression.js";
import { sampleBytes, through } from "./helpers.js";

const input = sampleBytes(3 * 1024 * 1024 + 12_345, 7);

function required<T>(value: T | null): T {
  if (value === null) throw new Error("expected a stream");
  return value;
}

/** The default zstd compressor's output decoded by a second, independent decoder. */
async function zstdCompress(data: Uint8Array, level?: number): Promise<Buffer> {
  return through(required(compressor("zstd", level)), data);
}

describe("compressionOf", () => {
  it("reads the extension, ignoring a URL's query string", () => {
    expect(compressionOf("data/a.warc.gz")).toBe("gzip");
    expect(compressionOf("data/A.JSONL.GZ")).toBe("gzip");
    expect(compressionOf("s3://bucket/x.jsonl.zst")).toBe("zstd");
    expect(compressionOf("/tmp/x.zstd")).toBe("zstd");
    expect(compressionOf("https://host/x.jsonl.gz?sig=abc&expires=1")).toBe("gzip");
    expect(compressionOf("https://host/x.zst#part")).toBe("zstd");
    expect(compressionOf("https://host/x.jsonl?name=y.gz")).toBe("none");
    expect(compressionOf("data/x.jsonl")).toBe("none");
    expect(compressionOf("data/gz")).toBe("none");
    expect(compressionOf("s3://bucket/odd?name.gz")).toBe("gzip");
  });

  it("has no stream for uncompressed files", () => {
    expect(decompressor("none")).toBeNull();
    expect(compressor("none")).toBeNull();
  });
});

describe("gzip", () => {
  it("compresses a few MB that zlib's one-shot gunzip restores", async () => {
    const compressed = await through(required(compressor("gzip")), input);
    expect(compressed.length).toBeLessThan(input.length / 2);
    expect(gunzipSync(compressed).equals(input)).toBe(true);
  });

  it("uses the level it is given", async () => {
    const part = input.subarray(0, 512 * 1024);
    const fast = await through(required(compressor("gzip", 1)), part);
    const small = await through(required(compressor("gzip", 9)), part);
    const defaultLevel = await through(required(compressor("gzip")), part);
    expect(fast.length).toBeGreaterThan(small.length);
    expect(defaultLevel.equals(gzipSync(part, { level: 6 }))).toBe(true);
  });
});

describe("zstd", () => {
  it("round-trips a few MB, readable by fzstd's one-shot decoder too", async () => {
    const compressed = await zstdCompress(input);
    expect(compressed.length).toBeLessThan(input.length / 2);
    expect(Buffer.from(fzstdDecompress(compressed)).equals(input)).toBe(true);
    const restored = await through(required(decompressor("zstd")), compressed);
    expect(restored.equals(input)).toBe(true);
  });

  it("reads a file made of several concatenated frames, split at odd chunk boundaries", async () => {
    const first = sampleBytes(200_000, 11);
    const second = sampleBytes(150_000, 12);
    const file = Buffer.concat([await zstdCompress(first), await zstdCompress(second, 9)]);
    const restored = await through(required(decompressor("zstd")), file, 1000);
    expect(restored.equals(Buffer.concat([first, second]))).toBe(true);
    // And with both frames in one write (node's own zstd stream keeps only the first frame).
    const inOneWrite = await through(required(decompressor("zstd")), file, file.length);
    expect(inOneWrite.equals(Buffer.concat([first, second]))).toBe(true);
  });

  it("WASM fallback writes one frame per MiB of input, so memory stays bounded", async () => {
    const compressed = await through(fallbackZstdCompressor(), input);
    const mebibyte = 1024 * 1024;
    const sizes = frameContentSizes(compressed);
    expect(sizes).toEqual([mebibyte, mebibyte, mebibyte, input.length - 3 * mebibyte]);
    const restored = await through(required(decompressor("zstd")), compressed);
    expect(restored.equals(input)).toBe(true);
  });

  it("writes a valid (empty) frame for empty input", async () => {
    const compressed = await through(fallbackZstdCompressor(), new Uint8Array(0));
    expect(compressed.length).toBeGreaterThan(0);
    expect(fzstdDecompress(compressed).length).toBe(0);
    const restored = await through(required(decompressor("zstd")), compressed);
    expect(restored.length).toBe(0);
  });

  it("uses the level it is given", async () => {
    const part = input.subarray(0, 512 * 1024);
    const fast = await zstdCompress(part, 1);
    const small = await zstdCompress(part, 19);
    expect(fast.length).toBeGreaterThan(small.length);
  });

  it("rejects a truncated file", async () => {
    const compressed = await zstdCompress(input.subarray(0, 100_000));
    const truncated = compressed.subarray(0, compressed.length - 10);
    await expect(through(required(decompressor("zstd")), truncated)).rejects.toThrow();
  });

  it("given onDamage, reports a truncated file once and keeps what decoded before the cut", async () => {
    // Two frames: the first whole, the second cut short.
    const first = await zstdCompress(input.subarray(0, 100_000));
    const second = await zstdCompress(input.subarray(100_000, 200_000));
    const file = Buffer.concat([first, second.subarray(0, second.length - 10)]);
    const heard: ZstdDamage[] = [];
    const restored = await through(required(decompressor("zstd", (damage) => heard.push(damage))), file);
    expect(heard).toEqual([{ offset: file.length, detail: expect.any(String) }]);
    expect(restored.length).toBeGreaterThanOrEqual(100_000);
    expect(restored.length).toBeLessThan(200_000);
    expect(restored.equals(input.subarray(0, restored.length))).toBe(true);
  });

  it("given onDamage, reports corrupt data once, keeps what decoded before it and ends there", async () => {
    const first = await zstdCompress(input.subarray(0, 100_000));
    const second = Buffer.from(await zstdCompress(input.subarray(100_000, 200_000)));
    for (let at = 100; at < 140; at++) second[at] = second[at]! ^ 0x5a;
    const third = await zstdCompress(input.subarray(200_000, 300_000));
    const file = Buffer.concat([first, second, third]);
    const heard: ZstdDamage[] = [];
    const restored = await through(required(decompressor("zstd", (damage) => heard.push(damage))), file, 1000);
    // Reported at the chunk the decoder noticed it in: at or after the corrupt bytes, before the end.
    expect(heard).toEqual([{ offset: expect.any(Number), detail: expect.any(String) }]);
    expect(heard[0]!.offset).toBeGreaterThanOrEqual(first.length);
    expect(heard[0]!.offset).toBeLessThan(file.length);
    expect(restored.length).toBeGreaterThanOrEqual(100_000);
    expect(restored.length).toBeLessThan(200_000);
    expect(restored.equals(input.subarray(0, restored.length))).toBe(true);
  });
});

/**
 * The declared content size of each frame, walking frame and block headers as RFC 8878 lays
 * them out: independent of the writer under test.
 */
function frameContentSizes(file: Buffer): number[] {
  const sizes: number[] = [];
  let offset = 0;
  while (offset < file.length) {
    expect(file.readUInt32LE(offset)).toBe(0xfd2fb528);
    const descriptor = file.readUInt8(offset + 4);
    const singleSegment = (descriptor & 0x20) !== 0;
    const contentSizeBytes = [singleSegment ? 1 : 0, 2, 4, 8][descriptor >> 6] ?? 0;
    const dictionaryIdBytes = [0, 1, 2, 4][descriptor & 0x03] ?? 0;
    offset += 5 + (singleSegment ? 0 : 1) + dictionaryIdBytes;
    const contentSize = contentSizeBytes === 0 ? -1 : Number(file.readUIntLE(offset, Math.min(contentSizeBytes, 6)));
    sizes.push(contentSizeBytes === 2 ? contentSize + 256 : contentSize);
    offset += contentSizeBytes;
    for (let last = false; !last; ) {
      const header = file.readUIntLE(offset, 3);
      last = (header & 1) === 1;
      const blockType = (header >> 1) & 0x03;
      offset += 3 + (blockType === 1 ? 1 : header >> 3);
    }
    if (descriptor & 0x04) offset += 4;
  }
  return sizes;
}
