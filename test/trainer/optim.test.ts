import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../trainer/backend.js";
import { optimConfigSchema } from "../../trainer/config.js";
import { AdamW, clipFactor, globalNorm, learningRateAt } from "../../trainer/optim.js";

beforeAll(async () => {
  await selectBackend("cpu");
});

describe("schedule", () => {
  const config = optimConfigSchema.parse({ learningRate: 1e-3, minLearningRate: 1e-4, warmupSteps: 10 });
  it("warms up linearly, decays by cosine to the floor, then stays there", () => {
    expect(learningRateAt(0, config, 110)).toBeCloseTo(1e-4, 12);
    expect(learningRateAt(9, config, 110)).toBeCloseTo(1e-3, 12);
    expect(learningRateAt(10, config, 110)).toBeCloseTo(1e-3, 12);
    expect(learningRateAt(60, config, 110)).toBeCloseTo(1e-4 + 0.5 * 9e-4, 12); // halfway: cos(π/2) = 0
    expect(learningRateAt(110, config, 110)).toBeCloseTo(1e-4, 12);
    expect(learningRateAt(500, config, 110)).toBeCloseTo(1e-4, 12);
  });
});

describe("AdamW", () => {
  it("decays matrices only, decoupled from the gradient (hand-computed first step)", () => {
    const config = optimConfigSchema.parse({ weightDecay: 0.1, beta1: 0.9, beta2: 0.95, epsilon: 1e-12 });
    const matrix = tf.variable(tf.tensor2d([[2]]));
    const bias = tf.variable(tf.tensor1d([2]));
    const opt = new AdamW(config, new Map<string, tf.Variable>([["w", matrix], ["b", bias]]));
    opt.step(new Map<string, tf.Tensor>([["w", tf.tensor2d([[0.5]])], ["b", tf.tensor1d([-0.25])]]), 0.1);
    // first step: m̂ = g, v̂ = g², update = sign(g); matrix also shrinks by (1 − lr·wd)
    expect(matrix.dataSync()[0]).toBeCloseTo(2 * (1 - 0.1 * 0.1) - 0.1, 6);
    expect(bias.dataSync()[0]).toBeCloseTo(2 + 0.1, 6);
    opt.dispose();
    tf.dispose([matrix, bias]);
  });

  it("clips by global norm: [3, 4] with max 1 becomes [0.6, 0.8]; under the limit is unchanged", () => {
    const grads = new Map<string, tf.Tensor>([["a", tf.tensor1d([3])], ["b", tf.tensor1d([4])]]);
    const norm = globalNorm(grads);
    expect(norm.dataSync()[0]).toBeCloseTo(5, 6);
    const factor = clipFactor(norm, 1);
    expect(tf.mul(grads.get("a")!, factor).dataSync()[0]).toBeCloseTo(0.6, 5);
    expect(tf.mul(grads.get("b")!, factor).dataSync()[0]).toBeCloseTo(0.8, 5);
    const small = new Map<string, tf.Tensor>([["a", tf.tensor1d([0.3, 0.4])]]);
    expect(clipFactor(globalNorm(small), 0.5000001).dataSync()[0]).toBe(1);
    expect(clipFactor(norm, 0).dataSync()[0]).toBe(1);
    tf.dispose([...grads.values(), ...small.values()]);
  });

  it("the clip factor scales the update as clipped gradients do", () => {
    const config = optimConfigSchema.parse({ weightDecay: 0, epsilon: 1e-12 });
    const run = (grad: number, scale?: number) => {
      const w = tf.variable(tf.tensor1d([1]));
      const opt = new AdamW(config, new Map([["w", w]]));
      opt.step(new Map<string, tf.Tensor>([["w", tf.tensor1d([grad])]]), 0.1, scale === undefined ? undefined : tf.scalar(scale));
      opt.step(new Map<string, tf.Tensor>([["w", tf.tensor1d([grad / 2])]]), 0.1, scale === undefined ? undefined : tf.scalar(scale));
      const value = w.dataSync()[0]!;
      opt.dispose();
      w.dispose();
      return value;
    };
    expect(run(4, 0.25)).toBeCloseTo(run(1), 6);
  });
});
