/**
 * Causal attention without a T×T matrix (Dao et al. 2022, "FlashAttention"): softmax(q·kᵀ·s)·v
 * computed a tile of keys at a time with a running maximum and sum (online softmax), so memory
 * is O(T·d) per head. The forward pass also writes each query's log-sum-exp; the backward pass
 * recomputes the probabilities from it instead of storing them:
 *
 *   p_ij = exp(s·q_i·k_j − lse_i)      D_i = Σ_d dO_i·O_i
 *   dV_j = Σ_i p_ij·dO_i               dS_ij = p_ij·(dO_i·v_j − D_i)
 *   dQ_i = s·Σ_j dS_ij·k_j             dK_j = s·Σ_i dS_ij·q_i
 *
 * One invocation owns one query row (forward, dQ) or one key row (dK, dV); a workgroup of ROWS
 * rows walks the other side in tiles held in workgroup memory. Rows are read as vec4s, so each
 * workgroup-memory load feeds four multiply-adds (head sizes that are multiples of 4; others use
 * the plain kernels).
 */
import * as tf from "@tensorflow/tfjs";
import { bindings, dispatch, outputTensor, paramsStruct, WORKGROUP_INDEX, type Uniform } from "./dispatch.js";

const ROWS = 64;
const PARAMS = paramsStruct([["heads", "i32"], ["T", "i32"], ["scale", "f32"]]);
const BUILTINS = "@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32";

/** Keys (or queries) per tile: two tiles of TILE×hd floats must fit in 16 KiB of workgroup memory. */
function tileFor(hd: number): number | undefined {
  if (hd <= 64) return 32;
  if (hd <= 128) return 16;
  return undefined;
}

/** Whether the fused kernels take this head size (others use the plain kernels). */
export const fusedAttentionFits = (hd: number) => hd % 4 === 0 && tileFor(hd) !== undefined;

const header = (hd: number, tile: number) => `
${PARAMS}
const V4: u32 = ${hd / 4}u;
const ROWS: u32 = ${ROWS}u;
const TILE: u32 = ${tile}u;`;

/** Workgroup w → (sequence·head, first row); returns early past the last tile (uniformly). */
const locate = `
  let T = u32(params.T);
  let tiles = (T + ROWS - 1u) / ROWS;
  let w = ${WORKGROUP_INDEX};
  if (w >= u32(params.heads) * tiles) { return; }
  let bh = w / tiles;
  let first = (w % tiles) * ROWS;
  let row = first + lid;
  let valid = row < T;
  let base = bh * T * V4;`;

/** Copies rows [start, start+TILE) of `src` (zero past T) into a workgroup tile. */
const loadTile = (tile: string, src: string) => `
    for (var e = lid; e < TILE * V4; e += ROWS) {
      let r = start + e / V4;
      var value = vec4<f32>();
      if (r < T) { value = ${src}[base + r * V4 + e % V4]; }
      ${tile}[e] = value;
    }`;

/**
 * The walk of a query-row kernel over the key tiles its rows can see: keys and values of each
 * tile loaded into workgroup memory, then, for a row that sees any key of the tile, the first
 * `n` keys of it (the causal mask). The body goes between BEGIN and END.
 */
const keyTileMemory = (hd: number, tile: number) => `var<workgroup> kTile: array<vec4<f32>, ${(tile * hd) / 4}>;
var<workgroup> vTile: array<vec4<f32>, ${(tile * hd) / 4}>;`;
/** Rows of q, k, v and their gradients are read and written as vec4s. */
const VEC = { q: "vec4<f32>", k: "vec4<f32>", v: "vec4<f32>", o: "vec4<f32>", dO: "vec4<f32>", dQ: "vec4<f32>", dK: "vec4<f32>", dV: "vec4<f32>" };
const KEY_TILES_BEGIN = `let keyEnd = min(first + ROWS, T);
  for (var start = 0u; start < keyEnd; start += TILE) {
    workgroupBarrier();
    ${loadTile("kTile", "k")}
    ${loadTile("vTile", "v")}
    workgroupBarrier();
    if (valid && start <= row) {
      let n = min(TILE, row + 1u - start);`;
const KEY_TILES_END = `  }
  }`;

function forwardCode(hd: number, tile: number): string {
  return `${header(hd, tile)}
${bindings(["q", "k", "v", "o", "lse"], ["o", "lse"], VEC)}
${keyTileMemory(hd, tile)}

@compute @workgroup_size(${ROWS})
fn main(${BUILTINS}) {
  ${locate}
  var qRow: array<vec4<f32>, V4>;
  var acc: array<vec4<f32>, V4>;
  if (valid) { for (var d = 0u; d < V4; d++) { qRow[d] = q[base + row * V4 + d] * params.scale; } }
  var runningMax = -3.0e38;
  var runningSum = 0.0;
  ${KEY_TILES_BEGIN}
      var scores: array<f32, TILE>;
      var tileMax = -3.0e38;
      for (var j = 0u; j < n; j++) {
        var s = 0.0;
        for (var d = 0u; d < V4; d++) { s += dot(qRow[d], kTile[j * V4 + d]); }
        scores[j] = s;
        tileMax = max(tileMax, s);
      }
      let newMax = max(runningMax, tileMax);
      let correction = exp(runningMax - newMax);
      runningSum *= correction;
      for (var d = 0u; d < V4; d++) { acc[d] *= correction; }
      for (var j = 0u; j < n; j++) {
        let p = exp(scores[j] - newMax);
        runningSum += p;
        for (var d = 0u; d < V4; d++) { acc[d] += p * vTile[j * V4 + d]; }
      }
      runningMax = newMax;
  ${KEY_TILES_END}
  if (valid) {
    for (var d = 0u; d < V4; d++) { o[base + row * V4 + d] = acc[d] / runningSum; }
    lse[bh * T + row] = runningMax + log(runningSum);
  }
}`;
}

/** dQ: each invocation owns a query row and walks the keys up to it. */
function backwardQueryCode(hd: number, tile: number): string {
  return `${header(hd, tile)}
${bindings(["q", "k", "v", "dO", "lse", "D", "dQ"], ["dQ"], VEC)}
${keyTileMemory(hd, tile)}

@compute @workgroup_size(${ROWS})
fn main(${BUILTINS}) {
  ${locate}
  var qRow: array<vec4<f32>, V4>;
  var dORow: array<vec4<f32>, V4>;
  var acc: array<vec4<f32>, V4>;
  var rowLse = 0.0;
  var rowD = 0.0;
  if (valid) {
    for (var d = 0u; d < V4; d++) { qRow[d] = q[base + row * V4 + d]; dORow[d] = dO[base + row * V4 + d]; }
    rowLse = lse[bh * T + row];
    rowD = D[bh * T + row];
  }
  ${KEY_TILES_BEGIN}
      for (var j = 0u; j < n; j++) {
        var s = 0.0;
        var dp = 0.0;
        for (var d = 0u; d < V4; d++) { s += dot(qRow[d], kTile[j * V4 + d]); dp += dot(dORow[d], vTile[j * V4 + d]); }
        let ds = exp(s * params.scale - rowLse) * (dp - rowD);
        for (var d = 0u; d < V4; d++) { acc[d] += ds * kTile[j * V4 + d]; }
      }
  ${KEY_TILES_END}
  if (valid) { for (var d = 0u; d < V4; d++) { dQ[base + row * V4 + d] = acc[d] * params.scale; } }
}`;
}

/** dK and dV: each invocation owns a key row and walks the queries from it to the end. */
function backwardKeyValueCode(hd: number, tile: number): string {
  return `${header(hd, tile)}
${bindings(["q", "k", "v", "dO", "lse", "D", "dK", "dV"], ["dK", "dV"], VEC)}
var<workgroup> qTile: array<vec4<f32>, ${(tile * hd) / 4}>;
var<workgroup> dOTile: array<vec4<f32>, ${(tile * hd) / 4}>;
var<workgroup> lseTile: array<f32, ${tile}>;
var<workgroup> dTile: array<f32, ${tile}>;

@compute @workgroup_size(${ROWS})
fn main(${BUILTINS}) {
  ${locate}
  var kRow: array<vec4<f32>, V4>;
  var vRow: array<vec4<f32>, V4>;
  var dKAcc: array<vec4<f32>, V4>;
  var dVAcc: array<vec4<f32>, V4>;
  if (valid) { for (var d = 0u; d < V4; d++) { kRow[d] = k[base + row * V4 + d]; vRow[d] = v[base + row * V4 + d]; } }
  // Queries before the workgroup's first key see none of its keys (ROWS is a multiple of TILE).
  for (var start = first; start < T; start += TILE) {
    workgroupBarrier();
    ${loadTile("qTile", "q")}
    ${loadTile("dOTile", "dO")}
    for (var e = lid; e < TILE; e += ROWS) {
      let r = start + e;
      var l = 0.0;
      var dd = 0.0;
      if (r < T) { l = lse[bh * T + r]; dd = D[bh * T + r]; }
      lseTile[e] = l;
      dTile[e] = dd;
    }
    workgroupBarrier();
    if (valid) {
      let n = min(TILE, T - start);
      for (var i = 0u; i < n; i++) {
        if (start + i < row) { continue; }
        var s = 0.0;
        var dp = 0.0;
        for (var d = 0u; d < V4; d++) { s += dot(qTile[i * V4 + d], kRow[d]); dp += dot(dOTile[i * V4 + d], vRow[d]); }
        let p = exp(s * params.scale - lseTile[i]);
        let ds = p * (dp - dTile[i]);
        for (var d = 0u; d < V4; d++) {
          dVAcc[d] += p * dOTile[i * V4 + d];
          dKAcc[d] += ds * qTile[i * V4 + d];
        }
      }
    }
  }
  if (valid) {
    for (var d = 0u; d < V4; d++) {
      dK[base + row * V4 + d] = dKAcc[d] * params.scale;
      dV[base + row * V4 + d] = dVAcc[d];
    }
  }
}`;
}

const FORWARD = "KilnFlashAttention";
const BACKWARD = "KilnFlashAttentionGrad";

const geometry = (q: tf.TensorInfo) => {
  const [B, H, T, hd] = q.shape as [number, number, number, number];
  const tile = tileFor(hd);
  if (tile === undefined || !fusedAttentionFits(hd)) throw new Error(`fused attention: head size ${hd} is over 128 or not a multiple of 4`);
  return { heads: B * H, T, hd, tile, workgroups: B * H * Math.ceil(T / ROWS), uniforms: [["i32", B * H], ["i32", T], ["f32", 1 / Math.sqrt(hd)]] as Uniform[] };
};

/** Registers the forward and backward kernels on the webgpu backend (once). */
export function registerAttentionKernels(): void {
  if (tf.getKernel(FORWARD, "webgpu")) return;
  tf.registerKernel({
    kernelName: FORWARD,
    backendName: "webgpu",
    kernelFunc: ({ inputs }) => {
      const { q, k, v } = inputs as Record<string, tf.TensorInfo>;
      const g = geometry(q!);
      const o = outputTensor(q!.shape);
      const lse = outputTensor(q!.shape.slice(0, 3));
      dispatch({ label: "flash-attention-forward", code: forwardCode(g.hd, g.tile), buffers: [q!, k!, v!, o, lse], uniforms: [...g.uniforms], workgroups: g.workgroups });
      return [o, lse];
    },
  });
  tf.registerKernel({
    kernelName: BACKWARD,
    backendName: "webgpu",
    kernelFunc: ({ inputs }) => {
      const { q, k, v, dO, lse, D } = inputs as Record<string, tf.TensorInfo>;
      const g = geometry(q!);
      const dQ = outputTensor(q!.shape);
      const dK = outputTensor(q!.shape);
      const dV = outputTensor(q!.shape);
      const common = [q!, k!, v!, dO!, lse!, D!];
      dispatch({ label: "flash-attention-dq", code: backwardQueryCode(g.hd, g.tile), buffers: [...common, dQ], uniforms: [...g.uniforms], workgroups: g.workgroups });
      dispatch({ label: "flash-attention-dkv", code: backwardKeyValueCode(g.hd, g.tile), buffers: [...common, dK, dV], uniforms: [...g.uniforms], workgroups: g.workgroups });
      return [dQ, dK, dV];
    },
  });
}

/** softmax(q·kᵀ/√d + causal mask)·v for q, k, v [B, H, T, hd], with its gradient. */
export const flashAttention = tf.customGrad((q, k, v, save) => {
  const [o, lse] = tf.engine().runKernel(FORWARD, { q: q as tf.Tensor, k: k as tf.Tensor, v: v as tf.Tensor }) as [tf.Tensor4D, tf.Tensor3D];
  (save as tf.GradSaveFunc)([q as tf.Tensor, k as tf.Tensor, v as tf.Tensor, o, lse]);
  return {
    value: o,
    gradFunc: (dy, saved) => {
      const [qs, ks, vs, os, lses] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.Tensor3D];
      const dO = dy as tf.Tensor4D;
      const D = tf.sum(tf.mul(dO, os), -1);
      return tf.engine().runKernel(BACKWARD, { q: qs, k: ks, v: vs, dO, lse: lses, D }) as tf.Tensor4D[];
    },
  };
}) as (q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D) => tf.Tensor4D;
