/**
 * The evaluation registry and its scorers. Log-likelihoods are checked against the plain forward
 * pass read by hand; whole tasks against a model whose weights are all zero, whose next-token
 * distribution is uniform (every token costs ln V nats, and greedy decoding always picks id 0), so
 * each expected score follows from the items alone.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadEvalTasks } from "../../core/eval-tasks.js";
import { saveCheckpoint } from "../../trainer/checkpoint.js";
import type { ModelConfig } from "../../trainer/config.js";
import { disposeParams, forward, initParams, plainKernels } from "../../trainer/model.js";
import { centeredAggregate, continuationLosses, fewshotExamples, proportionInterval, scoreTasks } from "../../trainer/tasks.js";
import { byteTokenizer } from "../../trainer/tokenizer.js";
import { kiln, tinyModel } from "./helpers.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "kiln-tasks-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const jsonl = (items: unknown[]) => items.map((item) => JSON.stringify(item)).join("\n") + "\n";

async function registry(name: string, yaml: string, files: Record<string, unknown[]>): Promise<string> {
  const folder = path.join(dir, name);
  await import("node:fs/promises").then((fs) => fs.mkdir(folder, { recursive: true }));
  for (const [file, items] of Object.entries(files)) await writeFile(path.join(folder, file), jsonl(items));
  await writeFile(path.join(folder, "tasks.yaml"), yaml);
  return path.join(folder, "tasks.yaml");
}

/** A byte-level model (V = 257) with every weight zero. */
const byteModel: ModelConfig = { vocabSize: 257, blockSize: 16, layers: 1, heads: 2, width: 8, dropout: 0 };
function zeroParams(config: ModelConfig) {
  const params = initParams(config, 1);
  for (const v of params.values()) v.assign(tf.zerosLike(v));
  return params;
}

describe("continuationLosses", () => {
  it("equals the plain forward pass's negative log-probabilities of the continuation", async () => {
    const params = initParams(tinyModel, 4);
    const requests = [
      { context: [1, 2, 3], continuation: [4, 5] },
      { context: [7], continuation: [8, 9, 10, 1] },
      { context: [2, 2, 2, 2, 2, 2, 2, 2, 2], continuation: [3, 6] }, // longer than the context: the last 7 tokens
    ];
    const scored = await continuationLosses({ config: tinyModel, params, kernels: plainKernels }, requests, 2);
    for (const [r, request] of requests.entries()) {
      const sequence = [...request.context, ...request.continuation].slice(-(tinyModel.blockSize + 1));
      const inputs = sequence.slice(0, -1);
      const logProbs = tf.tidy(() => tf.logSoftmax(forward(tinyModel, params, tf.tensor2d(inputs, [1, inputs.length], "int32"))).arraySync() as number[][]);
      const expected = request.continuation.map((token, k) => -logProbs[inputs.length - request.continuation.length + k]![token]!);
      expect(Array.from(scored[r]!).map((x) => Number(x.toFixed(4)))).toEqual(expected.map((x) => Number(x.toFixed(4))));
    }
    // Scored alone, a request gets the same numbers as in a padded batch.
    const alone = await continuationLosses({ config: tinyModel, params, kernels: plainKernels }, [requests[0]!], 1);
    expect(Array.from(alone[0]!)).toEqual(Array.from(scored[0]!));
    disposeParams(params);
  });
});

describe("proportionInterval (Wilson)", () => {
  it("matches the published interval for 50 of 100 and stays inside [0, 1]", () => {
    const [low, high] = proportionInterval(0.5, 100);
    expect(low).toBeCloseTo(0.4038, 4);
    expect(high).toBeCloseTo(0.5962, 4);
    const [zeroLow, zeroHigh] = proportionInterval(0, 10);
    expect(zeroLow).toBe(0);
    expect(zeroHigh).toBeCloseTo(0.2775, 4);
  });
});

describe("scoreTasks on a uniform model", () => {
  it("scores multiple choice, language modelling and generation as worked out by hand", async () => {
    const file = await registry(
      "uniform",
      `tasks:
  - { name: mc, kind: multiple_choice, path: mc.jsonl }
  - { name: lm, kind: language_modeling, path: lm.jsonl }
  - { name: gen, kind: generation, path: gen.jsonl, maxTokens: 3, stop: ["\\u0000\\u0000"] }
  - { name: gen-long, kind: generation, path: gen-long.jsonl, maxTokens: 3, stop: ["x"] }
`,
      {
        // Uniform: a choice's log-likelihood is −(its bytes)·ln 257, so the shortest choice wins;
        // per byte every choice ties at −ln 257 and the first wins.
        "mc.jsonl": [
          { context: "Q1", choices: [" aaa", " b", " cc"], answer: 1 },
          { context: "Q2", choices: [" dd", " e"], answer: 0 },
          { context: "Q3", choices: [" ff", " g", " hhh", " iiii"], answer: 1 },
        ],
        "lm.jsonl": [{ text: "hello there" }, { text: "héllo" }],
        // Greedy decoding emits id 0 (the byte NUL) every step.
        "gen.jsonl": [{ prompt: "say", answer: "" }, { prompt: "say", answer: "no" }],
        "gen-long.jsonl": [{ prompt: "say", answer: ["zzz", "\u0000\u0000\u0000"] }],
      },
    );
    const tasks = await loadEvalTasks(file);
    const params = zeroParams(byteModel);
    const results = await scoreTasks({ config: byteModel, params, kernels: plainKernels }, byteTokenizer, tasks, 4);
    disposeParams(params);
    const [mc, lm, gen, genLong] = results;
    expect(mc!.accuracy).toBeCloseTo(2 / 3, 10);
    expect(mc!.accuracyNorm).toBeCloseTo(1 / 3, 10);
    const random = (1 / 3 + 1 / 2 + 1 / 4) / 3;
    expect(mc!.random).toBeCloseTo(random, 10);
    expect(mc!.centered).toBeCloseTo((2 / 3 - random) / (1 - random), 10);
    expect(lm!.bitsPerByte).toBeCloseTo(Math.log2(257), 5);
    expect(lm!.bytes).toBe(Buffer.byteLength("hello there") + Buffer.byteLength("héllo"));
    expect(gen!.accuracy).toBe(0.5); // "" matches (stopped at two NULs); "no" does not
    expect(genLong!.accuracy).toBe(1); // three NULs, no stop: the second accepted answer
    expect(centeredAggregate(results)).toBeCloseTo(((2 / 3 - random) / (1 - random) + 0.5 + 1) / 3, 10);
  });

  it("draws few-shot examples by seed, never the item itself", () => {
    const pool = ["a", "b", "c", "d", "e", "f"];
    for (let index = 0; index < pool.length; index++) {
      const drawn = fewshotExamples(pool, 3, 7, index, pool[index]!);
      expect(drawn).toHaveLength(3);
      expect(drawn).not.toContain(pool[index]);
      expect(new Set(drawn).size).toBe(3);
      expect(fewshotExamples(pool, 3, 7, index, pool[index]!)).toEqual(drawn);
    }
    const draws = new Set(pool.map((item, index) => fewshotExamples(pool, 3, 7, index, item).join("")));
    expect(draws.size).toBeGreaterThan(1);
    expect(fewshotExamples(pool, 10, 1, 0, "a")).toHaveLength(5);
  });
});

describe("loadEvalTasks", () => {
  it("refuses unknown keys, items of the wrong shape and answers outside the choices, naming file, line and field", async () => {
    const unknown = await registry("bad-key", `tasks:\n  - { name: a, kind: language_modeling, path: lm.jsonl, shots: 3 }\n`, { "lm.jsonl": [{ text: "x" }] });
    await expect(loadEvalTasks(unknown)).rejects.toThrow(/tasks\.0.*shots|shots/);
    const shape = await registry("bad-item", `tasks:\n  - { name: a, kind: multiple_choice, path: mc.jsonl }\n`, { "mc.jsonl": [{ context: "c", choices: ["a", "b"], answer: 0 }, { context: "c", choices: ["a"], answer: 0 }] });
    await expect(loadEvalTasks(shape)).rejects.toThrow(/mc\.jsonl:2: choices/);
    const range = await registry("bad-answer", `tasks:\n  - { name: a, kind: multiple_choice, path: mc.jsonl }\n`, { "mc.jsonl": [{ context: "c", choices: ["a", "b"], answer: 2 }] });
    await expect(loadEvalTasks(range)).rejects.toThrow(/mc\.jsonl:1: answer/);
    const twice = await registry("twice", `tasks:\n  - { name: a, kind: language_modeling, path: lm.jsonl }\n  - { name: a, kind: language_modeling, path: lm.jsonl }\n`, { "lm.jsonl": [{ text: "x" }] });
    await expect(loadEvalTasks(twice)).rejects.toThrow(/named twice/);
  });
});

describe("kiln eval --tasks", () => {
  it("prints each task's scores and the centered aggregate", async () => {
    const ckpt = path.join(dir, "ckpt");
    const params = zeroParams(byteModel);
    await saveCheckpoint(ckpt, { meta: { model: byteModel, step: 0, rngState: 1, tokenizerId: "bytes-v1", eosId: 256 }, weights: params });
    disposeParams(params);
    const file = await registry("cli", `tasks:\n  - { name: mc, kind: multiple_choice, path: mc.jsonl }\n  - { name: lm, kind: language_modeling, path: lm.jsonl }\n`, {
      "mc.jsonl": [{ context: "Q", choices: [" long one", " s"], answer: 1 }],
      "lm.jsonl": [{ text: "abc" }],
    });
    const result = await kiln(["eval", "--ckpt", ckpt, "--tasks", file, "--backend", "cpu"]);
    expect(result.stderr).toMatch(/aggregate \(mean centered\)/);
    expect(result.code).toBe(0);
    const rows = result.stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows.map((r) => r.task)).toEqual(["mc", "lm", "aggregate"]);
    expect(rows[0]!.accuracy).toBe(1);
    expect(rows[1]!.bitsPerByte as number).toBeCloseTo(Math.log2(257), 5);
    expect(rows[2]!.centered).toBe(1);
  });
});
