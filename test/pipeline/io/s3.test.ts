import type { IncomingMessage, ServerResponse } from "node:http";
import { buffer } from "node:stream/consumers";
import { gzipSync } from "node:zlib";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { listFiles, openRead, readText, setRetryPolicy } from "../../../pipeline/io/index.js";
import { sampleBytes, startServer, type LoopbackServer } from "./helpers.js";

const BUCKET = "crawl";
const PAGE_SIZE = 2;

interface SeenRequest {
  path: string;
  query: URLSearchParams;
  range: string | undefined;
  authorization: string | undefined;
}

/**
 * Just enough of S3 for the reader, path-style: `GET /bucket?list-type=2` (ListObjectsV2, two keys
 * a page so continuation tokens are exercised) and `GET /bucket/key` (GetObject, with Range).
 * Keys listed in `cutOnce` have their first GET dropped halfway through the body.
 */
function fakeS3(objects: Map<string, Buffer>, cutOnce = new Set<string>()) {
  const seen: SeenRequest[] = [];
  const handler = (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", "http://fake-s3");
    const [bucket, ...keyParts] = url.pathname.slice(1).split("/");
    const key = decodeURIComponent(keyParts.join("/"));
    seen.push({
      path: url.pathname,
      query: url.searchParams,
      range: request.headers.range,
      authorization: request.headers.authorization,
    });
    if (bucket !== BUCKET) return sendError(response, 404, "NoSuchBucket");
    if (key === "" && url.searchParams.get("list-type") === "2") return listObjects(objects, url.searchParams, response);
    const object = objects.get(key);
    if (!object) return sendError(response, 404, "NoSuchKey");
    if (cutOnce.delete(key)) {
      response.writeHead(200, { "content-length": String(object.length) });
      response.write(object.subarray(0, object.length >> 1), () => response.socket?.destroy());
      return;
    }
    const start = Number(/^bytes=(\d+)-$/.exec(request.headers.range ?? "")?.[1] ?? 0);
    response.writeHead(start > 0 ? 206 : 200, {
      "content-length": String(object.length - start),
      ...(start > 0 ? { "content-range": `bytes ${start}-${object.length - 1}/${object.length}` } : {}),
    });
    response.end(object.subarray(start));
  };
  return { handler, seen };
}

function listObjects(objects: Map<string, Buffer>, query: URLSearchParams, response: ServerResponse): void {
  const prefix = query.get("prefix") ?? "";
  const keys = [...objects.keys()].filter((key) => key.startsWith(prefix)).sort();
  const start = Number(query.get("continuation-token") ?? 0);
  const page = keys.slice(start, start + PAGE_SIZE);
  const truncated = start + PAGE_SIZE < keys.length;
  const contents = page
    .map((key) => `<Contents><Key>${escapeXml(key)}</Key><Size>${objects.get(key)?.length}</Size></Contents>`)
    .join("");
  response.writeHead(200, { "content-type": "application/xml" });
  response.end(
    `<?xml version="1.0" encoding="UTF-8"?>` +
      `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
      `<Name>${BUCKET}</Name><Prefix>${escapeXml(prefix)}</Prefix><KeyCount>${page.length}</KeyCount>` +
      `<MaxKeys>${PAGE_SIZE}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${contents}` +
      (truncated ? `<NextContinuationToken>${start + PAGE_SIZE}</NextContinuationToken>` : "") +
      `</ListBucketResult>`,
  );
}

function sendError(response: ServerResponse, status: number, code: string): void {
  response.writeHead(status, { "content-type": "application/xml" });
  response.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

const ENV_KEYS = [
  "AWS_ENDPOINT_URL",
  "AWS_ENDPOINT_URL_S3",
  "AWS_REGION",
  "AWS_DEFAULT_REGION",
  "KILN_S3_ANONYMOUS",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_PROFILE",
  "AWS_SHARED_CREDENTIALS_FILE",
  "AWS_CONFIG_FILE",
  "AWS_EC2_METADATA_DISABLED",
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  "AWS_WEB_IDENTITY_TOKEN_FILE",
];
const savedEnv = new Map(ENV_KEYS.map((key) => [key, process.env[key]]));
const servers: LoopbackServer[] = [];

/** Starts a fake S3 and points the SDK at it, with no credentials reachable and no metadata service. */
async function startFakeS3(objects: Map<string, Buffer>, cutOnce?: Set<string>) {
  const fake = fakeS3(objects, cutOnce);
  const server = await startServer(fake.handler);
  servers.push(server);
  process.env["AWS_ENDPOINT_URL"] = server.url;
  return fake;
}

beforeAll(() => setRetryPolicy({ retries: 3, baseDelayMs: 1, maxDelayMs: 10 }));
afterAll(() => {
  setRetryPolicy({});
  for (const [key, value] of savedEnv) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});
beforeEach(() => {
  for (const key of ENV_KEYS) delete process.env[key];
  process.env["AWS_REGION"] = "us-east-1";
  process.env["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/kiln-test-credentials";
  process.env["AWS_CONFIG_FILE"] = "/nonexistent/kiln-test-config";
  process.env["AWS_EC2_METADATA_DISABLED"] = "true";
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

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
    const { seen } = await startFakeS3(new Map([[key, body]]), new Set([key]));
    const received = await buffer(await openRead(`s3://${BUCKET}/${key}`));
    expect(received.equals(body)).toBe(true);
    expect(seen.map((request) => request.range)).toEqual([undefined, `bytes=${body.length >> 1}-`]);
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
