import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../trainer/backend.js";
import { loadCheckpoint } from "../../trainer/checkpoint.js";
import { adapterVariables } from "../../trainer/lora.js";
import { DataParallelGroup, splitForReplicas } from "../../trainer/data-parallel.js";
import { fastKernels, simdKernels } from "../../trainer/kernels.js";
import { disposeParams, initParams } from "../../trainer/model.js";
import { AdamW } from "../../trainer/optim.js";
import { optimConfigSchema } from "../../trainer/config.js";
import { accumulatedGradients } from "../../trainer/step.js";
import { disposeResult, train } from "../../trainer/train.js";
import { cycleDataset, randomBatch, tinyModel, tinyTrainConfig, weightsOf } from "./helpers.js";

let dir: string;
const quiet = () => {};
beforeAll(async () => {
  await selectBackend("wasm");
  dir = await mkdtemp(path.join(os.tmpdir(), "kiln-dp-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const data = () => ({ train: cycleDataset(11, 400, "web"), log: quiet, peakFlops: 1e9 });
const config = (name: string, dataParallel: number, overrides = {}) =>
  tinyTrainConfig(path.join(dir, name), { dataParallel, batchSize: 4, gradAccumulation: 2, steps: 4, evalEvery: 0, ...overrides });

/** max |a − b| / max |a| over every parameter: the error relative to the weights' scale. */
function relativeDifference(a: Record<string, number[]>, b: Record<string, number[]>): number {
  let diff = 0;
  let scale = 0;
  for (const [name, values] of Object.entries(a)) {
    values.forEach((x, i) => {
      diff = Math.max(diff, Math.abs(x - b[name]![i]!));
      scale = Math.max(scale, Math.abs(x));
    });
  }
  return diff / scale;
}

/** ‖a − b‖ / ‖a‖ over every parameter. */
function relativeL2(a: Record<string, number[]>, b: Record<string, number[]>): number {
  let diff = 0;
  let norm = 0;
  for (const [name, values] of Object.entries(a)) {
    values.forEach((x, i) => {
      diff += (x - b[name]![i]!) ** 2;
      norm += x * x;
    });
  }
  return Math.sqrt(diff / norm);
}

describe("splitForReplicas", () => {
  it("weights each slice by its counted tokens over the step's (all micro-batches)", () => {
    // 3 sequences of 6 tokens; masks count 6, 2, 0 → 8, and 18 in the second micro-batch: 26 in all.
    // Two replicas: rows [0,1) and [1,3).
    const mask = [...Array(6).fill(1), 1, 1, 0, 0, 0, 0, ...Array(6).fill(0)];
    const shares = splitForReplicas([randomBatch(tinyModel, 3, 1, mask), randomBatch(tinyModel, 3, 2)], 2);
    expect(shares[0]!.map((s) => [s.batch.batchSize, s.weight])).toEqual([[1, 6 / 26], [1, 6 / 26]]);
    expect(shares[1]!.map((s) => [s.batch.batchSize, s.weight])).toEqual([[2, 2 / 26], [2, 12 / 26]]);
  });

  it("gives a replica nothing when there are fewer sequences than replicas", () => {
    const shares = splitForReplicas([randomBatch(tinyModel, 1, 1)], 2);
    expect(shares[0]).toEqual([]);
    expect(shares[1]!.map((s) => s.weight)).toEqual([1]);
  });
});

describe("dataParallel 2", () => {
  // Two steps with different weights: the second must read the weights the main thread has now
  // (the workers share one buffer with it for the whole run), on wasm and on cpu, whose tensors
  // keep their values in JavaScript arrays rather than in the wasm heap.
  it.each([["wasm", simdKernels], ["cpu", fastKernels]] as const)("gradients and loss equal one thread's, with uneven slices and partial masks, step after step (%s)", async (backend, kernels) => {
    await selectBackend(backend);
    const params = initParams(tinyModel, 3);
    const optimizer = new AdamW(optimConfigSchema.parse({}), params);
    const state = { config: tinyModel, params, trainable: params, optimizer, kernels };
    // 5 sequences → slices of 2 and 3; the first micro-batch counts 4 + 12 of its 30 tokens.
    const mask = [...Array(4).fill(1), ...Array(14).fill(0), ...Array(12).fill(1)];
    const batches = [randomBatch(tinyModel, 5, 7, mask), randomBatch(tinyModel, 5, 8)];
    const group = await DataParallelGroup.start(2, tinyModel, kernels);
    try {
      for (const seed of [3, 4]) {
        // New weights in place, as an optimizer step would leave them.
        const fresh = initParams(tinyModel, seed);
        for (const [name, p] of params) p.assign(fresh.get(name)!);
        disposeParams(fresh);
        const reference = accumulatedGradients(state, batches, []);
        const split = await group.gradients(state, batches);
        try {
          const referenceLoss = reference.loss.dataSync()[0]!;
          expect(Math.abs(split.loss - referenceLoss) / referenceLoss).toBeLessThan(1e-6);
          [...params.keys()].forEach((name, i) => {
            const expected = reference.grads.get(name)!.dataSync();
            const scale = Math.max(...Array.from(expected, Math.abs));
            const got = split.grads[i]!.dataSync();
            const worst = Math.max(...Array.from(expected, (x, j) => Math.abs(x - got[j]!)));
            // float32 sums in another order: ~1e-7 of the gradient's scale
            expect(worst / scale).toBeLessThan(1e-5);
          });
        } finally {
          tf.dispose([reference.loss, ...reference.grads.values(), ...split.grads]);
        }
      }
    } finally {
      await group.close();
      optimizer.dispose();
      disposeParams(params);
      await selectBackend("wasm");
    }
  });

  it("matches one thread: losses and weights after 4 steps (AdamW, clipping, accumulation)", async () => {
    const one = await train(config("one", 1), data());
    const two = await train(config("two", 2), data());
    // float32 sums in a different order: per-step losses agree to ~1e-7 relative; AdamW divides
    // by √v̂, which amplifies rounding of near-zero gradient entries, so weights get 1e-5 of their scale.
    two.trainLosses.forEach((loss, i) => expect(Math.abs(loss - one.trainLosses[i]!) / one.trainLosses[i]!).toBeLessThan(1e-5));
    const difference = relativeDifference(await weightsOf(one.params), await weightsOf(two.params));
    // Measured: 5.1e-6 max, 1.2e-6 in L2. The gradients agree to ~1e-7 (test above); AdamW's
    // first steps move each weight by ≈ lr·sign(g), so an entry whose gradient is rounding-sized
    // can differ by up to 2·lr: the max bound is looser than the L2 one.
    expect(difference).toBeLessThan(5e-5);
    expect(relativeL2(await weightsOf(one.params), await weightsOf(two.params))).toBeLessThan(1e-5);
    // and the run really trained: the weights moved by far more than the tolerance
    const init = await train(config("zero", 1, { steps: 1, optim: { learningRate: 1e-12, minLearningRate: 0, warmupSteps: 0 } }), data());
    expect(relativeDifference(await weightsOf(one.params), await weightsOf(init.params))).toBeGreaterThan(1e-2);
    [one, two, init].forEach(disposeResult);
  });

  it("checkpoints and resumes: 2 steps + resume 2 steps == 4 straight", async () => {
    const straight = await train(config("straight", 2), data());
    const cfg = config("split", 2);
    const first = await train(cfg, { ...data(), stopAfter: 2 });
    expect(first.step).toBe(2);
    disposeResult(first);
    const second = await train(cfg, data());
    expect(second.step).toBe(4);
    // the same threads and slices on both sides, so resume is bit for bit
    expect(second.trainLosses).toEqual(straight.trainLosses.slice(2));
    expect(await weightsOf(second.params)).toEqual(await weightsOf(straight.params));
    const saved = await loadCheckpoint(path.join(dir, "split", "checkpoint"));
    expect(saved.meta.step).toBe(4);
    expect(saved.meta.train?.dataParallel).toBe(2);
    tf.dispose([...saved.weights.values(), ...(saved.optimizer?.values() ?? [])]);
    [straight, second].forEach(disposeResult);
  });

  it("LoRA: matches one thread (losses, adapters), the base stays frozen", async () => {
    const base = await train(config("lora-base", 1, { steps: 2 }), data());
    const baseWeights = await weightsOf(base.params);
    disposeResult(base);
    const lora = (name: string, threads: number) =>
      config(name, threads, { init: { from: path.join(dir, "lora-base", "checkpoint"), mode: "lora" }, lora: { rank: 2, alpha: 4, dropout: 0, targets: ["attn.c_attn", "mlp.c_fc"] }, optim: { learningRate: 3e-2, warmupSteps: 0 } });
    const one = await train(lora("lora-one", 1), data());
    const two = await train(lora("lora-two", 2), data());
    two.trainLosses.forEach((loss, i) => expect(Math.abs(loss - one.trainLosses[i]!) / one.trainLosses[i]!).toBeLessThan(1e-5));
    const [a, b] = [await weightsOf(adapterVariables(one.adapters!)), await weightsOf(adapterVariables(two.adapters!))];
    expect(Object.keys(b).sort()).toEqual(["h.0.attn.c_attn.lora_a", "h.0.attn.c_attn.lora_b", "h.0.mlp.c_fc.lora_a", "h.0.mlp.c_fc.lora_b"]);
    expect(relativeL2(a, b)).toBeLessThan(1e-5);
    // B starts at zero: it really trained, by far more than the tolerance
    expect(Math.max(...b["h.0.attn.c_attn.lora_b"]!.map(Math.abs))).toBeGreaterThan(1e-3);
    expect(await weightsOf(two.params)).toEqual(baseWeights);
    [one, two].forEach(disposeResult);
  });

  it("refuses LoRA dropout like model dropout", async () => {
    const cfg = config("lora-dropout", 2, { init: { from: path.join(dir, "lora-base", "checkpoint"), mode: "lora" }, lora: { rank: 2, alpha: 4, dropout: 0.1, targets: ["attn.c_attn"] } });
    await expect(train(cfg, data())).rejects.toThrow(/dropout 0 \(model and LoRA\)/);
  });

  it("refuses dropout with one clear error", async () => {
    await expect(train(config("dropout", 2, { model: { blockSize: 8, layers: 1, heads: 2, width: 16, dropout: 0.1 } }), data())).rejects.toThrow(/dropout 0/);
  });
});
