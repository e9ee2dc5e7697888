import { readFileSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../trainer/backend.js";
import { loadAdapter, loadCheckpoint } from "../../trainer/checkpoint.js";
import { BatchSampler, packDocuments } from "../../trainer/data.js";
import { evaluationSet } from "../../trainer/evaluation.js";
import { generate, sampleToken } from "../../trainer/generate.js";
import { adaptersFromTensors, mergeAdapters } from "../../trainer/lora.js";
import { forward, type Params } from "../../trainer/model.js";
import { Rng } from "../../core/random.js";
import { disposeResult, train } from "../../trainer/train.js";
import { cycleDataset, tinyTrainConfig, weightsOf } from "./helpers.js";

let dir: string;
const quiet = () => {};
beforeAll(async () => {
  await selectBackend("cpu");
  dir = await mkdtemp(path.join(os.tmpdir(), "kiln-trainer-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const data = () => ({ train: cycleDataset(11, 400, "web"), val: { vocabSize: 11, documents: () => [...cycleDataset(11, 60, "web").documents() as Iterable<never>, { tokens: Uint32Array.from({ length: 60 }, (_, i) => (i * 5) % 11), source: "code" }] }, log: quiet, peakFlops: 1e9 });

describe("training loop", () => {
  it("resume after a stop continues exactly: N straight == N/2 + resume + N/2 (weights, optimizer, losses)", async () => {
    const straight = await train(tinyTrainConfig(path.join(dir, "straight"), { optim: { learningRate: 1e-2, minLearningRate: 1e-3, warmupSteps: 2, weightDecay: 0.1, beta1: 0.9, beta2: 0.95, epsilon: 1e-8, gradClip: 1 }, model: { blockSize: 8, layers: 1, heads: 2, width: 16, dropout: 0.1 } }), data());
    const cfg = tinyTrainConfig(path.join(dir, "split"), { optim: { learningRate: 1e-2, minLearningRate: 1e-3, warmupSteps: 2, weightDecay: 0.1, beta1: 0.9, beta2: 0.95, epsilon: 1e-8, gradClip: 1 }, model: { blockSize: 8, layers: 1, heads: 2, width: 16, dropout: 0.1 } });
    const first = await train(cfg, { ...data(), stopAfter: 3 });
    expect(first.step).toBe(3);
    disposeResult(first);
    const second = await train(cfg, data());
    expect(second.step).toBe(6);
    expect(second.trainLosses).toEqual(straight.trainLosses.slice(3));
    expect(await weightsOf(second.params)).toEqual(await weightsOf(straight.params));
    expect(second.val).toEqual(straight.val);
    const a = await loadCheckpoint(path.join(dir, "straight", "checkpoint"));
    const b = await loadCheckpoint(path.join(dir, "split", "checkpoint"));
    expect(b.meta.rngState).toBe(a.meta.rngState);
    expect(b.meta.data).toEqual(a.meta.data);
    for (const [k, t] of a.optimizer!) expect(Array.from(b.optimizer!.get(k)!.dataSync())).toEqual(Array.from(t.dataSync()));
    // metrics.jsonl has each step once, and the loss curve sits next to the checkpoint
    const lines = (await readFile(path.join(dir, "split", "metrics.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { kind: string; step: number });
    expect(lines.filter((l) => l.kind === "train").map((l) => l.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await readFile(path.join(dir, "split", "loss.svg"), "utf8")).toContain("<polyline");
    expect(Object.keys(straight.val!.perSource).sort()).toEqual(["code", "web"]);
    disposeResult(straight);
    disposeResult(second);
  });

  it("writes a metrics row every logEvery steps as it goes, not only at checkpoints", async () => {
    const out = path.join(dir, "metrics-live");
    const seen: number[] = [];
    const log = (line: string) => {
      if (!/^step \d+\/6 loss/.test(line)) return;
      seen.push(readFileSync(path.join(out, "metrics.jsonl"), "utf8").trim().split("\n").filter((l) => JSON.parse(l).kind === "train").length);
    };
    const result = await train(tinyTrainConfig(out, { steps: 6, logEvery: 2, checkpointEvery: 0, evalEvery: 0 }), { ...data(), val: undefined, log });
    disposeResult(result);
    expect(seen).toEqual([1, 2, 3]);
  });

  it("a damaged checkpoint stops the run with a line naming the file; --restart starts over", async () => {
    const cfg = tinyTrainConfig(path.join(dir, "damaged"), { steps: 4 });
    disposeResult(await train(cfg, { ...data(), stopAfter: 2 }));
    const checkpointDir = path.join(dir, "damaged", "checkpoint");
    const weightsFile = path.join(checkpointDir, (await readdir(checkpointDir)).find((f) => f.startsWith("weights"))!);
    const bytes = await readFile(weightsFile);
    await writeFile(weightsFile, bytes.subarray(0, bytes.length - 4));
    const metricsBefore = await readFile(path.join(dir, "damaged", "metrics.jsonl"), "utf8");
    await expect(train(cfg, data())).rejects.toThrow(new RegExp(`cannot resume from ${checkpointDir}: ${weightsFile}: ${bytes.length - 4} bytes where the checkpoint lists ${bytes.length}.*--restart`));
    // Nothing of the old run was touched.
    expect((await readFile(weightsFile)).length).toBe(bytes.length - 4);
    expect(await readFile(path.join(dir, "damaged", "metrics.jsonl"), "utf8")).toBe(metricsBefore);
    const restarted = await train(cfg, { ...data(), restart: true });
    expect(restarted.step).toBe(4);
    const fresh = await train(tinyTrainConfig(path.join(dir, "fresh"), { steps: 4 }), data());
    expect(restarted.trainLosses).toEqual(fresh.trainLosses);
    disposeResult(restarted);
    disposeResult(fresh);
  });

  it("refuses to resume with a different model or data, naming the fields", async () => {
    const cfg = tinyTrainConfig(path.join(dir, "changed"), { steps: 4 });
    disposeResult(await train(cfg, { ...data(), stopAfter: 2 }));
    const wider = { ...cfg, model: { ...cfg.model, width: 32 }, batchSize: 3 };
    await expect(train(wider, data())).rejects.toThrow(/was trained with different settings \(model\.width: 16 → 32, batchSize: 2 → 3\)/);
    // More steps and another learning rate are a continuation, not a different run.
    const longer = await train({ ...cfg, steps: 5, optim: { ...cfg.optim, learningRate: 5e-3 } }, data());
    expect(longer.step).toBe(5);
    disposeResult(longer);
  });

  it("continual pretraining re-warms the learning rate from a checkpoint", async () => {
    const base = await train(tinyTrainConfig(path.join(dir, "phase1"), { steps: 4 }), data());
    disposeResult(base);
    const next = await train(tinyTrainConfig(path.join(dir, "phase2"), { steps: 3, init: { from: path.join(dir, "phase1", "checkpoint"), mode: "continue" } }), data());
    const lines = (await readFile(path.join(dir, "phase2", "metrics.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { kind: string; learningRate?: number });
    // warmup 2 steps to 1e-2: step 1 runs at 1e-2·1/2
    expect(lines.find((l) => l.kind === "train")!.learningRate).toBeCloseTo(5e-3, 10);
    disposeResult(next);
  });

  it("LoRA: only adapters train, adapter-only save, merged weights give the adapted logits", async () => {
    const base = await train(tinyTrainConfig(path.join(dir, "base"), { steps: 3 }), data());
    const baseWeights = await weightsOf(base.params);
    disposeResult(base);
    const lora = await train(tinyTrainConfig(path.join(dir, "lora"), { steps: 4, init: { from: path.join(dir, "base", "checkpoint"), mode: "lora" }, lora: { rank: 2, alpha: 4, dropout: 0, targets: ["attn.c_attn", "mlp.c_fc"] } }), data());
    expect(await weightsOf(lora.params)).toEqual(baseWeights); // the base stayed frozen
    const adapter = await loadAdapter(path.join(dir, "lora", "adapter"));
    expect([...adapter.tensors.keys()].sort()).toEqual(["h.0.attn.c_attn.lora_a", "h.0.attn.c_attn.lora_b", "h.0.mlp.c_fc.lora_a", "h.0.mlp.c_fc.lora_b"]);
    const adapters = adaptersFromTensors(adapter.tensors, adapter.lora);
    const ids = tf.tensor2d([[3, 7, 1, 9, 4, 0, 8, 2]], [1, 8], "int32");
    const unmerged = tf.tidy(() => forward(lora.model, lora.params, ids, { adapters }).dataSync());
    const baseOnly = tf.tidy(() => forward(lora.model, lora.params, ids).dataSync());
    mergeAdapters(lora.params, adapters);
    const merged = tf.tidy(() => forward(lora.model, lora.params, ids).dataSync());
    const maxDiff = (x: ArrayLike<number>, y: ArrayLike<number>) => Math.max(...Array.from(x, (v, i) => Math.abs(v - y[i]!)));
    expect(maxDiff(unmerged, baseOnly)).toBeGreaterThan(1e-3); // the adapter does something
    expect(maxDiff(merged, unmerged)).toBeLessThan(1e-5);
    const saved = await loadCheckpoint(path.join(dir, "lora", "merged"));
    const savedParams: Params = new Map([...saved.weights].map(([k, t]) => [k, tf.variable(t)]));
    expect(maxDiff(tf.tidy(() => forward(lora.model, savedParams, ids).dataSync()), unmerged)).toBeLessThan(1e-5);
    tf.dispose([ids, ...savedParams.values()]);
    disposeResult(lora);
  });
});

describe("validation sets", () => {
  it("score every target of the data exactly once when every window is wanted, padding the last; sample windows otherwise", async () => {
    const tokens = Uint32Array.from({ length: 37 }, (_, i) => (i * 7) % 11);
    const data = { vocabSize: 11, documents: () => [{ tokens, source: "web" }] };
    const whole = await evaluationSet(data, 8, 2, Infinity);
    // 36 targets: four full windows of 8 and one of 4, padded to 8.
    const scored = whole.batches.flatMap((b) => Array.from(b.targets).filter((_, i) => b.mask[i] === 1));
    expect(scored).toEqual(Array.from(tokens.slice(1)));
    expect(whole.batches.map((b) => b.batchSize)).toEqual([2, 2, 1]);
    // Shorter than one window: one padded window.
    const short = await evaluationSet({ vocabSize: 11, documents: () => [{ tokens: tokens.slice(0, 5), source: "sft" }] }, 8, 2, Infinity);
    expect(short.batches[0]!.mask.reduce((a, b) => a + b, 0)).toBe(4);
    // Two windows spread over the four full ones: windows 0 and 2.
    const sampled = await evaluationSet(data, 8, 1, 2);
    expect(sampled.batches.map((b) => b.inputs[0])).toEqual([tokens[0], tokens[16]]);
  });
});

describe("data order", () => {
  it("is seeded, covers every window once per epoch, and resumes from a position", async () => {
    const packed = await packDocuments(cycleDataset(11, 81));
    const a = new BatchSampler(packed, 8, 3);
    const firstInputs = Array.from({ length: 10 }, () => a.next(1).inputs[0]!);
    expect(new Set(Array.from({ length: 10 }, (_, w) => packed.tokens[w * 8]!)).size).toBeGreaterThan(1);
    expect(firstInputs.sort()).toEqual(Array.from({ length: 10 }, (_, w) => packed.tokens[w * 8]!).sort());
    const b = new BatchSampler(packed, 8, 3);
    b.next(4);
    const resumed = new BatchSampler(packed, 8, 3, b.position);
    expect(Array.from(resumed.next(9).inputs)).toEqual(Array.from(b.next(9).inputs));
  });
});

describe("sampling", () => {
  it("top-k 1 is greedy; top-p keeps the smallest nucleus; temperature 0 is argmax", () => {
    const logits = [Math.log(0.5), Math.log(0.3), Math.log(0.15), Math.log(0.05)];
    const rng = new Rng(1);
    expect(sampleToken(logits, { temperature: 0, topK: 0, topP: 1 }, rng)).toBe(0);
    for (let i = 0; i < 50; i++) expect(sampleToken(logits, { temperature: 1, topK: 1, topP: 1 }, rng)).toBe(0);
    // p = 0.79: {0.5, 0.3} is the smallest set reaching it, so tokens 2 and 3 never appear and
    // token 0 comes with probability 0.5/0.8; p = 0.45 (under 0.5) keeps token 0 alone.
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[sampleToken(logits, { temperature: 1, topK: 0, topP: 0.79 }, rng)]! += 1;
    for (let i = 0; i < 50; i++) expect(sampleToken(logits, { temperature: 1, topK: 0, topP: 0.45 }, rng)).toBe(0);
    expect(counts[2]! + counts[3]!).toBe(0);
    expect(counts[0]! / 4000).toBeCloseTo(0.625, 1);
  });

  it("generation is deterministic for a seed and stops at eos", async () => {
    const run = await train(tinyTrainConfig(path.join(dir, "gen"), { steps: 30 }), data());
    const options = { maxNewTokens: 12, temperature: 1, topK: 0, topP: 1, seed: 5 };
    const a = await generate(run.model, run.params, [3, 7], options);
    expect(await generate(run.model, run.params, [3, 7], options)).toEqual(a);
    const greedy = await generate(run.model, run.params, [3, 7], { ...options, temperature: 0 });
    expect(greedy.slice(0, 4)).toEqual([1, 9, 4, 0]); // the cycle it learned
    expect(await generate(run.model, run.params, [3, 7], { ...options, temperature: 0, eosId: 4 })).toEqual([1, 9, 4]);
    disposeResult(run);
  });
});
