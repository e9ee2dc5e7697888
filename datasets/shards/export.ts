/**
 * Export to the nanoGPT / llm.c `.bin` format so the tokens can be trained on elsewhere: a
 * 256 x int32 header (magic 20240520, version 1, token count), then the tokens as uint16 little
 * endian, documents end to end (each already ends with the end-of-document id).
 */
import { KilnError, openWriteAtomic } from "../../core/index.js";
import type { ShardSelection, TokenShards } from "./reader.js";

export const LLMC_MAGIC = 20240520;
export const LLMC_VERSION = 1;

export async function exportLlmcBin(shards: TokenShards, selection: ShardSelection, outPath: string): Promise<number> {
  if (shards.manifest.dtype !== "uint16") {
    throw new KilnError("unsupported", `${outPath}: llm.c .bin holds uint16 tokens; this dataset's vocab (${shards.manifest.tokenizer.vocabSize}) needs uint32`);
  }
  const total = shards.select(selection).reduce((n, s) => n + s.tokens, 0);
  if (total > 0x7fffffff) throw new KilnError("unsupported", `${outPath}: ${total} tokens overflow the int32 header; export fewer shards`);
  const header = new Int32Array(256);
  header[0] = LLMC_MAGIC;
  header[1] = LLMC_VERSION;
  header[2] = total;
  const writer = openWriteAtomic(outPath);
  const write = (bytes: Uint8Array) =>
    new Promise<void>((resolve, reject) => writer.stream.write(bytes, (error) => (error ? reject(error) : resolve())));
  try {
    await write(new Uint8Array(header.buffer));
    for await (const doc of shards.stream(selection)) {
      // Copy: the view may be unaligned or not uint16 in memory order on a big-endian host.
      const tokens = Uint16Array.from(doc.tokens);
      await write(new Uint8Array(tokens.buffer));
    }
    await writer.commit();
  } catch (error) {
    await writer.abort();
    throw error;
  }
  return total;
}
