/**
 * Parquet files (Hugging Face datasets, FineWeb's own releases) as documents: one row, one `Doc`.
 * The text column becomes `text`, the id column `id` (else `<file>:<row>`), string `url` and
 * `source` columns `url` and `source`, and every other column goes to `meta` as datatrove's
 * ParquetReader does; a `meta` column holding a JSON object (as the parquet writer stores it) is
 * spread into `meta`. Files are read
 * one row group at a time by byte ranges (local, http(s) Range requests, s3 ranged GETs), so
 * memory holds one row group, never the file; only the columns needed are decoded when
 * `metaColumns` names them. Codecs: snappy, gzip, brotli, zstd, lz4 (hyparquet-compressors).
 *
 * A row whose text is missing or not a string is a counted skip (`missing_text`), and so are the
 * rows of a row group whose bytes do not decode (`corrupt_row_group`, a damaged page); a file
 * without the text column, or one that is not Parquet, is one error naming the file.
 */
import path from "node:path";
import { parquetMetadataAsync, parquetReadObjects, type AsyncBuffer, type FileMetaData } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { z } from "zod";
import { type Doc, type TaskContext, register } from "../../pipeline/index.js";
import { KilnError, errorMessage, openRanged, type RangedFile } from "../../core/index.js";

const params = z.object({
  textKey: z.string().default("text").describe("column that holds the text"),
  idKey: z.string().default("id").describe("column that holds the id; rows without one become <file>:<row>"),
  metaColumns: z.array(z.string()).optional().describe("columns copied to meta (default: every column but text and id)"),
  source: z.string().optional().describe("set doc.source on every document"),
});
export type ParquetReaderParams = z.output<typeof params>;

/** A value as JSON can hold it: 64-bit integers as numbers when exact, else as strings; dates as ISO strings. */
function jsonValue(value: unknown): unknown {
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (Array.isArray(value)) return value.map(jsonValue);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonValue(v)]));
  return value;
}

/** A `meta` column as the parquet writer stores it: a JSON object in a string. */
function jsonObject(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== "string" || !value.startsWith("{")) return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The file as hyparquet reads it; a failure to read bytes is a KilnError, told apart from bytes that do not decode. */
function asyncBuffer(file: RangedFile, name: string): AsyncBuffer {
  return {
    byteLength: file.size,
    slice: async (start, end) => {
      try {
        const bytes = await file.read(start, end ?? file.size);
        return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      } catch (error) {
        throw error instanceof KilnError ? error : new KilnError("read_error", `${name}: ${errorMessage(error)}`);
      }
    },
  };
}

export async function* readParquet(file: string, ctx: TaskContext, p: ParquetReaderParams): AsyncGenerator<Doc> {
  const ranged = await openRanged(file);
  try {
    const buffer = asyncBuffer(ranged, file);
    let metadata: FileMetaData;
    try {
      metadata = await parquetMetadataAsync(buffer);
    } catch (error) {
      throw error instanceof KilnError ? error : new KilnError("bad_input", `${file}: not a Parquet file (${errorMessage(error)})`);
    }
    const columnNames = metadata.schema.slice(1).map((c) => c.name);
    if (!columnNames.includes(p.textKey)) {
      throw new KilnError("bad_input", `${file}: no column "${p.textKey}" for the text (columns: ${columnNames.join(", ")}); set textKey`);
    }
    const columns = p.metaColumns ? [...new Set([p.textKey, p.idKey, "url", ...p.metaColumns])].filter((c) => columnNames.includes(c)) : undefined;
    const name = path.basename(file);
    let rowStart = 0;
    for (const group of metadata.row_groups) {
      const rowEnd = rowStart + Number(group.num_rows);
      let rows: Record<string, unknown>[];
      try {
        rows = await parquetReadObjects({ file: buffer, metadata, columns, rowStart, rowEnd, compressors });
      } catch (error) {
        // Storage that fails (after the storage layer's retries) ends the task, and a rerun resumes
        // it; bytes that do not decode are bad input: the row group's rows are counted, and the
        // footer still says where the next row group is.
        if (error instanceof KilnError) throw error;
        ctx.skip("parquet", "corrupt_row_group", rowEnd - rowStart);
        ctx.log(`parquet: ${file}: rows ${rowStart}-${rowEnd - 1}: skipped: corrupt_row_group: ${errorMessage(error)}`);
        rowStart = rowEnd;
        continue;
      }
      for (let i = 0; i < rows.length; i++) {
        const doc = rowToDoc(rows[i]!, `${name}:${rowStart + i}`, p);
        if (typeof doc === "string") {
          ctx.skip("parquet", doc);
          ctx.log(`parquet: ${file}: row ${rowStart + i}: skipped: ${doc === "missing_text" ? `no string in column "${p.textKey}"` : doc}`);
          continue;
        }
        yield doc;
      }
      rowStart = rowEnd;
    }
  } finally {
    await ranged.close();
  }
}

/** One row as a Doc, or the reason it cannot be one. */
export function rowToDoc(row: Record<string, unknown>, fallbackId: string, p: ParquetReaderParams): Doc | string {
  const text = row[p.textKey];
  if (typeof text !== "string") return "missing_text";
  const rawId = row[p.idKey];
  const id = typeof rawId === "string" ? rawId : typeof rawId === "number" || typeof rawId === "bigint" ? String(rawId) : fallbackId;
  const meta: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    // url and source become the Doc's fields; null there means absent.
    if (key === p.textKey || key === p.idKey || ((key === "url" || key === "source") && (typeof value === "string" || value === null || value === undefined))) continue;
    if (p.metaColumns && !p.metaColumns.includes(key)) continue;
    const spread = key === "meta" ? jsonObject(value) : undefined;
    if (spread) Object.assign(meta, spread);
    else meta[key] = jsonValue(value);
  }
  const doc: Doc = { id, text, meta };
  if (typeof row.url === "string") doc.url = row.url;
  const source = p.source ?? row.source;
  if (typeof source === "string") doc.source = source;
  return doc;
}

register({
  kind: "reader",
  name: "parquet",
  description: "Parquet files (.parquet), one Doc per row: text and id columns, url, the other columns in meta; read a row group at a time",
  params,
  create: (p) => ({ name: "parquet", read: (file, ctx) => readParquet(file, ctx, p) }),
});
