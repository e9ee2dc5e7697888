/**
 * Random access to a file, for formats read from the end or by offsets (Parquet's footer and
 * column chunks): its size and any byte range, from a local path, http(s):// (Range requests) or
 * s3:// (ranged GetObject), with the storage layer's retries and resumption; every range of the
 * version the file had when it was opened (If-Match on its ETag), or an error saying it changed.
 */
import { open } from "node:fs/promises";
import { buffer } from "node:stream/consumers";
import { KilnError, errorMessage } from "../errors.js";
import { httpHead, isHttpUrl, openHttp } from "./http.js";
import { localPath } from "./local.js";
import { isS3Url, openS3, s3Head } from "./s3.js";

export interface RangedFile {
  size: number;
  /** Bytes [start, end). */
  read(start: number, end: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

export async function openRanged(path: string, signal?: AbortSignal): Promise<RangedFile> {
  if (isHttpUrl(path)) {
    const { size, version } = await httpHead(path, signal);
    return { size, read: (start, end) => remoteRange(openHttp(path, signal, { start, end, version }), start, end), close: async () => {} };
  }
  if (isS3Url(path)) {
    const { size, etag } = await s3Head(path);
    return { size, read: (start, end) => remoteRange(openS3(path, signal, { start, end, etag }), start, end), close: async () => {} };
  }
  const handle = await open(localPath(path), "r").catch((error: unknown) => {
    const code = (error as { code?: unknown }).code;
    throw new KilnError(code === "ENOENT" ? "not_found" : "read_error", code === "ENOENT" ? `${path}: no such file` : `${path}: ${errorMessage(error)}`);
  });
  const { size } = await handle.stat();
  return {
    size,
    async read(start, end) {
      const bytes = new Uint8Array(end - start);
      let done = 0;
      while (done < bytes.length) {
        const { bytesRead } = await handle.read(bytes, done, bytes.length - done, start + done);
        if (bytesRead === 0) throw new KilnError("read_error", `${path}: ended at byte ${start + done}, before ${end}`);
        done += bytesRead;
      }
      return bytes;
    },
    close: () => handle.close(),
  };
}

async function remoteRange(stream: NodeJS.ReadableStream, start: number, end: number): Promise<Uint8Array> {
  const bytes = await buffer(stream);
  if (bytes.length !== end - start) throw new KilnError("read_error", `asked for bytes ${start}-${end - 1}, got ${bytes.length} bytes`);
  return bytes;
}
