/** Per-stage counters of one task, and the merge of all tasks' counters into a step's stats. */

export interface StageStats {
  name: string;
  docsIn: number;
  docsOut: number;
  /** UTF-8 bytes of `text` entering and leaving the stage. */
  bytesIn: number;
  bytesOut: number;
  /** Documents removed, by reason. */
  dropped: Record<string, number>;
  /** Input that never became a document, by reason (readers). */
  skipped: Record<string, number>;
  /** Time spent inside this stage alone, not in the stages before it. */
  wallMs: number;
}

export interface TaskStats {
  step: string;
  rank: number;
  world: number;
  files: number;
  wallMs: number;
  stages: StageStats[];
  /** Named counts of whole-step tasks (pairs, clusters, ...). */
  counters?: Record<string, number>;
}

export interface StepStats extends Omit<TaskStats, "rank"> {
  ranks: number;
}

export function emptyStageStats(name: string): StageStats {
  return { name, docsIn: 0, docsOut: 0, bytesIn: 0, bytesOut: 0, dropped: {}, skipped: {}, wallMs: 0 };
}

export function addCount(into: Record<string, number>, key: string, n = 1): void {
  into[key] = (into[key] ?? 0) + n;
}

function mergeStage(into: StageStats, from: StageStats): void {
  into.docsIn += from.docsIn;
  into.docsOut += from.docsOut;
  into.bytesIn += from.bytesIn;
  into.bytesOut += from.bytesOut;
  into.wallMs += from.wallMs;
  for (const [k, v] of Object.entries(from.dropped)) addCount(into.dropped, k, v);
  for (const [k, v] of Object.entries(from.skipped)) addCount(into.skipped, k, v);
}

/** Sums tasks stage by stage. Every task of a step has the same stages in the same order. */
export function mergeTaskStats(tasks: TaskStats[]): StepStats {
  const first = tasks[0];
  const merged: StepStats = {
    step: first?.step ?? "",
    world: first?.world ?? 0,
    ranks: tasks.length,
    files: 0,
    wallMs: 0,
    stages: first ? first.stages.map((s) => emptyStageStats(s.name)) : [],
  };
  for (const task of tasks) {
    merged.files += task.files;
    merged.wallMs += task.wallMs;
    if (task.counters) {
      merged.counters ??= {};
      for (const [k, v] of Object.entries(task.counters)) addCount(merged.counters, k, v);
    }
    task.stages.forEach((stage, i) => {
      const target = merged.stages[i];
      if (target) mergeStage(target, stage);
    });
  }
  return merged;
}

/** `candidatePairs` -> `candidate pairs`. */
const inWords = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();

/**
 * A short report of a step's stats, for the terminal: a table of its stages, or for a whole-step
 * task (the MinHash steps) what the task counted. Seconds are summed over the step's tasks.
 */
export function formatStepStats(stats: StepStats): string {
  const only = stats.stages.length === 1 ? stats.stages[0]! : undefined;
  if (only?.name.startsWith("task:")) {
    const counted = Object.entries(stats.counters ?? {}).map(([k, v]) => `${inWords(k)} ${v}`);
    return `${only.name.slice("task:".length)}: ${counted.join(", ") || "nothing counted"}; ${(only.wallMs / 1000).toFixed(2)} s summed over ${stats.ranks} task(s)`;
  }
  const rows = [["stage", "docs in", "docs out", "MB in", "MB out", "seconds*", "dropped / skipped"]];
  for (const s of stats.stages) {
    const reasons = { ...s.dropped, ...Object.fromEntries(Object.entries(s.skipped).map(([k, v]) => [`skip:${k}`, v])) };
    const why = Object.entries(reasons)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k}=${v}`)
      .join(" ");
    rows.push([s.name, String(s.docsIn), String(s.docsOut), (s.bytesIn / 1e6).toFixed(2), (s.bytesOut / 1e6).toFixed(2), (s.wallMs / 1000).toFixed(2), why]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const table = rows.map((r) => r.map((cell, c) => (c === 0 || c === r.length - 1 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ").trimEnd()).join("\n");
  return `${table}\n* time inside each stage, summed over the step's ${stats.ranks} task(s), which run in parallel`;
}
