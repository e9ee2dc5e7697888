/**
 * A batched matmul that reaches XNNPACK on the wasm backend.
 *
 * tfjs-backend-wasm (4.22) hands a BatchMatMul to XNNPACK only when the batch is 1 and neither
 * operand is transposed; attention's [B·H, T, d] products otherwise run in a scalar loop, about
 * ten times slower. This kernel runs one batch-1 product per batch entry through the backend's own
 * compiled `BatchMatMul`, on tensor ids that alias slices of the inputs and the output in the
 * wasm heap, so nothing is copied. Other backends use tf.matMul.
 *
 * `batchedMatMul(a, b)` = a·b for a [n, m, k], b [n, k, p] (or [1, k, p], broadcast), no transposes;
 * its gradient is two more flag-free batched products with explicit transposes.
 */
import * as tf from "@tensorflow/tfjs";
import { transposeLast } from "./simd/kernels.js";

const KERNEL = "KilnBatchedMatMulXnn";

interface WasmBackend {
  wasm: {
    cwrap(name: string, ret: null, args: string[]): (...args: unknown[]) => void;
    tfjs: { registerTensor(id: number, size: number, offset: number): void; disposeData(id: number): void };
  };
  dataIdNextNumber: number;
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number } };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

let wasmBatchMatMul: ((...args: unknown[]) => void) | undefined;
let registered = false;

function shapeBytes(shape: number[]): Uint8Array {
  return new Uint8Array(new Int32Array(shape).buffer);
}

/** Registers the kernel on the wasm backend (once; a no-op elsewhere). */
export function registerBatchedMatMul(tfName: string): void {
  if (tfName !== "wasm" || registered) return;
  registered = true;
  tf.registerKernel({
    kernelName: KERNEL,
    backendName: "wasm",
    kernelFunc: ({ inputs, backend }) => {
      const wasm = backend as unknown as WasmBackend;
      wasmBatchMatMul ??= wasm.wasm.cwrap("BatchMatMul", null, ["number", "array", "number", "number", "array", "number", "number", "number", "number"]);
      const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const [n, m, k] = a.shape as [number, number, number];
      const [nb, , p] = b.shape as [number, number, number];
      const out = wasm.makeOutput([n, m, p], "float32");
      const aOffset = wasm.dataIdMap.get(a.dataId).memoryOffset;
      const bOffset = wasm.dataIdMap.get(b.dataId).memoryOffset;
      const outOffset = wasm.dataIdMap.get(out.dataId).memoryOffset;
      const aShape = shapeBytes([1, m, k]);
      const bShape = shapeBytes([1, k, p]);
      // Fresh ids for every alias: XNNPACK caches its packed right operand by tensor id, and
      // disposing the id drops that cache entry.
      const alias = (offset: number, size: number) => {
        const id = wasm.dataIdNextNumber++;
        wasm.wasm.tfjs.registerTensor(id, size, offset);
        return id;
      };
      const sharedB = nb === 1 ? alias(bOffset, k * p) : undefined;
      for (let i = 0; i < n; i++) {
        const aId = alias(aOffset + 4 * i * m * k, m * k);
        const bId = sharedB ?? alias(bOffset + 4 * i * k * p, k * p);
        const outId = alias(outOffset + 4 * i * m * p, m * p);
        wasmBatchMatMul(aId, aShape, 3, bId, bShape, 3, false, false, outId);
        wasm.wasm.tfjs.disposeData(aId);
        if (sharedB === undefined) wasm.wasm.tfjs.disposeData(bId);
        wasm.wasm.tfjs.disposeData(outId);
      }
      if (sharedB !== undefined) wasm.wasm.tfjs.disposeData(sharedB);
      return out;
    },
  });
}

function forwardProduct(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  if (tf.getBackend() === "wasm" && tf.getKernel(KERNEL, "wasm")) {
    if (a.shape[2] !== b.shape[1] || (b.shape[0] !== a.shape[0] && b.shape[0] !== 1)) {
      throw new Error(`batchedMatMul: shapes ${a.shape} and ${b.shape} do not multiply`);
    }
    return tf.engine().runKernel(KERNEL, { a, b }, {}) as tf.Tensor3D;
  }
  return tf.matMul(a, b);
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
