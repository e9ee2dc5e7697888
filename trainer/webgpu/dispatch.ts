/**
 * Our own WGSL compute shaders on tfjs-backend-webgpu's device and command stream.
 *
 * tfjs's program classes give a shader one output and read-only inputs. Flash attention's backward
 * pass writes dK and dV together, and AdamW updates weights and moments in place, so these
 * kernels are plain WebGPU pipelines instead: every binding declared in the shader text we write,
 * buffers taken from (and given back to) the backend's tensors, dispatches recorded into the
 * backend's open compute pass so they run in order with every tfjs op around them.
 *
 * Nothing here imports the optional package: the backend is reached through `tf.backend()` and
 * typed by the few members we use.
 */
import * as tf from "@tensorflow/tfjs";

/* The WebGPU types we touch, structurally (the DOM's GPU* types are not in this project's lib). */
interface GpuBuffer { size: number }
interface GpuPipeline { getBindGroupLayout(index: number): unknown }
interface GpuPass {
  setPipeline(pipeline: GpuPipeline): void;
  setBindGroup(index: number, group: unknown): void;
  dispatchWorkgroups(x: number, y?: number, z?: number): void;
}
interface GpuDevice {
  createShaderModule(descriptor: { code: string; label?: string }): unknown;
  createComputePipeline(descriptor: { layout: "auto"; compute: { module: unknown; entryPoint: string }; label?: string }): GpuPipeline;
  createBindGroup(descriptor: { layout: unknown; entries: { binding: number; resource: { buffer: GpuBuffer } }[] }): unknown;
  limits: { maxComputeWorkgroupsPerDimension: number };
  createQuerySet(descriptor: { type: "timestamp"; count: number }): unknown;
  pushErrorScope(filter: "validation"): void;
  onuncapturederror: ((event: { error: { message: string } }) => void) | null;
  popErrorScope(): Promise<{ message: string } | null>;
}
interface TensorData { resource: GpuBuffer | null; shape: number[]; dtype: tf.DataType }

/** The members of tfjs-backend-webgpu's WebGPUBackend (4.22) that these kernels use. */
export interface WebGpuBackend {
  device: GpuDevice;
  tensorMap: { get(dataId: object): TensorData };
  commandQueueOwnedIds: WeakSet<object>;
  commandEncoder: { beginComputePass(descriptor: object): GpuPass } | null;
  computePassEncoder: (GpuPass & { end(): void }) | null;
  dispatchCountInPass: number;
  /** Set while tf.profile / tf.time runs: each program's device time is pushed here. */
  activeTimers?: { name: string; query: Promise<number> }[] | null;
  supportTimestampQuery: boolean;
  querySet: unknown;
  getQueryTime(): Promise<number>;
  uploadToGPU(dataId: object): void;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: Float32Array): tf.TensorInfo;
  makeUniforms(fields: { type: "int32" | "float32" | "uint32"; data: number[] }[]): { buffer: GpuBuffer; offset: number; size: number };
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
}

export const webGpuBackend = (): WebGpuBackend => tf.backend() as unknown as WebGpuBackend;

/** One subgroup-matrix multiply an adapter offers: [M, K]·[K, N] of componentType, summed in resultComponentType. */
export interface SubgroupMatrixConfig { componentType: string; resultComponentType: string; M: number; N: number; K: number }
/** An adapter's subgroup sizes and subgroup-matrix shapes. */
export interface SubgroupInfo { minSize: number; maxSize: number; matrixConfigs: SubgroupMatrixConfig[] }
/**
 * The subgroup facts of each device's adapter, recorded when backend.ts creates the device: Dawn's
 * GPUDevice.adapterInfo leaves out the subgroup-matrix shapes.
 */
export const subgroupInfo = new WeakMap<object, SubgroupInfo>();

/** A uniform field: every field is one 4-byte scalar, laid out in order. */
export type Uniform = ["i32" | "f32", number];

/** Compiled pipelines per device (a restarted backend has a new device) and shader text. */
const pipelines = new WeakMap<GpuDevice, Map<string, GpuPipeline>>();

function pipelineFor(device: GpuDevice, label: string, code: string): GpuPipeline {
  let byCode = pipelines.get(device);
  if (!byCode) pipelines.set(device, (byCode = new Map()));
  let pipeline = byCode.get(code);
  if (!pipeline) {
    // A shader that does not compile only logs a warning and drops the command buffer it is in;
    // the error scope keeps the message for `checkDevice`.
    device.pushErrorScope("validation");
    pipeline = device.createComputePipeline({ layout: "auto", label, compute: { module: device.createShaderModule({ code, label }), entryPoint: "main" } });
    compileChecks.push(device.popErrorScope().then((error) => (error ? `${label}: ${error.message}` : undefined)));
    byCode.set(code, pipeline);
  }
  return pipeline;
}

let compileChecks: Promise<string | undefined>[] = [];
const deviceErrors: string[] = [];
const watched = new WeakSet<GpuDevice>();

/**
 * Keeps the device's uncaptured errors. WebGPU reports an invalid shader or binding (ours or
 * tfjs's own) only as a message and then drops the whole command buffer, so the results would
 * silently be garbage; `checkDevice` turns the first such message into an exception.
 */
export function watchDevice(): void {
  const device = webGpuBackend().device;
  if (watched.has(device)) return;
  watched.add(device);
  device.onuncapturederror = (event) => {
    deviceErrors.push(event.error.message.split("\n")[0]!);
  };
}

/** Throws the first compile error of our pipelines, or the first device error, since the last call. */
export async function checkDevice(): Promise<void> {
  const checks = compileChecks;
  compileChecks = [];
  const errors = (await Promise.all(checks)).filter((e) => e !== undefined).map((e) => `WGSL kernel failed to compile: ${e}`);
  errors.push(...deviceErrors.splice(0).map((e) => `GPU error: ${e}`));
  if (errors.length) throw new Error(errors[0]);
}

/** The WGSL struct of a dispatch's uniforms, padded like `dispatch` pads them (16-byte multiples). */
export function paramsStruct(fields: [string, Uniform[0]][]): string {
  const members = fields.map(([n, type]) => `${n}: ${type},`);
  while (members.length % 4 !== 0) members.push(`pad${members.length}: i32,`);
  return `struct Params { ${members.join(" ")} }`;
}

/** Linear workgroup index however the dispatch was folded into y and z (see `workgroupGrid`). */
export const WORKGROUP_INDEX = "(wid.z * nwg.x * nwg.y + wid.y * nwg.x + wid.x)";

/** Folds n workgroups into a grid within the device's per-dimension limit. */
function workgroupGrid(device: GpuDevice, n: number): [number, number, number] {
  const max = device.limits.maxComputeWorkgroupsPerDimension;
  if (n <= max) return [n, 1, 1];
  const y = Math.ceil(n / max);
  if (y <= max) return [max, y, 1];
  return [max, max, Math.ceil(n / (max * max))];
}

export interface Dispatch {
  /** Shader label (shows in Dawn's errors). */
  label: string;
  /** The WGSL text: binding i of group 0 is `buffers[i]`, binding buffers.length the uniforms. */
  code: string;
  /** Tensors bound in order: inputs, outputs, and tensors updated in place. */
  buffers: tf.TensorInfo[];
  uniforms: Uniform[];
  workgroups: number;
}

/**
 * Records one dispatch into the backend's command stream. Every buffer is marked as owned by
 * the queue, so a tensor disposed right after is not recycled before the GPU has run this.
 */
export function dispatch(job: Dispatch): void {
  const backend = webGpuBackend();
  const uniforms = [...job.uniforms];
  while (uniforms.length % 4 !== 0) uniforms.push(["i32", 0]);
  const entries = job.buffers.map((t, binding) => {
    backend.uploadToGPU(t.dataId);
    backend.commandQueueOwnedIds.add(t.dataId);
    return { binding, resource: { buffer: backend.tensorMap.get(t.dataId).resource! } };
  });
  const uniformBinding = backend.makeUniforms(uniforms.map(([type, value]) => ({ type: type === "i32" ? "int32" : "float32", data: [value] })));
  entries.push({ binding: job.buffers.length, resource: { buffer: uniformBinding.buffer } });
  const pipeline = pipelineFor(backend.device, job.label, job.code);
  const bindGroup = backend.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
  backend.ensureCommandEncoderReady();
  // Under tf.profile, a pass of its own with timestamps, as tfjs times its own programs.
  const timed = Boolean(backend.activeTimers) && backend.supportTimestampQuery;
  if (timed) {
    backend.endComputePassEncoder();
    backend.querySet ??= backend.device.createQuerySet({ type: "timestamp", count: 2 });
    const timestampWrites = { querySet: backend.querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 };
    backend.computePassEncoder = backend.commandEncoder!.beginComputePass({ timestampWrites }) as GpuPass & { end(): void };
  }
  backend.computePassEncoder ??= backend.commandEncoder!.beginComputePass({}) as GpuPass & { end(): void };
  backend.computePassEncoder.setPipeline(pipeline);
  backend.computePassEncoder.setBindGroup(0, bindGroup);
  backend.computePassEncoder.dispatchWorkgroups(...workgroupGrid(backend.device, job.workgroups));
  backend.dispatchCountInPass++;
  if (timed) {
    backend.endComputePassEncoder();
    backend.activeTimers!.push({ name: job.label, query: backend.getQueryTime() });
  } else if (backend.dispatchCountInPass >= (tf.env().get("WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE") as number)) {
    backend.endComputePassEncoder();
    backend.submitQueue();
  }
}

/** The members of tfjs-backend-webgpu's BufferManager (4.22) that `trimBufferPool` uses. */
interface BufferPool {
  freeBuffers: Map<string, GpuPooledBuffer[]>;
  usedBuffers: Map<string, GpuPooledBuffer[]>;
  numFreeBuffers: number;
  numBytesAllocated: number;
  numBytesUsed: number;
  acquireBuffer(size: number, usage: number, mappedAtCreation?: boolean, reuse?: boolean): GpuPooledBuffer;
  releaseBuffer(buffer: GpuPooledBuffer, reuse?: boolean): void;
}
interface GpuPooledBuffer { size: number; usage: number; destroy(): void }
/**
 * Per buffer key (size and usage, as tfjs writes them): how many are in use, and the most in use
 * at once since the last trim; and the most bytes in use at once since `bufferBytes` last read it.
 */
interface PoolUse { inUse: Map<string, number>; peak: Map<string, number>; peakBytes: number }
const poolUse = new WeakMap<BufferPool, PoolUse>();
const keyOf = (size: number, usage: number) => `${size}_${usage}`;
const bufferPool = () => (webGpuBackend() as unknown as { bufferManager: BufferPool }).bufferManager;

/** Starts counting a pool's buffers in use per key (from those in use now). */
function watchPool(pool: BufferPool): PoolUse {
  const use: PoolUse = { inUse: new Map(), peak: new Map(), peakBytes: pool.numBytesUsed };
  for (const [key, buffers] of pool.usedBuffers) use.inUse.set(key, buffers.length);
  use.peak = new Map(use.inUse);
  const acquire = pool.acquireBuffer.bind(pool);
  const release = pool.releaseBuffer.bind(pool);
  pool.acquireBuffer = (size, usage, mappedAtCreation, reuse) => {
    const key = keyOf(size, usage);
    const n = (use.inUse.get(key) ?? 0) + 1;
    use.inUse.set(key, n);
    if (n > (use.peak.get(key) ?? 0)) use.peak.set(key, n);
    const buffer = acquire(size, usage, mappedAtCreation, reuse);
    use.peakBytes = Math.max(use.peakBytes, pool.numBytesUsed);
    return buffer;
  };
  pool.releaseBuffer = (buffer, reuse) => {
    const key = keyOf(buffer.size, buffer.usage);
    use.inUse.set(key, Math.max(0, (use.inUse.get(key) ?? 0) - 1));
    release(buffer, reuse);
  };
  poolUse.set(pool, use);
  return use;
}

/**
 * Frees the GPU buffers tfjs-webgpu keeps for reuse beyond what the work since the last call
 * needed. tfjs keeps every released buffer, forever, for a later tensor of exactly its size: a
 * run that changes shapes (a batch of another size, an evaluation, a KV cache one token longer at
 * each step of generation) would hold every shape's buffers at once, and generating 1,024 tokens
 * with GPT-2 small ~39 GB of them. Per size, the pool keeps as many free buffers as were in use
 * at once since the last call, less those in use now: a training step that repeats the last one
 * finds all it needs pooled, and the buffers of shapes no longer used are freed one step later.
 * Called between training steps and between generated tokens; the first call only starts
 * counting. No-op off webgpu.
 */
export function trimBufferPool(): void {
  if (tf.getBackend() !== "webgpu") return;
  const pool = bufferPool();
  const use = poolUse.get(pool);
  if (!use) {
    watchPool(pool);
    return;
  }
  for (const [key, free] of pool.freeBuffers) {
    const keep = Math.max(0, (use.peak.get(key) ?? 0) - (use.inUse.get(key) ?? 0));
    // Destroying waits for the GPU work already submitted; tfjs pools a buffer only once no
    // unsubmitted command uses it. The key stays: tfjs's releaseBuffer expects it.
    while (free.length > keep) {
      const buffer = free.pop()!;
      buffer.destroy();
      pool.numBytesAllocated -= buffer.size;
      pool.numFreeBuffers--;
    }
  }
  use.peak = new Map(use.inUse);
}

/**
 * Bytes of GPU buffers in use now, and the most in use at once since the last call (each call
 * starts a new count; the first starts counting). This is what the device holds for tensors:
 * tf.memory().numBytes counts every tensor in full, though a reshape or a clone shares its
 * input's buffer. Buffers the pool keeps free are not counted. Zeros off webgpu.
 */
export function bufferBytes(): { now: number; peak: number } {
  if (tf.getBackend() !== "webgpu") return { now: 0, peak: 0 };
  const pool = bufferPool();
  const use = poolUse.get(pool) ?? watchPool(pool);
  const result = { now: pool.numBytesUsed, peak: use.peakBytes };
  use.peakBytes = pool.numBytesUsed;
  return result;
}

/** A new float32 tensor on the GPU that a dispatch will fill (its contents start undefined). */
export function outputTensor(shape: number[], dtype: tf.DataType = "float32"): tf.TensorInfo {
  const info = webGpuBackend().makeTensorInfo(shape, dtype);
  webGpuBackend().uploadToGPU(info.dataId);
  return info;
}

/** The storage-buffer declaration lines for `names`, read-only unless listed in `writable`. */
export function bindings(names: string[], writable: string[] = [], types: Record<string, string> = {}): string {
  return names
    .map((n, i) => `@group(0) @binding(${i}) var<storage, ${writable.includes(n) ? "read_write" : "read"}> ${n}: array<${types[n] ?? "f32"}>;`)
    .concat(`@group(0) @binding(${names.length}) var<uniform> params: Params;`)
    .join("\n");
}
