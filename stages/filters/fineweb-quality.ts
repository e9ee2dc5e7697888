/**
 * FineWeb's own quality rules (Penedo et al. 2024), with datatrove's defaults and semantics
 * (`fineweb_quality_filter.py`), in two versions:
 *
 * - `2024-12` (the default; datatrove since FineWeb-2, which was made with it): blank lines are
 *   left out, a page with none is dropped as `empty`, the line-ending punctuation is datatrove's
 *   TERMINAL_PUNCTUATION (the full stops, question and exclamation marks of 159 scripts, quotes
 *   not among them), and each rule drops strictly past its bound (`<` for the punctuation rule,
 *   `>` for the others).
 * - `2024-04` (datatrove as FineWeb was made with it): every line of `text.split("\n")` counts,
 *   blank ones too, the punctuation is . ' " ! ? (plus the CJK full stops 。！？, so Chinese and
 *   Japanese pages are not all "lines without punctuation"; English text is unaffected), and the
 *   punctuation rule drops at `<=` its bound, the short-line and duplicate-character rules at
 *   `>=`, the newline rule at `>`.
 */
import { z } from "zod";
import { type Doc, register } from "../../pipeline/index.js";
import { reuseSignalsParam, signalFilterStage, wordsParam, type Verdict } from "./signal-stage.js";
import { countWords, endsWithAny, findDuplicates, fraction, pythonLength, pythonStrip, terminalPunctuation } from "./text.js";

export const finewebQualityParams = z.object({
  linePunctThr: z.number().min(0).default(0.12).describe("a document needs more than this fraction of lines ending in punctuation (published 0.12)"),
  linePunctExcludeZero: z.boolean().default(false).describe("keep documents where no line ends in punctuation (published false)"),
  version: z
    .enum(["2024-12", "2024-04"])
    .default("2024-12")
    .describe("datatrove's rules as of 2024-12 (FineWeb-2: blank lines left out, 159 terminal marks, strict bounds) or 2024-04 (FineWeb: every line, . ' \" ! ?, inclusive bounds)"),
  lineEndPunctuation: z
    .array(z.string())
    .optional()
    .describe("line endings that count as punctuation (default: the version's, datatrove's TERMINAL_PUNCTUATION or . ' \" ! ? plus the CJK full stops)"),
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
  /** The lines the fractions are over (2024-12: the non-blank ones). */
  lines?: number;
  linePunctFrac: number;
  shortLineFrac: number;
  dupLineCharFrac: number;
  newlineWordRatio: number;
}

const FINEWEB_2024_04_PUNCTUATION = [".", "'", '"', "!", "?", "。", "！", "？"];

type SignalParams = Pick<FinewebQualityParams, "shortLineLength"> & Partial<Pick<FinewebQualityParams, "version" | "lineEndPunctuation" | "words">>;

export function finewebQualitySignals(text: string, p: SignalParams): FinewebQualitySignals {
  const version = p.version ?? "2024-12";
  const endings = p.lineEndPunctuation ?? (version === "2024-12" ? terminalPunctuation() : FINEWEB_2024_04_PUNCTUATION);
  const all = text.split("\n");
  const nonBlank = all.filter((line) => pythonStrip(line) !== "");
  const lines = version === "2024-12" ? nonBlank : all;
  // Lengths are Python's, in code points.
  const length = pythonLength(text);
  let punctuated = 0;
  let short = 0;
  for (const line of lines) {
    if (endsWithAny(line, endings)) punctuated++;
    if (length(line) <= p.shortLineLength) short++;
  }
  const newlines = all.length - 1;
  return {
    lines: lines.length,
    linePunctFrac: fraction(punctuated, lines.length),
    shortLineFrac: fraction(short, lines.length),
    dupLineCharFrac: fraction(findDuplicates(nonBlank, length).chars, length(text) - newlines),
    // datatrove divides by the word count; a text of only newlines has none, so it counts as one.
    newlineWordRatio: newlines / Math.max(1, countWords(text, p.words ?? "english")),
  };
}

export function finewebQualityDecide(s: FinewebQualitySignals, p: FinewebQualityParams): Verdict {
  if (p.version === "2024-12") {
    if (s.lines === 0) return "fineweb_quality:empty";
    if (s.linePunctFrac < p.linePunctThr && !(s.linePunctFrac === 0 && p.linePunctExcludeZero)) return "fineweb_quality:line_punct_ratio";
    if (s.shortLineFrac > p.shortLineThr) return "fineweb_quality:short_line_ratio";
    if (s.dupLineCharFrac > p.charDuplicatesRatio) return "fineweb_quality:char_dup_ratio";
  } else {
    if (s.linePunctFrac <= p.linePunctThr && !(s.linePunctFrac === 0 && p.linePunctExcludeZero)) return "fineweb_quality:line_punct_ratio";
    if (s.shortLineFrac >= p.shortLineThr) return "fineweb_quality:short_line_ratio";
    if (s.dupLineCharFrac >= p.charDuplicatesRatio) return "fineweb_quality:char_dup_ratio";
  }
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
