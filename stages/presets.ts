/**
 * The published recipes (stages/filters/presets.ts) as step presets: `preset: fineweb` in a step
 * expands into the recipe's stages, and where the recipe deduplicates, into the four MinHash
 * steps. A step named `web` becomes `web.filter` (reader + stages before dedup), `web.signatures`,
 * `web.buckets`, `web.clusters`, and `web` itself (the dedup filter and the stages after it), so
 * the step's name still holds its final output.
 *
 * `presetParams.minhash` sets the dedup: `bands` and the signature writer's params, plus
 * `verifyThreshold` and `index`, which go to `minhash_buckets` (a threshold turns on
 * `fullSignatures` unless given), e.g. deduplicating a new crawl against last year's:
 *
 *   - name: web
 *     preset: fineweb
 *     read: { paths: crawl-2025/*.warc.gz }
 *     presetParams:
 *       minhash: { index: [/data/crawl-2024/run/web.signatures/data], verifyThreshold: 0.75 }
 */
import { registerStepPreset, type RawStep } from "../pipeline/index.js";
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
  // verifyThreshold and index are minhash_buckets' (verification needs the signatures' full values); the rest is the signature writer's.
  const { bands = 14, verifyThreshold, index, ...signatureParams } = dedup as { bands?: number; verifyThreshold?: unknown; index?: unknown } & Record<string, unknown>;
  const bucketParams = { ...(verifyThreshold === undefined ? {} : { verifyThreshold }), ...(index === undefined ? {} : { index }) };
  if (typeof verifyThreshold === "number" && signatureParams.fullSignatures === undefined) signatureParams.fullSignatures = true;
  const names = { filter: `${name}.filter`, signatures: `${name}.signatures`, buckets: `${name}.buckets`, clusters: `${name}.clusters` };
  return [
    { ...reading, name: names.filter, stages: steps.slice(0, cut).map((s) => entry(s, overrides)), ...(keepExcluded === undefined ? {} : { keepExcluded }) },
    { name: names.signatures, read: { from: names.filter }, write: { format: "minhash_signatures", bands, ...signatureParams } },
    { name: names.buckets, read: { from: names.signatures }, task: { name: "minhash_buckets", ...bucketParams }, tasks: bands },
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
