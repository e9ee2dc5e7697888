/**
 * What a threshold change would do, from the signals the run left in `meta`, with no recompute.
 *
 * The population is the step's documents that reached the stage: those it kept and those it or a
 * later stage dropped. A document's verdict can only change when one of the moved knobs' signals
 * lies between the old and the new threshold (inclusive, whatever the comparison); every other
 * document keeps its verdict. Those in between are decided again by the stage itself, with the
 * new parameters, on their stored signals (`reuseSignals`), so the answer is the filter's own
 * decision (other rules of the same stage, per-language overrides and all), not a re-implementation.
 */
import { stringify } from "yaml";
import { type Doc, type TaskContext, getSpec } from "../../pipeline/index.js";
import { KilnError, formatZodIssue } from "../../core/index.js";
import { knobsOf, KNOB_SIGNALS } from "./knobs.js";
import type { DocRecord, RunIndex, Tally } from "./run-index.js";

export interface WhatIfRequest {
  step: number;
  stage: string;
  /** The moved parameters and their new values. */
  params: Record<string, number>;
  /** How many documents that change fate to list each way (default 20). */
  samples?: number;
}

export interface ChangedDoc {
  n: number;
  id: string;
  language: string;
  chars: number;
  preview: string;
  before: string;
  after: string;
}

export interface WhatIfResult {
  stage: string;
  step: string;
  /** The stage's parameters before and after. */
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  reached: Tally;
  passedBefore: Tally;
  passedAfter: Tally;
  /** language → documents passing before and after. */
  languages: Record<string, { reached: number; before: number; after: number }>;
  /** Documents decided again because a signal lies between the thresholds. */
  redecided: number;
  newlyDropped: ChangedDoc[];
  newlyKept: ChangedDoc[];
  newlyDroppedCount: number;
  newlyKeptCount: number;
  /** The new parameters as a pipeline config snippet. */
  snippet: string;
}

const emptyTally = (tokens: boolean): Tally => ({ docs: 0, bytes: 0, tokens: tokens ? 0 : null });
function add(t: Tally, bytes: number, tokens: number | null): void {
  t.docs++;
  t.bytes += bytes;
  if (t.tokens !== null) t.tokens += tokens ?? 0;
}

/**
 * The stage's verdicts on documents, in one run of the stage over all of them: true, or the reason
 * it drops the document.
 */
async function decider(stage: string, params: Record<string, unknown>): Promise<(docs: AsyncIterable<Doc>) => AsyncGenerator<[Doc, true | string]>> {
  const spec = getSpec("stage", stage);
  const shape = (spec.params as unknown as { shape?: Record<string, unknown> }).shape ?? {};
  const parsed = spec.params.safeParse("reuseSignals" in shape ? { ...params, reuseSignals: true } : params);
  if (!parsed.success) {
    throw new KilnError("usage", `${stage}: ${formatZodIssue(parsed.error.issues[0]!)}`);
  }
  const instance = spec.create(parsed.data);
  return async function* (docs) {
    // A stage takes documents in order and yields or drops each before the next (docStage does).
    const verdicts: [Doc, true | string][] = [];
    const ctx: TaskContext = {
      rank: 0,
      world: 1,
      step: "inspect",
      stepDataDir: () => {
        throw new KilnError("usage", `${stage} reads another step's output: its threshold cannot be moved here`);
      },
      skip: () => undefined,
      drop: (doc, _stage, why) => void verdicts.push([doc, why]),
      log: () => undefined,
    };
    for await (const kept of instance.run(docs, ctx)) {
      yield* verdicts.splice(0);
      yield [kept, true];
    }
    yield* verdicts.splice(0);
  };
}

export async function whatIf(index: RunIndex, request: WhatIfRequest): Promise<WhatIfResult> {
  const { summary } = index;
  const step = summary.steps[request.step];
  if (!step) throw new KilnError("not_found", `step ${request.step}: the run has ${summary.steps.length}`);
  const order = step.params.map((s) => s.name);
  const position = order.indexOf(request.stage);
  if (position < 0) throw new KilnError("not_found", `${step.name}: no stage ${request.stage} (stages: ${order.join(", ") || "none recorded"})`);
  const knobs = knobsOf(request.stage);
  const before = step.params[position]!.params;
  const moved = Object.entries(request.params);
  if (moved.length === 0) throw new KilnError("usage", "no parameter moved");
  const columns: { signal: number; low: number; high: number }[] = [];
  for (const [param, value] of moved) {
    const knob = knobs.find((k) => k.param === param);
    if (!knob) throw new KilnError("usage", `${request.stage}.${param}: not a threshold inspect can move (it can: ${knobs.map((k) => k.param).join(", ") || "none"})`);
    if (typeof value !== "number" || !Number.isFinite(value)) throw new KilnError("usage", `${request.stage}.${param}: ${String(value)} is not a number`);
    const old = before[param];
    const oldValue = typeof old === "number" ? old : value;
    for (const signal of knob.signals) columns.push({ signal: KNOB_SIGNALS.indexOf(signal), low: Math.min(oldValue, value), high: Math.max(oldValue, value) });
  }
  const after = { ...before, ...request.params };
  const decide = await decider(request.stage, after);
  const values = await Promise.all(columns.map((c) => index.signal(c.signal)));
  // Where each stage of the run sits in this step (stages the step does not list come after).
  const stagePosition = summary.stages.map((name) => (order.indexOf(name) < 0 ? order.length : order.indexOf(name)));
  const tokens = summary.tokens;
  const result: WhatIfResult = {
    stage: request.stage,
    step: step.name,
    before,
    after,
    reached: emptyTally(tokens),
    passedBefore: emptyTally(tokens),
    passedAfter: emptyTally(tokens),
    languages: {},
    redecided: 0,
    newlyDropped: [],
    newlyKept: [],
    newlyDroppedCount: 0,
    newlyKeptCount: 0,
    snippet: stringify([{ [request.stage]: request.params }]),
  };
  const samples = request.samples ?? 20;
  // First pass: every document's verdict before; those with a signal between the thresholds wait for the stage.
  const waiting: { record: DocRecord; language: string; droppedHere: boolean }[] = [];
  const passAfter = (record: DocRecord, language: string) => {
    add(result.passedAfter, record.bytes, record.tokens);
    result.languages[language]!.after++;
  };
  for await (const record of index.records()) {
    if (record.step !== request.step) continue;
    if (record.dropped && stagePosition[record.stage]! < position) continue;
    const droppedHere = record.dropped && summary.stages[record.stage] === request.stage;
    const language = summary.languages[record.language] ?? "und";
    const row = (result.languages[language] ??= { reached: 0, before: 0, after: 0 });
    add(result.reached, record.bytes, record.tokens);
    row.reached++;
    if (!droppedHere) {
      add(result.passedBefore, record.bytes, record.tokens);
      row.before++;
    }
    const between = columns.some((c, i) => {
      const v = values[i]![record.n]!;
      return v >= c.low && v <= c.high;
    });
    if (between) waiting.push({ record, language, droppedHere });
    else if (!droppedHere) passAfter(record, language);
  }
  // Second pass: the stage decides the waiting documents again, in one run over them.
  result.redecided = waiting.length;
  async function* waitingDocs() {
    for (const w of waiting) yield await index.doc(w.record);
  }
  // One verdict per document, in order (a stage may yield a copy of the document it kept).
  let k = 0;
  for await (const [doc, verdict] of decide(waitingDocs())) {
    const w = waiting[k++]!;
    const passes = verdict === true;
    if (passes) passAfter(w.record, w.language);
    if (passes === !w.droppedHere) continue;
    const changed: ChangedDoc = {
      n: w.record.n,
      id: doc.id,
      language: w.language,
      chars: w.record.chars,
      preview: doc.text.slice(0, 160),
      before: w.droppedHere ? summary.reasons[w.record.reason]! : "kept",
      after: passes ? "kept" : (verdict as string),
    };
    if (passes) {
      result.newlyKeptCount++;
      if (result.newlyKept.length < samples) result.newlyKept.push(changed);
    } else {
      result.newlyDroppedCount++;
      if (result.newlyDropped.length < samples) result.newlyDropped.push(changed);
    }
  }
  return result;
}
