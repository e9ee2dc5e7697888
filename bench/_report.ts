/** Helpers the benchmarks share: medians of repeated runs, aligned tables, kernel profiles and a forced garbage collection. */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** The middle value (upper middle for an even count) of repeated measurements. */
export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

let gcFunction: ((options?: { type: "major" }) => void) | undefined;

/**
 * A full garbage collection: memory-reducing (what `node --expose-gc`'s gc() does without
 * options), or ordinary (`gc({ type: "major" })`). A memory-reducing one also discards every
 * function's optimized code, an ordinary one does not (Node 20: the extraction bench's Kiln pass
 * after a memory-reducing one ran ~140 TurboFan compilations, after none ~18, counted with
 * --trace-opt; an ordinary one added none). Node exposes gc() only under that flag: the flag is
 * set at run time and the function taken from a fresh context.
 */
export function collectGarbage(kind: "memory-reducing" | "ordinary" = "memory-reducing"): void {
  if (!gcFunction) {
    setFlagsFromString("--expose-gc");
    gcFunction = runInNewContext("gc") as (options?: { type: "major" }) => void;
  }
  if (kind === "ordinary") gcFunction({ type: "major" });
  else gcFunction();
}

/** Rows as aligned text: the first `leftColumns` columns left-aligned, numbers right-aligned. */
export function formatTable(rows: string[][], leftColumns = 1): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  return rows.map((r) => r.map((cell, c) => (c < leftColumns ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ")).join("\n");
}

/**
 * The kernels `run` dispatches, by tf.profile (device time where the backend measures it: webgpu
 * with timestamp-query), summed by op name: the top `top` as a table, with the total and the
 * most memory held at once: tfjs's tensor count (a reshape or a clone counted in full) and, on
 * webgpu, the GPU buffers in use (each once; not those the pool keeps free).
 */
export async function kernelTable(run: () => Promise<void>, top = 12): Promise<string> {
  const tf = await import("@tensorflow/tfjs");
  const { bufferBytes } = await import("../trainer/webgpu/dispatch.js");
  const resident = tf.memory().numBytes;
  const buffersBefore = bufferBytes().now;
  const info = await tf.profile(run);
  const buffersPeak = bufferBytes().peak;
  const ops = new Map<string, { ms: number; count: number }>();
  for (const k of info.kernels) {
    // customGrad wrappers report the ops inside them again: count leaf kernels only.
    if (k.name === "forward" || k.name === "backward" || k.name === "unnamed") continue;
    const e = ops.get(k.name) ?? { ms: 0, count: 0 };
    e.ms += Number(k.kernelTimeMs) || 0;
    e.count += 1;
    ops.set(k.name, e);
  }
  const total = [...ops.values()].reduce((a, b) => a + b.ms, 0);
  const rows = [...ops].sort((a, b) => b[1].ms - a[1].ms).slice(0, top);
  const table = formatTable([["op", "calls", "ms", "share"], ...rows.map(([name, e]) => [name, String(e.count), e.ms.toFixed(1), `${((100 * e.ms) / total).toFixed(1)}%`])]);
  const gb = (bytes: number) => (bytes / 1e9).toFixed(2);
  const buffers = tf.getBackend() === "webgpu" ? `, GPU buffers at most ${gb(buffersPeak)} GB (${gb(buffersBefore)} GB before)` : "";
  return `${info.kernels.length} kernels, ${total.toFixed(1)} ms of kernel time, tensors at most ${gb(info.peakBytes)} GB (${gb(resident)} GB before)${buffers}:\n${table}`;
}
