/**
 * The published recipes (stages/filters/presets.ts) as step presets: `preset: fineweb` in a step
 * expands into the recipe's stages, and where the recipe deduplicates, into the four MinHash
 * steps. A step named `web` becomes `web.filter` (reader + stages before dedup), `web.signatures`,
 * `web.buckets`, `web.clusters`, and `web` itself (the dedup filter and the stages after it), so
 * the step's name still holds its final output.
 */
import { registerStepPreset, type RawStep } from "../pipeline/presets.js";
import { PRESETS, LATEST, type PresetStep } from "./filters/presets.js";

const DEDUP_STAGE = "minhash";

const entry = (s: PresetStep, overrides: Record<string, Record<string, unknown>>) => ({ [s.stage]: { ...s.params, ...(overrides[s.stage] ?? {}) } });

export function expandRecipe(steps: readonly PresetStep[], step: RawStep, overrides: Record<string, Record<string, unknown>>): RawStep[] {
  const known = new Set([...steps.map((s) => s.stage)]);
  for (const name of Object.keys(overrides)) {
    if (!known.has(name)) throw new Error(`presetParams.${name}: the preset has no stage "${name}" (it has: ${[...known].join(", ")})`);
  }
  const cut = steps.findIndex((s) => s.stage === DEDUP_STAGE);
  const { stages: extra, ...base } = step as RawStep & { stages?: unknown[] };
  const userStages = Array.isArray(extra) ? extra : [];
  if (cut === -1) return [{ ...base, stages: [...steps.map((s) => entry(s, overrides)), ...userStages] }];

  const name = step.name;
  const { write, keepExcluded, ...reading } = base as RawStep & { write?: unknown; keepExcluded?: unknown };
  const dedup = overrides[DEDUP_STAGE] ?? {};
  const { bands = 14, ...signatureParams } = dedup as { bands?: number } & Record<string, unknown>;
  const names = { filter: `${name}.filter`, signatures: `${name}.signatures`, buckets: `${name}.buckets`, clusters: `${name}.clusters` };
  return [
    { ...reading, name: names.filter, stages: steps.slice(0, cut).map((s) => entry(s, overrides)), ...(keepExcluded === undefined ? {} : { keepExcluded }) },
    { name: names.signatures, read: { from: names.filter }, write: { format: "minhash_signatures", bands, ...signatureParams } },
    { name: names.buckets, read: { from: names.signatures }, task: { name: "minhash_buckets" }, tasks: bands },
    { name: names.clusters, read: { from: names.buckets }, task: { name: "minhash_clusters" }, tasks: 1 },
    {
      name,
      read: { from: names.filter },
      stages: [{ minhash_filter: { clusters: names.clusters } }, ...steps.slice(cut + 1).map((s) => entry(s, overrides)), ...userStages],
      ...(write === undefined ? {} : { write }),
      ...(keepExcluded === undefined ? {} : { keepExcluded }),
    },
  ];
}

for (const preset of PRESETS) {
  const bare = preset.id.split("@")[0]!;
  registerStepPreset({
    id: preset.id,
    aliases: LATEST[bare] === preset.id ? [bare] : [],
    description: preset.description,
    expand: (step, overrides) => expandRecipe(preset.steps, step, overrides),
  });
}
