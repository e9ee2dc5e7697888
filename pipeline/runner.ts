import { once } from "node:events";
import type { Writable } from "node:stream";
import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir, readFile, readdir, rm } from "node:fs/promises";
import path from "node:path";
import type { Doc, Reader, Stage, TaskContext, Writer } from "./doc.js";
import type { ResolvedPipeline, ResolvedStep } from "./config.js";
import { KilnError, errorMessage, systemError, fileExists, isS3Url, listFiles, openWriteAtomic, writeFileAtomic } from "../core/index.js";
import { getSpec } from "./registry.js";
import { addCount, emptyStageStats, mergeTaskStats, type StageStats, type StepStats, type TaskStats } from "./stats.js";

/**
 * Where a step's data files go: its `data` location (a folder or an s3:// prefix) when the config
 * gives one, else `<output>/<step>/data`.
 */
export function stepDataLocation(pipeline: ResolvedPipeline, step: string): string {
  return pipeline.steps.find((s) => s.name === step)?.data ?? path.join(pipeline.output, step, "data");
}

const inLocation = (location: string, name: string) => (isS3Url(location) ? `${location}/${name}` : path.join(location, name));

/** The marker in every temporary file name: a killed attempt's leftovers, removed on resume and never listed as data. */
export const TEMPORARY_MARKER = ".tmp-";

/** Whether a file name (or path) is a temporary one. */
export const isTemporary = (name: string) => path.basename(name).includes(TEMPORARY_MARKER);

/** A rank as it starts every file the rank writes: five digits, so names sort in rank order. */
export const rankName = (rank: number) => String(rank).padStart(5, "0");

/**
 * The folders of one step inside a run: `<output>/<step>/{data,stats,completions,logs,excluded}`.
 * Only the data may live elsewhere (`dataDir`); the bookkeeping always stays in the run folder.
 */
export function stepPaths(pipeline: ResolvedPipeline, step: string) {
  const dir = path.join(pipeline.output, step);
  const dataDir = stepDataLocation(pipeline, step);
  return {
    dir,
    dataDir,
    plan: path.join(dir, "plan.json"),
    stats: path.join(dir, "stats.json"),
    data: (rank: number, extension: string) => inLocation(dataDir, rankName(rank) + extension),
    taskStats: (rank: number) => path.join(dir, "stats", `${rankName(rank)}.json`),
    completion: (rank: number) => path.join(dir, "completions", rankName(rank)),
    log: (rank: number) => path.join(dir, "logs", `${rankName(rank)}.log`),
    excluded: (rank: number) => path.join(dir, "excluded", `${rankName(rank)}.jsonl.gz`),
    failure: (rank: number) => path.join(dir, "failures", rankName(rank)),
  };
}

/** Which files a step reads and how many tasks share them; fixed once, so a resumed run agrees. */
export interface StepPlan {
  step: string;
  world: number;
  files: string[];
}


/** Whether local path `file` lies inside folder `dir` (URLs never do). */
function isInside(dir: string, file: string): boolean {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(file) || /^[a-z][a-z0-9+.-]*:\/\//i.test(dir)) return false;
  const relative = path.relative(path.resolve(dir), path.resolve(file));
  return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative);
}

/** Lists the step's input and fixes its world size, or reads the plan an earlier attempt saved. */
export async function planStep(pipeline: ResolvedPipeline, step: ResolvedStep): Promise<StepPlan> {
  const paths = stepPaths(pipeline, step.name);
  if (await fileExists(paths.plan)) return JSON.parse(await readFile(paths.plan, "utf8")) as StepPlan;
  let files: string[];
  if (step.from) {
    files = await listStepData(pipeline, step.from);
  } else {
    const spec = getSpec("reader", step.reader.name);
    files = step.paths.length === 0 && spec.inputs ? await spec.inputs(step.reader.params) : await listFiles(step.paths);
    // A glob that reaches into this run's folder would read the run's own config, plans and
    // outputs (and more of them on every rerun).
    const own = files.filter((file) => isInside(pipeline.output, file));
    if (own.length) {
      throw new KilnError("bad_config", `step ${step.name}: read.paths ${step.paths.join(", ")} match ${own.length} file(s) inside the run folder ${pipeline.output} (${own[0]}): a run must not read its own output; narrow the paths`);
    }
  }
  // A whole-step task splits its work by rank itself, so one task is the safe default.
  const world = step.tasks ?? (step.task ? 1 : Math.max(1, files.length));
  const plan: StepPlan = { step: step.name, world, files };
  await writeFileAtomic(paths.plan, JSON.stringify(plan, null, 2) + "\n");
  return plan;
}

/** The data files an earlier step wrote, without the temporary files of killed attempts. */
async function listStepData(pipeline: ResolvedPipeline, step: string): Promise<string[]> {
  const dataDir = stepDataLocation(pipeline, step);
  if (!pipeline.steps.find((s) => s.name === step)?.data) {
    return (await readdir(dataDir)).filter((f) => !isTemporary(f)).sort().map((f) => path.join(dataDir, f));
  }
  // A `data` location may be s3://, so it is listed like any input; an empty one is an empty step,
  // as with readdir. S3 has no temporary objects (an upload is invisible until complete).
  const files = await listFiles(inLocation(dataDir, "*")).catch((error: unknown) => {
    if (error instanceof KilnError && error.code === "no_input") return [];
    throw error;
  });
  return files.filter((f) => !isTemporary(f));
}

export const isComplete = (pipeline: ResolvedPipeline, step: string, rank: number) =>
  fileExists(stepPaths(pipeline, step).completion(rank));

export interface TaskProgress {
  step: string;
  rank: number;
  docs: number;
  bytes: number;
  filesDone: number;
  files: number;
}

export interface TaskOptions {
  pipeline: ResolvedPipeline;
  step: ResolvedStep;
  plan: StepPlan;
  rank: number;
  onProgress?: (progress: TaskProgress) => void;
}

/**
 * Temporary files a killed attempt of this rank left behind; they are never renamed into place.
 * (A killed upload to S3 leaves an incomplete multipart upload, which only a bucket lifecycle rule removes.)
 */
async function removeLeftovers(folders: string[], rank: number): Promise<void> {
  const prefix = rankName(rank);
  for (const folder of folders) {
    const names = await readdir(folder).catch(() => [] as string[]);
    await Promise.all(names.filter((n) => n.startsWith(prefix) && isTemporary(n)).map((n) => rm(path.join(folder, n), { force: true })));
  }
}

const utf8Bytes = (text: string) => Buffer.byteLength(text, "utf8");

/** Counts what passes and times the `next()` calls, which include the upstream stages' time. */
async function* measured(source: AsyncIterable<Doc>, stats: StageStats, inclusiveMs: number[], index: number): AsyncGenerator<Doc> {
  const iterator = source[Symbol.asyncIterator]();
  try {
    for (;;) {
      const start = performance.now();
      const next = await iterator.next();
      inclusiveMs[index] = (inclusiveMs[index] ?? 0) + performance.now() - start;
      if (next.done) return;
      stats.docsOut++;
      stats.bytesOut += utf8Bytes(next.value.text);
      yield next.value;
    }
  } finally {
    await iterator.return?.();
  }
}

async function* counted(source: AsyncIterable<Doc>, stats: StageStats): AsyncGenerator<Doc> {
  for await (const doc of source) {
    stats.docsIn++;
    yield doc;
  }
}

function openLog(file: string): { stream: WriteStream; log(message: string): void } {
  const stream = createWriteStream(file, { flags: "a" });
  // A log that cannot be written (disk full) fails the task when it closes, naming the file.
  stream.on("error", () => undefined);
  return { stream, log: (message) => stream.write(`${new Date().toISOString()} ${message}\n`) };
}

const closeStream = (stream: WriteStream) =>
  new Promise<void>((resolve, reject) =>
    stream.end((error?: Error | null) => {
      const failed = error ?? stream.errored;
      if (failed) reject(systemError(failed, String(stream.path)) ?? failed);
      else resolve();
    }),
  );

/**
 * Runs one task: reads its share of the step's input (files[rank::world]) through the stages into
 * one output file, then writes its stats and completion marker. Returns null if it was already done.
 */
export async function runTask(options: TaskOptions): Promise<TaskStats | null> {
  const failure = stepPaths(options.pipeline, options.step.name).failure(options.rank);
  try {
    const stats = await runTaskOnce(options);
    await rm(failure, { force: true });
    return stats;
  } catch (thrown) {
    const error = systemError(thrown) ?? thrown;
    // A marker beside the completions, so `kiln status` can name failed ranks under any executor.
    await writeFileAtomic(failure, `${new Date().toISOString()} ${errorMessage(error)}\n`).catch(() => {});
    throw error;
  }
}

async function runTaskOnce(options: TaskOptions): Promise<TaskStats | null> {
  const { pipeline, step, plan, rank } = options;
  const paths = stepPaths(pipeline, step.name);
  if (await isComplete(pipeline, step.name, rank)) return null;
  const started = performance.now();
  const localData = isS3Url(paths.dataDir) ? [] : [paths.dataDir];
  await Promise.all([...["logs", "stats", "completions"].map((d) => path.join(paths.dir, d)), ...localData].map((d) => mkdir(d, { recursive: true })));
  await removeLeftovers([...localData, ...["excluded", "stats", "completions"].map((d) => path.join(paths.dir, d))], rank);
  const logFile = openLog(paths.log(rank));
  if (step.task) return runWholeStepTask(pipeline, step, step.task, plan, rank, logFile, started);
  const files = plan.files.filter((_, i) => i % plan.world === rank);
  logFile.log(`task ${rank}/${plan.world} of step ${step.name}: ${files.length} file(s)`);

  const chain = openChain(step);
  const excluded = step.keepExcluded ? openWriteAtomic(paths.excluded(rank)) : null;
  const contextFor = (stats: StageStats): TaskContext => ({
    rank,
    world: plan.world,
    step: step.name,
    stepDataDir: (name) => stepDataLocation(pipeline, name),
    log: logFile.log,
    skip: (_stage, reason, n = 1) => addCount(stats.skipped, reason, n),
    drop: (doc, stage, reason) => {
      addCount(stats.dropped, reason);
      excluded?.stream.write(JSON.stringify({ ...doc, meta: { ...doc.meta, excluded: { stage, reason } } }) + "\n");
    },
  });
  const progress: TaskProgress = { step: step.name, rank, docs: 0, bytes: 0, filesDone: 0, files: files.length };
  const report = options.onProgress && (() => options.onProgress!({ ...progress, bytes: chain.read.bytesOut }));
  const inclusiveMs: number[] = [];
  let docs: AsyncIterable<Doc> = measured(readFiles(chain, files, contextFor(chain.read), progress, report, excluded?.stream), chain.read, inclusiveMs, 0);
  chain.stages.forEach((stage, i) => {
    const stats = chain.stageStats[i]!;
    docs = measured(stage.run(counted(docs, stats), contextFor(stats)), stats, inclusiveMs, i + 1);
  });
  try {
    await chain.writer.write(measured(docs, chain.write, [], 0), paths.data(rank, chain.writer.extension), contextFor(chain.write));
    await excluded?.commit();
  } catch (error) {
    logFile.log(`task failed: ${errorMessage(error)}`);
    await excluded?.abort();
    // The task's own failure is the one to report, not a log that could not be written too.
    await closeStream(logFile.stream).catch(() => undefined);
    throw error;
  }
  const totalMs = performance.now() - started;
  const all = settleStats(chain, inclusiveMs, totalMs);
  const stats: TaskStats = { step: step.name, rank, world: plan.world, files: files.length, wallMs: totalMs, stages: all };
  report?.();
  logFile.log(`done: ${chain.read.docsOut} read, ${chain.write.docsOut} written in ${(totalMs / 1000).toFixed(1)} s`);
  return completeTask(pipeline, stats, logFile);
}

/** A step's reader, stages and writer, created from their params, each with its stats. */
interface Chain {
  reader: Reader;
  stages: Stage[];
  writer: Writer;
  read: StageStats;
  stageStats: StageStats[];
  write: StageStats;
}

function openChain(step: ResolvedStep): Chain {
  const reader = getSpec("reader", step.reader.name).create(step.reader.params);
  const stages: Stage[] = step.stages.map((s) => getSpec("stage", s.name).create(s.params));
  const writer = getSpec("writer", step.writer.name).create(step.writer.params);
  return { reader, stages, writer, read: emptyStageStats(`read:${reader.name}`), stageStats: stages.map((s) => emptyStageStats(s.name)), write: emptyStageStats(`write:${writer.name}`) };
}

/** The task's files through the reader, counting documents and files into `progress`. */
async function* readFiles(chain: Chain, files: string[], context: TaskContext, progress: TaskProgress, report: (() => void) | undefined, excluded: Writable | undefined): AsyncGenerator<Doc> {
  let lastReport = 0;
  for (const file of files) {
    for await (const doc of chain.reader.read(file, context)) {
      progress.docs++;
      if (report && (progress.docs & 255) === 0 && performance.now() - lastReport > 500) {
        lastReport = performance.now();
        report();
      }
      yield doc;
      // Drops are written synchronously; pausing the source is what bounds the excluded writer's buffer.
      if (excluded?.writableNeedDrain) await once(excluded, "drain");
    }
    progress.filesDone++;
  }
}

/** Fills in what each stage received and its own (exclusive) time, once the writer has finished. */
function settleStats(chain: Chain, inclusiveMs: number[], totalMs: number): StageStats[] {
  // What reaches the writer is what it writes.
  chain.write.docsIn = chain.write.docsOut;
  const all = [chain.read, ...chain.stageStats, chain.write];
  all.forEach((s, i) => {
    if (i > 0) s.bytesIn = all[i - 1]!.bytesOut;
    const inclusive = i < all.length - 1 ? (inclusiveMs[i] ?? 0) : totalMs;
    s.wallMs = Math.max(0, inclusive - (i > 0 ? (inclusiveMs[i - 1] ?? 0) : 0));
  });
  return all;
}

/** Merges the stats of every rank of a step into `<step>/stats.json`. */
export async function mergeStepStats(pipeline: ResolvedPipeline, step: string, world: number): Promise<StepStats> {
  const paths = stepPaths(pipeline, step);
  const tasks = await Promise.all(
    Array.from({ length: world }, async (_, r) => JSON.parse(await readFile(paths.taskStats(r), "utf8")) as TaskStats),
  );
  const merged = mergeTaskStats(tasks);
  await writeFileAtomic(paths.stats, JSON.stringify(merged, null, 2) + "\n");
  return merged;
}

/** Stats, then the completion marker: a task counts as done only once both are on disk. */
async function completeTask(pipeline: ResolvedPipeline, stats: TaskStats, logFile: ReturnType<typeof openLog>): Promise<TaskStats> {
  const paths = stepPaths(pipeline, stats.step);
  await closeStream(logFile.stream);
  await writeFileAtomic(paths.taskStats(stats.rank), JSON.stringify(stats, null, 2) + "\n");
  await writeFileAtomic(paths.completion(stats.rank), "");
  return stats;
}

async function runWholeStepTask(
  pipeline: ResolvedPipeline,
  step: ResolvedStep,
  component: { name: string; params: Record<string, unknown> },
  plan: StepPlan,
  rank: number,
  logFile: ReturnType<typeof openLog>,
  started: number,
): Promise<TaskStats> {
  logFile.log(`task ${rank}/${plan.world} of step ${step.name}: whole-step task ${component.name} over ${plan.files.length} file(s)`);
  const task = getSpec("task", component.name).create(component.params);
  const stats = emptyStageStats(`task:${task.name}`);
  const counters: Record<string, number> = {};
  const paths = stepPaths(pipeline, step.name);
  try {
    await task.run({
      rank,
      world: plan.world,
      step: step.name,
      stepDataDir: (name) => stepDataLocation(pipeline, name),
      inputs: plan.files,
      // Always a folder: the config refuses an s3:// `data` for a whole-step task.
      outputDir: paths.dataDir,
      outputFile: (extension) => paths.data(rank, extension),
      scratchFile: (label) => paths.data(rank, TEMPORARY_MARKER + label),
      log: logFile.log,
      skip: (_stage, reason, n = 1) => addCount(stats.skipped, reason, n),
      drop: (_doc, _stage, reason) => addCount(stats.dropped, reason),
      count: (key, n = 1) => addCount(counters, key, n),
    });
  } catch (error) {
    logFile.log(`task failed: ${errorMessage(error)}`);
    await closeStream(logFile.stream).catch(() => undefined);
    throw error;
  }
  stats.wallMs = performance.now() - started;
  logFile.log(`done in ${(stats.wallMs / 1000).toFixed(1)} s: ${JSON.stringify(counters)}`);
  const taskStats: TaskStats = { step: step.name, rank, world: plan.world, files: plan.files.length, wallMs: stats.wallMs, stages: [stats], counters };
  return completeTask(pipeline, taskStats, logFile);
}
