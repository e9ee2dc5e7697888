import { Readable } from "node:stream";
import type * as S3Sdk from "@aws-sdk/client-s3";
import { KilnError, errorMessage } from "../errors.js";
import { globToRegExp, literalPrefix } from "./glob.js";
import { emptyBody, resumableBytes, type OpenAt } from "./resumable.js";
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
 * The raw bytes of an object. The SDK retries failed requests; a body cut off midway is
 * resumed here with a Range request.
 */
export function openS3(url: string, signal?: AbortSignal): Readable {
  const { bucket, key } = parseS3Url(url);
  const openAt: OpenAt = async (offset) => {
    const { client, sdk } = await s3Client();
    const command = new sdk.GetObjectCommand({
      Bucket: bucket,
      Key: key,
      Range: offset > 0 ? `bytes=${offset}-` : undefined,
    });
    try {
      const response = await client.send(command, { abortSignal: signal });
      const body = response.Body;
      if (!(body instanceof Readable)) throw new Error("the SDK returned a non-stream body");
      return { body, start: offset };
    } catch (error) {
      // Asked to resume exactly at the end: the break came after the last byte.
      if (offset > 0 && errorName(error) === "InvalidRange") return { body: emptyBody(), start: offset };
      throw s3Error(url, error);
    }
  };
  return Readable.from(resumableBytes(url, openAt, signal), { objectMode: false });
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

/** A KilnError: the SDK already retried, so the resumable reader must not retry again. */
function s3Error(url: string, error: unknown): Error {
  if (error instanceof Error && error.name === "AbortError") return error;
  const name = errorName(error);
  if (name === "NoSuchKey" || name === "NotFound") return new KilnError("not_found", `${url}: no such object`);
  if (name === "NoSuchBucket") return new KilnError("not_found", `${url}: no such bucket`);
  return new KilnError("s3_error", `${url}: ${errorMessage(error) || name || "unknown error"}`);
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
