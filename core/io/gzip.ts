/**
 * Internal: gzip decoding that survives damage. A gzip file is a sequence of members (Common Crawl
 * writes one per WARC record); Node's gunzip stops silently at bytes that are not a member
 * (zero padding, garbage between two joined files) and, at a corrupt member, fails and drops the
 * output it had already inflated. This decoder reads member by member instead: it checks each
 * member's header, CRC-32 and length, reports every damaged member and every run of bytes that
 * is not gzip data (runs of zero bytes are padding), and goes on at the next member header.
 */
import zlib from "node:zlib";

/** Bytes of the compressed file that did not decode; what they held is lost. */
export interface GzipDamage {
  /** Offset in the compressed file where the damage starts. */
  offset: number;
  detail: string;
}

/**
 * The most compressed bytes gathered to inflate a member in one call; a larger member is streamed.
 * A member is first tried on what is buffered (most fit in one read chunk), then on twice as much.
 */
const WINDOW_BYTES = 1 << 20;
/** Output of one in-memory inflate; a bigger member is streamed (this also bounds gzip bombs). */
const MAX_INFLATE_BYTES = 64 << 20;
const TRAILER_BYTES = 8;
const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;
const RESERVED_FLAGS = 0xe0;

/** The compressed bytes not yet decoded, pulled from the source on demand. */
class Pending {
  private buffer: Buffer = Buffer.alloc(0);
  /** Offset in the file of buffer[0]. */
  offset = 0;
  ended = false;

  constructor(private readonly source: AsyncIterator<Uint8Array>) {}

  get length(): number {
    return this.buffer.length;
  }

  byte(at: number): number {
    return this.buffer[at]!;
  }

  view(start = 0, end = this.buffer.length): Buffer {
    return this.buffer.subarray(start, end);
  }

  /** Pulls chunks until `length` bytes are buffered or the source ends; false if it ended short. */
  async fill(length: number): Promise<boolean> {
    const parts = [this.buffer];
    let have = this.buffer.length;
    while (have < length && !this.ended) {
      const chunk = await this.next();
      if (chunk === null) break;
      parts.push(chunk);
      have += chunk.length;
    }
    if (parts.length > 1) this.buffer = Buffer.concat(parts, have);
    return have >= length;
  }

  /** The next source chunk, bypassing the buffer (for streaming a large member), or null at the end. */
  async next(): Promise<Buffer | null> {
    while (!this.ended) {
      const result = await this.source.next();
      if (result.done) {
        this.ended = true;
        break;
      }
      const value = result.value;
      if (value.length > 0) return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    }
    return null;
  }

  consume(length: number): void {
    this.buffer = this.buffer.subarray(length);
    this.offset += length;
  }

  /** Replaces the buffer with `bytes`, which start at file offset `offset`. */
  reset(bytes: Buffer, offset: number): void {
    this.buffer = bytes;
    this.offset = offset;
  }
}

/**
 * The decompressed bytes of a gzip stream. `onDamage` hears of each damaged region once, in order;
 * decoding goes on after it. Zero bytes after the last member are padding, not damage.
 */
export async function* gunzipMembers(
  source: AsyncIterable<Uint8Array>,
  onDamage: (damage: GzipDamage) => void,
): AsyncGenerator<Buffer> {
  const iterator = source[Symbol.asyncIterator]();
  const pending = new Pending(iterator);
  // After damage, the bytes skipped to reach the next member belong to that damage.
  let resyncing = false;
  const damaged = (offset: number, detail: string) => {
    if (!resyncing) onDamage({ offset, detail });
    resyncing = true;
  };
  try {
    for (;;) {
      const skipped = await seekMember(pending);
      // Zero bytes are padding (some writers align members); anything else is damage.
      if (skipped.bytes > 0 && !skipped.zeros) damaged(skipped.from, `${skipped.bytes} bytes that are not gzip data`);
      if (pending.length === 0) return;

      const start = pending.offset;
      const header = await readHeader(pending);
      if (typeof header === "string") {
        damaged(start, header);
        pending.consume(1);
        continue;
      }
      const member = await inflateMember(pending, header);
      for (const chunk of member.output) yield chunk;
      if (member.streamed) {
        const result = yield* member.streamed;
        if (typeof result === "string") {
          damaged(start, result);
          continue;
        }
      } else if (member.problem) {
        damaged(start, member.problem);
        continue;
      }
      resyncing = false;
    }
  } finally {
    await iterator.return?.();
  }
}

interface Skipped {
  bytes: number;
  from: number;
  /** Every skipped byte was zero. */
  zeros: boolean;
}

/** Consumes bytes up to the next member header (1f 8b 08) or the end of the data. */
async function seekMember(pending: Pending): Promise<Skipped> {
  const skipped: Skipped = { bytes: 0, from: pending.offset, zeros: true };
  const magic = Buffer.from([0x1f, 0x8b, 0x08]);
  for (;;) {
    await pending.fill(3);
    if (pending.length === 0) return skipped;
    const found = pending.view().indexOf(magic);
    // Without a match, keep the last two bytes: they may be the start of a header.
    const drop = found >= 0 ? found : pending.ended ? pending.length : Math.max(0, pending.length - 2);
    if (drop > 0) {
      const dropped = pending.view(0, drop);
      if (skipped.zeros && dropped.some((byte) => byte !== 0)) skipped.zeros = false;
      skipped.bytes += drop;
      pending.consume(drop);
    }
    if (found >= 0) return skipped;
    if (pending.ended && pending.length === 0) return skipped;
    if (!(await pending.fill(pending.length + 1))) {
      // Fewer than three bytes left and none of them start a header.
      const rest = pending.view();
      if (skipped.zeros && rest.some((byte) => byte !== 0)) skipped.zeros = false;
      skipped.bytes += rest.length;
      pending.consume(rest.length);
      return skipped;
    }
  }
}

/** Length of the member header at the start of `pending`, or why it is not one. */
async function readHeader(pending: Pending): Promise<number | string> {
  if (!(await pending.fill(10))) return "the data ends inside a gzip header";
  const flags = pending.byte(3);
  if (flags & RESERVED_FLAGS) return "gzip header with reserved flags set";
  let at = 10;
  if (flags & FEXTRA) {
    if (!(await pending.fill(at + 2))) return "the data ends inside a gzip header";
    at += 2 + pending.view().readUInt16LE(at);
  }
  for (const flag of [FNAME, FCOMMENT]) {
    if (!(flags & flag)) continue;
    // A zero-terminated string; bounded so that garbage cannot make the header unbounded.
    for (;;) {
      if (!(await pending.fill(at + 1))) return "the data ends inside a gzip header";
      if (pending.byte(at++) === 0) break;
      if (at > 1 << 16) return "gzip header field over 64 KiB";
    }
  }
  if (flags & FHCRC) at += 2;
  if (!(await pending.fill(at))) return "the data ends inside a gzip header";
  return at;
}

interface Member {
  /** Output already inflated (the whole member, unless it is streamed). */
  output: Buffer[];
  /** Why the member is damaged (its output, if any, was still returned). */
  problem?: string;
  /** For a member too large to inflate at once: yields its output, returns a problem or nothing. */
  streamed?: AsyncGenerator<Buffer, string | undefined>;
}

/**
 * Inflates the member whose header (of `headerBytes`) starts `pending`, and consumes it. A member
 * that fits in the window is inflated in one call; a larger one is streamed.
 */
async function inflateMember(pending: Pending, headerBytes: number): Promise<Member> {
  let data: Buffer;
  let inflated: { buffer: Buffer; engine: zlib.InflateRaw };
  for (;;) {
    data = pending.view(headerBytes);
    try {
      inflated = zlib.inflateRawSync(data, {
        info: true,
        finishFlush: zlib.constants.Z_SYNC_FLUSH,
        maxOutputLength: MAX_INFLATE_BYTES,
      }) as unknown as { buffer: Buffer; engine: zlib.InflateRaw };
    } catch (error) {
      if (error instanceof RangeError) return { output: [], streamed: streamMember(pending, headerBytes) };
      // Corrupt data, unless it is a member cut by the end of what is buffered so far.
      if (!pending.ended && data.length < WINDOW_BYTES && /unexpected end/i.test((error as Error).message)) {
        await pending.fill(headerBytes + Math.max(2 * data.length, 1 << 16));
        continue;
      }
      pending.consume(1);
      return { output: [], problem: `corrupt gzip member: ${(error as Error).message}` };
    }
    // The deflate stream ended inside what is buffered: the member is whole.
    if (inflated.engine.bytesWritten < data.length || pending.ended) break;
    if (data.length >= WINDOW_BYTES) return { output: [], streamed: streamMember(pending, headerBytes) };
    await pending.fill(headerBytes + Math.max(2 * data.length, 1 << 16));
  }
  const used = inflated.engine.bytesWritten;
  if (used >= data.length) {
    pending.consume(pending.length);
    return { output: [inflated.buffer], problem: "the data ends inside a gzip member" };
  }
  const end = headerBytes + used;
  if (!(await pending.fill(end + TRAILER_BYTES))) {
    pending.consume(pending.length);
    return { output: [inflated.buffer], problem: "the data ends inside a gzip trailer" };
  }
  const problem = trailerProblem(pending.view(end, end + TRAILER_BYTES), zlib.crc32(inflated.buffer), inflated.buffer.length);
  if (problem) {
    pending.consume(1);
    return { output: [], problem };
  }
  pending.consume(end + TRAILER_BYTES);
  return { output: [inflated.buffer] };
}

function trailerProblem(trailer: Buffer, crc: number, size: number): string | undefined {
  if (trailer.readUInt32LE(0) !== crc >>> 0) return "gzip member fails its CRC-32 check";
  if (trailer.readUInt32LE(4) !== size % 2 ** 32) return "gzip member length does not match its trailer";
  return undefined;
}

/**
 * Streams a large member through zlib: yields its output as it comes, keeps only the compressed
 * bytes zlib has not yet consumed, and leaves `pending` at the byte after the member (or, on
 * damage, at the first byte it still holds).
 */
async function* streamMember(pending: Pending, headerBytes: number): AsyncGenerator<Buffer, string | undefined> {
  const inflate = zlib.createInflateRaw();
  const dataStart = pending.offset + headerBytes;
  // Compressed chunks written to zlib, from `heldFrom` on, not yet known to be consumed.
  let held: Buffer[] = [pending.view(headerBytes)];
  let heldFrom = dataStart;
  pending.reset(Buffer.alloc(0), dataStart);
  let finished = false;
  let complete = false;
  let failure: Error | undefined;
  // Once the output has ended, the iterator destroys the stream (its input side still open): no failure.
  inflate.on("end", () => (complete = true));
  inflate.on("error", (error) => {
    if (!complete) failure ??= error;
  });
  const drop = () => {
    // Chunks that end before what zlib has consumed are no longer needed.
    const consumed = dataStart + inflate.bytesWritten;
    while (held.length > 0 && heldFrom + held[0]!.length <= consumed) {
      heldFrom += held[0]!.length;
      held = held.slice(1);
    }
  };
  const feeder = (async () => {
    let chunk: Buffer | null = held[0]!;
    while (chunk !== null && !finished && !failure) {
      const accepted = inflate.write(chunk);
      if (!accepted) await new Promise<void>((resolve) => {
        const done = () => {
          inflate.off("drain", done).off("close", done).off("end", done).off("error", done);
          resolve();
        };
        inflate.on("drain", done).on("close", done).on("end", done).on("error", done);
      });
      drop();
      if (finished || failure) break;
      chunk = await pending.next();
      if (chunk !== null) held.push(chunk);
    }
    if (chunk === null && !finished && !failure) inflate.end();
  })();

  let crc = 0;
  let size = 0;
  try {
    for await (const output of inflate as AsyncIterable<Buffer>) {
      crc = zlib.crc32(output, crc);
      size += output.length;
      yield output;
    }
  } catch (error) {
    if (!complete) failure ??= error as Error;
  } finally {
    finished = true;
  }
  await feeder;
  if (failure) {
    inflate.destroy();
    // Resume at the first byte still held after the member start.
    const rest = Buffer.concat(held);
    const from = Math.max(heldFrom, dataStart);
    pending.reset(rest.subarray(from - heldFrom), from);
    const detail = /unexpected end/i.test(failure.message) ? "the data ends inside a gzip member" : `corrupt gzip member: ${failure.message}`;
    return detail;
  }
  const end = dataStart + inflate.bytesWritten;
  const rest = Buffer.concat(held).subarray(end - heldFrom);
  pending.reset(rest, end);
  if (!(await pending.fill(TRAILER_BYTES))) {
    pending.consume(pending.length);
    return "the data ends inside a gzip trailer";
  }
  const problem = trailerProblem(pending.view(0, TRAILER_BYTES), crc, size);
  pending.consume(TRAILER_BYTES);
  return problem;
}
