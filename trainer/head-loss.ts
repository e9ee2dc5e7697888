/**
 * The output head and the training loss as one op: Σᵢ wᵢ·nllᵢ, where row i of the hidden states
 * x [N, d] has the logits x·headᵀ (a tied embedding [V, d]) or x·head (an untied head [d, V]) and
 * nll is −log softmax(logits)[target]. The weights carry the loss mask and the mean (mask / Σ mask).
 *
 * This op always ends a training loss, so its gradient is computed in the forward pass, a chunk of
 * rows at a time: logits, then (softmax − onehot)·w in one pass, then dx and dhead. A chunk's
 * logits are at most `HEAD_CHUNK_ELEMENTS` numbers, so the [N, V] logits and their gradient never
 * exist at once (GPT-2's vocabulary at 16K tokens a step would be 3.3 GB each in f32), and the
 * loss costs three products instead of autodiff's three plus a pass back over the logits. The
 * backward pass only scales the saved gradients by the upstream scalar.
 *
 * Each kernel set supplies its own products and cross-entropy (`HeadLossParts`); the plain kernels
 * keep the unfused autodiff definition, which the tests compare every fused version against.
 */
import * as tf from "@tensorflow/tfjs";

/** A chunk's logits hold at most this many numbers (64 MiB in f32). */
export const HEAD_CHUNK_ELEMENTS = 1 << 24;

/** Rows per chunk of N rows whose logits have V columns: as many as fit in `chunkElements`, at least one. */
export function chunkRows(N: number, V: number, chunkElements = HEAD_CHUNK_ELEMENTS): number {
  return Math.max(1, Math.min(N, Math.floor(chunkElements / V)));
}

export interface HeadLossOptions {
  /** head is the tied embedding wte [V, d] (logits x·wteᵀ), else an untied head [d, V] (logits x·head). */
  tied: boolean;
  /** Whether the head is trained: a frozen head (LoRA) needs no dhead product; its gradient is then zero. */
  headGradient: boolean;
  /** Overrides `HEAD_CHUNK_ELEMENTS` (tests use small chunks to cover the seams). */
  chunkElements?: number;
}

export interface HeadLossParts {
  /** a·b, either operand transposed first; never differentiated. */
  matMul(a: tf.Tensor2D, b: tf.Tensor2D, transposeA: boolean, transposeB: boolean): tf.Tensor2D;
  /** Per-row nll [n] and (softmax − onehot(target))·dy [n, V] of logits [n, V]. */
  crossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D, dy: tf.Tensor1D): [tf.Tensor1D, tf.Tensor2D];
  /**
   * Half-precision products: the logits' gradient is formed with the weights divided by their
   * largest, so its entries reach ±1 instead of ±1/tokens (which f16 would flush to zero), and
   * the saved gradients are scaled back in f32.
   */
  normalizeGradient?: boolean;
}

/** Σ weights·nll of the head's logits, fused with its gradient (see the file's comment). */
export function fusedHeadLoss(parts: HeadLossParts, x: tf.Tensor2D, head: tf.Tensor2D, targets: tf.Tensor1D, weights: tf.Tensor1D, options: HeadLossOptions): tf.Scalar {
  const [N, d] = x.shape;
  const { tied, headGradient } = options;
  const V = tied ? head.shape[0] : head.shape[1];
  const rows = chunkRows(N, V, options.chunkElements);
  // 1 / the largest weight (see HeadLossParts.normalizeGradient); the guard keeps an all-zero mask finite.
  const gradientScale = parts.normalizeGradient ? tf.tidy(() => tf.div(1, tf.maximum(tf.max(weights), 1e-30))) as tf.Scalar : undefined;
  return tf.customGrad((xs, hs, save) => {
    const [xAll, h] = [xs as tf.Tensor2D, hs as tf.Tensor2D];
    let loss: tf.Scalar | undefined;
    let dHead: tf.Tensor2D | undefined;
    const dxChunks: tf.Tensor2D[] = [];
    for (let start = 0; start < N; start += rows) {
      const n = Math.min(rows, N - start);
      const whole = n === N;
      const [chunkLoss, dx, dh] = tf.tidy(() => {
        const xc = whole ? xAll : tf.slice(xAll, [start, 0], [n, d]);
        const tc = whole ? targets : tf.slice(targets, start, n);
        const wc = whole ? weights : tf.slice(weights, start, n);
        const [losses, g] = parts.crossEntropy(parts.matMul(xc, h, false, tied), tc, gradientScale ? tf.mul(wc, gradientScale) : wc);
        const dxc = parts.matMul(g, h, false, !tied);
        const dhc = headGradient ? (tied ? parts.matMul(g, xc, true, false) : parts.matMul(xc, g, true, false)) : undefined;
        return [tf.sum(tf.mul(losses, wc)), dxc, dhc] as [tf.Scalar, tf.Tensor2D, tf.Tensor2D | undefined];
      });
      dxChunks.push(dx);
      loss = accumulate(loss, chunkLoss);
      if (dh) dHead = accumulate(dHead, dh);
    }
    const dx = dxChunks.length === 1 ? dxChunks[0]! : tf.concat(dxChunks, 0);
    if (dxChunks.length > 1) tf.dispose(dxChunks);
    const dh = dHead ?? tf.zerosLike(h);
    (save as tf.GradSaveFunc)(gradientScale ? [dx, dh, gradientScale] : [dx, dh]);
    return {
      value: loss!,
      gradFunc: (dy, saved) => {
        const upstream = saved[2] ? tf.div(dy as tf.Scalar, saved[2]) : (dy as tf.Scalar);
        return saved.slice(0, 2).map((g) => tf.mul(g, upstream));
      },
    };
  })(x, head) as tf.Scalar;
}

/** sum + next, disposing both parts (the running sum of chunk results). */
function accumulate<T extends tf.Tensor>(sum: T | undefined, next: T): T {
  if (!sum) return next;
  const total = tf.add(sum, next) as T;
  tf.dispose([sum, next]);
  return total;
}

/** The head loss as autodiff sees it, unfused: the reference the fused versions are checked against. */
export function plainHeadLoss(crossEntropy: (logits: tf.Tensor2D, targets: tf.Tensor1D) => tf.Tensor1D, x: tf.Tensor2D, head: tf.Tensor2D, targets: tf.Tensor1D, weights: tf.Tensor1D, options: HeadLossOptions): tf.Scalar {
  return tf.sum(tf.mul(crossEntropy(tf.matMul(x, head, false, options.tied), targets), weights));
}
