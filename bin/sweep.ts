/**
 * `kiln sweep sweep.yaml [--predict C]`: a grid of model sizes × compute budgets trained as
 * independent runs on the same token data, the compute-optimal frontier and power laws through it
 * (scaling.ts), and predictions for a larger budget.
 *
 * A run of size N at budget C trains on D = C / (6N) tokens. The hyperparameters not swept follow
 * from the size by a stated rule: learning rate = lr · sqrt(referenceParams / N), clipped to
 * [lr / 10, 10 · lr]; batch, context and the rest are the same for every run. Each finished run
 * keeps its result, so a sweep that stopped continues where it was.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { defineCommand } from "citty";
import { z } from "zod";
import { executorFlags, executorOf, slurmOptionsFromFlags, arraySpec, submitChain, waitForChainOutput, type ChainJob, type SlurmOptions, type SlurmState } from "../pipeline/index.js";
import { numberFlag, enumFlag, KilnError, loadYamlFile, fileExists, writeFileAtomic } from "../core/index.js";
import { describeSelection, selectBackend, parameterCount, trainConfigSchema, type ModelConfig, isShardPath, openTokenData, kernelsFor, PALETTE, svgChart, type Kernels, computeOptimalFrontier, predictAt, scalingLaws, type FrontierPoint, type ScalingLaws, type SweepPoint, disposeResult, train } from "../trainer/index.js";

export const sweepSchema = z
  .object({
    out: z.string(),
    data: z.object({ train: z.string().describe("token data (shards or token JSONL)"), val: z.string().describe("held-out token data the losses are measured on (a shard folder: its val shards)") }).strict(),
    models: z
      .array(z.object({ layers: z.number().int().positive(), heads: z.number().int().positive(), width: z.number().int().positive() }).strict())
      .min(3)
      .describe("the sizes; at least three, so each budget's parabola is determined"),
    budgets: z.array(z.number().positive()).min(2).describe("compute budgets C in FLOPs (C ≈ 6·N·D)"),
    blockSize: z.number().int().positive().default(64),
    batchSize: z.number().int().positive().default(8),
    lr: z.number().positive().default(3e-3).describe("learning rate at referenceParams"),
    referenceParams: z.number().positive().default(100_000),
    seed: z.number().int().default(1),
    evalBatches: z.number().int().positive().default(16),
  })
  .strict();
export type Sweep = z.output<typeof sweepSchema>;

/** The size rule: learning rate by parameter count. */
export function sweepLearningRate(sweep: Pick<Sweep, "lr" | "referenceParams">, params: number): number {
  return Math.min(10 * sweep.lr, Math.max(sweep.lr / 10, sweep.lr * Math.sqrt(sweep.referenceParams / params)));
}

export interface SweepResult {
  points: SweepPoint[];
  frontier: FrontierPoint[];
  laws: ScalingLaws;
  report: string;
}

function sci(x: number): string {
  return Number.isFinite(x) ? x.toExponential(2) : "–";
}

export interface SweepContext {
  trainPath: string;
  valPath: string;
  vocabSize: number;
  out: string;
  kernels: Kernels;
  log: (line: string) => void;
}

const sweepRunFolder = (out: string, size: Sweep["models"][number], compute: number) => path.join(out, "runs", `c${compute.toExponential(2)}-l${size.layers}-w${size.width}`);

/** The runs of the grid in order: every size at every budget. */
export function sweepGrid(sweep: Sweep): { size: Sweep["models"][number]; compute: number }[] {
  return sweep.budgets.flatMap((compute) => sweep.models.map((size) => ({ size, compute })));
}

/** One run of the grid: `size` trained on C / 6N tokens; its result kept in its folder and reused. */
export async function sweepRun(sweep: Sweep, context: SweepContext, size: Sweep["models"][number], compute: number): Promise<SweepPoint> {
  const tokensPerStep = sweep.batchSize * sweep.blockSize;
  const model: ModelConfig = { ...size, blockSize: sweep.blockSize, vocabSize: context.vocabSize, dropout: 0 };
  const params = parameterCount(model);
  const steps = Math.max(1, Math.round(compute / (6 * params) / tokensPerStep));
  const runDir = sweepRunFolder(context.out, size, compute);
  const resultFile = path.join(runDir, "result.json");
  if (await fileExists(resultFile)) return JSON.parse(await readFile(resultFile, "utf8")) as SweepPoint;
  const lr = sweepLearningRate(sweep, params);
  context.log(`C ${sci(compute)}: N ${params} (${size.layers}×${size.width}), ${steps} steps (${steps * tokensPerStep} tokens), lr ${lr.toPrecision(3)}`);
  const config = trainConfigSchema.parse({
    out: runDir,
    model,
    data: { train: context.trainPath },
    steps,
    batchSize: sweep.batchSize,
    optim: { learningRate: lr, minLearningRate: lr / 10, warmupSteps: Math.min(100, Math.floor(steps / 10)) },
    seed: sweep.seed,
    evalEvery: 0,
    evalBatches: sweep.evalBatches,
    checkpointEvery: 0,
    logEvery: Math.max(1, steps),
  });
  const result = await train(config, { train: await openTokenData(context.trainPath), val: await openTokenData(context.valPath, context.vocabSize, isShardPath(context.valPath) ? { split: "val" } : {}), kernels: context.kernels, log: () => undefined });
  const point: SweepPoint = { params, tokens: steps * tokensPerStep, compute, loss: result.val?.loss ?? NaN };
  disposeResult(result);
  await writeFileAtomic(resultFile, JSON.stringify(point));
  return point;
}

async function loadSweep(file: string) {
  const sweep = await loadYamlFile(file, sweepSchema);
  const base = path.dirname(path.resolve(file));
  return { file, sweep, out: path.resolve(base, sweep.out), trainPath: path.resolve(base, sweep.data.train), valPath: path.resolve(base, sweep.data.val) };
}

async function sweepContext(loaded: Awaited<ReturnType<typeof loadSweep>>, log: (line: string) => void): Promise<SweepContext> {
  const { trainPath, valPath, out } = loaded;
  const trainData = await openTokenData(trainPath);
  let vocabSize = trainData.vocabSize ?? 0;
  if (!vocabSize) for await (const doc of trainData.documents()) for (const id of doc.tokens) vocabSize = Math.max(vocabSize, id + 1);
  const selection = await selectBackend("auto");
  log(describeSelection(selection));
  return { trainPath, valPath, vocabSize, out, kernels: kernelsFor(selection.tfName), log };
}

/** The whole sweep on this machine: every run of the grid in turn, then the fits and the report. */
export async function runSweep(file: string, log: (line: string) => void, predict: number[] = []): Promise<SweepResult & { context: SweepContext; sweep: Sweep }> {
  const loaded = await loadSweep(file);
  const context = await sweepContext(loaded, log);
  const points: SweepPoint[] = [];
  for (const { size, compute } of sweepGrid(loaded.sweep)) points.push(await sweepRun(loaded.sweep, context, size, compute));
  return { ...(await sweepReport(loaded.sweep, loaded.out, points, predict)), sweep: loaded.sweep, context };
}

/** The frontier, the laws and the predictions from the grid's points: report.md, report.json, frontier.svg. */
async function sweepReport(sweep: Sweep, out: string, points: SweepPoint[], predict: number[]): Promise<SweepResult> {
  const frontier = computeOptimalFrontier(points);
  const laws = scalingLaws(frontier);
  const lines = [
    `## Sweep: ${sweep.models.length} sizes × ${sweep.budgets.length} budgets`,
    "",
    "| C (FLOPs) | N | D (tokens) | validation loss |",
    "| --- | --- | --- | --- |",
    ...points.map((p) => `| ${sci(p.compute)} | ${p.params} | ${p.tokens} | ${p.loss.toFixed(4)} |`),
    "",
    "compute-optimal frontier (a parabola in ln N per budget):",
    "",
    "| C | N_opt | D_opt | L_opt | from |",
    "| --- | --- | --- | --- | --- |",
    ...frontier.map((f) => `| ${sci(f.compute)} | ${sci(f.params)} | ${sci(f.tokens)} | ${f.loss.toFixed(4)} | ${f.from} |`),
    "",
    "power laws (exponent, 95% interval):",
    "",
    ...(["params", "tokens", "loss"] as const).map((k) => `- ${{ params: "N_opt", tokens: "D_opt", loss: "L_opt" }[k]} ∝ C^${laws[k].exponent.toFixed(3)} [${laws[k].interval.map((x) => x.toFixed(3)).join(", ")}] (R² ${laws[k].r2.toFixed(3)})`),
    ...predict.map((c) => {
      const at = predictAt(laws, c);
      return `- at C = ${sci(c)}: N_opt ${sci(at.params)}, D_opt ${sci(at.tokens)}, loss ${at.loss.toFixed(4)}`;
    }),
  ];
  const report = lines.join("\n");
  await writeFileAtomic(path.join(out, "report.md"), report + "\n");
  await writeFileAtomic(path.join(out, "report.json"), JSON.stringify({ points, frontier, laws, predictions: predict.map((c) => ({ compute: c, ...predictAt(laws, c) })) }, null, 1) + "\n");
  await writeFileAtomic(path.join(out, "frontier.svg"), frontierSvg(points, frontier));
  return { points, frontier, laws, report };
}

/** One phase of a sweep, as a Slurm job runs it: one run of the grid (`index`), or the report. */
export async function runSweepPhase(file: string, phase: "train" | "report", index: number | undefined, log: (line: string) => void, predict: number[] = []): Promise<string | undefined> {
  const loaded = await loadSweep(file);
  const grid = sweepGrid(loaded.sweep);
  if (phase === "train") {
    const run = index === undefined ? undefined : grid[index];
    if (!run) throw new KilnError("usage", `--phase train needs --index from 0 to ${grid.length - 1}`);
    await sweepRun(loaded.sweep, await sweepContext(loaded, log), run.size, run.compute);
    return;
  }
  const points: SweepPoint[] = [];
  for (const { size, compute } of grid) {
    const resultFile = path.join(sweepRunFolder(loaded.out, size, compute), "result.json");
    if (!(await fileExists(resultFile))) throw new KilnError("no_input", `${resultFile}: this run of the grid has no result (see ${path.join(loaded.out, "slurm")})`);
    points.push(JSON.parse(await readFile(resultFile, "utf8")) as SweepPoint);
  }
  return (await sweepReport(loaded.sweep, loaded.out, points, predict)).report;
}

/** The sweep as Slurm jobs: an array of the grid's unfinished runs (task i trains run i), then the report. */
export async function submitSweep(file: string, options: SlurmOptions, log: (line: string) => void, predict: number[] = []): Promise<SlurmState> {
  const loaded = await loadSweep(file);
  const grid = sweepGrid(loaded.sweep);
  const pending: number[] = [];
  for (let i = 0; i < grid.length; i++) if (!(await fileExists(path.join(sweepRunFolder(loaded.out, grid[i]!.size, grid[i]!.compute), "result.json")))) pending.push(i);
  const config = path.resolve(file);
  const predictArgs = predict.length ? ["--predict", predict.join(",")] : [];
  const jobs: ChainJob[] = [...(pending.length ? [{ name: "train", args: ["sweep", config, "--phase", "train"], indices: pending }] : []), { name: "report", args: ["sweep", config, "--phase", "report", ...predictArgs] }];
  const state = await submitChain(loaded.out, `sweep-${path.basename(loaded.out)}`, jobs, options);
  for (const job of state.submitted) log(`submitted ${job.step}: job ${job.jobId}${job.ranks.length ? `, runs ${arraySpec(job.ranks)}` : ""}`);
  return state;
}

/** Loss against ln N, one colour per budget, the frontier's optima as open circles. */
export function frontierSvg(points: readonly SweepPoint[], frontier: readonly FrontierPoint[], width = 640, height = 400): string {
  const margin = 56;
  const xs = [...points.map((p) => Math.log10(p.params)), ...frontier.map((f) => Math.log10(f.params))];
  const ys = [...points.map((p) => p.loss), ...frontier.map((f) => f.loss)].filter(Number.isFinite);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const x = (v: number) => margin + ((width - 2 * margin) * (Math.log10(v) - x0)) / (x1 - x0 || 1);
  const y = (v: number) => height - margin - ((height - 2 * margin) * (v - y0)) / (y1 - y0 || 1);
  const budgets = [...new Set(points.map((p) => p.compute))].sort((a, b) => a - b);
  const body = budgets.flatMap((c, i) => {
    const runs = points.filter((p) => p.compute === c).sort((a, b) => a.params - b.params);
    const colour = PALETTE[i % PALETTE.length]!;
    return [
      `<polyline fill="none" stroke="${colour}" points="${runs.map((p) => `${x(p.params).toFixed(1)},${y(p.loss).toFixed(1)}`).join(" ")}"/>`,
      ...runs.map((p) => `<circle cx="${x(p.params).toFixed(1)}" cy="${y(p.loss).toFixed(1)}" r="2.5" fill="${colour}"/>`),
      `<text x="${width - margin - 90}" y="${margin + 14 * i}" fill="${colour}">C = ${c.toExponential(1)}</text>`,
    ];
  });
  const optima = frontier.map((f) => `<circle cx="${x(f.params).toFixed(1)}" cy="${y(f.loss).toFixed(1)}" r="5" fill="none" stroke="black"/>`);
  return svgChart(width, height, margin, [
    `<text x="${width / 2}" y="${height - 16}" text-anchor="middle">parameters (log scale, 10^${x0.toFixed(1)}–10^${x1.toFixed(1)}); circles: compute-optimal</text>`,
    `<text x="14" y="${height / 2}" transform="rotate(-90 14 ${height / 2})" text-anchor="middle">validation loss</text>`,
    ...body,
    ...optima,
  ]);
}

export function sweepCommand(cliCommand: string[]) {
  return defineCommand({
    meta: { name: "sweep", description: "scaling laws: model sizes × compute budgets, the compute-optimal frontier and power laws, predictions" },
    args: {
      config: { type: "positional", description: "sweep.yaml", required: true },
      predict: { type: "string", description: "budgets (FLOPs, comma separated) to predict N_opt, D_opt and loss at" },
      ...executorFlags,
      phase: enumFlag("run one phase only (what Slurm jobs run): train (with --index) or report", ["train", "report"]),
      index: { type: "string", description: "--phase train: the run of the grid (budgets × sizes, in order, from 0)" },
    },
    async run({ args }) {
      const predict = (args.predict ?? "")
        .split(",")
        .filter((s) => s.trim())
        .map((s) => {
          const c = Number(s);
          if (!(c > 0)) throw new KilnError("usage", `--predict: "${s}" is not a positive number of FLOPs`);
          return c;
        });
      const file = path.resolve(String(args.config));
      const log = (line: string) => process.stderr.write(line + "\n");
      if (args.phase !== undefined) {
        const index = args.index === undefined ? undefined : numberFlag("index", args.index, { integer: true, min: 0 });
        const report = await runSweepPhase(file, args.phase, index, log, predict);
        if (report) process.stdout.write(report + "\n");
        return;
      }
      if (executorOf(args) === "slurm") {
        const state = await submitSweep(file, slurmOptionsFromFlags(args, cliCommand), log, predict);
        if (args.wait) process.stdout.write(await waitForChainOutput(state, (await loadSweep(file)).out, "report.md"));
        return;
      }
      const { report } = await runSweep(file, log, predict);
      process.stdout.write(report + "\n");
    },
  });
}
