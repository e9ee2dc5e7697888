/**
 * Published recipes as pinned, versioned lists of stages. A version never changes once
 * published: a changed recipe is a new version (`fineweb@2`), and the bare name points at the
 * latest. Stages named here may be registered by other modules (`extract`, `language_filter`,
 * `minhash`); params not given take the stage's own published defaults.
 */
import { KilnError } from "../../core/index.js";

export interface PresetStep {
  stage: string;
  params: Record<string, unknown>;
}

export interface Preset {
  /** `name@version`. */
  id: string;
  description: string;
  steps: readonly PresetStep[];
}

/** FineWeb (Penedo et al. 2024), in its order: URL filter, extraction, English at 0.65, Gopher, C4 without the punctuation rule, FineWeb, dedup, PII. */
const fineweb1: Preset = {
  id: "fineweb@1",
  description: "FineWeb: URL blocklist, extraction, English (>= 0.65), Gopher repetition and quality, C4 lines (no terminal-punctuation rule), FineWeb quality, MinHash dedup, PII",
  steps: [
    { stage: "url_filter", params: {} },
    { stage: "extract", params: {} },
    { stage: "language_filter", params: { languages: ["en"], minScore: 0.65 } },
    { stage: "gopher_repetition", params: {} },
    { stage: "gopher_quality", params: {} },
    { stage: "c4_quality", params: { filterNoTerminalPunct: false } },
    // FineWeb was made with datatrove's rules of April 2024 (every line, . ' " ! ?, inclusive bounds).
    { stage: "fineweb_quality", params: { version: "2024-04" } },
    { stage: "minhash", params: {} },
    { stage: "pii", params: {} },
  ],
};

/** FineWeb with FineWeb's own language identifier: fastText's lid.176, where fineweb@1 used Kiln's default pool. */
const fineweb2: Preset = {
  id: "fineweb@2",
  description: "FineWeb: URL blocklist, extraction, English by fastText lid.176 (>= 0.65), Gopher repetition and quality, C4 lines (no terminal-punctuation rule), FineWeb quality, MinHash dedup, PII",
  steps: fineweb1.steps.map((s) => (s.stage === "language_filter" ? { stage: s.stage, params: { ...s.params, detector: "fasttext" } } : s)),
};

/**
 * FineWeb-2 (Penedo et al. 2025): FineWeb's pipeline for every language, with each filter's
 * thresholds and stop words set per language (FineWeb-2's settings for 1,928 languages,
 * vendored), dedup before the filters and rehydration by duplicate-cluster size after them.
 * Language ID annotates every page: set `language_filter.languages` to keep some; FineWeb-2's
 * language-score thresholds are GlotLID's, so Kiln's come from `kiln calibrate`.
 */
const fineweb2v1: Preset = {
  id: "fineweb2@1",
  description:
    "FineWeb-2: URL blocklist, extraction, language ID (any language), MinHash dedup, Gopher repetition, FineWeb and Gopher quality with FineWeb-2's per-language thresholds and stop words, PII, rehydration",
  steps: [
    { stage: "url_filter", params: {} },
    { stage: "extract", params: {} },
    { stage: "language_filter", params: {} },
    { stage: "minhash", params: {} },
    { stage: "gopher_repetition", params: { perLanguageDefaults: "fineweb2" } },
    { stage: "fineweb_quality", params: { perLanguageDefaults: "fineweb2" } },
    { stage: "gopher_quality", params: { perLanguageDefaults: "fineweb2" } },
    { stage: "pii", params: {} },
    { stage: "rehydrate", params: {} },
  ],
};

/** Gopher / MassiveText's repetition and quality rules (Rae et al. 2021, table A1 and section A.1.1). */
const gopher1: Preset = {
  id: "gopher@1",
  description: "Gopher (MassiveText) repetition and quality rules",
  steps: [
    { stage: "gopher_repetition", params: {} },
    { stage: "gopher_quality", params: {} },
  ],
};

/** C4 (Raffel et al. 2020): English by language ID at 0.99 (the paper's langdetect bound), then the line and page rules. */
const c41: Preset = {
  id: "c4@1",
  description: "C4: English (>= 0.99), then C4's line and page rules with the terminal-punctuation rule on",
  steps: [
    { stage: "language_filter", params: { languages: ["en"], minScore: 0.99 } },
    { stage: "c4_quality", params: {} },
  ],
};

/** C4 as published: c4@1 plus the bad-words rule on C4's pinned English list. */
const c42: Preset = {
  id: "c4@2",
  description: "C4: English (>= 0.99), C4's line and page rules with the terminal-punctuation rule on, then the bad-words rule",
  steps: [...c41.steps, { stage: "c4_badwords", params: {} }],
};

/** Every published preset version. */
export const PRESETS: readonly Preset[] = [fineweb1, fineweb2, fineweb2v1, gopher1, c41, c42];

/** Bare names resolve to these versions. */
export const LATEST: Readonly<Record<string, string>> = { fineweb: "fineweb@2", fineweb2: "fineweb2@1", gopher: "gopher@1", c4: "c4@2" };

export function presetNames(): string[] {
  return [...Object.keys(LATEST), ...PRESETS.map((p) => p.id)];
}

export function getPreset(name: string): Preset {
  const id = name.includes("@") ? name : LATEST[name];
  const preset = PRESETS.find((p) => p.id === id);
  if (!preset) throw new KilnError("unknown_preset", `unknown preset "${name}" (known: ${presetNames().join(", ")})`);
  return preset;
}

/** The steps of a preset, as fresh objects the caller may change. */
export function expandPreset(name: string): PresetStep[] {
  return getPreset(name).steps.map((step) => ({ stage: step.stage, params: structuredClone(step.params) }));
}
