import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../trainer/backend.js";
import { fastKernels } from "../../trainer/kernels.js";
import { forward, initParams, maskedLoss, parameterShapes, plainKernels, type Kernels } from "../../trainer/model.js";
import { AdamW } from "../../trainer/optim.js";
import { optimConfigSchema, parameterCount } from "../../trainer/config.js";
import { batchTensors, batchLoss, readStep, trainStep } from "../../trainer/step.js";
import { randomBatch, tinyModel } from "./helpers.js";

beforeAll(async () => {
  await selectBackend("cpu");
});

function lossAndGrads(kernels: Kernels, seed = 1) {
  const params = initParams(tinyModel, seed);
  const t = batchTensors(randomBatch(tinyModel, 2, 5));
  const names = [...params.keys()];
  const { value, grads } = tf.variableGrads(() => batchLoss({ config: tinyModel, params, kernels }, t), [...params.values()]);
  const byName = new Map(names.map((n) => [n, Array.from(grads[params.get(n)!.name]!.dataSync())]));
  const loss = value.dataSync()[0]!;
  tf.dispose([value, ...Object.values(grads), t.ids, t.targets, t.mask]);
  return { params, loss, grads: byName };
}

describe("GPT model", () => {
  it("has the parameter count of the formula and GPT-2 initialisation", () => {
    const config = { vocabSize: 2048, blockSize: 128, layers: 4, heads: 4, width: 128, dropout: 0 };
    const total = parameterShapes(config).reduce((a, [, s]) => a + s.reduce((x, y) => x * y, 1), 0);
    expect(total).toBe(parameterCount(config));
    // V·d + T·d + layers·(12d² + 13d) + 2d = 262144 + 16384 + 4·198272 + 256: the "1.07M" config
    expect(total).toBe(1_071_872);
    const params = initParams(config, 3);
    const std = (name: string) => {
      const v = Array.from(params.get(name)!.dataSync());
      return Math.sqrt(v.reduce((a, x) => a + x * x, 0) / v.length);
    };
    expect(std("h.0.attn.c_attn.w")).toBeCloseTo(0.02, 3);
    expect(std("h.0.mlp.c_proj.w")).toBeCloseTo(0.02 / Math.sqrt(8), 3);
    expect(Array.from(params.get("h.1.ln_2.g")!.dataSync()).every((x) => x === 1)).toBe(true);
    expect(Array.from(params.get("h.1.attn.c_proj.b")!.dataSync()).every((x) => x === 0)).toBe(true);
    for (const v of params.values()) v.dispose();
  });

  it("gradient matches central finite differences along random directions", () => {
    const { params, grads } = lossAndGrads(plainKernels, 7);
    let s = 99;
    const rand = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
    const t = batchTensors(randomBatch(tinyModel, 2, 5));
    const lossAt = () => tf.tidy(() => batchLoss({ config: tinyModel, params, kernels: plainKernels }, t).dataSync()[0]!);
    for (let trial = 0; trial < 3; trial++) {
      const direction = new Map([...params].map(([n, v]) => [n, Float32Array.from({ length: v.size }, () => 0.02 * rand())]));
      let analytic = 0;
      for (const [n, d] of direction) d.forEach((x, i) => (analytic += x * grads.get(n)![i]!));
      const eps = 0.05; // a step of 1e-3 per weight: float32 rounding of the loss stays far below the signal
      const originals = new Map([...params].map(([n, v]) => [n, v.dataSync().slice() as Float32Array]));
      const shift = (sign: number) => {
        for (const [n, v] of params) v.assign(tf.tensor(originals.get(n)!.map((x, i) => x + sign * eps * direction.get(n)![i]!), v.shape));
      };
      shift(1);
      const plus = lossAt();
      shift(-1);
      const minus = lossAt();
      shift(0);
      const numeric = (plus - minus) / (2 * eps);
      expect(Math.abs(numeric - analytic)).toBeLessThan(0.01 * Math.abs(analytic) + 1e-4);
    }
    tf.dispose([t.ids, t.targets, t.mask, ...params.values()]);
  });

  it("fast kernels give the plain kernels' loss and gradients", () => {
    const plain = lossAndGrads(plainKernels);
    const fast = lossAndGrads(fastKernels);
    expect(fast.loss).toBeCloseTo(plain.loss, 5);
    for (const [name, g] of plain.grads) {
      const f = fast.grads.get(name)!;
      const scale = Math.max(1e-3, ...g.map(Math.abs));
      g.forEach((x, i) => expect(Math.abs(x - f[i]!) / scale).toBeLessThan(1e-4));
    }
    for (const v of [...plain.params.values(), ...fast.params.values()]) v.dispose();
  });

  it("masked loss is the mean over mask==1 tokens, with zero gradient on masked rows (hand-computed)", () => {
    for (const kernels of [plainKernels, fastKernels]) {
      const logits = tf.tensor2d([[0, 0], [Math.log(3), 0], [2, -1]]);
      const targets = tf.tensor1d([0, 1, 0], "int32");
      const mask = tf.tensor1d([0, 1, 1]);
      const g = tf.grad((x: tf.Tensor) => maskedLoss(x as tf.Tensor2D, targets, mask, kernels))(logits);
      const loss = maskedLoss(logits, targets, mask, kernels).dataSync()[0]!;
      // row 1: −log(1/4) = ln 4; row 2: −log(e²/(e²+e⁻¹)) = ln(1+e⁻³); mean over 2 counted tokens
      expect(loss).toBeCloseTo((Math.log(4) + Math.log(1 + Math.exp(-3))) / 2, 5);
      const p = Math.exp(2) / (Math.exp(2) + Math.exp(-1));
      const expected = [0, 0, 0.75 / 2, -0.75 / 2, (p - 1) / 2, (1 - p) / 2];
      Array.from(g.dataSync()).forEach((x, i) => expect(x).toBeCloseTo(expected[i]!, 5));
      tf.dispose([logits, targets, mask, g]);
    }
  });

  it("masked target tokens do not change the model's gradient", () => {
    const mask = [1, 1, 0, 0, 1, 1, 0, 1, 1, 1, 0, 1];
    const a = randomBatch(tinyModel, 2, 5, mask);
    const b = { ...a, targets: a.targets.map((t, i) => (mask[i] ? t : (t + 3) % tinyModel.vocabSize)) };
    const params = initParams(tinyModel, 2);
    const gradsOf = (batch: typeof a) => {
      const t = batchTensors(batch);
      const { value, grads } = tf.variableGrads(() => batchLoss({ config: tinyModel, params, kernels: fastKernels }, t), [...params.values()]);
      const flat = Object.values(grads).flatMap((g) => Array.from(g.dataSync()));
      tf.dispose([value, ...Object.values(grads), t.ids, t.targets, t.mask]);
      return flat;
    };
    expect(gradsOf(b)).toEqual(gradsOf(a));
    for (const v of params.values()) v.dispose();
  });

  it("attention is causal: a later token does not change earlier logits", () => {
    const params = initParams(tinyModel, 4);
    const run = (ids: number[]) => tf.tidy(() => Array.from(forward(tinyModel, params, tf.tensor2d([ids], [1, 6], "int32"), { kernels: fastKernels }).dataSync()));
    const a = run([1, 2, 3, 4, 5, 6]);
    const b = run([1, 2, 3, 4, 5, 9]);
    expect(b.slice(0, 5 * 11)).toEqual(a.slice(0, 5 * 11));
    expect(b.slice(5 * 11)).not.toEqual(a.slice(5 * 11));
    for (const v of params.values()) v.dispose();
  });

  it("overfits a tiny repeated sequence and keeps the tensor count flat across steps", async () => {
    const config = { vocabSize: 11, blockSize: 8, layers: 1, heads: 2, width: 32, dropout: 0 };
    const params = initParams(config, 1);
    const optimizer = new AdamW(optimConfigSchema.parse({ weightDecay: 0 }), params);
    const cycle = [3, 7, 1, 9, 4, 0, 8, 2, 6, 5];
    const stream = Array.from({ length: 40 }, (_, i) => cycle[i % 10]!);
    const batch = { batchSize: 4, blockSize: 8, inputs: Int32Array.from({ length: 32 }, (_, i) => stream[Math.floor(i / 8) * 3 + (i % 8)]!), targets: Int32Array.from({ length: 32 }, (_, i) => stream[Math.floor(i / 8) * 3 + (i % 8) + 1]!), mask: new Float32Array(32).fill(1), sources: new Uint16Array(32) };
    const state = { config, params, trainable: params, optimizer, kernels: fastKernels };
    const losses: number[] = [];
    let tensorsAfterFirst = 0;
    for (let i = 0; i < 150; i++) {
      losses.push((await readStep(trainStep(state, [batch], 1e-2, 1))).loss);
      if (i === 0) tensorsAfterFirst = tf.memory().numTensors;
      else expect(tf.memory().numTensors).toBe(tensorsAfterFirst);
    }
    // The sequence is a cycle, so the next token is a function of the current one: the achievable
    // loss is 0. Start is ≈ ln 11 (uniform); require under 2% of it.
    expect(losses[0]!).toBeGreaterThan(0.9 * Math.log(11));
    expect(losses.at(-1)!).toBeLessThan(0.02 * Math.log(11));
    optimizer.dispose();
    for (const v of params.values()) v.dispose();
  });
});
