/**
 * Half-precision matrix products for mixed-precision training (`precision: f16`), on adapters with
 * WebGPU's shader-f16: c = op(a)·op(b) (+ bias), either operand transposed, f32 in and out.
 *
 * A workgroup of 16×16 threads owns a 64×64 block of c, each thread a 4×4 block. The operands
 * are staged through workgroup memory 16 steps of k at a time, rounded to f16 as they are
 * staged; each thread's products over those 16 steps are summed in f16 (vec4 multiply-adds,
 * the packed rate), and that partial sum is added into f32 accumulators. The error is that of
 * rounding the inputs to f16 (2⁻¹¹ relative) plus an f16 sum of 16 terms, against bf16
 * autocast's 2⁻⁸ rounding of its inputs with f32 sums.
 *
 * Overflow is reported, not clamped: a staged value beyond f16's range (65504), or a partial sum
 * that leaves it, makes the whole 64×64 block NaN. Gradients scaled by the dynamic loss scale
 * then fail the step's finiteness check (loss-scale.ts), the step is skipped and the scale halved.
 * Activations and weights stay f32 in memory: tfjs tensors are f32, so this halves the products'
 * arithmetic and workgroup traffic, not the memory the activations take.
 */
import * as tf from "@tensorflow/tfjs";
import { bindings, dispatch, outputTensor, paramsStruct, webGpuBackend, WORKGROUP_INDEX } from "./dispatch.js";
import { linearOf, productOf, registerProduct } from "./matmul.js";

const TILE = 64;
const STEP = 16;
/** The bits of an f32 quiet NaN. */
const QUIET_NAN_BITS = 0x7fc00000;
/** Largest finite f16. */
const F16_MAX = 65504;

/** Whether the device the webgpu backend runs on was given shader-f16 (backend.ts asks for it). */
export function halfPrecisionAvailable(): boolean {
  if (tf.getBackend() !== "webgpu") return false;
  const device = webGpuBackend().device as unknown as { features?: { has(name: string): boolean } };
  return device.features?.has("shader-f16") ?? false;
}

/**
 * The shader for one combination of transposes and bias. a is [M, K] ([K, M] transposed), b is
 * [K, N] ([N, K] transposed); the staging loops read along each operand's contiguous axis.
 */
function shader(transposeA: boolean, transposeB: boolean, bias: boolean): string {
  // Index of element (row m, step k) of a, and of (step k, column n) of b, in their buffers.
  const aAt = transposeA ? "k * M + m" : "m * K + k";
  const bAt = transposeB ? "n * K + k" : "k * N + n";
  // The staging slot each thread fills: 1024 values of each tile, 4 per thread; the fast index
  // follows the contiguous axis of the buffer.
  const aSlot = transposeA ? ["slot % 64u", "slot / 64u"] : ["slot / 16u", "slot % 16u"];
  const bSlot = transposeB ? ["slot / 16u", "slot % 16u"] : ["slot % 64u", "slot / 64u"];
  return `enable f16;
${paramsStruct([["M", "i32"], ["K", "i32"], ["N", "i32"], ["nan", "i32"]])}
${bindings(bias ? ["a", "b", "bias", "c"] : ["a", "b", "c"], ["c"])}
var<workgroup> tileA: array<f16, ${TILE * STEP}>;
var<workgroup> tileB: array<f16, ${TILE * STEP}>;
var<workgroup> overflow: atomic<u32>;

fn half(v: f32) -> f16 {
  if (!(abs(v) <= ${F16_MAX}.0)) { atomicStore(&overflow, 1u); return f16(0.0); }
  return f16(v);
}

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let M = u32(params.M);
  let K = u32(params.K);
  let N = u32(params.N);
  let blocksN = (N + ${TILE - 1}u) / ${TILE}u;
  let block = ${WORKGROUP_INDEX};
  let row0 = (block / blocksN) * ${TILE}u;
  let col0 = (block % blocksN) * ${TILE}u;
  // A grid folded past the device's per-dimension limit has spare workgroups (dispatch.ts).
  if (row0 >= M) { return; }
  if (li == 0u) { atomicStore(&overflow, 0u); }
  var acc = array<vec4<f32>, 4>(vec4<f32>(), vec4<f32>(), vec4<f32>(), vec4<f32>());
  for (var k0 = 0u; k0 < K; k0 += ${STEP}u) {
    workgroupBarrier();
    for (var j = 0u; j < 4u; j++) {
      let slot = li + 256u * j;
      let am = ${aSlot[0]};
      let ak = ${aSlot[1]};
      let m = row0 + am;
      var k = k0 + ak;
      var va = 0.0;
      if (m < M && k < K) { va = a[${aAt}]; }
      tileA[ak * 64u + am] = half(va);
      let bk = ${bSlot[1]};
      let bn = ${bSlot[0]};
      let n = col0 + bn;
      k = k0 + bk;
      var vb = 0.0;
      if (n < N && k < K) { vb = b[${bAt}]; }
      tileB[bk * 64u + bn] = half(vb);
    }
    workgroupBarrier();
    // Zeroed explicitly: lavapipe kept a loop-local var's value from the previous iteration.
    var part = array<vec4<f16>, 4>(vec4<f16>(), vec4<f16>(), vec4<f16>(), vec4<f16>());
    for (var s = 0u; s < ${STEP}u; s++) {
      let ar = s * 64u + lid.y * 4u;
      let bc = s * 64u + lid.x * 4u;
      let bv = vec4<f16>(tileB[bc], tileB[bc + 1u], tileB[bc + 2u], tileB[bc + 3u]);
      part[0] = fma(vec4<f16>(tileA[ar]), bv, part[0]);
      part[1] = fma(vec4<f16>(tileA[ar + 1u]), bv, part[1]);
      part[2] = fma(vec4<f16>(tileA[ar + 2u]), bv, part[2]);
      part[3] = fma(vec4<f16>(tileA[ar + 3u]), bv, part[3]);
    }
    for (var i = 0u; i < 4u; i++) {
      let p = vec4<f32>(part[i]);
      if (!all(abs(p) <= vec4<f32>(${F16_MAX}.0))) { atomicStore(&overflow, 1u); }
      acc[i] += p;
    }
  }
  workgroupBarrier();
  let failed = atomicLoad(&overflow) != 0u;
  for (var i = 0u; i < 4u; i++) {
    let m = row0 + lid.y * 4u + i;
    if (m >= M) { continue; }
    for (var j = 0u; j < 4u; j++) {
      let n = col0 + lid.x * 4u + j;
      if (n >= N) { continue; }
      var v = acc[i][j]${bias ? " + bias[n]" : ""};
      // A NaN from a uniform: WGSL refuses a NaN constant.
      if (failed) { v = bitcast<f32>(params.nan); }
      c[m * N + n] = v;
    }
  }
}`;
}

const KERNEL = "KilnMatMulF16";

/** Registers the product on the webgpu backend (once). */
export function registerHalfPrecisionKernels(): void {
  registerProduct(KERNEL, ({ a, b, bias, transposeA, transposeB, M, K, N }) => {
    const c = outputTensor([M, N]);
    dispatch({
      label: `matmul-f16${transposeA ? "-ta" : ""}${transposeB ? "-tb" : ""}${bias ? "-bias" : ""}`,
      code: shader(transposeA, transposeB, bias !== undefined),
      buffers: bias ? [a, b, bias, c] : [a, b, c],
      uniforms: [["i32", M], ["i32", K], ["i32", N], ["i32", QUIET_NAN_BITS]],
      workgroups: Math.ceil(M / TILE) * Math.ceil(N / TILE),
    });
    return c;
  });
}

/** op(a)·op(b) (+ bias) with f16 products, f32 in and out (see `linearF16` for the layer with its gradient). */
export const matMulF16 = productOf(KERNEL, "matMulF16");
/** x·w (+ b) for x [n, in], w [in, out]: all three products of the layer and its gradient in f16. */
export const linearF16 = linearOf(matMulF16);
