import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { selectBackend } from "../../trainer/backend.js";
import { fastKernels } from "../../trainer/kernels.js";
import { initParams, plainKernels } from "../../trainer/model.js";
import { batchLoss, batchTensors } from "../../trainer/step.js";
import { randomBatch, tinyModel } from "./helpers.js";

describe("backend selection", () => {
  it("a named backend that is not installed fails with one clear error", async () => {
    await expect(selectBackend("tensorflow")).rejects.toThrow(/backend tensorflow unavailable: tensorflow: .*tfjs-node/);
    await expect(selectBackend("tpu")).rejects.toThrow(/unknown backend "tpu"/);
  });

  it("auto falls through the GPU and native backends to wasm, saying why", async () => {
    const selection = await selectBackend("auto");
    expect(selection.name).toBe("wasm");
    expect(tf.getBackend()).toBe("wasm");
    expect(selection.skipped.map((s) => s.split(":")[0])).toEqual(["tensorflow-gpu", "tensorflow", "webgpu"]);
  });

  it("on wasm, the embedding gradient works and fast kernels match plain ones", async () => {
    await selectBackend("wasm");
    const params = initParams(tinyModel, 1);
    const gradsWith = (kernels: typeof plainKernels) => {
      const t = batchTensors(randomBatch(tinyModel, 2, 3));
      const { value, grads } = tf.variableGrads(() => batchLoss({ config: tinyModel, params, kernels }, t), [...params.values()]);
      const out = [value.dataSync()[0]!, ...[...params.values()].flatMap((v) => Array.from(grads[v.name]!.dataSync()))];
      tf.dispose([value, ...Object.values(grads), t.ids, t.targets, t.mask]);
      return out;
    };
    const plain = gradsWith(plainKernels);
    const fast = gradsWith(fastKernels);
    const scale = Math.max(...plain.map(Math.abs));
    plain.forEach((x, i) => expect(Math.abs(x - fast[i]!) / scale).toBeLessThan(1e-4));
    // wte's gradient (the UnsortedSegmentSum we register on wasm) equals the cpu backend's
    await selectBackend("cpu");
    const onCpu = gradsWith(plainKernels);
    onCpu.forEach((x, i) => expect(Math.abs(x - plain[i]!) / scale).toBeLessThan(1e-4));
    for (const v of params.values()) v.dispose();
  });
});
