/**
 * Run comparison statistics against values worked out independently: Student's t in closed form
 * for 1 and 2 degrees of freedom, and Welch's test on a small example whose p-value and interval
 * were computed by numerically integrating the t density (Simpson's rule, 200,000 panels).
 */
import { describe, expect, it } from "vitest";
import { mean, runsCurveSvg, standardDeviation, studentCdf, studentQuantile, tokensToReach, welch } from "../../trainer/compare.js";

describe("Student's t", () => {
  it("matches the closed forms for 1 and 2 degrees of freedom", () => {
    for (const t of [-3, -0.5, 0, 1, 2.5, 10]) {
      expect(studentCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 10);
      expect(studentCdf(t, 2)).toBeCloseTo(0.5 + t / (2 * Math.sqrt(2 + t * t)), 10);
    }
    expect(studentQuantile(0.975, 1)).toBeCloseTo(Math.tan(Math.PI * 0.475), 6);
    expect(studentQuantile(0.975, 1e6)).toBeCloseTo(1.959964, 4);
  });
});

describe("welch", () => {
  it("gives the difference, its 95% interval and the two-sided p-value", () => {
    const result = welch([1, 2, 3, 4], [3, 4, 5, 6, 7]);
    expect(result.difference).toBe(2.5);
    expect(result.df).toBeCloseTo(6.980769, 5);
    expect(result.p).toBeCloseTo(0.0349388, 5);
    expect(result.interval[0]).toBeCloseTo(0.2347797, 4);
    expect(result.interval[1]).toBeCloseTo(4.7652203, 4);
  });
  it("has no interval from one value per group, and a point interval without spread", () => {
    expect(welch([1], [2]).p).toBeNaN();
    expect(welch([1, 1], [2, 2])).toMatchObject({ difference: 1, interval: [1, 1], p: 0 });
  });
});

describe("run helpers", () => {
  it("means, spreads, tokens to reach a loss, and a curve per run", () => {
    expect(mean([1, 2, 3])).toBe(2);
    expect(standardDeviation([1, 2, 3])).toBe(1);
    const records = [
      { kind: "train" as const, step: 5, loss: 1 },
      { kind: "val" as const, step: 10, loss: 3 },
      { kind: "val" as const, step: 20, loss: 2 },
    ];
    expect(tokensToReach(records, 2.5, 100)).toBe(2000);
    expect(tokensToReach(records, 1, 100)).toBeUndefined();
    const svg = runsCurveSvg([{ group: "raw", label: "raw seed 1", records }, { group: "fineweb", label: "fineweb seed 1", records }], 100);
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg).toContain(">raw</text>");
  });
});
