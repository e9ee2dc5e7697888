/**
 * GPU training: Kiln on webgpu against PyTorch on the same GPU, in one run, on the same model,
 * initial weights, tokens and hyperparameters.
 *
 *   npm run bench -- gpu [--config gpt2|small|tiny] [--batches 4,8,16,32] [--steps 10]
 *                        [--loss-steps 300] [--loss-batch 4] [--python python3] [--out dir] [--no-f16] [--packed-f16]
 *                        [--torch-device cuda|cpu] [--speed-only] [--tfjs-row]
 *
 * Rows: Kiln webgpu f32 at each batch size until one fails (out of memory), the same in mixed
 * precision (f16 products, dynamic loss scaling) where the adapter has shader-f16 (on subgroup
 * matrices where the GPU offers them and they pass their check; then also a packed-f16 row), f32
 * with the product's other operand stagings (setProductStaging: prefetch, double), with
 * --tfjs-row Kiln f32 on tfjs-webgpu's matmul (the products before webgpu/matmul.ts), PyTorch f32
 * eager and bf16 autocast at the largest batch Kiln reached; tokens/s and MFU (6·N·tokens/s over the datasheet peak for
 * the precision, or the measured matmul peak where the GPU is not in the table). Printed with the
 * table: the model's six product shapes in TFLOP/s, tfjs's and ours (f32 in each staging, packed
 * f16, subgroup matrices), each f16 product's largest error against the f32 one, where the GPU
 * offers subgroup matrices what each of their operations gives (webgpu/matrix-probe.ts), and one
 * step's kernels by device time. Then the loss after `--loss-steps` steps of Kiln (f32, and f16 where it runs) and
 * of PyTorch from the same start: f32, bf16 autocast, and on a GPU f16 autocast with a dynamic
 * loss scale, which show how far mixed-precision rounding alone moves the loss.
 * --speed-only: the training rows at --batches alone (no products, profiles, other stagings, packed or
 * tfjs rows); with --loss-steps 0, a quick try of a larger batch.
 * bench/torch_gpt.py is the PyTorch side; scripts/gpu-bundle.sh packs all of it for a bare GPU
 * machine. On a software adapter (SwiftShader, lavapipe) the numbers say nothing about GPU speed;
 * with `--torch-device cpu` the loss check still compares Kiln's losses with PyTorch's there.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { blocksToText, composeArticle } from "../datasets/sample/compose.js";
import { Rng } from "../datasets/sample/rng.js";
import { LANGUAGE_PACKS, TOPICS } from "../datasets/sample/text/index.js";
import { loadPretrained } from "../datasets/tokenizer/pretrained.js";
import { GPU_DATASHEET } from "../trainer/peak.js";
import { describeSelection, measurePeakFlops, selectBackend } from "../trainer/backend.js";
import { optimConfigSchema, parameterCount, type ModelConfig } from "../trainer/config.js";
import type { Kernels } from "../trainer/model.js";
import type { Batch } from "../trainer/data.js";
import { fusedHeadLoss } from "../trainer/head-loss.js";
import { halfPrecisionKernels, kernelsFor } from "../trainer/kernels.js";
import { DynamicLossScale } from "../trainer/loss-scale.js";
import { disposeParams, initParams } from "../trainer/model.js";
import { AdamW, learningRateAt } from "../trainer/optim.js";
import { readSteps, trainStep, type StepResult, type TrainState } from "../trainer/step.js";
import { checkDevice } from "../trainer/webgpu/dispatch.js";
import { fusedCrossEntropyWithGradient } from "../trainer/webgpu/fused.js";
import { webgpuKernels } from "../trainer/webgpu/kernels.js";
import { matMul, PRODUCT_STAGINGS, setProductStaging, type Product, type ProductStaging } from "../trainer/webgpu/matmul.js";
import { halfPrecisionAvailable, matMulF16, preferSubgroupMatrices, subgroupMatrixShape } from "../trainer/webgpu/matmul-f16.js";
import { probeSubgroupMatrices } from "../trainer/webgpu/matrix-probe.js";
import { formatTable, kernelTable, median } from "./_report.js";
import { runTorch, writeInitialWeights } from "./_torch.js";

const { values } = parseArgs({
  options: {
    config: { type: "string", default: "gpt2" },
    batches: { type: "string", default: "4,8,16,32" },
    steps: { type: "string", default: "10" },
    "loss-steps": { type: "string", default: "300" },
    "loss-batch": { type: "string", default: "4" },
    python: { type: "string", default: "python3" },
    out: { type: "string", default: "runs/bench-gpu" },
    "no-f16": { type: "boolean", default: false },
    "packed-f16": { type: "boolean", default: false },
    "speed-only": { type: "boolean", default: false },
    "tfjs-row": { type: "boolean", default: false },
    "torch-device": { type: "string", default: "cuda" },
  },
});

const CONFIGS: Record<string, ModelConfig> = {
  gpt2: { vocabSize: 50257, blockSize: 1024, layers: 12, heads: 12, width: 768, dropout: 0 },
  small: { vocabSize: 50257, blockSize: 256, layers: 4, heads: 4, width: 256, dropout: 0 },
  tiny: { vocabSize: 50257, blockSize: 32, layers: 1, heads: 2, width: 16, dropout: 0 },
};
const OPTIM = optimConfigSchema.parse({ learningRate: 6e-4, minLearningRate: 6e-5, warmupSteps: 30, weightDecay: 0.1, beta1: 0.9, beta2: 0.95, epsilon: 1e-8, gradClip: 1 });

const config = CONFIGS[values.config];
if (!config) throw new Error(`unknown --config ${values.config}; known: ${Object.keys(CONFIGS).join(", ")}`);
const T = config.blockSize;
const out = path.resolve(values.out);
await mkdir(out, { recursive: true });
const log = (line: string) => process.stderr.write(line + "\n");
/** A measured rate, or why there is none. */
const speed = (r: number | string) => (typeof r === "number" ? `${r.toFixed(0)} tokens/s` : r);

/** The sample corpus's English articles in GPT-2's tokens, enough for every window the runs read. */
async function tokenStream(count: number): Promise<Uint16Array> {
  const tokenizer = await loadPretrained("r50k_base");
  const rng = new Rng(7);
  const tokens = new Uint16Array(count);
  let filled = 0;
  for (let i = 0; filled < count; i++) {
    const article = composeArticle(LANGUAGE_PACKS.en, TOPICS[i % TOPICS.length]!, rng, 120);
    for (const id of tokenizer.encode(`${article.title}\n\n${blocksToText(article.blocks)}\n\n`)) {
      if (filled === count) break;
      tokens[filled++] = id;
    }
  }
  return tokens;
}

/** Row b of step s reads T+1 tokens from ((s·B + b)·(T+1)) mod (N − T − 1): the same formula as torch_gpt.py. */
function batchAt(tokens: Uint16Array, step: number, B: number): Batch {
  const inputs = new Int32Array(B * T);
  const targets = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    const start = ((step * B + b) * (T + 1)) % (tokens.length - T - 1);
    for (let t = 0; t < T; t++) {
      inputs[b * T + t] = tokens[start + t]!;
      targets[b * T + t] = tokens[start + t + 1]!;
    }
  }
  return { batchSize: B, blockSize: T, inputs, targets, mask: new Float32Array(B * T).fill(1), sources: new Uint16Array(B * T) };
}

/** Tokens/s over `steps` timed steps after two warm-up steps (compilation), or the error. */
/** f32 as before our product (webgpu/matmul.ts): every product, the head's too, on tfjs-webgpu's matmul. */
const tfjsProductKernels: Kernels = {
  ...webgpuKernels,
  name: "webgpu-tfjs-matmul",
  linear: (x, w, b) => tf.fused.matMul({ a: x, b: w, bias: b }) as tf.Tensor2D,
  headLoss: (x, head, targets, weights, options) => fusedHeadLoss({ matMul: (a, b, ta, tb) => tf.matMul(a, b, ta, tb), crossEntropy: fusedCrossEntropyWithGradient }, x, head, targets, weights, options),
};

/** f32, the same in another staging of the products, mixed precision (f16 products: on subgroup matrices where the GPU has them), the same on packed f16 only, or f32 on tfjs's matmul. */
type Precision = "f32" | `f32-${Exclude<ProductStaging, "plain">}` | "f16" | "f16-packed" | "f32-tfjs-matmul";
/** The other stagings of the f32 product, measured beside the default. */
const OTHER_STAGINGS = PRODUCT_STAGINGS.filter((s) => s !== "plain") as Exclude<ProductStaging, "plain">[];

/** A training state from the seeded weights, with the kernels of the precision and its loss scale. */
function kilnState(precision: Precision): TrainState {
  const params = initParams(config!, 1);
  const optimizer = new AdamW(OPTIM, params);
  const half = precision.startsWith("f16");
  const kernels = half ? halfPrecisionKernels() : precision === "f32-tfjs-matmul" ? tfjsProductKernels : kernelsFor();
  return { config: config!, params, trainable: params, optimizer, kernels, lossScale: half ? new DynamicLossScale() : undefined };
}

/** TFLOP/s of op(a)·op(b) at [M, K]·[K, N], the best of `repeats` after a warm-up. */
async function productRate(M: number, K: number, N: number, ta: boolean, tb: boolean, mul: (a: tf.Tensor2D, b: tf.Tensor2D, ta: boolean, tb: boolean) => tf.Tensor2D, repeats = 5): Promise<number> {
  // Filled on the device: the values do not change an f32 product's speed.
  const a = tf.fill(ta ? [K, M] : [M, K], 0.5) as tf.Tensor2D;
  const b = tf.fill(tb ? [N, K] : [K, N], 0.25) as tf.Tensor2D;
  const settle = async (c: tf.Tensor2D) => {
    const corner = tf.slice(c, [0, 0], [1, 1]);
    await corner.data(); // the queue runs in order: the product is done
    tf.dispose([corner, c]);
  };
  await settle(mul(a, b, ta, tb));
  let best = Infinity;
  for (let r = 0; r < repeats; r++) {
    const start = performance.now();
    await settle(mul(a, b, ta, tb));
    best = Math.min(best, (performance.now() - start) / 1000);
  }
  tf.dispose([a, b]);
  return (2 * M * K * N) / best / 1e12;
}

function disposeState(state: TrainState): void {
  state.optimizer.dispose();
  state.lossScale?.dispose();
  disposeParams(state.params);
}

async function kilnSpeed(tokens: Uint16Array, B: number, steps: number, precision: Precision): Promise<number | string> {
  const state = kilnState(precision);
  preferSubgroupMatrices(matrixWorks && precision !== "f16-packed");
  setProductStaging(OTHER_STAGINGS.find((s) => precision === `f32-${s}`) ?? "plain");
  try {
    await readSteps([trainStep(state, [batchAt(tokens, 0, B)], 1e-4, 1), trainStep(state, [batchAt(tokens, 1, B)], 1e-4, 1)]);
    await checkDevice();
    const start = performance.now();
    const pending: StepResult[] = [];
    for (let s = 0; s < steps; s++) pending.push(trainStep(state, [batchAt(tokens, 2 + s, B)], 1e-4, 1));
    await readSteps(pending);
    await checkDevice();
    return (B * T * steps) / ((performance.now() - start) / 1000);
  } catch (error) {
    return (error instanceof Error ? error.message : String(error)).split("\n")[0]!.slice(0, 120);
  } finally {
    preferSubgroupMatrices(matrixWorks);
    setProductStaging("plain");
    disposeState(state);
  }
}

/** False once the subgroup-matrix product failed on this GPU: the f16 rows then run on packed f16. */
let matrixWorks = !values["packed-f16"];

/** max |f16 product − f32 product| / max |f32 product| on values uniform in [−1, 1]. */
async function halfProductError(M: number, K: number, N: number, ta: boolean, tb: boolean): Promise<number> {
  const a = tf.randomUniform(ta ? [K, M] : [M, K], -1, 1, "float32", 1) as tf.Tensor2D;
  const b = tf.randomUniform(tb ? [N, K] : [K, N], -1, 1, "float32", 2) as tf.Tensor2D;
  const exact = matMul(a, b, ta, tb);
  const half = matMulF16(a, b, ta, tb);
  const [diff, scale] = await Promise.all([tf.max(tf.abs(tf.sub(half, exact))).data(), tf.max(tf.abs(exact)).data()]);
  tf.dispose([a, b, exact, half]);
  return diff[0]! / scale[0]!;
}

/** Where one step's device time goes at batch B: its kernels, by op, after one warm-up step. */
async function kilnProfile(tokens: Uint16Array, B: number, precision: Precision): Promise<string> {
  const state = kilnState(precision);
  try {
    await readSteps([trainStep(state, [batchAt(tokens, 0, B)], 1e-4, 1)]);
    return await kernelTable(async () => void (await readSteps([trainStep(state, [batchAt(tokens, 1, B)], 1e-4, 1)])), 16);
  } catch (error) {
    return (error instanceof Error ? error.message : String(error)).split("\n")[0]!;
  } finally {
    disposeState(state);
  }
}

/** Per-step losses of `steps` steps at batch B from the weights in init.bin's order (seed 1). */
async function kilnLosses(tokens: Uint16Array, B: number, steps: number, precision: Precision): Promise<number[]> {
  const state = kilnState(precision);
  const losses: number[] = [];
  let pending: StepResult[] = [];
  for (let s = 0; s < steps; s++) {
    pending.push(trainStep(state, [batchAt(tokens, s, B)], learningRateAt(s, OPTIM, steps), OPTIM.gradClip));
    if (pending.length === 25 || s === steps - 1) {
      losses.push(...(await readSteps(pending)).losses);
      pending = [];
    }
  }
  await checkDevice();
  disposeState(state);
  return losses;
}

const selection = await selectBackend("webgpu");
log(describeSelection(selection));
const batches = values.batches.split(",").map(Number);
const steps = Number(values.steps);
const lossSteps = Number(values["loss-steps"]);
const lossBatch = Number(values["loss-batch"]);
const needed = Math.max(...batches, lossBatch) * (T + 1) * (Math.max(steps + 2, lossSteps) + 1);
const tokens = await tokenStream(Math.min(needed, 4_000_000));
await writeFile(path.join(out, "tokens.bin"), tokens);
await writeInitialWeights(config, path.join(out, "init.bin"));

const n = parameterCount(config);
/** Tokens/s at each batch size until one fails. */
async function kilnRatesAt(precision: Precision): Promise<[number, number | string][]> {
  const rates: [number, number | string][] = [];
  for (const B of batches) {
    const rate = await kilnSpeed(tokens, B, steps, precision);
    rates.push([B, rate]);
    log(`kiln webgpu ${precision} batch ${B}: ${speed(rate)}`);
    if (typeof rate !== "number") break;
  }
  return rates;
}
// The model's products at this batch: x·W (MLP up), dy·Wᵀ (its input gradient), xᵀ·dy (its weight gradient), one head chunk.
const rowsOfBatch = Math.max(...batches) * T;
const halfProducts = halfPrecisionAvailable() && !values["no-f16"];
preferSubgroupMatrices(matrixWorks);
const matrix = halfProducts ? subgroupMatrixShape() : undefined;
log(`f16 products: ${!halfProducts ? "none (no shader-f16)" : matrix ? `subgroup matrices ${matrix.M}×${matrix.N}×${matrix.K} (${matrix.route})` : "packed f16 (no subgroup matrices)"}`);
// Where the GPU offers subgroup matrices: what each of their operations does here, one at a time.
const probe = halfProducts ? await probeSubgroupMatrices() : "";
if (probe) log(probe);
/** `product` with one of its settings switched for the call, and back after it. */
const switched = (enter: () => void, leave: () => void, product: Product): Product => (a, b, x, y) => {
  enter();
  try {
    return product(a, b, x, y);
  } finally {
    leave();
  }
};
const packed = switched(() => preferSubgroupMatrices(false), () => preferSubgroupMatrices(matrixWorks), matMulF16);
const staged = (mode: ProductStaging) => switched(() => setProductStaging(mode), () => setProductStaging("plain"), matMul);
const productRows = [["product (M×K×N)", "tfjs TFLOP/s", "Kiln f32 TFLOP/s", ...OTHER_STAGINGS.map((s) => `Kiln f32 ${s}`), ...(halfProducts ? ["Kiln f16 packed", ...(matrix ? ["Kiln f16 subgroup matrices"] : []), "f16 max error vs f32"] : [])]];
const speedOnly = values["speed-only"];
const productShapes = [[rowsOfBatch, config.width, 4 * config.width, false, false], [rowsOfBatch, 4 * config.width, config.width, false, true], [config.width, rowsOfBatch, 4 * config.width, true, false], [512, config.width, config.vocabSize, false, true], [512, config.vocabSize, config.width, false, false], [config.vocabSize, 512, config.width, true, false]] as const;
for (const [M, K, N, ta, tb] of speedOnly ? [] : productShapes) {
  const label = `${M}×${K}×${N}${ta ? " aᵀ" : ""}${tb ? " bᵀ" : ""}`;
  const rates = [await productRate(M, K, N, ta, tb, (a, b, x, y) => tf.matMul(a, b, x, y)), await productRate(M, K, N, ta, tb, matMul)];
  for (const mode of OTHER_STAGINGS) rates.push(await productRate(M, K, N, ta, tb, staged(mode)));
  if (halfProducts) rates.push(await productRate(M, K, N, ta, tb, packed));
  const cells = rates.map((r) => r.toFixed(2));
  try {
    if (matrix) cells.push((await productRate(M, K, N, ta, tb, matMulF16)).toFixed(2));
    if (halfProducts) {
      const error = await halfProductError(M, K, N, ta, tb);
      cells.push(error.toExponential(2));
      // Rounding inputs to f16 gives about 1e-3 here (lavapipe: 7e-4 to 1.6e-3); ten times that is a wrong product.
      if (!(error < 1e-2)) throw new Error(`${label}: f16 product differs from f32 by ${error.toExponential(2)} of its largest value`);
    }
    await checkDevice();
  } catch (error) {
    // A GPU that fails the subgroup-matrix product still measures everything else, on packed f16.
    log(`f16 product failed: ${(error instanceof Error ? error.message : String(error)).split("\n")[0]}; the rest runs on packed f16`);
    matrixWorks = false;
    preferSubgroupMatrices(false);
    cells.push("failed");
  }
  productRows.push([label, ...cells]);
  log(`product ${label}: ${productRows.at(-1)!.slice(1).join(", ")}`);
}
const kilnRates = await kilnRatesAt("f32");
const halfRates = halfProducts ? await kilnRatesAt("f16") : [];
if (!halfProducts) log(values["no-f16"] ? "--no-f16: no mixed-precision rows" : "no shader-f16 on this adapter: no mixed-precision rows");
const fitted = kilnRates.filter(([, r]) => typeof r === "number") as [number, number][];
const bestBatch = fitted.at(-1)?.[0] ?? batches[0]!;
const packedRate = matrix && matrixWorks && !speedOnly ? await kilnSpeed(tokens, bestBatch, steps, "f16-packed") : undefined;
if (packedRate !== undefined) log(`kiln webgpu f16 on packed f16 products, batch ${bestBatch}: ${speed(packedRate)}`);
const stagingRates: [ProductStaging, number | string][] = [];
for (const mode of speedOnly ? [] : OTHER_STAGINGS) {
  const r = await kilnSpeed(tokens, bestBatch, steps, `f32-${mode}`);
  stagingRates.push([mode, r]);
  log(`kiln webgpu f32, products staged "${mode}", batch ${bestBatch}: ${speed(r)}`);
}
const tfjsProductRate = values["tfjs-row"] && !speedOnly ? await kilnSpeed(tokens, bestBatch, steps, "f32-tfjs-matmul") : undefined;
if (tfjsProductRate !== undefined) log(`kiln webgpu f32 on tfjs matmul, batch ${bestBatch}: ${speed(tfjsProductRate)}`);
const profiles: string[] = [];
for (const precision of speedOnly ? [] : halfProducts ? (["f32", "f16"] as const) : (["f32"] as const)) {
  profiles.push(`one ${precision} step at batch ${bestBatch}: ${await kilnProfile(tokens, bestBatch, precision)}`);
  log(profiles.at(-1)!);
}
const torch = runTorch(values.python, {
  config, tokens: path.join(out, "tokens.bin"), init: path.join(out, "init.bin"), batch: bestBatch, steps,
  lossSteps, lossBatch, optim: OPTIM, device: values["torch-device"],
});
const gpuName = torch.device ?? `${selection.adapter?.vendor} ${selection.adapter?.description}`;
const sheet = GPU_DATASHEET.find((d) => d.match.test(gpuName));
const measured = sheet ? undefined : await measurePeakFlops(1024, 10);
const peak = (precision: "f32" | "bf16") => sheet?.[precision] ?? measured!;
const mfu = (rate: number, precision: "f32" | "bf16") => `${((100 * 6 * n * rate) / peak(precision)).toFixed(1)}%`;
const rate = (r: number | string | undefined) => (typeof r === "number" ? r.toFixed(0) : (r ?? torch.error ?? "unavailable"));
const ratio = (a: number | string | undefined, b: number | string | undefined) => (typeof a === "number" && typeof b === "number" ? `${(a / b).toFixed(2)}x` : "-");

const torchF32 = torch.f32;
const rows = [["run", "precision", "batch", "tokens/s", "MFU", "vs PyTorch f32 eager", "vs PyTorch bf16 autocast"]];
for (const [B, r] of kilnRates) rows.push(["Kiln webgpu", "f32", String(B), rate(r), typeof r === "number" ? mfu(r, "f32") : "-", B === bestBatch ? ratio(r, torchF32) : "-", B === bestBatch ? ratio(r, torch.bf16) : "-"]);
/** A row of one more Kiln run at the largest batch; MFU of f16 products against the 16-bit peak, as PyTorch's bf16 row. */
const bestRow = (label: string, precision: "f32" | "f16", r: number | string) =>
  [label, precision, String(bestBatch), rate(r), typeof r === "number" ? mfu(r, precision === "f32" ? "f32" : "bf16") : "-", ratio(r, torchF32), ratio(r, torch.bf16)];
for (const [mode, r] of stagingRates) rows.push(bestRow(`Kiln webgpu, products staged "${mode}"`, "f32", r));
if (tfjsProductRate !== undefined) rows.push(bestRow("Kiln webgpu, tfjs matmul", "f32", tfjsProductRate));
// MFU of f16 products against the datasheet's 16-bit tensor-core peak, as PyTorch's bf16 row.
for (const [B, r] of halfRates) rows.push([`Kiln webgpu mixed${matrix && matrixWorks ? ", subgroup matrices" : ""}`, "f16", String(B), rate(r), typeof r === "number" ? mfu(r, "bf16") : "-", B === bestBatch ? ratio(r, torchF32) : "-", B === bestBatch ? ratio(r, torch.bf16) : "-"]);
if (packedRate !== undefined) rows.push(bestRow("Kiln webgpu mixed, packed f16", "f16", packedRate));
rows.push(["PyTorch eager (baseline)", "f32", String(bestBatch), rate(torchF32), typeof torchF32 === "number" ? mfu(torchF32, "f32") : "-", "1.00x", "-"]);
rows.push(["PyTorch autocast (baseline)", "bf16", String(bestBatch), rate(torch.bf16), typeof torch.bf16 === "number" ? mfu(torch.bf16, "bf16") : "-", "-", "1.00x"]);

process.stdout.write(`\n## GPT training on ${gpuName}${selection.adapter?.software ? " (SOFTWARE ADAPTER: not GPU speed)" : ""}: ${values.config} (${(n / 1e6).toFixed(1)}M parameters, block ${T}), ${steps} timed steps; peak ${sheet ? `${sheet.name} datasheet (f32 ${sheet.f32 / 1e12}, bf16 ${sheet.bf16 / 1e12} TFLOP/s)` : `measured matmul ${(measured! / 1e12).toFixed(2)} TFLOP/s`}\n\n`);
process.stdout.write(formatTable(rows, 2) + "\n\n" + (probe ? `${probe}\n\n` : ""));
if (!speedOnly) process.stdout.write(formatTable(productRows) + "\n\n" + profiles.join("\n\n") + "\n\n");

// The speed table is out before the loss runs, the longest part, begin.
const kilnLoss = await kilnLosses(tokens, lossBatch, lossSteps, "f32");
log(`kiln webgpu f32 loss after ${lossSteps} steps: ${kilnLoss.at(-1)?.toFixed(4)}`);
const halfLoss = halfProducts ? await kilnLosses(tokens, lossBatch, lossSteps, "f16") : undefined;
const tail = (losses: number[] | undefined) => (losses?.length ? median(losses.slice(-10)) : NaN);
const kilnFinal = tail(kilnLoss);
const torchFinal = tail(torch.losses);
const percent = (final: number, reference: number) => `${((100 * Math.abs(final - reference)) / reference).toFixed(2)}%`;
const difference = (final: number) => (Number.isFinite(torchFinal) ? `, difference ${percent(final, torchFinal)} (target within 2%)` : "");
// PyTorch's own mixed-precision runs: how far rounding alone moves the loss from f32's on these steps.
const mixed = (["bf16", "f16"] as const).map((p) => [p, torch[`losses_${p}`]] as const).filter(([, l]) => l !== undefined);
const mixedText = mixed.map(([p, l]) => (typeof l === "string" ? `PyTorch ${p} autocast: ${l}` : `PyTorch ${p} autocast ${tail(l).toFixed(4)} (${percent(tail(l), torchFinal)} from its f32)`));
const halfText = halfLoss
  ? `; Kiln mixed f16 ${tail(halfLoss).toFixed(4)}${difference(tail(halfLoss))}` +
    mixed.filter(([, l]) => typeof l !== "string").map(([p, l]) => `, ${percent(tail(halfLoss), tail(l as number[]))} from PyTorch ${p}`).join("")
  : "";
process.stdout.write(`loss after ${lossSteps} steps at batch ${lossBatch} (median of the last 10): PyTorch f32 ${Number.isFinite(torchFinal) ? torchFinal.toFixed(4) : torch.error ?? "unavailable"}; ` +
  `Kiln f32 ${kilnFinal.toFixed(4)}${difference(kilnFinal)}${halfText}` + (mixedText.length ? `; ${mixedText.join("; ")}` : "") + "\n");
await writeFile(path.join(out, "result.json"), JSON.stringify({ gpu: gpuName, adapter: selection.adapter, halfProducts: selection.halfProducts, probe, config, kilnRates, halfRates, torch, kilnLosses: kilnLoss, halfLosses: halfLoss }, null, 1));
tf.disposeVariables();
