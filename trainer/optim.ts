/**
 * AdamW (Loshchilov & Hutter, "Decoupled Weight Decay Regularization") written out, so its state
 * is plain tensors a checkpoint can save and a resumed run continues bit for bit; the schedule
 * (linear warmup, cosine decay to a floor) and global-norm clipping.
 */
import * as tf from "@tensorflow/tfjs";
import type { OptimConfig } from "./config.js";

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
   * One update with learning rate `lr`: p ← p·(1 − lr·wd) − lr·m̂/(√v̂ + ε), the decay applied to the
   * weight itself, not folded into the gradient (that is what "decoupled" means).
   */
  step(grads: Map<string, tf.Tensor>, lr: number): void {
    this.t += 1;
    const { beta1, beta2, epsilon, weightDecay } = this.config;
    const correction1 = 1 - beta1 ** this.t;
    const correction2 = 1 - beta2 ** this.t;
    tf.tidy(() => {
      for (const [name, p] of this.variables) {
        const g = grads.get(name);
        if (!g) continue;
        const m = this.m.get(name)!;
        const v = this.v.get(name)!;
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
        const update = tf.div(tf.div(m, correction1), tf.add(tf.sqrt(tf.div(v, correction2)), epsilon));
        const decayed = decays(p) && weightDecay > 0 ? tf.mul(p, 1 - lr * weightDecay) : p;
        p.assign(tf.sub(decayed, tf.mul(update, lr)));
      }
    });
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
  }
}

/** √(Σ‖g‖²) over every gradient. */
export function globalNorm(grads: Map<string, tf.Tensor>): number {
  return tf.tidy(() => {
    const squares = [...grads.values()].map((g) => tf.sum(tf.square(g)));
    return Math.sqrt(tf.addN(squares).dataSync()[0]!);
  });
}

/**
 * Scales the gradients in place so their global norm is at most `maxNorm` (0 = off); returns the
 * norm before clipping, which the log reports.
 */
export function clipByGlobalNorm(grads: Map<string, tf.Tensor>, maxNorm: number): number {
  const norm = globalNorm(grads);
  if (maxNorm > 0 && norm > maxNorm) {
    const scale = maxNorm / (norm + 1e-6);
    for (const [name, g] of grads) {
      grads.set(name, tf.mul(g, scale));
      g.dispose();
    }
  }
  return norm;
}
