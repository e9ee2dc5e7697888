/** The flags of every verb that can submit Slurm jobs, declared once. */
import { KilnError, positiveIntegerFlag } from "../../core/index.js";
import type { SlurmOptions } from "../executors/slurm.js";

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
