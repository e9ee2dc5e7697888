/**
 * Mixed precision on the webgpu backend, on lavapipe (a CPU Vulkan driver with shader-f16): the
 * f16 product against a float64 triple loop within f16's error bound, its overflow report, the
 * layer and the output head with their gradients against the f32 kernels, and training with
 * dynamic loss scaling against the cpu backend's f32 run, through skipped steps, checkpoints and
 * resume.
 */
import { skipLavapipe } from "./lavapipe-env.js";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeSelection, selectBackend } from "../../trainer/backend.js";
import type { ModelConfig } from "../../trainer/config.js";
import type { TokenDataset } from "../../trainer/data.js";
import { optimConfigSchema } from "../../trainer/config.js";
import { halfPrecisionKernels, kernelsFor } from "../../trainer/kernels.js";
import { DynamicLossScale } from "../../trainer/loss-scale.js";
import { disposeParams, initParams, plainKernels, type Kernels } from "../../trainer/model.js";
import { AdamW } from "../../trainer/optim.js";
import { readStep, trainStep, type TrainState } from "../../trainer/step.js";
import { disposeResult, train } from "../../trainer/train.js";
import { checkDevice } from "../../trainer/webgpu/dispatch.js";
import { webgpuHalfKernels } from "../../trainer/webgpu/kernels.js";
import { checkSubgroupMatrices, exactProductError, halfPrecisionAvailable, matMulF16 } from "../../trainer/webgpu/matmul-f16.js";
import { matMul } from "../../trainer/webgpu/matmul.js";
import { on, randomArray, relativeError, valueAndGradients } from "./backend-compare.js";
import { cycleDataset, kiln, randomBatch, tinyTrainConfig, weightsOf } from "./helpers.js";
import { writeDemoLikeShards } from "./shards-fixture.js";

/** f16's unit roundoff. */
const U = 2 ** -11;

/** mean |a − b| / max(|b|). */
function meanError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff += Math.abs(a[i]! - b[i]!);
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / b.length / Math.max(scale, 1e-3);
}

const model: ModelConfig = { vocabSize: 13, blockSize: 8, layers: 2, heads: 2, width: 16, dropout: 0 };

describe.skipIf(skipLavapipe)("webgpu mixed precision (lavapipe in CI)", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "kiln-f16-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("checks a product exactly on integers (the gate of the subgroup-matrix product), and catches a wrong one", async () => {
    await selectBackend("webgpu");
    expect(await exactProductError(matMulF16)).toBe(0);
    expect(await exactProductError(matMul)).toBe(0);
    // One entry off by one in the transposed-a case only.
    const wrong = (a: tf.Tensor2D, b: tf.Tensor2D, ta?: boolean, tb?: boolean, bias?: tf.Tensor1D) => {
      const c = matMulF16(a, b, ta, tb, bias);
      if (!ta || tb) return c;
      const bump = tf.buffer(c.shape);
      bump.set(1, 129, 139);
      return tf.add(c, bump.toTensor()) as tf.Tensor2D;
    };
    expect(await exactProductError(wrong)).toBe(1);
    // lavapipe offers no subgroup matrices: nothing to check, nothing said.
    expect(await checkSubgroupMatrices()).toBe("");
    await checkDevice();
  });

  it("asks the device for shader-f16 and names it", async () => {
    const selection = await selectBackend("webgpu");
    expect(describeSelection(selection)).toMatch(/^backend webgpu on mesa .*llvmpipe.*\(software\); features: shader-f16/);
    expect(halfPrecisionAvailable()).toBe(true);
    expect(halfPrecisionKernels()).toBe(webgpuHalfKernels);
  });

  // Shapes around the 64×64 block and the 16-step k tile, and one with k far past it.
  it.each([
    [1, 1, 1],
    [65, 17, 63],
    [64, 16, 64],
    [130, 700, 65],
  ])("product %i×%i×%i, every transpose, with and without bias, within f16's bound of a float64 loop", async (M, K, N) => {
    await selectBackend("webgpu");
    for (const [ta, tb, withBias] of [[false, false, true], [false, true, false], [true, false, true], [true, true, false]] as const) {
      const A = randomArray(M * K, M + K);
      const B = randomArray(K * N, K + N, 2);
      const bias = randomArray(N, N);
      const c = matMulF16(tf.tensor2d(A, ta ? [K, M] : [M, K]), tf.tensor2d(B, tb ? [N, K] : [K, N]), ta, tb, withBias ? tf.tensor1d(bias) : undefined);
      const got = await c.data();
      await checkDevice();
      let worst = 0;
      for (let m = 0; m < M; m++) {
        for (let n = 0; n < N; n++) {
          let sum = withBias ? bias[n]! : 0;
          let magnitude = Math.abs(sum);
          for (let k = 0; k < K; k++) {
            const p = A[ta ? k * M + m : m * K + k]! * B[tb ? n * K + k : k * N + n]!;
            sum += p;
            magnitude += Math.abs(p);
          }
          worst = Math.max(worst, Math.abs(got[m * N + n]! - sum) / magnitude);
        }
      }
      // Each input rounded to f16 (u each, so 2u per product), then f16 sums of 16 products (16u).
      expect(worst, `ta ${ta} tb ${tb}`).toBeLessThan(19 * U);
      tf.dispose(c);
    }
    tf.disposeVariables();
  });

  it("reports a value beyond f16's range as NaN over the 64-row block that staged it, the rest exact", async () => {
    await selectBackend("webgpu");
    const M = 128;
    const a = Float32Array.from({ length: M * 2 }, (_, i) => (i % 2) + 1);
    a[0] = 70000;
    const c = matMulF16(tf.tensor2d(a, [M, 2]), tf.tensor2d([1, 0.5, 1, 0.25], [2, 2]));
    const got = await c.data();
    await checkDevice();
    for (let m = 0; m < M; m++) {
      if (m < 64) expect(Number.isNaN(got[m * 2]!) && Number.isNaN(got[m * 2 + 1]!), `row ${m}`).toBe(true);
      else expect([got[m * 2], got[m * 2 + 1]]).toEqual([1 + 2, 0.5 + 0.5]);
    }
    c.dispose();
  });

  it.each([
    ["linear with bias", true],
    ["linear without bias", false],
  ] as const)("%s: value and gradients against the f32 kernels, within f16 rounding", async (_label, withBias) => {
    const run = (k: Kernels) => {
      const inputs = [tf.tensor2d(randomArray(37 * 24, 3), [37, 24]), tf.tensor2d(randomArray(24 * 70, 4, 0.3), [24, 70]), ...(withBias ? [tf.tensor1d(randomArray(70, 5))] : [])];
      return valueAndGradients((x, w, b) => k.linear(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D | undefined), inputs, 6);
    };
    const want = await on("cpu", () => run(plainKernels));
    const got = await on("webgpu", () => run(webgpuHalfKernels));
    got.forEach((g, i) => {
      expect(relativeError(g, want[i]!), `[${i}]`).toBeLessThan(5e-3);
      // Not the f32 result: the products (output, dx, dw) did round to f16.
      if (i === 0 || i === 2 || i === 3) expect(relativeError(g, want[i]!), `[${i}] rounded`).toBeGreaterThan(1e-6);
    });
  });

  it.each([
    [true, 256],
    [false, undefined],
  ] as const)("output head fused with the loss (tied %s, chunks %s): value and gradients against the f32 kernels", async (tied, chunkElements) => {
    const run = (k: Kernels) => {
      const [N, d, V] = [15, 16, 60];
      const targets = tf.tensor1d(Int32Array.from({ length: N }, (_, r) => (r * 7 + 2) % V), "int32");
      // Weights of a mean over 300,000 tokens (half a GPT-2 batch): the logits' gradient is ~1e-8
      // to 3e-6, below f16's normal range (6e-5) unless normalised.
      const weights = tf.tensor1d(Float32Array.from({ length: N }, (_, r) => (r % 5 === 3 ? 0 : 1 / 300_000)));
      const head = tied ? tf.tensor2d(randomArray(V * d, 13, 0.5), [V, d]) : tf.tensor2d(randomArray(d * V, 14, 0.5), [d, V]);
      return valueAndGradients((x, h) => k.headLoss(x as tf.Tensor2D, h as tf.Tensor2D, targets, weights, { tied, headGradient: true, chunkElements }), [tf.tensor2d(randomArray(N * d, 15, 2), [N, d]), head], 16).finally(() => tf.dispose([targets, weights]));
    };
    const want = await on("cpu", () => run(plainKernels));
    const got = await on("webgpu", () => run(webgpuHalfKernels));
    // Against each array's own scale: the loss and its gradients are ~1e-5 here.
    got.forEach((g, i) => expect(relativeError(g, want[i]!, 0), `[${i}]`).toBeLessThan(5e-3));
  });

  /** Five steps (clipping, decay, two micro-batches, one partly masked) from seeded weights. */
  async function fiveSteps(kernels: () => Kernels, lossScale?: () => DynamicLossScale, steps = 5) {
    const T = model.blockSize;
    const micro = [randomBatch(model, 2, 3, [...Array(2 * T - 5).fill(1), ...Array(5).fill(0)]), randomBatch(model, 2, 4)];
    const params = initParams(model, 7);
    const optimizer = new AdamW(optimConfigSchema.parse({ weightDecay: 0.1, gradClip: 0.5, epsilon: 1e-6 }), params);
    const state: TrainState = { config: model, params, trainable: params, optimizer, kernels: kernels(), lossScale: lossScale?.() };
    const losses: number[] = [];
    const counts: number[] = [];
    const scales: number[] = [];
    const gradNorms: number[] = [];
    for (let i = 0; i < steps; i++) {
      const step = await readStep(trainStep(state, micro, 1e-2, 0.5));
      losses.push(step.loss);
      gradNorms.push(step.gradNorm);
      counts.push(tf.memory().numTensors);
      if (state.lossScale) scales.push((await state.lossScale.scale.data())[0]!);
    }
    const weights = Object.values(await weightsOf(params));
    optimizer.dispose();
    state.lossScale?.dispose();
    disposeParams(params);
    return { losses, weights, counts, scales, gradNorms };
  }

  it("trains five steps in f16 with loss scaling to the f32 cpu run's losses and weights, tensors flat", async () => {
    const want = await on("cpu", () => fiveSteps(() => kernelsFor()));
    const got = await on("webgpu", () => fiveSteps(halfPrecisionKernels, () => new DynamicLossScale()));
    expect(relativeError(got.losses, want.losses)).toBeLessThan(2e-3);
    // Adam moves a weight whose gradient is near zero by about ±lr a step whatever the gradient's
    // size, so f16 rounding can flip single updates: no weight is further off than two learning
    // rates a step, and on average they agree to 5e-3 of the tensor's scale.
    got.weights.forEach((w, i) => {
      expect(Math.max(...w.map((x, j) => Math.abs(x - want.weights[i]![j]!))), `weight ${i}`).toBeLessThan(2 * 5 * 1e-2);
      expect(meanError(w, want.weights[i]!), `weight ${i} on average`).toBeLessThan(5e-3);
    });
    expect(new Set(got.counts.slice(1)).size).toBe(1);
    expect(got.scales).toEqual([65536, 65536, 65536, 65536, 65536]);
  });

  it("skips the steps whose scaled gradients overflow f16, halving the scale, then trains", async () => {
    // 2²² overflows the first backward products (2¹⁹ is the first this model's gradients fit);
    // each skipped step halves it until one fits.
    const got = await on("webgpu", () => fiveSteps(halfPrecisionKernels, () => new DynamicLossScale(2 ** 22), 8));
    const skipped = got.gradNorms.findIndex(Number.isFinite);
    expect(skipped).toBeGreaterThan(0);
    expect(got.scales.slice(0, skipped)).toEqual(Array.from({ length: skipped }, (_, i) => 2 ** (21 - i)));
    // Skipped steps left the weights as they were: the losses repeat until the first real update.
    expect(new Set(got.losses.slice(0, skipped + 1)).size).toBe(1);
    expect(got.losses.at(-1)).toBeLessThan(got.losses[0]!);
  });

  it("kiln train with precision f16 checkpoints the loss scale and resumes to the same weights; on cpu it is one clear error", async () => {
    await selectBackend("webgpu");
    const data = cycleDataset(13, 400);
    const whole = await train(tinyTrainConfig(path.join(dir, "whole"), { precision: "f16", steps: 4, evalEvery: 0 }), { train: data, log: () => {} });
    const wholeWeights = await weightsOf(whole.params);
    disposeResult(whole);
    const first = await train(tinyTrainConfig(path.join(dir, "resumed"), { precision: "f16", steps: 4, evalEvery: 0 }), { train: data, log: () => {}, stopAfter: 2 });
    disposeResult(first);
    const resumed = await train(tinyTrainConfig(path.join(dir, "resumed"), { precision: "f16", steps: 4, evalEvery: 0 }), { train: data, log: () => {} });
    expect(await weightsOf(resumed.params)).toEqual(wholeWeights);
    expect(resumed.trainLosses.every(Number.isFinite)).toBe(true);
    disposeResult(resumed);
    await checkDevice();
    await selectBackend("cpu");
    await expect(train(tinyTrainConfig(path.join(dir, "cpu"), { precision: "f16" }), { train: data, log: () => {} })).rejects.toThrow(/precision: f16 needs the webgpu backend on an adapter with shader-f16 \(the backend is cpu\)/);
  });

  it("LoRA fine-tuning with a loss mask in f16 follows the f32 cpu run", async () => {
    // Instruction-like documents: only the second half of each is trained on.
    const masked: TokenDataset = {
      vocabSize: 13,
      documents: () => Array.from({ length: 30 }, (_, d) => ({ tokens: Uint32Array.from({ length: 12 }, (_, i) => (d + i * 3) % 13), lossMask: Uint8Array.from({ length: 12 }, (_, i) => (i >= 6 ? 1 : 0)), source: "chat" })),
    };
    await on("cpu", async () => disposeResult(await train(tinyTrainConfig(path.join(dir, "lora-base"), { steps: 3, evalEvery: 0, model: { ...model } }), { train: cycleDataset(13, 400), log: () => {} })));
    const finetune = async (out: string, precision: "f32" | "f16") => {
      // ε = 1e-6 as in the webgpu suite: Adam's first step moves a weight by ±lr for any nonzero
      // gradient, so a gradient that is zero up to rounding would move by ±lr in either run.
      const config = tinyTrainConfig(path.join(dir, out), { precision, steps: 4, evalEvery: 0, optim: optimConfigSchema.parse({ learningRate: 1e-2, minLearningRate: 1e-3, warmupSteps: 2, epsilon: 1e-6 }), init: { from: path.join(dir, "lora-base", "checkpoint"), mode: "lora" }, lora: { rank: 2, alpha: 4, dropout: 0, targets: ["attn.c_attn", "mlp.c_fc"] } });
      const run = await train(config, { train: masked, log: () => {} });
      const adapters = await Promise.all([...run.adapters!.values()].flatMap((a) => [a.a, a.b]).map(async (t) => Array.from(await t.data())));
      disposeResult(run);
      return { losses: run.trainLosses, adapters };
    };
    const want = await on("cpu", () => finetune("lora-f32", "f32"));
    const got = await on("webgpu", () => finetune("lora-f16", "f16"));
    expect(relativeError(got.losses, want.losses)).toBeLessThan(2e-3);
    // As in the five steps above: within two learning rates a step (1e-2 here) of the f32 run.
    got.adapters.forEach((a, i) => {
      expect(Math.max(...a.map((x, j) => Math.abs(x - want.adapters[i]![j]!))), `adapter ${i}`).toBeLessThan(2 * 4 * 1e-2);
      // Looser than for the full model: an adapter is a few dozen numbers, and f16's error is
      // relative to a product's largest terms, so an entry whose gradient is small beside its
      // row's can take Adam's ±lr step with the other sign (measured: up to 2% of the scale).
      expect(meanError(a, want.adapters[i]!), `adapter ${i} on average`).toBeLessThan(3e-2);
    });
    // The B matrices start at zero: f16 training moved them as f32 training did.
    got.adapters.filter((_, i) => i % 2 === 1).forEach((b) => expect(Math.max(...b.map(Math.abs))).toBeGreaterThan(1e-2));
  });

  it("kiln train --precision f16 runs on webgpu and logs its kernels; on cpu it stops with one line", async () => {
    const { shards } = await writeDemoLikeShards(path.join(dir, "cli-data"), { articles: 30, vocabSize: 300 });
    const yaml = path.join(dir, "cli-train.yaml");
    const out = path.join(dir, "cli-run");
    await writeFile(yaml, stringify({ out, data: { train: shards }, model: { blockSize: 16, layers: 1, heads: 2, width: 16 }, steps: 4, batchSize: 2, logEvery: 2, evalEvery: 0, evalBatches: 1, checkpointEvery: 0 }));
    const trained = await kiln(["train", yaml, "--backend", "webgpu", "--precision", "f16"]);
    expect(trained.code, trained.stderr).toBe(0);
    expect(trained.stderr).toMatch(/kernels webgpu-f16/);
    const metrics = (await readFile(path.join(out, "metrics.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { kind: string; loss: number });
    expect(metrics.filter((m) => m.kind === "train").every((m) => Number.isFinite(m.loss))).toBe(true);
    const refused = await kiln(["train", yaml, "--backend", "cpu", "--precision", "f16", "--restart"]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr.trim().split("\n").filter((l) => /precision: f16/.test(l))).toEqual([expect.stringMatching(/needs the webgpu backend on an adapter with shader-f16 \(the backend is cpu\); use precision: f32$/)]);
  });
});
