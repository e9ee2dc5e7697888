import type { IncomingMessage, ServerResponse } from "node:http";
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { parquetMetadata } from "hyparquet";
import { parquetWriteBuffer } from "hyparquet-writer";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Doc } from "../../../pipeline/doc.js";
import { getSpec } from "../../../pipeline/registry.js";
import "../../../stages/readers/index.js";
import { BUCKET, useFakeS3 } from "../../pipeline/io/fake-s3.js";
import { startServer, type LoopbackServer } from "../../pipeline/io/helpers.js";
import { recordingContext } from "../filters/helpers.js";

const ROWS = 2500;
/** What we write, row by row: the expected documents come from these arrays, not from a reader. */
const texts = Array.from({ length: ROWS }, (_, i) => (i === 1234 ? null : `Document ${i}: ${"é日本 ".repeat(i % 7)}text.`));
const ids = Array.from({ length: ROWS }, (_, i) => `<urn:uuid:${i}>`);
const urls = Array.from({ length: ROWS }, (_, i) => `https://site${i % 13}.example/${i}`);
const languages = Array.from({ length: ROWS }, (_, i) => ["en", "de", "ja"][i % 3]!);
const scores = Array.from({ length: ROWS }, (_, i) => i / 1000);
const tokens = Array.from({ length: ROWS }, (_, i) => BigInt(i * 3));

function parquetFile(codec: "SNAPPY" | "GZIP" | "UNCOMPRESSED", columns = ["text", "id", "url", "language", "language_score", "token_count"]): Buffer {
  const all = [
    { name: "text", data: texts, type: "STRING" as const, nullable: true },
    { name: "id", data: ids, type: "STRING" as const },
    { name: "url", data: urls, type: "STRING" as const },
    { name: "language", data: languages, type: "STRING" as const },
    { name: "language_score", data: scores, type: "DOUBLE" as const },
    { name: "token_count", data: tokens, type: "INT64" as const },
  ];
  const bytes = parquetWriteBuffer({
    columnData: all.filter((c) => columns.includes(c.name)),
    codec,
    compressors: { GZIP: (input: Uint8Array) => gzipSync(input) },
    rowGroupSize: 1000, // three row groups: 1000, 1000, 500
  });
  return Buffer.from(bytes);
}

const expectedDocs = (): Doc[] =>
  texts.flatMap((text, i) =>
    text === null ? [] : [{ id: ids[i]!, text, url: urls[i]!, meta: { language: languages[i]!, language_score: scores[i]!, token_count: i * 3 } }],
  );

async function read(file: string, params: Record<string, unknown> = {}) {
  const spec = getSpec("reader", "parquet");
  const reader = spec.create(spec.params.parse(params));
  const ctx = recordingContext();
  const docs: Doc[] = [];
  const logs: string[] = [];
  for await (const doc of reader.read(file, { ...ctx, log: (line: string) => logs.push(line) })) docs.push(doc);
  return { docs, skips: ctx.skips, logs };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "kiln-parquet-"));
});

describe("parquet reader", () => {
  it.each(["SNAPPY", "GZIP", "UNCOMPRESSED"] as const)("reads every row of every row group into a Doc (%s)", async (codec) => {
    const file = path.join(dir, `docs-${codec}.parquet`);
    await writeFile(file, parquetFile(codec));
    const { docs, skips, logs } = await read(file);
    expect(docs).toEqual(expectedDocs());
    expect(skips).toEqual({ missing_text: 1 });
    expect(logs).toEqual([`parquet: ${file}: row 1234: skipped: no string in column "text"`]);
  });

  it("copies only metaColumns, names ids <file>:<row> when there is no id column, and sets source", async () => {
    const file = path.join(dir, "no-id.parquet");
    await writeFile(file, parquetFile("SNAPPY", ["text", "url", "language", "language_score"]));
    const { docs } = await read(file, { metaColumns: ["language"], source: "web" });
    expect(docs[0]).toEqual({ id: "no-id.parquet:0", text: texts[0], url: urls[0], meta: { language: "en" }, source: "web" });
    expect(docs[1300]).toEqual({ id: "no-id.parquet:1301", text: texts[1301], url: urls[1301], meta: { language: languages[1301] }, source: "web" });
  });

  it.each(["SNAPPY", "GZIP", "UNCOMPRESSED"] as const)("counts the rows of a row group whose bytes do not decode and reads the row groups around it (%s)", async (codec) => {
    const bytes = parquetFile(codec);
    // The middle row group's text column: where its bytes are, from the file's own footer.
    const chunk = parquetMetadata(new Uint8Array(bytes).buffer).row_groups[1]!.columns[0]!.meta_data!;
    const start = Number(chunk.dictionary_page_offset ?? chunk.data_page_offset);
    const middle = start + Math.floor(Number(chunk.total_compressed_size) / 2);
    for (let at = start; at < middle; at++) bytes[at] = 0xff - bytes[at]!;
    const file = path.join(dir, `damaged-${codec}.parquet`);
    await writeFile(file, bytes);
    const { docs, skips, logs } = await read(file);
    expect(docs).toEqual(expectedDocs().filter((doc) => { const row = ids.indexOf(doc.id); return row < 1000 || row >= 2000; }));
    expect(skips).toEqual({ corrupt_row_group: 1000 });
    expect(logs).toEqual([expect.stringMatching(new RegExp(`^parquet: ${file}: rows 1000-1999: skipped: corrupt_row_group: `))]);
  });

  it("names the file and the columns when the text column is missing, and refuses a file that is not Parquet", async () => {
    const file = path.join(dir, "docs.parquet");
    await writeFile(file, parquetFile("SNAPPY"));
    await expect(read(file, { textKey: "content" })).rejects.toThrow(`${file}: no column "content" for the text (columns: text, id, url, language, language_score, token_count); set textKey`);
    const bogus = path.join(dir, "bogus.parquet");
    await writeFile(bogus, "this is not parquet at all, just some bytes");
    await expect(read(bogus)).rejects.toThrow(new RegExp(`^${bogus}: not a Parquet file`));
  });
});

describe("parquet reader over the network", () => {
  const servers: LoopbackServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  /** Serves `bytes` with HEAD and Range support, recording the ranges asked for. */
  async function serve(bytes: Buffer, ranges: boolean, asked: string[] = []) {
    const server = await startServer((request: IncomingMessage, response: ServerResponse) => {
      const range = /^bytes=(\d+)-(\d+)$/.exec(request.headers.range ?? "");
      if (request.method === "HEAD" || !range || !ranges) {
        response.writeHead(200, { "content-length": String(bytes.length) });
        response.end(request.method === "HEAD" ? undefined : bytes);
        return;
      }
      asked.push(request.headers.range!);
      const [start, end] = [Number(range[1]), Number(range[2]) + 1];
      response.writeHead(206, { "content-length": String(end - start), "content-range": `bytes ${start}-${end - 1}/${bytes.length}` });
      response.end(bytes.subarray(start, end));
    });
    servers.push(server);
    return server;
  }

  it("reads over http(s) by Range requests, each byte about once", async () => {
    const bytes = parquetFile("SNAPPY");
    const asked: string[] = [];
    const server = await serve(bytes, true, asked);
    const { docs } = await read(`${server.url}/docs.parquet`);
    expect(docs).toEqual(expectedDocs());
    const sizes = asked.map((r) => /(\d+)-(\d+)/.exec(r)!).map((m) => Number(m[2]) - Number(m[1]) + 1);
    // The first request reads the footer (hyparquet asks for the last 512 KiB: all of this small
    // file); then the three row groups' column chunks, each once, never the whole file per group.
    expect(sizes.length).toBeGreaterThanOrEqual(4);
    expect(sizes.slice(1).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(bytes.length);
    expect(Math.max(...sizes.slice(1))).toBeLessThan(bytes.length / 2);
  });

  it("says so when a server does not answer Range requests", async () => {
    const server = await serve(parquetFile("SNAPPY"), false);
    await expect(read(`${server.url}/docs.parquet`)).rejects.toThrow(/does not answer Range requests/);
  });

  const startS3 = useFakeS3();
  it("reads from s3:// by ranged GETs", async () => {
    const fake = await startS3(new Map([["hf/docs.parquet", parquetFile("GZIP")]]));
    const { docs } = await read(`s3://${BUCKET}/hf/docs.parquet`);
    expect(docs).toEqual(expectedDocs());
    expect(fake.seen.filter((r) => r.method === "GET").every((r) => /^bytes=\d+-\d+$/.test(r.range ?? ""))).toBe(true);
  });
});
