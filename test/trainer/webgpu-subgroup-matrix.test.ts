/**
 * The f16 product on subgroup matrices (webgpu/matmul-f16.ts) needs a GPU with tensor cores to
 * run; no driver on a GPU-less machine offers subgroup matrices. What can be checked here is that
 * Dawn's own WGSL compiler accepts every variant of the shader, on Dawn's null backend (which
 * compiles and validates, and runs nothing), for the matrix shapes Vulkan drivers list. The null
 * adapter offers 16 KiB of workgroup memory and the shader takes more (a GPU with tensor cores
 * has 48 KiB or more): pipeline creation must then fail on exactly that, with the size
 * `workgroupBytes` computes, which the product checks against the device's limit. Its values
 * are checked on the GPU by `npm run bench -- gpu` (the f16 products against the f32 ones).
 */
import { describe, expect, it } from "vitest";
import { directMatrixShader, halfCopyShader, subgroupMatrixShader, workgroupBytes, type MatrixShape } from "../../trainer/webgpu/matmul-f16.js";
import { probeShaders } from "../../trainer/webgpu/matrix-probe.js";

interface NullDevice {
  createShaderModule(descriptor: { code: string }): { getCompilationInfo(): Promise<{ messages: { type: string; lineNum: number; message: string }[] }> };
  createComputePipeline(descriptor: { layout: "auto"; compute: { module: unknown; entryPoint: string } }): unknown;
  pushErrorScope(filter: "validation"): void;
  popErrorScope(): Promise<{ message: string } | null>;
  destroy(): void;
}

/** The null device's workgroup-memory limit. */
let limit = 0;
/** Dawn's instance, held for the whole file: it must outlive the device. */
const instances: unknown[] = [];

async function nullDevice(): Promise<NullDevice | string> {
  let webgpu: { create(flags: string[]): { requestAdapter(): Promise<{ limits: Record<string, number>; requestDevice(d: object): Promise<NullDevice> } | null> } };
  try {
    webgpu = (await import("webgpu")) as typeof webgpu;
  } catch {
    return "the optional package webgpu is not installed";
  }
  const gpu = webgpu.create(["backend=null", "enable-dawn-features=allow_unsafe_apis"]);
  instances.push(gpu);
  const adapter = await gpu.requestAdapter();
  if (!adapter) return "Dawn's null backend gave no adapter";
  // As tfjs-webgpu asks for its device: all the workgroup memory the adapter has.
  limit = adapter.limits.maxComputeWorkgroupStorageSize!;
  const requiredLimits = { maxComputeWorkgroupStorageSize: limit };
  return adapter.requestDevice({ requiredFeatures: ["shader-f16", "subgroups", "chromium-experimental-subgroup-matrix"], requiredLimits });
}

const device = await nullDevice();
const skip = typeof device === "string" && !process.env.KILN_REQUIRE_WEBGPU;

/** Compiles `code` into a pipeline on the null device: the compiler's warnings and errors, and the first line of the pipeline's validation error (null when none). */
async function compile(code: string): Promise<{ messages: string[]; error: string | null }> {
  if (typeof device === "string") throw new Error(device);
  device.pushErrorScope("validation");
  const module = device.createShaderModule({ code });
  const messages = (await module.getCompilationInfo()).messages.filter((m) => m.type !== "info").map((m) => `${m.type} ${m.lineNum}: ${m.message}`);
  device.createComputePipeline({ layout: "auto", compute: { module, entryPoint: "main" } });
  const error = (await device.popErrorScope())?.message.split("\n")[0] ?? null;
  return { messages, error };
}

describe.skipIf(skip)("the f16 product's subgroup-matrix shader", () => {
  // NVIDIA's Vulkan driver lists 16×16×16 and 16×8×16 for f16 with f32 sums; 8×8×8 is Apple's shape.
  const shapes: MatrixShape[] = [{ M: 16, N: 16, K: 16 }, { M: 16, N: 8, K: 16 }, { M: 8, N: 8, K: 8 }];
  for (const shape of shapes) {
    it(`compiles for ${shape.M}×${shape.N}×${shape.K}, every transpose, with and without bias`, async () => {
      for (const transposeA of [false, true]) {
        for (const transposeB of [false, true]) {
          for (const bias of [false, true]) {
            const result = await compile(subgroupMatrixShader(transposeA, transposeB, bias, shape));
            const bytes = workgroupBytes(shape);
            const expected = bytes > limit ? `The total use of workgroup storage (${bytes} bytes) is larger than the maximum allowed (${limit} bytes).` : null;
            expect({ transposeA, transposeB, bias, ...result }).toEqual({ transposeA, transposeB, bias, messages: [], error: expected });
          }
        }
      }
    });
  }

  for (const shape of shapes) {
    it(`compiles the direct route (f16 copies read in place) for ${shape.M}×${shape.N}×${shape.K}, every transpose, with and without bias`, async () => {
      for (const code of [halfCopyShader(), ...[false, true].flatMap((ta) => [false, true].flatMap((tb) => [false, true].map((bias) => directMatrixShader(ta, tb, bias, shape))))]) {
        expect(await compile(code)).toEqual({ messages: [], error: null });
      }
    });
  }

  for (const shape of shapes) {
    it(`compiles every case of the subgroup-matrix probe for ${shape.M}×${shape.N}×${shape.K}`, async () => {
      const codes = probeShaders(shape);
      expect(codes).toHaveLength(7);
      for (const code of codes) expect(await compile(code)).toEqual({ messages: [], error: null });
    });
  }

  it("is refused when it breaks the rules, so the check above can fail", async () => {
    // A left matrix loaded from f32 memory: the compiler must reject it.
    const broken = subgroupMatrixShader(false, false, false, { M: 16, N: 16, K: 16 }).replace("array<f16, ", "array<f32, ");
    const { messages, error } = await compile(broken);
    expect(messages.filter((m) => m.startsWith("error")).length + (error ? 1 : 0)).toBeGreaterThan(0);
  });
});
