import type { Doc } from "./doc.js";

/**
 * The on-disk form of a Doc: one JSON object per line. Readers, writers and `kiln apply` share
 * this codec so that every path in and out of the engine agrees on the format.
 */

export interface DocFields {
  textKey: string;
  idKey: string;
  /** Overrides `source` on every document. */
  source?: string | undefined;
}
export const defaultFields: DocFields = { textKey: "text", idKey: "id" };

/** Turns one parsed JSON value into a Doc, or returns the reason it cannot be one. */
export function toDoc(value: unknown, fallbackId: string, fields: DocFields = defaultFields): Doc | string {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "not_an_object";
  const record = value as Record<string, unknown>;
  const text = record[fields.textKey];
  if (typeof text !== "string") return "missing_text";
  const rawId = record[fields.idKey];
  const meta = record.meta;
  const doc: Doc = {
    id: typeof rawId === "string" ? rawId : typeof rawId === "number" ? String(rawId) : fallbackId,
    text,
    meta: typeof meta === "object" && meta !== null && !Array.isArray(meta) ? (meta as Record<string, unknown>) : {},
  };
  if (typeof record.url === "string") doc.url = record.url;
  const source = fields.source ?? record.source;
  if (typeof source === "string") doc.source = source;
  return doc;
}

/** Parses one line; a string result is the skip reason. */
export function parseDocLine(line: string, fallbackId: string, fields: DocFields = defaultFields): Doc | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return "bad_json";
  }
  return toDoc(value, fallbackId, fields);
}

/** Only the Doc fields, in a fixed order, so equal documents serialise to equal bytes. */
export function serializeDoc(doc: Doc): string {
  return JSON.stringify({ id: doc.id, text: doc.text, url: doc.url, source: doc.source, meta: doc.meta });
}
