/** `kiln status <run>`: per step, ranks done / running / failed / waiting, and the failed ranks' logs. */
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { defineCommand } from "citty";
import { activeJobs, predictWorlds, readSlurmState } from "../executors/slurm.js";
import { isComplete, stepPaths } from "../runner.js";
import { loadResolvedConfig } from "../config.js";

export interface StepStatus {
  step: string;
  world: number;
  done: number;
  running: number[];
  queued: number[];
  failed: { rank: number; log: string; error: string }[];
}

export async function runStatus(runDir: string): Promise<StepStatus[]> {
  const pipeline = await loadResolvedConfig(path.join(runDir, "config.json"));
  const worlds = await predictWorlds(pipeline);
  const state = await readSlurmState(pipeline);
  const active = await activeJobs(state).catch(() => new Map<string, string>());
  const result: StepStatus[] = [];
  for (const step of pipeline.steps) {
    const paths = stepPaths(pipeline, step.name);
    const world = worlds.get(step.name)!;
    const done = await Promise.all(Array.from({ length: world }, (_, r) => isComplete(pipeline, step.name, r)));
    const running: number[] = [];
    const queued: number[] = [];
    for (const array of state.submitted.filter((s) => s.step === step.name)) {
      // squeue -r lists every array element as "<job>_<index>", pending ones included.
      for (const [id, st] of active) {
        const [job, index] = id.split("_");
        if (job !== array.jobId || index === undefined || !/^\d+$/.test(index)) continue;
        (st === "R" || st === "CG" ? running : queued).push(array.offset + Number(index));
      }
    }
    const failedNames = await readdir(path.join(paths.dir, "failures")).catch(() => [] as string[]);
    const failed = await Promise.all(
      failedNames
        .filter((n) => /^\d+$/.test(n) && !done[Number(n)] && !running.includes(Number(n)))
        .map(async (n) => ({ rank: Number(n), log: paths.log(Number(n)), error: (await readFile(path.join(paths.dir, "failures", n), "utf8")).trim() })),
    );
    result.push({ step: step.name, world, done: done.filter(Boolean).length, running: running.sort((a, b) => a - b), queued: queued.sort((a, b) => a - b), failed });
  }
  return result;
}

export function formatStatus(steps: StepStatus[]): string {
  const lines = ["step                      done      running  queued  failed"];
  for (const s of steps) {
    lines.push(`${s.step.padEnd(24)}  ${`${s.done}/${s.world}`.padEnd(8)}  ${String(s.running.length).padStart(7)}  ${String(s.queued.length).padStart(6)}  ${String(s.failed.length).padStart(6)}`);
    for (const f of s.failed) lines.push(`    rank ${f.rank} failed: ${f.error}\n      log: ${f.log}`);
  }
  return lines.join("\n") + "\n";
}

export const statusCommand = defineCommand({
  meta: { name: "status", description: "per step of a run: tasks done, running, queued and failed (with their logs)" },
  args: { run: { type: "positional", description: "run folder", required: true } },
  async run({ args }) {
    process.stdout.write(formatStatus(await runStatus(args.run)));
  },
});
