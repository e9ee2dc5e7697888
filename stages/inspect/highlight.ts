/**
 * What a person reading a document in `kiln inspect` should see marked: the lines and paragraphs
 * that repeat (Gopher repetition's duplicate lines and paragraphs), the most frequent word 2-, 3-
 * and 4-grams (its top n-gram fractions), and the placeholders PII replacement left. The text is
 * cut into segments, each with the marks that cover it, so the page only joins them.
 */
import { signalAt } from "../calibrate.js";
import { knobsOf, type Knob } from "./knobs.js";

export type Mark = "dup-line" | "dup-para" | "top-2gram" | "top-3gram" | "top-4gram" | "pii";

export interface Segment {
  text: string;
  marks: Mark[];
}

interface Span {
  start: number;
  end: number;
  mark: Mark;
}

/** Spans of the pieces between separators that occur more than once (ignoring blank pieces). */
function repeatedPieces(text: string, separator: RegExp, mark: Mark): Span[] {
  const pieces: { start: number; end: number; key: string }[] = [];
  let start = 0;
  for (const m of text.matchAll(separator)) {
    pieces.push({ start, end: m.index, key: text.slice(start, m.index).trim() });
    start = m.index + m[0].length;
  }
  pieces.push({ start, end: text.length, key: text.slice(start).trim() });
  const counts = new Map<string, number>();
  for (const p of pieces) if (p.key) counts.set(p.key, (counts.get(p.key) ?? 0) + 1);
  return pieces.filter((p) => p.key && counts.get(p.key)! > 1).map((p) => ({ start: p.start, end: p.end, mark }));
}

/** Every occurrence of the most frequent word n-gram (case-folded), when it occurs at least twice. */
function topNGram(text: string, n: number): Span[] {
  const words = [...text.matchAll(/[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu)].map((m) => ({ start: m.index, end: m.index + m[0].length, word: m[0].toLowerCase() }));
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= words.length; i++) {
    const key = words.slice(i, i + n).map((w) => w.word).join(" ");
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  let best: string | undefined;
  let bestCount = 1;
  for (const [key, count] of counts) if (count > bestCount) [best, bestCount] = [key, count];
  if (!best) return [];
  const spans: Span[] = [];
  for (let i = 0; i + n <= words.length; i++) {
    if (words.slice(i, i + n).map((w) => w.word).join(" ") === best) spans.push({ start: words[i]!.start, end: words[i + n - 1]!.end, mark: `top-${n}gram` as Mark });
  }
  return spans;
}

function occurrences(text: string, needle: string, mark: Mark): Span[] {
  const spans: Span[] = [];
  if (!needle) return spans;
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length)) spans.push({ start: at, end: at + needle.length, mark });
  return spans;
}

/** The text cut at every span boundary, each piece with the marks covering it. */
export function segments(text: string, placeholders: string[] = []): Segment[] {
  const spans = [
    ...repeatedPieces(text, /\n/g, "dup-line"),
    ...repeatedPieces(text, /\n[ \t]*\n\s*/g, "dup-para"),
    ...[2, 3, 4].flatMap((n) => topNGram(text, n)),
    ...placeholders.flatMap((p) => occurrences(text, p, "pii")),
  ];
  const cuts = [...new Set([0, text.length, ...spans.flatMap((s) => [s.start, s.end])])].sort((a, b) => a - b);
  const out: Segment[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const [start, end] = [cuts[i]!, cuts[i + 1]!];
    if (start === end) continue;
    const marks = [...new Set(spans.filter((s) => s.start <= start && s.end >= end).map((s) => s.mark))].sort();
    const last = out.at(-1);
    if (last && last.marks.join() === marks.join()) last.text += text.slice(start, end);
    else out.push({ text: text.slice(start, end), marks });
  }
  return out;
}

export interface SignalRow {
  stage: string;
  param: string;
  signal: string;
  value: number | null;
  threshold: unknown;
  keeps: Knob["keeps"];
  /** Whether the value passes the threshold by `keeps` (null when either is missing). */
  passes: boolean | null;
}

const passesBy = (v: number, t: number, keeps: Knob["keeps"]) => (keeps === ">=" ? v >= t : keeps === ">" ? v > t : keeps === "<=" ? v <= t : v < t);

/** Each knob of the step's stages with the document's signal and the stage's threshold. */
export function signalRows(meta: Record<string, unknown>, stages: { name: string; params: Record<string, unknown> }[]): SignalRow[] {
  return stages.flatMap(({ name, params }) =>
    knobsOf(name).flatMap((knob) =>
      knob.signals.map((signal) => {
        const value = signalAt(meta, signal) ?? null;
        const threshold = params[knob.param];
        return { stage: name, param: knob.param, signal, value, threshold, keeps: knob.keeps, passes: value === null || typeof threshold !== "number" ? null : passesBy(value, threshold, knob.keeps) };
      }),
    ),
  );
}
