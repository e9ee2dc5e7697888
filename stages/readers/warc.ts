import { z } from "zod";
import { type Doc, type TaskContext, register } from "../../pipeline/index.js";
import { decodeHtml } from "./decode.js";
import { decodeHttpBody, isHttpProblem, parseHttpResponse } from "./http-response.js";
import { openInput } from "./open.js";
import { isWarcProblem, readWarcRecords, type WarcRecord } from "./warc-records.js";

export {
  HeaderFields,
  isWarcProblem,
  readWarcRecords,
  type ReadWarcOptions,
  type WarcProblem,
  type WarcProblemKind,
  type WarcRecord,
} from "./warc-records.js";

export const warcReaderParams = z.object({
  maxBytes: z
    .number()
    .int()
    .positive()
    .default(10_000_000)
    .describe("largest page body kept, in bytes after undoing chunking and compression; bigger pages are skipped as too_large"),
  keepTruncated: z
    .boolean()
    .default(false)
    .describe("keep responses the crawler cut short (WARC-Truncated); otherwise they are skipped as truncated"),
  keepHttpHeaders: z.boolean().default(false).describe("put the HTTP response headers under meta.http"),
});
export type WarcReaderParams = z.output<typeof warcReaderParams>;

const HTML_TYPES = new Set(["text/html", "application/xhtml+xml"]);
/** The record types of WARC 1.1 (section 6); a record of another type is counted, not ignored. */
export const WARC_TYPES = new Set(["warcinfo", "response", "resource", "request", "metadata", "revisit", "conversion", "continuation"]);
/** Skip reasons that are a fact about the page, not a defect of the file: counted, not logged. */
const QUIET_REASONS = new Set(["non_html", "truncated", "too_large", "empty"]);

/** Why a record did not become a document. */
export interface RecordSkip {
  reason: string;
  detail?: string;
}

/** The file name without directories or query, e.g. `CC-MAIN-...-00000.warc.gz`. */
export function warcFileName(file: string): string {
  return file.replace(/[?#].*$/, "").split(/[\\/]/).pop() ?? file;
}

/** `WARC-Target-URI`, without the angle brackets some WARC/1.0 writers put around it. */
export function targetUri(record: WarcRecord): string | undefined {
  const uri = record.headers.get("WARC-Target-URI");
  return uri?.replace(/^<(.*)>$/, "$1");
}

export function recordId(record: WarcRecord, warcFile: string): string {
  return record.headers.get("WARC-Record-ID") ?? `${warcFile}@${record.offset}`;
}

/**
 * Internal: the records of one WARC stream. Every problem is counted under `stage` and logged
 * with the file and offset; only records come out.
 */
export async function* warcRecordsOf(
  bytes: AsyncIterable<Uint8Array>,
  file: string,
  stage: string,
  ctx: TaskContext,
): AsyncGenerator<WarcRecord> {
  for await (const item of readWarcRecords(bytes)) {
    if (!isWarcProblem(item)) {
      yield item;
      continue;
    }
    ctx.skip(stage, item.problem, item.records ?? 1);
    ctx.log(`${stage}: ${file} at offset ${item.offset}: ${item.problem}: ${item.detail}`);
  }
}

/**
 * The document in a `response` record, why it is skipped, or null for records that are not
 * documents at all (`request`, `metadata`, `warcinfo`, ...).
 */
export function responseToDoc(record: WarcRecord, warcFile: string, params: WarcReaderParams): Doc | RecordSkip | null {
  const type = record.headers.get("WARC-Type");
  if (type === undefined) return { reason: "malformed_record", detail: "missing WARC-Type" };
  const kind = type.toLowerCase();
  if (!WARC_TYPES.has(kind)) return { reason: "unknown_warc_type", detail: JSON.stringify(type.slice(0, 80)) };
  if (kind !== "response") return null;
  const response = parseHttpResponse(record.block);
  if (isHttpProblem(response)) return { reason: response.problem, detail: response.detail };
  const contentType = response.headers.get("Content-Type") || undefined;
  const mimeType = contentType?.split(/[;,]/)[0]?.trim().toLowerCase() || undefined;
  if (mimeType && !HTML_TYPES.has(mimeType)) return { reason: "non_html" };
  const truncated = record.headers.get("WARC-Truncated");
  if (truncated !== undefined && !params.keepTruncated) return { reason: "truncated" };

  const body = decodeHttpBody(response, params.maxBytes);
  if (isHttpProblem(body)) return { reason: body.problem, detail: body.detail };
  if (!mimeType && !looksLikeHtml(body)) return { reason: "non_html" };
  if (body.length === 0) return { reason: "empty" };
  const decoded = decodeHtml(body, contentType);
  if ("problem" in decoded) return { reason: decoded.problem, detail: decoded.detail };

  const meta: Record<string, unknown> = {};
  const warcDate = record.headers.get("WARC-Date");
  if (warcDate !== undefined) meta.warcDate = warcDate;
  meta.httpStatus = response.status;
  if (mimeType) meta.contentType = mimeType;
  meta.charset = decoded.charset;
  meta.warcFile = warcFile;
  if (truncated !== undefined) meta.truncated = truncated || "unspecified";
  if (params.keepHttpHeaders) meta.http = response.headers.toObject();
  const doc: Doc = { id: recordId(record, warcFile), text: decoded.text, meta };
  const url = targetUri(record);
  if (url !== undefined) doc.url = url;
  return doc;
}

/** For responses without a Content-Type: does the body start like an HTML document? */
function looksLikeHtml(body: Uint8Array): boolean {
  const head = Buffer.from(body.buffer, body.byteOffset, Math.min(body.byteLength, 1024)).toString("latin1");
  return /<html[\s>]|<!doctype\s+html/i.test(head);
}

/** The HTML documents of one WARC stream (decompressed bytes); `file` names it in meta and logs. */
export async function* warcDocs(
  bytes: AsyncIterable<Uint8Array>,
  file: string,
  params: WarcReaderParams,
  ctx: TaskContext,
): AsyncGenerator<Doc> {
  const warcFile = warcFileName(file);
  for await (const record of warcRecordsOf(bytes, file, "warc", ctx)) {
    const result = responseToDoc(record, warcFile, params);
    if (result === null) continue;
    if ("id" in result) {
      yield result;
      continue;
    }
    ctx.skip("warc", result.reason);
    if (!QUIET_REASONS.has(result.reason)) {
      ctx.log(`warc: ${file} at offset ${record.offset}: ${result.reason}: ${result.detail ?? ""}`);
    }
  }
}

register({
  kind: "reader",
  name: "warc",
  description:
    "HTML pages from WARC files (WARC/1.0, 1.1; gzip per record or whole): one document per HTML response, " +
    "HTTP chunking and compression undone, charset detected; malformed records are counted and skipped",
  params: warcReaderParams,
  create(params) {
    return {
      name: "warc",
      async *read(file, ctx) {
        yield* warcDocs(await openInput(file, "warc", ctx), file, params, ctx);
      },
    };
  },
});
