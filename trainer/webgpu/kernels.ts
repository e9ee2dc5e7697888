/**
 * The `Kernels` of the webgpu backend: our WGSL kernels where tfjs-webgpu's op-by-op graph is
 * slow or memory-bound: the products (matmul.ts), attention, LayerNorm, GELU, cross-entropy, the
 * embedding gradient. test/trainer/webgpu-suite.ts checks values and gradients of each against
 * `plainKernels`.
 */
import * as tf from "@tensorflow/tfjs";
import { plainKernels, type Kernels } from "../model.js";
import { flashAttention, fusedAttentionFits, registerAttentionKernels } from "./attention.js";
import { fusedHeadLoss, type HeadLossParts } from "../head-loss.js";
import { fusedCrossEntropy, fusedCrossEntropyWithGradient, fusedGelu, fusedLayerNorm, registerFusedKernels } from "./fused.js";
import { linear, matMul, registerMatMulKernels } from "./matmul.js";
import { linearF16, matMulF16, registerHalfPrecisionKernels } from "./matmul-f16.js";
import { registerSegmentSumKernel } from "./segment-sum.js";

/** Our product reads transposed operands in place; our cross-entropy writes the logits' gradient in its forward pass. */
const headParts: HeadLossParts = { matMul, crossEntropy: fusedCrossEntropyWithGradient };

export const webgpuKernels: Kernels = {
  name: "webgpu",
  linear: (x, w, b) => linear(x, w, b),
  tiedLogits: (x, wte) => tf.matMul(x, wte, false, true),
  gelu: (x) => fusedGelu(x),
  layerNorm: (x, gain, bias) => fusedLayerNorm(x, gain, bias),
  splitHeads: plainKernels.splitHeads,
  mergeHeads: plainKernels.mergeHeads,
  causalAttention: (q, k, v) => (fusedAttentionFits(q.shape[3]) ? flashAttention(q, k, v) : plainKernels.causalAttention(q, k, v)),
  tokenLosses: (logits, targets) => fusedCrossEntropy(logits, targets),
  headLoss: (x, head, targets, weights, options) => fusedHeadLoss(headParts, x, head, targets, weights, options),
};

/**
 * Mixed precision (`precision: f16`, adapters with shader-f16): the layers' products and the output
 * head's (forward and backward) in f16 with f32 sums (webgpu/matmul-f16.ts); attention,
 * LayerNorm, GELU, the softmax and the weights stay f32. Validation inside a run uses the same
 * products; checkpoints hold f32 weights, and `generate` and `eval` run on `webgpuKernels`.
 */
const halfHeadParts: HeadLossParts = { matMul: matMulF16, crossEntropy: fusedCrossEntropyWithGradient, normalizeGradient: true };

export const webgpuHalfKernels: Kernels = {
  ...webgpuKernels,
  name: "webgpu-f16",
  linear: (x, w, b) => linearF16(x, w, b),
  headLoss: (x, head, targets, weights, options) => fusedHeadLoss(halfHeadParts, x, head, targets, weights, options),
};

/** What the log says ran: one name per fused kernel. */
export const WEBGPU_KERNEL_NAMES = ["flash-attention (online softmax, fwd+bwd)", "layer-norm", "gelu", "cross-entropy (fused with the output head, in chunks)", "adamw (in place)", "embedding gradient (rows summed in position order)", "column sums (bias gradients, chunks in order)", "matmul+bias (128×128 blocks, k split when blocks are few)"];

/** Registers every WGSL kernel on the webgpu backend (idempotent). */
export function registerWebGpuKernels(): void {
  registerAttentionKernels();
  registerMatMulKernels();
  registerSegmentSumKernel();
  registerFusedKernels();
  registerHalfPrecisionKernels();
}
