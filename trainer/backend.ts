/**
 * Run-time backend selection. The optional native and GPU backends are loaded with dynamic
 * imports inside try/catch, so a machine without them (this one: only the npm registry, no GPU)
 * still trains on wasm or cpu, and the log says why each faster backend did not run.
 *
 * Order for `auto`: tensorflow-gpu (tfjs-node-gpu) → tensorflow (tfjs-node) → webgpu (Dawn via the
 * `webgpu` package, a hardware adapter only: a software Vulkan driver such as SwiftShader is
 * slower than wasm, so `auto` passes it by; `--backend webgpu` takes it) → wasm → cpu.
 *
 * The GPU is probed in a child process first: Dawn prints Vulkan loader warnings straight to
 * stderr on machines without a usable driver, and the probe keeps them out of the user's terminal.
 */
import { spawnSync } from "node:child_process";
import * as tf from "@tensorflow/tfjs";
import { enumFlag, KilnError } from "../core/index.js";
import { registerMissingKernels } from "./kernels.js";
import { WEBGPU_KERNEL_NAMES } from "./webgpu/kernels.js";
import { subgroupInfo, type SubgroupMatrixConfig } from "./webgpu/dispatch.js";
import { checkSubgroupMatrices } from "./webgpu/matmul-f16.js";

export const BACKENDS = ["tensorflow-gpu", "tensorflow", "webgpu", "wasm", "cpu"] as const;
export type BackendName = (typeof BACKENDS)[number];

/** `--backend`: auto picks the first that works, in BACKENDS order. */
export const backendFlag = enumFlag("the TensorFlow.js backend to run on (auto: the first that works)", ["auto", ...BACKENDS], "auto");

export interface BackendSelection {
  /** Our name for it (also the `--backend` value). */
  name: BackendName;
  /** What tfjs calls it (`tf.getBackend()`). */
  tfName: string;
  /** One line per backend that was tried and did not load, with the reason. */
  skipped: string[];
  /** The GPU adapter, on webgpu. */
  adapter?: GpuAdapterInfo;
  /** On webgpu with subgroup matrices: which f16 product runs and why (webgpu/matmul-f16.ts); "" elsewhere. */
  halfProducts: string;
}

export interface GpuAdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  features: string[];
  /** A CPU implementation of Vulkan (SwiftShader, lavapipe/llvmpipe). */
  software: boolean;
}

// The silence flag: tfjs prints a banner recommending tfjs-node on first use under Node.
tf.env().set("PROD", true);

/** Import by a variable specifier: TypeScript must not require the optional package's types. */
async function importOptional(specifier: string): Promise<unknown> {
  return import(specifier);
}

const reason = (error: unknown) => (error instanceof Error ? error.message : String(error)).split("\n")[0]!.slice(0, 200);

async function tryNative(gpu: boolean): Promise<string> {
  await importOptional(gpu ? "@tensorflow/tfjs-node-gpu" : "@tensorflow/tfjs-node");
  if (!(await tf.setBackend("tensorflow"))) throw new Error("the tensorflow backend did not initialise");
  return "tensorflow";
}

const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|software/i;

/**
 * Dawn's instance flags. Dawn hides shader-f16 on NVIDIA's Vulkan driver unless asked
 * (vulkan_enable_f16_on_nvidia), and subgroup matrices (tensor cores from WGSL) are behind
 * allow_unsafe_apis, which in a browser guards features not yet safe for web pages; a training
 * process runs only our own shaders.
 */
export const DAWN_FLAGS = ["enable-dawn-features=allow_unsafe_apis,vulkan_enable_f16_on_nvidia"];
/** Device features our kernels use where the adapter has them. */
const OPTIONAL_FEATURES = ["shader-f16", "subgroups", "chromium-experimental-subgroup-matrix"];

/** What the child process prints: the adapter's identity and features, or null. */
const PROBE = `
const webgpu = await import(process.argv[1]);
const adapter = await webgpu.create(JSON.parse(process.argv[2])).requestAdapter({ powerPreference: "high-performance" });
const i = adapter?.info;
process.stdout.write(JSON.stringify(adapter ? { vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description, features: [...adapter.features].sort() } : null));
process.exit(0);`;

let probed: GpuAdapterInfo | string | undefined;

/**
 * The machine's GPU adapter as Dawn sees it, asked in a child process (quietly, once per
 * process); a string says why there is none.
 */
export function probeGpu(): GpuAdapterInfo | string {
  if (probed !== undefined) return probed;
  let entry: string;
  try {
    entry = import.meta.resolve("webgpu");
  } catch {
    return (probed = "the optional package webgpu is not installed");
  }
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", PROBE, entry, JSON.stringify(DAWN_FLAGS)], { encoding: "utf8", env: process.env });
  let info: Omit<GpuAdapterInfo, "software"> | null;
  try {
    info = JSON.parse(child.stdout) as Omit<GpuAdapterInfo, "software"> | null;
  } catch {
    return (probed = `the GPU probe failed (exit ${child.status}): ${(child.stderr || "").trim().split("\n").at(-1) ?? ""}`);
  }
  if (!info) return (probed = "no GPU adapter found (no Vulkan/Metal/D3D12 device on this machine)");
  return (probed = { ...info, software: SOFTWARE_ADAPTER.test(`${info.vendor} ${info.architecture} ${info.device} ${info.description}`) });
}

/** One line naming the adapter and the features the trainer cares about. */
export function describeAdapter(info: GpuAdapterInfo): string {
  const wanted = ["shader-f16", "subgroups", "chromium-experimental-subgroup-matrix", "subgroup-matrix", "timestamp-query"];
  const has = wanted.filter((f) => info.features.includes(f));
  const name = [info.vendor, info.architecture, info.description || info.device].filter(Boolean).join(" ");
  return `${name}${info.software ? " (software)" : ""}; features: ${has.join(", ") || "none of shader-f16, subgroups, subgroup matrix"}`;
}

async function tryWebGpu(auto: boolean): Promise<string> {
  const info = probeGpu();
  if (typeof info === "string") throw new Error(info);
  if (auto && info.software) throw new Error(`only a software adapter (${describeAdapter(info)}), slower than wasm; --backend webgpu uses it`);
  const webgpu = (await importOptional("webgpu")) as { create(flags: string[]): { requestAdapter(): Promise<unknown> }; globals: object };
  Object.assign(globalThis, webgpu.globals);
  const gpu = webgpu.create(DAWN_FLAGS);
  // Ask for an adapter ourselves first: without one tfjs would only log a warning.
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new Error("no GPU adapter found (no Vulkan/Metal/D3D12 device on this machine)");
  const global = globalThis as { navigator?: { gpu?: unknown } };
  if (!global.navigator?.gpu) {
    Object.defineProperty(globalThis, "navigator", { value: { gpu: withOptionalFeatures(gpu) }, configurable: true, writable: true });
  }
  // A literal specifier, so a bundler (scripts/gpu-bundle.sh) includes it; pure JS, always installed.
  await import("@tensorflow/tfjs-backend-webgpu");
  if (!(await tf.setBackend("webgpu"))) throw new Error("tfjs-backend-webgpu did not initialise");
  return "webgpu";
}

interface GpuDeviceRequest { requiredFeatures?: Iterable<unknown> }
interface GpuAdapterLike {
  features: ReadonlySet<string>;
  info: { subgroupMinSize?: number; subgroupMaxSize?: number; subgroupMatrixConfigs?: readonly SubgroupMatrixConfig[] };
  requestDevice(descriptor?: GpuDeviceRequest): Promise<unknown>;
}

/**
 * navigator.gpu for tfjs-backend-webgpu, whose device asks only for the features its own kernels
 * use: the device also gets those of OPTIONAL_FEATURES the adapter has, for the half-precision
 * products (webgpu/matmul-f16.ts). Everything else passes through.
 */
function withOptionalFeatures(gpu: { requestAdapter(options?: object): Promise<unknown> }): object {
  return {
    async requestAdapter(options?: object) {
      const adapter = (await gpu.requestAdapter(options)) as GpuAdapterLike | null;
      const extra = OPTIONAL_FEATURES.filter((f) => adapter?.features.has(f));
      if (!adapter || !extra.length) return adapter;
      return new Proxy(adapter, {
        get(target, key) {
          if (key === "requestDevice") {
            return async (descriptor: GpuDeviceRequest = {}) => {
              const device = (await target.requestDevice({ ...descriptor, requiredFeatures: [...(descriptor.requiredFeatures ?? []), ...extra] })) as object;
              const info = target.info;
              const matrixConfigs = (info.subgroupMatrixConfigs ?? []).map((c) => ({ componentType: c.componentType, resultComponentType: c.resultComponentType, M: c.M, N: c.N, K: c.K }));
              subgroupInfo.set(device, { minSize: info.subgroupMinSize ?? 0, maxSize: info.subgroupMaxSize ?? 0, matrixConfigs });
              return device;
            };
          }
          const value = Reflect.get(target, key, target) as unknown;
          return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
        },
      });
    },
  };
}

async function tryWasm(): Promise<string> {
  // The package ships its .wasm files; under Node they are read from its dist folder, no network.
  await import("@tensorflow/tfjs-backend-wasm");
  if (!(await tf.setBackend("wasm"))) throw new Error("the wasm backend did not initialise");
  return "wasm";
}

async function tryCpu(): Promise<string> {
  if (!(await tf.setBackend("cpu"))) throw new Error("the cpu backend did not initialise");
  return "cpu";
}

const loaders: Record<BackendName, (auto: boolean) => Promise<string>> = {
  "tensorflow-gpu": () => tryNative(true),
  tensorflow: () => tryNative(false),
  webgpu: tryWebGpu,
  wasm: tryWasm,
  cpu: tryCpu,
};

let selected: BackendSelection | undefined;

/** The backend the last selectBackend chose (undefined before any). */
export function currentSelection(): BackendSelection | undefined {
  return selected;
}

/**
 * Selects a backend. `auto` tries each in order; a named backend must load or the call fails with
 * one clear error (the user asked for it explicitly).
 */
export async function selectBackend(requested: string = "auto"): Promise<BackendSelection> {
  if (requested !== "auto" && !(BACKENDS as readonly string[]).includes(requested)) {
    throw new KilnError("bad_backend", `unknown backend "${requested}" (auto | ${BACKENDS.join(" | ")})`);
  }
  const candidates = requested === "auto" ? [...BACKENDS] : [requested as BackendName];
  const skipped: string[] = [];
  for (const name of candidates) {
    try {
      const tfName = await loaders[name](requested === "auto");
      registerMissingKernels(tfName);
      const adapter = name === "webgpu" ? (probeGpu() as GpuAdapterInfo) : undefined;
      const halfProducts = name === "webgpu" ? await checkSubgroupMatrices() : "";
      selected = { name, tfName, skipped, adapter, halfProducts };
      return selected;
    } catch (error) {
      skipped.push(`${name}: ${reason(error)}`);
    }
  }
  throw new KilnError("no_backend", `backend ${requested} unavailable: ${skipped.join("; ")}`);
}

export function describeSelection(selection: BackendSelection): string {
  const others = selection.skipped.length ? ` (not used: ${selection.skipped.join("; ")})` : "";
  const adapter = selection.adapter ? ` on ${describeAdapter(selection.adapter)}; kernels: ${WEBGPU_KERNEL_NAMES.join(", ")}${selection.halfProducts ? `; ${selection.halfProducts}` : ""}` : "";
  return `backend ${selection.name}${adapter}${others}`;
}

/**
 * The measured matmul rate of the backend (FLOP/s), the fallback denominator of MFU (peak.ts): the best of a few square
 * float32 matmuls of the given size without transpose flags (the fastest path every backend has).
 * The best of many repeats: on a shared machine a few of them still get the core to themselves.
 */
export async function measurePeakFlops(size = 256, repeats = 25): Promise<number> {
  const a = tf.randomNormal([size, size]);
  const b = tf.randomNormal([size, size]);
  let best = Infinity;
  try {
    const warm = tf.matMul(a, b);
    await warm.data(); // warm-up (kernel compile, allocation)
    warm.dispose();
    for (let r = 0; r < repeats; r++) {
      const start = performance.now();
      const c = tf.matMul(a, b);
      await c.data();
      c.dispose();
      best = Math.min(best, (performance.now() - start) / 1000);
    }
  } finally {
    a.dispose();
    b.dispose();
  }
  return (2 * size ** 3) / best;
}
