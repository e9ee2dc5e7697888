/**
 * `kiln finetune --task`: an encoder with a head on labelled text. The pooled state checked by
 * hand (an identity head reads it out), padding that changes nothing, and two planted tasks —
 * a class that the letters decide, a value that their share decides — learned well past the
 * majority and mean baselines on held-out rows.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runEncoderTask } from "../../bin/finetune.js";
import { seededRandom } from "../../core/random.js";
import { selectBackend } from "../../trainer/backend.js";
import { loadCheckpoint } from "../../trainer/checkpoint.js";
import { loadEncoderTask, predictTask, taskOutputs, type EncoderTaskModel } from "../../trainer/encoder-task.js";
import { hiddenStates, plainKernels, type Params } from "../../trainer/model.js";
import { byteTokenizer } from "../../trainer/tokenizer.js";
import { EMBED_TEST_MODEL, trainByteGpt } from "../trainer/embed-fixture.js";

const specials = { cls: 257, sep: 258, mask: 259, pad: 260 };
const d = EMBED_TEST_MODEL.width;
let dir: string;
let encoder: string;
const random = seededRandom(3);
const word = (letters: string) => Array.from({ length: 3 + Math.floor(random() * 4) }, () => letters[Math.floor(random() * letters.length)]).join("");
const text = (letters: string, words: number) => Array.from({ length: words }, () => word(letters)).join(" ");

beforeAll(async () => {
  await selectBackend("cpu");
  dir = await mkdtemp(path.join(os.tmpdir(), "kiln-task-"));
  const corpus = Array.from({ length: 30 }, () => text("abcdefghijklmnopqrstuvwxyz", 10));
  encoder = await trainByteGpt(path.join(dir, "encoder"), corpus, 4, { model: { ...EMBED_TEST_MODEL, kind: "encoder", vocabSize: 261 }, objective: "mlm", mlm: { rate: 0.15, nsp: false, specialTokens: specials } });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the task head's input", () => {
  it("pools [CLS] or the mean of the real positions, whatever pads the batch", async () => {
    const loaded = await loadCheckpoint(encoder);
    const params: Params = new Map([...loaded.weights].map(([k, t]) => [k, tf.variable(t, false)]));
    params.set("head.w", tf.variable(tf.eye(d), false));
    params.set("head.b", tf.variable(tf.zeros([d]), false));
    const texts = ["kiln", "a longer one"];
    for (const pool of ["cls", "mean"] as const) {
      const model: EncoderTaskModel = { config: loaded.meta.model, task: { kind: "regress", outputs: d, pool }, params, tokenizer: byteTokenizer, specials, kernels: plainKernels };
      const batched = tf.tidy(() => taskOutputs(model, texts).arraySync());
      texts.forEach((t, i) => {
        const ids = [specials.cls, ...Buffer.from(t, "utf8"), specials.sep];
        const rows = tf.tidy(() => hiddenStates(model.config, params, tf.tensor2d(ids, [1, ids.length], "int32"), { kernels: plainKernels }).arraySync());
        const expected = pool === "cls" ? rows[0]! : rows[0]!.map((_, j) => rows.reduce((s, r) => s + r[j]!, 0) / rows.length);
        for (let j = 0; j < d; j++) expect(batched[i]![j]!).toBeCloseTo(expected[j]!, 5);
      });
    }
    tf.dispose([...params.values(), ...loaded.weights.values()]);
  });
});

describe("kiln finetune --task", () => {
  it("classify: learns a planted class (the letters a–m or n–z) on held-out rows", async () => {
    const rows = Array.from({ length: 240 }, (_, i) => ({ text: text(i % 2 ? "abcdefghijklm" : "nopqrstuvwxyz", 4), label: i % 2 }));
    await writeFile(path.join(dir, "classes.jsonl"), rows.map((r) => JSON.stringify(r)).join("\n") + "\n{not json\n" + JSON.stringify({ text: "no label" }) + "\n");
    const out = path.join(dir, "classify");
    const { report, json } = await runEncoderTask({ from: encoder, out, data: [path.join(dir, "classes.jsonl")], task: "classify", classes: 2, pool: "cls", textKey: "text", labelKey: "label", validation: 0.25, steps: 120, batchSize: 16, learningRate: 3e-3, warmup: 10, seed: 1 });
    const evaluation = json.evaluation as { accuracy: number; documents: number };
    expect(evaluation.documents).toBe(60);
    expect(evaluation.accuracy).toBeGreaterThan(0.9);
    expect(report).toMatch(/macro F1/);
    // The saved checkpoint predicts what was evaluated.
    const saved = await loadEncoderTask(path.join(out, "checkpoint"), plainKernels);
    const probabilities = await predictTask(saved, [text("abcdefghijklm", 4), text("nopqrstuvwxyz", 4)]);
    expect(probabilities[0]![1]!).toBeGreaterThan(0.5);
    expect(probabilities[1]![0]!).toBeGreaterThan(0.5);
    saved.dispose();
    expect(JSON.parse(await readFile(path.join(out, "report.json"), "utf8")).task).toBe("classify");
  });

  it("regress: predicts a planted value (5 × the share of words from a–m) far better than the mean", async () => {
    const rows = Array.from({ length: 240 }, (_, i) => {
      const first = i % 6;
      const words = [...Array.from({ length: first }, () => word("abcdefghijklm")), ...Array.from({ length: 5 - first }, () => word("nopqrstuvwxyz"))];
      return { text: words.join(" "), label: first };
    });
    await writeFile(path.join(dir, "values.jsonl"), rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
    const { json } = await runEncoderTask({ from: encoder, out: path.join(dir, "regress"), data: [path.join(dir, "values.jsonl")], task: "regress", classes: 6, pool: "mean", textKey: "text", labelKey: "label", validation: 0.25, steps: 150, batchSize: 16, learningRate: 3e-3, warmup: 10, seed: 1 });
    // Predicting the mean of labels 0..5 gives an error of about 1.7.
    expect(json.rmse as number).toBeLessThan(0.9);
    expect(json.pearson as number).toBeGreaterThan(0.8);
  });

  it("refuses a decoder checkpoint in one line", async () => {
    const decoder = await trainByteGpt(path.join(dir, "decoder"), ["some text for a decoder"], 2);
    await writeFile(path.join(dir, "few.jsonl"), Array.from({ length: 10 }, (_, i) => JSON.stringify({ text: `t${i}`, label: i % 2 })).join("\n"));
    await expect(runEncoderTask({ from: decoder, out: path.join(dir, "x"), data: [path.join(dir, "few.jsonl")], task: "classify", classes: 2, pool: "cls", textKey: "text", labelKey: "label", validation: 0.2, steps: 1, batchSize: 2, learningRate: 1e-3, warmup: 0, seed: 1 })).rejects.toThrow(/a gpt2 decoder; --task fine-tunes an encoder/);
  });
});
