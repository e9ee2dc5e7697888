/**
 * The webgpu backend against the cpu backend, on a CPU Vulkan driver where there is no GPU: each
 * WGSL kernel's values and gradients against the plain kernels, the fused AdamW against the
 * tfjs-op one, training steps, LoRA with loss masks, KV-cache generation, evaluation, and
 * checkpoints moving between backends. It runs twice, on SwiftShader (webgpu.test.ts) and on
 * Mesa's lavapipe (webgpu-lavapipe.test.ts): two independent Vulkan implementations, so a kernel
 * that only works by one driver's accident (memory it never initialised, a missing barrier)
 * fails on the other. Models are tiny: SwiftShader compiles each shader for seconds.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeSelection, selectBackend } from "../../trainer/backend.js";
import type { ModelConfig } from "../../trainer/config.js";
import { optimConfigSchema } from "../../trainer/config.js";
import type { TokenDataset } from "../../trainer/data.js";
import { generate } from "../../trainer/generate.js";
import { kernelsFor } from "../../trainer/kernels.js";
import { disposeParams, forward, initParams, plainKernels, type Kernels, type Params } from "../../trainer/model.js";
import { AdamW } from "../../trainer/optim.js";
import { readStep, trainStep } from "../../trainer/step.js";
import { disposeResult, train, validate } from "../../trainer/train.js";
import { evaluationSet } from "../../trainer/evaluation.js";
import { loadCheckpoint } from "../../trainer/checkpoint.js";
import { adapterVariables, createAdapters, disposeAdapters, mergeAdapters } from "../../trainer/lora.js";
import { mlmBatch, mlmSettings } from "../../trainer/mlm.js";
import { webgpuKernels } from "../../trainer/webgpu/kernels.js";
import { bufferBytes } from "../../trainer/webgpu/dispatch.js";
import { columnSum } from "../../trainer/webgpu/fused.js";
import { kSlices, matMul, PRODUCT_STAGINGS, setProductStaging } from "../../trainer/webgpu/matmul.js";
import { on, randomArray, read, relativeError, valueAndGradients } from "./backend-compare.js";
import { cycleDataset, kiln, randomBatch, tinyTrainConfig, weightsOf } from "./helpers.js";
import { writeDemoLikeShards } from "./shards-fixture.js";

// SwiftShader is slow to compile shaders; nothing here is a timing assertion.
const LONG = 900_000;

const expectClose = (got: ArrayLike<number>[], want: ArrayLike<number>[], tolerance: number, label: string) => {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(relativeError(g, want[i]!), `${label} [${i}]`).toBeLessThan(tolerance));
};

type Case = { name: string; run: (k: Kernels) => Promise<number[][]> };
const kernelCases: Case[] = [
  ...([[2, 3, 70, 8], [1, 2, 33, 96], [1, 1, 1, 16], [1, 2, 130, 64], [1, 2, 20, 6]] as const).map(([B, H, T, hd], i) => ({
    name: `attention B${B} H${H} T${T} hd${hd}`,
    run: (k: Kernels) => {
      const n = B * H * T * hd;
      const make = (seed: number) => tf.tensor4d(randomArray(n, seed + 10 * i), [B, H, T, hd]);
      return valueAndGradients((q, kk, v) => k.causalAttention(q as tf.Tensor4D, kk as tf.Tensor4D, v as tf.Tensor4D), [make(1), make(2), make(3)], 4 + i);
    },
  })),
  ...([[37, 300], [5, 8], [600, 16]] as const).map(([N, d], i) => ({
    name: `layer norm ${N}×${d}`,
    run: (k: Kernels) =>
      valueAndGradients((x, g, b) => k.layerNorm(x as tf.Tensor2D, g as tf.Tensor1D, b as tf.Tensor1D), [tf.tensor2d(randomArray(N * d, 5 + i, 3), [N, d]), tf.tensor1d(randomArray(d, 6)), tf.tensor1d(randomArray(d, 7))], 8),
  })),
  ...([[300, 40, 70, true], [1100, 12, 9, true], [130, 70, 200, false]] as const).map(([n, d, out, bias], i) => ({
    // 1100 rows: the weight gradient's k is split in two slices.
    name: `linear ${n}×${d}·${d}×${out}${bias ? " + bias" : ""}`,
    run: (k: Kernels) => {
      const inputs = [tf.tensor2d(randomArray(n * d, 50 + i, 2), [n, d]), tf.tensor2d(randomArray(d * out, 51 + i), [d, out]), ...(bias ? [tf.tensor1d(randomArray(out, 52 + i))] : [])];
      return valueAndGradients((x, w, b) => k.linear(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D | undefined), inputs, 53 + i);
    },
  })),
  {
    name: "gelu 37×300",
    run: (k) => valueAndGradients((x) => k.gelu(x as tf.Tensor2D), [tf.tensor2d(randomArray(37 * 300, 9, 4), [37, 300])], 10),
  },
  ...([[9, 600], [37, 11]] as const).map(([N, V], i) => ({
    name: `cross-entropy ${N}×${V}`,
    run: (k: Kernels) => {
      const targets = tf.tensor1d(Int32Array.from({ length: N }, (_, r) => (r * 7 + i) % V), "int32");
      return valueAndGradients((x) => k.tokenLosses(x as tf.Tensor2D, targets), [tf.tensor2d(randomArray(N * V, 11 + i, 5), [N, V])], 12).finally(() => targets.dispose());
    },
  })),
  ...([[true, 256], [false, 256], [true, undefined]] as const).map(([tied, chunkElements]) => ({
    name: `output head fused with the loss, ${tied ? "tied" : "untied"}, ${chunkElements ? "chunks of 4 rows" : "one chunk"}`,
    run: (k: Kernels) => {
      const [N, d, V] = [15, 16, 60];
      const targets = tf.tensor1d(Int32Array.from({ length: N }, (_, r) => (r * 7 + 2) % V), "int32");
      const weights = tf.tensor1d(Float32Array.from({ length: N }, (_, r) => (r % 5 === 3 ? 0 : 1 / 12)));
      const head = tied ? tf.tensor2d(randomArray(V * d, 13, 0.5), [V, d]) : tf.tensor2d(randomArray(d * V, 14, 0.5), [d, V]);
      return valueAndGradients((x, h) => k.headLoss(x as tf.Tensor2D, h as tf.Tensor2D, targets, weights, { tied, headGradient: true, chunkElements }), [tf.tensor2d(randomArray(N * d, 15, 2), [N, d]), head], 16).finally(() => tf.dispose([targets, weights]));
    },
  })),
];

const model: ModelConfig = { vocabSize: 13, blockSize: 8, layers: 2, heads: 2, width: 16, dropout: 0 };
/**
 * The key bias's gradient is zero in exact arithmetic (softmax ignores a constant added to a
 * query's scores), so each backend's is rounding noise of ~1e-9, and Adam with ε = 1e-8 turns
 * that noise into ±lr steps of arbitrary sign. ε = 1e-6 keeps noise small without changing any
 * other update measurably; the comparison is then of the computed function, not of the noise.
 */
const EPSILON = 1e-6;

/**
 * Five AdamW steps (clipping, decay, two micro-batches, a partly masked one) from seeded weights:
 * losses, weights, the tensor count after each step, and 12 greedy tokens from the KV cache.
 */
async function fiveSteps(config: ModelConfig, epsilon = EPSILON) {
  const T = config.blockSize;
  const micro = [randomBatch(config, 2, 3, [...Array(2 * T - 5).fill(1), ...Array(5).fill(0)]), randomBatch(config, 2, 4)];
  const params = initParams(config, 7);
  const optimizer = new AdamW(optimConfigSchema.parse({ weightDecay: 0.1, gradClip: 0.5, epsilon }), params);
  const state = { config, params, trainable: params, optimizer, kernels: kernelsFor() };
  const losses: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < 5; i++) {
    losses.push((await readStep(trainStep(state, micro, 1e-2, 0.5))).loss);
    counts.push(tf.memory().numTensors);
  }
  const weights = Object.values(await weightsOf(params));
  const tokens = await generate(config, params, [3, 7], { maxNewTokens: 12, temperature: 0, topK: 0, topP: 1, seed: 1, kernels: kernelsFor() });
  optimizer.dispose();
  disposeParams(params);
  return { losses, weights, counts, tokens };
}

/**
 * Three steps of each other recipe from seeded weights: a masked-LM encoder with padding, segments
 * and next-sentence prediction; HydraLoRA (three experts); and distillation from a frozen teacher.
 */
async function recipeSteps() {
  const kernels = kernelsFor();
  const losses: number[] = [];
  const weights: number[][] = [];
  const run = async (state: Parameters<typeof trainStep>[0], batch: Parameters<typeof trainStep>[1]) => {
    for (let i = 0; i < 3; i++) losses.push((await readStep(trainStep(state, batch, 1e-2, 1))).loss);
    weights.push(...Object.values(await weightsOf(state.trainable)));
    state.optimizer.dispose();
  };
  const encoder: ModelConfig = { ...model, kind: "encoder", nsp: true };
  // Four windows, the last padded, half of the tokens selected: enough loss positions that every
  // weight's gradient is well above float rounding (Adam divides it by its own scale).
  const window = randomBatch(encoder, 4, 5, [...Array(29).fill(1), ...Array(3).fill(0)]);
  const encoderParams = initParams(encoder, 7);
  await run({ config: encoder, params: encoderParams, trainable: encoderParams, optimizer: new AdamW(optimConfigSchema.parse({ epsilon: EPSILON }), encoderParams), kernels }, [mlmBatch(window, mlmSettings({ cls: 0, sep: 1, mask: 2, pad: 3 }, 13, 0.5, undefined, undefined, true), 3)]);
  disposeParams(encoderParams);
  const base = initParams(model, 7);
  const adapters = createAdapters(model, base, { rank: 2, alpha: 4, dropout: 0, experts: 3 }, 1);
  const trainable = adapterVariables(adapters);
  await run({ config: model, params: base, adapters, trainable, optimizer: new AdamW(optimConfigSchema.parse({ epsilon: EPSILON, weightDecay: 0 }), trainable), kernels }, [randomBatch(model, 2, 6)]);
  disposeAdapters(adapters);
  const teacher = initParams({ ...model, width: 32 }, 9);
  await run({ config: model, params: base, trainable: base, optimizer: new AdamW(optimConfigSchema.parse({ epsilon: EPSILON }), base), kernels, distill: { teacher: { config: { ...model, width: 32 }, params: teacher, kernels }, alpha: 0.5, temperature: 2 } }, [randomBatch(model, 2, 7)]);
  disposeParams(teacher);
  disposeParams(base);
  return { losses, weights };
}

/** The suite on one driver: `adapter` matches how the log names its adapter; `skip` when it is not installed. */
export function webgpuSuite(driver: string, adapter: RegExp, skip: boolean): void {
  describe.skipIf(skip)(`webgpu backend (${driver} in CI)`, () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), "kiln-webgpu-"));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it("selects the adapter by name, says what it is and which kernels run; auto passes a software adapter by", async () => {
      const selection = await selectBackend("webgpu");
      expect(tf.getBackend()).toBe("webgpu");
      expect(selection.adapter?.software).toBe(true);
      expect(describeSelection(selection)).toMatch(new RegExp(`^backend webgpu on ${adapter.source}.*\\(software\\); features: .*kernels: flash-attention`));
      expect(kernelsFor()).toBe(webgpuKernels);
      const auto = await selectBackend("auto");
      expect(auto.name).toBe("wasm");
      expect(auto.skipped.find((s) => s.startsWith("webgpu:"))).toMatch(new RegExp(`only a software adapter .*${adapter.source}`));
    }, LONG);

    it.each(kernelCases)("WGSL kernel equals the plain kernel, values and gradients: $name", async ({ run }) => {
      const want = await on("cpu", () => run(plainKernels));
      const got = await on("webgpu", () => run(webgpuKernels));
      expectClose(got, want, 1e-4, "kernel");
    }, LONG);

    it("the f32 product, every transpose, with and without a bias, k split in slices or not, in each staging of the operands, equals tfjs's on the cpu", async () => {
      const product = (M: number, K: number, N: number, ta: boolean, tb: boolean, bias: boolean) => async (mul: typeof tf.matMul | typeof matMul) => {
        const a = tf.tensor2d(randomArray(M * K, M + K), ta ? [K, M] : [M, K]);
        const b = tf.tensor2d(randomArray(K * N, K + N), tb ? [N, K] : [K, N]);
        const c = bias ? tf.add(mul(a, b, ta, tb), tf.tensor1d(randomArray(N, N))) : mul(a, b, ta, tb);
        return read([c]);
      };
      for (const [M, K, N] of [[130, 1300, 70], [257, 40, 129]] as const) {
        expect(kSlices(M, K, N)).toBe(K > 1000 ? 2 : 1);
        for (const [ta, tb, bias] of [[false, false, true], [true, false, false], [false, true, true], [true, true, false]] as const) {
          const want = await on("cpu", () => product(M, K, N, ta, tb, bias)(tf.matMul));
          const fused = (a: tf.Tensor2D, b: tf.Tensor2D, x: boolean, y: boolean) => matMul(a, b, x, y, bias ? tf.tensor1d(randomArray(N, N)) : undefined);
          const got = await on("webgpu", () => product(M, K, N, ta, tb, false)(fused as typeof matMul));
          expectClose(got, want, 1e-5, `${M}×${K}×${N} ta ${ta} tb ${tb} bias ${bias}`);
          // The other stagings add the same products in the same order: the same bits.
          for (const staging of PRODUCT_STAGINGS.filter((s) => s !== "plain")) {
            setProductStaging(staging);
            try {
              expect(await on("webgpu", () => product(M, K, N, ta, tb, false)(fused as typeof matMul)), staging).toEqual(got);
            } finally {
              setProductStaging("plain");
            }
          }
        }
      }
    }, LONG);

    it("the embedding gradient (UnsortedSegmentSum) adds each segment's rows in position order: the cpu's sums, and the same bits on every run", async () => {
      // 700 positions over three chunks of 256; ids repeat within and across chunks, some are out of range (skipped).
      for (const [N, V, W] of [[700, 13, 5], [700, 300, 300], [1, 4, 3]] as const) {
        const ids = Int32Array.from({ length: N }, (_, p) => (p % 37 === 5 ? V + 2 : p % 41 === 7 ? -1 : (p * p * 7 + 3 * p) % V));
        const sum = () => read([tf.unsortedSegmentSum(tf.tensor2d(randomArray(N * W, N + W, 3), [N, W]), tf.tensor1d(ids, "int32"), V)]);
        const want = await on("cpu", sum);
        const first = await on("webgpu", sum);
        expect(first[0]!.length).toBe(V * W);
        // The cpu adds in float64 (JS numbers), the GPU in f32, one row at a time.
        expectClose(first, want, 1e-6, `N ${N} V ${V} W ${W}`);
        expect(Array.from(first[0]!).map((v, i) => (v === 0) === (want[0]![i] === 0)).every(Boolean)).toBe(true);
        expect(await on("webgpu", sum)).toEqual(first);
      }
      // As the gradient of an embedding lookup.
      const grad = (backend: "cpu" | "webgpu") =>
        on(backend, () => {
          const table = tf.tensor2d(randomArray(13 * 6, 60), [13, 6]);
          const ids = tf.tensor1d(Int32Array.from({ length: 300 }, (_, p) => (p * 5) % 13), "int32");
          const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, ids), tf.reshape(tf.range(0, 300 * 6), [300, 6]))))(table);
          tf.dispose([table, ids]);
          return read([g]);
        });
      expectClose(await grad("webgpu"), await grad("cpu"), 1e-6, "gather gradient");
    }, LONG);

    it("the column sum (bias gradients) adds chunks of rows in order: sums computed here, and the same bits on every run", async () => {
      // 1 row, one chunk of 256, a chunk and a part, and six chunks with columns past a group of 64.
      for (const [rows, cols] of [[1, 5], [256, 64], [300, 70], [1500, 130]] as const) {
        const values = randomArray(rows * cols, rows + cols, 3);
        const want = new Float64Array(cols);
        for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) want[c]! += values[r * cols + c]!;
        const sum = () => read([columnSum(tf.tensor2d(values, [rows, cols]))]);
        const first = await on("webgpu", sum);
        expect(first[0]!.length).toBe(cols);
        expectClose(first, [want], 1e-5, `${rows}×${cols}`);
        expect(await on("webgpu", sum)).toEqual(first);
      }
    }, LONG);

    it("GPU memory follows the shapes in use: buffers of a batch size or KV-cache length no longer used are freed, not pooled", async () => {
      const allocated = () => (tf.memory() as unknown as { numBytesAllocatedInGPU: number }).numBytesAllocatedInGPU;
      await on("webgpu", async () => {
        const config: ModelConfig = { ...model, blockSize: 128 };
        const params = initParams(config, 3);
        const optimizer = new AdamW(optimConfigSchema.parse({}), params);
        const state = { config, params, trainable: params, optimizer, kernels: kernelsFor() };
        const steps = async (B: number, n: number) => {
          for (let i = 0; i < n; i++) await readStep(trainStep(state, [randomBatch(config, B, i + 1)], 1e-3, 1));
        };
        // Batch 2's footprint once its shapes are pooled; after batch 8 and two batch-2 steps, the same.
        await steps(2, 3);
        const batchTwo = allocated();
        await steps(8, 2);
        expect(allocated()).toBeGreaterThan(batchTwo);
        await steps(2, 2);
        expect(allocated()).toBe(batchTwo);
        // Generation: the KV cache grows a token at a time, so memory grows with the length (not its
        // square, as when every past length's buffers stay pooled) and returns after a shorter run.
        const sample = (n: number) => generate(config, params, [1, 2], { maxNewTokens: n, temperature: 0, topK: 0, topP: 1, seed: 1, kernels: kernelsFor() });
        await sample(30);
        const short = allocated();
        await sample(120);
        expect(allocated()).toBeLessThan(4 * short);
        await sample(30);
        expect(allocated()).toBe(short);
        optimizer.dispose();
        disposeParams(params);
      });
    }, LONG);

    it("bufferBytes counts each GPU buffer once: a reshape shares its input's, a product has its own", async () => {
      await on("webgpu", async () => {
        const start = bufferBytes().now;
        const tensorsStart = tf.memory().numBytes;
        const a = tf.fill([1000], 2);
        const view = tf.reshape(a, [10, 100]);
        const square = tf.mul(a, a);
        await square.data(); // submitted and read: the uniforms and the read-back buffer are released
        // Three tensors of 4,000 bytes for tfjs's count; two buffers on the device.
        expect(tf.memory().numBytes - tensorsStart).toBe(12000);
        expect(bufferBytes().now - start).toBe(8000);
        tf.dispose([a, view, square]);
        const { now, peak } = bufferBytes();
        expect(peak - start).toBeGreaterThanOrEqual(8000);
        expect(now).toBe(start);
      });
    });

    it("the in-place AdamW equals the tfjs-op AdamW (clip factor, decay on matrices only)", async () => {
      const config = optimConfigSchema.parse({ weightDecay: 0.1 });
      const steps = async () => {
        const w = tf.variable(tf.tensor2d(randomArray(12, 21), [3, 4]));
        const b = tf.variable(tf.tensor1d(randomArray(4, 22)));
        const optimizer = new AdamW(config, new Map<string, tf.Variable>([["w", w], ["b", b]]));
        for (let step = 0; step < 3; step++) {
          const grads = new Map<string, tf.Tensor>([["w", tf.tensor2d(randomArray(12, 30 + step), [3, 4])], ["b", tf.tensor1d(randomArray(4, 40 + step))]]);
          const factor = tf.scalar(0.5);
          optimizer.step(grads, 0.01 * (step + 1), factor);
          tf.dispose([factor, ...grads.values()]);
        }
        const out = await read([w, b, optimizer.m.get("w")!, optimizer.v.get("b")!]);
        optimizer.dispose();
        tf.dispose([w, b]);
        return out;
      };
      expectClose(await on("webgpu", steps), await on("cpu", steps), 1e-5, "adamw");
    }, LONG);

    it("5 training steps give the cpu's losses and weights; the tensor count stays flat", async () => {
      const cpu = await on("cpu", () => fiveSteps(model));
      const gpu = await on("webgpu", () => fiveSteps(model));
      expectClose([gpu.losses], [cpu.losses], 1e-4, "losses");
      expectClose(gpu.weights, cpu.weights, 1e-4, "weights");
      expect(new Set(gpu.counts.slice(1)).size).toBe(1);
    }, LONG);

    it("the other recipes train as on the cpu: an encoder with padding and next-sentence pairs, HydraLoRA, distillation", async () => {
      const cpu = await on("cpu", recipeSteps);
      const gpu = await on("webgpu", recipeSteps);
      expectClose([gpu.losses], [cpu.losses], 1e-4, "losses");
      expectClose(gpu.weights, cpu.weights, 1e-4, "weights");
    }, LONG);

    it("Llama-family models (GQA, RoPE, RMSNorm, SwiGLU): PyTorch's logits for the HF fixtures, and training and KV-cache generation as on the cpu", async () => {
      for (const family of ["hf-llama", "hf-qwen2", "hf-mistral"]) {
        const folder = path.join(import.meta.dirname, "fixtures", family);
        const { ids, logits } = JSON.parse(await readFile(path.join(folder, "expected.json"), "utf8")) as { ids: number[][]; logits: number[][][] };
        const got = await on("webgpu", async () => {
          const loaded = await loadCheckpoint(folder);
          const params: Params = new Map([...loaded.weights].map(([name, t]) => [name, tf.variable(t, false)]));
          const out = tf.tidy(() => forward(loaded.meta.model, params, tf.tensor2d(ids, [ids.length, ids[0]!.length], "int32"), { kernels: kernelsFor() }));
          const values = Array.from(await out.data());
          tf.dispose([out, ...loaded.weights.values()]);
          disposeParams(params);
          return values;
        });
        // PyTorch's logits are float64; the fixtures' ids are shorter than every model's context.
        expect(relativeError(got, logits.flat(2)), family).toBeLessThan(1e-4);
      }
      const llama: ModelConfig = { kind: "llama", vocabSize: 13, blockSize: 8, layers: 2, heads: 4, kvHeads: 2, width: 16, dropout: 0, tiedEmbeddings: false };
      // In this model's first step one gradient entry (h.0.attn.o_proj.w[79]) is −5.5e-7, ten thousand
      // times below the median (5e-3): with ε = 1e-6 Adam's step there is g/(|g| + ε), which turns
      // the 1e-9 rounding of any sum order into 5e-6 of weight. ε = 1e-4 damps that one entry and
      // leaves every other step within 2% of its size; both backends run the same ε.
      const cpu = await on("cpu", () => fiveSteps(llama, 1e-4));
      const gpu = await on("webgpu", () => fiveSteps(llama, 1e-4));
      expectClose([gpu.losses], [cpu.losses], 1e-4, "losses");
      expectClose(gpu.weights, cpu.weights, 1e-4, "weights");
      expect(new Set(gpu.counts.slice(1)).size).toBe(1);
      expect(cpu.tokens).toHaveLength(12);
      expect(gpu.tokens).toEqual(cpu.tokens);
    }, LONG);

    it("checkpoints move between backends: webgpu for 3 steps, resumed on wasm to 6 == cpu for 6", async () => {
      const data = () => ({ train: cycleDataset(13, 400), val: cycleDataset(13, 120), log: () => {}, peakFlops: 1e9 });
      const config = (out: string) => {
        const base = tinyTrainConfig(path.join(dir, out), { steps: 6, evalEvery: 0, logEvery: 2, model: { ...model } });
        return { ...base, optim: { ...base.optim, epsilon: EPSILON } };
      };
      const straight = await on("cpu", async () => {
        const run = await train(config("cpu"), data());
        const out = { losses: run.trainLosses, weights: Object.values(await weightsOf(run.params)) };
        disposeResult(run);
        return out;
      });
      const first = await on("webgpu", async () => {
        const run = await train(config("moved"), { ...data(), stopAfter: 3 });
        disposeResult(run);
        return run.trainLosses;
      });
      const rest = await on("wasm", async () => {
        const run = await train(config("moved"), data());
        const out = { losses: run.trainLosses, weights: Object.values(await weightsOf(run.params)) };
        disposeResult(run);
        return out;
      });
      expectClose([[...first, ...rest.losses]], [straight.losses], 1e-4, "losses");
      expectClose(rest.weights, straight.weights, 1e-4, "weights");
    }, LONG);

    it("LoRA fine-tuning with a loss mask, the merged model, generation and evaluation match the cpu", async () => {
      // Instruction-like documents: only the second half of each is trained on.
      const masked: TokenDataset = {
        vocabSize: 13,
        documents: () => Array.from({ length: 30 }, (_, d) => ({ tokens: Uint32Array.from({ length: 12 }, (_, i) => (d + i * 3) % 13), lossMask: Uint8Array.from({ length: 12 }, (_, i) => (i >= 6 ? 1 : 0)), source: "chat" })),
      };
      await on("cpu", async () => {
        const run = await train(tinyTrainConfig(path.join(dir, "base"), { steps: 3, evalEvery: 0, model: { ...model } }), { train: cycleDataset(13, 400), log: () => {}, peakFlops: 1e9 });
        disposeResult(run);
      });
      const finetune = async (out: string) => {
        const run = await train(
          tinyTrainConfig(path.join(dir, out), { steps: 4, evalEvery: 0, init: { from: path.join(dir, "base", "checkpoint"), mode: "lora" }, lora: { rank: 2, alpha: 4, dropout: 0, targets: ["attn.c_attn", "mlp.c_fc"] } }),
          { train: masked, log: () => {}, peakFlops: 1e9 },
        );
        const kernels = kernelsFor();
        const ids = tf.tensor2d([[3, 7, 1, 9, 4, 0, 8, 2]], [1, 8], "int32");
        const adapted = tf.tidy(() => forward(run.model, run.params, ids, { adapters: run.adapters, kernels }));
        const adapters = await read([...run.adapters!.values()].flatMap((a) => [a.a, a.b]));
        const set = await evaluationSet(masked, run.model.blockSize, 2, 3);
        const evaluation = await validate({ config: run.model, params: run.params, adapters: run.adapters, kernels }, set);
        const tokens = await generate(run.model, run.params, [3, 7], { maxNewTokens: 12, temperature: 0, topK: 0, topP: 1, seed: 1, adapters: run.adapters, kernels });
        mergeAdapters(run.params, run.adapters!);
        const merged = tf.tidy(() => forward(run.model, run.params, ids, { kernels }));
        const [adaptedLogits, mergedLogits] = await read([adapted, merged]);
        tf.dispose([ids, adapted, merged]);
        disposeResult(run);
        return { losses: run.trainLosses, adapters, loss: evaluation.loss, tokens, adaptedLogits: adaptedLogits!, mergedLogits: mergedLogits! };
      };
      const cpu = await on("cpu", () => finetune("lora-cpu"));
      const gpu = await on("webgpu", () => finetune("lora-gpu"));
      expectClose([gpu.losses], [cpu.losses], 1e-4, "losses");
      expectClose(gpu.adapters, cpu.adapters, 1e-4, "adapters");
      expectClose([gpu.adaptedLogits], [cpu.adaptedLogits], 1e-4, "logits");
      expectClose([gpu.mergedLogits], [gpu.adaptedLogits], 1e-4, "merged");
      expect(Math.abs(gpu.loss - cpu.loss) / cpu.loss).toBeLessThan(1e-4);
      expect(gpu.tokens).toEqual(cpu.tokens);
    }, LONG);

    it("kiln train, generate and eval run end to end with --backend webgpu", async () => {
      const { shards } = await writeDemoLikeShards(path.join(dir, "cli-data"), { articles: 30, vocabSize: 300 });
      const yaml = path.join(dir, "cli-train.yaml");
      const out = path.join(dir, "cli-run");
      await writeFile(yaml, stringify({ out, backend: "webgpu", data: { train: shards }, model: { blockSize: 16, layers: 1, heads: 2, width: 16 }, steps: 4, batchSize: 2, logEvery: 2, evalEvery: 0, evalBatches: 1, checkpointEvery: 0 }));
      const trained = await kiln(["train", yaml]);
      expect(trained.code, trained.stderr).toBe(0);
      expect(trained.stderr).toMatch(new RegExp(`backend webgpu on ${adapter.source}.*kernels: flash-attention`));
      expect(trained.stderr).toMatch(/kernels webgpu/);
      const metrics = (await readFile(path.join(out, "metrics.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { kind: string; step: number; loss: number });
      expect(metrics.filter((m) => m.kind === "train").map((m) => m.step)).toEqual([2, 4]);
      expect(metrics.every((m) => Number.isFinite(m.loss))).toBe(true);
      const generated = await kiln(["generate", "--ckpt", path.join(out, "checkpoint"), "--tokens", "1,2,3", "--max-tokens", "5", "--temperature", "0", "--backend", "webgpu"]);
      expect(generated.code, generated.stderr).toBe(0);
      const onWasm = await kiln(["generate", "--ckpt", path.join(out, "checkpoint"), "--tokens", "1,2,3", "--max-tokens", "5", "--temperature", "0", "--backend", "wasm"]);
      expect(onWasm.code, onWasm.stderr).toBe(0);
      expect(generated.stdout).toEqual(onWasm.stdout);
      expect(generated.stdout.trim().split(",")).toHaveLength(5);
      const evaluated = await kiln(["eval", "--ckpt", path.join(out, "checkpoint"), "--data", shards, "--batches", "2", "--batch-size", "2", "--backend", "webgpu"]);
      expect(evaluated.code, evaluated.stderr).toBe(0);
      const evaluatedOnWasm = await kiln(["eval", "--ckpt", path.join(out, "checkpoint"), "--data", shards, "--batches", "2", "--batch-size", "2", "--backend", "wasm"]);
      const lossOf = (text: string) => (JSON.parse(text.trim().split("\n").at(-1)!) as { loss: number }).loss;
      expect(Math.abs(lossOf(evaluated.stdout) - lossOf(evaluatedOnWasm.stdout)) / lossOf(evaluatedOnWasm.stdout)).toBeLessThan(1e-4);
    }, LONG);
  });
}
