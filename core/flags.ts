/** CLI flag values, parsed once: numbers with their bounds, and one-of words. */
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

/** A flag that takes one of a few words. */
export function oneOfFlag<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new KilnError("usage", `--${flag} ${value}: expected one of ${allowed.join(", ")}`);
  return value as T;
}
