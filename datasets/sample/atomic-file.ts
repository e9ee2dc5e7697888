import type { Writable } from "node:stream";
import { openLocalWriteAtomic, type AtomicWrite } from "../../core/index.js";

const FLUSH_BYTES = 256 * 1024;

/**
 * A file written through the atomic local writer (a temporary name renamed into place on close),
 * its bytes as given whatever the extension. Small writes are batched and each batch waits for the
 * stream to drain, so memory stays bounded.
 */
export class AtomicFileWriter {
  private readonly file: AtomicWrite;
  private readonly stream: Writable;
  private failure: Error | null = null;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;

  constructor(readonly path: string) {
    this.file = openLocalWriteAtomic(path, { raw: true });
    this.stream = this.file.stream;
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
    if (this.failure) throw this.failure;
    await this.file.commit();
  }

  /** Drops the temporary file; the final name is never created. */
  async abort(): Promise<void> {
    await this.file.abort();
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
