import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../trainer/backend.js";
import { loraConfigSchema } from "../../trainer/config.js";
import { generate } from "../../trainer/generate.js";
import { fastKernels, simdKernels } from "../../trainer/kernels.js";
import { createAdapters, disposeAdapters } from "../../trainer/lora.js";
import { clearKvCache, decodeStep, disposeParams, emptyKvCache, forward, initParams, plainKernels, type Params } from "../../trainer/model.js";
import { tinyModel } from "./helpers.js";

let params: Params;
beforeAll(async () => {
  await selectBackend("wasm");
  params = initParams(tinyModel, 9);
  // Larger weights than GPT-2's init, so attention is far from uniform and a wrong mask shows.
  for (const p of params.values()) if (p.shape.length === 2) tf.tidy(() => p.assign(tf.mul(p, 20)));
});
afterAll(() => disposeParams(params));

const T = tinyModel.blockSize;
const ids = (B: number, n: number, seed: number) => tf.tensor2d(Int32Array.from({ length: B * n }, (_, i) => (i * 7 + seed * 3 + ((i * i) % 5)) % tinyModel.vocabSize), [B, n], "int32");

/** max |a − b| / max |b|. */
function relativeError(a: tf.Tensor, b: tf.Tensor): number {
  const x = a.dataSync();
  const y = b.dataSync();
  expect(x.length).toBe(y.length);
  let worst = 0;
  let scale = 0;
  y.forEach((v, i) => {
    worst = Math.max(worst, Math.abs(v - x[i]!));
    scale = Math.max(scale, Math.abs(v));
  });
  return worst / scale;
}

describe("decodeStep (KV cache)", () => {
  it.each([
    ["one sequence, chunks 3+1+2", 1, [3, 1, 2]],
    ["two sequences, one token at a time", 2, [1, 1, 1, 1, 1, 1]],
    ["the whole block at once", 2, [T]],
  ] as const)("gives forward's logits for every position: %s", (_, B, chunks) => {
    const sequence = ids(B, T, B);
    const expected = forward(tinyModel, params, sequence);
    const cache = emptyKvCache();
    const pieces: tf.Tensor[] = [];
    let at = 0;
    for (const n of chunks) {
      const chunk = tf.slice(sequence, [0, at], [B, n]);
      // [B·n, V] rows are sequence-major: reshape to [B, n, V] to line up with forward's [B, T, V].
      pieces.push(tf.reshape(decodeStep(tinyModel, params, chunk as tf.Tensor2D, cache), [B, n, tinyModel.vocabSize]));
      chunk.dispose();
      at += n;
    }
    expect(cache.length).toBe(T);
    expect(cache.keys).toHaveLength(tinyModel.layers);
    expect(cache.keys[0]!.shape).toEqual([B, tinyModel.heads, T, tinyModel.width / tinyModel.heads]);
    const actual = tf.concat(pieces, 1);
    expect(relativeError(actual, tf.reshape(expected, [B, T, tinyModel.vocabSize]))).toBeLessThan(1e-5);
    clearKvCache(cache);
    tf.dispose([sequence, expected, actual, ...pieces]);
  });

  it("applies LoRA adapters as forward does", () => {
    const adapters = createAdapters(tinyModel, params, loraConfigSchema.parse({ rank: 2, alpha: 4, targets: ["attn.c_attn", "mlp.c_fc"] }), 3);
    for (const adapter of adapters.values()) tf.tidy(() => adapter.b.assign(tf.randomNormal(adapter.b.shape, 0, 0.5, "float32", 4)));
    const sequence = ids(1, 4, 5);
    const expected = forward(tinyModel, params, sequence, { adapters });
    const without = forward(tinyModel, params, sequence);
    const cache = emptyKvCache();
    const first = decodeStep(tinyModel, params, tf.slice(sequence, [0, 0], [1, 3]) as tf.Tensor2D, cache, { adapters });
    const second = decodeStep(tinyModel, params, tf.slice(sequence, [0, 3], [1, 1]) as tf.Tensor2D, cache, { adapters });
    const actual = tf.concat([first, second], 0);
    expect(relativeError(without, expected)).toBeGreaterThan(1e-2); // the adapters do change the output
    expect(relativeError(actual, expected)).toBeLessThan(1e-5);
    clearKvCache(cache);
    tf.dispose([sequence, expected, without, first, second, actual]);
    disposeAdapters(adapters);
  });

  it("refuses to go past the block size", () => {
    const cache = emptyKvCache();
    const sequence = ids(1, T, 1);
    tf.dispose(decodeStep(tinyModel, params, sequence, cache));
    expect(() => decodeStep(tinyModel, params, tf.tensor2d([1], [1, 1], "int32"), cache)).toThrow(/block size/);
    clearKvCache(cache);
    sequence.dispose();
  });
});

describe("generate with and without the KV cache", () => {
  const sampling = [
    ["greedy", { temperature: 0, topK: 0, topP: 1 }],
    ["temperature 1, top-k 5", { temperature: 1, topK: 5, topP: 1 }],
    ["temperature 0.8, top-p 0.9", { temperature: 0.8, topK: 0, topP: 0.9 }],
  ] as const;
  it.each(sampling)("gives the same tokens past the block size (the window slides): %s", async (_, options) => {
    for (const kernels of [plainKernels, fastKernels, simdKernels]) {
      for (const seed of [1, 2, 3]) {
        const prompt = [seed, 4, 2];
        const base = { ...options, maxNewTokens: 2 * T, seed, kernels };
        const before = tf.memory().numTensors;
        const cached = await generate(tinyModel, params, prompt, base);
        expect(tf.memory().numTensors).toBe(before);
        expect(cached).toHaveLength(2 * T);
        expect(cached).toEqual(await generate(tinyModel, params, prompt, { ...base, kvCache: false }));
      }
    }
  });

  it("stops after eos either way", async () => {
    const options = { temperature: 0, topK: 0, topP: 1, maxNewTokens: 20, seed: 1 };
    const free = await generate(tinyModel, params, [1, 2], options);
    const eosId = free[2]!;
    const stopped = await generate(tinyModel, params, [1, 2], { ...options, eosId });
    expect(stopped).toEqual(free.slice(0, free.indexOf(eosId) + 1));
    expect(await generate(tinyModel, params, [1, 2], { ...options, eosId, kvCache: false })).toEqual(stopped);
  });
});
