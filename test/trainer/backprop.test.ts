import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { variableGrads } from "../../trainer/backprop.js";
import { selectBackend } from "../../trainer/backend.js";
import { fastKernels, simdKernels } from "../../trainer/kernels.js";
import { disposeParams, initParams, plainKernels, type Kernels } from "../../trainer/model.js";
import { batchLoss, batchTensors, disposeBatchTensors } from "../../trainer/step.js";
import { randomBatch, tinyModel } from "./helpers.js";

beforeAll(async () => {
  await selectBackend("wasm");
});

describe("variableGrads", () => {
  it("gives hand-computed gradients, through sums, shared inputs and a gradient that passes dy on as dx", () => {
    const x = tf.variable(tf.tensor1d([1, -2, 3]), true, "bp-x");
    const w = tf.variable(tf.tensor1d([0.5, 4, -1]), true, "bp-w");
    const frozen = tf.variable(tf.tensor1d([7, 7, 7]), false, "bp-frozen");
    // Identity whose gradient hands the same tensor to both inputs: one tensor, two gradients.
    const both = tf.customGrad((a, b) => ({ value: tf.add(a as tf.Tensor, b as tf.Tensor), gradFunc: (dy) => [dy as tf.Tensor, dy as tf.Tensor] }));
    const before = tf.memory().numTensors;
    // f = Σ (x·x + x·w + frozen)·w + Σ both(x, w), so ∂f/∂x = 2x·w + w² + 1, ∂f/∂w = x² + 2x·w + frozen + 1
    const { value, grads } = variableGrads(() => {
      const inner = tf.add(tf.add(tf.mul(x, x), tf.mul(x, w)), frozen);
      return tf.add(tf.sum(tf.mul(inner, w)), tf.sum(both(x, w) as tf.Tensor)) as tf.Scalar;
    }, [x, w, frozen]);
    expect(value.dataSync()[0]).toBeCloseTo((1 + 0.5 + 7) * 0.5 + (4 - 8 + 7) * 4 + (9 - 3 + 7) * -1 + (1.5 + 2 + 2), 5);
    expect(Object.keys(grads).sort()).toEqual(["bp-w", "bp-x"]);
    expect(Array.from(grads["bp-x"]!.dataSync())).toEqual([2 * 1 * 0.5 + 0.25 + 1, 2 * -2 * 4 + 16 + 1, 2 * 3 * -1 + 1 + 1]);
    expect(Array.from(grads["bp-w"]!.dataSync())).toEqual([1 + 1 + 7 + 1, 4 - 16 + 7 + 1, 9 - 6 + 7 + 1]);
    // Only the value and the two gradients outlive the call.
    expect(tf.memory().numTensors).toBe(before + 3);
    tf.dispose([value, grads["bp-x"]!, grads["bp-w"]!, x, w, frozen]);
  });

  it("refuses a result that no variable reaches, and leaves no tensor behind", () => {
    const x = tf.variable(tf.scalar(2), true, "bp-alone");
    const before = tf.memory().numTensors;
    expect(() => variableGrads(() => tf.scalar(3), [x])).toThrow(/does not depend/);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  const kernelSets: Kernels[] = [plainKernels, fastKernels, simdKernels];
  it.each(kernelSets.map((k) => [k.name, k] as const))("gives tfjs's own gradients to the bit on a GPT (%s kernels)", (_, kernels) => {
    const params = initParams(tinyModel, 3);
    const variables = [...params.values()];
    const tensors = batchTensors(randomBatch(tinyModel, 3, 11));
    const state = { config: tinyModel, params, kernels };
    // tfjs's first: a first call may make the kernels' cached constants.
    const theirs = tf.variableGrads(() => batchLoss(state, tensors), variables);
    const before = tf.memory().numTensors;
    const ours = variableGrads(() => batchLoss(state, tensors), variables);
    expect(tf.memory().numTensors).toBe(before + 1 + variables.length);
    expect(ours.value.dataSync()[0]).toBe(theirs.value.dataSync()[0]);
    for (const v of variables) expect(Array.from(ours.grads[v.name]!.dataSync()), v.name).toEqual(Array.from(theirs.grads[v.name]!.dataSync()));
    tf.dispose([ours.value, theirs.value, ...Object.values(ours.grads), ...Object.values(theirs.grads) as tf.Tensor[]]);
    disposeBatchTensors(tensors);
    disposeParams(params);
  });

  it("holds each gradient only while a node still needs it", () => {
    // x → probe → k × tanh → sum. When the probe's gradient runs, every other node is done: ours
    // holds the probe's dy alone (and the result); tfjs's still holds the k tanh outputs the
    // forward pass saved and the k + 1 gradients of the chain.
    const n = 4096;
    const k = 16;
    const x = tf.variable(tf.randomUniform([n], -1, 1, "float32", 5), true, "bp-chain");
    let alive = 0;
    let base = 0;
    const probe = tf.customGrad((a) => ({
      value: tf.clone(a as tf.Tensor),
      gradFunc: (dy) => {
        alive = tf.memory().numBytes - base;
        return tf.clone(dy as tf.Tensor);
      },
    }));
    const chain = () => {
      let h = probe(x) as tf.Tensor;
      for (let i = 0; i < k; i++) h = tf.tanh(h);
      return tf.sum(h) as tf.Scalar;
    };
    base = tf.memory().numBytes;
    const ours = variableGrads(chain, [x]);
    const oursAlive = alive;
    tf.dispose([ours.value]);
    base = tf.memory().numBytes;
    const theirs = tf.variableGrads(chain, [x]);
    const theirsAlive = alive;
    expect(Array.from(ours.grads["bp-chain"]!.dataSync())).toEqual(Array.from(theirs.grads["bp-chain"]!.dataSync()!));
    const tensorBytes = n * 4;
    expect(oursAlive).toBeLessThanOrEqual(tensorBytes + 16);
    expect(theirsAlive).toBeGreaterThanOrEqual(2 * k * tensorBytes);
    tf.dispose([theirs.value, ours.grads["bp-chain"]!, theirs.grads["bp-chain"]!, x]);
  });
});
