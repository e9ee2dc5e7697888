import { describe, expect, it } from "vitest";
import { accuracy, binaryF1, calibration, confusionMatrix, evaluate, formatReport, macroF1 } from "../../classifiers/metrics.js";

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

  it("formats a report with the numbers", () => {
    const text = formatReport(evaluate([0, 0, 1, 1, 2, 2, 2, 2, 0], predicted, truth, 3, 2));
    expect(text).toContain("macro F1           0.6389");
    expect(text).toContain("binary F1 (>= 2)  0.7500");
  });
});
