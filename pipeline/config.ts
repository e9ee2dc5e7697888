import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { pathSafeName, readYamlFile, unknownParameter, KilnError, errorMessage, formatZodIssue, hasGlobChars, isS3Url, parseS3Url } from "../core/index.js";
import { getStepPreset, type RawStep } from "./presets.js";
import { getSpec, type SpecKind } from "./registry.js";

/**
 * Pipeline configs come in three layers: what the user wrote (YAML), the resolved config with
 * every default filled in (saved as `<output>/config.json`), and what one task reads (a step and
 * its rank). Only the resolved layer is seen by tasks, so a run is reproducible from its folder.
 */

const stageEntry = z.union([z.string(), z.record(z.string(), z.record(z.string(), z.unknown()).nullable())]);

const userStep = z
  .object({
    name: pathSafeName,
    read: z
      .object({
        format: z.string().default("jsonl").describe("reader name, see `kiln stages`"),
        paths: z.union([z.string(), z.array(z.string())]).optional().describe("files, globs or URLs"),
        from: z.string().optional().describe("read the output of an earlier step instead of paths"),
      })
      .loose(),
    stages: z.array(stageEntry).default([]),
    task: z
      .object({ name: z.string().describe("whole-step task name, see `kiln stages`") })
      .loose()
      .optional()
      .describe("a whole-step task instead of stages and a writer"),
    write: z
      .object({ format: z.string().default("jsonl") })
      .loose()
      .default({ format: "jsonl" }),
    tasks: z.number().int().positive().optional().describe("world size; default: one task per input file"),
    data: z.string().min(1).optional().describe("where the data files go: a folder or an s3:// prefix; default <output>/<step>/data"),
    keepExcluded: z.boolean().default(false).describe("write dropped documents to excluded/"),
  })
  .strict();

const userPipeline = z
  .object({
    name: z.string().optional(),
    output: z.string().describe("run folder"),
    modules: z.array(z.string()).default([]).describe("extra modules that register stages"),
    steps: z.array(userStep).min(1),
  })
  .strict();

export interface ResolvedComponent {
  name: string;
  params: Record<string, unknown>;
}
export interface ResolvedStep {
  name: string;
  reader: ResolvedComponent;
  /** Input patterns as written, or the earlier step whose data this step reads. */
  paths: string[];
  from?: string;
  stages: ResolvedComponent[];
  writer: ResolvedComponent;
  /** Where the data files go, when not `<output>/<step>/data`: an absolute folder or an s3:// prefix (no trailing "/"). */
  data?: string;
  /** Set for whole-step task steps, which get every input file and split the work by rank. */
  task?: ResolvedComponent;
  tasks?: number;
  keepExcluded: boolean;
}
export interface ResolvedPipeline {
  name: string;
  output: string;
  modules: string[];
  steps: ResolvedStep[];
}

function parseParams(kind: SpecKind, name: string, raw: unknown, where: string): Record<string, unknown> {
  let spec;
  try {
    spec =
      kind === "reader" ? getSpec("reader", name) : kind === "writer" ? getSpec("writer", name) : kind === "task" ? getSpec("task", name) : getSpec("stage", name);
  } catch (error) {
    throw new KilnError("bad_config", `${where}: ${(error as Error).message}`);
  }
  const unknown = unknownParameter(spec.params, raw);
  if (unknown) throw new KilnError("bad_config", `${where}.${unknown}`);
  const result = spec.params.safeParse(raw ?? {});
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new KilnError("bad_config", `${where}.${formatZodIssue(issue)}`);
  }
  return result.data as Record<string, unknown>;
}

function splitEntry(entry: z.output<typeof stageEntry>): { name: string; params: unknown } {
  if (typeof entry === "string") return { name: entry, params: {} };
  const keys = Object.keys(entry);
  if (keys.length !== 1) throw new Error(`a stage entry is "name" or { name: { params } }, got keys ${keys.join(", ")}`);
  const name = keys[0]!;
  return { name, params: entry[name] ?? {} };
}

/** Replaces each step that names a `preset` by the steps the preset expands to. */
export function expandPresets(raw: unknown, source: string): unknown {
  const steps = (raw as { steps?: unknown })?.steps;
  if (!Array.isArray(steps)) return raw;
  const expanded = steps.flatMap((step: unknown, index) => {
    if (typeof step !== "object" || step === null || !("preset" in step)) return [step];
    const { preset, presetParams, ...rest } = step as RawStep & { preset: unknown; presetParams?: unknown };
    const where = `${source}: steps[${index}] (${String(rest.name)})`;
    if (typeof preset !== "string") throw new KilnError("bad_config", `${where}: preset: expected a preset name`);
    if (presetParams !== undefined && (typeof presetParams !== "object" || presetParams === null)) {
      throw new KilnError("bad_config", `${where}: presetParams: expected { stage: { param: value } }`);
    }
    try {
      return getStepPreset(preset).expand(rest, (presetParams ?? {}) as Record<string, Record<string, unknown>>);
    } catch (error) {
      throw new KilnError("bad_config", `${where}: preset: ${(error as Error).message}`);
    }
  });
  return { ...(raw as object), steps: expanded };
}

/** Validates a user config object and fills in every default. `source` names the file in errors. */
export function resolvePipeline(userRaw: unknown, source: string, baseDir = process.cwd()): ResolvedPipeline {
  const raw = expandPresets(userRaw, source);
  const parsed = userPipeline.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const stepIndex = issue.path[0] === "steps" && typeof issue.path[1] === "number" ? issue.path[1] : undefined;
    const stepName = stepIndex === undefined ? undefined : (raw as { steps?: { name?: string }[] }).steps?.[stepIndex]?.name;
    const step = stepIndex === undefined ? "" : ` (step ${stepName ?? stepIndex})`;
    throw new KilnError("bad_config", `${source}${step}: ${formatZodIssue(issue)}`);
  }
  const config = parsed.data;
  const output = absolutePath(config.output, baseDir);
  const seen = new Set<string>();
  // Data location -> step: two steps writing rank files into one place would overwrite each other.
  const dataOwners = new Map<string, string>();
  const dataOf = new Map<string, string>();
  const steps = config.steps.map((step, index): ResolvedStep => {
    const where = `${source}: steps[${index}] (${step.name})`;
    if (seen.has(step.name)) throw new KilnError("bad_config", `${where}: name: a step named "${step.name}" already exists`);
    const { format: readerName, paths, from, ...readerParams } = step.read;
    if (paths && from) throw new KilnError("bad_config", `${where}: read: give "paths" or "from", not both`);
    if (from && !seen.has(from)) throw new KilnError("bad_config", `${where}: read.from: no earlier step named "${from}"`);
    if (step.task && step.stages.length > 0) throw new KilnError("bad_config", `${where}: task: a task step has no stages`);
    const reader = { name: readerName, params: parseParams("reader", readerName, readerParams, `${where}: read`) };
    if (!paths && !from && !getSpec("reader", readerName).inputs) {
      throw new KilnError("bad_config", `${where}: read: give "paths" (files, globs or URLs) or "from" (an earlier step)`);
    }
    seen.add(step.name);
    const { format: writerName, ...writerParams } = step.write;
    const task = step.task ? (({ name, ...params }) => ({ name, params: parseParams("task", name, params, `${where}: task.${name}`) }))(step.task) : undefined;
    const data = step.data === undefined ? undefined : resolveDataLocation(step.data, `${where}: data`, baseDir, task?.name);
    const location = data ?? path.join(output, step.name, "data");
    const owner = dataOwners.get(location);
    if (owner !== undefined) throw new KilnError("bad_config", `${where}: data: step "${owner}" already writes its data to ${location}`);
    dataOwners.set(location, step.name);
    dataOf.set(step.name, location);
    if (task && from && isS3Url(dataOf.get(from) ?? "")) {
      throw new KilnError("bad_config", `${where}: read.from: whole-step task ${task.name} reads local files, but step "${from}" writes its data to ${dataOf.get(from)}; give "${from}" a local data folder`);
    }
    return {
      name: step.name,
      reader,
      paths: paths === undefined ? [] : (Array.isArray(paths) ? paths : [paths]).map((p) => absolutePath(p, baseDir)),
      ...(from ? { from } : {}),
      stages: step.stages.map((entry, stageIndex) => {
        let split;
        try {
          split = splitEntry(entry);
        } catch (error) {
          throw new KilnError("bad_config", `${where}: stages[${stageIndex}]: ${(error as Error).message}`);
        }
        return { name: split.name, params: parseParams("stage", split.name, split.params, `${where}: stages[${stageIndex}].${split.name}`) };
      }),
      writer: { name: writerName, params: parseParams("writer", writerName, writerParams, `${where}: write`) },
      ...(data ? { data } : {}),
      ...(task ? { task } : {}),
      ...(step.tasks ? { tasks: step.tasks } : {}),
      keepExcluded: step.keepExcluded,
    };
  });
  return {
    name: config.name ?? path.basename(source).replace(/\.(ya?ml|json)$/, ""),
    output,
    modules: config.modules.map((m) => absolutePath(m, baseDir)),
    steps,
  };
}

/**
 * A step's `data` as the runner uses it: an absolute folder, or `s3://bucket[/prefix]`. Whole-step
 * tasks read and write their files with the local file system, so they get a folder only. Glob
 * characters are refused because the next step finds the files by listing `<data>/*`.
 */
function resolveDataLocation(raw: string, where: string, baseDir: string, taskName: string | undefined): string {
  if (hasGlobChars(raw)) throw new KilnError("bad_config", `${where}: "${raw}" contains a glob character (* ? [ ] { } \\); name a plain folder or prefix`);
  if (isS3Url(raw)) {
    if (taskName) throw new KilnError("bad_config", `${where}: whole-step task ${taskName} writes local files; give a local folder, not ${raw}`);
    if (!/^s3:\/\/[^/]/i.test(raw)) throw new KilnError("bad_config", `${where}: expected s3://bucket/prefix, got ${raw}`);
    const location = parseS3Url(raw);
    const prefix = location.key.replace(/\/+$/, "");
    return prefix ? `s3://${location.bucket}/${prefix}` : `s3://${location.bucket}`;
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    throw new KilnError("bad_config", `${where}: expected a local folder or an s3:// prefix, got ${raw}`);
  }
  return path.resolve(baseDir, raw);
}

function absolutePath(p: string, baseDir: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(p)) return p;
  return path.resolve(baseDir, p);
}

/** A pipeline file's YAML value, before presets are expanded and the steps resolved. */
export const loadPipelineFile = readYamlFile;

/** The resolved config a run folder holds (`<run>/config.json`), as its tasks read it. */
export async function loadResolvedConfig(file: string): Promise<ResolvedPipeline> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as ResolvedPipeline;
  } catch (error) {
    throw new KilnError("bad_config", `${file}: cannot read the run's resolved config: ${errorMessage(error)}`);
  }
}
