/**
 * Per-language parameters: a stage's thresholds for the documents of one language (by
 * meta.language), over its own for the rest. FineWeb-2 sets each filter per language; `kiln
 * calibrate` writes such overrides from a crawl and a trusted reference.
 */
import { z } from "zod";
import type { Doc } from "../../pipeline/index.js";
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

/** A key of `perLanguage`: a language code, or a code and an ISO 15924 script (`sr_Cyrl`). */
const LANGUAGE_KEY = /^([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)*)(?:_([A-Z][a-z]{3}))?$/;

/** A key's canonical language and its script, if it names one. */
function parseKey(key: string): { language: string; script?: string } {
  const match = LANGUAGE_KEY.exec(key);
  return { language: canonicalLanguage(match?.[1] ?? key), script: match?.[2] };
}

function validScript(script: string): boolean {
  try {
    new RegExp(`\\p{Script=${script}}`, "u");
    return true;
  } catch {
    return false;
  }
}

/** `perLanguage`: thresholds for documents whose meta.language is the key (e.g. from `kiln calibrate`). */
export function perLanguageParam<P extends z.ZodObject>(schema: P, omit: readonly string[] = []) {
  const key = z.string().refine((k) => {
    const match = LANGUAGE_KEY.exec(k);
    return match !== null && (match[2] === undefined || validScript(match[2]));
  }, "expected a language code, optionally with an ISO 15924 script: de, sr_Cyrl");
  return z
    .record(key, overrideSchema(schema, omit))
    .default({})
    .describe("parameters for documents in one language, by ISO code (meta.language), or code and script when a language is written in several (sr_Cyrl): { de: { … } }; other documents use the rest");
}

/** Of `scripts`, the one with the most letters in the start of `text`; undefined without any. */
export function dominantScript(text: string, scripts: readonly string[]): string | undefined {
  const sample = text.slice(0, SCRIPT_SAMPLE_CHARS);
  let best: string | undefined;
  let most = 0;
  for (const script of scripts) {
    let pattern = SCRIPT_PATTERNS.get(script);
    if (!pattern) SCRIPT_PATTERNS.set(script, (pattern = new RegExp(`\\p{Script=${script}}`, "gu")));
    const count = sample.match(pattern)?.length ?? 0;
    if (count > most) {
      most = count;
      best = script;
    }
  }
  return best;
}

const SCRIPT_SAMPLE_CHARS = 1000;
const SCRIPT_PATTERNS = new Map<string, RegExp>();

/**
 * The parameters for `doc`: the stage's, with its language's overrides (merged once per key).
 * Where a language has overrides per script, the script with the most letters in the document
 * picks one; the language's own key (if any) stands otherwise.
 */
export function paramsForLanguage<T extends object>(base: T, perLanguage: Record<string, Partial<T>>): (doc: Doc) => T {
  const merged = new Map<string, T>();
  const scriptsOf = new Map<string, string[]>();
  for (const [key, override] of Object.entries(perLanguage)) {
    const { language, script } = parseKey(key);
    merged.set(script ? `${language}_${script}` : language, { ...base, ...override });
    if (script) scriptsOf.set(language, [...(scriptsOf.get(language) ?? []), script]);
  }
  return (doc) => {
    if (merged.size === 0 || typeof doc.meta.language !== "string") return base;
    const language = canonicalLanguage(doc.meta.language);
    const scripts = scriptsOf.get(language);
    const script = scripts && dominantScript(doc.text, scripts);
    return (script && merged.get(`${language}_${script}`)) || merged.get(language) || base;
  };
}

/** Layers of per-language overrides merged per language (codes made canonical), later layers winning field by field. */
export function mergePerLanguage<T extends object>(...layers: Record<string, Partial<T>>[]): Record<string, Partial<T>> {
  const out: Record<string, Partial<T>> = {};
  for (const layer of layers) {
    for (const [key, override] of Object.entries(layer)) {
      const { language, script } = parseKey(key);
      const canonical = script ? `${language}_${script}` : language;
      out[canonical] = { ...out[canonical], ...override };
    }
  }
  return out;
}
