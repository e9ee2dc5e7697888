import { describe, expect, it } from "vitest";
import { accuracy, binaryF1, calibration, collapseWarning, confusionMatrix, evaluate, evaluateByGroup, formatGroups, formatReport, macroF1 } from "../../classifiers/metrics.js";

describe("metrics", () => {
  const truth = [0, 0, 0, 1, 1, 2, 2, 2, 2];
  const predicted = [0, 0, 1, 1, 2, 2, 2, 2, 0];

  it("confusion matrix, macro F1 and accuracy of a hand-made example", () => {
    const matrix = confusionMatrix(truth, predicted, 3);
    expect(matrix).toEqual([
      [2, 1, 0],
      [0, 1, 1],
      [1, 0, 3],
    ]);
    // F1 per class: 2*2/(3+3), 2*1/(2+2), 2*3/(4+4)
    expect(macroF1(matrix)).toBeCloseTo((4 / 6 + 2 / 4 + 6 / 8) / 3, 12);
    expect(accuracy(matrix)).toBeCloseTo(6 / 9, 12);
  });

  it("macro F1 leaves out labels that occur in neither truth nor prediction", () => {
    const matrix = confusionMatrix([0, 1, 1], [0, 1, 0], 6);
    // class 0: 2*1/(1+2); class 1: 2*1/(2+1); classes 2..5 unused
    expect(macroF1(matrix)).toBeCloseTo(2 / 3, 12);
  });

  it("binary F1 at a threshold", () => {
    // positives (>= 2): truth at 5..8; predicted at 4..7 -> tp 3, fp 1, fn 1
    expect(binaryF1(truth, predicted, 2)).toEqual({ f1: 6 / 8, precision: 3 / 4, recall: 3 / 4 });
    expect(binaryF1([0, 1], [0, 0], 3).f1).toBe(0);
  });

  it("calibration table and expected calibration error", () => {
    const { bins, expectedError } = calibration([0.05, 0.15, 0.95, 0.85], [0, 1, 1, 1], 1, 10);
    expect(bins[0]).toMatchObject({ count: 1, meanScore: 0.05, meanLabel: 0 });
    expect(bins[1]).toMatchObject({ count: 1, meanScore: 0.15, meanLabel: 1 });
    expect(bins[9]!.count).toBe(1);
    expect(expectedError).toBeCloseTo((0.05 + 0.85 + 0.05 + 0.15) / 4, 12);
  });

  it("per-group numbers equal the report of each group's documents alone", () => {
    const groups = ["de", "de", "fr", "de", "fr", "de", "fr", "fr", "fr"];
    const report = evaluateByGroup(groups, predicted, truth, 3, 2);
    expect(report.map((g) => g.group)).toEqual(["fr", "de"]); // 5 documents before 4
    for (const g of report) {
      const ids = groups.flatMap((x, i) => (x === g.group ? [i] : []));
      const alone = evaluate(ids.map(() => 0), ids.map((i) => predicted[i]!), ids.map((i) => truth[i]!), 3, 2);
      expect(g).toEqual({
        group: g.group,
        documents: ids.length,
        labelledPositive: ids.filter((i) => truth[i]! >= 2).length,
        predictedPositive: ids.filter((i) => predicted[i]! >= 2).length,
        binaryF1: alone.binaryF1,
        binaryPrecision: alone.binaryPrecision,
        binaryRecall: alone.binaryRecall,
        macroF1: alone.macroF1,
      });
    }
    // fr is ids 2 4 6 7 8: truth 0 1 2 2 2, predicted 1 2 2 2 0 -> tp 2 (6, 7), fp 1 (4), fn 1 (8).
    expect(report[0]).toMatchObject({ labelledPositive: 3, predictedPositive: 3, binaryF1: 2 / 3 });
    expect(formatGroups(report, "language", "2")).toMatch(/^language +docs +labelled >= 2 +predicted >= 2 +precision/);
  });

  it("warns when far fewer documents are predicted positive than are labelled so", () => {
    const truth = [...Array(20).fill(1), ...Array(80).fill(0)];
    const none = Array(100).fill(0);
    expect(collapseWarning(truth, none, 1)).toMatch(/predicts label >= 1 for 0 of 100 documents, but 20 are labelled so/);
    const five = [...Array(5).fill(1), ...Array(95).fill(0)];
    expect(collapseWarning(truth, five, 1)).toBeUndefined(); // a quarter of the 20
    expect(collapseWarning([1, 1, 1, 1, 0], [0, 0, 0, 0, 0], 1)).toBeUndefined(); // too few labelled to say
  });

  it("formats a report with the numbers", () => {
    const text = formatReport(evaluate([0, 0, 1, 1, 2, 2, 2, 2, 0], predicted, truth, 3, 2));
    expect(text).toContain("macro F1           0.6389");
    expect(text).toContain("binary F1 (>= 2)  0.7500");
  });
});
