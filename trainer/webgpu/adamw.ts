/**
 * AdamW as one in-place pass per parameter on the webgpu backend: reads the weight, both moments,
 * the gradient and the clip factor once and writes the weight and moments back into their own
 * buffers, where the tfjs-op version (optim.ts) runs a dozen element-wise ops and allocates as
 * many tensors. Same arithmetic, in the same order, as `AdamW.step` there.
 */
import type * as tf from "@tensorflow/tfjs";
import { bindings, dispatch, paramsStruct, WORKGROUP_INDEX } from "./dispatch.js";

const THREADS = 256;
const CODE = `${paramsStruct([["n", "i32"], ["lr", "f32"], ["beta1", "f32"], ["beta2", "f32"], ["epsilon", "f32"], ["decay", "f32"], ["correction1", "f32"], ["correction2", "f32"]])}
${bindings(["p", "m", "v", "g", "gradScale"], ["p", "m", "v"])}
@compute @workgroup_size(${THREADS})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = ${WORKGROUP_INDEX} * ${THREADS}u + lid;
  // A factor of 0 is a skipped step (a loss-scaled step whose gradients overflowed, loss-scale.ts).
  if (i >= u32(params.n) || gradScale[0] == 0.0) { return; }
  let grad = g[i] * gradScale[0];
  let mi = m[i] * params.beta1 + grad * (1.0 - params.beta1);
  let vi = v[i] * params.beta2 + grad * grad * (1.0 - params.beta2);
  m[i] = mi;
  v[i] = vi;
  let update = (mi / params.correction1) / (sqrt(vi / params.correction2) + params.epsilon);
  p[i] = p[i] * (1.0 - params.decay) - update * params.lr;
}`;

export interface AdamWScalars {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** lr·weightDecay for decayed parameters, else 0. */
  decay: number;
  correction1: number;
  correction2: number;
}

/** p, m, v ← AdamW(p, m, v, g·gradScale) in place (each with a buffer of its own: optim.ts sees to it). */
export function fusedAdamWUpdate(p: tf.Variable, m: tf.Variable, v: tf.Variable, g: tf.Tensor, gradScale: tf.Scalar, s: AdamWScalars): void {
  const n = p.size;
  dispatch({
    label: "adamw", code: CODE, buffers: [p, m, v, g, gradScale],
    uniforms: [["i32", n], ["f32", s.lr], ["f32", s.beta1], ["f32", s.beta2], ["f32", s.epsilon], ["f32", s.decay], ["f32", s.correction1], ["f32", s.correction2]],
    workgroups: Math.ceil(n / THREADS),
  });
}
