/**
 * Training throughput of a small GPT on each available backend, with the plain (stock tfjs ops)
 * kernels measured in the same run as the baseline, and the ratio.
 *
 * The data-parallel rows (`--parallel 2`, default) split each batch over the main thread and
 * worker threads (trainer/data-parallel.ts); their baseline is the fast kernels on one thread.
 *
 *   npm run bench -- train [--steps 3] [--runs 3] [--batch 8] [--backends wasm,cpu] [--configs 1m,4m] [--parallel 2]
 */
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../trainer/backend.js";
import { hardwarePeak } from "../trainer/peak.js";
import { optimConfigSchema, parameterCount, type ModelConfig } from "../trainer/config.js";
import { DataParallelGroup } from "../trainer/data-parallel.js";
import { fastKernels } from "../trainer/kernels.js";
import { disposeParams, initParams, plainKernels, type Kernels } from "../trainer/model.js";
import { AdamW } from "../trainer/optim.js";
import { readStep, trainStep } from "../trainer/step.js";
import { median } from "./_report.js";

const { values } = parseArgs({
  options: {
    steps: { type: "string", default: "3" },
    runs: { type: "string", default: "3" },
    batch: { type: "string", default: "8" },
    backends: { type: "string", default: "wasm,cpu" },
    configs: { type: "string", default: "1m" },
    parallel: { type: "string", default: "2" },
  },
});
const configs: Record<string, ModelConfig> = {
  "1m": { vocabSize: 2048, blockSize: 128, layers: 4, heads: 4, width: 128, dropout: 0 },
  "4m": { vocabSize: 4096, blockSize: 128, layers: 4, heads: 4, width: 256, dropout: 0 },
};
const B = Number(values.batch);

/**
 * Median tokens/s by wall clock and by this process's CPU time (the machine is shared: CPU time is
 * steadier). With `replicas` > 1 the steps run on a data-parallel group; CPU time then counts
 * every thread of the process, so tokens/CPU-s shows the cost of splitting, not the speed-up.
 */
async function tokensPerSecond(config: ModelConfig, kernels: Kernels, steps: number, runs: number, replicas = 1): Promise<{ wall: number; cpu: number }> {
  const params = initParams(config, 1);
  const optimizer = new AdamW(optimConfigSchema.parse({}), params);
  const n = B * config.blockSize;
  const batch = { batchSize: B, blockSize: config.blockSize, inputs: Int32Array.from({ length: n }, (_, i) => (i * 7919) % config.vocabSize), targets: Int32Array.from({ length: n }, (_, i) => (i * 104729) % config.vocabSize), mask: new Float32Array(n).fill(1), sources: new Uint16Array(n) };
  const state = { config, params, trainable: params, optimizer, kernels };
  const group = replicas > 1 ? await DataParallelGroup.start(replicas, config, kernels) : undefined;
  // Each step's loss is read, as the training loop reads it at every log line when logEvery is 1.
  const step = async () => readStep(group ? await group.step(state, [batch], 1e-3, 1) : trainStep(state, [batch], 1e-3, 1));
  await step(); // warm-up
  const rates: number[] = [];
  const cpuRates: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    for (let s = 0; s < steps; s++) await step();
    const cpu = process.cpuUsage(cpuStart);
    rates.push((n * steps) / ((performance.now() - start) / 1000));
    cpuRates.push((n * steps) / ((cpu.user + cpu.system) / 1e6));
  }
  await group?.close();
  optimizer.dispose();
  disposeParams(params);
  return { wall: median(rates), cpu: median(cpuRates) };
}

const rows: string[][] = [];
for (const backend of values.backends.split(",")) {
  try {
    await selectBackend(backend);
  } catch (error) {
    rows.push([backend, "-", "unavailable: " + (error instanceof Error ? error.message : String(error)).slice(0, 80), "", "", "", "", ""]);
    continue;
  }
  const hardware = await hardwarePeak();
  const peak = hardware.flops;
  process.stderr.write(`${backend}: MFU against ${hardware.source}\n`);
  for (const name of values.configs.split(",")) {
    const config = configs[name]!;
    // The plain kernels on cpu take minutes per step; one step, one run is enough to show the scale.
    const slow = backend === "cpu";
    const plain = await tokensPerSecond(config, plainKernels, 1, slow ? 1 : Number(values.runs));
    const fast = await tokensPerSecond(config, fastKernels, slow ? 1 : Number(values.steps), slow ? 1 : Number(values.runs));
    const mfu = (t: number) => ((100 * 6 * parameterCount(config) * t) / peak).toFixed(2) + "%";
    const label = `${name} (${(parameterCount(config) / 1e6).toFixed(2)}M)`;
    rows.push([backend, label, "plain tfjs (baseline)", plain.wall.toFixed(0), plain.cpu.toFixed(0), mfu(plain.wall), (peak / 1e9).toFixed(1), "1.00x"]);
    rows.push([backend, label, "kiln fast kernels", fast.wall.toFixed(0), fast.cpu.toFixed(0), mfu(fast.wall), (peak / 1e9).toFixed(1), (fast.wall / plain.wall).toFixed(2) + "x", "1.00x"]);
    const replicas = Number(values.parallel);
    if (replicas > 1) {
      const parallel = await tokensPerSecond(config, fastKernels, slow ? 1 : Number(values.steps), slow ? 1 : Number(values.runs), replicas);
      rows.push([backend, label, `fast, dataParallel ${replicas}`, parallel.wall.toFixed(0), parallel.cpu.toFixed(0), mfu(parallel.wall), (peak / 1e9).toFixed(1), (parallel.wall / plain.wall).toFixed(2) + "x", (parallel.wall / fast.wall).toFixed(2) + "x"]);
    }
  }
  tf.disposeVariables();
}
const header = ["backend", "model", "variant", "tokens/s", "tokens/CPU-s", "MFU", "hardware peak GFLOP/s", "vs plain", "vs fast 1 thread"];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
const line = (cells: string[]) => cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
process.stdout.write(`\n## GPT training throughput, batch ${B} × block 128, one thread per replica (wasm threads are off under Node), median of ${values.runs} runs of ${values.steps} steps\n\n`);
process.stdout.write([line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n") + "\n");
