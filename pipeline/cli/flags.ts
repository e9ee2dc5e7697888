/** CLI flags that several verbs take, declared once with their one parser each. */
import { KilnError } from "../errors.js";
import type { SlurmOptions } from "../executors/slurm.js";

/** A numeric flag, checked, or one usage error naming the flag and what it expects. */
export function numberFlag(flag: string, value: string, check: { integer?: boolean; min?: number; max?: number } = {}): number {
  const n = Number(value);
  const bad = !Number.isFinite(n) || value.trim() === "" || (check.integer && !Number.isInteger(n)) || (check.min !== undefined && n < check.min) || (check.max !== undefined && n > check.max);
  if (bad) throw new KilnError("usage", `--${flag} ${value}: expected ${check.integer ? "an integer" : "a number"}${check.min !== undefined ? ` >= ${check.min}` : ""}${check.max !== undefined ? ` <= ${check.max}` : ""}`);
  return n;
}

/** A positive integer flag (undefined when absent). */
export function positiveIntegerFlag(flag: string, value: string | undefined): number | undefined {
  return value === undefined ? undefined : numberFlag(flag, value, { integer: true, min: 1 });
}

/** A flag that takes one of a few words. */
export function oneOfFlag<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new KilnError("usage", `--${flag} ${value}: expected one of ${allowed.join(", ")}`);
  return value as T;
}

/** `--executor local|slurm` and the Slurm flags of every verb that can submit jobs. */
export const executorFlags = {
  executor: { type: "string", description: "local (this machine) or slurm (job arrays)", default: "local" },
  partition: { type: "string", description: "slurm: partition" },
  time: { type: "string", description: "slurm: time limit per task" },
  "cpus-per-task": { type: "string", description: "slurm: CPUs per task" },
  "mem-per-cpu": { type: "string", description: "slurm: memory per CPU (e.g. 2G)" },
  "max-concurrent": { type: "string", description: "slurm: most tasks of one array running at once" },
  qos: { type: "string", description: "slurm: quality of service" },
  wait: { type: "boolean", description: "slurm: wait for the jobs to finish" },
} as const;

/** Whether the verb runs here or submits to Slurm; refuses any other executor. */
export function executorOf(args: { executor?: string }): "local" | "slurm" {
  const executor = args.executor ?? "local";
  if (executor !== "local" && executor !== "slurm") throw new KilnError("usage", `--executor ${executor}: expected local or slurm`);
  return executor;
}

/** The Slurm options from the flags above; `command` is how a task starts the CLI. */
export function slurmOptionsFromFlags(args: Record<string, unknown>, command: string[]): SlurmOptions {
  const options: SlurmOptions = { command };
  if (typeof args.partition === "string") options.partition = args.partition;
  if (typeof args.time === "string") options.time = args.time;
  if (typeof args.qos === "string") options.qos = args.qos;
  if (typeof args["mem-per-cpu"] === "string") options.memPerCpu = args["mem-per-cpu"];
  const cpus = positiveIntegerFlag("cpus-per-task", args["cpus-per-task"] as string | undefined);
  if (cpus) options.cpusPerTask = cpus;
  const concurrent = positiveIntegerFlag("max-concurrent", args["max-concurrent"] as string | undefined);
  if (concurrent) options.maxConcurrent = concurrent;
  return options;
}
