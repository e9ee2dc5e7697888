/**
 * `kiln ablate ablation.yaml`: did this data decision make the model better? Two or more variants
 * of the data (documents, a curation pipeline to run, or a finished run's step) go through the
 * same tokenizer, the same token budget and the same proxy model with each seed, and are scored on
 * held-out text that belongs to no variant (and on evaluation tasks). The report gives every
 * metric's mean and spread over seeds per variant, each variant's difference from the first with a
 * 95% interval and Welch's p-value, tokens to reach a validation loss, the validation curves of all
 * runs (SVG), and each variant's data: documents, tokens, languages, drops by reason.
 *
 * Every piece is kept in the output folder and reused when the command runs again (the pipeline
 * resumes, a finished training run is not repeated), so an interrupted ablation picks up where it
 * stopped.
 */
import { mkdir, readFile, readdir, rename } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { createReporter, defineCommand, runPipelineFile } from "../pipeline/index.js";
import { executorFlags, executorOf, slurmOptionsFromFlags, preparePipeline, arraySpec, submitChain, submitSlurm, waitForChainOutput, type ChainJob, type SlurmOptions, type SlurmState, type StepStats } from "../pipeline/index.js";
import { numberFlag, enumFlag, KilnError, loadYamlFile, fileExists, writeFileAtomic, loadEvalTasks } from "../core/index.js";
import { readCorpusDocs, type CorpusStats, DEFAULT_SPECIAL_TOKENS, saveTokenizerJson, PretokenCounter, trainBpe } from "../datasets/index.js";
import { describeSelection, selectBackend, mean, runsCurveSvg, standardDeviation, tokensToReach, welch, trainConfigSchema, readTokenJsonl, type TokenDocument, evaluationSet, kernelsFor, type MetricRecord, centeredAggregate, scoreTasks, loadTextTokenizer, tokenByteLengths, type Tokenizer, disposeResult, train, validate } from "../trainer/index.js";

const variantSchema = z.union([
  z.object({ name: z.string().regex(/^[A-Za-z0-9._-]+$/), documents: z.union([z.string(), z.array(z.string())]).describe("JSONL document files or globs") }).strict(),
  z.object({ name: z.string().regex(/^[A-Za-z0-9._-]+$/), pipeline: z.string().describe("a curation pipeline to run"), step: z.string().optional().describe("its step whose output is the variant (default: the last)") }).strict(),
  z.object({ name: z.string().regex(/^[A-Za-z0-9._-]+$/), run: z.string().describe("a finished run folder"), step: z.string() }).strict(),
]);

export const ablationSchema = z
  .object({
    out: z.string().describe("folder for everything the ablation makes"),
    variants: z.array(variantSchema).min(2).describe("the data to compare; the first is the baseline of the differences"),
    tokenizer: z
      .union([z.object({ vocabSize: z.number().int().min(300) }).strict(), z.object({ file: z.string() }).strict(), z.object({ pretrained: z.string() }).strict()])
      .default({ vocabSize: 2048 })
      .describe("trained once on all variants together ({vocabSize}), a tokenizer.json ({file}), or a pretrained encoding"),
    tokens: z.number().int().positive().describe("tokens each run trains on (each variant's data is cut to this many, and repeats if it has fewer)"),
    model: z
      .object({ layers: z.number().int().positive().default(2), heads: z.number().int().positive().default(2), width: z.number().int().positive().default(64), blockSize: z.number().int().positive().default(64) })
      .strict()
      .default({ layers: 2, heads: 2, width: 64, blockSize: 64 }),
    train: z
      .object({ batchSize: z.number().int().positive().default(8), lr: z.number().positive().default(3e-3), warmup: z.number().int().min(0).default(20), evaluations: z.number().int().positive().default(8).describe("validation points on each curve") })
      .strict()
      .default({ batchSize: 8, lr: 3e-3, warmup: 20, evaluations: 8 }),
    seeds: z.array(z.number().int()).min(1).default([1, 2]),
    eval: z
      .object({
        heldOut: z.record(z.string().regex(/^[A-Za-z0-9._-]+$/), z.string()).refine((r) => Object.keys(r).length > 0, "name at least one held-out set").describe("name → JSONL documents that belong to no variant"),
        tasks: z.string().optional().describe("evaluation task registry (tasks.yaml)"),
        targetLoss: z.number().positive().optional().describe("validation loss for tokens-to-reach (default: the highest final loss of any run, which every run reaches)"),
      })
      .strict(),
  })
  .strict();
export type Ablation = z.output<typeof ablationSchema>;

interface VariantData {
  name: string;
  /** JSONL files of its documents. */
  files: string[];
  /** Drops by reason in the curation that made it (pipeline and run variants). */
  dropped: Record<string, number>;
}

/** The step folders of a run that belong to `step` (`web`, and MinHash's `web.filter` …). */
async function stepDrops(output: string, step: string): Promise<Record<string, number>> {
  const dropped: Record<string, number> = {};
  for (const entry of (await readdir(output)).sort()) {
    if (entry !== step && !entry.startsWith(step + ".")) continue;
    const file = path.join(output, entry, "stats.json");
    if (!(await fileExists(file))) continue;
    const stats = JSON.parse(await readFile(file, "utf8")) as StepStats;
    for (const stage of stats.stages) for (const [reason, n] of Object.entries(stage.dropped)) dropped[reason] = (dropped[reason] ?? 0) + n;
  }
  return dropped;
}

async function dataFiles(folder: string): Promise<string[]> {
  if (!(await fileExists(folder))) throw new KilnError("no_input", `${folder}: no such folder (has the step run?)`);
  const files = (await readdir(folder)).filter((f) => /\.jsonl(\.gz|\.zst)?$/.test(f)).sort().map((f) => path.join(folder, f));
  if (files.length === 0) throw new KilnError("no_input", `${folder}: no JSONL files`);
  return files;
}

async function variantData(variant: Ablation["variants"][number], base: string, builtinModules: string[], log: (line: string) => void): Promise<VariantData> {
  if ("documents" in variant) {
    const patterns = (Array.isArray(variant.documents) ? variant.documents : [variant.documents]).map((p) => path.resolve(base, p));
    return { name: variant.name, files: patterns, dropped: {} };
  }
  if ("pipeline" in variant) {
    const file = path.resolve(base, variant.pipeline);
    log(`variant ${variant.name}: running ${file} (finished tasks are kept)`);
    const { pipeline } = await runPipelineFile(file, { builtinModules, reporter: createReporter(process.stderr, true) });
    const step = variant.step ? pipeline.steps.find((s) => s.name === variant.step) : pipeline.steps.at(-1);
    if (!step) throw new KilnError("bad_config", `variant ${variant.name}: ${file} has no step "${variant.step}"`);
    return { name: variant.name, files: await dataFiles(step.data ?? path.join(pipeline.output, step.name, "data")), dropped: await stepDrops(pipeline.output, step.name) };
  }
  const output = path.resolve(base, variant.run);
  return { name: variant.name, files: await dataFiles(path.join(output, variant.step, "data")), dropped: await stepDrops(output, variant.step) };
}

async function ablationTokenizer(ablation: Ablation, variants: VariantData[], out: string, log: (line: string) => void): Promise<{ id: string; tokenizer: Tokenizer }> {
  const spec = ablation.tokenizer;
  if ("pretrained" in spec) return { id: spec.pretrained, tokenizer: await loadTextTokenizer(spec.pretrained) };
  if ("file" in spec) return { id: spec.file, tokenizer: await loadTextTokenizer(spec.file) };
  const file = path.join(out, "tokenizer.json");
  if (!(await fileExists(file))) {
    // The same share of each variant, so no variant's text shapes the vocabulary more.
    const counter = new PretokenCounter();
    const perVariant = Math.ceil((ablation.tokens * 4) / variants.length);
    for (const variant of variants) {
      let bytes = 0;
      for await (const doc of readCorpusDocs(variant.files, { files: 0, documents: 0, skipped: {} })) {
        counter.add(doc.text);
        bytes += Buffer.byteLength(doc.text);
        if (bytes >= perVariant) break;
      }
    }
    const result = trainBpe(counter.counts, { vocabSize: spec.vocabSize, specialTokens: [...DEFAULT_SPECIAL_TOKENS], name: `kiln-bpe:${file}` });
    await mkdir(out, { recursive: true });
    await saveTokenizerJson(result.tokenizer.model, file + ".tmp");
    await rename(file + ".tmp", file);
    log(`tokenizer: ${result.tokenizer.vocabSize} tokens, trained on all variants (${file})`);
  }
  return { id: file, tokenizer: await loadTextTokenizer(file) };
}

interface DataStats {
  documents: number;
  tokens: number;
  languages: Record<string, number>;
  skipped: Record<string, number>;
}

/** Documents to token JSONL, up to `budget` tokens (each document ends with end-of-text). */
async function tokenize(files: string[], tokenizer: Tokenizer, source: string, budget: number, file: string): Promise<DataStats> {
  const statsFile = file + ".stats.json";
  if ((await fileExists(file)) && (await fileExists(statsFile))) return JSON.parse(await readFile(statsFile, "utf8")) as DataStats;
  const corpus: CorpusStats = { files: 0, documents: 0, skipped: {} };
  const stats: DataStats = { documents: 0, tokens: 0, languages: {}, skipped: corpus.skipped };
  const rows: string[] = [];
  for await (const doc of readCorpusDocs(files, corpus)) {
    if (stats.tokens >= budget) break;
    const ids = tokenizer.encode(doc.text);
    if (tokenizer.eosId !== undefined) ids.push(tokenizer.eosId);
    const kept = ids.slice(0, budget - stats.tokens);
    if (kept.length < 2) continue;
    rows.push(JSON.stringify({ tokens: kept, source }));
    stats.documents++;
    stats.tokens += kept.length;
    const language = typeof doc.meta.language === "string" ? doc.meta.language : "unknown";
    stats.languages[language] = (stats.languages[language] ?? 0) + 1;
  }
  if (stats.tokens === 0) throw new KilnError("no_input", `${source}: no documents with text`);
  await writeFileAtomic(file, rows.join("\n") + "\n");
  await writeFileAtomic(statsFile, JSON.stringify(stats));
  return stats;
}

interface RunResult {
  variant: string;
  seed: number;
  valLoss: number;
  bitsPerByte: Record<string, number>;
  tasks: Record<string, number>;
  records: MetricRecord[];
}

function fmt(x: number, digits = 4): string {
  return Number.isFinite(x) ? x.toFixed(digits) : "–";
}

function markdownTable(rows: string[][]): string {
  return [rows[0]!.join(" | "), rows[0]!.map(() => "---").join(" | "), ...rows.slice(1).map((r) => r.join(" | "))].map((line) => `| ${line} |`).join("\n");
}

interface Loaded {
  file: string;
  ablation: Ablation;
  base: string;
  out: string;
}

async function loadAblation(file: string): Promise<Loaded> {
  const ablation = await loadYamlFile(file, ablationSchema);
  const names = ablation.variants.map((v) => v.name);
  if (new Set(names).size !== names.length) throw new KilnError("bad_config", `${file}: variant names must differ`);
  const base = path.dirname(path.resolve(file));
  return { file, ablation, base, out: path.resolve(base, ablation.out) };
}

/** What the preparation made and every later piece reads: kept in `<out>/prepared.json`. */
interface Prepared {
  variants: VariantData[];
  tokenizerId: string;
  data: Record<string, DataStats>;
  heldOutFiles: string[];
}

const preparedFile = (loaded: Loaded) => path.join(loaded.out, "prepared.json");

/** Each variant's data (running its curation), the shared tokenizer, and every set tokenized. */
async function prepareAblation(loaded: Loaded, builtinModules: string[], log: (line: string) => void): Promise<Prepared> {
  const { ablation, base, out } = loaded;
  await mkdir(out, { recursive: true });
  const variants: VariantData[] = [];
  for (const variant of ablation.variants) variants.push(await variantData(variant, base, builtinModules, log));
  const { id: tokenizerId, tokenizer } = await ablationTokenizer(ablation, variants, out, log);
  const data: Record<string, DataStats> = {};
  for (const variant of variants) data[variant.name] = await tokenize(variant.files, tokenizer, variant.name, ablation.tokens, path.join(out, "data", `${variant.name}.tokens.jsonl`));
  const heldOutFiles: string[] = [];
  for (const [name, docs] of Object.entries(ablation.eval.heldOut)) {
    const target = path.join(out, "data", `heldout-${name}.tokens.jsonl`);
    await tokenize([path.resolve(base, docs)], tokenizer, name, Number.MAX_SAFE_INTEGER, target);
    heldOutFiles.push(target);
  }
  const prepared: Prepared = { variants, tokenizerId, data, heldOutFiles };
  await writeFileAtomic(preparedFile(loaded), JSON.stringify(prepared) + "\n");
  return prepared;
}

async function readPrepared(loaded: Loaded): Promise<Prepared> {
  const file = preparedFile(loaded);
  if (!(await fileExists(file))) throw new KilnError("no_input", `${file}: the ablation is not prepared (run kiln ablate ${loaded.file} --phase prepare first)`);
  return JSON.parse(await readFile(file, "utf8")) as Prepared;
}

/** The training runs in order: every variant with every seed. */
export function ablationRuns(ablation: Ablation): { variant: string; seed: number }[] {
  return ablation.variants.flatMap((v) => ablation.seeds.map((seed) => ({ variant: v.name, seed })));
}

const runFolder = (loaded: Loaded, run: { variant: string; seed: number }) => path.join(loaded.out, "runs", `${run.variant}-s${run.seed}`);

/** What every training run shares: the tokenizer, the held-out set and its final windows, the tasks, the kernels. */
async function trainingContext(loaded: Loaded, prepared: Prepared, log: (line: string) => void) {
  const { ablation, base } = loaded;
  const tokenizer = await loadTextTokenizer(prepared.tokenizerId);
  const heldOutDocs: TokenDocument[] = [];
  for (const f of prepared.heldOutFiles) for await (const doc of (await readTokenJsonl(f)).documents()) heldOutDocs.push(doc);
  const heldOut = { vocabSize: tokenizer.vocabSize, documents: () => heldOutDocs };
  const selection = await selectBackend("auto");
  log(describeSelection(selection));
  const { batchSize } = ablation.train;
  return {
    tokenizer,
    byteLengths: tokenByteLengths(tokenizer),
    heldOut,
    tasks: ablation.eval.tasks ? await loadEvalTasks(path.resolve(base, ablation.eval.tasks)) : [],
    kernels: kernelsFor(selection.tfName),
    // Every run's final score: all of the held-out text, the same windows for each.
    finalSet: await evaluationSet(heldOut, ablation.model.blockSize, batchSize, Infinity),
  };
}

/** One training run (kept in its folder and reused): the proxy model on a variant with a seed, then scored. */
async function trainAblationRun(loaded: Loaded, context: Awaited<ReturnType<typeof trainingContext>>, index: number, log: (line: string) => void): Promise<RunResult> {
  const { ablation, out } = loaded;
  const runs = ablationRuns(ablation);
  const spec = runs[index];
  if (!spec) throw new KilnError("usage", `--index ${index}: the ablation has ${runs.length} runs`);
  const runDir = runFolder(loaded, spec);
  const resultFile = path.join(runDir, "result.json");
  if (await fileExists(resultFile)) return JSON.parse(await readFile(resultFile, "utf8")) as RunResult;
  const { batchSize, lr, warmup, evaluations } = ablation.train;
  const tokensPerStep = batchSize * ablation.model.blockSize;
  const steps = Math.max(1, Math.ceil(ablation.tokens / tokensPerStep));
  log(`training ${spec.variant} seed ${spec.seed}: ${steps} steps of ${tokensPerStep} tokens`);
  const trainFile = path.join(out, "data", `${spec.variant}.tokens.jsonl`);
  const { tokenizer, kernels } = context;
  const config = trainConfigSchema.parse({
    out: runDir,
    model: { ...ablation.model, dropout: 0, vocabSize: tokenizer.vocabSize },
    data: { train: trainFile },
    steps,
    batchSize,
    optim: { learningRate: lr, minLearningRate: lr / 10, warmupSteps: Math.min(warmup, Math.floor(steps / 4)) },
    seed: spec.seed,
    evalEvery: Math.max(1, Math.floor(steps / evaluations)),
    checkpointEvery: steps,
    logEvery: steps,
  });
  const result = await train(config, { train: await readTokenJsonl(trainFile, tokenizer.vocabSize), val: context.heldOut, kernels, log: () => undefined });
  const model = { config: result.model, params: result.params, kernels };
  const final = await validate(model, context.finalSet, context.byteLengths);
  const taskResults = context.tasks.length ? await scoreTasks(model, tokenizer, context.tasks, batchSize) : [];
  const records = (await readFile(path.join(runDir, "metrics.jsonl"), "utf8"))
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as MetricRecord);
  const run: RunResult = {
    variant: spec.variant,
    seed: spec.seed,
    valLoss: final.loss,
    bitsPerByte: Object.fromEntries(Object.entries(final.perSource).map(([name, v]) => [name, v.bitsPerByte ?? NaN])),
    tasks: Object.fromEntries([...taskResults.map((t) => [t.name, t.accuracy ?? t.bitsPerByte ?? NaN] as const), ...(taskResults.length ? [["core (centered)", centeredAggregate(taskResults)] as const] : [])]),
    records,
  };
  disposeResult(result);
  await writeFileAtomic(resultFile, JSON.stringify(run));
  return run;
}

/** The report from every run's result: report.md, report.json and loss.svg. */
async function finishAblation(loaded: Loaded, prepared: Prepared, runs: RunResult[], log: (line: string) => void): Promise<{ report: string; json: unknown; out: string }> {
  const { ablation, out } = loaded;
  const tokensPerStep = ablation.train.batchSize * ablation.model.blockSize;
  const { report, json } = ablationReport(ablation, runs, prepared.data, prepared.variants, tokensPerStep, prepared.tokenizerId);
  await writeFileAtomic(path.join(out, "report.md"), report + "\n");
  await writeFileAtomic(path.join(out, "report.json"), JSON.stringify(json, null, 1) + "\n");
  await writeFileAtomic(path.join(out, "loss.svg"), runsCurveSvg(runs.map((r) => ({ group: r.variant, label: `${r.variant} seed ${r.seed}`, records: r.records })), tokensPerStep));
  log(`wrote ${path.join(out, "report.md")}, report.json and loss.svg`);
  return { report, json, out };
}

/** The whole ablation on this machine: prepare, every run in turn, the report. */
export async function runAblation(file: string, builtinModules: string[], log: (line: string) => void): Promise<{ report: string; json: unknown; out: string }> {
  const loaded = await loadAblation(file);
  const prepared = await prepareAblation(loaded, builtinModules, log);
  const context = await trainingContext(loaded, prepared, log);
  const runs: RunResult[] = [];
  for (let i = 0; i < ablationRuns(loaded.ablation).length; i++) runs.push(await trainAblationRun(loaded, context, i, log));
  return finishAblation(loaded, prepared, runs, log);
}

export type AblationPhase = "prepare" | "train" | "report";

/** One phase of an ablation, as a Slurm job runs it: the preparation, one training run, or the report. */
export async function runAblationPhase(file: string, phase: AblationPhase, index: number | undefined, builtinModules: string[], log: (line: string) => void): Promise<string | undefined> {
  const loaded = await loadAblation(file);
  if (phase === "prepare") {
    await prepareAblation(loaded, builtinModules, log);
    return;
  }
  const prepared = await readPrepared(loaded);
  if (phase === "train") {
    if (index === undefined) throw new KilnError("usage", "--phase train needs --index (the run's number)");
    await trainAblationRun(loaded, await trainingContext(loaded, prepared, log), index, log);
    return;
  }
  const runs: RunResult[] = [];
  for (const spec of ablationRuns(loaded.ablation)) {
    const resultFile = path.join(runFolder(loaded, spec), "result.json");
    if (!(await fileExists(resultFile))) throw new KilnError("no_input", `${resultFile}: run ${spec.variant} seed ${spec.seed} has no result (see ${path.join(loaded.out, "slurm")})`);
    runs.push(JSON.parse(await readFile(resultFile, "utf8")) as RunResult);
  }
  return (await finishAblation(loaded, prepared, runs, log)).report;
}

/**
 * The ablation as Slurm jobs: the curation pipelines of its variants (their own step arrays),
 * then one job that prepares the data, one array of the training runs not yet finished (array task
 * i trains run i), and one job that writes the report; each starts when the one before succeeded.
 */
export async function submitAblation(file: string, builtinModules: string[], options: SlurmOptions, log: (line: string) => void): Promise<SlurmState> {
  const loaded = await loadAblation(file);
  await mkdir(loaded.out, { recursive: true });
  const after: string[] = [];
  for (const variant of loaded.ablation.variants) {
    if (!("pipeline" in variant)) continue;
    const { pipeline } = await preparePipeline(path.resolve(loaded.base, variant.pipeline), builtinModules);
    const state = await submitSlurm(pipeline, options);
    if (state.mergeJob) after.push(state.mergeJob);
    log(state.mergeJob ? `variant ${variant.name}: curation submitted (${state.submitted.length} arrays, then job ${state.mergeJob})` : `variant ${variant.name}: curation already complete`);
  }
  const runs = ablationRuns(loaded.ablation);
  const pending: number[] = [];
  for (let i = 0; i < runs.length; i++) if (!(await fileExists(path.join(runFolder(loaded, runs[i]!), "result.json")))) pending.push(i);
  const config = path.resolve(file);
  const jobs: ChainJob[] = [
    { name: "prepare", args: ["ablate", config, "--phase", "prepare"] },
    ...(pending.length ? [{ name: "train", args: ["ablate", config, "--phase", "train"], indices: pending }] : []),
    { name: "report", args: ["ablate", config, "--phase", "report"] },
  ];
  const state = await submitChain(loaded.out, `ablate-${path.basename(loaded.out)}`, jobs, options, after);
  for (const job of state.submitted) log(`submitted ${job.step}: job ${job.jobId}${job.ranks.length ? `, runs ${arraySpec(job.ranks)}` : ""}`);
  return state;
}

function ablationReport(ablation: Ablation, runs: RunResult[], data: Record<string, DataStats>, variants: VariantData[], tokensPerStep: number, tokenizerId: string): { report: string; json: unknown } {
  const names = variants.map((v) => v.name);
  const baseline = names[0]!;
  const finals = runs.map((r) => r.records.filter((x) => x.kind === "val").at(-1)?.loss ?? NaN);
  const target = ablation.eval.targetLoss ?? Math.max(...finals.filter(Number.isFinite));
  const metrics: { name: string; lowerIsBetter: boolean; value: (r: RunResult) => number }[] = [
    { name: "validation loss (all held-out)", lowerIsBetter: true, value: (r) => r.valLoss },
    ...Object.keys(ablation.eval.heldOut).map((set) => ({ name: `bits per byte: ${set}`, lowerIsBetter: true, value: (r: RunResult) => r.bitsPerByte[set] ?? NaN })),
    ...Object.keys(runs[0]?.tasks ?? {}).map((task) => ({ name: `task: ${task}`, lowerIsBetter: false, value: (r: RunResult) => r.tasks[task] ?? NaN })),
    { name: `tokens to reach validation loss ${fmt(target, 3)}`, lowerIsBetter: true, value: (r: RunResult) => tokensToReach(r.records, target, tokensPerStep) ?? NaN },
  ];
  const sections: string[] = [];
  const json: Record<string, unknown> = { tokenizer: tokenizerId, seeds: ablation.seeds, tokens: ablation.tokens, model: ablation.model, metrics: {} as Record<string, unknown>, data };
  for (const metric of metrics) {
    const values = (name: string) => runs.filter((r) => r.variant === name).map(metric.value);
    const rows = [["variant", "mean", "sd", "seeds", `difference vs ${baseline}`, "95% interval", "p (Welch)"]];
    const entry: Record<string, unknown> = {};
    for (const name of names) {
      const v = values(name);
      const row = [name, fmt(mean(v)), fmt(standardDeviation(v)), v.map((x) => fmt(x)).join(", ")];
      if (name === baseline) row.push("", "", "");
      else {
        const d = welch(values(baseline), v);
        row.push(fmt(d.difference), `${fmt(d.interval[0])} to ${fmt(d.interval[1])}`, fmt(d.p, 4));
        entry[`${name} - ${baseline}`] = d;
      }
      entry[name] = { mean: mean(v), sd: standardDeviation(v), values: v };
      rows.push(row);
    }
    (json.metrics as Record<string, unknown>)[metric.name] = entry;
    sections.push(`### ${metric.name} (${metric.lowerIsBetter ? "lower" : "higher"} is better)\n\n${markdownTable(rows)}`);
  }
  const dataRows = [["variant", "documents", "data tokens", "languages", "dropped in curation"]];
  for (const v of variants) {
    const d = data[v.name]!;
    const top = (m: Record<string, number>) => Object.entries(m).sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, n]) => `${k} ${n}`).join(", ");
    dataRows.push([v.name, String(d.documents), String(d.tokens), top(d.languages), top(v.dropped) || "–"]);
  }
  const report = [
    `## Ablation: ${names.join(" vs ")}`,
    "",
    `Each run: ${ablation.tokens} training tokens, model ${JSON.stringify(ablation.model)}, tokenizer ${tokenizerId}, seeds ${ablation.seeds.join(", ")}. Differences are each variant minus ${baseline}, with a 95% interval and Welch's t-test over seeds.`,
    "",
    ...sections.flatMap((s) => [s, ""]),
    "### data",
    "",
    markdownTable(dataRows),
    "",
    "Validation curves: loss.svg",
  ].join("\n");
  return { report, json };
}

export function ablateCommand(builtinModules: string[], cliCommand: string[]) {
  return defineCommand({
    meta: { name: "ablate", description: "compare data variants by training the same proxy model on each (seeds, held-out bits per byte, tasks, Welch's test)" },
    args: {
      config: { type: "positional", description: "ablation.yaml", required: true },
      ...executorFlags,
      phase: enumFlag("run one phase only (what Slurm jobs run): prepare, train (with --index) or report", ["prepare", "train", "report"]),
      index: { type: "string", description: "--phase train: the run to train (variants × seeds, in order, from 0)" },
    },
    async run({ args }) {
      const file = path.resolve(String(args.config));
      const log = (line: string) => process.stderr.write(line + "\n");
      if (args.phase !== undefined) {
        const index = args.index === undefined ? undefined : numberFlag("index", args.index, { integer: true, min: 0 });
        const report = await runAblationPhase(file, args.phase, index, builtinModules, log);
        if (report) process.stdout.write(report + "\n");
        return;
      }
      if (executorOf(args) === "slurm") {
        const state = await submitAblation(file, builtinModules, slurmOptionsFromFlags(args, cliCommand), log);
        if (args.wait) process.stdout.write(await waitForChainOutput(state, (await loadAblation(file)).out, "report.md"));
        return;
      }
      const { report } = await runAblation(file, builtinModules, log);
      process.stdout.write(report + "\n");
    },
  });
}
