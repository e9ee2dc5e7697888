/**
 * `kiln calibrate`: per-language filter thresholds from your own crawl, FineWeb-2's way. The
 * published thresholds were set on English; in another language the same rule removes a
 * different share of good text (German words are longer, Chinese lines end in 。). Given the
 * crawl's signals and a reference set the user trusts in the same languages (Wikipedia-like
 * text), each threshold is set where it keeps a chosen share of the reference (95% by default),
 * and the report says what share of the crawl it would then remove.
 *
 * Signals come from `meta` where a run left them (the filters write them before deciding, and
 * `excluded/` keeps them); documents without them are annotated here with each filter's
 * defaults, so raw reference text works as it is. Languages come from `meta.language`, or the
 * default detector.
 */
import { defineCommand } from "citty";
import { stringify } from "yaml";
import { type Doc, type Stage, type TaskContext, defaultFields, getSpec } from "../pipeline/index.js";
import { KilnError, listFlagFiles, numberFlag, positiveIntegerFlag, writeFileAtomic } from "../core/index.js";
// The stages it annotates with register where they are defined.
import "./language/index.js";
import "./filters/index.js";
import { readJsonl } from "./readers/jsonl.js";

/** A threshold that a reference can calibrate: the parameter, the signal it bounds, and how a document passes. */
export interface Calibratable {
  stage: string;
  param: string;
  /** Path of the signal in meta, dot-separated. */
  signal: string;
  /** How a document with signal value v passes threshold t, as the filter decides. */
  keeps: ">=" | ">" | "<=" | "<";
}

/** FineWeb-2's per-language settings, as Kiln's parameters and signals. */
export const CALIBRATABLE: readonly Calibratable[] = [
  { stage: "language_filter", param: "minScore", signal: "languageScore", keeps: ">=" },
  { stage: "gopher_quality", param: "minAvgWordLength", signal: "gopherQuality.meanWordLength", keeps: ">=" },
  { stage: "gopher_quality", param: "maxAvgWordLength", signal: "gopherQuality.meanWordLength", keeps: "<=" },
  { stage: "gopher_quality", param: "minAlphaWordsRatio", signal: "gopherQuality.alphaWordFrac", keeps: ">=" },
  { stage: "gopher_repetition", param: "dupLineFrac", signal: "gopherRepetition.dupLineFrac", keeps: "<=" },
  ...[2, 3, 4].map((n): Calibratable => ({ stage: "gopher_repetition", param: `top${n}GramCharFrac`, signal: `gopherRepetition.topNGramCharFrac.${n}`, keeps: "<=" })),
  ...[5, 6, 7, 8, 9, 10].map((n): Calibratable => ({ stage: "gopher_repetition", param: `dup${n}GramCharFrac`, signal: `gopherRepetition.dupNGramCharFrac.${n}`, keeps: "<=" })),
  { stage: "fineweb_quality", param: "linePunctThr", signal: "fineweb.linePunctFrac", keeps: ">=" },
  { stage: "fineweb_quality", param: "newLineRatio", signal: "fineweb.newlineWordRatio", keeps: "<=" },
];

/** Each signal once (two thresholds can bound the same one). */
const SIGNALS = [...new Set(CALIBRATABLE.map((c) => c.signal))];

/** The stages that write the signals above (and the meta field each writes), in a FineWeb run's order. */
const ANNOTATING_STAGES = [
  ["language_filter", "languageScore"],
  ["gopher_repetition", "gopherRepetition"],
  ["gopher_quality", "gopherQuality"],
  ["fineweb_quality", "fineweb"],
] as const;

/** Values sorted ascending, with the share of them that passes a threshold in O(log n). */
class SortedValues {
  private readonly values: Float64Array;

  constructor(values: readonly number[]) {
    this.values = Float64Array.from(values).sort();
  }

  /** How many values are below `t` (strictly, or up to and including it). */
  private countBelow(t: number, inclusive: boolean): number {
    let lo = 0;
    let hi = this.values.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (inclusive ? this.values[mid]! <= t : this.values[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The share of the values that pass threshold `t` as `keeps` says (0 without values). */
  share(t: number, keeps: Calibratable["keeps"]): number {
    const n = this.values.length;
    if (n === 0) return 0;
    const passing = keeps === ">=" ? n - this.countBelow(t, false) : keeps === ">" ? n - this.countBelow(t, true) : this.countBelow(t, keeps === "<=");
    return passing / n;
  }
}

/**
 * The threshold that passes at least `keep` of the reference values and as few more as possible;
 * of those, the one that removes the most of the crawl, then the strictest. Candidates are the
 * values seen in either set and the midpoints between neighbours, so a cut falls between real
 * documents. Undefined without reference values.
 */
export function calibrateThreshold(reference: readonly number[], keeps: Calibratable["keeps"], keep: number, crawl: readonly number[] = []): number | undefined {
  if (reference.length === 0) return undefined;
  const ref = new SortedValues(reference);
  const seen = new SortedValues(crawl);
  const sorted = [...new Set([...reference, ...crawl])].sort((a, b) => a - b);
  const candidates = sorted.flatMap((v, i) => (i === 0 ? [v - 1, v] : [(sorted[i - 1]! + v) / 2, v]));
  candidates.push(sorted.at(-1)! + 1);
  const stricter = (a: number, b: number) => (keeps === ">=" || keeps === ">" ? a > b : a < b);
  let best: { threshold: number; passed: number; crawlPassed: number } | undefined;
  for (const threshold of candidates) {
    const passed = ref.share(threshold, keeps);
    if (passed + 1e-12 < keep) continue;
    const crawlPassed = seen.share(threshold, keeps);
    const better =
      !best ||
      passed < best.passed ||
      (passed === best.passed && (crawlPassed < best.crawlPassed || (crawlPassed === best.crawlPassed && stricter(threshold, best.threshold))));
    if (better) best = { threshold, passed, crawlPassed };
  }
  return best?.threshold;
}

/** meta at a dot-separated path, when it is a finite number. */
export function signalAt(meta: Record<string, unknown>, path: string): number | undefined {
  let value: unknown = meta;
  for (const key of path.split(".")) value = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

export interface CalibrationRow extends Calibratable {
  language: string;
  threshold: number;
  referenceDocs: number;
  crawlDocs: number;
  /** Share of the reference the threshold passes (>= the asked share), and of the crawl it removes. */
  referenceKept: number;
  crawlRemoved: number;
}

/** Signal values per language, for the crawl and the reference. */
export type SignalsByLanguage = Map<string, Map<string, number[]>>;

/** Thresholds for each language present in both sets with at least `minDocs` reference documents. */
export function calibrate(crawl: SignalsByLanguage, reference: SignalsByLanguage, keep: number, minDocs = 1): CalibrationRow[] {
  const rows: CalibrationRow[] = [];
  for (const [language, referenceSignals] of [...reference].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const crawlSignals = crawl.get(language);
    if (!crawlSignals) continue;
    for (const item of CALIBRATABLE) {
      const ref = referenceSignals.get(item.signal) ?? [];
      if (ref.length < minDocs) continue;
      const seen = crawlSignals.get(item.signal) ?? [];
      const found = calibrateThreshold(ref, item.keeps, keep, seen);
      if (found === undefined) continue;
      // The shares are those of the threshold as written.
      const threshold = Number(found.toPrecision(6));
      rows.push({
        ...item,
        language,
        threshold,
        referenceDocs: ref.length,
        crawlDocs: seen.length,
        referenceKept: new SortedValues(ref).share(threshold, item.keeps),
        crawlRemoved: seen.length ? 1 - new SortedValues(seen).share(threshold, item.keeps) : 0,
      });
    }
  }
  return rows;
}

/**
 * The thresholds as `presetParams`: each stage's `perLanguage` overrides,
 * `{ gopher_quality: { perLanguage: { de: { minAlphaWordsRatio: … } } } }`.
 */
export function asConfig(rows: readonly CalibrationRow[]): Record<string, { perLanguage: Record<string, Record<string, number>> }> {
  const config: Record<string, { perLanguage: Record<string, Record<string, number>> }> = {};
  for (const row of rows) ((config[row.stage] ??= { perLanguage: {} }).perLanguage[row.language] ??= {})[row.param] = row.threshold;
  return config;
}

/**
 * A context for reading and annotating documents outside a run: drops are the filters' verdicts,
 * not losses; skipped lines and damage are reported through `report`.
 */
function outsideRun(report: (message: string) => void): TaskContext {
  return {
    rank: 0,
    world: 1,
    step: "calibrate",
    stepDataDir: () => {
      throw new KilnError("usage", "calibrate annotates with document stages only");
    },
    skip() {},
    drop() {},
    log: report,
  };
}

async function* one(doc: Doc): AsyncGenerator<Doc> {
  yield doc;
}

/** Reads documents and collects each calibratable signal per language, annotating what is missing. */
export async function collectSignals(files: readonly string[], report: (message: string) => void): Promise<{ signals: SignalsByLanguage; documents: number }> {
  const stages: [Stage, string][] = ANNOTATING_STAGES.map(([name, metaKey]) => {
    const spec = getSpec("stage", name);
    return [spec.create(spec.params.parse({})), metaKey];
  });
  const reading = outsideRun(report);
  const annotating = outsideRun(() => {});
  const signals: SignalsByLanguage = new Map();
  let documents = 0;
  for (const file of files) {
    for await (const doc of readJsonl(file, reading, defaultFields)) {
      documents++;
      for (const [stage, metaKey] of stages) {
        if (doc.meta[metaKey] !== undefined) continue;
        // The stage writes its signals into doc.meta before deciding; its verdict is not needed.
        for await (const _ of stage.run(one(doc), annotating));
      }
      const language = typeof doc.meta.language === "string" ? doc.meta.language : "und";
      let byLanguage = signals.get(language);
      if (!byLanguage) signals.set(language, (byLanguage = new Map()));
      for (const signal of SIGNALS) {
        const value = signalAt(doc.meta, signal);
        if (value === undefined) continue;
        const list = byLanguage.get(signal);
        if (list) list.push(value);
        else byLanguage.set(signal, [value]);
      }
    }
  }
  return { signals, documents };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function formatCalibration(rows: readonly CalibrationRow[], keep: number): string {
  const out = [`thresholds that keep ${pct(keep)} of the reference, per language`, "", "language  stage              parameter           threshold  reference kept  crawl removed  (reference / crawl docs)"];
  for (const r of rows) {
    out.push(`${r.language.padEnd(9)} ${r.stage.padEnd(18)} ${r.param.padEnd(19)} ${String(r.threshold).padStart(9)}  ${pct(r.referenceKept).padStart(14)}  ${pct(r.crawlRemoved).padStart(13)}  (${r.referenceDocs} / ${r.crawlDocs})`);
  }
  return out.join("\n") + "\n";
}

export const calibrateCommand = defineCommand({
  meta: { name: "calibrate", description: "per-language filter thresholds that keep a share of a trusted reference set, and what they remove from your crawl" },
  args: {
    crawl: { type: "string", description: "JSONL documents of the crawl (comma-separated paths or globs): a run's output and excluded/ files keep their signals" },
    reference: { type: "string", description: "JSONL documents you trust in the same languages (e.g. Wikipedia text)" },
    keep: { type: "string", description: "share of the reference each threshold keeps", default: "0.95" },
    "min-docs": { type: "string", description: "fewest reference documents of a language to calibrate it", default: "20" },
    out: { type: "string", description: "write the thresholds as YAML: presetParams with each stage's perLanguage overrides" },
  },
  async run({ args }) {
    if (!args.crawl || !args.reference) throw new KilnError("usage", "calibrate needs --crawl and --reference");
    const keep = numberFlag("keep", args.keep, { max: 1 });
    if (keep <= 0) throw new KilnError("usage", `--keep ${args.keep}: expected a share in (0, 1]`);
    const minDocs = positiveIntegerFlag("min-docs", args["min-docs"])!;
    const report = (message: string) => process.stderr.write(`kiln calibrate: ${message}\n`);
    const crawl = await collectSignals(await listFlagFiles("crawl", args.crawl), report);
    const reference = await collectSignals(await listFlagFiles("reference", args.reference), report);
    const rows = calibrate(crawl.signals, reference.signals, keep, minDocs);
    process.stdout.write(`crawl ${crawl.documents} documents, reference ${reference.documents} documents\n\n` + formatCalibration(rows, keep));
    if (args.out) {
      await writeFileAtomic(args.out, `# kiln calibrate: thresholds keeping ${keep} of the reference, per language; use as a step's presetParams\n` + stringify(asConfig(rows)));
      process.stdout.write(`\nwrote ${args.out}\n`);
    }
  },
});
