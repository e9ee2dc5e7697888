/**
 * Dynamic loss scaling, for training with f16 products (`precision: f16`; Micikevicius et al.,
 * "Mixed Precision Training", 2018). The loss is multiplied by a scale S before the backward
 * pass, so gradients too small for f16 (below 6·10⁻⁸) survive its products; the gradients come
 * out S times too large and the optimizer's factor divides them back. A step whose gradients are
 * not all finite (an f16 overflow: matmul-f16.ts turns it into NaN) is skipped and S halved;
 * after `growthInterval` finite steps in a row S doubles. The defaults are PyTorch's GradScaler's
 * (S = 2¹⁶, doubling after 2,000 good steps, halving on overflow).
 *
 * Everything stays on the device: the decision is a `where` on the gradient norm, and a skipped
 * step reaches the optimizer as a factor of 0, which its in-place webgpu kernel treats as "leave
 * weights and moments as they are" (webgpu/adamw.ts). The optimizer's step count still advances.
 */
import * as tf from "@tensorflow/tfjs";
import { KilnError } from "../core/index.js";
import { clipFactor, globalNorm } from "./optim.js";

export const INITIAL_LOSS_SCALE = 2 ** 16;
export const LOSS_SCALE_GROWTH_INTERVAL = 2000;
/**
 * Below this (f16's smallest normal number) the scale no longer rescues anything: only a forward
 * pass that overflows f16 by itself halves it this far, and every step from then on is skipped.
 */
export const MIN_LOSS_SCALE = 2 ** -14;

export class DynamicLossScale {
  /** S, a scalar on the device. */
  readonly scale: tf.Variable;
  /** Finite steps since S last changed. */
  readonly goodSteps: tf.Variable;

  constructor(
    initial = INITIAL_LOSS_SCALE,
    readonly growthInterval = LOSS_SCALE_GROWTH_INTERVAL,
  ) {
    this.scale = tf.variable(tf.scalar(initial), false);
    this.goodSteps = tf.variable(tf.scalar(0), false);
  }

  /** loss·S: what the backward pass differentiates. */
  scaled(loss: tf.Scalar): tf.Scalar {
    return tf.mul(loss, this.scale);
  }

  /**
   * For gradients of the scaled loss: the true global norm, and the optimizer's factor, clip(norm)/S
   * when every gradient is finite and 0 (skip) otherwise. Moves S and the good-step count on.
   */
  unscale(grads: Map<string, tf.Tensor>, gradClip: number): { gradNorm: tf.Scalar; factor: tf.Scalar } {
    return tf.tidy(() => {
      const gradNorm = tf.div(globalNorm(grads), this.scale) as tf.Scalar;
      // Inf and NaN both fail: the norm of gradients with any non-finite entry is one of them.
      const finite = tf.less(gradNorm, Infinity);
      const zero = tf.zerosLike(gradNorm);
      const factor = tf.where(finite, tf.div(clipFactor(gradNorm, gradClip), this.scale), zero) as tf.Scalar;
      const good = tf.add(this.goodSteps, 1);
      const grow = tf.logicalAnd(finite, tf.greaterEqual(good, this.growthInterval));
      this.scale.assign(tf.where(finite, tf.where(grow, tf.mul(this.scale, 2), this.scale), tf.mul(this.scale, 0.5)));
      this.goodSteps.assign(tf.where(tf.logicalAnd(finite, tf.logicalNot(grow)), good, zero));
      return { gradNorm, factor };
    });
  }

  /**
   * Stops the run with one line when S has fallen below MIN_LOSS_SCALE, instead of letting it
   * skip every step that follows. Reads S back: call it where the loop reads anyway (logging).
   */
  async check(step: number): Promise<void> {
    const scale = (await this.scale.data())[0]!;
    if (!(scale >= MIN_LOSS_SCALE)) {
      throw new KilnError("f16_overflow", `step ${step}: precision f16 overflowed on every step down to a loss scale of ${scale} (below 2^-14): the forward pass leaves f16's range; train with precision: f32`);
    }
  }

  /** S and the good-step count, for a checkpoint (beside the optimizer's moments). */
  stateTensors(): Map<string, tf.Tensor> {
    return new Map([
      ["lossScale.scale", this.scale],
      ["lossScale.goodSteps", this.goodSteps],
    ]);
  }

  /** Takes back what `stateTensors` saved; a checkpoint without them leaves the initial state. */
  loadState(state: Map<string, tf.Tensor>): void {
    const scale = state.get("lossScale.scale");
    const goodSteps = state.get("lossScale.goodSteps");
    if (scale && goodSteps) {
      this.scale.assign(tf.reshape(scale, []));
      this.goodSteps.assign(tf.reshape(goodSteps, []));
    }
  }

  dispose(): void {
    tf.dispose([this.scale, this.goodSteps]);
  }
}
