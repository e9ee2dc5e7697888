import path from "node:path";
import { describe, expect, it } from "vitest";
import "../../bin/embedders.js";
import { loadEmbedder } from "../../classifiers/embedder.js";
import { fitClassifier } from "../../classifiers/fit.js";
import { loadModel, scorerFor } from "../../classifiers/folder.js";
import { DEFAULT_TRAIN } from "../../classifiers/train.js";
import { seededRandom } from "../../core/random.js";
import { selectBackend } from "../../trainer/backend.js";
import { parseLines, readStepData, startKilnRun, tempDir, waitForExit, writeConfig, writeInputs } from "../pipeline/helpers.js";
import { EMBED_TEST_MODEL, trainByteGpt } from "../trainer/embed-fixture.js";
import { salad } from "./helpers.js";

const words = [["clay", "glaze", "kiln"], ["sail", "hull", "mast"]];

describe("kiln run with worker threads", () => {
  it("scores with a GPT-feature model in every worker (bin/embedders.ts is a built-in module)", async () => {
    await selectBackend("wasm");
    const dir = await tempDir("kiln-gpt-workers-");
    const random = seededRandom(4);
    const examples = Array.from({ length: 60 }, (_, i) => ({ text: salad(words[i % 2]!, 6, random), label: i % 2 }));
    const checkpoint = await trainByteGpt(path.join(dir, "gpt"), examples.map((e) => e.text));
    const model = path.join(dir, "model");
    const embedder = await loadEmbedder("gpt", checkpoint);
    await fitClassifier({
      data: { examples, skipped: {}, dataHash: "test" },
      sources: [],
      shape: { features: { kind: "dense", dim: EMBED_TEST_MODEL.width }, head: "linear", hidden: 1, objective: "classification", classes: 2 },
      train: DEFAULT_TRAIN,
      labelNames: ["negative", "positive"],
      binaryThreshold: 1,
      out: model,
      embedder: { kind: "gpt", checkpoint, embedder },
    });
    const inputs = await writeInputs(dir, 2, 5, (file, doc) => salad(words[(file + doc) % 2]!, 6, seededRandom(file * 10 + doc)));
    const output = path.join(dir, "run");
    const config = await writeConfig(dir, { output, steps: [{ name: "scored", read: { format: "jsonl", paths: inputs }, stages: [{ quality: { model } }], write: { format: "jsonl", compression: "none" } }] });

    const run = await waitForExit(startKilnRun(config));
    expect(run.code, run.stderr).toBe(0);
    const docs = [...(await readStepData(output, "scored")).values()].flatMap(parseLines);
    expect(docs).toHaveLength(10);
    // The same scores as this process computes, batch for batch (each task scores its 5 documents in one batch).
    const scorer = scorerFor(await loadModel(model));
    for (const file of [0, 1]) {
      const mine = docs.filter((d) => d.id.startsWith(`f${file}-`)).sort((a, b) => a.id.localeCompare(b.id));
      const expected = scorer.predictBatch(mine.map((d) => d.text));
      mine.forEach((d, i) => expect(d.meta.quality).toBe(Number(expected[i]!.score.toFixed(6))));
    }
  });
});
