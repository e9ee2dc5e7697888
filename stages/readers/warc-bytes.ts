/**
 * Internal: a pull reader over a stream of byte chunks, for the WARC record parser. It keeps
 * only what the parser has asked for but not consumed (at most one line or one block), tracks
 * the absolute offset, and can push bytes back so the parser can rescan a block that turned out
 * to hold the next record.
 */

const LF = 0x0a;

export class ByteReader {
  private buffer: Buffer = Buffer.alloc(0);
  private position = 0;
  private done = false;
  /** Offset in the stream of the next unconsumed byte. */
  offset = 0;
  /** The error the source threw, if it ended that way; the reader then behaves as at EOF. */
  sourceError: unknown = undefined;

  constructor(private readonly source: AsyncIterator<Uint8Array>) {}

  private get available(): number {
    return this.buffer.length - this.position;
  }

  /** Pulls one more chunk into the buffer; false at the end of the source. */
  private async fill(): Promise<boolean> {
    while (!this.done) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await this.source.next();
      } catch (error) {
        this.sourceError = error;
        this.done = true;
        return false;
      }
      if (next.done) {
        this.done = true;
        return false;
      }
      const chunk = toBuffer(next.value);
      if (chunk.length === 0) continue;
      this.buffer = this.available === 0 ? chunk : Buffer.concat([this.buffer.subarray(this.position), chunk]);
      this.position = 0;
      return true;
    }
    return false;
  }

  /** True when nothing is left to read. */
  async atEnd(): Promise<boolean> {
    return this.available === 0 && !(await this.fill());
  }

  /**
   * The next line (as `readLine`) if the buffer already holds it, without waiting: most header
   * lines are there, and a parser that takes them this way avoids a promise per line. Undefined
   * when more bytes are needed.
   */
  bufferedLine(maxLength: number): Buffer | undefined {
    const lf = this.buffer.indexOf(LF, this.position);
    if (lf >= 0 && lf - this.position < maxLength) return this.take(lf + 1 - this.position);
    if (this.available >= maxLength) return this.take(maxLength);
    return undefined;
  }

  /**
   * The bytes up to and including the next LF; at most `maxLength` bytes (then without the LF,
   * and the caller is mid-line). Null at the end of the stream.
   */
  async readLine(maxLength: number): Promise<Buffer | null> {
    let searchFrom = this.position;
    for (;;) {
      const lf = this.buffer.indexOf(LF, searchFrom);
      if (lf >= 0 && lf - this.position < maxLength) return this.take(lf + 1 - this.position);
      if (this.available >= maxLength) return this.take(maxLength);
      searchFrom = this.buffer.length;
      const before = this.position;
      if (!(await this.fill())) return this.available > 0 ? this.take(this.available) : null;
      searchFrom -= before; // fill() moved the unconsumed bytes to the start of the buffer
    }
  }

  /** Up to `length` bytes; fewer only at the end of the stream. */
  async read(length: number): Promise<Buffer> {
    if (this.available >= length) return this.take(length);
    const parts: Buffer[] = [this.take(this.available)];
    let have = parts[0]!.length;
    while (have < length && (await this.fill())) {
      const part = this.take(Math.min(length - have, this.available));
      parts.push(part);
      have += part.length;
    }
    return Buffer.concat(parts, have);
  }

  /** Discards up to `length` bytes without keeping them; returns how many were discarded. */
  async skip(length: number): Promise<number> {
    let skipped = 0;
    for (;;) {
      const step = Math.min(length - skipped, this.available);
      this.take(step);
      skipped += step;
      if (skipped >= length || !(await this.fill())) return skipped;
    }
  }

  /** Up to `length` bytes without consuming them. */
  async peek(length: number): Promise<Buffer> {
    while (this.available < length && (await this.fill()));
    return this.buffer.subarray(this.position, this.position + Math.min(length, this.available));
  }

  /** The bytes already buffered and not consumed, without waiting or copying. */
  buffered(): Buffer {
    return this.buffer.subarray(this.position);
  }

  /** Consumes `length` bytes of `buffered()`. */
  consume(length: number): void {
    if (length > this.available) throw new RangeError(`cannot consume ${length} bytes: ${this.available} are buffered`);
    this.take(length);
  }

  /** Puts bytes back in front of the stream; they are read again next. */
  unshift(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.buffer = Buffer.concat([toBuffer(bytes), this.buffer.subarray(this.position)]);
    this.position = 0;
    this.offset -= bytes.length;
  }

  private take(length: number): Buffer {
    const bytes = this.buffer.subarray(this.position, this.position + length);
    this.position += length;
    this.offset += length;
    if (this.position === this.buffer.length) {
      this.buffer = Buffer.alloc(0);
      this.position = 0;
    }
    return bytes;
  }
}

function toBuffer(bytes: Uint8Array | string): Buffer {
  if (typeof bytes === "string") return Buffer.from(bytes, "latin1");
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
