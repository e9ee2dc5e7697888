import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { defineCommand } from "citty";
import { loadPipelineFile, resolvePipeline, type ResolvedPipeline } from "../config.js";
import { KilnError } from "../errors.js";
import { runLocal } from "../executors/local.js";
import { writeFileAtomic } from "../io/storage.js";
import { createReporter, type Reporter } from "../progress.js";
import { formatStepStats, type StepStats } from "../stats.js";

/** Imports modules that register stages: the built-in ones and those a config names. */
export async function importModules(urls: string[]): Promise<void> {
  for (const url of urls) await import(url);
}

export const toModuleUrl = (p: string) => (/^[a-z]+:/i.test(p) && !/^[a-z]:[\\/]/i.test(p) ? p : pathToFileURL(path.resolve(p)).href);

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

/** Loads, validates and runs a pipeline file; used by `kiln run` and by `kiln demo`. */
export async function runPipelineFile(file: string, options: RunPipelineOptions): Promise<{ pipeline: ResolvedPipeline; stats: StepStats[] }> {
  const raw = await loadPipelineFile(file);
  const baseDir = path.dirname(path.resolve(file));
  const extra = Array.isArray((raw as { modules?: unknown })?.modules) ? ((raw as { modules: unknown[] }).modules.map(String)) : [];
  const modules = [...options.builtinModules, ...extra.map((m) => toModuleUrl(path.resolve(baseDir, m)))];
  await importModules(modules);
  const pipeline = resolvePipeline(raw, file, baseDir);
  await saveResolvedConfig(pipeline);
  const reporter = options.reporter ?? createReporter();
  const stats = await runLocal(pipeline, { modules, reporter, ...(options.workers ? { workers: options.workers } : {}) });
  reporter.close();
  return { pipeline, stats };
}

export function runCommandDef(builtinModules: string[]) {
  return defineCommand({
    meta: { name: "run", description: "run a curation pipeline (YAML)" },
    args: {
      pipeline: { type: "positional", description: "pipeline config file", required: true },
      executor: { type: "string", description: "local (worker threads)", default: "local" },
      workers: { type: "string", description: "worker threads; default: number of cores" },
      quiet: { type: "boolean", description: "no progress output" },
    },
    async run({ args }) {
      if (args.executor !== "local") throw new KilnError("usage", `--executor ${args.executor}: only "local" is available`);
      const workers = args.workers === undefined ? undefined : Number(args.workers);
      if (workers !== undefined && (!Number.isInteger(workers) || workers < 1)) throw new KilnError("usage", `--workers ${args.workers}: expected a positive integer`);
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
