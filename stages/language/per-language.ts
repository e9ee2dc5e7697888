/**
 * Per-language parameters: a stage's thresholds for the documents of one language (by
 * meta.language), over its own for the rest. FineWeb-2 sets each filter per language; `kiln
 * calibrate` writes such overrides from a crawl and a trusted reference.
 */
import { z } from "zod";
import type { Doc } from "../../pipeline/doc.js";
import { canonicalLanguage } from "./codes.js";

/**
 * The parameters of `schema` as a per-language override: every field optional and without its
 * default (an override sets only what it names), unknown fields refused.
 */
export function overrideSchema<P extends z.ZodObject>(schema: P, omit: readonly string[] = []): z.ZodType<Partial<z.output<P>>> {
  const fields: Record<string, z.ZodType> = {};
  for (const [key, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
    if (omit.includes(key)) continue;
    fields[key] = (field instanceof z.ZodDefault ? (field.unwrap() as z.ZodType) : field).optional();
  }
  return z.object(fields).strict() as unknown as z.ZodType<Partial<z.output<P>>>;
}

/** `perLanguage`: thresholds for documents whose meta.language is the key (e.g. from `kiln calibrate`). */
export function perLanguageParam<P extends z.ZodObject>(schema: P, omit: readonly string[] = []) {
  return z
    .record(z.string().min(2), overrideSchema(schema, omit))
    .default({})
    .describe("parameters for documents in one language, by ISO code (meta.language): { de: { … } }; other documents use the rest");
}

/** The parameters for `doc`: the stage's, with its language's overrides (merged once per language). */
export function paramsForLanguage<T extends object>(base: T, perLanguage: Record<string, Partial<T>>): (doc: Doc) => T {
  const byCanonical = new Map(Object.entries(perLanguage).map(([language, override]) => [canonicalLanguage(language), { ...base, ...override }]));
  return (doc) => {
    if (byCanonical.size === 0 || typeof doc.meta.language !== "string") return base;
    return byCanonical.get(canonicalLanguage(doc.meta.language)) ?? base;
  };
}
