import { once } from "node:events";
import { z } from "zod";
import { type Doc, serializeDoc, register } from "../../pipeline/index.js";
import { writeAtomically } from "../../core/index.js";

const params = z.object({
  compression: z.enum(["gzip", "zstd", "none"]).default("gzip").describe("output compression"),
  level: z.number().int().optional().describe("compression level; default: gzip 6, zstd 3"),
});

const extensions = { gzip: ".jsonl.gz", zstd: ".jsonl.zst", none: ".jsonl" } as const;

/** Writes documents as JSON Lines to a temporary file, renamed onto `file` once complete. */
export async function writeJsonl(docs: AsyncIterable<Doc>, file: string, level?: number): Promise<void> {
  await writeAtomically(
    file,
    async (stream) => {
      let batch = "";
      for await (const doc of docs) {
        batch += serializeDoc(doc) + "\n";
        // Batching amortises stream overhead; waiting on drain keeps memory bounded.
        if (batch.length >= 1 << 16) {
          if (!stream.write(batch)) await once(stream, "drain");
          batch = "";
        }
      }
      if (batch.length > 0) stream.write(batch);
    },
    level === undefined ? {} : { level },
  );
}

register({
  kind: "writer",
  name: "jsonl",
  description: "JSON Lines documents, one Doc per line, compressed by `compression`",
  params,
  create: (p) => ({
    name: "jsonl",
    extension: extensions[p.compression],
    write: (docs, file) => writeJsonl(docs, file, p.level),
  }),
});
