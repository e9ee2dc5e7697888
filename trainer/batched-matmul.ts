/**
 * A batched matmul for attention's [B·H, T, d] products.
 *
 * tfjs-backend-wasm (4.22) runs a batched or transposed BatchMatMul in a scalar loop, about ten
 * times slower than a plain product; on wasm this runs our SIMD product kernel over the batch
 * (simd/kernels.ts), elsewhere tf.matMul.
 *
 * `batchedMatMul(a, b)` = a·b for a [n, m, k], b [n, k, p] (or [1, k, p], broadcast), no transposes;
 * its gradient is two more flag-free batched products with explicit transposes.
 */
import * as tf from "@tensorflow/tfjs";
import { simdAvailable, simdMatMul, transposeLast } from "./simd/kernels.js";

function forwardProduct(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  return simdAvailable() ? simdMatMul(a, b) : tf.matMul(a, b);
}

/** a·b over a leading batch axis, with flag-free products forward and backward: da = dy·bᵀ, db = aᵀ·dy. */
export const batchedMatMul = tf.customGrad((a, b, save) => {
  (save as tf.GradSaveFunc)([a as tf.Tensor, b as tf.Tensor]);
  return {
    value: forwardProduct(a as tf.Tensor3D, b as tf.Tensor3D),
    gradFunc: (dy, saved) => {
      const [as, bs] = saved as [tf.Tensor3D, tf.Tensor3D];
      const d = dy as tf.Tensor3D;
      const da = forwardProduct(d, transposeLast(bs));
      let db = forwardProduct(transposeLast(as), d);
      // A broadcast right operand gets the sum over the batch.
      if (bs.shape[0] === 1 && as.shape[0] !== 1) db = tf.sum(db, 0, true);
      return [da, db];
    },
  };
}) as (a: tf.Tensor3D, b: tf.Tensor3D) => tf.Tensor3D;
