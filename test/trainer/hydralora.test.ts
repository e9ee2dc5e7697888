/**
 * HydraLoRA: one expert is LoRA to the bit (logits and gradients, the router's gradient zero),
 * the mix equals Σᵢ gᵢ·(x·A)·Bᵢ computed expert by expert with gates that sum to 1, only A, the
 * B's and the router train, and the adapter saves alone and refuses to be merged.
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../trainer/backend.js";
import { loadAdapter, loadCheckpoint } from "../../trainer/checkpoint.js";
import { adaptersFromTensors, adapterVariables, createAdapters, disposeAdapters, mergeAdapters } from "../../trainer/lora.js";
import { adapterDelta, disposeParams, forward, initParams, plainKernels, routerGates, type LoraAdapter } from "../../trainer/model.js";
import { batchLoss, batchTensors, disposeBatchTensors } from "../../trainer/step.js";
import { disposeResult, train } from "../../trainer/train.js";
import { cycleDataset, kiln, randomBatch, tinyModel, tinyTrainConfig, weightsOf } from "./helpers.js";

let dir: string;
beforeAll(async () => {
  await selectBackend("cpu");
  dir = await mkdtemp(path.join(os.tmpdir(), "kiln-hydra-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const lora = { rank: 2, alpha: 4, dropout: 0, targets: ["attn.c_attn", "mlp.c_fc"] as ("attn.c_attn" | "mlp.c_fc")[] };

describe("HydraLoRA", () => {
  it("with one expert is LoRA: the same logits and gradients, bit for bit, and no gradient to the router", () => {
    const params = initParams(tinyModel, 1);
    const plain = createAdapters(tinyModel, params, lora, 2);
    // The same A and B (B made nonzero so the gradient reaches A), plus a router over one expert.
    const hydra = new Map<string, LoraAdapter>();
    for (const [name, a] of plain) {
      a.b.assign(tf.randomNormal(a.b.shape, 0, 0.1, "float32", 7));
      hydra.set(name, { ...a, a: tf.variable(a.a.clone(), true), b: tf.variable(a.b.clone(), true), router: tf.variable(tf.randomNormal([a.a.shape[0]!, 1], 0, 0.5, "float32", 8), true) });
    }
    const batch = batchTensors(randomBatch(tinyModel, 2, 3));
    const run = (adapters: Map<string, LoraAdapter>) => {
      const variables = adapterVariables(adapters);
      const { value, grads } = tf.variableGrads(() => batchLoss({ config: tinyModel, params, adapters, kernels: plainKernels }, batch), [...variables.values()]);
      const byName = Object.fromEntries([...variables].map(([name, v]) => [name, Array.from(grads[v.name]!.dataSync())]));
      const logits = tf.tidy(() => Array.from(forward(tinyModel, params, batch.ids, { adapters, kernels: plainKernels }).dataSync()));
      tf.dispose([value, ...Object.values(grads)]);
      return { logits, byName };
    };
    const a = run(plain);
    const b = run(hydra);
    expect(b.logits).toEqual(a.logits);
    for (const [name, g] of Object.entries(a.byName)) expect(b.byName[name], name).toEqual(g);
    for (const [name, g] of Object.entries(b.byName)) if (name.endsWith(".lora_router")) expect(g.every((x) => x === 0), name).toBe(true);
    disposeBatchTensors(batch);
    disposeAdapters(plain);
    disposeAdapters(hydra);
    disposeParams(params);
  });

  it("mixes the experts by gates that sum to 1: the delta equals Σᵢ gᵢ·(x·A)·Bᵢ expert by expert", () => {
    const params = initParams(tinyModel, 1);
    const adapters = createAdapters(tinyModel, params, { ...lora, experts: 3 }, 2);
    const adapter = adapters.get("h.0.mlp.c_fc")!;
    adapter.b.assign(tf.randomNormal(adapter.b.shape, 0, 0.1, "float32", 4));
    const x = tf.randomNormal([5, tinyModel.width], 0, 1, "float32", 5) as tf.Tensor2D;
    const gates = routerGates(adapter, x, plainKernels).arraySync();
    for (const row of gates) expect(row.reduce((s, g) => s + g, 0)).toBeCloseTo(1, 6);
    // Token-level: the gates follow each row's input.
    expect(Math.max(...gates[0]!.map((g, i) => Math.abs(g - gates[1]![i]!)))).toBeGreaterThan(1e-3);
    const delta = tf.tidy(() => adapterDelta(adapter, x, x, plainKernels).arraySync());
    const low = tf.matMul(x, adapter.a).arraySync() as number[][];
    const rank = lora.rank;
    const B = adapter.b.arraySync() as number[][];
    for (let m = 0; m < 5; m++) {
      for (let j = 0; j < B[0]!.length; j++) {
        let expected = 0;
        for (let i = 0; i < 3; i++) for (let k = 0; k < rank; k++) expected += gates[m]![i]! * low[m]![k]! * B[i * rank + k]![j]!;
        expect(delta[m]![j]!).toBeCloseTo((lora.alpha / lora.rank) * expected, 5);
      }
    }
    expect(() => mergeAdapters(params, adapters)).toThrow(/HydraLoRA adapters cannot be merged/);
    x.dispose();
    disposeAdapters(adapters);
    disposeParams(params);
  });

  it("trains only A, the B's and the router; saves the adapter alone, which loads back to the same function", async () => {
    const data = () => ({ train: cycleDataset(10, 300), log: () => {} });
    disposeResult(await train(tinyTrainConfig(path.join(dir, "base")), data()));
    const baseDir = path.join(dir, "base", "checkpoint");
    const base = await loadCheckpoint(baseDir);
    const tuned = await train(tinyTrainConfig(path.join(dir, "hydra"), { init: { from: baseDir, mode: "lora" }, lora: { rank: 2, alpha: 4, dropout: 0, experts: 3 } }), data());
    const after = await weightsOf(tuned.params);
    for (const [name, t] of base.weights) expect(after[name], name).toEqual(Array.from(t.dataSync()));
    const trained = adapterVariables(tuned.adapters!);
    expect([...trained.keys()].filter((k) => k.endsWith(".lora_router"))).toHaveLength(2);
    for (const [name, v] of trained) if (!name.endsWith(".lora_a")) expect(Array.from(v.dataSync()).some((x) => x !== 0), name).toBe(true);
    const saved = await loadAdapter(path.join(dir, "hydra", "adapter"));
    expect(saved.lora.experts).toBe(3);
    expect(JSON.parse(await readFile(path.join(dir, "hydra", "adapter", "adapter.json"), "utf8")).tensors.map((t: { name: string }) => t.name)).toContain("h.0.attn.c_attn.lora_router");
    const reloaded = adaptersFromTensors(saved.tensors, saved.lora);
    const batch = batchTensors(randomBatch({ ...tinyModel, vocabSize: 10, blockSize: 8 }, 2, 1));
    const logits = (adapters: Map<string, LoraAdapter>) => tf.tidy(() => Array.from(forward(tuned.model, tuned.params, batch.ids, { adapters, kernels: plainKernels }).dataSync()));
    expect(logits(reloaded)).toEqual(logits(tuned.adapters!));
    disposeBatchTensors(batch);
    disposeAdapters(reloaded);
    disposeResult(tuned);
    tf.dispose([...base.weights.values(), ...(base.optimizer?.values() ?? [])]);
  });

  it("from the CLI: kiln finetune --mode hydralora writes the adapter alone, kiln generate applies it, kiln export refuses it", async () => {
    const tokens = path.join(dir, "tokens.jsonl");
    await writeFile(tokens, Array.from({ length: 4 }, (_, i) => JSON.stringify({ tokens: Array.from({ length: 60 }, (_, j) => [3, 7, 1, 9, 4][(i + j) % 5]) })).join("\n") + "\n");
    const out = path.join(dir, "cli");
    const tuned = await kiln(["finetune", "--from", path.join(dir, "base", "checkpoint"), "--data", tokens, "--out", out, "--mode", "hydralora", "--experts", "2", "--rank", "2", "--steps", "4", "--batch-size", "2", "--backend", "cpu"]);
    expect(tuned.code, tuned.stderr).toBe(0);
    expect(tuned.stderr).toContain("HydraLoRA is not merged");
    expect(await readdir(out)).not.toContain("merged");
    const generated = await kiln(["generate", "--ckpt", path.join(dir, "base", "checkpoint"), "--adapter", path.join(out, "adapter"), "--tokens", "3,7", "--max-tokens", "4", "--temperature", "0", "--backend", "cpu"]);
    expect(generated.code, generated.stderr).toBe(0);
    expect(generated.stdout.trim()).toMatch(/^\d+(,\d+){3}$/);
    const exported = await kiln(["export", "--ckpt", path.join(dir, "base", "checkpoint"), "--adapter", path.join(out, "adapter"), "--out", path.join(dir, "hf")]);
    expect(exported.code).toBe(1);
    expect(exported.stderr).toMatch(/^kiln: usage: h\.0\.attn\.c_attn: HydraLoRA adapters cannot be merged/m);
  });
});
