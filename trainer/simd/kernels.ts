/**
 * Our WebAssembly SIMD kernels (kernels.as.ts) as tfjs kernels of the wasm backend.
 *
 * The module is instantiated once per backend on the backend's own memory, so a kernel reads its
 * inputs and writes its outputs where tfjs keeps the tensors: each call is one pass over the data
 * where the tfjs-op versions in `fastKernels` run several ops and allocate as many tensors. Each
 * function here is the same function as its counterpart in `plainKernels` (model.ts), checked
 * value by value and gradient by gradient in test/trainer/simd.test.ts. Off the wasm backend the
 * transposes fall back to tf.transpose; the rest is only reached through `simdKernels`.
 */
import v8 from "node:v8";
import * as tf from "@tensorflow/tfjs";
import type { AdamWScalars } from "../webgpu/adamw.js";
import { SIMD_RELAXED_WASM_BASE64, SIMD_WASM_BASE64 } from "./module.js";

type Pointer = number;
interface SimdExports {
  gelu(x: Pointer, bias: Pointer, y: Pointer, rows: number, cols: number): void;
  geluGrad(x: Pointer, bias: Pointer, dy: Pointer, dx: Pointer, rows: number, cols: number): void;
  layerNorm(x: Pointer, gain: Pointer, bias: Pointer, y: Pointer, stats: Pointer, rows: number, cols: number, epsilon: number): void;
  layerNormGrad(x: Pointer, gain: Pointer, stats: Pointer, dy: Pointer, dx: Pointer, dGain: Pointer, dBias: Pointer, rows: number, cols: number): void;
  crossEntropy(logits: Pointer, targets: Pointer, losses: Pointer, lse: Pointer, rows: number, cols: number): void;
  crossEntropyGrad(logits: Pointer, targets: Pointer, lse: Pointer, dy: Pointer, dLogits: Pointer, rows: number, cols: number): void;
  causalSoftmax(scores: Pointer, probs: Pointer, n: number, T: number, scale: number): void;
  causalSoftmaxGrad(probs: Pointer, dProbs: Pointer, dScores: Pointer, n: number, T: number, scale: number): void;
  transpose(x: Pointer, y: Pointer, n: number, rows: number, cols: number): void;
  columnSums(x: Pointer, y: Pointer, rows: number, cols: number): void;
  heads(packed: Pointer, split: Pointer, B: number, T: number, H: number, hd: number, parts: number, part: number, toHeads: number): void;
  adamw(p: Pointer, pOut: Pointer, m: Pointer, v: Pointer, grad: Pointer, scale: Pointer, n: number, lr: number, beta1: number, beta2: number, epsilon: number, decay: number, c1: number, c2: number): void;
  matMul(a: Pointer, b: Pointer, bias: Pointer, c: Pointer, packed: Pointer, n: number, M: number, K: number, N: number, shareB: number): void;
}

/* The WebAssembly API we touch (this project's lib has no DOM or WebAssembly types). */
type WasmMemory = object;
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}
const WebAssembly = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The members of tfjs-backend-wasm's BackendWasm (4.22) used here. */
interface WasmBackend {
  wasm: { asm: { memory: WasmMemory } };
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  disposeData(dataId: object): void;
}

let compiled: object | undefined;
let relaxedBuild: boolean | undefined;

/**
 * Whether the kernels run the relaxed-SIMD build (fused multiply-add in the products): where the
 * engine compiles it, which Node 20 does once V8's flag is on (Node 22 has it by default).
 */
export function relaxedSimd(): boolean {
  if (relaxedBuild === undefined) {
    const bytes = Buffer.from(SIMD_RELAXED_WASM_BASE64, "base64");
    if (!WebAssembly.validate(bytes)) v8.setFlagsFromString("--experimental-wasm-relaxed-simd");
    relaxedBuild = WebAssembly.validate(bytes);
  }
  return relaxedBuild;
}

const instances = new WeakMap<object, SimdExports>();

/** The kernels bound to this backend's heap (instantiated on first use). */
function simdOn(backend: WasmBackend): SimdExports {
  let exports = instances.get(backend);
  if (!exports) {
    compiled ??= new WebAssembly.Module(Buffer.from(relaxedSimd() ? SIMD_RELAXED_WASM_BASE64 : SIMD_WASM_BASE64, "base64"));
    const instance = new WebAssembly.Instance(compiled, { env: { memory: backend.wasm.asm.memory, log: Math.log } });
    exports = instance.exports as unknown as SimdExports;
    instances.set(backend, exports);
  }
  return exports;
}

/** A kernel body: the module, a tensor's heap offset, a new output, and releasing scratch. */
interface Call {
  simd: SimdExports;
  at(t: tf.TensorInfo): Pointer;
  output(shape: number[], dtype?: tf.DataType): tf.TensorInfo;
  release(t: tf.TensorInfo): void;
}

type Infos = Record<string, tf.TensorInfo>;
type Attrs = Record<string, number>;
const rowsCols = (x: tf.TensorInfo): [number, number] => {
  const cols = x.shape.at(-1)!;
  return [cols === 0 ? 0 : x.shape.reduce((a, b) => a * b, 1) / cols, cols];
};

const KERNELS: Record<string, (call: Call, inputs: Infos, attrs: Attrs) => tf.TensorInfo | tf.TensorInfo[]> = {
  KilnSimdGelu: ({ simd, at, output }, { x, bias }) => {
    const [rows, cols] = rowsCols(x!);
    const y = output(x!.shape);
    simd.gelu(at(x!), bias ? at(bias) : 0, at(y), rows, cols);
    return y;
  },
  KilnSimdGeluGrad: ({ simd, at, output }, { x, bias, dy }) => {
    const [rows, cols] = rowsCols(x!);
    const dx = output(x!.shape);
    simd.geluGrad(at(x!), bias ? at(bias) : 0, at(dy!), at(dx), rows, cols);
    return dx;
  },
  KilnSimdLayerNorm: ({ simd, at, output }, { x, gain, bias }, { epsilon }) => {
    const [rows, cols] = rowsCols(x!);
    const y = output(x!.shape);
    const stats = output([rows, 2]);
    simd.layerNorm(at(x!), at(gain!), at(bias!), at(y), at(stats), rows, cols, epsilon!);
    return [y, stats];
  },
  KilnSimdLayerNormGrad: ({ simd, at, output }, { x, gain, stats, dy }) => {
    const [rows, cols] = rowsCols(x!);
    const dx = output(x!.shape);
    const dGain = output([cols]);
    const dBias = output([cols]);
    simd.layerNormGrad(at(x!), at(gain!), at(stats!), at(dy!), at(dx), at(dGain), at(dBias), rows, cols);
    return [dx, dGain, dBias];
  },
  KilnSimdCrossEntropy: ({ simd, at, output }, { logits, targets }) => {
    const [rows, cols] = rowsCols(logits!);
    const losses = output([rows]);
    const lse = output([rows]);
    simd.crossEntropy(at(logits!), at(targets!), at(losses), at(lse), rows, cols);
    return [losses, lse];
  },
  KilnSimdCrossEntropyGrad: ({ simd, at, output }, { logits, targets, lse, dy }) => {
    const [rows, cols] = rowsCols(logits!);
    const dLogits = output(logits!.shape);
    simd.crossEntropyGrad(at(logits!), at(targets!), at(lse!), at(dy!), at(dLogits), rows, cols);
    return dLogits;
  },
  KilnSimdCausalSoftmax: ({ simd, at, output }, { scores }, { scale }) => {
    const [n, T] = scores!.shape as [number, number, number];
    const probs = output(scores!.shape);
    simd.causalSoftmax(at(scores!), at(probs), n, T, scale!);
    return probs;
  },
  KilnSimdCausalSoftmaxGrad: ({ simd, at, output }, { probs, dy }, { scale }) => {
    const [n, T] = probs!.shape as [number, number, number];
    const dScores = output(probs!.shape);
    simd.causalSoftmaxGrad(at(probs!), at(dy!), at(dScores), n, T, scale!);
    return dScores;
  },
  KilnSimdSplitHeads: ({ simd, at, output }, { packed }, { B, T, heads, parts }) => {
    const hd = packed!.shape[1]! / (parts! * heads!);
    return Array.from({ length: parts! }, (_, part) => {
      const split = output([B!, heads!, T!, hd]);
      simd.heads(at(packed!), at(split), B!, T!, heads!, hd, parts!, part, 1);
      return split;
    });
  },
  KilnSimdMergeHeads: ({ simd, at, output }, inputs) => {
    const splits = Object.keys(inputs).map((_, i) => inputs[`part${i}`]!);
    const [B, H, T, hd] = splits[0]!.shape as [number, number, number, number];
    const packed = output([B * T, splits.length * H * hd]);
    splits.forEach((split, part) => simd.heads(at(packed), at(split), B, T, H, hd, splits.length, part, 0));
    return packed;
  },
  KilnSimdTranspose: ({ simd, at, output }, { x }) => {
    const shape = x!.shape;
    const [rows, cols] = shape.slice(-2) as [number, number];
    const n = shape.length === 3 ? shape[0]! : 1;
    const y = output([...shape.slice(0, -2), cols, rows]);
    simd.transpose(at(x!), at(y), n, rows, cols);
    return y;
  },
  KilnSimdMatMul: ({ simd, at, output, release }, { a, b, bias }) => {
    // a [M, K] or [n, M, K]; b [K, N] or [n or 1, K, N]; bias [N] or none.
    const [M, K] = a!.shape.slice(-2) as [number, number];
    const N = b!.shape.at(-1)!;
    const n = a!.shape.length === 3 ? a!.shape[0]! : 1;
    const c = output([...a!.shape.slice(0, -1), N]);
    const packed = output([K * 8 * Math.ceil(N / 8)]);
    const shareB = b!.shape.length === 2 || b!.shape[0] === 1;
    simd.matMul(at(a!), at(b!), bias ? at(bias) : 0, at(c), at(packed), n, M, K, N, shareB ? 1 : 0);
    release(packed);
    return c;
  },
  KilnSimdColumnSums: ({ simd, at, output }, { x }) => {
    const [rows, cols] = rowsCols(x!);
    const y = output([cols]);
    simd.columnSums(at(x!), at(y), rows, cols);
    return y;
  },
};

/** Registers every SIMD kernel on the wasm backend (idempotent; a no-op elsewhere). */
export function registerSimdKernels(tfName: string): void {
  if (tfName !== "wasm") return;
  registerHeadGradients();
  for (const [kernelName, body] of Object.entries(KERNELS)) {
    if (tf.getKernel(kernelName, "wasm")) continue;
    tf.registerKernel({
      kernelName,
      backendName: "wasm",
      kernelFunc: ({ inputs, backend, attrs }) => {
        const wasm = backend as unknown as WasmBackend;
        for (const [name, t] of Object.entries(inputs as Infos)) {
          if (t.dtype !== (name === "targets" ? "int32" : "float32")) throw new Error(`${kernelName}: ${name} is ${t.dtype}`);
        }
        const call: Call = {
          simd: simdOn(wasm),
          at: (t) => wasm.dataIdMap.get(t.dataId).memoryOffset,
          output: (shape, dtype = "float32") => wasm.makeOutput(shape, dtype),
          release: (t) => wasm.disposeData(t.dataId),
        };
        return body(call, inputs as Infos, (attrs ?? {}) as Attrs);
      },
    });
  }
}

/** Whether the current backend is wasm with these kernels registered. */
export const simdAvailable = () => tf.getBackend() === "wasm" && tf.getKernel("KilnSimdTranspose", "wasm") !== undefined;
const run = <T extends tf.Tensor | tf.Tensor[]>(name: string, inputs: Record<string, tf.Tensor>, attrs: Attrs = {}) =>
  tf.engine().runKernel(name, inputs, attrs as unknown as tf.NamedAttrMap) as unknown as T;

/**
 * a·b (+ bias) by our product kernel, no gradient: a [M, K] · b [K, N], or over a batch,
 * a [n, M, K] · b [n or 1, K, N]. Callers give gradients (kernels.ts, batched-matmul.ts).
 */
export function simdMatMul<T extends tf.Tensor2D | tf.Tensor3D>(a: T, b: T, bias?: tf.Tensor1D): T {
  const [K, N] = b.shape.slice(-2) as [number, number];
  const batch = a.rank === 3 ? a.shape[0] : 1;
  if (a.shape.at(-1) !== K || a.rank !== b.rank || (b.rank === 3 && b.shape[0] !== batch && b.shape[0] !== 1) || (bias && bias.shape[0] !== N)) {
    throw new Error(`simdMatMul: shapes ${a.shape} and ${b.shape}${bias ? ` with bias ${bias.shape}` : ""} do not multiply`);
  }
  return run<T>("KilnSimdMatMul", bias ? { a, b, bias } : { a, b });
}

/** The last two axes swapped (rank 2 or 3); its gradient is the same swap. */
const transposeSimd = tf.customGrad((x) => ({
  value: run<tf.Tensor>("KilnSimdTranspose", { x: x as tf.Tensor }),
  gradFunc: (dy) => [run<tf.Tensor>("KilnSimdTranspose", { x: dy as tf.Tensor })],
})) as (x: tf.Tensor) => tf.Tensor;

/** x with its last two axes swapped: one blocked pass on wasm, tf.transpose elsewhere. */
export function transposeLast<T extends tf.Tensor2D | tf.Tensor3D>(x: T): T {
  if (simdAvailable()) return transposeSimd(x) as T;
  return tf.transpose(x, x.rank === 2 ? [1, 0] : [0, 2, 1]) as T;
}

/** Σ over the rows of a [rows, cols] matrix (a bias's gradient): one pass on wasm, tf.sum elsewhere. Not differentiable. */
export function columnSums(x: tf.Tensor2D): tf.Tensor1D {
  if (simdAvailable()) return run<tf.Tensor1D>("KilnSimdColumnSums", { x });
  return tf.sum(x, 0);
}

const mergeInputs = (parts: tf.Tensor[]) => Object.fromEntries(parts.map((t, i) => [`part${i}`, t]));

/** q, k, v [B, H, T, hd] from one [B·T, 3·H·hd] projection, one copy per head row. */
export const simdSplitHeads = (qkv: tf.Tensor2D, B: number, T: number, heads: number) =>
  run<tf.Tensor4D[]>("KilnSimdSplitHeads", { packed: qkv }, { B, T, heads, parts: 3 }) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];

/** [B, H, T, hd] → [B·T, H·hd]. */
export const simdMergeHeads = (y: tf.Tensor4D): tf.Tensor2D => run<tf.Tensor2D>("KilnSimdMergeHeads", { part0: y });

/** The head layout's gradients: a split's is the merge of its outputs' gradients, and back. */
function registerHeadGradients(): void {
  if (tf.getGradient("KilnSimdSplitHeads")) return;
  tf.registerGradient({
    kernelName: "KilnSimdSplitHeads",
    gradFunc: (dy) => ({ packed: () => run<tf.Tensor2D>("KilnSimdMergeHeads", mergeInputs(dy as tf.Tensor[])) }),
  });
  tf.registerGradient({
    kernelName: "KilnSimdMergeHeads",
    inputsToSave: ["part0"],
    gradFunc: (dy, saved) => {
      const [B, H, T, hd] = saved[0]!.shape as [number, number, number, number];
      const parts = (dy as tf.Tensor).shape[1]! / (H * hd);
      const grads = run<tf.Tensor[]>("KilnSimdSplitHeads", { packed: dy as tf.Tensor }, { B, T, heads: H, parts });
      return Object.fromEntries(grads.map((g, i) => [`part${i}`, () => g]));
    },
  });
}

/** GELU (tanh form), one pass forward and one backward. */
export const simdGelu = (x: tf.Tensor2D): tf.Tensor2D =>
  tf.customGrad((xs, save) => {
    (save as tf.GradSaveFunc)([xs as tf.Tensor]);
    return {
      value: run<tf.Tensor2D>("KilnSimdGelu", { x: xs as tf.Tensor }),
      gradFunc: (dy, saved) => [run<tf.Tensor2D>("KilnSimdGeluGrad", { x: saved[0]!, dy: dy as tf.Tensor })],
    };
  })(x) as tf.Tensor2D;

/** LayerNorm over the last axis; the backward pass reads the forward pass's mean and 1/σ. */
export const simdLayerNorm = (x: tf.Tensor2D, gain: tf.Tensor1D, bias: tf.Tensor1D, epsilon: number): tf.Tensor2D =>
  tf.customGrad((xs, g, b, save) => {
    const [y, stats] = run<[tf.Tensor2D, tf.Tensor2D]>("KilnSimdLayerNorm", { x: xs as tf.Tensor, gain: g as tf.Tensor, bias: b as tf.Tensor }, { epsilon });
    (save as tf.GradSaveFunc)([xs as tf.Tensor, g as tf.Tensor, stats]);
    return {
      value: y,
      gradFunc: (dy, saved) => run<tf.Tensor[]>("KilnSimdLayerNormGrad", { x: saved[0]!, gain: saved[1]!, stats: saved[2]!, dy: dy as tf.Tensor }),
    };
  })(x, gain, bias) as tf.Tensor2D;

/** Per-row −log softmax(logits)[target], one pass each way from the saved log-sum-exp. */
export function simdCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  return tf.customGrad((x, save) => {
    const [losses, lse] = run<[tf.Tensor1D, tf.Tensor1D]>("KilnSimdCrossEntropy", { logits: x as tf.Tensor, targets });
    (save as tf.GradSaveFunc)([x as tf.Tensor, lse]);
    return {
      value: losses,
      gradFunc: (dy, saved) => [run<tf.Tensor2D>("KilnSimdCrossEntropyGrad", { logits: saved[0]!, targets, lse: saved[1]!, dy: dy as tf.Tensor })],
    };
  })(logits) as tf.Tensor1D;
}

/** Per-row nll and (softmax − onehot)·dy together, no autodiff: the fused head loss's cross-entropy (head-loss.ts). */
export function simdCrossEntropyWithGradient(logits: tf.Tensor2D, targets: tf.Tensor1D, dy: tf.Tensor1D): [tf.Tensor1D, tf.Tensor2D] {
  const [losses, lse] = run<[tf.Tensor1D, tf.Tensor1D]>("KilnSimdCrossEntropy", { logits, targets });
  const dLogits = run<tf.Tensor2D>("KilnSimdCrossEntropyGrad", { logits, targets, lse, dy });
  lse.dispose();
  return [losses, dLogits];
}

/** softmax(scale·scores) over the unmasked keys of each causal row of [n, T, T] scores. */
export const simdCausalSoftmax = (scores: tf.Tensor3D, scale: number): tf.Tensor3D =>
  tf.customGrad((s, save) => {
    const probs = run<tf.Tensor3D>("KilnSimdCausalSoftmax", { scores: s as tf.Tensor }, { scale });
    (save as tf.GradSaveFunc)([probs]);
    return {
      value: probs,
      gradFunc: (dy, saved) => [run<tf.Tensor3D>("KilnSimdCausalSoftmaxGrad", { probs: saved[0]!, dy: dy as tf.Tensor }, { scale })],
    };
  })(scores) as tf.Tensor3D;

/**
 * AdamW for one parameter in one pass: the moments are updated in place (the caller gives them
 * buffers of their own), the weight goes to a new buffer that `p` is assigned.
 */
export function simdAdamWUpdate(p: tf.Variable, m: tf.Variable, v: tf.Variable, g: tf.Tensor, gradScale: tf.Scalar, s: AdamWScalars): void {
  const backend = tf.backend() as unknown as WasmBackend;
  const at = (t: tf.Tensor) => backend.dataIdMap.get(t.dataId).memoryOffset;
  const next = tf.zerosLike(p);
  simdOn(backend).adamw(at(p), at(next), at(m), at(v), at(g), at(gradScale), p.size, s.lr, s.beta1, s.beta2, s.epsilon, s.decay, s.correction1, s.correction2);
  p.assign(next);
  next.dispose();
}
