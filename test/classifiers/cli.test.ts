import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { ModelRecord } from "../../classifiers/folder.js";
import { seededRandom } from "../../pipeline/random.js";
import { tempDir } from "../pipeline/helpers.js";
import { captureClassifierCli, salad } from "./helpers.js";

describe("kiln classifier train / eval", () => {
  it("trains on 0–5 labels with a planted signal, records data hash and metrics, and eval prints them", async () => {
    const dir = await tempDir();
    const random = seededRandom(9);
    const filler = Array.from({ length: 100 }, (_, i) => `w${i}`);
    const rows = Array.from({ length: 1200 }, (_, i) => {
      const score = i % 6;
      return JSON.stringify({ id: String(i), text: `${salad(filler, 50, random)} level${score}`, score });
    });
    rows.push(JSON.stringify({ id: "x", text: "unparsed", score: null }), JSON.stringify({ id: "y", score: 2 }));
    const labels = path.join(dir, "labels.jsonl");
    await writeFile(labels, rows.join("\n") + "\n");
    const model = path.join(dir, "model");
    const trained = await captureClassifierCli(["train", "--labels", labels, "--out", model, "--epochs", "8"]);
    expect(trained).toContain("1200 documents");
    const record = JSON.parse(await readFile(path.join(model, "model.json"), "utf8")) as ModelRecord;
    expect(record.training.skipped).toEqual({ no_label: 1, missing_text: 1 });
    expect(record.training.dataHash).toMatch(/^[0-9a-f]{64}$/);
    expect(record.training.validationDocuments).toBe(120);
    expect(record.shape.features).toEqual({ buckets: 262144, wordNgrams: 2, maxWords: 5000 });
    expect(record.validation.macroF1).toBeGreaterThan(0.95);
    expect(record.calibrationScores.length).toBe(120);

    const report = await captureClassifierCli(["eval", "--model", model, "--labels", labels]);
    expect(report).toMatch(/macro F1\s+(0\.9[5-9]|1\.0)/);
    expect(report).toContain("binary F1 (>= 3)");
    expect(report).toContain("confusion matrix");
    expect(report).toContain("calibration");
    const json = JSON.parse(await captureClassifierCli(["eval", "--model", model, "--labels", labels, "--json"])) as { confusion: number[][]; documents: number };
    expect(json.documents).toBe(1200);
    expect(json.confusion.flat().reduce((a, b) => a + b, 0)).toBe(1200);
  });

  it("rejects a bad flag with one clear error", async () => {
    await expect(captureClassifierCli(["train", "--labels", "/nonexistent.jsonl", "--out", "/tmp/x"])).rejects.toThrow(/no files match|no such file/);
    await expect(captureClassifierCli(["train", "--positive", "a", "--negative", "b", "--out", "/tmp/x", "--head", "cnn"])).rejects.toThrow("--head cnn: expected one of linear, mlp");
  });
});
