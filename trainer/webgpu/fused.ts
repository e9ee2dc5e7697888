/**
 * Fused row kernels for the webgpu backend, each the same function as its counterpart in
 * `plainKernels` (model.ts) and checked against it (test/trainer/webgpu-suite.ts):
 *
 * - LayerNorm: one workgroup per row computes mean and 1/σ and writes the normalised row; the
 *   backward pass recomputes them (cheaper than storing) and writes dx in one pass, then sums
 *   dgain and dbias over chunks of rows.
 * - GELU (tanh form): one pass forward, one pass backward (dx = dy·gelu'(x)).
 * - Cross-entropy: one workgroup per row computes log-sum-exp and the target's loss; the backward
 *   pass writes (softmax − onehot)·dy from the saved log-sum-exp in one read of the logits.
 * - Column sums (the gradients of biases): chunks of rows, then the chunks, each in order.
 */
import * as tf from "@tensorflow/tfjs";
import { LAYER_NORM_EPSILON } from "../model.js";
import { bindings, dispatch, outputTensor, paramsStruct, WORKGROUP_INDEX } from "./dispatch.js";

const THREADS = 256;
const BUILTINS = "@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32";

/** A workgroup-wide sum (or max) of each invocation's `value`, returned to every invocation. */
const REDUCE = `
var<workgroup> scratch: array<f32, ${THREADS}>;
fn reduce(value: f32, lid: u32, isMax: bool) -> f32 {
  workgroupBarrier();
  scratch[lid] = value;
  for (var stride = ${THREADS / 2}u; stride > 0u; stride >>= 1u) {
    workgroupBarrier();
    if (lid < stride) {
      if (isMax) { scratch[lid] = max(scratch[lid], scratch[lid + stride]); }
      else { scratch[lid] = scratch[lid] + scratch[lid + stride]; }
    }
  }
  workgroupBarrier();
  return scratch[0];
}`;

const ROW_PARAMS = paramsStruct([["rows", "i32"], ["cols", "i32"]]);
/** One workgroup per row: its index and width; a workgroup past the last row returns. */
const ROW_START = `let row = ${WORKGROUP_INDEX};
  if (row >= u32(params.rows)) { return; }
  let cols = u32(params.cols);`;

/** Mean and 1/√(var + ε) of row `row` of x, every invocation taking a strided share. */
const ROW_STATS = `
fn rowStats(row: u32, cols: u32, lid: u32) -> vec2<f32> {
  var sum = 0.0;
  for (var c = lid; c < cols; c += ${THREADS}u) { sum += x[row * cols + c]; }
  let mean = reduce(sum, lid, false) / f32(cols);
  var squares = 0.0;
  for (var c = lid; c < cols; c += ${THREADS}u) { let centred = x[row * cols + c] - mean; squares += centred * centred; }
  let variance = reduce(squares, lid, false) / f32(cols);
  return vec2<f32>(mean, inverseSqrt(variance + ${LAYER_NORM_EPSILON}));
}`;

const layerNormForwardCode = `${ROW_PARAMS}
${bindings(["x", "gain", "bias", "y"], ["y"])}
${REDUCE}
${ROW_STATS}
@compute @workgroup_size(${THREADS})
fn main(${BUILTINS}) {
  ${ROW_START}
  let stats = rowStats(row, cols, lid);
  for (var c = lid; c < cols; c += ${THREADS}u) {
    y[row * cols + c] = (x[row * cols + c] - stats.x) * stats.y * gain[c] + bias[c];
  }
}`;

/** dx = r·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)), dx̂ = dy·gain; also writes each row's (mean, r). */
const layerNormBackwardCode = `${ROW_PARAMS}
${bindings(["x", "gain", "dy", "dx", "stats"], ["dx", "stats"])}
${REDUCE}
${ROW_STATS}
@compute @workgroup_size(${THREADS})
fn main(${BUILTINS}) {
  ${ROW_START}
  let s = rowStats(row, cols, lid);
  var sumG = 0.0;
  var sumGX = 0.0;
  for (var c = lid; c < cols; c += ${THREADS}u) {
    let g = dy[row * cols + c] * gain[c];
    sumG += g;
    sumGX += g * (x[row * cols + c] - s.x) * s.y;
  }
  let meanG = reduce(sumG, lid, false) / f32(cols);
  let meanGX = reduce(sumGX, lid, false) / f32(cols);
  for (var c = lid; c < cols; c += ${THREADS}u) {
    let xhat = (x[row * cols + c] - s.x) * s.y;
    dx[row * cols + c] = s.y * (dy[row * cols + c] * gain[c] - meanG - xhat * meanGX);
  }
  if (lid == 0u) { stats[2u * row] = s.x; stats[2u * row + 1u] = s.y; }
}`;

const CHUNK_ROWS = 256;
/** Per-column kernels over chunks of rows: the params, and main's start placing this invocation on column c of chunk `chunk`, rows [firstRow, lastRow). */
const CHUNK_PARAMS = paramsStruct([["rows", "i32"], ["cols", "i32"], ["chunkRows", "i32"]]);
const CHUNK_COLUMN = `@compute @workgroup_size(64)
fn main(${BUILTINS}) {
  let cols = u32(params.cols);
  let columnGroups = (cols + 63u) / 64u;
  let w = ${WORKGROUP_INDEX};
  let chunk = w / columnGroups;
  let c = (w % columnGroups) * 64u + lid;
  let rows = u32(params.rows);
  if (c >= cols) { return; }
  // No rows: one chunk, whose sums are 0.
  let firstRow = chunk * u32(params.chunkRows);
  let lastRow = min(rows, firstRow + u32(params.chunkRows));`;

/** Partial dgain (row 0) and dbias (row 1) of one chunk of rows, one invocation per column. */
const layerNormParamGradCode = `${CHUNK_PARAMS}
${bindings(["x", "dy", "stats", "partial"], ["partial"])}
${CHUNK_COLUMN}
  var dGain = 0.0;
  var dBias = 0.0;
  for (var r = firstRow; r < lastRow; r++) {
    let g = dy[r * cols + c];
    dGain += g * (x[r * cols + c] - stats[2u * r]) * stats[2u * r + 1u];
    dBias += g;
  }
  partial[chunk * 2u * cols + c] = dGain;
  partial[chunk * 2u * cols + cols + c] = dBias;
}`;

/** Per chunk of rows, each column's sum over the chunk's rows in row order, one invocation per column. */
const columnSumPartCode = `${CHUNK_PARAMS}
${bindings(["x", "partial"], ["partial"])}
${CHUNK_COLUMN}
  var total = 0.0;
  for (var r = firstRow; r < lastRow; r++) { total += x[r * cols + c]; }
  partial[chunk * cols + c] = total;
}`;

/** Each column's sum over the chunks' partial sums, in chunk order. */
const columnSumTotalCode = `${paramsStruct([["chunks", "i32"], ["cols", "i32"]])}
${bindings(["partial", "total"], ["total"])}
@compute @workgroup_size(${THREADS})
fn main(${BUILTINS}) {
  let cols = u32(params.cols);
  let c = ${WORKGROUP_INDEX} * ${THREADS}u + lid;
  if (c >= cols) { return; }
  var sum = 0.0;
  for (var k = 0u; k < u32(params.chunks); k++) { sum += partial[k * cols + c]; }
  total[c] = sum;
}`;

const GELU_C = Math.sqrt(2 / Math.PI);
const ELEMENTWISE_PARAMS = paramsStruct([["n", "i32"]]);
const geluForwardCode = `${ELEMENTWISE_PARAMS}
${bindings(["x", "y"], ["y"])}
@compute @workgroup_size(${THREADS})
fn main(${BUILTINS}) {
  let i = ${WORKGROUP_INDEX} * ${THREADS}u + lid;
  if (i >= u32(params.n)) { return; }
  let v = x[i];
  y[i] = 0.5 * v * (1.0 + tanh(${GELU_C} * (v + 0.044715 * v * v * v)));
}`;

/** d/dx ½x(1+tanh u) = ½(1+t) + ½x(1−t²)·c(1+3·0.044715x²) */
const geluBackwardCode = `${ELEMENTWISE_PARAMS}
${bindings(["x", "dy", "dx"], ["dx"])}
@compute @workgroup_size(${THREADS})
fn main(${BUILTINS}) {
  let i = ${WORKGROUP_INDEX} * ${THREADS}u + lid;
  if (i >= u32(params.n)) { return; }
  let v = x[i];
  let t = tanh(${GELU_C} * (v + 0.044715 * v * v * v));
  let du = ${GELU_C} * (1.0 + 3.0 * 0.044715 * v * v);
  dx[i] = dy[i] * (0.5 * (1.0 + t) + 0.5 * v * (1.0 - t * t) * du);
}`;

const crossEntropyForwardCode = `${ROW_PARAMS}
${bindings(["logits", "targets", "losses", "lse"], ["losses", "lse"], { targets: "i32" })}
${REDUCE}
@compute @workgroup_size(${THREADS})
fn main(${BUILTINS}) {
  ${ROW_START}
  var m = -3.0e38;
  for (var c = lid; c < cols; c += ${THREADS}u) { m = max(m, logits[row * cols + c]); }
  let rowMax = reduce(m, lid, true);
  var sum = 0.0;
  for (var c = lid; c < cols; c += ${THREADS}u) { sum += exp(logits[row * cols + c] - rowMax); }
  let total = reduce(sum, lid, false);
  if (lid == 0u) {
    let l = rowMax + log(total);
    lse[row] = l;
    losses[row] = l - logits[row * cols + u32(targets[row])];
  }
}`;

const crossEntropyBackwardCode = `${ROW_PARAMS}
${bindings(["logits", "targets", "lse", "dy", "dLogits"], ["dLogits"], { targets: "i32" })}
@compute @workgroup_size(${THREADS})
fn main(${BUILTINS}) {
  ${ROW_START}
  let targetId = u32(targets[row]);
  let l = lse[row];
  let g = dy[row];
  for (var c = lid; c < cols; c += ${THREADS}u) {
    var p = exp(logits[row * cols + c] - l);
    if (c == targetId) { p -= 1.0; }
    dLogits[row * cols + c] = p * g;
  }
}`;

type Infos = Record<string, tf.TensorInfo>;
const rowUniforms = (x: tf.TensorInfo) => [["i32", x.shape[0]!], ["i32", x.shape[1]!]] as ["i32", number][];

const KERNELS: Record<string, (inputs: Infos) => tf.TensorInfo | tf.TensorInfo[]> = {
  KilnLayerNorm: ({ x, gain, bias }) => {
    const y = outputTensor(x!.shape);
    dispatch({ label: "layer-norm", code: layerNormForwardCode, buffers: [x!, gain!, bias!, y], uniforms: rowUniforms(x!), workgroups: x!.shape[0]! });
    return y;
  },
  KilnLayerNormGrad: ({ x, gain, dy }) => {
    const [rows, cols] = x!.shape as [number, number];
    const dx = outputTensor(x!.shape);
    const stats = outputTensor([rows, 2]);
    dispatch({ label: "layer-norm-dx", code: layerNormBackwardCode, buffers: [x!, gain!, dy!, dx, stats], uniforms: rowUniforms(x!), workgroups: rows });
    const chunks = Math.ceil(rows / CHUNK_ROWS);
    const partial = outputTensor([chunks, 2, cols]);
    dispatch({
      label: "layer-norm-dgain-dbias", code: layerNormParamGradCode, buffers: [x!, dy!, stats, partial],
      uniforms: [["i32", rows], ["i32", cols], ["i32", CHUNK_ROWS]], workgroups: chunks * Math.ceil(cols / 64),
    });
    tf.backend().disposeData(stats.dataId);
    return [dx, partial];
  },
  KilnColumnSum: ({ x }) => {
    const [rows, cols] = x!.shape as [number, number];
    const chunks = Math.max(1, Math.ceil(rows / CHUNK_ROWS));
    // One chunk sums straight into the result.
    const partial = outputTensor(chunks === 1 ? [cols] : [chunks, cols]);
    dispatch({
      label: "column-sum", code: columnSumPartCode, buffers: [x!, partial],
      uniforms: [["i32", rows], ["i32", cols], ["i32", CHUNK_ROWS]], workgroups: chunks * Math.ceil(cols / 64),
    });
    if (chunks === 1) return partial;
    const total = outputTensor([cols]);
    dispatch({ label: "column-sum-total", code: columnSumTotalCode, buffers: [partial, total], uniforms: [["i32", chunks], ["i32", cols]], workgroups: Math.ceil(cols / THREADS) });
    tf.backend().disposeData(partial.dataId);
    return total;
  },
  KilnGelu: ({ x }) => {
    const y = outputTensor(x!.shape);
    const n = tf.util.sizeFromShape(x!.shape);
    dispatch({ label: "gelu", code: geluForwardCode, buffers: [x!, y], uniforms: [["i32", n]], workgroups: Math.ceil(n / THREADS) });
    return y;
  },
  KilnGeluGrad: ({ x, dy }) => {
    const dx = outputTensor(x!.shape);
    const n = tf.util.sizeFromShape(x!.shape);
    dispatch({ label: "gelu-grad", code: geluBackwardCode, buffers: [x!, dy!, dx], uniforms: [["i32", n]], workgroups: Math.ceil(n / THREADS) });
    return dx;
  },
  KilnCrossEntropy: ({ logits, targets }) => {
    const losses = outputTensor([logits!.shape[0]!]);
    const lse = outputTensor([logits!.shape[0]!]);
    dispatch({ label: "cross-entropy", code: crossEntropyForwardCode, buffers: [logits!, targets!, losses, lse], uniforms: rowUniforms(logits!), workgroups: logits!.shape[0]! });
    return [losses, lse];
  },
  KilnCrossEntropyGrad: ({ logits, targets, lse, dy }) => {
    const dLogits = outputTensor(logits!.shape);
    dispatch({ label: "cross-entropy-grad", code: crossEntropyBackwardCode, buffers: [logits!, targets!, lse!, dy!, dLogits], uniforms: rowUniforms(logits!), workgroups: logits!.shape[0]! });
    return dLogits;
  },
};

/** Registers the fused row kernels on the webgpu backend (once). */
export function registerFusedKernels(): void {
  for (const [kernelName, run] of Object.entries(KERNELS)) {
    if (tf.getKernel(kernelName, "webgpu")) continue;
    tf.registerKernel({ kernelName, backendName: "webgpu", kernelFunc: ({ inputs }) => run(inputs as Infos) });
  }
}

const run = <T extends tf.Tensor | tf.Tensor[]>(name: string, inputs: Record<string, tf.Tensor>) => tf.engine().runKernel(name, inputs) as unknown as T;

export const fusedLayerNorm = tf.customGrad((x, gain, bias, save) => {
  (save as tf.GradSaveFunc)([x as tf.Tensor, gain as tf.Tensor]);
  return {
    value: run<tf.Tensor2D>("KilnLayerNorm", { x: x as tf.Tensor, gain: gain as tf.Tensor, bias: bias as tf.Tensor }),
    gradFunc: (dy, saved) => {
      const [xs, gs] = saved as [tf.Tensor2D, tf.Tensor1D];
      const [dx, partial] = run<[tf.Tensor2D, tf.Tensor3D]>("KilnLayerNormGrad", { x: xs, gain: gs, dy: dy as tf.Tensor });
      const [chunks, , cols] = partial.shape;
      const [dGain, dBias] = tf.split(columnSum(tf.reshape(partial, [chunks, 2 * cols])), 2) as [tf.Tensor1D, tf.Tensor1D];
      return [dx, dGain, dBias];
    },
  };
}) as (x: tf.Tensor2D, gain: tf.Tensor1D, bias: tf.Tensor1D) => tf.Tensor2D;

/**
 * Σ over the rows of x [rows, cols], not differentiated: chunks of 256 rows summed in row order,
 * then the chunks in chunk order, so the result depends only on x. It reads x once, where
 * tfjs-webgpu's sum over axis 0 first transposes it.
 */
export function columnSum(x: tf.Tensor2D): tf.Tensor1D {
  return run<tf.Tensor1D>("KilnColumnSum", { x });
}

export const fusedGelu = tf.customGrad((x, save) => {
  (save as tf.GradSaveFunc)([x as tf.Tensor]);
  return {
    value: run<tf.Tensor2D>("KilnGelu", { x: x as tf.Tensor }),
    gradFunc: (dy, saved) => [run<tf.Tensor2D>("KilnGeluGrad", { x: saved[0]!, dy: dy as tf.Tensor })],
  };
}) as (x: tf.Tensor2D) => tf.Tensor2D;

/** Per-row −log softmax(logits)[target]; targets must be int32 ids in [0, cols). */
export function fusedCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  const loss = tf.customGrad((x, save) => {
    const [losses, lse] = run<[tf.Tensor1D, tf.Tensor1D]>("KilnCrossEntropy", { logits: x as tf.Tensor, targets });
    (save as tf.GradSaveFunc)([x as tf.Tensor, lse]);
    return {
      value: losses,
      gradFunc: (dy, saved) => [run<tf.Tensor2D>("KilnCrossEntropyGrad", { logits: saved[0]!, targets, lse: saved[1]!, dy: dy as tf.Tensor })],
    };
  });
  return loss(logits) as tf.Tensor1D;
}

/** Per-row nll and (softmax − onehot)·dy together, no autodiff: the fused head loss's cross-entropy (head-loss.ts). */
export function fusedCrossEntropyWithGradient(logits: tf.Tensor2D, targets: tf.Tensor1D, dy: tf.Tensor1D): [tf.Tensor1D, tf.Tensor2D] {
  const [losses, lse] = run<[tf.Tensor1D, tf.Tensor1D]>("KilnCrossEntropy", { logits, targets });
  const dLogits = run<tf.Tensor2D>("KilnCrossEntropyGrad", { logits, targets, lse, dy });
  lse.dispose();
  return [losses, dLogits];
}
