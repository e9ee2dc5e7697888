/**
 * `kiln task`: what one Slurm array task runs. It reads the run folder's resolved config, so every
 * task of a run sees exactly what the submitting command validated.
 */
import { spawnSync } from "node:child_process";
import { defineCommand } from "citty";
import { loadResolvedConfig, type ResolvedPipeline } from "../config.js";
import { KilnError } from "../../core/index.js";
import { predictWorlds } from "../executors/slurm.js";
import { isComplete, mergeStepStats, planStep, runTask } from "../runner.js";
import { importModules, toModuleUrl } from "../registry.js";

/** On preemption or the time limit's warning signal, put this array task back in the queue. */
function requeueOnSignal(): void {
  const job = process.env.SLURM_ARRAY_JOB_ID ? `${process.env.SLURM_ARRAY_JOB_ID}_${process.env.SLURM_ARRAY_TASK_ID}` : process.env.SLURM_JOB_ID;
  if (!job) return;
  const requeue = (signal: NodeJS.Signals) => {
    process.stderr.write(`kiln task: ${signal}: requeueing job ${job}\n`);
    spawnSync("scontrol", ["requeue", job], { stdio: "inherit" });
    process.exit(143);
  };
  process.on("SIGUSR1", requeue);
  process.on("SIGTERM", requeue);
}

async function mergeAll(pipeline: ResolvedPipeline): Promise<void> {
  const worlds = await predictWorlds(pipeline);
  for (const step of pipeline.steps) {
    const world = worlds.get(step.name)!;
    const done = await Promise.all(Array.from({ length: world }, (_, r) => isComplete(pipeline, step.name, r)));
    if (done.every(Boolean)) await mergeStepStats(pipeline, step.name, world);
  }
}

export function taskCommandDef(builtinModules: string[]) {
  return defineCommand({
    meta: { name: "task", description: "run one task of a step from a run folder's config.json (what Slurm array tasks run)" },
    args: {
      config: { type: "positional", description: "<run>/config.json", required: true },
      step: { type: "string", description: "step name" },
      rank: { type: "string", description: "task rank" },
      "rank-offset": { type: "string", description: "rank = offset + SLURM_ARRAY_TASK_ID" },
      "merge-stats": { type: "boolean", description: "merge the stats of every finished step" },
    },
    async run({ args }) {
      // First, so a signal that comes while modules load already requeues (and never starts Node's inspector).
      if (!args["merge-stats"]) requeueOnSignal();
      const pipeline = await loadResolvedConfig(args.config);
      await importModules([...builtinModules, ...pipeline.modules.map(toModuleUrl)]);
      if (args["merge-stats"]) return mergeAll(pipeline);
      const step = pipeline.steps.find((s) => s.name === args.step);
      if (!step) throw new KilnError("usage", `--step ${args.step ?? ""}: no such step in ${args.config}`);
      const arrayIndex = process.env.SLURM_ARRAY_TASK_ID;
      const rank = args.rank !== undefined ? Number(args.rank) : Number(args["rank-offset"] ?? 0) + Number(arrayIndex);
      if (!Number.isInteger(rank) || rank < 0) throw new KilnError("usage", "give --rank, or --rank-offset inside a Slurm array task");
      const plan = await planStep(pipeline, step);
      if (rank >= plan.world) throw new KilnError("usage", `--rank ${rank}: step ${step.name} has ${plan.world} tasks`);
      let last = 0;
      const stats = await runTask({
        pipeline,
        step,
        plan,
        rank,
        onProgress: (p) => {
          if (performance.now() - last < 5000) return;
          last = performance.now();
          process.stderr.write(JSON.stringify({ event: "progress", ...p, time: new Date().toISOString() }) + "\n");
        },
      });
      process.stderr.write(JSON.stringify({ event: stats ? "task_done" : "task_already_done", step: step.name, rank }) + "\n");
    },
  });
}
