/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header
 * naming each tensor's dtype, shape and byte range, then the raw little-endian tensor bytes.
 * Tensors are read one at a time from their byte range, never the whole file at once; F32, F16
 * and BF16 become float32. Written files hold F32 tensors in the order given.
 */
import { open, type FileHandle } from "node:fs/promises";
import { KilnError, writeAtomically } from "../../core/index.js";

export interface SafetensorsEntry {
  dtype: string;
  shape: number[];
  /** Byte range in the data section (after the header). */
  begin: number;
  end: number;
}

const BYTES_PER_ELEMENT: Record<string, number> = { F32: 4, F16: 2, BF16: 2, F64: 8, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };
/** Larger headers are not safetensors (the reference implementation caps them at 100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

/** An open safetensors file: its tensor index, and float32 reads of one tensor at a time. */
export class SafetensorsFile {
  private constructor(
    readonly file: string,
    private readonly handle: FileHandle,
    private readonly dataStart: number,
    readonly entries: Map<string, SafetensorsEntry>,
    readonly metadata: Record<string, string>,
  ) {}

  static async open(file: string): Promise<SafetensorsFile> {
    const handle = await open(file, "r");
    try {
      const size = (await handle.stat()).size;
      const prefix = Buffer.alloc(8);
      await handle.read(prefix, 0, 8, 0);
      const headerBytes = Number(prefix.readBigUInt64LE(0));
      if (size < 8 || headerBytes > MAX_HEADER_BYTES || 8 + headerBytes > size) {
        throw new KilnError("bad_checkpoint", `${file}: not a safetensors file (header of ${headerBytes} bytes in a ${size}-byte file)`);
      }
      const header = Buffer.alloc(headerBytes);
      await handle.read(header, 0, headerBytes, 8);
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(header.toString("utf8")) as Record<string, unknown>;
      } catch (error) {
        throw new KilnError("bad_checkpoint", `${file}: the safetensors header is not JSON (${(error as Error).message})`);
      }
      const dataBytes = size - 8 - headerBytes;
      const entries = new Map<string, SafetensorsEntry>();
      let metadata: Record<string, string> = {};
      for (const [name, value] of Object.entries(parsed)) {
        if (name === "__metadata__") {
          metadata = value as Record<string, string>;
          continue;
        }
        const { dtype, shape, data_offsets: offsets } = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
        const elements = Array.isArray(shape) && shape.every((n) => Number.isSafeInteger(n) && n >= 0) ? (shape as number[]).reduce((a, b) => a * b, 1) : -1;
        const width = typeof dtype === "string" ? BYTES_PER_ELEMENT[dtype] : undefined;
        const [begin, end] = Array.isArray(offsets) ? (offsets as number[]) : [];
        if (width === undefined || elements < 0 || !Number.isSafeInteger(begin) || !Number.isSafeInteger(end) || end! - begin! !== elements * width || end! > dataBytes) {
          throw new KilnError("bad_checkpoint", `${file}: tensor ${name}: dtype ${String(dtype)}, shape ${JSON.stringify(shape)} and data_offsets ${JSON.stringify(offsets)} do not fit the file`);
        }
        entries.set(name, { dtype: dtype as string, shape: shape as number[], begin: begin!, end: end! });
      }
      return new SafetensorsFile(file, handle, 8 + headerBytes, entries, metadata);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Tensor `name` as float32 values (row-major), read from disk now. */
  async read(name: string): Promise<Float32Array> {
    const entry = this.entries.get(name);
    if (!entry) throw new KilnError("bad_checkpoint", `${this.file}: no tensor ${name}`);
    const bytes = Buffer.alloc(entry.end - entry.begin);
    const { bytesRead } = await this.handle.read(bytes, 0, bytes.length, this.dataStart + entry.begin);
    if (bytesRead !== bytes.length) throw new KilnError("bad_checkpoint", `${this.file}: tensor ${name} is cut short`);
    return toFloat32(bytes, entry.dtype, `${this.file}: tensor ${name}`);
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

function toFloat32(bytes: Buffer, dtype: string, what: string): Float32Array {
  const count = bytes.length / BYTES_PER_ELEMENT[dtype]!;
  const out = new Float32Array(count);
  switch (dtype) {
    case "F32":
      for (let i = 0; i < count; i++) out[i] = bytes.readFloatLE(4 * i);
      return out;
    case "BF16": {
      // bfloat16 is the top half of a float32.
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) bits[i] = bytes.readUInt16LE(2 * i) << 16;
      return out;
    }
    case "F16":
      for (let i = 0; i < count; i++) out[i] = halfToFloat(bytes.readUInt16LE(2 * i));
      return out;
    default:
      throw new KilnError("bad_checkpoint", `${what}: dtype ${dtype} is not a float type (F32, F16, BF16)`);
  }
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** Writes F32 tensors, in the order given, with string metadata; atomically. */
export async function writeSafetensors(file: string, tensors: [string, { shape: number[]; values: Float32Array }][], metadata: Record<string, string> = {}): Promise<void> {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, { shape, values }] of tensors) {
    const elements = shape.reduce((a, b) => a * b, 1);
    if (elements !== values.length) throw new Error(`tensor ${name}: shape ${JSON.stringify(shape)} holds ${elements} values, given ${values.length}`);
    header[name] = { dtype: "F32", shape, data_offsets: [offset, offset + 4 * elements] };
    offset += 4 * elements;
  }
  let json = JSON.stringify(header);
  // The data section starts 8-byte aligned, as the reference writer pads it.
  json += " ".repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  await writeAtomically(file, async (stream) => {
    const write = (chunk: Uint8Array) => new Promise<void>((resolve, reject) => stream.write(chunk, (error) => (error ? reject(error) : resolve())));
    await write(prefix);
    await write(Buffer.from(json, "utf8"));
    for (const [, { values }] of tensors) {
      const bytes = Buffer.alloc(values.length * 4);
      for (let i = 0; i < values.length; i++) bytes.writeFloatLE(values[i]!, 4 * i);
      await write(bytes);
    }
  });
}
