import { z } from "zod";
import { type Doc, type TaskContext, register } from "../../pipeline/index.js";
import { openInput } from "./open.js";
import { WARC_TYPES, recordId, targetUri, warcFileName, warcRecordsOf } from "./warc.js";

export const wetReaderParams = z.object({});

/**
 * The documents of one WET stream (decompressed bytes): one per `conversion` record, whose
 * block is the text a crawler already extracted, in UTF-8.
 */
export async function* wetDocs(bytes: AsyncIterable<Uint8Array>, file: string, ctx: TaskContext): AsyncGenerator<Doc> {
  const warcFile = warcFileName(file);
  const utf8 = new TextDecoder("utf-8");
  for await (const record of warcRecordsOf(bytes, file, "wet", ctx)) {
    const type = record.headers.get("WARC-Type");
    if (type === undefined || !WARC_TYPES.has(type.toLowerCase())) {
      const problem = type === undefined ? "malformed_record" : "unknown_warc_type";
      ctx.skip("wet", problem);
      ctx.log(`wet: ${file} at offset ${record.offset}: ${problem}: ${type === undefined ? "missing WARC-Type" : JSON.stringify(type.slice(0, 80))}`);
      continue;
    }
    if (type.toLowerCase() !== "conversion") continue;
    const text = utf8.decode(record.block);
    if (text.trim() === "") {
      ctx.skip("wet", "empty");
      continue;
    }
    const meta: Record<string, unknown> = { extracted: "wet" };
    const language = record.headers.get("WARC-Identified-Content-Language")?.split(",")[0]?.trim();
    if (language) meta.language = language;
    const warcDate = record.headers.get("WARC-Date");
    if (warcDate !== undefined) meta.warcDate = warcDate;
    meta.warcFile = warcFile;
    const doc: Doc = { id: recordId(record, warcFile), text, meta };
    const url = targetUri(record);
    if (url !== undefined) doc.url = url;
    yield doc;
  }
}

register({
  kind: "reader",
  name: "wet",
  description: "Text already extracted by the crawler, from WET files: one document per conversion record",
  params: wetReaderParams,
  create() {
    return {
      name: "wet",
      async *read(file, ctx) {
        yield* wetDocs(await openInput(file, "wet", ctx), file, ctx);
      },
    };
  },
});
