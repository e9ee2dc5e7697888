import { cp, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../trainer/backend.js";
import { loadCheckpoint } from "../../trainer/checkpoint.js";
import { loadCheckpointEmbedder, type CheckpointEmbedder } from "../../trainer/embed.js";
import { hiddenStates, plainKernels, type Params } from "../../trainer/model.js";
import { EMBED_TEST_MODEL, trainByteGpt } from "./embed-fixture.js";

const T = EMBED_TEST_MODEL.blockSize;
const d = EMBED_TEST_MODEL.width;
const corpus = Array.from({ length: 40 }, (_, i) => `page ${i}: the kiln fires clay at ${900 + i * 7} degrees.`);

let dir: string;
let checkpoint: string;
let embedder: CheckpointEmbedder;
beforeAll(async () => {
  await selectBackend("wasm");
  dir = await mkdtemp(path.join(os.tmpdir(), "kiln-embed-"));
  checkpoint = await trainByteGpt(path.join(dir, "run"), corpus);
  embedder = await loadCheckpointEmbedder(checkpoint, { maxBlocks: 3, batchSize: 4 });
});
afterAll(async () => {
  embedder?.dispose();
  await rm(dir, { recursive: true, force: true });
});

/**
 * The reference: every block through the plain (stock tfjs) kernels on its own, batch 1, and the
 * rows summed here in float64.
 */
async function referenceMean(text: string, maxBlocks: number): Promise<Float64Array> {
  const loaded = await loadCheckpoint(checkpoint);
  const params: Params = new Map([...loaded.weights].map(([k, t]) => [k, tf.variable(t, false)]));
  const ids = [...Buffer.from(text, "utf8")].slice(0, maxBlocks * T);
  const sum = new Float64Array(d);
  for (let start = 0; start < ids.length; start += T) {
    const block = ids.slice(start, start + T);
    const states = tf.tidy(() => hiddenStates(loaded.meta.model, params, tf.tensor2d(block, [1, block.length], "int32"), { kernels: plainKernels }));
    const rows = states.dataSync();
    for (let t = 0; t < block.length; t++) for (let j = 0; j < d; j++) sum[j]! += rows[t * d + j]!;
    states.dispose();
  }
  tf.dispose([...params.values(), ...loaded.weights.values(), ...(loaded.optimizer?.values() ?? [])]);
  return sum.map((s) => s / ids.length);
}

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

const texts = [
  "short", // 5 tokens, one partial block
  "x".repeat(T), // exactly one block
  "a longer page about firing clay in a kiln", // 41 bytes: blocks of 16, 16 and 9
  "é".repeat(40), // 80 bytes (two per character): capped at 3 blocks = 48 tokens
];

describe("checkpoint embedder (mean-pooled hidden states)", () => {
  it("equals hiddenStates on each block alone, averaged over the real tokens by hand", async () => {
    expect(embedder.dim).toBe(d);
    const vectors = embedder.embed(texts);
    for (const [i, text] of texts.entries()) {
      const expected = await referenceMean(text, 3);
      expect(vectors[i]!.length).toBe(d);
      // LayerNorm output: values of order 1; fast and plain kernels agree to float32 rounding.
      expect(maxDifference(vectors[i]!, expected)).toBeLessThan(1e-5);
    }
    // The reference really differs between documents, so the comparison above has teeth.
    expect(maxDifference(vectors[0]!, vectors[2]!)).toBeGreaterThan(1e-2);
  });

  it("gives the same vector whatever else is in the batch, and the zero vector for no tokens", () => {
    const together = embedder.embed([...texts, "", ...texts.slice().reverse()]);
    texts.forEach((text, i) => {
      const alone = embedder.embed([text])[0]!;
      expect(maxDifference(together[i]!, alone)).toBeLessThan(1e-6);
      expect(maxDifference(together[texts.length * 2 - i]!, alone)).toBeLessThan(1e-6);
    });
    expect(Array.from(together[texts.length]!)).toEqual(new Array(d).fill(0));
  });

  it("keeps tfjs memory flat across calls", () => {
    embedder.embed(texts);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) embedder.embed(texts);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("has an id that follows the weights, not the folder", async () => {
    const copy = path.join(dir, "copy");
    await cp(checkpoint, copy, { recursive: true });
    const moved = await loadCheckpointEmbedder(copy);
    expect(moved.id).toBe(embedder.id);
    expect(embedder.id).toMatch(/^gpt-sha256:[0-9a-f]{64}$/);
    moved.dispose();
    // A copy of the run, resumed for two more steps: new weights, a new id.
    await cp(path.join(dir, "run"), path.join(dir, "run2"), { recursive: true });
    const further = await loadCheckpointEmbedder(await trainByteGpt(path.join(dir, "run2"), corpus, 6));
    expect(further.id).not.toBe(embedder.id);
    further.dispose();
  });
});

describe("encoder embedder (--features encoder)", () => {
  // Byte tokens, end-of-text 256, and the encoder's special tokens as ids above them.
  const specials = { cls: 257, sep: 258, mask: 259, pad: 260 };
  let encoderCheckpoint: string;
  let encoder: CheckpointEmbedder;
  beforeAll(async () => {
    encoderCheckpoint = await trainByteGpt(path.join(dir, "encoder"), corpus, 4, {
      model: { ...EMBED_TEST_MODEL, kind: "encoder", vocabSize: 261 },
      objective: "mlm",
      mlm: { rate: 0.15, nsp: false, specialTokens: specials },
    });
    encoder = await loadCheckpointEmbedder(encoderCheckpoint, { maxBlocks: 3, batchSize: 4, kind: "encoder" });
  });
  afterAll(() => encoder?.dispose());

  it("reads each block as [CLS] block [SEP] and averages the block's tokens: equal to hiddenStates by hand", async () => {
    const loaded = await loadCheckpoint(encoderCheckpoint);
    const params: Params = new Map([...loaded.weights].map(([k, t]) => [k, tf.variable(t, false)]));
    const vectors = encoder.embed(texts);
    for (const [i, text] of texts.entries()) {
      const ids = [...Buffer.from(text, "utf8")].slice(0, 3 * (T - 2));
      const sum = new Float64Array(d);
      for (let start = 0; start < ids.length; start += T - 2) {
        const block = [specials.cls, ...ids.slice(start, start + T - 2), specials.sep];
        const rows = tf.tidy(() => hiddenStates(loaded.meta.model, params, tf.tensor2d(block, [1, block.length], "int32"), { kernels: plainKernels }).dataSync());
        for (let t = 1; t < block.length - 1; t++) for (let j = 0; j < d; j++) sum[j]! += rows[t * d + j]!;
      }
      expect(maxDifference(vectors[i]!, sum.map((s) => s / ids.length))).toBeLessThan(1e-5);
    }
    tf.dispose([...params.values(), ...loaded.weights.values(), ...(loaded.optimizer?.values() ?? [])]);
    expect(encoder.id).toMatch(/^encoder-sha256:[0-9a-f]{64}$/);
  });

  it("gives the same vector whatever pads it in a batch (padding is never attended to)", () => {
    const together = encoder.embed([...texts, ...texts.slice().reverse()]);
    texts.forEach((text, i) => expect(maxDifference(together[i]!, encoder.embed([text])[0]!)).toBeLessThan(1e-5));
  });

  it("refuses a checkpoint of the other kind, naming the flag that reads it", async () => {
    await expect(loadCheckpointEmbedder(encoderCheckpoint, { kind: "gpt" })).rejects.toThrow(/an encoder checkpoint, not a decoder \(--features encoder reads it\)/);
    await expect(loadCheckpointEmbedder(checkpoint, { kind: "encoder" })).rejects.toThrow(/a gpt2 decoder checkpoint, not an encoder \(--features gpt reads it\)/);
  });
});
