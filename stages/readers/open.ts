import type { TaskContext } from "../../pipeline/doc.js";
import { openRead } from "../../pipeline/io/storage.js";

/**
 * An input file's bytes for `reader`, decompressed by its extension. Damage in a `.gz` file (a
 * corrupt member, bytes that are not gzip data) is counted as `corrupt_gzip` and logged with the
 * offset, and reading goes on at the next intact member.
 */
export async function openInput(file: string, reader: string, ctx: TaskContext): Promise<AsyncIterable<Uint8Array>> {
  return openRead(file, {
    onDamage(damage) {
      ctx.skip(reader, "corrupt_gzip");
      ctx.log(`${reader}: ${file} at compressed offset ${damage.offset}: corrupt_gzip: ${damage.detail}`);
    },
  });
}
