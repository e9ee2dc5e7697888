/**
 * AdamW (Loshchilov & Hutter, "Decoupled Weight Decay Regularization") written out, so its state
 * is plain tensors a checkpoint can save and a resumed run continues bit for bit; the schedule
 * (linear warmup, cosine decay to a floor) and global-norm clipping.
 */
import * as tf from "@tensorflow/tfjs";
import type { OptimConfig } from "./config.js";
import { simdAdamWUpdate, simdAvailable } from "./simd/kernels.js";
import { fusedAdamWUpdate } from "./webgpu/adamw.js";

/** Learning rate at `step` counted from the start of the phase (re-warmup restarts it at 0). */
export function learningRateAt(step: number, config: OptimConfig, phaseSteps: number): number {
  const { learningRate: peak, minLearningRate: floor, warmupSteps } = config;
  const decaySteps = config.decaySteps ?? phaseSteps;
  if (step < warmupSteps) return (peak * (step + 1)) / warmupSteps;
  if (step >= decaySteps) return floor;
  const progress = (step - warmupSteps) / Math.max(1, decaySteps - warmupSteps);
  return floor + 0.5 * (1 + Math.cos(Math.PI * progress)) * (peak - floor);
}

/** Decay matrices only (weights and embeddings); biases and LayerNorm gains are not decayed. */
export function decays(variable: tf.Variable): boolean {
  return variable.rank >= 2;
}

export class AdamW {
  /** Updates applied so far; the bias correction uses it. */
  t = 0;
  readonly m = new Map<string, tf.Variable>();
  readonly v = new Map<string, tf.Variable>();

  constructor(
    readonly config: OptimConfig,
    readonly variables: Map<string, tf.Variable>,
  ) {
    for (const [name, p] of variables) {
      this.m.set(name, tf.variable(tf.zerosLike(p), false));
      this.v.set(name, tf.variable(tf.zerosLike(p), false));
    }
  }

  /**
   * One update with learning rate `lr` on the gradients times `gradScale` (the clip factor, kept
   * on the device): p ← p·(1 − lr·wd) − lr·m̂/(√v̂ + ε), the decay applied to the weight itself,
   * not folded into the gradient (that is what "decoupled" means). On webgpu each parameter is
   * one in-place kernel (webgpu/adamw.ts), on wasm one SIMD pass (simd/kernels.ts), with the
   * same arithmetic. On webgpu a `gradScale` of 0 leaves weights and moments untouched: that is
   * how a loss-scaled step whose gradients overflowed is skipped (loss-scale.ts).
   */
  step(grads: Map<string, tf.Tensor>, lr: number, gradScale?: tf.Scalar): void {
    this.t += 1;
    const { beta1, beta2, epsilon, weightDecay } = this.config;
    const correction1 = 1 - beta1 ** this.t;
    const correction2 = 1 - beta2 ** this.t;
    const backend = tf.getBackend();
    const fused = backend === "webgpu" || simdAvailable();
    tf.tidy(() => {
      const scale = gradScale ?? (fused ? tf.scalar(1) : undefined);
      for (const [name, p] of this.variables) {
        const raw = grads.get(name);
        if (!raw) continue;
        const m = this.m.get(name)!;
        const v = this.v.get(name)!;
        const decay = decays(p) && weightDecay > 0 ? lr * weightDecay : 0;
        if (fused) {
          const scalars = { lr, beta1, beta2, epsilon, decay, correction1, correction2 };
          // The moments (and on webgpu the weight) are written in place: each needs a buffer of its own.
          for (const variable of backend === "webgpu" ? [p, m, v] : [m, v]) ownBuffer(variable);
          if (backend === "webgpu") fusedAdamWUpdate(p, m, v, raw, scale!, scalars);
          else simdAdamWUpdate(p, m, v, raw, scale!, scalars);
          continue;
        }
        const g = scale ? tf.mul(raw, scale) : raw;
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
        const update = tf.div(tf.div(m, correction1), tf.add(tf.sqrt(tf.div(v, correction2)), epsilon));
        const decayed = decay > 0 ? tf.mul(p, 1 - decay) : p;
        p.assign(tf.sub(decayed, tf.mul(update, lr)));
      }
    });
  }

  /** The moments as named tensors (`m.<name>`, `v.<name>`) for a checkpoint; `t` goes beside them. */
  stateTensors(): Map<string, tf.Tensor> {
    const state = new Map<string, tf.Tensor>();
    for (const name of this.variables.keys()) {
      state.set(`m.${name}`, this.m.get(name)!);
      state.set(`v.${name}`, this.v.get(name)!);
    }
    return state;
  }

  /** Takes back what `stateTensors` and `t` saved; a parameter without saved moments keeps zeros. */
  loadState(t: number, state: Map<string, tf.Tensor>): void {
    this.t = t;
    for (const name of this.variables.keys()) {
      const m = state.get(`m.${name}`);
      const v = state.get(`v.${name}`);
      if (m && v) {
        this.m.get(name)!.assign(m);
        this.v.get(name)!.assign(v);
      }
    }
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
  }
}

/**
 * A variable's buffer may be shared with another tensor (tfjs shares data between a variable and
 * the tensor it was made from, and between a tensor and its clones); before writing in place,
 * give the variable a buffer of its own.
 */
function ownBuffer(variable: tf.Variable): void {
  if (tf.backend().refCount(variable.dataId) > 1) variable.assign(tf.tidy(() => tf.mul(variable, 1)));
}

/**
 * √(Σ‖g‖²) over every gradient, as a scalar on the device (read it when you log it). The squares
 * are stacked and summed, not `tf.addN`ed: tfjs-webgpu's AddN binds every input in one shader and
 * fails past the device's limit of storage buffers (8 by default).
 */
export function globalNorm(grads: Map<string, tf.Tensor>): tf.Scalar {
  return tf.tidy(() => tf.sqrt(tf.sum(tf.stack([...grads.values()].map((g) => tf.sum(tf.square(g)))))) as tf.Scalar);
}

/**
 * The factor that brings the global norm to at most `maxNorm`: maxNorm / (norm + 1e-6) when the
 * norm is above it, else 1 (always 1 when maxNorm is 0, clipping off). Computed on the device, so
 * clipping needs no read of the norm.
 */
export function clipFactor(norm: tf.Scalar, maxNorm: number): tf.Scalar {
  return tf.tidy(() => (maxNorm > 0 ? tf.where(tf.greater(norm, maxNorm), tf.div(maxNorm, tf.add(norm, 1e-6)), tf.onesLike(norm)) : tf.onesLike(norm)) as tf.Scalar);
}
