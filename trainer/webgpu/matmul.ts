/**
 * The f32 matrix product of the webgpu kernels: c = op(a)·op(b) (+ bias), either operand
 * transposed, read in place (no transpose pass).
 *
 * A workgroup of 16×16 threads owns a 128×128 block of c and each thread an 8×8 block of it, as
 * two 4×4 quarters 64 rows and 64 columns apart, so that the workgroup-memory reads of a step
 * are whole vec4s with neighbouring threads on neighbouring addresses. The operands are staged
 * 16 steps of k at a time, each load following its buffer's contiguous axis. tfjs-webgpu's own
 * tiled product gives each workgroup a 32×32 block: four times the staging traffic per
 * multiply-add, and slower still with a transposed operand (the weight gradient xᵀ·dy and the
 * output head's products).
 *
 * Products with few blocks and a long k (the weight gradients: 768×768 blocks over every token of
 * the batch) split k into slices, each slice's partial product written apart and summed by a
 * second pass, so that the GPU has work for all its cores. The order of the sums depends only on
 * the shapes, so results are the same on every run.
 */
import * as tf from "@tensorflow/tfjs";
import { bindings, dispatch, outputTensor, paramsStruct, WORKGROUP_INDEX } from "./dispatch.js";
import { columnSum } from "./fused.js";

const TILE = 128;
const STEP = 16;
/** Workgroups a product should have before k is split: enough to fill a large GPU twice over. */
const TARGET_WORKGROUPS = 256;
/** The least k a slice of a split product takes. */
const MIN_SLICE = 512;

/** How many slices of k a product of this shape runs as (1: not split). */
export function kSlices(M: number, K: number, N: number): number {
  const blocks = Math.ceil(M / TILE) * Math.ceil(N / TILE);
  if (blocks >= TARGET_WORKGROUPS) return 1;
  return Math.max(1, Math.min(Math.ceil(TARGET_WORKGROUPS / blocks), Math.floor(K / MIN_SLICE)));
}

/** The 8×8 block of one thread: acc{r}{h}, row r (0–3 first quarter, 4–7 second), column quarter h. */
const ROWS = [0, 1, 2, 3, 4, 5, 6, 7];
const COMPONENTS = ["x", "y", "z", "w"];

/**
 * WGSL statements placing a workgroup of a product split over k (lets M, K and N in scope): its
 * block of c, from row `row0` and column `col0` (lets), and its slice z's k range [kBegin, kEnd)
 * in whole steps; spare workgroups of a folded grid return.
 */
export function splitBlock(tile: number, step: number): string {
  return `  let slices = u32(params.slices);
  let blocksN = (N + ${tile - 1}u) / ${tile}u;
  let blocks = ((M + ${tile - 1}u) / ${tile}u) * blocksN;
  let index = ${WORKGROUP_INDEX};
  // A grid folded past the device's per-dimension limit has spare workgroups (dispatch.ts).
  if (index >= blocks * slices) { return; }
  let z = index / blocks;
  let block = index % blocks;
  let row0 = (block / blocksN) * ${tile}u;
  let col0 = (block % blocksN) * ${tile}u;
  // Slice z covers [kBegin, kEnd), whole steps of ${step}.
  let stepsPerSlice = ((K + ${step - 1}u) / ${step}u + slices - 1u) / slices;
  let kBegin = z * stepsPerSlice * ${step}u;
  let kEnd = min(K, kBegin + stepsPerSlice * ${step}u);`;
}

/**
 * WGSL of this thread's staging registers (nextA, nextB: `values` of each operand) and of
 * `fetch(k0, kEnd, li, row0, col0)`, which reads step k0's values of its staging slots into them
 * (zero past the edges) for the block at (row0, col0); a workgroup of `threads` invocations.
 * `aSlot`, `bSlot` place slot `slot` at (row, k) of a and (column, k) of b; `aAt`, `bAt` index
 * element (m, k) of a and (k, n) of b in their buffers. The f32 product's and the f16
 * subgroup-matrix product's shared staging.
 */
export function operandFetch(values: number, threads: number, aSlot: string[], bSlot: string[], aAt: string, bAt: string): string {
  return `var<private> nextA: array<f32, ${values}>;
var<private> nextB: array<f32, ${values}>;

fn fetch(k0: u32, kEnd: u32, li: u32, row0: u32, col0: u32) {
  let M = u32(params.M);
  let K = u32(params.K);
  let N = u32(params.N);
  for (var j = 0u; j < ${values}u; j++) {
    let slot = li + ${threads}u * j;
    let m = row0 + ${aSlot[0]};
    var k = k0 + ${aSlot[1]};
    nextA[j] = 0.0;
    if (m < M && k < kEnd) { nextA[j] = a[${aAt}]; }
    let n = col0 + ${bSlot[0]};
    k = k0 + ${bSlot[1]};
    nextB[j] = 0.0;
    if (n < N && k < kEnd) { nextB[j] = b[${bAt}]; }
  }
}`;
}

/**
 * How the f32 product stages its operands, one step of k at a time:
 * - "plain": between the step's two barriers, each thread reads its 8 values of each operand
 *   from memory into workgroup memory;
 * - "prefetch": the next step's values are read into registers while this step multiplies, and
 *   written to workgroup memory between the barriers;
 * - "double": as "prefetch", into the other of two workgroup buffers, so a step needs one
 *   barrier instead of two.
 * All three add the same products in the same order: the same bits. Which is fastest depends on
 * the GPU; `npm run bench -- gpu` measures each.
 */
export type ProductStaging = "plain" | "prefetch" | "double";
export const PRODUCT_STAGINGS: ProductStaging[] = ["plain", "prefetch", "double"];

/**
 * The shader for one combination of transposes and bias. a is [M, K] ([K, M] transposed), b is
 * [K, N] ([N, K] transposed). A split product (slices > 1) writes slice z's partial block at
 * c[z·M·N + …] and leaves the bias to the summing pass.
 */
function shader(transposeA: boolean, transposeB: boolean, bias: boolean, staging: ProductStaging): string {
  const aAt = transposeA ? "k * M + m" : "m * K + k";
  const bAt = transposeB ? "n * K + k" : "k * N + n";
  // Each thread stages 8 values of each operand; the fast index follows the buffer's contiguous axis.
  const aSlot = transposeA ? ["slot % 128u", "slot / 128u"] : ["slot / 16u", "slot % 16u"];
  const bSlot = transposeB ? ["slot / 16u", "slot % 16u"] : ["slot % 128u", "slot / 128u"];
  const declare = ROWS.map((r) => `  var acc${r}0 = vec4<f32>();\n  var acc${r}1 = vec4<f32>();`).join("\n");
  const step = ROWS.map((r) => {
    const a = `vec4<f32>(a${r < 4 ? 0 : 1}.${COMPONENTS[r % 4]})`;
    return `      acc${r}0 = fma(${a}, b0, acc${r}0);\n      acc${r}1 = fma(${a}, b1, acc${r}1);`;
  }).join("\n");
  const store = ROWS.map((r) => {
    const m = `row0 + ${r < 4 ? "" : "64u + "}lid.y * 4u + ${r % 4}u`;
    return `  store(${m}, col0 + lid.x * 4u, acc${r}0, base);\n  store(${m}, col0 + 64u + lid.x * 4u, acc${r}1, base);`;
  }).join("\n");
  // One step's tile of an operand, in vec4s; "double" has two of each, `buf` vec4s apart.
  const tile = (TILE / 4) * STEP;
  const multiply = (buf: string) => `    for (var s = 0u; s < ${STEP}u; s++) {
      let a0 = tileA[${buf}s * 32u + lid.y];
      let a1 = tileA[${buf}s * 32u + 16u + lid.y];
      let b0 = tileB[${buf}s * 32u + lid.x];
      let b1 = tileB[${buf}s * 32u + 16u + lid.x];
${step}
    }`;
  const plainLoop = `  for (var k0 = kBegin; k0 < kEnd; k0 += ${STEP}u) {
    workgroupBarrier();
    for (var j = 0u; j < 8u; j++) {
      let slot = li + 256u * j;
      let am = ${aSlot[0]};
      let ak = ${aSlot[1]};
      let m = row0 + am;
      var k = k0 + ak;
      var va = 0.0;
      if (m < M && k < kEnd) { va = a[${aAt}]; }
      tileA[ak * 32u + am / 4u][am % 4u] = va;
      let bn = ${bSlot[0]};
      let bk = ${bSlot[1]};
      let n = col0 + bn;
      k = k0 + bk;
      var vb = 0.0;
      if (n < N && k < kEnd) { vb = b[${bAt}]; }
      tileB[bk * 32u + bn / 4u][bn % 4u] = vb;
    }
    workgroupBarrier();
${multiply("")}
  }`;
  const prefetchLoop = `  fetch(kBegin, kEnd, li, row0, col0);
  for (var k0 = kBegin; k0 < kEnd; k0 += ${STEP}u) {
    workgroupBarrier();
    stage(0u, li);
    workgroupBarrier();
    if (k0 + ${STEP}u < kEnd) { fetch(k0 + ${STEP}u, kEnd, li, row0, col0); }
${multiply("")}
  }`;
  const doubleLoop = `  fetch(kBegin, kEnd, li, row0, col0);
  stage(0u, li);
  workgroupBarrier();
  var buf = 0u;
  for (var k0 = kBegin; k0 < kEnd; k0 += ${STEP}u) {
    let more = k0 + ${STEP}u < kEnd;
    if (more) { fetch(k0 + ${STEP}u, kEnd, li, row0, col0); }
${multiply("buf + ")}
    // The other buffer was last read before the previous barrier.
    if (more) { stage(${tile}u - buf, li); }
    workgroupBarrier();
    buf = ${tile}u - buf;
  }`;
  const registers = `${operandFetch(8, 256, aSlot, bSlot, aAt, bAt)}

/** Writes nextA and nextB to the tiles from vec4 buf on. */
fn stage(buf: u32, li: u32) {
  for (var j = 0u; j < 8u; j++) {
    let slot = li + 256u * j;
    let am = ${aSlot[0]};
    let ak = ${aSlot[1]};
    tileA[buf + ak * 32u + am / 4u][am % 4u] = nextA[j];
    let bn = ${bSlot[0]};
    let bk = ${bSlot[1]};
    tileB[buf + bk * 32u + bn / 4u][bn % 4u] = nextB[j];
  }
}`;
  const buffers = staging === "double" ? 2 : 1;
  return `${paramsStruct([["M", "i32"], ["K", "i32"], ["N", "i32"], ["slices", "i32"]])}
${bindings(bias ? ["a", "b", "bias", "c"] : ["a", "b", "c"], ["c"])}
var<workgroup> tileA: array<vec4<f32>, ${buffers * tile}>;
var<workgroup> tileB: array<vec4<f32>, ${buffers * tile}>;
${staging === "plain" ? "" : registers}

fn store(m: u32, n0: u32, v: vec4<f32>, base: u32) {
  let M = u32(params.M);
  let N = u32(params.N);
  if (m >= M) { return; }
  for (var j = 0u; j < 4u; j++) {
    let n = n0 + j;
    if (n < N) { c[base + m * N + n] = v[j]${bias ? " + bias[n]" : ""}; }
  }
}

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let M = u32(params.M);
  let K = u32(params.K);
  let N = u32(params.N);
${splitBlock(TILE, STEP)}
${declare}
${staging === "plain" ? plainLoop : staging === "prefetch" ? prefetchLoop : doubleLoop}
  let base = z * M * N;
${store}
}`;
}

/** Sums the slices of a split product: c[i] = Σ_z parts[z·size + i] (+ bias[i % N]), in slice order. */
function sumShader(bias: boolean): string {
  return `${paramsStruct([["size", "i32"], ["N", "i32"], ["slices", "i32"]])}
${bindings(bias ? ["parts", "bias", "c"] : ["parts", "c"], ["c"])}
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = ${WORKGROUP_INDEX} * 256u + li;
  let size = u32(params.size);
  if (i >= size) { return; }
  var total = 0.0;
  for (var z = 0u; z < u32(params.slices); z++) { total += parts[z * size + i]; }
  c[i] = total${bias ? " + bias[i % u32(params.N)]" : ""};
}`;
}

const KERNEL = "KilnMatMul";

/** The staging the f32 product uses (`npm run bench -- gpu` compares them). */
let staging: ProductStaging = "plain";
export function setProductStaging(mode: ProductStaging): void {
  staging = mode;
}

/** One call of a product kernel: its operands, flags and the shape of op(a)·op(b), [M, K]·[K, N]. */
export interface ProductCall {
  a: tf.TensorInfo;
  b: tf.TensorInfo;
  bias?: tf.TensorInfo;
  transposeA: boolean;
  transposeB: boolean;
  M: number;
  K: number;
  N: number;
  backend: { disposeData(dataId: object): void };
}

/** Registers a product kernel (inputs a, b, optional bias; attributes transposeA, transposeB) on the webgpu backend, once. */
export function registerProduct(kernel: string, run: (call: ProductCall) => tf.TensorInfo): void {
  if (tf.getKernel(kernel, "webgpu")) return;
  tf.registerKernel({
    kernelName: kernel,
    backendName: "webgpu",
    kernelFunc: ({ inputs, attrs, backend }) => {
      const { a, b, bias } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo; bias?: tf.TensorInfo };
      const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
      const [M, K] = transposeA ? [a.shape[1]!, a.shape[0]!] : (a.shape as [number, number]);
      const N = transposeB ? b.shape[0]! : b.shape[1]!;
      return run({ a, b, bias, transposeA, transposeB, M, K, N, backend: backend as unknown as ProductCall["backend"] });
    },
  });
}

/** Registers the f32 product on the webgpu backend (once). */
export function registerMatMulKernels(): void {
  registerProduct(KERNEL, ({ a, b, bias, transposeA, transposeB, M, K, N, backend }) => {
    const slices = kSlices(M, K, N);
    const variant = `${transposeA ? "-ta" : ""}${transposeB ? "-tb" : ""}`;
    const blocks = Math.ceil(M / TILE) * Math.ceil(N / TILE);
    const product = outputTensor(slices === 1 ? [M, N] : [slices, M, N]);
    dispatch({
      label: `matmul${variant}${bias && slices === 1 ? "-bias" : ""}${staging === "plain" ? "" : `-${staging}`}`,
      code: shader(transposeA, transposeB, bias !== undefined && slices === 1, staging),
      buffers: bias && slices === 1 ? [a, b, bias, product] : [a, b, product],
      uniforms: [["i32", M], ["i32", K], ["i32", N], ["i32", slices]],
      workgroups: blocks * slices,
    });
    return slices === 1 ? product : sumSlices(product, bias, M, N, slices, backend);
  });
}

/** Sums a split product's slices ([slices, M, N]) in slice order, adds the bias, frees the slices. */
export function sumSlices(parts: tf.TensorInfo, bias: tf.TensorInfo | undefined, M: number, N: number, slices: number, backend: ProductCall["backend"]): tf.TensorInfo {
  const c = outputTensor([M, N]);
  dispatch({
    label: `matmul-sum${bias ? "-bias" : ""}`,
    code: sumShader(bias !== undefined),
    buffers: bias ? [parts, bias, c] : [parts, c],
    uniforms: [["i32", M * N], ["i32", N], ["i32", slices]],
    workgroups: Math.ceil((M * N) / 256),
  });
  backend.disposeData(parts.dataId);
  return c;
}

/** op(a)·op(b) (+ bias over the columns), a [M, K] or [K, M], b [K, N] or [N, K]; not differentiated. */
export type Product = (a: tf.Tensor2D, b: tf.Tensor2D, transposeA?: boolean, transposeB?: boolean, bias?: tf.Tensor1D) => tf.Tensor2D;

/** The product of a registered kernel taking inputs a, b (, bias) and the two transpose flags, with its shapes checked. */
export function productOf(kernel: string, name: string): Product {
  return (a, b, transposeA = false, transposeB = false, bias) => {
    const K = transposeA ? a.shape[0] : a.shape[1];
    const [KB, N] = transposeB ? [b.shape[1], b.shape[0]] : b.shape;
    if (K !== KB) throw new Error(`${name}: inner dimensions differ (${K} and ${KB})`);
    if (bias && bias.shape[0] !== N) throw new Error(`${name}: bias has ${bias.shape[0]} entries for ${N} columns`);
    const inputs: Record<string, tf.Tensor> = bias ? { a, b, bias } : { a, b };
    return tf.engine().runKernel(kernel, inputs, { transposeA, transposeB } as unknown as tf.NamedAttrMap) as tf.Tensor2D;
  };
}

/** The layer x·w (+ b) for x [n, in], w [in, out] on a product, with its gradient on the same product: dx = dy·wᵀ, dw = xᵀ·dy, db = Σ dy (columnSum). */
export function linearOf(product: Product): (x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D) => tf.Tensor2D {
  return (x, w, b) => {
    const inputs = b ? [x, w, b] : [x, w];
    return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [xs, ws, bs] = args.slice(0, inputs.length) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D?];
      (args[inputs.length] as tf.GradSaveFunc)([xs, ws]);
      return {
        value: product(xs, ws, false, false, bs),
        gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
          const [xSaved, wSaved] = saved as [tf.Tensor2D, tf.Tensor2D];
          const g = dy as tf.Tensor2D;
          const grads = [product(g, wSaved, false, true), product(xSaved, g, true, false)];
          return bs ? [...grads, columnSum(g)] : grads;
        },
      };
    })(...inputs) as tf.Tensor2D;
  };
}

/** The f32 product (see `linear` for the layer with its gradient). */
export const matMul = productOf(KERNEL, "matMul");
/** x·w (+ b) and its gradient, every product f32 on this kernel. */
export const linear = linearOf(matMul);
