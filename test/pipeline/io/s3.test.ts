import { once } from "node:events";
import { randomBytes } from "node:crypto";
import { buffer } from "node:stream/consumers";
import { setTimeout as sleep } from "node:timers/promises";
import { gunzipSync, gzipSync } from "node:zlib";
import { decompress as zstdDecompress } from "fzstd";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  listFiles,
  openRanged,
  openRead,
  openWriteAtomic,
  readText,
  setRetryPolicy,
  writeFileAtomic,
  type AtomicWrite,
} from "../../../core/io/index.js";
import { BUCKET, useFakeS3, type FakeS3 } from "./fake-s3.js";
import { sampleBytes } from "./helpers.js";

const startFakeS3 = useFakeS3();

beforeAll(() => setRetryPolicy({ retries: 3, baseDelayMs: 1, maxDelayMs: 10 }));
afterAll(() => setRetryPolicy({}));

const segments = new Map<string, Buffer>([
  ["cc/segments/2/warc/b.warc.gz", gzipSync("record b\n")],
  ["cc/segments/1/warc/a.warc.gz", gzipSync("record a\n")],
  ["cc/segments/1/wet/a.wet.gz", gzipSync("text a\n")],
  ["cc/segments/1/warc/notes.txt", Buffer.from("not a warc")],
  ["cc/segments/10/warc/c.warc.gz", gzipSync("record c\n")],
  ["cc/other/warc/d.warc.gz", gzipSync("record d\n")],
]);

describe("s3 (against a loopback fake S3)", () => {
  it("lists a glob over the literal prefix, following continuation tokens", async () => {
    process.env["KILN_S3_ANONYMOUS"] = "1";
    const { seen } = await startFakeS3(segments);
    expect(await listFiles(`s3://${BUCKET}/cc/segments/*/warc/*.warc.gz`)).toEqual([
      `s3://${BUCKET}/cc/segments/1/warc/a.warc.gz`,
      `s3://${BUCKET}/cc/segments/10/warc/c.warc.gz`,
      `s3://${BUCKET}/cc/segments/2/warc/b.warc.gz`,
    ]);
    const listings = seen.filter((request) => request.query.get("list-type") === "2");
    expect(listings.map((request) => request.query.get("prefix"))).toEqual(["cc/segments/", "cc/segments/", "cc/segments/"]);
    expect(listings.map((request) => request.query.get("continuation-token"))).toEqual([null, "2", "4"]);
    expect(seen.every((request) => request.authorization === undefined)).toBe(true);
  });

  it("reads objects decompressed by extension, or raw", async () => {
    process.env["KILN_S3_ANONYMOUS"] = "1";
    await startFakeS3(segments);
    expect(await readText(`s3://${BUCKET}/cc/segments/10/warc/c.warc.gz`)).toBe("record c\n");
    const raw = await buffer(await openRead(`s3://${BUCKET}/cc/other/warc/d.warc.gz`, { decompress: false }));
    expect(raw.equals(segments.get("cc/other/warc/d.warc.gz") ?? Buffer.alloc(0))).toBe(true);
  });

  it("reports a missing key and an empty listing clearly", async () => {
    process.env["KILN_S3_ANONYMOUS"] = "1";
    await startFakeS3(segments);
    await expect(readText(`s3://${BUCKET}/cc/missing.gz`)).rejects.toMatchObject({
      code: "not_found",
      message: `s3://${BUCKET}/cc/missing.gz: no such object`,
    });
    await expect(listFiles(`s3://${BUCKET}/cc/**/*.zst`)).rejects.toMatchObject({ code: "no_input" });
  });

  it("resumes an object body cut off midway with a Range request", async () => {
    process.env["KILN_S3_ANONYMOUS"] = "1";
    const body = sampleBytes(250_000, 9);
    const key = "cc/big.warc";
    const { seen } = await startFakeS3(new Map([[key, body]]), { cutOnce: new Set([key]) });
    const received = await buffer(await openRead(`s3://${BUCKET}/${key}`));
    expect(received.equals(body)).toBe(true);
    expect(seen.map((request) => request.range)).toEqual([undefined, `bytes=${body.length >> 1}-`]);
  });

  it("does not resume a body from an object overwritten since the cut: another ETag is an error", async () => {
    process.env["KILN_S3_ANONYMOUS"] = "1";
    const key = "cc/big.warc";
    await startFakeS3(new Map([[key, sampleBytes(250_000, 9)]]), { cutOnce: new Set([key]), replacedAfterCut: new Map([[key, sampleBytes(250_000, 10)]]) });
    await expect(buffer(await openRead(`s3://${BUCKET}/${key}`))).rejects.toThrow(`s3://${BUCKET}/${key}: the object changed while it was read`);
  });

  it("reads ranges only of the object it opened: one overwritten between two ranged reads is an error", async () => {
    process.env["KILN_S3_ANONYMOUS"] = "1";
    const key = "cc/data.parquet";
    const fake = await startFakeS3(new Map([[key, sampleBytes(100_000, 11)]]));
    const file = await openRanged(`s3://${BUCKET}/${key}`);
    expect(Buffer.from(await file.read(0, 1000)).equals(sampleBytes(100_000, 11).subarray(0, 1000))).toBe(true);
    fake.objects.set(key, sampleBytes(100_000, 12));
    await expect(file.read(50_000, 60_000)).rejects.toThrow(`s3://${BUCKET}/${key}: the object changed while it was read`);
  });

  it("falls back to unsigned requests when no credentials can be found", async () => {
    const { seen } = await startFakeS3(segments);
    expect(await readText(`s3://${BUCKET}/cc/segments/1/wet/a.wet.gz`)).toBe("text a\n");
    expect(seen).toHaveLength(1);
    expect(seen[0]?.authorization).toBeUndefined();
  });

  it("signs requests when credentials are present", async () => {
    process.env["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE";
    process.env["AWS_SECRET_ACCESS_KEY"] = "secret";
    const { seen } = await startFakeS3(segments);
    expect(await readText(`s3://${BUCKET}/cc/segments/1/warc/a.warc.gz`)).toBe("record a\n");
    expect(seen[0]?.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\//);
  });
});

const MiB = 1024 * 1024;

/** Writes `bytes` in chunks of an odd size, so parts are cut inside chunks, waiting on drain. */
async function writeAll(writer: AtomicWrite, bytes: Uint8Array, chunkSize = 100_003): Promise<void> {
  for (let offset = 0; offset < bytes.length; offset += chunkSize) {
    if (!writer.stream.write(bytes.subarray(offset, offset + chunkSize))) await once(writer.stream, "drain");
  }
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 10_000) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

const readBack = async (url: string) => buffer(await openRead(url));
const requests = (fake: FakeS3, method: string, query: string) =>
  fake.seen.filter((request) => request.method === method && request.query.has(query));

describe("s3 writes (against a loopback fake S3)", () => {
  it("sends a small object as one PutObject, visible only on commit, plain, .gz and .zst", async () => {
    const fake = await startFakeS3();
    const text = sampleBytes(300_000, 3);
    for (const [extension, magic] of [["", null], [".gz", "1f8b"], [".zst", "28b52ffd"]] as const) {
      const key = `out/small.jsonl${extension}`;
      const writer = openWriteAtomic(`s3://${BUCKET}/${key}`);
      await writeAll(writer, text);
      expect(fake.objects.has(key)).toBe(false);
      await writer.commit();
      const stored = fake.objects.get(key) ?? Buffer.alloc(0);
      if (magic) expect(stored.subarray(0, magic.length / 2).toString("hex")).toBe(magic);
      const decoded = extension === ".gz" ? gunzipSync(stored) : extension === ".zst" ? Buffer.from(zstdDecompress(stored)) : stored;
      expect(decoded.equals(text)).toBe(true);
      expect((await readBack(`s3://${BUCKET}/${key}`)).equals(text)).toBe(true);
    }
    expect(fake.puts.map((put) => put.key)).toEqual(["out/small.jsonl", "out/small.jsonl.gz", "out/small.jsonl.zst"]);
    expect(fake.puts[0]?.size).toBe(300_000);
    expect(requests(fake, "POST", "uploads")).toHaveLength(0);
  });

  it("writes with writeFileAtomic and refuses http(s) and a key-less URL", async () => {
    await startFakeS3();
    await writeFileAtomic(`s3://${BUCKET}/run/plan.json`, '{"world":2}\n');
    expect(await readText(`s3://${BUCKET}/run/plan.json`)).toBe('{"world":2}\n');
    expect(() => openWriteAtomic("https://example.org/x.jsonl")).toThrow(/https:\/\/example\.org\/x\.jsonl: http\(s\):\/\/ URLs are read-only/);
    expect(() => openWriteAtomic(`s3://${BUCKET}/`)).toThrow(`s3://${BUCKET}/: expected s3://bucket/key`);
  });

  it("sends exactly 8 MiB as one PutObject and 8 MiB + 1 byte as two parts", async () => {
    const fake = await startFakeS3();
    const bytes = randomBytes(8 * MiB + 1);
    const exact = openWriteAtomic(`s3://${BUCKET}/edge/exact.bin`);
    await writeAll(exact, bytes.subarray(0, 8 * MiB));
    await exact.commit();
    const over = openWriteAtomic(`s3://${BUCKET}/edge/over.bin`);
    await writeAll(over, bytes);
    await over.commit();
    expect(fake.puts).toEqual([{ key: "edge/exact.bin", size: 8 * MiB }]);
    expect(fake.completed).toEqual([{ key: "edge/over.bin", partSizes: [8 * MiB, 1] }]);
    expect(fake.objects.get("edge/over.bin")?.equals(bytes)).toBe(true);
  });

  it("sends 20 MiB as a multipart upload of 8, 8 and 4 MiB that reads back identical", async () => {
    const fake = await startFakeS3();
    const bytes = randomBytes(20 * MiB);
    const writer = openWriteAtomic(`s3://${BUCKET}/big/data.bin`);
    await writeAll(writer, bytes);
    expect(fake.objects.has("big/data.bin")).toBe(false);
    await writer.commit();
    expect(fake.completed).toEqual([{ key: "big/data.bin", partSizes: [8 * MiB, 8 * MiB, 4 * MiB] }]);
    expect(fake.puts).toEqual([]);
    expect(fake.uploads.size).toBe(0);
    const parts = requests(fake, "PUT", "partNumber");
    expect(parts.map((request) => request.query.get("partNumber"))).toEqual(["1", "2", "3"]);
    // Declared at creation and sent with every part, which the fake checks against the body.
    expect(requests(fake, "POST", "uploads")[0]?.headers["x-amz-checksum-algorithm"]).toBe("CRC32");
    expect(parts.every((request) => typeof request.headers["x-amz-checksum-crc32"] === "string")).toBe(true);
    expect((await readBack(`s3://${BUCKET}/big/data.bin`)).equals(bytes)).toBe(true);
  });

  it("compresses a multipart object as a whole: 8 MiB parts of one gzip stream", async () => {
    const fake = await startFakeS3();
    // Random bytes do not compress, so the gzip output also spans three parts.
    const bytes = randomBytes(20 * MiB);
    const writer = openWriteAtomic(`s3://${BUCKET}/big/data.bin.gz`, { level: 1 });
    await writeAll(writer, bytes);
    await writer.commit();
    const stored = fake.objects.get("big/data.bin.gz") ?? Buffer.alloc(0);
    expect(fake.completed).toEqual([{ key: "big/data.bin.gz", partSizes: [8 * MiB, 8 * MiB, stored.length - 16 * MiB] }]);
    expect(gunzipSync(stored).equals(bytes)).toBe(true);
    expect((await readBack(`s3://${BUCKET}/big/data.bin.gz`)).equals(bytes)).toBe(true);
  });

  it("holds at most one part uploading and one filling: writes wait for the upload", async () => {
    const fake = await startFakeS3();
    let release = () => {};
    fake.holdParts = new Promise<void>((resolve) => (release = resolve));
    const writer = openWriteAtomic(`s3://${BUCKET}/slow/data.bin`);
    const bytes = randomBytes(40 * MiB);
    const chunk = 64 * 1024;
    let accepted = 0;
    const writing = (async () => {
      for (let offset = 0; offset < bytes.length; offset += chunk) {
        accepted += chunk;
        if (!writer.stream.write(bytes.subarray(offset, offset + chunk))) await once(writer.stream, "drain");
      }
    })();
    await until(() => requests(fake, "PUT", "partNumber").length === 1 && accepted >= 16 * MiB, "part 1 to arrive");
    // Time for any write that was not held back to get through.
    await sleep(200);
    // Part 1 is held by the server and part 2 is full; the chunk that would start part 3 waits.
    expect(accepted).toBe(16 * MiB + chunk);
    release();
    await writing;
    await writer.commit();
    expect(fake.completed[0]?.partSizes).toEqual([8 * MiB, 8 * MiB, 8 * MiB, 8 * MiB, 8 * MiB]);
    expect(fake.objects.get("slow/data.bin")?.equals(bytes)).toBe(true);
  });

  it("abort() aborts the multipart upload and never creates the object", async () => {
    const fake = await startFakeS3();
    const writer = openWriteAtomic(`s3://${BUCKET}/gone/data.bin`);
    await writeAll(writer, randomBytes(12 * MiB));
    await until(() => fake.uploads.get("upload-1")?.parts.has(1) === true, "part 1 to be stored");
    await writer.abort();
    expect(fake.aborted).toEqual(["gone/data.bin"]);
    expect(fake.uploads.size).toBe(0);
    expect(fake.objects.has("gone/data.bin")).toBe(false);
    await expect(writer.commit()).rejects.toThrow("already aborted");
    // Nothing was sent for a write that never reached a part.
    const small = openWriteAtomic(`s3://${BUCKET}/gone/small.bin`);
    await writeAll(small, Buffer.from("a few bytes"));
    const before = fake.seen.length;
    await small.abort();
    expect(fake.seen.length).toBe(before);
    expect(fake.objects.has("gone/small.bin")).toBe(false);
  });

  it("aborts the upload when the stream fails, and commit() reports one line naming the URL", async () => {
    const fake = await startFakeS3();
    const url = `s3://${BUCKET}/failed/data.jsonl.gz`;
    const writer = openWriteAtomic(url, { level: 1 });
    await writeAll(writer, randomBytes(12 * MiB));
    await until(() => fake.uploads.get("upload-1")?.parts.has(1) === true, "part 1 to be stored");
    writer.stream.destroy(new Error("the source broke"));
    await until(() => fake.aborted.length === 1, "the upload to be aborted");
    await expect(writer.commit()).rejects.toMatchObject({ code: "write_error", message: `${url}: the source broke` });
    expect(fake.aborted).toEqual(["failed/data.jsonl.gz"]);
    expect(fake.objects.has("failed/data.jsonl.gz")).toBe(false);
  });

  it("leaves a 500 on one UploadPart to the SDK's retry, and the object is still identical", async () => {
    const fake = await startFakeS3(new Map(), { failPartOnce: new Set([2]) });
    const bytes = randomBytes(20 * MiB);
    const writer = openWriteAtomic(`s3://${BUCKET}/retry/data.bin`);
    await writeAll(writer, bytes);
    await writer.commit();
    const parts = requests(fake, "PUT", "partNumber").map((request) => request.query.get("partNumber"));
    expect(parts).toEqual(["1", "2", "2", "3"]);
    expect(fake.completed).toEqual([{ key: "retry/data.bin", partSizes: [8 * MiB, 8 * MiB, 4 * MiB] }]);
    expect(fake.objects.get("retry/data.bin")?.equals(bytes)).toBe(true);
  });

  it("reports a missing bucket as one line naming the URL, for a PutObject and a multipart upload", async () => {
    const fake = await startFakeS3();
    for (const size of [1000, 12 * MiB]) {
      const url = `s3://no-such-bucket/out/${size}.jsonl`;
      const writer = openWriteAtomic(url);
      // A multipart upload fails at CreateMultipartUpload, behind the write that cut the first part.
      const failure = writeAll(writer, randomBytes(size)).then(() => writer.commit());
      const error = await failure.then(() => null, (caught: unknown) => caught);
      await writer.abort();
      expect(error).toMatchObject({ code: "not_found", message: `${url}: no such bucket` });
    }
    expect(fake.objects.size).toBe(0);
  });
});
