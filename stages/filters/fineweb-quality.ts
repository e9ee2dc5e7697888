/**
 * FineWeb's own quality rules (Penedo et al. 2024), with datatrove's defaults and semantics
 * (`fineweb_quality_filter.py`): lines are `text.split("\n")`, the punctuation rule drops at
 * `<=` its bound, the short-line and duplicate-character rules at `>=`, the newline rule at `>`.
 * The line-ending punctuation also includes the CJK full stops (。！？), so Chinese and Japanese
 * pages are not all "lines without punctuation"; English text is unaffected.
 */
import { z } from "zod";
import { type Doc, register } from "../../pipeline/index.js";
import { reuseSignalsParam, signalFilterStage, wordsParam, type Verdict } from "./signal-stage.js";
import { countWords, findDuplicates, fraction } from "./text.js";

export const finewebQualityParams = z.object({
  linePunctThr: z.number().min(0).default(0.12).describe("a document needs more than this fraction of lines ending in punctuation (published 0.12)"),
  linePunctExcludeZero: z.boolean().default(false).describe("keep documents where no line ends in punctuation (published false)"),
  lineEndPunctuation: z
    .array(z.string())
    .default([".", "'", '"', "!", "?", "。", "！", "？"])
    .describe("line endings that count as punctuation (published . ' \" ! ? plus the CJK full stops)"),
  shortLineThr: z.number().min(0).default(0.67).describe("a document needs less than this fraction of short lines (published 0.67)"),
  shortLineLength: z.number().int().min(0).default(30).describe("a line of at most this many characters is short (published 30)"),
  charDuplicatesRatio: z.number().min(0).default(0.01).describe("a document needs less than this fraction of characters in repeated lines (published 0.01)"),
  newLineRatio: z.number().min(0).default(0.3).describe("most newlines per word (published 0.3)"),
  words: wordsParam,
  reuseSignals: reuseSignalsParam,
});
export type FinewebQualityParams = z.output<typeof finewebQualityParams>;

/** What `meta.fineweb` holds. */
export interface FinewebQualitySignals {
  linePunctFrac: number;
  shortLineFrac: number;
  dupLineCharFrac: number;
  newlineWordRatio: number;
}

export function finewebQualitySignals(text: string, p: Pick<FinewebQualityParams, "lineEndPunctuation" | "shortLineLength"> & { words?: FinewebQualityParams["words"] }): FinewebQualitySignals {
  const lines = text.split("\n");
  let punctuated = 0;
  let short = 0;
  const nonEmpty: string[] = [];
  for (const line of lines) {
    for (const ending of p.lineEndPunctuation) {
      if (line.endsWith(ending)) {
        punctuated++;
        break;
      }
    }
    if (line.length <= p.shortLineLength) short++;
    if (line.trim() !== "") nonEmpty.push(line);
  }
  const newlines = lines.length - 1;
  return {
    linePunctFrac: punctuated / lines.length,
    shortLineFrac: short / lines.length,
    dupLineCharFrac: fraction(findDuplicates(nonEmpty).chars, text.length - newlines),
    // datatrove divides by the word count; a text of only newlines has none, so it counts as one.
    newlineWordRatio: newlines / Math.max(1, countWords(text, p.words ?? "english")),
  };
}

export function finewebQualityDecide(s: FinewebQualitySignals, p: FinewebQualityParams): Verdict {
  if (s.linePunctFrac <= p.linePunctThr && !(s.linePunctFrac === 0 && p.linePunctExcludeZero)) return "fineweb_quality:line_punct_ratio";
  if (s.shortLineFrac >= p.shortLineThr) return "fineweb_quality:short_line_ratio";
  if (s.dupLineCharFrac >= p.charDuplicatesRatio) return "fineweb_quality:char_dup_ratio";
  if (s.newlineWordRatio > p.newLineRatio) return "fineweb_quality:list_ratio";
  return true;
}

/** The whole filter as one pure function of (doc, params). */
export function finewebQualityFilter(doc: Doc, params: FinewebQualityParams): Verdict {
  return finewebQualityDecide(finewebQualitySignals(doc.text, params), params);
}

export const finewebQuality = signalFilterStage({
  name: "fineweb_quality",
  description: "FineWeb rules: punctuated lines, short lines, duplicated line characters, newlines per word (signals in meta.fineweb)",
  metaKey: "fineweb",
  params: finewebQualityParams,
  signals: finewebQualitySignals,
  decide: finewebQualityDecide,
});

register(finewebQuality);
