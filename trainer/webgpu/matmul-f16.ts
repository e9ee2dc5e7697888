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
import { bindings, checkDevice, dispatch, outputTensor, paramsStruct, subgroupInfo, webGpuBackend, WORKGROUP_INDEX } from "./dispatch.js";
import { kSlices, linearOf, operandFetch, productOf, registerProduct, splitBlock, sumSlices, type Product } from "./matmul.js";

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

/** One subgroup-matrix multiply the device offers: [M, K]·[K, N] in one subgroup. */
export interface MatrixShape { M: number; N: number; K: number }

interface DeviceInfo {
  features?: { has(name: string): boolean };
  limits: { maxComputeWorkgroupStorageSize: number };
}

/** Rows and columns of c a tensor-core workgroup owns; k staged per step; one subgroup's part. */
const TC_TILE = 128;
const TC_STEP = 32;
const TC_PART = 64;
/** Row strides of the staged tiles in workgroup memory, padded by 8 values against bank conflicts. */
export const A_STRIDE = TC_STEP + 8;
export const B_STRIDE = TC_TILE + 8;

/** Workgroup memory of the shader for a shape: both staged tiles in f16, four accumulators in f32, the overflow flag (16 bytes: Dawn rounds each variable up to 16). */
export function workgroupBytes(f: MatrixShape): number {
  return 2 * (TC_TILE * A_STRIDE + TC_STEP * B_STRIDE) + 4 * 4 * f.M * f.N + 16;
}

let useSubgroupMatrices = true;
/** Turns the subgroup-matrix product off (and on): the bench times the packed-f16 product against it. */
export function preferSubgroupMatrices(on: boolean): void {
  useSubgroupMatrices = on;
}

/**
 * The subgroup-matrix shapes the device offers for the f16 product (f16 operands, f32 sums), in
 * the driver's order of preference: none without subgroup matrices, and only shapes that tile a
 * subgroup's 64×64 part, on subgroups 32 wide (four subgroups make the 128-thread workgroup).
 */
export function offeredMatrixShapes(): MatrixShape[] {
  if (tf.getBackend() !== "webgpu") return [];
  const device = webGpuBackend().device as unknown as DeviceInfo;
  if (!device.features?.has("chromium-experimental-subgroup-matrix") || !device.features.has("shader-f16")) return [];
  const info = subgroupInfo.get(device);
  if (info?.minSize !== 32 || info.maxSize !== 32) return [];
  return info.matrixConfigs
    .filter((c) => c.componentType === "f16" && c.resultComponentType === "f32" && TC_PART % c.M === 0 && TC_PART % c.N === 0 && TC_STEP % c.K === 0 && workgroupBytes(c) <= device.limits.maxComputeWorkgroupStorageSize)
    .map(({ M, N, K }) => ({ M, N, K }));
}

/**
 * How the subgroup-matrix product reads its operands: "staged" rounds them to f16 into workgroup
 * memory as it goes; "direct" first copies each operand to f16 in memory (zero-padded to whole
 * blocks) and loads the subgroup matrices straight from there.
 */
export type MatrixRoute = "staged" | "direct";
const ROUTES: MatrixRoute[] = ["staged", "direct"];
/** A shape and a route: one way to run the product on subgroup matrices. */
export type MatrixChoice = MatrixShape & { route: MatrixRoute };

/** Per device: the shape and route that gave exact results in `checkSubgroupMatrices` (null when none did), and the line it returned. */
const checked = new WeakMap<object, { choice: MatrixChoice | null; line: string }>();
/** The shape and route `checkSubgroupMatrices` is trying, on its device. */
let trying: MatrixChoice | undefined;

/** The subgroup-matrix shape and route the f16 product runs on: offered by the device and checked on it. */
export function subgroupMatrixShape(): MatrixChoice | undefined {
  if (!useSubgroupMatrices || offeredMatrixShapes().length === 0) return undefined;
  return trying ?? checked.get(webGpuBackend().device)?.choice ?? undefined;
}

/**
 * The largest difference between a product's results and sums computed here, over every
 * transpose, a bias, and a k long enough to be split (1030), on small integers whose products and
 * sums f16 and f32 hold exactly: 0 for a correct f16 or f32 product.
 */
export async function exactProductError(product: Product): Promise<number> {
  const [M, K, N] = [130, 1030, 140];
  const value = (i: number, j: number, salt: number) => ((i * 7 + j * 3 + salt) % 5) - 2;
  const a = Float32Array.from({ length: M * K }, (_, x) => value(Math.floor(x / K), x % K, 1));
  const b = Float32Array.from({ length: K * N }, (_, x) => value(Math.floor(x / N), x % N, 2));
  const bias = Float32Array.from({ length: N }, (_, n) => n % 9);
  const expected = new Float32Array(M * N);
  for (let m = 0; m < M; m++) {
    for (let k = 0; k < K; k++) {
      const v = a[m * K + k]!;
      for (let n = 0; n < N; n++) expected[m * N + n]! += v * b[k * N + n]!;
    }
  }
  const at = tf.tensor2d(a, [M, K]);
  const bt = tf.tensor2d(b, [K, N]);
  const biasT = tf.tensor1d(bias);
  const cases = tf.tidy(() => [
    product(at, bt, false, false, biasT),
    product(at.transpose(), bt, true, false),
    product(at, bt.transpose(), false, true),
    product(at.transpose(), bt.transpose(), true, true),
  ]);
  const results = await Promise.all(cases.map((c) => c.data()));
  tf.dispose([at, bt, biasT, ...cases]);
  let worst = 0;
  results.forEach((r, i) => {
    for (let x = 0; x < r.length; x++) worst = Math.max(worst, Math.abs(r[x]! - expected[x]! - (i === 0 ? bias[x % N]! : 0)));
  });
  return worst;
}

/**
 * Runs the subgroup-matrix product once on the device before any training uses it
 * (`exactProductError`), for each shape the device offers and each route, in that order, until
 * one is exact. A device where none is keeps the packed-f16 product. Returns the line the log
 * prints ("" where subgroup matrices are not offered).
 */
export async function checkSubgroupMatrices(): Promise<string> {
  const shapes = offeredMatrixShapes();
  if (shapes.length === 0) return "";
  const device = webGpuBackend().device;
  const known = checked.get(device);
  if (known) return known.line;
  const name = (f: MatrixShape) => `${f.M}×${f.N}×${f.K}`;
  const failures: string[] = [];
  let choice: MatrixChoice | null = null;
  for (const shape of shapes) {
    for (const route of ROUTES) {
      trying = { ...shape, route };
      try {
        const worst = await exactProductError(matMulF16);
        // A shader the driver refused leaves garbage and a compile error: the error is this check's.
        await checkDevice();
        if (worst === 0) choice = trying;
        else failures.push(`${name(shape)} ${route}: wrong sums, off by up to ${worst}`);
      } catch (error) {
        failures.push(`${name(shape)} ${route}: ${(error instanceof Error ? error.message : String(error)).split("\n")[0]}`);
      } finally {
        trying = undefined;
      }
      if (choice) break;
    }
    if (choice) break;
  }
  const line = choice
    ? `f16 products on subgroup matrices ${name(choice)} (${[choice.route, ...failures].join("; ")})`
    : `f16 products packed (subgroup matrices failed on this GPU: ${failures.join("; ")})`;
  checked.set(device, { choice, line });
  return line;
}

/** The (64/M)×(64/N) fragments of a subgroup's 64×64 part, as (row, column) in fragments. */
function fragments(f: MatrixShape): [number, number][] {
  const parts: [number, number][] = [];
  for (let i = 0; i < TC_PART / f.M; i++) for (let j = 0; j < TC_PART / f.N; j++) parts.push([i, j]);
  return parts;
}

/** A shape's WGSL matrix types, its fragments per subgroup part, and the accumulators' declarations. */
function matrixTypes(f: MatrixShape) {
  const parts = fragments(f);
  return {
    rows: TC_PART / f.M,
    cols: TC_PART / f.N,
    left: `subgroup_matrix_left<f16, ${f.K}, ${f.M}>`,
    right: `subgroup_matrix_right<f16, ${f.N}, ${f.K}>`,
    parts,
    declare: parts.map(([i, j]) => `  var acc${i}_${j} = subgroup_matrix_result<f32, ${f.N}, ${f.M}>();`).join("\n"),
  };
}

/**
 * The write-out both subgroup-matrix shaders share: each accumulator goes through workgroup
 * memory (`staged`, one M×N slot per subgroup), from where the whole workgroup writes the four
 * subgroups' parts to c with the edges, the bias and the overflow NaN. Returns [put, store]: the
 * WGSL function and the statements that end main (they read base, failed, li and sg).
 */
function writeOut(bias: boolean, f: MatrixShape): [string, string] {
  const size = f.M * f.N;
  const put = `var<workgroup> staged: array<f32, ${4 * size}>;

/** Writes the staged parts at (pr0, pc0) of each subgroup's 64×64 part to c. */
fn put(pr0: u32, pc0: u32, base: u32, failed: bool, li: u32) {
  let M = u32(params.M);
  let N = u32(params.N);
  for (var e = li; e < ${4 * size}u; e += 128u) {
    let s = e / ${size}u;
    let m = blockRow + (s / 2u) * ${TC_PART}u + pr0 + (e % ${size}u) / ${f.N}u;
    let n = blockCol + (s % 2u) * ${TC_PART}u + pc0 + e % ${f.N}u;
    if (m < M && n < N) {
      var v = staged[e]${bias ? " + bias[n]" : ""};
      // A NaN from a uniform: WGSL refuses a NaN constant.
      if (failed) { v = bitcast<f32>(params.nan); }
      c[base + m * N + n] = v;
    }
  }
}`;
  const store = fragments(f).map(([i, j]) => `  workgroupBarrier();
  subgroupMatrixStore<row_major>(&staged, sg * ${size}u, acc${i}_${j}, ${f.N}u);
  workgroupBarrier();
  put(${i * f.M}u, ${j * f.N}u, base, failed, li);`).join("\n");
  return [put, store];
}

/** The entry point of both subgroup-matrix shaders: 128 threads, four 32-wide subgroups. */
const SUBGROUP_MAIN = "@compute @workgroup_size(128)\nfn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32, @builtin(subgroup_id) sg: u32) {";

/** Places the workgroup (splitBlock) and this subgroup's 64×64 part of its block, from row pr and column pc of it. */
function subgroupBlock(): string {
  return `${splitBlock(TC_TILE, TC_STEP)}
  blockRow = row0;
  blockCol = col0;
  let pr = (sg / 2u) * ${TC_PART}u;
  let pc = (sg % 2u) * ${TC_PART}u;`;
}

/**
 * The product on subgroup matrices (tensor cores): a workgroup of four 32-wide subgroups owns a
 * 128×128 block of c, each subgroup a 64×64 part as (64/M)×(64/N) accumulators of f32. Operands
 * are staged 32 steps of k at a time, rounded to f16 as they are staged (the next step's values
 * are read from memory while this step multiplies); the sums are f32 throughout, so the error is
 * that of rounding the inputs to f16. k is split as the f32 product splits it (matmul.ts). The
 * accumulators leave through workgroup memory, so edges, bias and the overflow NaN are handled
 * as in the packed shader.
 */
export function subgroupMatrixShader(transposeA: boolean, transposeB: boolean, bias: boolean, f: MatrixShape): string {
  const aAt = transposeA ? "k * M + m" : "m * K + k";
  const bAt = transposeB ? "n * K + k" : "k * N + n";
  // Each thread stages 32 values of each operand; the fast index follows the buffer's contiguous axis.
  const aSlot = transposeA ? ["slot % 128u", "slot / 128u"] : ["slot / 32u", "slot % 32u"];
  const bSlot = transposeB ? ["slot / 32u", "slot % 32u"] : ["slot % 128u", "slot / 128u"];
  const { rows, cols, left, right, parts, declare } = matrixTypes(f);
  const multiply: string[] = [];
  for (let s = 0; s < TC_STEP / f.K; s++) {
    for (let i = 0; i < rows; i++) multiply.push(`    let l${s}_${i} = subgroupMatrixLoad<${left}, row_major>(&tileA, (pr + ${i * f.M}u) * ${A_STRIDE}u + ${s * f.K}u, ${A_STRIDE}u);`);
    for (let j = 0; j < cols; j++) multiply.push(`    let r${s}_${j} = subgroupMatrixLoad<${right}, row_major>(&tileB, ${s * f.K * B_STRIDE}u + pc + ${j * f.N}u, ${B_STRIDE}u);`);
    for (const [i, j] of parts) multiply.push(`    acc${i}_${j} = subgroupMatrixMultiplyAccumulate(l${s}_${i}, r${s}_${j}, acc${i}_${j});`);
  }
  const [put, store] = writeOut(bias, f);
  return `enable f16;
enable chromium_experimental_subgroup_matrix;
diagnostic(off, chromium_experimental.subgroup_matrix_uniformity);
${paramsStruct([["M", "i32"], ["K", "i32"], ["N", "i32"], ["slices", "i32"], ["nan", "i32"]])}
${bindings(bias ? ["a", "b", "bias", "c"] : ["a", "b", "c"], ["c"])}
var<workgroup> tileA: array<f16, ${TC_TILE * A_STRIDE}>;
var<workgroup> tileB: array<f16, ${TC_STEP * B_STRIDE}>;
var<workgroup> overflow: atomic<u32>;
/** This workgroup's block, for put (the subgroup-matrix loads take the uniform lets). */
var<private> blockRow: u32;
var<private> blockCol: u32;

fn half(v: f32) -> f16 {
  if (!(abs(v) <= ${F16_MAX}.0)) { atomicStore(&overflow, 1u); return f16(0.0); }
  return f16(v);
}

${operandFetch(32, 128, aSlot, bSlot, aAt, bAt)}

${put}

${SUBGROUP_MAIN}
  let M = u32(params.M);
  let K = u32(params.K);
  let N = u32(params.N);
${subgroupBlock()}
  if (li == 0u) { atomicStore(&overflow, 0u); }
${declare}
  fetch(kBegin, kEnd, li, row0, col0);
  for (var k0 = kBegin; k0 < kEnd; k0 += ${TC_STEP}u) {
    workgroupBarrier();
    for (var j = 0u; j < 32u; j++) {
      let slot = li + 128u * j;
      tileA[(${aSlot[0]}) * ${A_STRIDE}u + ${aSlot[1]}] = half(nextA[j]);
      tileB[(${bSlot[1]}) * ${B_STRIDE}u + ${bSlot[0]}] = half(nextB[j]);
    }
    workgroupBarrier();
    if (k0 + ${TC_STEP}u < kEnd) { fetch(k0 + ${TC_STEP}u, kEnd, li, row0, col0); }
${multiply.join("\n")}
  }
  workgroupBarrier();
  let failed = atomicLoad(&overflow) != 0u;
  let base = z * M * N;
${store}
}`;
}

/** Rows and columns of an operand's f16 copy: each rounded up to whole 128-blocks, so that no subgroup matrix reads past it. */
const padded = (n: number) => Math.ceil(n / TC_TILE) * TC_TILE;

/**
 * Copies an f32 [rows, cols] operand to f16 at [padded(rows), padded(cols)], zero-filled past its
 * edges, two values to a u32; a value beyond f16's range sets flag[0] (the product then writes NaN).
 */
export function halfCopyShader(): string {
  return `${paramsStruct([["rows", "i32"], ["cols", "i32"], ["paddedCols", "i32"], ["pairs", "i32"]])}
${bindings(["src", "dst", "flag"], ["dst", "flag"], { dst: "u32", flag: "u32" })}
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = ${WORKGROUP_INDEX} * 256u + li;
  if (i >= u32(params.pairs)) { return; }
  let rows = u32(params.rows);
  let cols = u32(params.cols);
  let r = (2u * i) / u32(params.paddedCols);
  let c = (2u * i) % u32(params.paddedCols);
  var v = vec2<f32>(0.0, 0.0);
  if (r < rows && c < cols) { v.x = src[r * cols + c]; }
  if (r < rows && c + 1u < cols) { v.y = src[r * cols + c + 1u]; }
  if (!all(abs(v) <= vec2<f32>(${F16_MAX}.0))) { flag[0] = 1u; }
  dst[i] = pack2x16float(v);
}`;
}

/**
 * The "direct" route: the operands' f16 copies are read by the subgroup-matrix loads themselves,
 * row- or column-major as the operand lies (a transposed operand needs no other pass). Same blocks,
 * parts, k split and write-out as the staged shader.
 */
export function directMatrixShader(transposeA: boolean, transposeB: boolean, bias: boolean, f: MatrixShape): string {
  const { rows, cols, left, right, parts, declare } = matrixTypes(f);
  const multiply: string[] = [];
  for (let s = 0; s < TC_STEP / f.K; s++) {
    const k = `k0 + ${s * f.K}u`;
    for (let i = 0; i < rows; i++) {
      const m = `row0 + pr + ${i * f.M}u`;
      multiply.push(transposeA
        ? `    let l${s}_${i} = subgroupMatrixLoad<${left}, col_major>(&a, (${k}) * sa + ${m}, sa);`
        : `    let l${s}_${i} = subgroupMatrixLoad<${left}, row_major>(&a, (${m}) * sa + ${k}, sa);`);
    }
    for (let j = 0; j < cols; j++) {
      const n = `col0 + pc + ${j * f.N}u`;
      multiply.push(transposeB
        ? `    let r${s}_${j} = subgroupMatrixLoad<${right}, col_major>(&b, (${n}) * sb + ${k}, sb);`
        : `    let r${s}_${j} = subgroupMatrixLoad<${right}, row_major>(&b, (${k}) * sb + ${n}, sb);`);
    }
    for (const [i, j] of parts) multiply.push(`    acc${i}_${j} = subgroupMatrixMultiplyAccumulate(l${s}_${i}, r${s}_${j}, acc${i}_${j});`);
  }
  const [put, store] = writeOut(bias, f);
  return `enable f16;
enable chromium_experimental_subgroup_matrix;
diagnostic(off, chromium_experimental.subgroup_matrix_uniformity);
${paramsStruct([["M", "i32"], ["K", "i32"], ["N", "i32"], ["slices", "i32"], ["nan", "i32"], ["sa", "i32"], ["sb", "i32"], ["paddedK", "i32"]])}
${bindings(bias ? ["a", "b", "flag", "bias", "c"] : ["a", "b", "flag", "c"], ["c"], { a: "f16", b: "f16", flag: "u32" })}
/** This workgroup's block, for put (the subgroup-matrix loads take the uniform lets). */
var<private> blockRow: u32;
var<private> blockCol: u32;

${put}

${SUBGROUP_MAIN}
  let M = u32(params.M);
  let N = u32(params.N);
  let K = u32(params.paddedK);
  let sa = u32(params.sa);
  let sb = u32(params.sb);
${subgroupBlock()}
${declare}
  for (var k0 = kBegin; k0 < kEnd; k0 += ${TC_STEP}u) {
${multiply.join("\n")}
  }
  let failed = flag[0] != 0u;
  let base = z * M * N;
${store}
}`;
}

/** An f16 copy of an operand laid out [rows, cols] (see halfCopyShader), with the overflow flag it sets. */
export function halfCopy(x: tf.TensorInfo, rows: number, cols: number, flag: tf.TensorInfo): tf.TensorInfo {
  const pairs = (padded(rows) * padded(cols)) / 2;
  const copy = outputTensor([pairs]);
  dispatch({ label: "matmul-f16-copy", code: halfCopyShader(), buffers: [x, copy, flag], uniforms: [["i32", rows], ["i32", cols], ["i32", padded(cols)], ["i32", pairs]], workgroups: Math.ceil(pairs / 256) });
  return copy;
}

const KERNEL = "KilnMatMulF16";

/** Registers the product on the webgpu backend (once): on subgroup matrices where the device has them, else packed f16. */
export function registerHalfPrecisionKernels(): void {
  registerProduct(KERNEL, ({ a, b, bias, transposeA, transposeB, M, K, N, backend }) => {
    const variant = `${transposeA ? "-ta" : ""}${transposeB ? "-tb" : ""}`;
    const matrix = subgroupMatrixShape();
    if (matrix?.route === "direct") {
      const slices = kSlices(M, K, N);
      const flag = webGpuBackend().makeTensorInfo([1], "float32", new Float32Array(1));
      const [aRows, aCols] = transposeA ? [K, M] : [M, K];
      const [bRows, bCols] = transposeB ? [N, K] : [K, N];
      const a16 = halfCopy(a, aRows, aCols, flag);
      const b16 = halfCopy(b, bRows, bCols, flag);
      const product = outputTensor(slices === 1 ? [M, N] : [slices, M, N]);
      const withBias = bias !== undefined && slices === 1;
      dispatch({
        label: `matmul-f16-sgm-direct${variant}${withBias ? "-bias" : ""}`,
        code: directMatrixShader(transposeA, transposeB, withBias, matrix),
        buffers: withBias ? [a16, b16, flag, bias, product] : [a16, b16, flag, product],
        uniforms: [["i32", M], ["i32", K], ["i32", N], ["i32", slices], ["i32", QUIET_NAN_BITS], ["i32", padded(aCols)], ["i32", padded(bCols)], ["i32", padded(K)]],
        workgroups: Math.ceil(M / TC_TILE) * Math.ceil(N / TC_TILE) * slices,
      });
      backend.disposeData(a16.dataId);
      backend.disposeData(b16.dataId);
      backend.disposeData(flag.dataId);
      return slices === 1 ? product : sumSlices(product, bias, M, N, slices, backend);
    }
    if (matrix) {
      const slices = kSlices(M, K, N);
      const product = outputTensor(slices === 1 ? [M, N] : [slices, M, N]);
      dispatch({
        label: `matmul-f16-sgm${variant}${bias && slices === 1 ? "-bias" : ""}`,
        code: subgroupMatrixShader(transposeA, transposeB, bias !== undefined && slices === 1, matrix),
        buffers: bias && slices === 1 ? [a, b, bias, product] : [a, b, product],
        uniforms: [["i32", M], ["i32", K], ["i32", N], ["i32", slices], ["i32", QUIET_NAN_BITS]],
        workgroups: Math.ceil(M / TC_TILE) * Math.ceil(N / TC_TILE) * slices,
      });
      return slices === 1 ? product : sumSlices(product, bias, M, N, slices, backend);
    }
    const c = outputTensor([M, N]);
    dispatch({
      label: `matmul-f16${variant}${bias ? "-bias" : ""}`,
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
