import type { Readable } from "node:stream";
import type { TaskContext } from "../../pipeline/index.js";
import { openRead, readChunks, type ReadOptions } from "../../core/index.js";

/**
 * Damage in a `.gz` input (a corrupt member, bytes that are not gzip data) is counted as
 * `corrupt_gzip` and logged with the offset, and reading goes on at the next intact member; in a
 * `.zst` input (corrupt or cut short), as `corrupt_zstd`, and the file ends there, its records
 * before the damage read.
 */
function countingDamage(file: string, reader: string, ctx: TaskContext): ReadOptions {
  return {
    onDamage(damage) {
      const reason = `corrupt_${damage.format}`;
      ctx.skip(reader, reason);
      ctx.log(`${reader}: ${file} at compressed offset ${damage.offset}: ${reason}: ${damage.detail}`);
    },
  };
}

/** An input file's bytes for `reader`, decompressed by its extension, as chunks. */
export function openInput(file: string, reader: string, ctx: TaskContext): Promise<AsyncIterable<Uint8Array>> {
  return readChunks(file, countingDamage(file, reader, ctx));
}

/** An input file as UTF-8 text, for a reader of lines. */
export async function openTextInput(file: string, reader: string, ctx: TaskContext): Promise<Readable> {
  const stream = await openRead(file, countingDamage(file, reader, ctx));
  stream.setEncoding("utf8");
  return stream;
}
