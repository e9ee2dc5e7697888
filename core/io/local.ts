import { randomBytes } from "node:crypto";
import { createWriteStream, mkdirSync } from "node:fs";
import { access, open, rename, stat, unlink, type FileHandle } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { Readable, Writable } from "node:stream";
import { finished, pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { glob, isDynamicPattern } from "tinyglobby";
import { KilnError, errorMessage, systemError } from "../errors.js";
import { compressionOf, compressor } from "./compression.js";

/** Whether a local file or folder exists (and is reachable). */
export function fileExists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** A `file://` URL as a path; anything else as it is. */
export function localPath(path: string): string {
  return /^file:\/\//i.test(path) ? fileURLToPath(path) : path;
}

/** Absolute paths of the files a path or glob names. */
export async function listLocal(pattern: string): Promise<string[]> {
  const path = localPath(pattern);
  if (!isDynamicPattern(path)) {
    // A plain path is checked directly: glob syntax would misread names with "[" or "{".
    const stats = await stat(path).catch(() => undefined);
    return stats?.isFile() ? [resolve(path)] : [];
  }
  return glob(path, { absolute: true, onlyFiles: true, expandDirectories: false });
}

/** Opened here rather than by a stream, so a missing file rejects the call that opens it. */
function openHandle(path: string): Promise<FileHandle> {
  return open(localPath(path), "r").catch((error: unknown) => {
    const code = (error as { code?: unknown }).code;
    if (code === "ENOENT") throw new KilnError("not_found", `${path}: no such file`);
    throw new KilnError("read_error", `${path}: ${errorMessage(error)}`);
  });
}

export async function openLocal(path: string): Promise<Readable> {
  return (await openHandle(path)).createReadStream();
}

/** Bytes per read of `readLocal`. */
const READ_AHEAD_BYTES = 1 << 18;

/**
 * A local file's bytes, with the next read in flight while the caller handles a chunk. A read
 * stream only reads again once its buffer is taken, so a consumer that works per chunk waits for
 * every read; this one does not.
 */
export async function readLocal(path: string): Promise<AsyncIterable<Uint8Array>> {
  const handle = await openHandle(path);
  const read = (position: number) => handle.read(Buffer.allocUnsafe(READ_AHEAD_BYTES), 0, READ_AHEAD_BYTES, position);
  return (async function* () {
    let pending = read(0);
    try {
      let position = 0;
      for (;;) {
        let result: { bytesRead: number; buffer: Buffer };
        try {
          result = await pending;
        } catch (error) {
          throw new KilnError("read_error", `${path}: ${errorMessage(error)}`);
        }
        if (result.bytesRead === 0) return;
        position += result.bytesRead;
        pending = read(position);
        yield result.buffer.subarray(0, result.bytesRead);
      }
    } finally {
      // The read in flight must end before the handle closes.
      await pending.catch(() => undefined);
      await handle.close();
    }
  })();
}

export interface AtomicWrite {
  /** Takes uncompressed bytes; compression follows the target's extension. */
  stream: Writable;
  /** Ends the stream, waits until the bytes are on disk, then renames onto the target. */
  commit(): Promise<void>;
  /** Drops everything written; the target is left untouched. */
  abort(): Promise<void>;
}

/**
 * Writes to `<path>.tmp-<pid>-<random>` and renames onto `path` on commit, so readers and
 * reruns never see a half-written file under the real name. Compression follows the extension
 * unless `raw`.
 */
export function openLocalWriteAtomic(path: string, options: { level?: number; raw?: boolean } = {}): AtomicWrite {
  const target = resolve(localPath(path));
  mkdirSync(dirname(target), { recursive: true });
  const temporary = `${target}.tmp-${process.pid}-${randomBytes(6).toString("hex")}`;
  // flush: fsync before close, so the rename never publishes a file whose bytes are not on disk.
  const file = createWriteStream(temporary, { flags: "wx", flush: true });
  // A failed write (disk full) carries no path: name the file being written.
  file.on("error", (error: NodeJS.ErrnoException) => (error.path ??= target));
  // raw: the caller writes the file's final bytes itself (a WARC of gzip members, say).
  const encoder = options.raw ? undefined : compressor(compressionOf(target), options.level);
  const stream = encoder ?? file;
  const done = encoder ? pipeline(encoder, file) : finished(file);
  // Observed by commit(); without this, an early failure would be an unhandled rejection.
  done.catch(() => undefined);
  let state: "open" | "committed" | "aborted" = "open";

  const removeTemporary = async () => {
    await unlink(temporary).catch(() => undefined);
  };

  return {
    stream,
    async commit() {
      if (state !== "open") throw new KilnError("write_error", `${path}: already ${state}`);
      state = "committed";
      // The caller may have ended it already, e.g. by piping into it.
      if (!stream.writableEnded) stream.end();
      try {
        await done;
        await whenClosed(file);
        await rename(temporary, target);
      } catch (error) {
        await removeTemporary();
        throw systemError(error, path) ?? new KilnError("write_error", `${path}: ${errorMessage(error)}`);
      }
      await syncDirectory(dirname(target));
    },
    async abort() {
      if (state !== "open") return;
      state = "aborted";
      stream.destroy();
      file.destroy();
      await done.catch(() => undefined);
      // The file may still be opening; unlinking before it closes would leave it behind.
      await whenClosed(file);
      await removeTemporary();
    },
  };
}

/** Resolves once the file descriptor is closed (after the flush's fsync). */
function whenClosed(stream: Writable): Promise<void> {
  if (stream.closed) return Promise.resolve();
  return new Promise((resolve) => stream.once("close", () => resolve()));
}

/** Makes the rename itself durable; best effort, as some file systems refuse to fsync a folder. */
async function syncDirectory(folder: string): Promise<void> {
  const handle = await open(folder, "r").catch(() => undefined);
  if (!handle) return;
  await handle.sync().catch(() => undefined);
  await handle.close();
}
