import { createWriteStream, type WriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { finished } from "node:stream/promises";

const FLUSH_BYTES = 256 * 1024;

/**
 * A file written through a temporary name and renamed into place on close, so a reader never
 * sees half a file. Writes are batched and wait for the stream to drain, so memory stays bounded.
 */
export class AtomicFileWriter {
  readonly path: string;
  private readonly tmpPath: string;
  private readonly stream: WriteStream;
  private failure: Error | null = null;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;

  constructor(path: string) {
    this.path = path;
    this.tmpPath = `${path}.tmp-${process.pid}`;
    this.stream = createWriteStream(this.tmpPath);
    this.stream.on("error", (err) => {
      this.failure ??= err;
    });
  }

  async write(chunk: Uint8Array | string): Promise<void> {
    if (this.failure) throw this.failure;
    const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (this.pendingBytes >= FLUSH_BYTES) await this.flush();
  }

  /** Flushes, closes and renames the temporary file to its final name. */
  async close(): Promise<void> {
    await this.flush();
    this.stream.end();
    await finished(this.stream);
    if (this.failure) throw this.failure;
    await rename(this.tmpPath, this.path);
  }

  /** Drops the temporary file; the final name is never created. */
  async abort(): Promise<void> {
    this.stream.destroy();
    await rm(this.tmpPath, { force: true });
  }

  // Small records are gathered into one write of about FLUSH_BYTES: one syscall per record is slow.
  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const data = this.pending.length === 1 ? (this.pending[0] as Uint8Array) : Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    if (!this.stream.write(data)) await this.drain();
  }

  private drain(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onDrain = (): void => {
        this.stream.off("error", onError);
        resolve();
      };
      const onError = (err: Error): void => {
        this.stream.off("drain", onDrain);
        reject(err);
      };
      this.stream.once("drain", onDrain);
      this.stream.once("error", onError);
    });
  }
}
