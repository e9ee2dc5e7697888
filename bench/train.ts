/**
 * Training throughput of a small GPT: Kiln's kernels on each available backend against the plain
 * (stock tfjs ops) kernels and against PyTorch on the same machine, measured in the same run.
 *
 * - rows per kernel set: plain (the baseline), fast (custom gradients over tfjs ops), simd (our
 *   WebAssembly SIMD kernels; wasm only), and data parallelism over worker threads (`--parallel`);
 * - PyTorch (bench/torch_gpt.py: the same model, weights and AdamW) with 1 and `--parallel`
 *   threads, where `--python` has torch; the "vs PyTorch" column compares tokens per CPU-second,
 *   one thread with one thread and N with N. On Debian: `apt-get install python3-torch
 *   libopenblas0-openmp`. python3-torch alone links the reference BLAS (measured here: 742
 *   tokens/CPU-s on 1.07M, against 5,740); the pthread OpenBLAS keeps its own thread pool beside
 *   PyTorch's OpenMP one, so the two-thread run oversubscribes the cores (1,680 against 5,313);
 * - `--profile`: where a step of the default kernels goes: forward, backward, optimizer, and the
 *   top ops by kernel time.
 *
 *   npm run bench -- train [--steps 3] [--runs 3] [--batch 8] [--backends wasm,cpu] [--configs 1m,5m]
 *                          [--parallel 2] [--python python3] [--profile]
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../trainer/backend.js";
import { optimConfigSchema, parameterCount, type ModelConfig } from "../trainer/config.js";
import { DataParallelGroup } from "../trainer/data-parallel.js";
import type { Batch } from "../trainer/data.js";
import { fastKernels, kernelsFor, simdKernels } from "../trainer/kernels.js";
import { disposeParams, initParams, plainKernels, type Kernels } from "../trainer/model.js";
import { AdamW } from "../trainer/optim.js";
import { hardwarePeak } from "../trainer/peak.js";
import { accumulatedGradients, applyGradients, batchLoss, batchTensors, readStep, trainStep, type TrainState } from "../trainer/step.js";
import { formatTable, kernelTable, median } from "./_report.js";
import { runTorch, writeInitialWeights } from "./_torch.js";

const { values } = parseArgs({
  options: {
    steps: { type: "string", default: "3" },
    runs: { type: "string", default: "3" },
    batch: { type: "string", default: "8" },
    backends: { type: "string", default: "wasm,cpu" },
    configs: { type: "string", default: "1m,5m" },
    parallel: { type: "string", default: "2" },
    python: { type: "string", default: "python3" },
    profile: { type: "boolean", default: false },
  },
});
const configs: Record<string, ModelConfig> = {
  "1m": { vocabSize: 2048, blockSize: 128, layers: 4, heads: 4, width: 128, dropout: 0 },
  "4m": { vocabSize: 4096, blockSize: 128, layers: 4, heads: 4, width: 256, dropout: 0 },
  "5m": { vocabSize: 8192, blockSize: 128, layers: 4, heads: 4, width: 256, dropout: 0 },
};
const B = Number(values.batch);
const steps = Number(values.steps);
const runs = Number(values.runs);
const replicas = Number(values.parallel);
const log = (line: string) => process.stderr.write(line + "\n");

function benchBatch(config: ModelConfig): Batch {
  const n = B * config.blockSize;
  return { batchSize: B, blockSize: config.blockSize, inputs: Int32Array.from({ length: n }, (_, i) => (i * 7919) % config.vocabSize), targets: Int32Array.from({ length: n }, (_, i) => (i * 104729) % config.vocabSize), mask: new Float32Array(n).fill(1), sources: new Uint16Array(n) };
}

interface Rate {
  wall: number;
  cpu: number;
}

/**
 * Median tokens/s by wall clock and by this process's CPU time (the machine is shared: CPU time is
 * steadier). With `parallelism` > 1 the steps run on a data-parallel group; CPU time then counts
 * every thread of the process, so tokens/CPU-s shows the cost of splitting, not the speed-up.
 */
async function tokensPerSecond(config: ModelConfig, kernels: Kernels, stepCount: number, runCount: number, parallelism = 1): Promise<Rate> {
  const params = initParams(config, 1);
  const optimizer = new AdamW(optimConfigSchema.parse({}), params);
  const batch = benchBatch(config);
  const n = B * config.blockSize;
  const state = { config, params, trainable: params, optimizer, kernels };
  const group = parallelism > 1 ? await DataParallelGroup.start(parallelism, config, kernels) : undefined;
  // Each step's loss is read, as the training loop reads it at every log line when logEvery is 1.
  const step = async () => readStep(group ? await group.step(state, [batch], 1e-3, 1) : trainStep(state, [batch], 1e-3, 1));
  await step(); // warm-up
  const rates: number[] = [];
  const cpuRates: number[] = [];
  for (let r = 0; r < runCount; r++) {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    for (let s = 0; s < stepCount; s++) await step();
    const cpu = process.cpuUsage(cpuStart);
    rates.push((n * stepCount) / ((performance.now() - start) / 1000));
    cpuRates.push((n * stepCount) / ((cpu.user + cpu.system) / 1e6));
  }
  await group?.close();
  optimizer.dispose();
  disposeParams(params);
  return { wall: median(rates), cpu: median(cpuRates) };
}

/** Where a step goes: forward, forward + backward, optimizer (ms, medians), and the top ops by kernel time. */
async function profile(config: ModelConfig, kernels: Kernels): Promise<string> {
  const params = initParams(config, 1);
  const optimizer = new AdamW(optimConfigSchema.parse({}), params);
  const state: TrainState = { config, params, trainable: params, optimizer, kernels };
  const batch = benchBatch(config);
  await readStep(trainStep(state, [batch], 1e-3, 1));
  const timed = async (body: () => tf.Tensor) => {
    const start = performance.now();
    const t = body();
    await t.data();
    t.dispose();
    return performance.now() - start;
  };
  const forward: number[] = [];
  const backward: number[] = [];
  const update: number[] = [];
  for (let r = 0; r < Math.max(3, runs); r++) {
    forward.push(await timed(() => tf.tidy(() => { const t = batchTensors(batch); return batchLoss(state, t); })));
    let start = performance.now();
    const { loss, grads } = accumulatedGradients(state, [batch], []);
    await loss.data();
    backward.push(performance.now() - start - forward.at(-1)!);
    start = performance.now();
    const result = applyGradients(state, grads, loss, 1e-3, 1);
    await readStep(result);
    update.push(performance.now() - start);
    tf.dispose([...grads.values()]);
  }
  const profile = await kernelTable(async () => void (await readStep(trainStep(state, [batch], 1e-3, 1))));
  optimizer.dispose();
  disposeParams(params);
  const phases = `forward ${median(forward).toFixed(1)} ms, backward ${median(backward).toFixed(1)} ms, optimizer ${median(update).toFixed(1)} ms per step`;
  return `${phases}; ${profile}`;
}

/** PyTorch's tokens per CPU-second with `threads` threads, or why there is none. */
async function torchRate(config: ModelConfig, threads: number, dir: string): Promise<Rate | string> {
  const init = path.join(dir, `init-${config.vocabSize}-${config.width}.bin`);
  const tokens = path.join(dir, `tokens-${config.vocabSize}.bin`);
  await writeInitialWeights(config, init);
  await writeFile(tokens, Uint16Array.from({ length: 1 << 16 }, (_, i) => (i * 7919) % config.vocabSize));
  const result = runTorch(values.python, { device: "cpu", threads, config, init, tokens, batch: B, steps, runs, optim: optimConfigSchema.parse({}) });
  if (typeof result.f32 === "number" && typeof result.f32_cpu === "number") return { wall: result.f32, cpu: result.f32_cpu };
  return result.error ?? String(result.f32);
}

const rows: string[][] = [["backend", "model", "variant", "tokens/s", "tokens/CPU-s", "MFU", "vs plain", "vs PyTorch (CPU-s)"]];
const profiles: string[] = [];
const dir = await mkdtemp(path.join(tmpdir(), "kiln-bench-train-"));
const torchRates = new Map<string, Rate | string>();
for (const name of values.configs.split(",")) {
  const config = configs[name];
  if (!config) throw new Error(`unknown config ${name}; known: ${Object.keys(configs).join(", ")}`);
  for (const threads of [1, replicas].filter((t, i, all) => t >= 1 && all.indexOf(t) === i)) {
    const rate = await torchRate(config, threads, dir);
    torchRates.set(`${name}:${threads}`, rate);
    log(`PyTorch ${name} ${threads} thread(s): ${typeof rate === "string" ? rate : `${rate.cpu.toFixed(0)} tokens/CPU-s`}`);
  }
}
await rm(dir, { recursive: true, force: true });

for (const backend of values.backends.split(",")) {
  try {
    await selectBackend(backend);
  } catch (error) {
    rows.push([backend, "-", "unavailable: " + (error instanceof Error ? error.message : String(error)).slice(0, 80), "", "", "", "", ""]);
    continue;
  }
  const hardware = await hardwarePeak();
  log(`${backend}: MFU against ${hardware.source}`);
  // The plain kernels on cpu take minutes per step; one step, one run is enough to show the scale.
  const slow = backend === "cpu";
  const [stepCount, runCount] = slow ? [1, 1] : [steps, runs];
  for (const name of values.configs.split(",")) {
    const config = configs[name]!;
    const mfu = (t: number) => ((100 * 6 * parameterCount(config) * t) / hardware.flops).toFixed(2) + "%";
    const label = `${name} (${(parameterCount(config) / 1e6).toFixed(2)}M)`;
    const versus = (rate: Rate, threads: number) => {
      const torch = torchRates.get(`${name}:${threads}`);
      return typeof torch === "object" ? `${(rate.cpu / torch.cpu).toFixed(2)}x` : "";
    };
    const plain = await tokensPerSecond(config, plainKernels, 1, slow ? 1 : runs);
    rows.push([backend, label, "plain tfjs (baseline)", plain.wall.toFixed(0), plain.cpu.toFixed(0), mfu(plain.wall), "1.00x", versus(plain, 1)]);
    const variants: [string, Kernels, number][] = [["kiln fast kernels", fastKernels, 1]];
    if (kernelsFor(backend) === simdKernels) variants.push(["kiln simd kernels", simdKernels, 1]);
    if (replicas > 1) variants.push([`${kernelsFor(backend).name}, dataParallel ${replicas}`, kernelsFor(backend), replicas]);
    for (const [variant, kernels, parallelism] of variants) {
      const rate = await tokensPerSecond(config, kernels, stepCount, runCount, parallelism);
      rows.push([backend, label, variant, rate.wall.toFixed(0), rate.cpu.toFixed(0), mfu(rate.wall), `${(rate.wall / plain.wall).toFixed(2)}x`, versus(rate, parallelism)]);
    }
    if (values.profile) profiles.push(`### ${backend}, ${label}, ${kernelsFor(backend).name} kernels\n\n${await profile(config, kernelsFor(backend))}\n`);
  }
  tf.disposeVariables();
}
for (const [key, rate] of torchRates) {
  const [name, threads] = key.split(":") as [string, string];
  const config = configs[name]!;
  const label = `${name} (${(parameterCount(config) / 1e6).toFixed(2)}M)`;
  rows.push(["pytorch", label, `f32 eager, ${threads} thread(s)`, ...(typeof rate === "string" ? [rate.slice(0, 60), "", "", "", ""] : [rate.wall.toFixed(0), rate.cpu.toFixed(0), "", "", "1.00x"])]);
}
process.stdout.write(`\n## GPT training throughput, batch ${B} × block 128, one thread per replica (wasm threads are off under Node), median of ${runs} runs of ${steps} steps\n\n`);
process.stdout.write(formatTable(rows, 3) + "\n");
if (profiles.length > 0) process.stdout.write("\n" + profiles.join("\n"));
