/**
 * Performance paths for the wasm (and cpu) backends. Each computes exactly the function of its
 * counterpart in `plainKernels` (model.ts); test/trainer/kernels.test.ts checks values and
 * gradients of one against the other.
 *
 * Why they are faster (tfjs 4.22): tf.matMul's own gradient uses transpose flags, and tfjs-wasm
 * runs a transposed or batched product in a scalar loop. Here every product is flag-free, with
 * explicit transposes. On cpu they go to tf.matMul; on wasm to our SIMD product kernel
 * (simd/kernels.as.ts), which with relaxed SIMD's fused multiply-add does 1.6× the FLOPs per
 * second of tfjs-wasm's XNNPACK on the trainer's shapes and adds the bias in the same pass.
 * Attention's [B·H, T, d] products go through `batchedMatMul` (batched-matmul.ts).
 * GELU and LayerNorm get closed-form gradients: fewer, larger elementwise ops than autodiff.
 */
import * as tf from "@tensorflow/tfjs";
import { KilnError } from "../core/index.js";
import { batchedMatMul } from "./batched-matmul.js";
import { fusedHeadLoss, type HeadLossParts } from "./head-loss.js";
import { causalMask, LAYER_NORM_EPSILON, plainKernels, type Kernels } from "./model.js";
import { columnSums, registerSimdKernels, simdCausalSoftmax, simdCrossEntropy, simdCrossEntropyWithGradient, simdGelu, simdMatMul, simdLayerNorm, simdMergeHeads, simdSplitHeads, transposeLast } from "./simd/kernels.js";
import { watchDevice } from "./webgpu/dispatch.js";
import { registerWebGpuKernels, webgpuHalfKernels, webgpuKernels } from "./webgpu/kernels.js";
import { halfPrecisionAvailable } from "./webgpu/matmul-f16.js";

const GELU_C = Math.sqrt(2 / Math.PI);

type Transpose = <T extends tf.Tensor2D | tf.Tensor3D>(x: T) => T;
const tfTranspose: Transpose = (x) => tf.transpose(x, x.rank === 2 ? [1, 0] : [0, 2, 1]) as typeof x;

/** a·b (+ bias) without a gradient: tfjs's product, or our SIMD kernel on wasm. */
type Product = (a: tf.Tensor2D, b: tf.Tensor2D, bias?: tf.Tensor1D) => tf.Tensor2D;
const tfProduct: Product = (a, b, bias) => (bias ? tf.add(tf.matMul(a, b), bias) : tf.matMul(a, b));

/**
 * The products with flag-free gradients, given the product, how to transpose and how to sum a
 * gradient's rows into a bias's: x·w (dx = dy·wᵀ, dw = xᵀ·dy), x·w + b (db = Σ rows of dy) and
 * the tied logits x·wteᵀ (dx = dy·wte, dwte = dyᵀ·x).
 */
function flagFreeProducts(product: Product, transpose: Transpose, biasGradient: (dy: tf.Tensor2D) => tf.Tensor1D) {
  const matMul = tf.customGrad((x, w, save) => {
    (save as tf.GradSaveFunc)([x as tf.Tensor, w as tf.Tensor]);
    return {
      value: product(x as tf.Tensor2D, w as tf.Tensor2D),
      gradFunc: (dy, saved) => {
        const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
        return [product(dy as tf.Tensor2D, transpose(ws)), product(transpose(xs), dy as tf.Tensor2D)];
      },
    };
  }) as (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;
  const affine = tf.customGrad((x, w, b, save) => {
    (save as tf.GradSaveFunc)([x as tf.Tensor, w as tf.Tensor]);
    return {
      value: product(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D),
      gradFunc: (dy, saved) => {
        const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
        const d = dy as tf.Tensor2D;
        return [product(d, transpose(ws)), product(transpose(xs), d), biasGradient(d)];
      },
    };
  }) as (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;
  const tiedLogits = tf.customGrad((x, wte, save) => {
    (save as tf.GradSaveFunc)([x as tf.Tensor, wte as tf.Tensor]);
    return {
      value: product(x as tf.Tensor2D, transpose(wte as tf.Tensor2D)),
      gradFunc: (dy, saved) => {
        const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
        return [product(dy as tf.Tensor2D, ws), product(transpose(dy as tf.Tensor2D), xs)];
      },
    };
  }) as (x: tf.Tensor2D, wte: tf.Tensor2D) => tf.Tensor2D;
  return { matMul, affine, tiedLogits };
}

// On cpu the bias gradient is 1ᵀ·dy: tfjs reduces over a leading axis slowly there.
const tfProducts = flagFreeProducts(tfProduct, tfTranspose, (d) => tf.reshape(tf.matMul(tf.ones([1, d.shape[0]]), d), [d.shape[1]]));
// On wasm our product kernel (bias added in it) and our column sum, which reads dy once.
const simdProducts = flagFreeProducts((a, b, bias) => simdMatMul(a, b, bias), transposeLast, columnSums);

/** GELU (tanh form) with its derivative written out. */
const geluClosedForm = tf.customGrad((x, save) => {
  const xs = x as tf.Tensor;
  const inner = tf.mul(GELU_C, tf.add(xs, tf.mul(0.044715, tf.mul(xs, tf.mul(xs, xs)))));
  const t = tf.tanh(inner);
  (save as tf.GradSaveFunc)([xs, t]);
  return {
    value: tf.mul(tf.mul(0.5, xs), tf.add(1, t)),
    gradFunc: (dy, saved) => {
      const [xv, tv] = saved as [tf.Tensor, tf.Tensor];
      // d/dx ½x(1+tanh u) = ½(1+t) + ½x(1−t²)·c(1+3·0.044715x²)
      const du = tf.mul(GELU_C, tf.add(1, tf.mul(3 * 0.044715, tf.square(xv))));
      const grad = tf.add(tf.mul(0.5, tf.add(1, tv)), tf.mul(tf.mul(tf.mul(0.5, xv), tf.sub(1, tf.square(tv))), du));
      return [tf.mul(dy as tf.Tensor, grad)];
    },
  };
}) as (x: tf.Tensor2D) => tf.Tensor2D;

/** LayerNorm over the last axis with the standard closed-form backward. */
const layerNormClosedForm = tf.customGrad((x, gain, bias, save) => {
  const xs = x as tf.Tensor2D;
  const mean = tf.mean(xs, -1, true);
  const centered = tf.sub(xs, mean);
  const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(centered), -1, true), LAYER_NORM_EPSILON));
  const normalized = tf.mul(centered, rstd);
  (save as tf.GradSaveFunc)([normalized, rstd, gain as tf.Tensor]);
  return {
    value: tf.add(tf.mul(normalized, gain as tf.Tensor), bias as tf.Tensor),
    gradFunc: (dy, saved) => {
      const [xhat, r, g] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
      const dyt = dy as tf.Tensor2D;
      const dxhat = tf.mul(dyt, g);
      // dx = rstd · (dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂))
      const dx = tf.mul(r, tf.sub(tf.sub(dxhat, tf.mean(dxhat, -1, true)), tf.mul(xhat, tf.mean(tf.mul(dxhat, xhat), -1, true))));
      return [dx, tf.sum(tf.mul(dyt, xhat), 0), tf.sum(dyt, 0)];
    },
  };
}) as (x: tf.Tensor2D, gain: tf.Tensor1D, bias: tf.Tensor1D) => tf.Tensor2D;

/**
 * −log softmax(logits)[target] with the closed-form gradient d/dlogits = softmax − onehot(target),
 * instead of autodiff through logSumExp (whose max-gradient is a slow Equal on wasm).
 */
const crossEntropyClosedForm = (logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D => {
  const run = tf.customGrad((x, save) => {
    const logProbs = tf.logSoftmax(x as tf.Tensor2D);
    const oneHot = tf.oneHot(targets, logits.shape[1]);
    (save as tf.GradSaveFunc)([logProbs, oneHot]);
    return {
      value: tf.neg(tf.sum(tf.mul(logProbs, oneHot), -1)),
      gradFunc: (dy, saved) => {
        const [lp, oh] = saved as [tf.Tensor2D, tf.Tensor2D];
        return [tf.mul(tf.sub(tf.exp(lp), oh), tf.expandDims(dy as tf.Tensor1D, 1))];
      },
    };
  });
  return run(logits) as tf.Tensor1D;
};

/** The fused head loss's parts (head-loss.ts) from flag-free products and a cross-entropy with its gradient. */
function headLossParts(product: Product, transpose: Transpose, crossEntropy: HeadLossParts["crossEntropy"]): HeadLossParts {
  return {
    matMul: (a, b, ta, tb) => product(ta ? transpose(a) : a, tb ? transpose(b) : b),
    crossEntropy,
  };
}

/** nll = lse − logit[target] and (exp(logits − lse) − onehot)·dy, in tfjs ops. */
function crossEntropyWithGradient(logits: tf.Tensor2D, targets: tf.Tensor1D, dy: tf.Tensor1D): [tf.Tensor1D, tf.Tensor2D] {
  return tf.tidy(() => {
    const lse = tf.logSumExp(logits, -1, true);
    const oneHot = tf.oneHot(targets, logits.shape[1]);
    const losses = tf.sub(tf.squeeze(lse, [1]), tf.sum(tf.mul(logits, oneHot), -1)) as tf.Tensor1D;
    return [losses, tf.mul(tf.sub(tf.exp(tf.sub(logits, lse)), oneHot), tf.expandDims(dy, 1)) as tf.Tensor2D];
  });
}

const fastHeadParts = headLossParts(tfProduct, tfTranspose, crossEntropyWithGradient);
const simdHeadParts = headLossParts((a, b) => simdMatMul(a, b), transposeLast, simdCrossEntropyWithGradient);

const masks = new Map<string, tf.Tensor2D>();
/** One causal mask per (backend, length), kept across steps instead of rebuilt each call. */
function cachedMask(T: number): tf.Tensor2D {
  const key = `${tf.getBackend()}:${T}`;
  let mask = masks.get(key);
  if (!mask) {
    mask = tf.keep(causalMask(T));
    masks.set(key, mask);
  }
  return mask;
}

export const fastKernels: Kernels = {
  name: "fast",
  linear: (x, w, b) => (b ? tfProducts.affine(x, w, b) : tfProducts.matMul(x, w)),
  tiedLogits: (x, wte) => tfProducts.tiedLogits(x, wte),
  gelu: (x) => geluClosedForm(x),
  layerNorm: (x, gain, bias) => layerNormClosedForm(x, gain, bias),
  splitHeads: plainKernels.splitHeads,
  mergeHeads: plainKernels.mergeHeads,
  causalAttention: (q, k, v) => {
    // [B, H, T, d] as [B·H, T, d]: one batched product (batched-matmul.ts), kᵀ made explicitly.
    const [B, H, T, d] = q.shape;
    const flat = (x: tf.Tensor4D) => tf.reshape(x, [B * H, T, d]) as tf.Tensor3D;
    const keysT = tf.transpose(flat(k), [0, 2, 1]) as tf.Tensor3D;
    const scores = tf.add(tf.mul(batchedMatMul(flat(q), keysT), 1 / Math.sqrt(d)), cachedMask(T));
    return tf.reshape(batchedMatMul(tf.softmax(scores) as tf.Tensor3D, flat(v)), [B, H, T, d]) as tf.Tensor4D;
  },
  tokenLosses: (logits, targets) => crossEntropyClosedForm(logits, targets),
  headLoss: (x, head, targets, weights, options) => fusedHeadLoss(fastHeadParts, x, head, targets, weights, options),
};

/**
 * The wasm backend's kernels: our WebAssembly SIMD passes (simd/kernels.ts) for the products
 * (bias added in the same pass), GELU, LayerNorm, the head layout, the causal softmax,
 * cross-entropy and every explicit transpose.
 */
export const simdKernels: Kernels = {
  name: "simd",
  linear: (x, w, b) => (b ? simdProducts.affine(x, w, b) : simdProducts.matMul(x, w)),
  tiedLogits: (x, wte) => simdProducts.tiedLogits(x, wte),
  gelu: (x) => simdGelu(x),
  layerNorm: (x, gain, bias) => simdLayerNorm(x, gain, bias, LAYER_NORM_EPSILON),
  splitHeads: (qkv, B, T, heads) => simdSplitHeads(qkv, B, T, heads),
  mergeHeads: (y) => simdMergeHeads(y),
  causalAttention: (q, k, v) => {
    const [B, H, T, d] = q.shape;
    const flat = (x: tf.Tensor4D) => tf.reshape(x, [B * H, T, d]) as tf.Tensor3D;
    const probs = simdCausalSoftmax(batchedMatMul(flat(q), transposeLast(flat(k))), 1 / Math.sqrt(d));
    return tf.reshape(batchedMatMul(probs, flat(v)), [B, H, T, d]) as tf.Tensor4D;
  },
  tokenLosses: (logits, targets) => simdCrossEntropy(logits, targets),
  headLoss: (x, head, targets, weights, options) => fusedHeadLoss(simdHeadParts, x, head, targets, weights, options),
};

/**
 * The kernels a backend trains and infers with: our SIMD kernels on wasm, `fastKernels` on cpu,
 * our WGSL kernels on webgpu, the plain ones elsewhere (tfjs-node runs TensorFlow's own fused ops).
 */
export function kernelsFor(backend: string = tf.getBackend()): Kernels {
  if (backend === "wasm") return simdKernels;
  if (backend === "cpu") return fastKernels;
  if (backend === "webgpu") return webgpuKernels;
  return plainKernels;
}

/**
 * The kernels of `precision: f16`: webgpu's with half-precision products. One clear error when
 * the backend is not webgpu or its adapter has no shader-f16.
 */
export function halfPrecisionKernels(): Kernels {
  if (!halfPrecisionAvailable()) {
    const why = tf.getBackend() === "webgpu" ? "this GPU adapter has no shader-f16" : `the backend is ${tf.getBackend()}`;
    throw new KilnError("bad_config", `precision: f16 needs the webgpu backend on an adapter with shader-f16 (${why}); use precision: f32`);
  }
  return webgpuHalfKernels;
}

/** The CPU kernel set a data-parallel replica runs, by the name the main thread sends it. */
export function kernelsByName(name: string): Kernels {
  if (name === simdKernels.name) return simdKernels;
  if (name === fastKernels.name) return fastKernels;
  if (name === plainKernels.name) return plainKernels;
  throw new KilnError("bad_config", `dataParallel > 1 needs the simd, fast or plain kernels, not "${name}"`);
}

let registeredSegmentSum = false;
/**
 * The wasm backend has no UnsortedSegmentSum, which the gradient of tf.gather (the embedding
 * lookup) needs. This registers a plain JS one: out[segment[i]] += x[i] row by row.
 */
export function registerMissingKernels(tfName: string): void {
  if (tfName === "webgpu") {
    registerWebGpuKernels();
    watchDevice();
  }
  registerSimdKernels(tfName);
  if (tfName !== "wasm" || registeredSegmentSum) return;
  if (tf.getKernel("UnsortedSegmentSum", "wasm")) return;
  tf.registerKernel({
    kernelName: "UnsortedSegmentSum",
    backendName: "wasm",
    kernelFunc: ({ inputs, backend, attrs }) => {
      const wasm = backend as unknown as {
        readSync(id: object): Float32Array | Int32Array;
        makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
        typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
      };
      const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
      const numSegments = (attrs as { numSegments: number }).numSegments;
      const rowSize = x.shape.slice(1).reduce((a, b) => a * b, 1);
      const values = wasm.readSync(x.dataId);
      const ids = wasm.readSync(segmentIds.dataId);
      const outInfo = wasm.makeOutput([numSegments, ...x.shape.slice(1)], x.dtype);
      const out = wasm.typedArrayFromHeap(outInfo);
      out.fill(0);
      for (let i = 0; i < ids.length; i++) {
        const segment = ids[i]!;
        if (segment < 0 || segment >= numSegments) continue;
        const src = i * rowSize;
        const dst = segment * rowSize;
        for (let j = 0; j < rowSize; j++) out[dst + j]! += values[src + j]!;
      }
      return outInfo;
    },
  });
  registeredSegmentSum = true;
}
