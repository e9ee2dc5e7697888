import type { TaskContext } from "../../../pipeline/doc.js";

/** A TaskContext for reading alone: skips counted as `stage:reason`, log lines kept. */
export function readerContext() {
  const skips: Record<string, number> = {};
  const logs: string[] = [];
  const ctx: TaskContext = {
    rank: 0,
    world: 1,
    step: "read",
    stepDataDir() {
      throw new Error("readers never read other steps");
    },
    skip(stage, reason, n = 1) {
      skips[`${stage}:${reason}`] = (skips[`${stage}:${reason}`] ?? 0) + n;
    },
    drop() {
      throw new Error("readers never drop");
    },
    log(message) {
      logs.push(message);
    },
  };
  return { ctx, skips, logs };
}
