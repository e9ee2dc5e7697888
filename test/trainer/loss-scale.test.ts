/**
 * Dynamic loss scaling's bookkeeping, on the cpu backend with gradients written by hand: the
 * optimizer's factor, skipping on a non-finite gradient, halving, growth after the interval, and
 * the state a checkpoint carries. The f16 training it serves is tested on lavapipe
 * (webgpu-f16.test.ts).
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../trainer/backend.js";
import { DynamicLossScale, INITIAL_LOSS_SCALE, LOSS_SCALE_GROWTH_INTERVAL, MIN_LOSS_SCALE } from "../../trainer/loss-scale.js";

const read = async (t: tf.Tensor) => (await t.data())[0]!;

/** Gradients of a scaled loss: S·[3, 4] and S·[12] have the true global norm 13. */
const gradsAt = (scale: number, last = 12) => new Map<string, tf.Tensor>([["a", tf.tensor1d([3 * scale, 4 * scale])], ["b", tf.tensor1d([last * scale])]]);

describe("dynamic loss scale", () => {
  beforeAll(async () => {
    await selectBackend("cpu");
  });

  it("starts where PyTorch's GradScaler does", async () => {
    const s = new DynamicLossScale();
    expect(INITIAL_LOSS_SCALE).toBe(65536);
    expect(LOSS_SCALE_GROWTH_INTERVAL).toBe(2000);
    expect(await read(s.scale)).toBe(65536);
    const loss = s.scaled(tf.scalar(0.5));
    expect(await read(loss)).toBe(32768);
    loss.dispose();
    s.dispose();
  });

  it("unscales the norm and folds clipping and 1/S into one factor", async () => {
    const s = new DynamicLossScale(8, 100);
    const grads = gradsAt(8);
    // norm 13 unscaled; clipping at 1 gives 1/(13 + 1e-6), then 1/8.
    const { gradNorm, factor } = s.unscale(grads, 1);
    expect(await read(gradNorm)).toBeCloseTo(13, 5);
    expect(await read(factor)).toBeCloseTo(1 / (13 + 1e-6) / 8, 8);
    // Without clipping the factor is 1/S alone.
    const again = s.unscale(grads, 0);
    expect(await read(again.factor)).toBe(1 / 8);
    expect(await read(s.scale)).toBe(8);
    expect(await read(s.goodSteps)).toBe(2);
    tf.dispose([gradNorm, factor, again.gradNorm, again.factor, ...grads.values()]);
    s.dispose();
  });

  it.each([Infinity, NaN])("skips a step whose gradients hold %s: factor 0, S halved, the count of good steps reset", async (bad) => {
    const s = new DynamicLossScale(1024, 100);
    const good = gradsAt(1024);
    tf.dispose(Object.values(s.unscale(good, 1)));
    expect(await read(s.goodSteps)).toBe(1);
    const grads = gradsAt(1024, bad);
    const { gradNorm, factor } = s.unscale(grads, 1);
    expect(Number.isFinite(await read(gradNorm))).toBe(false);
    expect(await read(factor)).toBe(0);
    expect(await read(s.scale)).toBe(512);
    expect(await read(s.goodSteps)).toBe(0);
    tf.dispose([gradNorm, factor, ...grads.values(), ...good.values()]);
    s.dispose();
  });

  it("doubles S after growthInterval finite steps in a row, then counts again", async () => {
    const s = new DynamicLossScale(4, 3);
    const scales: number[] = [];
    const before = tf.memory().numTensors;
    for (let i = 0; i < 7; i++) {
      const grads = gradsAt(await read(s.scale));
      tf.dispose([...Object.values(s.unscale(grads, 0)), ...grads.values()]);
      scales.push(await read(s.scale));
    }
    expect(scales).toEqual([4, 4, 8, 8, 8, 16, 16]);
    expect(tf.memory().numTensors).toBe(before);
    s.dispose();
  });

  it("carries S and the good-step count through its state tensors", async () => {
    const s = new DynamicLossScale(64, 10);
    const grads = gradsAt(64);
    tf.dispose([...Object.values(s.unscale(grads, 0)), ...grads.values()]);
    const saved = new Map([...s.stateTensors()].map(([k, v]) => [k, v.clone()]));
    expect([...saved.keys()]).toEqual(["lossScale.scale", "lossScale.goodSteps"]);
    const restored = new DynamicLossScale();
    restored.loadState(saved);
    expect(await read(restored.scale)).toBe(64);
    expect(await read(restored.goodSteps)).toBe(1);
    // A checkpoint without them (an f32 run continued in f16) keeps the initial state.
    const fresh = new DynamicLossScale();
    fresh.loadState(new Map());
    expect(await read(fresh.scale)).toBe(INITIAL_LOSS_SCALE);
    tf.dispose([...saved.values()]);
    [s, restored, fresh].forEach((x) => x.dispose());
  });

  it("stops the run with one line once overflow has halved the scale below f16's smallest normal", async () => {
    expect(MIN_LOSS_SCALE).toBe(2 ** -14);
    const s = new DynamicLossScale(2 ** -13, 100);
    await expect(s.check(7)).resolves.toBeUndefined();
    const overflow = async () => {
      const grads = gradsAt(1, NaN);
      tf.dispose([...Object.values(s.unscale(grads, 1)), ...grads.values()]);
    };
    await overflow();
    expect(await read(s.scale)).toBe(2 ** -14);
    await expect(s.check(8)).resolves.toBeUndefined();
    await overflow();
    expect(await read(s.scale)).toBe(2 ** -15);
    await expect(s.check(9)).rejects.toThrow(/^step 9: precision f16 overflowed on every step down to a loss scale of 0\.0000305\d+ \(below 2\^-14\).*train with precision: f32$/);
    s.dispose();
  });
});
