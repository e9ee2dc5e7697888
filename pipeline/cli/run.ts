import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { defineCommand } from "citty";
import { loadPipelineFile, resolvePipeline, type ResolvedComponent, type ResolvedPipeline } from "../config.js";
import { KilnError, positiveIntegerFlag, writeFileAtomic } from "../../core/index.js";
import { runLocal } from "../executors/local.js";
import { arraySpec, submitSlurm, waitForJobs } from "../executors/slurm.js";
import { executorFlags, executorOf, slurmOptionsFromFlags } from "./flags.js";
import { createReporter, type Reporter } from "../progress.js";
import { getSpec, importModules, toModuleUrl, type SpecKind } from "../registry.js";
import { formatStepStats, type StepStats } from "../stats.js";
import { formatStatus, runStatus } from "./status.js";

/**
 * Saves the resolved config in the run folder. A rerun with the same config resumes; a different
 * config in the same folder is refused, because its finished tasks would not match the new one.
 */
export async function saveResolvedConfig(pipeline: ResolvedPipeline): Promise<void> {
  const file = path.join(pipeline.output, "config.json");
  const text = JSON.stringify(pipeline, null, 2) + "\n";
  const existing = await readFile(file, "utf8").catch(() => null);
  if (existing !== null && existing !== text) {
    throw new KilnError("config_changed", `${file}: the run folder holds a run of a different config; use another output folder`);
  }
  await mkdir(pipeline.output, { recursive: true });
  if (existing === null) await writeFileAtomic(file, text);
}

export interface RunPipelineOptions {
  builtinModules: string[];
  workers?: number;
  reporter?: Reporter;
}

/** The notes of every component of every step (see BaseSpec.note), once each, naming the step. */
export function pipelineNotes(pipeline: ResolvedPipeline): string[] {
  const notes: string[] = [];
  for (const step of pipeline.steps) {
    const components: [SpecKind, ResolvedComponent | undefined][] = [["reader", step.reader], ...step.stages.map((s): [SpecKind, ResolvedComponent] => ["stage", s]), ["writer", step.writer], ["task", step.task]];
    for (const [kind, component] of components) {
      if (!component) continue;
      const spec = getSpec(kind as "stage", component.name) as { note?: (params: unknown) => string | undefined };
      const note = spec.note?.(component.params);
      if (note) notes.push(`step ${step.name}: ${note}`);
    }
  }
  return notes;
}

/** Loads and validates a pipeline file and saves its resolved config in the run folder. */
export async function preparePipeline(file: string, builtinModules: string[]): Promise<{ pipeline: ResolvedPipeline; modules: string[] }> {
  const raw = await loadPipelineFile(file);
  const baseDir = path.dirname(path.resolve(file));
  const extra = Array.isArray((raw as { modules?: unknown })?.modules) ? (raw as { modules: unknown[] }).modules.map(String) : [];
  const modules = [...builtinModules, ...extra.map((m) => toModuleUrl(path.resolve(baseDir, m)))];
  await importModules(modules);
  const pipeline = resolvePipeline(raw, file, baseDir);
  await saveResolvedConfig(pipeline);
  for (const note of pipelineNotes(pipeline)) process.stderr.write(`kiln: note: ${note}\n`);
  return { pipeline, modules };
}

/** Loads, validates and runs a pipeline file; used by `kiln run` and by `kiln demo`. */
export async function runPipelineFile(file: string, options: RunPipelineOptions): Promise<{ pipeline: ResolvedPipeline; stats: StepStats[] }> {
  const { pipeline, modules } = await preparePipeline(file, options.builtinModules);
  const reporter = options.reporter ?? createReporter();
  const stats = await runLocal(pipeline, { modules, reporter, ...(options.workers ? { workers: options.workers } : {}) });
  reporter.close();
  return { pipeline, stats };
}

async function runOnSlurm(file: string, builtinModules: string[], cliCommand: string[], args: Record<string, unknown>): Promise<void> {
  const { pipeline } = await preparePipeline(file, builtinModules);
  const state = await submitSlurm(pipeline, slurmOptionsFromFlags(args, cliCommand));
  if (state.submitted.length === 0) {
    process.stdout.write(`nothing to submit: every task of ${pipeline.output} is complete\n`);
    return;
  }
  for (const a of state.submitted) process.stdout.write(`submitted ${a.step}: job ${a.jobId}, ranks ${arraySpec(a.ranks)}\n`);
  process.stdout.write(`stats merge: job ${state.mergeJob}\nfollow with: kiln status ${pipeline.output}\n`);
  if (!args.wait) return;
  await waitForJobs(state);
  const steps = await runStatus(pipeline.output);
  process.stdout.write(formatStatus(steps));
  const incomplete = steps.filter((s) => s.done < s.world);
  if (incomplete.length > 0) throw new KilnError("task_failed", `${incomplete.map((s) => `${s.step} ${s.done}/${s.world}`).join(", ")} tasks done; see kiln status ${pipeline.output}`);
}

export function runCommandDef(builtinModules: string[], cliCommand: string[]) {
  return defineCommand({
    meta: { name: "run", description: "run a curation pipeline (YAML)" },
    args: {
      pipeline: { type: "positional", description: "pipeline config file", required: true },
      ...executorFlags,
      workers: { type: "string", description: "local: worker threads; default: number of cores" },
      quiet: { type: "boolean", description: "no progress output" },
    },
    async run({ args }) {
      if (executorOf(args) === "slurm") return runOnSlurm(args.pipeline, builtinModules, cliCommand, args);
      const workers = positiveIntegerFlag("workers", args.workers);
      const { pipeline, stats } = await runPipelineFile(args.pipeline, {
        builtinModules,
        reporter: createReporter(process.stderr, Boolean(args.quiet)),
        ...(workers ? { workers } : {}),
      });
      for (const step of stats) process.stdout.write(`\n# ${step.step} (${step.world} tasks)\n${formatStepStats(step)}\n`);
      process.stdout.write(`\nrun folder: ${pipeline.output}\n`);
    },
  });
}
