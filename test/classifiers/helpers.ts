import os from "node:os";
import { vi } from "vitest";
import { classifierCommand } from "../../classifiers/cli.js";
import { runCli } from "../../pipeline/cli/main.js";
import type { Doc, TaskContext } from "../../pipeline/doc.js";
import { getSpec } from "../../pipeline/registry.js";

/** A task context that records drops by reason. */
export function recordingContext(rank = 0, world = 1): TaskContext & { drops: Map<string, number>; logs: string[] } {
  const drops = new Map<string, number>();
  const logs: string[] = [];
  return {
    rank,
    world,
    step: "test",
    stepDataDir: () => os.tmpdir(),
    skip: () => {},
    drop: (_doc, _stage, reason) => void drops.set(reason, (drops.get(reason) ?? 0) + 1),
    log: (message) => void logs.push(message),
    drops,
    logs,
  };
}

/** Runs a registered stage over `docs` and collects what it keeps. */
export async function runStage(name: string, params: Record<string, unknown>, docs: Doc[], ctx = recordingContext()): Promise<Doc[]> {
  const spec = getSpec("stage", name);
  const stage = spec.create(spec.params.parse(params));
  async function* source() {
    yield* docs;
  }
  const out: Doc[] = [];
  for await (const doc of stage.run(source(), ctx)) out.push(doc);
  return out;
}

/** Word-salad documents: `length` words drawn from `vocabulary` by `random`. */
export function salad(vocabulary: string[], length: number, random: () => number): string {
  return Array.from({ length }, () => vocabulary[Math.floor(random() * vocabulary.length)]!).join(" ");
}

/** Runs `kiln classifier <rawArgs>` in this process, as the CLI does; returns stdout, or throws the error line it printed. */
export async function captureClassifierCli(rawArgs: string[]): Promise<string> {
  let out = "";
  let err = "";
  const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  const error = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => ((err += String(chunk)), true));
  const before = process.exitCode;
  let failed = false;
  try {
    await runCli(classifierCommand, rawArgs);
    failed = Boolean(process.exitCode);
  } finally {
    write.mockRestore();
    error.mockRestore();
    process.exitCode = before;
  }
  if (failed) throw new Error(err.trim().split("\n").find((line) => line.startsWith("kiln: ") && !line.startsWith("kiln: warning")) ?? err);
  return out;
}
