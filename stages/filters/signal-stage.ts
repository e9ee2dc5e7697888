import { z } from "zod";
import { type Doc, docStage } from "../../pipeline/index.js";
import { mergePerLanguage, paramsForLanguage, perLanguageParam } from "../language/per-language.js";
import { fineweb2PerLanguage } from "./fineweb2/index.js";

/** The verdict of a decide function: keep, or the reason naming the rule that fired. */
export type Verdict = true | string;

/** Every annotate-and-decide filter takes this parameter. */
export const reuseSignalsParam = z
  .boolean()
  .default(false)
  .describe("decide from the signals already in meta (from an earlier run) instead of recomputing them; for re-thresholding");

/** The filters that count words take this parameter (see `WordRules`). */
export const wordsParam = z
  .enum(["english", "segmented", "simple"])
  .default("english")
  .describe(
    "how words are split: english = datatrove's default, spaCy's English tokenizer rules (\"don't\" -> do n't, \"well-known\" -> well - known, \"e.g.\" kept) on every script, so a run of Chinese is one word; segmented = the same, with scripts without spaces (Chinese, Japanese, Thai) segmented by ICU (FineWeb-2's settings use it); simple = whitespace, with punctuation split off the ends and scripts without spaces segmented",
  );

/**
 * A filter split in two pure halves: `signals(text, params)` measures the document and
 * `decide(signals, params)` applies the thresholds. The stage writes the signals to
 * `doc.meta[metaKey]` before deciding, so a later run can re-threshold from meta alone
 * (`reuseSignals: true`) without recomputing. `perLanguage` sets other parameters for the
 * documents of a language.
 */
export function signalFilterStage<P extends z.ZodObject<{ reuseSignals: typeof reuseSignalsParam }>, S extends object>(options: {
  name: string;
  description: string;
  metaKey: string;
  params: P;
  signals(text: string, params: z.output<P>): S;
  decide(signals: S, params: z.output<P>): Verdict;
}) {
  const params = options.params.extend({
    perLanguage: perLanguageParam(options.params, ["reuseSignals"]),
    perLanguageDefaults: z
      .enum(["none", "fineweb2"])
      .default("none")
      .describe("per-language thresholds to start from: fineweb2 = FineWeb-2's settings for 1,928 languages (perLanguage overrides them)"),
  });
  return docStage({
    name: options.name,
    description: options.description,
    params,
    setup: (all) => {
      const { perLanguage, perLanguageDefaults, ...base } = all as z.output<P> & { perLanguage: Record<string, Partial<z.output<P>>>; perLanguageDefaults: "none" | "fineweb2" };
      const defaults = perLanguageDefaults === "fineweb2" ? (fineweb2PerLanguage(options.name) as Record<string, Partial<z.output<P>>>) : {};
      const paramsFor = paramsForLanguage(base as z.output<P>, mergePerLanguage(defaults, perLanguage));
      return (doc: Doc) => {
        const p = paramsFor(doc);
        const existing = doc.meta[options.metaKey];
        const signals = p.reuseSignals && existing !== null && typeof existing === "object" ? (existing as S) : options.signals(doc.text, p);
        doc.meta[options.metaKey] = signals;
        const verdict = options.decide(signals, p);
        return verdict === true ? doc : verdict;
      };
    },
  });
}

/** `value > max`, where a null bound disables the rule (datatrove's `None`). */
export function above(value: number, max: number | null): boolean {
  return max !== null && value > max;
}

/** `value < min`, where a null bound disables the rule. */
export function below(value: number, min: number | null): boolean {
  return min !== null && value < min;
}
