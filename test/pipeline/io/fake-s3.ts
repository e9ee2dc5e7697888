import { createHash } from "node:crypto";
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { buffer } from "node:stream/consumers";
import { crc32 } from "node:zlib";
import { afterAll, afterEach, beforeEach } from "vitest";
import { startServer, type LoopbackServer } from "./helpers.js";

export const BUCKET = "crawl";
const PAGE_SIZE = 2;
/** S3 refuses to complete an upload whose parts, all but the last, are smaller than this. */
const MIN_PART_BYTES = 5 * 1024 * 1024;

export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  range: string | undefined;
  authorization: string | undefined;
  headers: IncomingHttpHeaders;
}

interface PendingUpload {
  key: string;
  checksumAlgorithm: string | undefined;
  parts: Map<number, { body: Buffer; etag: string; crc32: string }>;
}

export interface FakeS3Options {
  /** Keys whose first GET is dropped halfway through the body. */
  cutOnce?: Set<string>;
  /** After such a cut, the key's new bytes: the object is overwritten before the reader resumes. */
  replacedAfterCut?: Map<string, Buffer>;
  /** Part numbers whose first UploadPart is answered with a 500. */
  failPartOnce?: Set<number>;
}

/**
 * Just enough of S3, path-style, for Kiln's reader and writer. Reads: `GET /bucket?list-type=2`
 * (ListObjectsV2, two keys a page so continuation tokens are exercised) and `GET /bucket/key`
 * (GetObject, with Range: `bytes=a-` or `bytes=a-b`), HEAD (HeadObject). Writes: PutObject, and the multipart calls (`POST ?uploads`,
 * `PUT ?partNumber&uploadId`, `POST ?uploadId`, `DELETE ?uploadId`), with S3's checks: part
 * checksums, ETags, order, the 5 MiB minimum; an uploaded object appears only on completion.
 */
export class FakeS3 {
  readonly seen: SeenRequest[] = [];
  readonly uploads = new Map<string, PendingUpload>();
  /** Every completed multipart upload: its key and part sizes, in order. */
  readonly completed: { key: string; partSizes: number[] }[] = [];
  /** Keys of the multipart uploads aborted. */
  readonly aborted: string[] = [];
  /** Keys and sizes of every PutObject. */
  readonly puts: { key: string; size: number }[] = [];
  /** When set, UploadPart answers only once it resolves (to hold parts "in flight"). */
  holdParts: Promise<void> | null = null;
  private nextUploadId = 1;
  private readonly cutOnce: Set<string>;
  private readonly replacedAfterCut: Map<string, Buffer>;
  private readonly failPartOnce: Set<number>;

  constructor(
    readonly objects: Map<string, Buffer> = new Map(),
    options: FakeS3Options = {},
  ) {
    this.cutOnce = options.cutOnce ?? new Set();
    this.replacedAfterCut = options.replacedAfterCut ?? new Map();
    this.failPartOnce = options.failPartOnce ?? new Set();
  }

  readonly handler = (request: IncomingMessage, response: ServerResponse): void => {
    this.handle(request, response).catch((error: unknown) => sendError(response, 500, "InternalError", String(error)));
  };

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://fake-s3");
    const [bucket, ...keyParts] = url.pathname.slice(1).split("/");
    const key = decodeURIComponent(keyParts.join("/"));
    const method = request.method ?? "GET";
    const query = url.searchParams;
    this.seen.push({ method, path: url.pathname, query, range: request.headers.range, authorization: request.headers.authorization, headers: request.headers });
    const body = await buffer(request);
    if (bucket !== BUCKET) return sendError(response, 404, "NoSuchBucket");
    // A streamed body would arrive aws-chunked; the writer sends whole parts, so this must not happen.
    if (request.headers["content-encoding"]?.includes("aws-chunked")) return sendError(response, 400, "UnexpectedAwsChunked");
    if (method === "GET" && key === "" && query.get("list-type") === "2") return this.listObjects(query, response);
    if (method === "GET") return this.getObject(key, request, response);
    if (method === "HEAD") return this.headObject(key, response);
    if (method === "POST" && query.has("uploads")) return this.createUpload(key, request, response);
    if (method === "PUT" && query.has("uploadId")) return this.uploadPart(key, query, request, body, response);
    if (method === "PUT") return this.putObject(key, request, body, response);
    if (method === "POST" && query.has("uploadId")) return this.completeUpload(key, query.get("uploadId") ?? "", body, response);
    if (method === "DELETE" && query.has("uploadId")) return this.abortUpload(key, query.get("uploadId") ?? "", response);
    sendError(response, 405, "MethodNotAllowed");
  }

  private getObject(key: string, request: IncomingMessage, response: ServerResponse): void {
    const object = this.objects.get(key);
    if (!object) return sendError(response, 404, "NoSuchKey");
    if (this.cutOnce.delete(key)) {
      response.writeHead(200, { "content-length": String(object.length), etag: etagOf(object) });
      response.write(object.subarray(0, object.length >> 1), () => response.socket?.destroy());
      const replacement = this.replacedAfterCut.get(key);
      if (replacement) this.objects.set(key, replacement);
      return;
    }
    if (request.headers["if-match"] !== undefined && request.headers["if-match"] !== etagOf(object)) return sendError(response, 412, "PreconditionFailed");
    const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? "");
    const start = Number(range?.[1] ?? 0);
    const end = range?.[2] ? Math.min(Number(range[2]) + 1, object.length) : object.length;
    if (range && start >= object.length) return sendError(response, 416, "InvalidRange");
    response.writeHead(range ? 206 : 200, {
      "content-length": String(end - start),
      etag: etagOf(object),
      ...(range ? { "content-range": `bytes ${start}-${end - 1}/${object.length}` } : {}),
    });
    response.end(object.subarray(start, end));
  }

  private headObject(key: string, response: ServerResponse): void {
    const object = this.objects.get(key);
    response.writeHead(object ? 200 : 404, object ? { "content-length": String(object.length), etag: etagOf(object) } : {});
    response.end();
  }

  private listObjects(query: URLSearchParams, response: ServerResponse): void {
    const prefix = query.get("prefix") ?? "";
    const keys = [...this.objects.keys()].filter((key) => key.startsWith(prefix)).sort();
    const start = Number(query.get("continuation-token") ?? 0);
    const page = keys.slice(start, start + PAGE_SIZE);
    const truncated = start + PAGE_SIZE < keys.length;
    const contents = page
      .map((key) => `<Contents><Key>${escapeXml(key)}</Key><Size>${this.objects.get(key)?.length}</Size></Contents>`)
      .join("");
    sendXml(
      response,
      `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
        `<Name>${BUCKET}</Name><Prefix>${escapeXml(prefix)}</Prefix><KeyCount>${page.length}</KeyCount>` +
        `<MaxKeys>${PAGE_SIZE}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${contents}` +
        (truncated ? `<NextContinuationToken>${start + PAGE_SIZE}</NextContinuationToken>` : "") +
        `</ListBucketResult>`,
    );
  }

  private putObject(key: string, request: IncomingMessage, body: Buffer, response: ServerResponse): void {
    if (!checksumMatches(request, body)) return sendError(response, 400, "BadDigest");
    this.objects.set(key, body);
    this.puts.push({ key, size: body.length });
    response.writeHead(200, { etag: etagOf(body) });
    response.end();
  }

  private createUpload(key: string, request: IncomingMessage, response: ServerResponse): void {
    const uploadId = `upload-${this.nextUploadId++}`;
    const algorithm = request.headers["x-amz-checksum-algorithm"];
    this.uploads.set(uploadId, { key, checksumAlgorithm: typeof algorithm === "string" ? algorithm : undefined, parts: new Map() });
    sendXml(
      response,
      `<InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
        `<Bucket>${BUCKET}</Bucket><Key>${escapeXml(key)}</Key><UploadId>${uploadId}</UploadId></InitiateMultipartUploadResult>`,
    );
  }

  private async uploadPart(key: string, query: URLSearchParams, request: IncomingMessage, body: Buffer, response: ServerResponse): Promise<void> {
    const upload = this.uploads.get(query.get("uploadId") ?? "");
    if (!upload || upload.key !== key) return sendError(response, 404, "NoSuchUpload");
    const partNumber = Number(query.get("partNumber"));
    if (this.failPartOnce.delete(partNumber)) return sendError(response, 500, "InternalError");
    if (!checksumMatches(request, body)) return sendError(response, 400, "BadDigest");
    await this.holdParts;
    const crc = crc32Base64(body);
    upload.parts.set(partNumber, { body, etag: etagOf(body), crc32: crc });
    response.writeHead(200, { etag: etagOf(body), ...(request.headers["x-amz-checksum-crc32"] ? { "x-amz-checksum-crc32": crc } : {}) });
    response.end();
  }

  private completeUpload(key: string, uploadId: string, body: Buffer, response: ServerResponse): void {
    const upload = this.uploads.get(uploadId);
    if (!upload || upload.key !== key) return sendError(response, 404, "NoSuchUpload");
    const listed = [...body.toString("utf8").matchAll(/<Part>(.*?)<\/Part>/gs)].map((match) => ({
      number: Number(field(match[1] ?? "", "PartNumber")),
      etag: field(match[1] ?? "", "ETag"),
      crc32: field(match[1] ?? "", "ChecksumCRC32"),
    }));
    if (listed.length === 0) return sendError(response, 400, "MalformedXML");
    const parts: Buffer[] = [];
    for (const [index, part] of listed.entries()) {
      if (index > 0 && part.number <= (listed[index - 1]?.number ?? 0)) return sendError(response, 400, "InvalidPartOrder");
      const stored = upload.parts.get(part.number);
      if (!stored || stored.etag !== part.etag) return sendError(response, 400, "InvalidPart");
      // As S3 does: an upload created for CRC32 checksums must repeat each part's checksum.
      if (upload.checksumAlgorithm?.toUpperCase() === "CRC32" && part.crc32 !== stored.crc32) return sendError(response, 400, "InvalidRequest");
      if (index < listed.length - 1 && stored.body.length < MIN_PART_BYTES) return sendError(response, 400, "EntityTooSmall");
      parts.push(stored.body);
    }
    this.uploads.delete(uploadId);
    const object = Buffer.concat(parts);
    this.objects.set(key, object);
    this.completed.push({ key, partSizes: parts.map((part) => part.length) });
    sendXml(
      response,
      `<CompleteMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>${BUCKET}</Bucket>` +
        `<Key>${escapeXml(key)}</Key><ETag>"${createHash("md5").update(object).digest("hex")}-${parts.length}"</ETag></CompleteMultipartUploadResult>`,
    );
  }

  private abortUpload(key: string, uploadId: string, response: ServerResponse): void {
    const upload = this.uploads.get(uploadId);
    if (!upload || upload.key !== key) return sendError(response, 404, "NoSuchUpload");
    this.uploads.delete(uploadId);
    this.aborted.push(key);
    response.writeHead(204);
    response.end();
  }
}

function field(xml: string, name: string): string | undefined {
  const value = new RegExp(`<${name}>(.*?)</${name}>`, "s").exec(xml)?.[1];
  return value?.replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

/** A checksum header, when the client sent one, must match the body, as S3 checks it. */
function checksumMatches(request: IncomingMessage, body: Buffer): boolean {
  const sent = request.headers["x-amz-checksum-crc32"];
  return sent === undefined || sent === crc32Base64(body);
}

function crc32Base64(body: Buffer): string {
  const value = Buffer.alloc(4);
  value.writeUInt32BE(crc32(body));
  return value.toString("base64");
}

const etagOf = (body: Buffer) => `"${createHash("md5").update(body).digest("hex")}"`;

function sendXml(response: ServerResponse, xml: string): void {
  response.writeHead(200, { "content-type": "application/xml" });
  response.end(`<?xml version="1.0" encoding="UTF-8"?>${xml}`);
}

function sendError(response: ServerResponse, status: number, code: string, message = code): void {
  if (response.headersSent) return void response.destroy();
  response.writeHead(status, { "content-type": "application/xml" });
  response.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error>`);
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
  "AWS_REQUEST_CHECKSUM_CALCULATION",
  "AWS_RESPONSE_CHECKSUM_VALIDATION",
];

/**
 * Installs the suite's hooks: before each test, no AWS settings from the machine (no credentials,
 * no metadata service); after each, the fake servers are closed; after all, the env is restored.
 * Returns `start`, which serves a fake S3 on 127.0.0.1 and points the SDK at it.
 */
export function useFakeS3(): (objects?: Map<string, Buffer>, options?: FakeS3Options) => Promise<FakeS3> {
  const savedEnv = new Map(ENV_KEYS.map((key) => [key, process.env[key]]));
  const servers: LoopbackServer[] = [];
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
  afterAll(() => {
    for (const [key, value] of savedEnv) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });
  return async (objects, options) => {
    const fake = new FakeS3(objects, options);
    const server = await startServer(fake.handler);
    servers.push(server);
    process.env["AWS_ENDPOINT_URL"] = server.url;
    return fake;
  };
}
