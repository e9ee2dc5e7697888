/** CLI flag values, parsed once: numbers with their bounds, and flags with a closed set of words. */
import { KilnError } from "./errors.js";

/** A numeric flag, checked, or one usage error naming the flag and what it expects. */
export function numberFlag(flag: string, value: string, check: { integer?: boolean; min?: number; max?: number } = {}): number {
  const n = Number(value);
  const bad = !Number.isFinite(n) || value.trim() === "" || (check.integer && !Number.isInteger(n)) || (check.min !== undefined && n < check.min) || (check.max !== undefined && n > check.max);
  if (bad) throw new KilnError("usage", `--${flag} ${value}: expected ${check.integer ? "an integer" : "a number"}${check.min !== undefined ? ` >= ${check.min}` : ""}${check.max !== undefined ? ` <= ${check.max}` : ""}`);
  return n;
}

/** A positive integer flag (undefined when absent). */
export function positiveIntegerFlag(flag: string, value: string | undefined): number | undefined {
  return value === undefined ? undefined : numberFlag(flag, value, { integer: true, min: 1 });
}

/**
 * A flag that takes one of a few words, declared once: `kiln --help` lists them, the CLI checks the
 * value before the command runs (`--head cnn: expected one of linear, mlp`), and the command reads
 * it typed as one of them.
 */
export function enumFlag<const T extends string>(description: string, options: readonly T[]): { type: "enum"; description: string; options: T[] };
export function enumFlag<const T extends string>(description: string, options: readonly T[], fallback: NoInfer<T>): { type: "enum"; description: string; options: T[]; default: T };
export function enumFlag<const T extends string>(description: string, options: readonly T[], fallback?: T): { type: "enum"; description: string; options: T[]; default?: T } {
  return { type: "enum", description, options: [...options], ...(fallback === undefined ? {} : { default: fallback }) };
}
