/**
 * Reading training data: labelled JSONL (the annotator's output, or any file with a text and a
 * numeric label field), or positive and negative corpora for a binary, DCLM-style classifier.
 * Rows that cannot be used are counted by reason, never guessed.
 */
import { createHash } from "node:crypto";
import { openRead, lines } from "../core/index.js";
import type { Example } from "./train.js";

export interface LabelledData {
  examples: Example[];
  /** Reason -> rows skipped. */
  skipped: Record<string, number>;
  /** sha256 over every (label, text) pair kept, in order: identifies the training data. */
  dataHash: string;
}

async function* jsonRows(file: string): AsyncGenerator<unknown | undefined> {
  const stream = await openRead(file);
  stream.setEncoding("utf8");
  for await (const line of lines(stream, { file })) {
    if (!line.trim()) continue;
    try {
      yield JSON.parse(line) as unknown;
    } catch {
      yield undefined;
    }
  }
}

class Collector {
  readonly examples: Example[] = [];
  readonly skipped: Record<string, number> = {};
  private readonly hash = createHash("sha256");

  skip(reason: string): void {
    this.skipped[reason] = (this.skipped[reason] ?? 0) + 1;
  }

  add(text: string, label: number, language?: string): void {
    this.examples.push(language === undefined ? { text, label } : { text, label, language });
    this.hash.update(`${label}\t${text.length}\t`).update(text);
  }

  result(): LabelledData {
    return { examples: this.examples, skipped: this.skipped, dataHash: this.hash.digest("hex") };
  }
}

/**
 * Rows with `text` and a numeric label in [0, classes-1] (a fractional label, e.g. the mean of
 * several annotators, is rounded for classification). A null label is an annotation that could
 * not be parsed: skipped as `no_label`.
 */
/** A row's language: its `key` field, or that field of its `meta` (as Kiln's stages write it). */
function languageOf(record: Record<string, unknown>, key: string): string | undefined {
  const meta = record.meta;
  const value = record[key] ?? (typeof meta === "object" && meta !== null ? (meta as Record<string, unknown>)[key] : undefined);
  return typeof value === "string" && value !== "" ? value : undefined;
}

export async function readLabelled(files: string[], options: { textKey: string; labelKey: string; classes: number; round: boolean; languageKey?: string }): Promise<LabelledData> {
  const out = new Collector();
  for (const file of files) {
    for await (const row of jsonRows(file)) {
      if (typeof row !== "object" || row === null) {
        out.skip("bad_json");
        continue;
      }
      const record = row as Record<string, unknown>;
      const text = record[options.textKey];
      const label = record[options.labelKey];
      if (typeof text !== "string") out.skip("missing_text");
      else if (label === null || label === undefined) out.skip("no_label");
      else if (typeof label !== "number" || !Number.isFinite(label)) out.skip("bad_label");
      else if (label < 0 || label > options.classes - 1) out.skip("label_out_of_range");
      else out.add(text, options.round ? Math.round(label) : label, options.languageKey ? languageOf(record, options.languageKey) : undefined);
    }
  }
  return out.result();
}

/** Binary data from corpora: every document of `positive` files is label 1, of `negative` files 0. */
export async function readCorpora(positive: string[], negative: string[], textKey: string): Promise<LabelledData> {
  const out = new Collector();
  for (const [files, label] of [[negative, 0], [positive, 1]] as const) {
    for (const file of files) {
      for await (const row of jsonRows(file)) {
        const text = typeof row === "object" && row !== null ? (row as Record<string, unknown>)[textKey] : undefined;
        if (row === undefined) out.skip("bad_json");
        else if (typeof text !== "string") out.skip("missing_text");
        else out.add(text, label);
      }
    }
  }
  return out.result();
}

/** Where labelled documents come from: files with 0..classes-1 labels, or two corpora (DCLM style). */
export type ClassifierData =
  | { labels: string[]; classes: number; labelKey: string; languageKey?: string }
  | { positive: string[]; negative: string[] };

/** Reads `spec`'s documents; `round` rounds labels to classes (classification). */
export function readClassifierData(spec: ClassifierData, textKey: string, round: boolean): Promise<LabelledData> {
  if ("positive" in spec) return readCorpora(spec.positive, spec.negative, textKey);
  return readLabelled(spec.labels, { textKey, labelKey: spec.labelKey, classes: spec.classes, round, languageKey: spec.languageKey });
}
