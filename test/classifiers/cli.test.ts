import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { ModelRecord } from "../../classifiers/folder.js";
import { seededRandom } from "../../core/random.js";
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
    expect(record.shape.features).toEqual({ buckets: 262144, wordNgrams: 2, maxWords: 5000, textStatistics: true });
    expect(record.shape.decisionThreshold).toBeUndefined(); // six classes: the most probable label
    expect(record.validation.macroF1).toBeGreaterThan(0.95);
    expect(record.calibrationScores.length).toBe(120);

    const report = await captureClassifierCli(["eval", "--model", model, "--labels", labels, "--no-by-language"]);
    expect(report).toMatch(/macro F1\s+(0\.9[5-9]|1\.0)/);
    expect(report).toContain("binary F1 (>= 3)");
    expect(report).toContain("confusion matrix");
    expect(report).toContain("calibration");
    const json = JSON.parse(await captureClassifierCli(["eval", "--model", model, "--labels", labels, "--json", "--no-by-language"])) as { confusion: number[][]; documents: number };
    expect(json.documents).toBe(1200);
    expect(json.confusion.flat().reduce((a, b) => a + b, 0)).toBe(1200);
  });

  it("on imbalanced two-class labels: balanced weights, a threshold chosen on validation and stored, per-language metrics", async () => {
    const dir = await tempDir();
    const random = seededRandom(5);
    const filler = Array.from({ length: 150 }, (_, i) => `w${i}`);
    // 10% positives; half of them carry one marker word, so the rest can only be guessed.
    const rows = Array.from({ length: 2000 }, (_, i) => {
      const label = i % 10 === 0 ? 1 : 0;
      const marker = label && i % 20 === 0 ? " spamword" : "";
      return { text: `${salad(filler, 40, random)}${marker}`, label, language: i % 3 === 0 ? "fi" : "sv" };
    });
    const labels = path.join(dir, "labels.jsonl");
    await writeFile(labels, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
    const model = path.join(dir, "model");
    const trained = await captureClassifierCli(["train", "--labels", labels, "--label-key", "label", "--classes", "2", "--out", model]);
    const record = JSON.parse(await readFile(path.join(model, "model.json"), "utf8")) as ModelRecord;
    expect(record.training.options).toMatchObject({ classWeights: "auto", decisionThreshold: "auto" });
    expect(record.decision).toMatchObject({ chosenOn: "validation", threshold: record.shape.decisionThreshold });
    expect(trained).toContain(`decision threshold: label 1 when P(label 1) >= ${record.shape.decisionThreshold} (chosen on the validation split`);
    // The validation numbers are those of the stored threshold.
    expect(record.validation.binaryF1).toBeCloseTo(record.decision!.validationF1!, 12);

    const json = JSON.parse(await captureClassifierCli(["eval", "--model", model, "--labels", labels, "--label-key", "label", "--json"])) as { byLanguage: { group: string; documents: number; labelledPositive: number }[]; confusion: number[][] };
    expect(json.byLanguage.map((g) => [g.group, g.documents, g.labelledPositive])).toEqual([
      ["sv", 1333, rows.filter((r) => r.language === "sv" && r.label).length],
      ["fi", 667, rows.filter((r) => r.language === "fi" && r.label).length],
    ]);
    // The marked half of the positives is found: the model does not collapse to the majority class.
    expect(json.confusion[1]![1]).toBeGreaterThanOrEqual(100);
    const text = await captureClassifierCli(["eval", "--model", model, "--labels", labels, "--label-key", "label"]);
    expect(text).toMatch(/\nlanguage +docs +labelled >= 1/);
    expect(text).toMatch(/\n {2}sv +1333 /);
  });

  it("rejects a bad flag with one clear error", async () => {
    await expect(captureClassifierCli(["train", "--labels", "/nonexistent.jsonl", "--out", "/tmp/x"])).rejects.toThrow(/no files match|no such file/);
    await expect(captureClassifierCli(["train", "--positive", "a", "--negative", "b", "--out", "/tmp/x", "--head", "cnn"])).rejects.toThrow("--head cnn: expected one of linear, mlp");
  });
});
