/**
 * What the webgpu suites share to compare one backend's results with another's: seeded inputs,
 * the relative error of a whole array, running a function on a backend, and a function's value
 * with its gradients.
 */
import * as tf from "@tensorflow/tfjs";
import { expect } from "vitest";
import { selectBackend } from "../../trainer/backend.js";
import { checkDevice } from "../../trainer/webgpu/dispatch.js";

export function randomArray(n: number, seed: number, scale = 1): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => scale * (((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1));
}

/**
 * max |a − b| / max(|b|): the relative error of a whole array, against a floor (1e-3 unless
 * given) so that a gradient that is zero in exact arithmetic (dQ of one position) is compared
 * absolutely.
 */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-3): number {
  expect(a.length).toBe(b.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / Math.max(scale, floor);
}

/** Runs `fn` on a backend and returns plain arrays (nothing on the device survives a switch). */
export async function on<T>(backend: "cpu" | "webgpu" | "wasm", fn: () => Promise<T>): Promise<T> {
  await selectBackend(backend);
  const result = await fn();
  if (backend === "webgpu") await checkDevice();
  return result;
}

export const read = (tensors: tf.Tensor[]) => Promise.all(tensors.map(async (t) => Array.from(await t.data())));

/** The value of Σ out·dy and its gradients with respect to every input, plus the output itself. */
export async function valueAndGradients(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], seed: number): Promise<number[][]> {
  const out = f(...inputs);
  const dy = tf.tensor(randomArray(out.size, seed), out.shape);
  const { value, grads } = tf.valueAndGrads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), dy)))(inputs);
  const result = await read([out, value, ...grads]);
  tf.dispose([out, dy, value, ...grads, ...inputs]);
  return result;
}
