/**
 * Knowledge distillation: the loss against a hand computation, its gradient against finite
 * differences, α = 0 as plain training to the bit, a teacher that no step changes, the refusals,
 * and sequence-level data that a rerun finishes to the same bytes.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toMessages } from "../../datasets/mixture/chat.js";
import { selectBackend } from "../../trainer/backend.js";
import { optimConfigSchema } from "../../trainer/config.js";
import { openTokenData } from "../../trainer/data.js";
import { distillResponses } from "../../trainer/distill.js";
import { disposeParams, forward, initParams, plainKernels } from "../../trainer/model.js";
import { AdamW } from "../../trainer/optim.js";
import { batchTensors, disposeBatchTensors, distillationLoss, trainStep, type TrainState } from "../../trainer/step.js";
import { disposeResult, train } from "../../trainer/train.js";
import { cycleDataset, randomBatch, tinyModel, tinyTrainConfig, weightsOf } from "./helpers.js";
import { writeDemoLikeShards } from "./shards-fixture.js";

let dir: string;
beforeAll(async () => {
  await selectBackend("cpu");
  dir = await mkdtemp(path.join(os.tmpdir(), "kiln-distill-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const logSoftmax = (row: number[], T: number) => {
  const z = row.map((x) => x / T);
  const max = Math.max(...z);
  const lse = Math.log(z.reduce((s, x) => s + Math.exp(x - max), 0)) + max;
  return z.map((x) => x - lse);
};

describe("the distillation loss", () => {
  const student = [[2, 0.5, -1], [0, 0, 3], [1, -2, 0.5]];
  const teacher = [[1, 1, -0.5], [0.2, -1, 2], [3, 0, 0]];
  const targets = [0, 2, 1];
  const mask = [1, 1, 0];

  it("equals α·T²·KL(teacher ‖ student) + (1 − α)·CE by hand, over the counted tokens", () => {
    const [alpha, T] = [0.7, 2];
    let kl = 0;
    let ce = 0;
    for (let i = 0; i < 2; i++) {
      const ps = logSoftmax(student[i]!, T);
      const pt = logSoftmax(teacher[i]!, T);
      kl += pt.reduce((s, lt, j) => s + Math.exp(lt) * (lt - ps[j]!), 0);
      ce -= logSoftmax(student[i]!, 1)[targets[i]!]!;
    }
    const hand = alpha * T * T * (kl / 2) + (1 - alpha) * (ce / 2);
    const value = tf.tidy(() => distillationLoss(tf.tensor2d(student), tf.tensor2d(teacher), tf.tensor1d(targets, "int32"), tf.tensor1d(mask), alpha, T, plainKernels).arraySync() as number);
    expect(value).toBeCloseTo(hand, 5);
    const plain = tf.tidy(() => distillationLoss(tf.tensor2d(student), tf.tensor2d(teacher), tf.tensor1d(targets, "int32"), tf.tensor1d(mask), 0, T, plainKernels).arraySync() as number);
    expect(plain).toBeCloseTo(ce / 2, 5);
  });

  it("has the gradient finite differences give, through a model's weights", () => {
    const params = initParams(tinyModel, 4);
    const teacherParams = initParams(tinyModel, 5);
    const batch = randomBatch(tinyModel, 2, 9);
    const t = batchTensors(batch);
    const teacherLogits = tf.tidy(() => forward(tinyModel, teacherParams, t.ids, { kernels: plainKernels }));
    const wte = params.get("wte")!;
    const loss = () => distillationLoss(forward(tinyModel, params, t.ids, { kernels: plainKernels }), teacherLogits, t.targets, t.mask, 1, 3, plainKernels);
    const { grads } = tf.variableGrads(loss as () => tf.Scalar, [wte]);
    const analytic = grads[wte.name]!.dataSync();
    const base = wte.dataSync().slice();
    const eps = 1e-2;
    for (const index of [0, 7, 23, 40]) {
      const at = (delta: number) => {
        const moved = base.slice();
        moved[index]! += delta;
        wte.assign(tf.tensor(moved, wte.shape));
        return tf.tidy(() => loss().dataSync()[0]!);
      };
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      expect(Math.abs(numeric - analytic[index]!)).toBeLessThan(2e-3 + 0.02 * Math.abs(numeric));
    }
    tf.dispose([teacherLogits, ...Object.values(grads)]);
    disposeBatchTensors(t);
    disposeParams(params);
    disposeParams(teacherParams);
  });

  it("never changes the teacher: its weights are bit-identical after training steps", async () => {
    const params = initParams(tinyModel, 4);
    const teacherParams = initParams(tinyModel, 5);
    const before = await weightsOf(teacherParams);
    const state: TrainState = { config: tinyModel, params, trainable: params, optimizer: new AdamW(optimConfigSchema.parse({}), params), kernels: plainKernels, distill: { teacher: { config: tinyModel, params: teacherParams, kernels: plainKernels }, alpha: 0.5, temperature: 2 } };
    const studentBefore = await weightsOf(params);
    for (let i = 0; i < 3; i++) {
      const r = trainStep(state, [randomBatch(tinyModel, 2, i)], 1e-2, 1);
      tf.dispose([r.loss, r.gradNorm]);
    }
    expect(await weightsOf(teacherParams)).toEqual(before);
    expect(await weightsOf(params)).not.toEqual(studentBefore);
    state.optimizer.dispose();
    disposeParams(params);
    disposeParams(teacherParams);
  });
});

describe("kiln distill (token-level)", () => {
  const data = () => ({ train: cycleDataset(10, 400), val: cycleDataset(10, 120, "val"), log: () => {} });

  it("with α = 0 is plain training, to the bit; with α > 0 the student learns something else", async () => {
    const teacher = await train(tinyTrainConfig(path.join(dir, "teacher"), { model: { blockSize: 8, layers: 2, heads: 2, width: 32, dropout: 0 } }), data());
    disposeResult(teacher);
    const from = path.join(dir, "teacher", "checkpoint");
    const plain = await train(tinyTrainConfig(path.join(dir, "plain")), data());
    const zero = await train(tinyTrainConfig(path.join(dir, "zero"), { distill: { teacher: from, alpha: 0, temperature: 2 } }), data());
    expect(zero.trainLosses).toEqual(plain.trainLosses);
    expect(await weightsOf(zero.params)).toEqual(await weightsOf(plain.params));
    const half = await train(tinyTrainConfig(path.join(dir, "half"), { distill: { teacher: from, alpha: 0.5, temperature: 2 } }), data());
    expect(half.trainLosses).not.toEqual(plain.trainLosses);
    for (const r of [plain, zero, half]) disposeResult(r);
  });

  it("reads the teacher from a top-k cache: with k = the vocabulary it trains as on the fly; a smaller k bounds the file; resumed runs read on", async () => {
    const from = path.join(dir, "teacher", "checkpoint");
    const live = await train(tinyTrainConfig(path.join(dir, "live"), { distill: { teacher: from, alpha: 0.7, temperature: 2 } }), data());
    const full = await train(tinyTrainConfig(path.join(dir, "cached-full"), { distill: { teacher: from, alpha: 0.7, temperature: 2, cacheTopK: 10 } }), data());
    full.trainLosses.forEach((loss, i) => expect(loss).toBeCloseTo(live.trainLosses[i]!, 4));
    const config = tinyTrainConfig(path.join(dir, "cached-3"), { distill: { teacher: from, alpha: 0.7, temperature: 2, cacheTopK: 3 } });
    const straight = await train(config, data());
    // 6 steps × 2 micro-batches × (2 windows × 8 positions) × 3 × (4 + 4) bytes.
    expect((await readFile(path.join(dir, "cached-3", "teacher-topk.bin"))).length).toBe(6 * 2 * 16 * 3 * 8);
    const header = JSON.parse(await readFile(path.join(dir, "cached-3", "teacher-topk.json"), "utf8"));
    expect(header).toMatchObject({ topK: 3, microBatches: 12, batchSize: 2, blockSize: 8 });
    expect(straight.trainLosses).not.toEqual(full.trainLosses);
    const splitConfig = { ...config, out: path.join(dir, "cached-3-split") };
    disposeResult(await train(splitConfig, { ...data(), stopAfter: 3 }));
    const resumed = await train(splitConfig, data());
    expect(resumed.trainLosses).toEqual(straight.trainLosses.slice(3));
    expect(await weightsOf(resumed.params)).toEqual(await weightsOf(straight.params));
    for (const r of [live, full, straight, resumed]) disposeResult(r);
  });

  it("refuses a teacher of another vocabulary or tokenizer, naming both", async () => {
    const other = await train(tinyTrainConfig(path.join(dir, "wide"), { model: { vocabSize: 12, blockSize: 8, layers: 1, heads: 2, width: 16, dropout: 0 } }), { train: cycleDataset(12, 200), log: () => {} });
    disposeResult(other);
    await expect(train(tinyTrainConfig(path.join(dir, "bad"), { distill: { teacher: path.join(dir, "wide", "checkpoint"), alpha: 0.5, temperature: 2 } }), data())).rejects.toThrow(/the teacher's vocabulary is 12 ids, the student's 10: they must be the same/);
    disposeResult(await train(tinyTrainConfig(path.join(dir, "teacher-a")), { train: { ...cycleDataset(10, 400), tokenizerId: "tok-a" }, log: () => {} }));
    await expect(train(tinyTrainConfig(path.join(dir, "bad2"), { distill: { teacher: path.join(dir, "teacher-a", "checkpoint"), alpha: 0.5, temperature: 2 } }), { train: { ...cycleDataset(10, 400), tokenizerId: "tok-b" }, log: () => {} })).rejects.toThrow(/the teacher's tokenizer is tok-a, the student's tok-b: they must be the same/);
  });
});

describe("kiln distill --prompts (sequence-level)", () => {
  it("writes the teacher's answers as {prompt, response} rows kiln mix reads, and a rerun ends in the same bytes", async () => {
    const { shards } = await writeDemoLikeShards(path.join(dir, "data"), { articles: 20, vocabSize: 400 });
    const teacher = path.join(dir, "chat-teacher");
    disposeResult(await train(tinyTrainConfig(teacher, { steps: 10, evalEvery: 0, model: { blockSize: 32, layers: 1, heads: 2, width: 32, dropout: 0 } }), { train: await openTokenData(shards), log: () => {} }));
    const prompts = path.join(dir, "prompts.jsonl");
    await writeFile(prompts, [JSON.stringify({ prompt: "Say hello." }), "{broken", JSON.stringify({ instruction: "Name a colour.", input: "" }), JSON.stringify({ prompt: "Count to three." })].join("\n") + "\n");
    const settings = { teacher: path.join(teacher, "checkpoint"), prompts, template: "chatml" as const, maxTokens: 12, temperature: 0.8, topK: 0, topP: 0.9, seed: 3 };
    const out = path.join(dir, "responses.jsonl");
    const first = await distillResponses({ ...settings, out });
    expect(first).toEqual({ rows: 3, skipped: { bad_json: 1 } });
    const text = await readFile(out, "utf8");
    const rows = text.trim().split("\n").map((l) => JSON.parse(l) as { prompt: string; response: string });
    expect(rows.map((r) => r.prompt)).toEqual(["Say hello.", "Name a colour.", "Count to three."]);
    for (const row of rows) expect(toMessages(row, "prompt_response")).toEqual([{ role: "user", content: row.prompt }, { role: "assistant", content: row.response }]);
    expect(JSON.parse(await readFile(out + ".meta.json", "utf8"))).toMatchObject({ template: "chatml", maxTokens: 12, temperature: 0.8, topP: 0.9, seed: 3 });
    // Interrupted after the first answer (the second cut mid-line): the rerun continues to the same bytes.
    const lines = text.split("\n");
    await writeFile(out + ".partial", lines[0] + "\n" + lines[1]!.slice(0, 5));
    await rm(out);
    await distillResponses({ ...settings, out });
    expect(await readFile(out, "utf8")).toBe(text);

    // A teacher fine-tuned with LoRA answers with its adapter: as its merged copy does, not as its base.
    const tuned = path.join(dir, "chat-teacher-lora");
    disposeResult(await train(tinyTrainConfig(tuned, { steps: 30, evalEvery: 0, init: { from: path.join(teacher, "checkpoint"), mode: "lora" }, lora: { rank: 4, alpha: 16, dropout: 0 }, optim: { learningRate: 3e-2, minLearningRate: 3e-3, warmupSteps: 2, weightDecay: 0, beta1: 0.9, beta2: 0.95, epsilon: 1e-8, gradClip: 1 } }), { train: { vocabSize: 400, documents: () => [{ tokens: new Array(400).fill(57) as number[] }] }, log: () => {} }));
    const greedy = { ...settings, temperature: 0, maxTokens: 8 };
    const answers = async (from: string, name: string) => {
      await distillResponses({ ...greedy, teacher: from, out: path.join(dir, name) });
      return readFile(path.join(dir, name), "utf8");
    };
    const adapted = await answers(path.join(tuned, "checkpoint"), "adapted.jsonl");
    expect(adapted).toBe(await answers(path.join(tuned, "merged"), "merged.jsonl"));
    expect(adapted).not.toBe(await answers(path.join(teacher, "checkpoint"), "base.jsonl"));
  });
});
