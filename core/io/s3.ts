import { Readable, Writable } from "node:stream";
import { finished, pipeline } from "node:stream/promises";
import { crc32 } from "node:zlib";
import type * as S3Sdk from "@aws-sdk/client-s3";
import { KilnError, errorMessage } from "../errors.js";
import { compressionOf, compressor } from "./compression.js";
import { globToRegExp, literalPrefix } from "./glob.js";
import type { AtomicWrite } from "./local.js";
import { emptyBody, resumableBytes, type ByteRange, type OpenAt } from "./resumable.js";
import { retryPolicy } from "./retry.js";

export interface S3Location {
  bucket: string;
  key: string;
}

export function isS3Url(path: string): boolean {
  return /^s3:\/\//i.test(path);
}

export function parseS3Url(url: string): S3Location {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/is.exec(url);
  if (!match?.[1]) throw new KilnError("bad_path", `${url}: expected s3://bucket/key`);
  return { bucket: match[1], key: match[2] ?? "" };
}

/** `s3://bucket/...` URLs of the keys matching the glob, listed under its literal prefix. */
export async function listS3(pattern: string): Promise<string[]> {
  const { bucket, key } = parseS3Url(pattern);
  const matches = globToRegExp(key);
  const { client, sdk } = await s3Client();
  const urls: string[] = [];
  let continuationToken: string | undefined;
  do {
    const command = new sdk.ListObjectsV2Command({
      Bucket: bucket,
      Prefix: literalPrefix(key),
      ContinuationToken: continuationToken,
    });
    const page = await client.send(command).catch((error: unknown) => {
      throw s3Error(pattern, error);
    });
    for (const object of page.Contents ?? []) {
      if (object.Key !== undefined && matches.test(object.Key)) urls.push(`s3://${bucket}/${object.Key}`);
    }
    continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (continuationToken);
  return urls;
}

/**
 * The raw bytes of an object, or of `range` of it. The SDK retries failed requests; a body cut
 * off midway is resumed here with a Range request, from the same object only (its ETag): one
 * overwritten since is an error, not spliced onto the bytes already read.
 */
export function openS3(url: string, signal?: AbortSignal, range?: ByteRange & { etag?: string }): Readable {
  const { bucket, key } = parseS3Url(url);
  // The ETag of the answer the first bytes came from: a resumed answer from an overwritten object would splice two.
  let version: string | undefined;
  const openAt: OpenAt = async (offset) => {
    const { client, sdk } = await s3Client();
    const from = (range?.start ?? 0) + offset;
    const command = new sdk.GetObjectCommand({
      Bucket: bucket,
      Key: key,
      Range: range ? `bytes=${from}-${range.end - 1}` : offset > 0 ? `bytes=${offset}-` : undefined,
      IfMatch: range?.etag,
    });
    try {
      const response = await client.send(command, { abortSignal: signal });
      const body = response.Body;
      if (!(body instanceof Readable)) throw new Error("the SDK returned a non-stream body");
      if (offset === 0) version = response.ETag;
      else if (version !== undefined && response.ETag !== undefined && response.ETag !== version) {
        body.destroy();
        throw new KilnError("s3_error", `${url}: the object changed while it was read (ETag ${version}, then ${response.ETag}); read it again`);
      }
      return { body, start: offset };
    } catch (error) {
      // Asked to resume exactly at the end: the break came after the last byte.
      if (offset > 0 && errorName(error) === "InvalidRange") return { body: emptyBody(), start: offset };
      if (range?.etag && errorName(error) === "PreconditionFailed") {
        throw new KilnError("s3_error", `${url}: the object changed while it was read (no longer ETag ${range.etag}); read it again`);
      }
      throw s3Error(url, error);
    }
  };
  return Readable.from(resumableBytes(url, openAt, signal), { objectMode: false });
}

/** The size of an object in bytes, and its ETag, which ranged reads of it pass on (IfMatch) so that parts of two objects are never read as one. */
export async function s3Head(url: string): Promise<{ size: number; etag?: string }> {
  const { bucket, key } = parseS3Url(url);
  const { client, sdk } = await s3Client();
  try {
    const head = await client.send(new sdk.HeadObjectCommand({ Bucket: bucket, Key: key }));
    if (head.ContentLength === undefined) throw new KilnError("s3_error", `${url}: no Content-Length in the HEAD response`);
    return head.ETag ? { size: head.ContentLength, etag: head.ETag } : { size: head.ContentLength };
  } catch (error) {
    throw s3Error(url, error);
  }
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

/** A KilnError: the SDK already retried, so the resumable reader must not retry again. */
function s3Error(url: string, error: unknown): Error {
  if (error instanceof KilnError) return error;
  if (error instanceof Error && error.name === "AbortError") return error;
  const name = errorName(error);
  if (name === "NoSuchKey" || name === "NotFound") return new KilnError("not_found", `${url}: no such object`);
  if (name === "NoSuchBucket") return new KilnError("not_found", `${url}: no such bucket`);
  // One line: the CLI prints the message as it is.
  const message = (errorMessage(error) || name || "unknown error").replace(/\s*\n\s*/g, " ");
  return new KilnError("s3_error", `${url}: ${message}`);
}

/**
 * Parts of a multipart upload. S3 wants at least 5 MiB in every part but the last; with at most one
 * part uploading and one filling, a writer holds about 16 MiB.
 */
export const S3_PART_BYTES = 8 * 1024 * 1024;
/** S3's limit: 10,000 parts of 8 MiB bound one object to about 78 GiB. */
const MAX_PARTS = 10_000;

/**
 * An atomic writer for an s3:// key (see AtomicWrite). The object appears only on commit(): up to
 * 8 MiB is sent as one PutObject then; past that, a multipart upload sends each 8 MiB part as it
 * fills and commit() sends the last part and completes it. abort() or any failure aborts the
 * upload, so the key is never touched. The SDK retries each request (maxAttempts), so no retry here.
 */
export function openS3WriteAtomic(url: string, options: { level?: number } = {}): AtomicWrite {
  const target = parseS3Url(url);
  if (target.key === "" || target.key.endsWith("/")) throw new KilnError("bad_path", `${url}: expected s3://bucket/key`);
  const upload = new S3Upload(url, target);
  const encoder = compressor(compressionOf(url), options.level);
  const stream = encoder ?? upload;
  const done = encoder ? pipeline(encoder, upload) : finished(upload);
  // Observed by commit(); without this, an early failure would be an unhandled rejection.
  done.catch(() => undefined);
  let state: "open" | "committed" | "aborted" = "open";

  return {
    stream,
    async commit() {
      if (state !== "open") throw new KilnError("write_error", `${url}: already ${state}`);
      state = "committed";
      // The caller may have ended it already, e.g. by piping into it.
      if (!stream.writableEnded) stream.end();
      try {
        await done;
        await upload.publish();
      } catch (error) {
        await upload.discard();
        throw error instanceof KilnError ? error : new KilnError("write_error", `${url}: ${errorMessage(error).replace(/\s*\n\s*/g, " ")}`);
      }
    },
    async abort() {
      if (state !== "open") return;
      state = "aborted";
      stream.destroy();
      upload.destroy();
      await done.catch(() => undefined);
      await upload.discard();
    },
  };
}

/** Cuts the bytes written into parts and uploads them one at a time; publishing is publish()'s job. */
class S3Upload extends Writable {
  /** The part being filled, allocated on its first byte. */
  private part: Buffer | null = null;
  private filled = 0;
  private partsSent = 0;
  private readonly completed: S3Sdk.CompletedPart[] = [];
  private uploadId: Promise<string> | null = null;
  private inFlight: Promise<void> = Promise.resolve();
  /** Cancels a part upload in flight once the upload is being discarded. */
  private readonly cancel = new AbortController();
  private discarded: Promise<void> | null = null;

  constructor(
    private readonly url: string,
    private readonly target: S3Location,
  ) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.take(chunk).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.inFlight.then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // Destroyed after finishing (autoDestroy), the upload waits for commit(); destroyed by a failure, it goes.
    if (!error) return callback(null);
    this.discard().then(() => callback(error), () => callback(error));
  }

  private async take(chunk: Buffer): Promise<void> {
    let offset = 0;
    while (offset < chunk.length) {
      // A full part is sent only once a further byte arrives, so an object of exactly 8 MiB is one PutObject.
      if (this.filled === S3_PART_BYTES) await this.sendFullPart();
      this.part ??= Buffer.allocUnsafe(S3_PART_BYTES);
      const copied = chunk.copy(this.part, this.filled, offset);
      this.filled += copied;
      offset += copied;
    }
  }

  /** Backpressure: with one part uploading and the next one full, the write that needs a third part waits here. */
  private async sendFullPart(): Promise<void> {
    const body = this.part!;
    this.part = null;
    this.filled = 0;
    await this.inFlight;
    this.inFlight = this.uploadPart(body);
    // Surfaced by the next sendFullPart, _final or discard.
    this.inFlight.catch(() => undefined);
  }

  private async uploadPart(body: Uint8Array): Promise<void> {
    const partNumber = ++this.partsSent;
    if (partNumber > MAX_PARTS) {
      throw new KilnError("write_error", `${this.url}: more than ${MAX_PARTS} parts of ${S3_PART_BYTES >> 20} MiB`);
    }
    const { client, sdk } = await s3Client();
    // Checked after the await: a discard that started meanwhile must not be followed by a new upload.
    if (this.cancel.signal.aborted) throw new KilnError("write_error", `${this.url}: upload aborted`);
    this.uploadId ??= this.createUpload(client, sdk);
    const uploadId = await this.uploadId;
    // Given explicitly (and declared at creation): S3 then checks each part, and CompleteMultipartUpload
    // must repeat each part's checksum; an upload whose parts carry checksums it was not created for fails.
    const checksum = crc32Base64(body);
    const command = new sdk.UploadPartCommand({
      ...this.bucketKey(),
      UploadId: uploadId,
      PartNumber: partNumber,
      Body: body,
      ChecksumAlgorithm: "CRC32",
      ChecksumCRC32: checksum,
    });
    const response = await client.send(command, { abortSignal: this.cancel.signal }).catch((error: unknown) => {
      throw s3Error(this.url, error);
    });
    if (!response.ETag) throw new KilnError("s3_error", `${this.url}: part ${partNumber}: the response has no ETag`);
    this.completed.push({ PartNumber: partNumber, ETag: response.ETag, ChecksumCRC32: checksum });
  }

  private async createUpload(client: S3Sdk.S3Client, sdk: typeof S3Sdk): Promise<string> {
    const command = new sdk.CreateMultipartUploadCommand({ ...this.bucketKey(), ChecksumAlgorithm: "CRC32" });
    const response = await client.send(command).catch((error: unknown) => {
      throw s3Error(this.url, error);
    });
    if (!response.UploadId) throw new KilnError("s3_error", `${this.url}: CreateMultipartUpload returned no upload id`);
    return response.UploadId;
  }

  /** Makes the object visible: one PutObject, or the last part and CompleteMultipartUpload. */
  async publish(): Promise<void> {
    const rest = this.part ? this.part.subarray(0, this.filled) : new Uint8Array(0);
    const { client, sdk } = await s3Client();
    if (this.partsSent === 0) {
      await client.send(new sdk.PutObjectCommand({ ...this.bucketKey(), Body: rest })).catch((error: unknown) => {
        throw s3Error(this.url, error);
      });
      return;
    }
    // Never empty: a part is only cut once a byte beyond it arrives.
    await this.uploadPart(rest);
    const command = new sdk.CompleteMultipartUploadCommand({
      ...this.bucketKey(),
      UploadId: await this.uploadId!,
      MultipartUpload: { Parts: this.completed },
    });
    await client.send(command).catch((error: unknown) => {
      throw s3Error(this.url, error);
    });
    this.part = null;
  }

  /** Aborts the multipart upload, if one was started; once, however many failures lead here. */
  discard(): Promise<void> {
    this.discarded ??= (async () => {
      this.cancel.abort();
      this.part = null;
      await this.inFlight.catch(() => undefined);
      const uploadId = await this.uploadId?.catch(() => undefined);
      if (!uploadId) return;
      const { client, sdk } = await s3Client();
      // Best effort: the caller is already reporting the failure that brought it here.
      await client.send(new sdk.AbortMultipartUploadCommand({ ...this.bucketKey(), UploadId: uploadId })).catch(() => undefined);
    })();
    return this.discarded;
  }

  private bucketKey(): { Bucket: string; Key: string } {
    return { Bucket: this.target.bucket, Key: this.target.key };
  }
}

/** CRC32 as S3's x-amz-checksum-crc32 carries it: the 4 big-endian bytes, base64. */
function crc32Base64(bytes: Uint8Array): string {
  const value = Buffer.alloc(4);
  value.writeUInt32BE(crc32(bytes));
  return value.toString("base64");
}

interface S3Settings {
  region: string;
  endpoint: string | undefined;
  anonymous: boolean;
  maxAttempts: number;
}

interface ConnectedS3 {
  client: S3Sdk.S3Client;
  sdk: typeof S3Sdk;
}

function s3Settings(): S3Settings {
  const env = process.env;
  return {
    region: env["AWS_REGION"] || env["AWS_DEFAULT_REGION"] || "us-east-1",
    endpoint: env["AWS_ENDPOINT_URL_S3"] || env["AWS_ENDPOINT_URL"] || undefined,
    anonymous: env["KILN_S3_ANONYMOUS"] === "1",
    maxAttempts: retryPolicy().retries + 1,
  };
}

// One client per distinct setting, so tests (or a process) that change the env get a fresh one.
const clients = new Map<string, Promise<ConnectedS3>>();

function s3Client(): Promise<ConnectedS3> {
  const settings = s3Settings();
  const cacheKey = JSON.stringify(settings);
  let connected = clients.get(cacheKey);
  if (!connected) {
    connected = connect(settings);
    clients.set(cacheKey, connected);
    connected.catch(() => clients.delete(cacheKey));
  }
  return connected;
}

async function connect(settings: S3Settings): Promise<ConnectedS3> {
  // Loaded lazily: the SDK is large and local runs never need it.
  const sdk = await import("@aws-sdk/client-s3");
  const config: S3Sdk.S3ClientConfig = {
    region: settings.region,
    maxAttempts: settings.maxAttempts,
    ...(settings.endpoint ? { endpoint: settings.endpoint, forcePathStyle: true } : {}),
  };
  if (!settings.anonymous) {
    const signed = new sdk.S3Client(config);
    if (await hasCredentials(signed)) return { client: signed, sdk };
    signed.destroy();
  }
  return { client: new sdk.S3Client({ ...config, ...UNSIGNED }), sdk };
}

async function hasCredentials(client: S3Sdk.S3Client): Promise<boolean> {
  try {
    await client.config.credentials();
    return true;
  } catch {
    return false;
  }
}

/**
 * Unsigned requests, as `aws s3 --no-sign-request` sends them, for public buckets such as
 * s3://commoncrawl/. Every operation is offered smithy's "no auth" scheme only, whose identity
 * is empty and whose signer leaves the request as it is.
 */
const UNSIGNED: Pick<S3Sdk.S3ClientConfig, "httpAuthSchemeProvider" | "httpAuthSchemes"> = {
  httpAuthSchemeProvider: () => [{ schemeId: "smithy.api#noAuth" }],
  httpAuthSchemes: [
    {
      schemeId: "smithy.api#noAuth",
      identityProvider: () => async () => ({}),
      signer: { sign: async (request) => request },
    },
  ],
};
