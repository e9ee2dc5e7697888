/**
 * Configuration files: one loader (file → YAML → schema → value, or one error naming the file and
 * the field) and the "did you mean" for a key a schema does not declare.
 */
import { readFile } from "node:fs/promises";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { KilnError, formatZodError } from "./errors.js";

/** A YAML file's value, or one error naming the file: it cannot be read, or it is not YAML. */
export async function readYamlFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new KilnError("bad_config", `${file}: cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    return parseYaml(text);
  } catch (error) {
    throw new KilnError("bad_config", `${file}: invalid YAML: ${(error as Error).message.split("\n")[0]}`);
  }
}

/**
 * The one config loader: a YAML file (with `overrides` laid over its top-level keys) checked
 * against `schema`; the value, or one error `file: path.field: message`.
 */
export async function loadYamlFile<T>(file: string, schema: z.ZodType<T>, overrides: Record<string, unknown> = {}): Promise<T> {
  const raw = await readYamlFile(file);
  const parsed = schema.safeParse(Object.keys(overrides).length > 0 ? { ...(raw as object), ...overrides } : raw);
  if (!parsed.success) throw new KilnError("bad_config", `${file}: ${formatZodError(parsed.error)}`);
  return parsed.data;
}

/** Levenshtein distance, for "did you mean" on a misspelled key. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length]!;
}

/** The nearest of `known` to `key` when it is close enough to be a typo of it. */
export function nearestKey(key: string, known: string[]): string | undefined {
  let best: string | undefined;
  let distance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const candidate of known) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < distance) [best, distance] = [candidate, d];
  }
  return best;
}

/**
 * `key: unknown parameter (did you mean …?)` for the first key of `raw` that an object schema
 * does not declare: zod would drop it silently, and a misspelled threshold would quietly keep
 * its default.
 */
export function unknownParameter(schema: z.ZodType, raw: unknown): string | undefined {
  if (!(schema instanceof z.ZodObject) || raw === null || typeof raw !== "object" || Array.isArray(raw)) return undefined;
  const known = Object.keys(schema.shape);
  const key = Object.keys(raw).find((k) => !known.includes(k));
  if (key === undefined) return undefined;
  const near = nearestKey(key, known);
  return `${key}: unknown parameter${near ? ` (did you mean ${near}?)` : `; known: ${known.join(", ") || "none"}`}`;
}
