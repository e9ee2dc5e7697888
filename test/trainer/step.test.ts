import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../trainer/backend.js";
import type { Batch } from "../../trainer/data.js";
import { fastKernels } from "../../trainer/kernels.js";
import { disposeParams, initParams } from "../../trainer/model.js";
import { AdamW } from "../../trainer/optim.js";
import { optimConfigSchema } from "../../trainer/config.js";
import { accumulatedGradients } from "../../trainer/step.js";
import { randomBatch, tinyModel } from "./helpers.js";

beforeAll(async () => {
  await selectBackend("wasm");
});

/** The sequences of several batches as one batch. */
function concat(batches: Batch[]): Batch {
  const join = <T extends Int32Array | Float32Array | Uint16Array>(make: (n: number) => T, pick: (b: Batch) => T): T => {
    const out = make(batches.reduce((n, b) => n + pick(b).length, 0));
    let at = 0;
    for (const b of batches) {
      out.set(pick(b) as never, at);
      at += pick(b).length;
    }
    return out;
  };
  return {
    batchSize: batches.reduce((n, b) => n + b.batchSize, 0),
    blockSize: batches[0]!.blockSize,
    inputs: join((n) => new Int32Array(n), (b) => b.inputs),
    targets: join((n) => new Int32Array(n), (b) => b.targets),
    mask: join((n) => new Float32Array(n), (b) => b.mask),
    sources: join((n) => new Uint16Array(n), (b) => b.sources),
  };
}

describe("accumulatedGradients", () => {
  const T = tinyModel.blockSize;
  const cases: [string, number[][]][] = [
    // A fine-tuning step: one micro-batch of long answers, one of a single answer token.
    ["masks that count 2T−3 and 1 tokens", [[...Array(2 * T - 3).fill(1), 0, 0, 0], [...Array(2 * T - 1).fill(0), 1]]],
    ["a micro-batch with no counted token", [Array(2 * T).fill(1), Array(2 * T).fill(0)]],
    ["three full micro-batches", [Array(2 * T).fill(1), Array(2 * T).fill(1), Array(2 * T).fill(1)]],
  ];
  it.each(cases)("over micro-batches equals one batch of all their sequences: %s", (_, masks) => {
    const params = initParams(tinyModel, 5);
    const optimizer = new AdamW(optimConfigSchema.parse({}), params);
    const state = { config: tinyModel, params, trainable: params, optimizer, kernels: fastKernels };
    const micro = masks.map((mask, i) => randomBatch(tinyModel, 2, 20 + i, mask));
    const split = accumulatedGradients(state, micro, []);
    const whole = accumulatedGradients(state, [concat(micro)], []);
    try {
      const [splitLoss, wholeLoss] = [split.loss.dataSync()[0]!, whole.loss.dataSync()[0]!];
      expect(Math.abs(splitLoss - wholeLoss) / wholeLoss).toBeLessThan(1e-6);
      for (const name of params.keys()) {
        const expected = whole.grads.get(name)!.dataSync();
        const actual = split.grads.get(name)!.dataSync();
        const scale = Math.max(...Array.from(expected, Math.abs));
        const worst = Math.max(...Array.from(expected, (x, j) => Math.abs(x - actual[j]!)));
        expect(worst / scale, name).toBeLessThan(1e-5);
      }
    } finally {
      tf.dispose([split.loss, whole.loss, ...split.grads.values(), ...whole.grads.values()]);
      optimizer.dispose();
      disposeParams(params);
    }
  });
});
