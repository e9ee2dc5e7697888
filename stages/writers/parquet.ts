/**
 * Documents as a Parquet file: columns `id`, `text`, `url`, `source` (strings; the last two null
 * when absent) and `meta` (the meta object as a JSON string, so documents with different meta keys
 * share one schema; the `parquet` reader spreads it back into `meta`). Documents are buffered
 * into row groups of `rowGroupDocs` documents or `rowGroupBytes` of text, whichever comes first,
 * and each row group is written out as soon as it is full, so memory holds one row group. Pages
 * are compressed with `codec`; the file is written under a temporary name (or as an s3 upload)
 * and published whole, like every output.
 */
import { once } from "node:events";
import type { Writable } from "node:stream";
import { gzipSync } from "node:zlib";
import { ByteWriter, ParquetWriter } from "hyparquet-writer";
import { z } from "zod";
import { type Doc, register } from "../../pipeline/index.js";
import { writeAtomically } from "../../core/index.js";

const params = z.object({
  codec: z.enum(["snappy", "gzip", "uncompressed"]).default("snappy").describe("page compression"),
  rowGroupDocs: z.number().int().positive().default(10_000).describe("most documents in a row group"),
  rowGroupBytes: z.number().int().positive().default(64 * 1024 * 1024).describe("most bytes of text (UTF-16 code units) in a row group"),
});
export type ParquetWriterParams = z.output<typeof params>;

const CODECS = { snappy: "SNAPPY", gzip: "GZIP", uncompressed: "UNCOMPRESSED" } as const;

const SCHEMA = [
  { name: "root", num_children: 5 },
  { name: "id", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "REQUIRED" },
  { name: "text", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "REQUIRED" },
  { name: "url", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" },
  { name: "source", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" },
  { name: "meta", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "REQUIRED" },
] as const;

/** hyparquet-writer's byte sink, emptied into `out` after every row group (its offsets keep counting). */
function streamingSink(out: Writable): ByteWriter {
  // ParquetWriter awaits flush() after each row group and finish() at the end (hyparquet-writer's Writer).
  const sink: ByteWriter & { flush?: () => Promise<void> } = new ByteWriter();
  const drain = async () => {
    if (sink.index === 0) return;
    const chunk = Buffer.from(sink.buffer.slice(0, sink.index));
    sink.index = 0;
    if (!out.write(chunk)) await once(out, "drain");
  };
  sink.flush = drain;
  sink.finish = drain;
  return sink;
}

class RowGroup {
  ids: string[] = [];
  texts: string[] = [];
  urls: (string | null)[] = [];
  sources: (string | null)[] = [];
  metas: string[] = [];
  textChars = 0;

  add(doc: Doc): void {
    this.ids.push(doc.id);
    this.texts.push(doc.text);
    this.urls.push(doc.url ?? null);
    this.sources.push(doc.source ?? null);
    this.metas.push(JSON.stringify(doc.meta ?? {}));
    this.textChars += doc.text.length;
  }

  columns() {
    return [
      { name: "id", data: this.ids },
      { name: "text", data: this.texts },
      { name: "url", data: this.urls },
      { name: "source", data: this.sources },
      { name: "meta", data: this.metas },
    ];
  }
}

export async function writeParquet(docs: AsyncIterable<Doc>, file: string, p: ParquetWriterParams): Promise<void> {
  await writeAtomically(file, async (stream) => {
    const writer = new ParquetWriter({ writer: streamingSink(stream), schema: SCHEMA.map((e) => ({ ...e })), codec: CODECS[p.codec], compressors: { GZIP: (bytes: Uint8Array) => gzipSync(bytes) }, createdBy: "kiln" });
    let group = new RowGroup();
    const flushGroup = async () => {
      if (group.ids.length === 0) return;
      await writer.write({ columnData: group.columns(), rowGroupSize: group.ids.length });
      group = new RowGroup();
    };
    for await (const doc of docs) {
      group.add(doc);
      if (group.ids.length >= p.rowGroupDocs || group.textChars >= p.rowGroupBytes) await flushGroup();
    }
    await flushGroup();
    await writer.finish();
  });
}

register({
  kind: "writer",
  name: "parquet",
  description: "Parquet: columns id, text, url, source and meta (JSON), in row groups written as they fill",
  params,
  create: (p) => ({ name: "parquet", extension: ".parquet", write: (docs, file) => writeParquet(docs, file, p) }),
});
