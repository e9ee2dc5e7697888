/**
 * What a GPU's subgroup matrices do, one operation at a time, for a GPU whose f16 product on
 * them fails its exact check (matmul-f16.ts `checkSubgroupMatrices`): round trips of a left and a
 * right matrix, one product from storage row-major and column-major, from workgroup memory at the
 * staged product's strides, a two-step accumulation, and four subgroups placing their parts by
 * subgroup_id. Each case multiplies small integers that f16 holds exactly, so every right answer
 * is exact; `npm run bench -- gpu` prints the line `probeSubgroupMatrices` returns.
 */
import * as tf from "@tensorflow/tfjs";
import { bindings, checkDevice, dispatch, outputTensor, paramsStruct } from "./dispatch.js";
import { A_STRIDE, B_STRIDE, halfCopy, offeredMatrixShapes, type MatrixShape } from "./matmul-f16.js";

/** The operands: 32×32 integers in [−3, 3], copied to f16 at a row stride of 128 (halfCopy pads to whole 128-blocks). */
const SIDE = 32;
const STRIDE = 128;
const operand = (salt: number) => Float32Array.from({ length: SIDE * SIDE }, (_, x) => ((Math.floor(x / SIDE) * 5 + (x % SIDE) * 3 + salt) % 7) - 3);

/** One probe: its name, the WGSL of main's body, and the expected out[] (row-major). */
interface ProbeCase { name: string; body: string; expected: number[] }

/** C = X·Y over the first `k` of the shared dimension, rows [r0, r0 + rows), columns [c0, c0 + cols) of 32×32 operands. */
function product(x: Float32Array, y: Float32Array, rows: number, cols: number, k: number, transposeX = false): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      let sum = 0;
      for (let i = 0; i < k; i++) sum += (transposeX ? x[i * SIDE + r]! : x[r * SIDE + i]!) * y[i * SIDE + c]!;
      out.push(sum);
    }
  }
  return out;
}

function cases(f: MatrixShape, a: Float32Array, b: Float32Array): ProbeCase[] {
  const left = `subgroup_matrix_left<f16, ${f.K}, ${f.M}>`;
  const right = `subgroup_matrix_right<f16, ${f.N}, ${f.K}>`;
  const result = `subgroup_matrix_result<f32, ${f.N}, ${f.M}>`;
  const block = (x: Float32Array, rows: number, cols: number) => Array.from({ length: rows * cols }, (_, i) => x[Math.floor(i / cols) * SIDE + (i % cols)]!);
  // A round trip stores to workgroup f16 memory, which every thread then copies to out as f32.
  const roundTrip = (load: string, size: number, stride: number) => `  let m = ${load};
  subgroupMatrixStore<row_major>(&stored, 0u, m, ${stride}u);
  workgroupBarrier();
  for (var i = li; i < ${size}u; i += 128u) { out[i] = f32(stored[i]); }`;
  // Workgroup tiles at the staged product's strides.
  const stage = `  for (var i = li; i < ${SIDE * SIDE}u; i += 128u) {
    tileA[(i / ${SIDE}u) * ${A_STRIDE}u + i % ${SIDE}u] = a[(i / ${SIDE}u) * ${STRIDE}u + i % ${SIDE}u];
    tileB[(i / ${SIDE}u) * ${B_STRIDE}u + i % ${SIDE}u] = b[(i / ${SIDE}u) * ${STRIDE}u + i % ${SIDE}u];
  }
  workgroupBarrier();`;
  const steps = SIDE / f.K;
  const accumulate = Array.from({ length: steps }, (_, s) => `  acc = subgroupMatrixMultiplyAccumulate(subgroupMatrixLoad<${left}, row_major>(&a, (r0) * ${STRIDE}u + ${s * f.K}u, ${STRIDE}u), subgroupMatrixLoad<${right}, row_major>(&b, ${s * f.K * STRIDE}u + c0, ${STRIDE}u), acc);`).join("\n");
  return [
    { name: "left round trip", expected: block(a, f.M, f.K), body: roundTrip(`subgroupMatrixLoad<${left}, row_major>(&a, 0u, ${STRIDE}u)`, f.M * f.K, f.K) },
    { name: "right round trip", expected: block(b, f.K, f.N), body: roundTrip(`subgroupMatrixLoad<${right}, row_major>(&b, 0u, ${STRIDE}u)`, f.K * f.N, f.N) },
    {
      name: "A·B from storage", expected: product(a, b, f.M, f.N, f.K),
      body: `  let c = subgroupMatrixMultiply<f32>(subgroupMatrixLoad<${left}, row_major>(&a, 0u, ${STRIDE}u), subgroupMatrixLoad<${right}, row_major>(&b, 0u, ${STRIDE}u));
  subgroupMatrixStore<row_major>(&out, 0u, c, ${f.N}u);`,
    },
    {
      // a read column-major is aᵀ.
      name: "aᵀ·B column-major", expected: product(a, b, f.M, f.N, f.K, true),
      body: `  let c = subgroupMatrixMultiply<f32>(subgroupMatrixLoad<${left}, col_major>(&a, 0u, ${STRIDE}u), subgroupMatrixLoad<${right}, row_major>(&b, 0u, ${STRIDE}u));
  subgroupMatrixStore<row_major>(&out, 0u, c, ${f.N}u);`,
    },
    {
      name: "A·B from workgroup memory", expected: product(a, b, f.M, f.N, f.K),
      body: `${stage}
  let c = subgroupMatrixMultiply<f32>(subgroupMatrixLoad<${left}, row_major>(&tileA, 0u, ${A_STRIDE}u), subgroupMatrixLoad<${right}, row_major>(&tileB, 0u, ${B_STRIDE}u));
  subgroupMatrixStore<row_major>(&out, 0u, c, ${f.N}u);`,
    },
    {
      name: `A·B accumulated over ${steps} steps of k`, expected: product(a, b, f.M, f.N, SIDE),
      body: `  let r0 = 0u;
  let c0 = 0u;
  var acc = ${result}();
${accumulate}
  subgroupMatrixStore<row_major>(&out, 0u, acc, ${f.N}u);`,
    },
    {
      // Subgroup sg owns rows (sg / 2)·M and columns (sg % 2)·N of a 2M×2N result, as the products place their parts.
      name: "four subgroups by subgroup_id", expected: product(a, b, 2 * f.M, 2 * f.N, SIDE),
      body: `  let r0 = (sg / 2u) * ${f.M}u;
  let c0 = (sg % 2u) * ${f.N}u;
  var acc = ${result}();
${accumulate}
  subgroupMatrixStore<row_major>(&out, r0 * ${2 * f.N}u + c0, acc, ${2 * f.N}u);`,
    },
  ];
}

/**
 * The WGSL of one probe: f16 operands a and b (row stride 128), out f32. Four subgroups of 32 (a
 * workgroup must be a multiple of the largest subgroup size Dawn allows): in the cases of one
 * subgroup's product, every subgroup computes and writes the same values.
 */
export function probeShader(c: ProbeCase): string {
  return `enable f16;
enable chromium_experimental_subgroup_matrix;
diagnostic(off, chromium_experimental.subgroup_matrix_uniformity);
${paramsStruct([["unused", "i32"]])}
${bindings(["a", "b", "out"], ["out"], { a: "f16", b: "f16" })}
var<workgroup> stored: array<f16, ${SIDE * SIDE}>;
var<workgroup> tileA: array<f16, ${SIDE * A_STRIDE}>;
var<workgroup> tileB: array<f16, ${SIDE * B_STRIDE}>;
@compute @workgroup_size(128)
fn main(@builtin(local_invocation_index) li: u32, @builtin(subgroup_id) sg: u32) {
${c.body}
}`;
}

/** Every probe's WGSL for a shape (compiled by the tests on Dawn's null backend). */
export function probeShaders(f: MatrixShape): string[] {
  return cases(f, operand(1), operand(2)).map(probeShader);
}

/**
 * Runs each probe on the webgpu backend's device, for each shape the adapter offers the f16
 * product, and says per shape and case "ok" or how it went wrong ("" where subgroup matrices are
 * not offered).
 */
export async function probeSubgroupMatrices(): Promise<string> {
  const shapes = offeredMatrixShapes();
  if (shapes.length === 0) return "";
  const [a, b] = [operand(1), operand(2)];
  const flag = outputTensor([1]);
  const half = (values: Float32Array) => {
    const source = tf.tensor2d(values, [SIDE, SIDE]);
    const copy = halfCopy(source, SIDE, SIDE, flag);
    source.dispose();
    return copy;
  };
  const [a16, b16] = [half(a), half(b)];
  tf.backend().disposeData(flag.dataId);
  const lines: string[] = [];
  for (const f of shapes) {
    const results: string[] = [];
    for (const c of cases(f, a, b)) {
      const out = outputTensor([SIDE * SIDE]);
      const result = tf.engine().makeTensorFromTensorInfo(out);
      try {
        dispatch({ label: `probe ${c.name}`, code: probeShader(c), buffers: [a16, b16, out], uniforms: [["i32", 0]], workgroups: 1 });
        await checkDevice();
        const got = (await result.data()) as Float32Array;
        const wrong = c.expected.findIndex((v, i) => got[i] !== v);
        results.push(wrong < 0 ? `${c.name} ok` : `${c.name} WRONG (first at ${wrong}: ${got[wrong]} for ${c.expected[wrong]}; ${c.expected.filter((v, i) => got[i] !== v).length} of ${c.expected.length} differ)`);
      } catch (error) {
        results.push(`${c.name} failed: ${(error instanceof Error ? error.message : String(error)).split("\n")[0]}`);
      } finally {
        result.dispose();
      }
    }
    lines.push(`subgroup-matrix probe ${f.M}×${f.N}×${f.K}: ${results.join("; ")}`);
  }
  tf.backend().disposeData(a16.dataId);
  tf.backend().disposeData(b16.dataId);
  return lines.join("\n");
}
