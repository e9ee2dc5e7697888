/**
 * Step presets: a named recipe that expands one step of a user's config into the steps that
 * implement it (a recipe with MinHash dedup needs several steps). Modules register presets the
 * way they register stages; config resolution expands them before validation, so the resolved
 * config saved in the run folder lists every step and every parameter.
 */
import { KilnError } from "../core/index.js";

export type RawStep = Record<string, unknown> & { name: string };

export interface StepPreset {
  /** `name@version`; the bare name resolves to the latest version through `aliases`. */
  id: string;
  aliases: string[];
  description: string;
  /** The steps `step` becomes; `overrides` are per-stage parameters (`presetParams`). */
  expand(step: RawStep, overrides: Record<string, Record<string, unknown>>): RawStep[];
}

const presets = new Map<string, StepPreset>();

export function registerStepPreset(preset: StepPreset): void {
  for (const name of [preset.id, ...preset.aliases]) if (!presets.has(name)) presets.set(name, preset);
}

export function getStepPreset(name: string): StepPreset {
  const preset = presets.get(name);
  if (!preset) throw new KilnError("unknown_preset", `unknown preset "${name}" (known: ${[...presets.keys()].sort().join(", ") || "none"})`);
  return preset;
}

export function listStepPresets(): StepPreset[] {
  return [...new Set(presets.values())].sort((a, b) => a.id.localeCompare(b.id));
}
