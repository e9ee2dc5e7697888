/**
 * The Slurm executor: each step becomes `sbatch --array` job(s) whose tasks run the CLI's `task`
 * verb on the run folder's resolved config with their rank; steps chain with afterok. Nothing but
 * files passes between tasks, so the output equals the local executor's.
 */
import { execFile } from "node:child_process";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import type { ResolvedPipeline, ResolvedStep } from "../config.js";
import { KilnError, writeFileAtomic } from "../../core/index.js";
import { isComplete, planStep, stepPaths } from "../runner.js";

const run = promisify(execFile);

export interface SlurmOptions {
  partition?: string;
  time?: string;
  cpusPerTask?: number;
  memPerCpu?: string;
  maxConcurrent?: number;
  qos?: string;
  /** How a task starts the CLI: the node binary and its arguments up to the verb. */
  command: string[];
}

/** One submitted array: ranks offset..offset+indices of one step. */
export interface SubmittedArray {
  step: string;
  jobId: string;
  offset: number;
  ranks: number[];
}

export interface SlurmState {
  submitted: SubmittedArray[];
  mergeJob?: string;
}

export const slurmStateFile = (pipeline: ResolvedPipeline) => path.join(pipeline.output, "slurm.json");

async function slurm(command: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(command, args, { encoding: "utf8" });
    return stdout;
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === "ENOENT") throw new KilnError("slurm_unavailable", `${command} not found: is this a Slurm login node?`);
    throw new KilnError("slurm_error", `${command} ${args.join(" ")}: ${(e.stderr ?? e.message).trim().split("\n")[0]}`);
  }
}

/** "0-3,5,7-8" from sorted indices. */
export function arraySpec(indices: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < indices.length; ) {
    let j = i;
    while (j + 1 < indices.length && indices[j + 1] === indices[j]! + 1) j++;
    parts.push(i === j ? `${indices[i]}` : `${indices[i]}-${indices[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

/** Splits ranks into arrays whose indices stay below the cluster's MaxArraySize. */
export function splitArrays(ranks: number[], maxArraySize: number): { offset: number; indices: number[] }[] {
  const groups = new Map<number, number[]>();
  for (const rank of ranks) {
    const offset = Math.floor(rank / maxArraySize) * maxArraySize;
    groups.set(offset, [...(groups.get(offset) ?? []), rank - offset]);
  }
  return [...groups].sort((a, b) => a[0] - b[0]).map(([offset, indices]) => ({ offset, indices }));
}

async function maxArraySize(): Promise<number> {
  const config = await slurm("scontrol", ["show", "config"]);
  const match = /MaxArraySize\s*=\s*(\d+)/.exec(config);
  return match ? Number(match[1]) : 1001;
}

/**
 * The world of every step, known before anything runs: a step reading an earlier doc step gets one
 * file per rank of it; a whole-step task defaults to one task; a step reading a whole-step task's
 * output must say how many tasks it has.
 */
export async function predictWorlds(pipeline: ResolvedPipeline): Promise<Map<string, number>> {
  const worlds = new Map<string, number>();
  for (const step of pipeline.steps) {
    if (step.tasks) worlds.set(step.name, step.tasks);
    else if (step.task) worlds.set(step.name, 1);
    else if (step.from) {
      const from = pipeline.steps.find((s) => s.name === step.from)!;
      if (from.task) throw new KilnError("bad_config", `step ${step.name} reads the output of whole-step task ${from.name}: give it "tasks" to run under Slurm`);
      worlds.set(step.name, worlds.get(from.name)!);
    } else worlds.set(step.name, (await planStep(pipeline, step)).world);
  }
  return worlds;
}

async function pendingRanks(pipeline: ResolvedPipeline, step: ResolvedStep, world: number): Promise<number[]> {
  const ranks = Array.from({ length: world }, (_, r) => r);
  const done = await Promise.all(ranks.map((r) => isComplete(pipeline, step.name, r)));
  return ranks.filter((r) => !done[r]);
}

/** Job ids of this run that are still queued or running. */
export async function activeJobs(state: SlurmState): Promise<Map<string, string>> {
  const ids = [...new Set([...state.submitted.map((s) => s.jobId), ...(state.mergeJob ? [state.mergeJob] : [])])];
  if (ids.length === 0) return new Map();
  const out = await slurm("squeue", ["-h", "-r", "-j", ids.join(","), "-o", "%i %t"]).catch(() => "");
  return new Map(out.trim().split("\n").filter(Boolean).map((line) => line.split(/\s+/) as [string, string]));
}

export async function readSlurmState(pipeline: ResolvedPipeline): Promise<SlurmState> {
  return readFile(slurmStateFile(pipeline), "utf8").then((t) => JSON.parse(t) as SlurmState, () => ({ submitted: [] }));
}

function sbatchOptions(options: SlurmOptions): string[] {
  const flags: string[] = [];
  if (options.partition) flags.push(`--partition=${options.partition}`);
  if (options.time) flags.push(`--time=${options.time}`);
  if (options.cpusPerTask) flags.push(`--cpus-per-task=${options.cpusPerTask}`);
  if (options.memPerCpu) flags.push(`--mem-per-cpu=${options.memPerCpu}`);
  if (options.qos) flags.push(`--qos=${options.qos}`);
  return flags;
}

const shellQuote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/**
 * Submits what is left of a run: per step, the ranks without a completion marker, chained by
 * afterok; then a job that merges the stats. Returns what it submitted (nothing when all is done).
 */
export async function submitSlurm(pipeline: ResolvedPipeline, options: SlurmOptions): Promise<SlurmState> {
  const previous = await readSlurmState(pipeline);
  const active = await activeJobs(previous);
  if (active.size > 0) {
    throw new KilnError("slurm_busy", `${pipeline.output}: jobs of this run are still queued or running (${[...active.keys()].slice(0, 5).join(", ")}); wait for them or scancel them first`);
  }
  const worlds = await predictWorlds(pipeline);
  const limit = await maxArraySize();
  const configFile = path.join(pipeline.output, "config.json");
  const state: SlurmState = { submitted: [] };
  let dependency: string[] = [];
  for (const step of pipeline.steps) {
    const pending = await pendingRanks(pipeline, step, worlds.get(step.name)!);
    if (pending.length === 0) continue;
    const slurmDir = path.join(stepPaths(pipeline, step.name).dir, "slurm");
    const jobs: string[] = [];
    for (const { offset, indices } of splitArrays(pending, limit)) {
      const script = path.join(slurmDir, `submit-${offset}.sh`);
      const task = [...options.command, "task", configFile, "--step", step.name, "--rank-offset", String(offset)];
      await writeFileAtomic(script, `#!/bin/bash\n# ${step.name}, ranks ${offset} + SLURM_ARRAY_TASK_ID\nexec ${task.map(shellQuote).join(" ")}\n`);
      const concurrency = options.maxConcurrent ? `%${options.maxConcurrent}` : "";
      const args = [
        "--parsable",
        `--array=${arraySpec(indices)}${concurrency}`,
        `--job-name=kiln-${pipeline.name}-${step.name}`,
        `--output=${path.join(slurmDir, "%A_%a.out")}`,
        // SIGUSR1 a minute before the time limit: the task requeues itself (see the task verb).
        "--requeue",
        "--signal=B:USR1@60",
        ...(dependency.length ? [`--dependency=afterok:${dependency.join(":")}`] : []),
        ...sbatchOptions(options),
        script,
      ];
      const jobId = (await slurm("sbatch", args)).trim().split(";")[0]!;
      jobs.push(jobId);
      state.submitted.push({ step: step.name, jobId, offset, ranks: indices.map((i) => i + offset) });
    }
    dependency = jobs;
  }
  if (state.submitted.length > 0) {
    const merge = [...options.command, "task", configFile, "--merge-stats"];
    const script = path.join(pipeline.output, "slurm-merge-stats.sh");
    await writeFileAtomic(script, `#!/bin/bash\nexec ${merge.map(shellQuote).join(" ")}\n`);
    state.mergeJob = (
      await slurm("sbatch", ["--parsable", `--job-name=kiln-${pipeline.name}-stats`, `--output=${path.join(pipeline.output, "slurm-merge-stats.out")}`, `--dependency=afterok:${dependency.join(":")}`, ...sbatchOptions(options), script])
    )
      .trim()
      .split(";")[0]!;
  }
  await writeFileAtomic(slurmStateFile(pipeline), JSON.stringify(state.submitted.length ? state : { ...previous }, null, 2) + "\n");
  return state;
}

/** One job of a chain: a single task, or an array whose tasks get `--index <i>` for each of `indices`. */
export interface ChainJob {
  name: string;
  /** CLI arguments after the command. */
  args: string[];
  indices?: number[];
}

/**
 * Submits jobs that run one after another (afterok), each a single task or an array, for verbs
 * whose work is not a pipeline step (the training runs of an ablation or a sweep). The scripts and
 * Slurm's output land in `<dir>/slurm/`, the job ids in `<dir>/slurm.json`; refuses while jobs of
 * an earlier submission in `dir` are still queued or running.
 */
export async function submitChain(dir: string, title: string, jobs: ChainJob[], options: SlurmOptions, after: string[] = []): Promise<SlurmState> {
  const stateFile = path.join(dir, "slurm.json");
  const previous = await readFile(stateFile, "utf8").then((t) => JSON.parse(t) as SlurmState, () => ({ submitted: [] }));
  const active = await activeJobs(previous);
  if (active.size > 0) throw new KilnError("slurm_busy", `${dir}: jobs of an earlier submission are still queued or running (${[...active.keys()].slice(0, 5).join(", ")}); wait for them or scancel them first`);
  const limit = await maxArraySize();
  const slurmDir = path.join(dir, "slurm");
  const state: SlurmState = { submitted: [] };
  let dependency = after;
  for (const job of jobs) {
    const groups = job.indices ? splitArrays(job.indices, limit) : [{ offset: 0, indices: [] as number[] }];
    const ids: string[] = [];
    for (const { offset, indices } of groups) {
      if (job.indices && indices.length === 0) continue;
      const script = path.join(slurmDir, `${job.name}-${offset}.sh`);
      const index = job.indices ? ` --index "$((${offset} + SLURM_ARRAY_TASK_ID))"` : "";
      await writeFileAtomic(script, `#!/bin/bash\nexec ${[...options.command, ...job.args].map(shellQuote).join(" ")}${index}\n`);
      const concurrency = options.maxConcurrent ? `%${options.maxConcurrent}` : "";
      const args = [
        "--parsable",
        ...(job.indices ? [`--array=${arraySpec(indices)}${concurrency}`] : []),
        `--job-name=kiln-${title}-${job.name}`,
        `--output=${path.join(slurmDir, job.indices ? `${job.name}-%A_%a.out` : `${job.name}-%j.out`)}`,
        ...(dependency.length ? [`--dependency=afterok:${dependency.join(":")}`] : []),
        ...sbatchOptions(options),
        script,
      ];
      const jobId = (await slurm("sbatch", args)).trim().split(";")[0]!;
      ids.push(jobId);
      state.submitted.push({ step: job.name, jobId, offset, ranks: job.indices ? indices.map((i) => i + offset) : [] });
    }
    if (ids.length) dependency = ids;
  }
  await writeFileAtomic(stateFile, JSON.stringify(state, null, 2) + "\n");
  return state;
}

/**
 * Waits for a chain's jobs and returns the text of `file` (in `dir`) that its last job writes; an
 * error when that job did not write it after this submission (a job before it failed).
 */
export async function waitForChainOutput(state: SlurmState, dir: string, file: string): Promise<string> {
  await waitForJobs(state);
  const target = path.join(dir, file);
  const [written, submitted] = await Promise.all([stat(target).then((s) => s.mtimeMs, () => -1), stat(path.join(dir, "slurm.json")).then((s) => s.mtimeMs)]);
  if (written < submitted) throw new KilnError("task_failed", `${target}: not written by this submission; a job failed (see the .out files in ${path.join(dir, "slurm")})`);
  return readFile(target, "utf8");
}

/** Waits until none of the run's jobs is queued or running. */
export async function waitForJobs(state: SlurmState, pollMs = 1000): Promise<void> {
  while ((await activeJobs(state)).size > 0) await new Promise((r) => setTimeout(r, pollMs));
}
