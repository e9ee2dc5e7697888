/**
 * The thresholds `kiln inspect` can move without recomputing: each names a stage's parameter and
 * the signals in `meta` that it bounds (one parameter can bound two, as Gopher's symbol ratio
 * bounds both hashes and ellipses). Built on `kiln calibrate`'s list, plus the ones a per-language
 * calibration does not set. The what-if decides with the stage itself; this table only says which
 * documents a change can touch.
 */
import { CALIBRATABLE } from "../calibrate.js";

export interface Knob {
  stage: string;
  param: string;
  /** Paths in meta, dot-separated. */
  signals: string[];
  /** How a document passes, for the page's label (the decision itself is the stage's). */
  keeps: ">=" | ">" | "<=" | "<";
}

const gopherQuality = (param: string, signal: string, keeps: Knob["keeps"]): Knob => ({ stage: "gopher_quality", param, signals: [`gopherQuality.${signal}`], keeps });

export const KNOBS: readonly Knob[] = [
  ...CALIBRATABLE.map(({ stage, param, signal, keeps }) => ({ stage, param, signals: [signal], keeps })),
  gopherQuality("minDocWords", "nonSymbolWords", ">="),
  gopherQuality("maxDocWords", "nonSymbolWords", "<="),
  { stage: "gopher_quality", param: "maxSymbolWordRatio", signals: ["gopherQuality.hashRatio", "gopherQuality.ellipsisRatio"], keeps: "<=" },
  gopherQuality("maxBulletLinesRatio", "bulletLineFrac", "<="),
  gopherQuality("maxEllipsisLinesRatio", "ellipsisLineFrac", "<="),
  gopherQuality("minStopWords", "stopWords", ">="),
  ...(["dupParaFrac", "dupParaCharFrac", "dupLineCharFrac"] as const).map((p): Knob => ({ stage: "gopher_repetition", param: p, signals: [`gopherRepetition.${p}`], keeps: "<=" })),
  { stage: "fineweb_quality", param: "shortLineThr", signals: ["fineweb.shortLineFrac"], keeps: "<=" },
  { stage: "fineweb_quality", param: "charDuplicatesRatio", signals: ["fineweb.dupLineCharFrac"], keeps: "<=" },
  { stage: "quality_filter", param: "minScore", signals: ["quality"], keeps: ">=" },
];

/** Every signal a knob reads, once, in a fixed order: the index stores one column per signal. */
export const KNOB_SIGNALS: readonly string[] = [...new Set(KNOBS.flatMap((k) => k.signals))];

export const knobsOf = (stage: string) => KNOBS.filter((k) => k.stage === stage);

/** The knobs by stage, as the page reads them. */
export function knobsByStage(): Record<string, Knob[]> {
  const out: Record<string, Knob[]> = {};
  for (const k of KNOBS) (out[k.stage] ??= []).push(k);
  return out;
}
