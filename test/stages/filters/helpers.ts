import type { Doc, Stage, TaskContext } from "../../../pipeline/doc.js";
import { getSpec } from "../../../pipeline/registry.js";

export const doc = (text: string, extra: Partial<Doc> = {}): Doc => ({ id: "d", text, meta: {}, ...extra });

/** A context that records drops and skips, for running a stage by hand. */
export function recordingContext(): TaskContext & { drops: Array<[string, string]>; skips: Record<string, number> } {
  const drops: Array<[string, string]> = [];
  const skips: Record<string, number> = {};
  return {
    rank: 0,
    world: 1,
    step: "test",
    stepDataDir: () => "/nonexistent",
    skip: (_stage, reason, n = 1) => void (skips[reason] = (skips[reason] ?? 0) + n),
    drop: (d, _stage, reason) => void drops.push([d.id, reason]),
    log: () => {},
    drops,
    skips,
  };
}

export function makeStage(name: string, params: Record<string, unknown> = {}): Stage {
  const spec = getSpec("stage", name);
  return spec.create(spec.params.parse(params));
}

export async function runStage(stage: Stage, docs: Doc[], ctx: TaskContext): Promise<Doc[]> {
  async function* source() {
    for (const d of docs) yield d;
  }
  const out: Doc[] = [];
  for await (const d of stage.run(source(), ctx)) out.push(d);
  return out;
}

/** `count` words built from `word`, joined by spaces. */
export const repeatWord = (word: string, count: number) => Array.from({ length: count }, () => word).join(" ");
