import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../trainer/backend.js";
import { batchedMatMul } from "../../trainer/batched-matmul.js";
import type { ModelConfig } from "../../trainer/config.js";
import { fastKernels, simdKernels } from "../../trainer/kernels.js";
import { forward, headTokenLosses, hiddenStates, initParams, plainKernels, type Kernels } from "../../trainer/model.js";
import { batchLoss, batchTensors } from "../../trainer/step.js";
import { randomBatch } from "./helpers.js";

beforeAll(async () => {
  await selectBackend("wasm");
});

function randomArray(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1);
}

/** c[i] = a[i]·b[i or 0] by the schoolbook triple loop, in float64. */
function referenceProduct(a: Float32Array, b: Float32Array, n: number, m: number, k: number, p: number, broadcast: boolean): Float64Array {
  const c = new Float64Array(n * m * p);
  for (let i = 0; i < n; i++) {
    const bi = broadcast ? 0 : i;
    for (let r = 0; r < m; r++) for (let col = 0; col < p; col++) {
      let sum = 0;
      for (let j = 0; j < k; j++) sum += a[i * m * k + r * k + j]! * b[bi * k * p + j * p + col]!;
      c[i * m * p + r * p + col] = sum;
    }
  }
  return c;
}

function maxAbsDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i]! - y[i]!));
  return max;
}

describe("batchedMatMul on wasm (our SIMD product over the batch)", () => {
  it("equals the triple loop, with and without a broadcast right operand, on several shapes", () => {
    expect(tf.getBackend()).toBe("wasm");
    for (const [n, m, k, p, broadcast] of [[3, 5, 7, 4, false], [4, 6, 3, 9, true], [32, 128, 32, 128, false], [32, 128, 128, 32, false]] as const) {
      const a = randomArray(n * m * k, 1 + n);
      const b = randomArray((broadcast ? 1 : n) * k * p, 2 + p);
      const got = tf.tidy(() => batchedMatMul(tf.tensor3d(a, [n, m, k]), tf.tensor3d(b, [broadcast ? 1 : n, k, p])).dataSync());
      expect(got.length).toBe(n * m * p);
      expect(maxAbsDiff(got, referenceProduct(a, b, n, m, k, p, broadcast))).toBeLessThan(1e-4 * Math.sqrt(k));
    }
  });

  it("gradients: da = dy·bᵀ and db = aᵀ·dy (summed over the batch when b is broadcast)", () => {
    const [n, m, k, p] = [3, 4, 5, 6];
    for (const broadcast of [false, true]) {
      const a = randomArray(n * m * k, 11);
      const b = randomArray((broadcast ? 1 : n) * k * p, 12);
      const dy = randomArray(n * m * p, 13);
      const [da, db] = tf.tidy(() => {
        const grads = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(batchedMatMul(x as tf.Tensor3D, y as tf.Tensor3D), tf.tensor3d(dy, [n, m, p]))));
        return grads([tf.tensor3d(a, [n, m, k]), tf.tensor3d(b, [broadcast ? 1 : n, k, p])]).map((g) => g.dataSync());
      });
      const expectedDa = new Float64Array(n * m * k);
      const expectedDb = new Float64Array((broadcast ? 1 : n) * k * p);
      for (let i = 0; i < n; i++) {
        const bi = broadcast ? 0 : i;
        for (let r = 0; r < m; r++) for (let j = 0; j < k; j++) for (let c = 0; c < p; c++) {
          expectedDa[i * m * k + r * k + j]! += dy[i * m * p + r * p + c]! * b[bi * k * p + j * p + c]!;
          expectedDb[bi * k * p + j * p + c]! += a[i * m * k + r * k + j]! * dy[i * m * p + r * p + c]!;
        }
      }
      expect(maxAbsDiff(da!, expectedDa)).toBeLessThan(1e-5);
      expect(maxAbsDiff(db!, expectedDb)).toBeLessThan(1e-5);
    }
  });

  it("never reuses a stale packed operand and leaks no tensors across calls", () => {
    const a = tf.tensor3d(randomArray(2 * 3 * 4, 21), [2, 3, 4]);
    const before = tf.memory().numTensors;
    for (let round = 0; round < 3; round++) {
      for (const seed of [31, 32]) {
        const bValues = randomArray(2 * 4 * 5, seed + round);
        const got = tf.tidy(() => batchedMatMul(a, tf.tensor3d(bValues, [2, 4, 5])).dataSync());
        expect(maxAbsDiff(got, referenceProduct(a.dataSync() as Float32Array, bValues, 2, 3, 4, 5, false))).toBeLessThan(1e-5);
      }
    }
    expect(tf.memory().numTensors).toBe(before);
    a.dispose();
  });
});

describe.each([fastKernels, simdKernels])("$name kernels against the plain tfjs ones on wasm, several heads", (kernels) => {
  it.each([32, 28])("loss and every gradient agree on a 4-head model of width %i", (width) => {
    const config: ModelConfig = { vocabSize: 37, blockSize: 16, layers: 2, heads: 4, width, dropout: 0 };
    const params = initParams(config, 9);
    const gradsWith = (k: Kernels) => {
      const t = batchTensors(randomBatch(config, 3, 17));
      const { value, grads } = tf.variableGrads(() => batchLoss({ config, params, kernels: k }, t), [...params.values()]);
      const out = { loss: value.dataSync()[0]!, grads: [...params.values()].map((v) => Array.from(grads[v.name]!.dataSync())) };
      tf.dispose([value, ...Object.values(grads), t.ids, t.targets, t.mask]);
      return out;
    };
    const plain = gradsWith(plainKernels);
    const other = gradsWith(kernels);
    expect(other.loss).toBeCloseTo(plain.loss, 5);
    plain.grads.forEach((g, i) => {
      const scale = Math.max(1e-3, ...g.map(Math.abs));
      expect(maxAbsDiff(g, other.grads[i]!) / scale).toBeLessThan(1e-4);
    });
    for (const v of params.values()) v.dispose();
  });
});

describe.each([fastKernels, simdKernels])("$name kernels: the output head fused with the loss, against plain autodiff", (kernels) => {
  const [N, d, V] = [11, 5, 7];
  const x = randomArray(N * d, 41);
  const tiedHead = randomArray(V * d, 42);
  const untiedHead = randomArray(d * V, 43);
  const targetIds = Int32Array.from({ length: N }, (_, i) => (i * 3 + 1) % V);
  const mask = Float32Array.from({ length: N }, (_, i) => (i % 4 === 2 ? 0 : 1));

  /** Loss and gradients (x, head) of 0.7·headLoss, as arrays; 0.7 checks the backward pass scales by the upstream gradient. */
  function run(k: Kernels, tied: boolean, headGradient: boolean, chunkElements?: number) {
    return tf.tidy(() => {
      const targets = tf.tensor1d(targetIds, "int32");
      const m = tf.tensor1d(mask);
      const weights = tf.div(m, tf.sum(m)) as tf.Tensor1D;
      const f = (a: tf.Tensor, h: tf.Tensor) => tf.mul(k.headLoss(a as tf.Tensor2D, h as tf.Tensor2D, targets, weights, { tied, headGradient, chunkElements }), 0.7);
      const head = tied ? tf.tensor2d(tiedHead, [V, d]) : tf.tensor2d(untiedHead, [d, V]);
      const { value, grads } = tf.valueAndGrads(f)([tf.tensor2d(x, [N, d]), head]);
      return [value, ...grads].map((t) => Array.from(t.dataSync()));
    });
  }

  it.each([true, false])("tied %s: one chunk, chunks of 3 rows (the last one short), chunks of 1 row", (tied) => {
    const [loss, dx, dHead] = run(plainKernels, tied, true);
    // The unfused value written out: mean over unmasked rows of logsumexp − target logit.
    let expected = 0;
    for (let i = 0; i < N; i++) {
      if (!mask[i]) continue;
      const logits = Array.from({ length: V }, (_, v) => Array.from({ length: d }, (_, j) => x[i * d + j]! * (tied ? tiedHead[v * d + j]! : untiedHead[j * V + v]!)).reduce((a, b) => a + b, 0));
      const top = Math.max(...logits);
      expected += top + Math.log(logits.reduce((s, l) => s + Math.exp(l - top), 0)) - logits[targetIds[i]!]!;
    }
    expect(loss![0]!).toBeCloseTo((0.7 * expected) / mask.reduce((a, b) => a + b, 0), 5);
    const before = tf.memory().numTensors;
    for (const chunkElements of [undefined, 3 * V, 1]) {
      const [l, gx, gh] = run(kernels, tied, true, chunkElements);
      expect(l![0]!).toBeCloseTo(loss![0]!, 5);
      expect(maxAbsDiff(gx!, dx!)).toBeLessThan(1e-5);
      expect(maxAbsDiff(gh!, dHead!)).toBeLessThan(1e-5);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it("a frozen head: the same dx, and a zero head gradient without its product", () => {
    const [, dx] = run(plainKernels, true, true);
    const [, gx, gh] = run(kernels, true, false, 3 * V);
    expect(maxAbsDiff(gx!, dx!)).toBeLessThan(1e-5);
    expect(gh!.every((v) => v === 0)).toBe(true);
  });
});

describe("evaluation's per-token losses, a chunk of rows at a time", () => {
  const gpt: ModelConfig = { vocabSize: 37, blockSize: 16, layers: 1, heads: 2, width: 16, dropout: 0 };
  const llama: ModelConfig = { kind: "llama", vocabSize: 37, blockSize: 16, layers: 1, heads: 2, width: 16, dropout: 0, kvHeads: 1, mlpWidth: 24, ropeTheta: 10000, normEps: 1e-6, tiedEmbeddings: false };
  it.each([[gpt, "tied"], [llama, "untied"]] as const)("equal the whole logits' losses (%s head, simd and plain kernels; chunks of 5 rows, of 1 row)", (config, _head) => {
    const params = initParams(config, 3);
    const before = tf.memory().numTensors;
    for (const k of [plainKernels, simdKernels]) {
      const [whole, ...chunked] = tf.tidy(() => {
        const t = batchTensors(randomBatch(config, 3, 5));
        const hidden = hiddenStates(config, params, t.ids, { kernels: k });
        const reference = k.tokenLosses(forward(config, params, t.ids, { kernels: k }), t.targets);
        return [reference, ...[5 * config.vocabSize, 1].map((chunk) => headTokenLosses(config, params, k, hidden, t.targets, chunk))].map((x) => Array.from(x.dataSync()));
      });
      expect(whole!.length).toBe(3 * config.blockSize);
      for (const c of chunked) expect(maxAbsDiff(c, whole!)).toBeLessThan(1e-6);
    }
    expect(tf.memory().numTensors).toBe(before);
    for (const v of params.values()) v.dispose();
  });
});
