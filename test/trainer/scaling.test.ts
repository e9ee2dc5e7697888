/**
 * Scaling-law fits on synthetic sweeps: losses generated from L(N, D) = A/N^α + B/D^β with known
 * α and β (plus 0.2% noise), where the compute-optimal exponents follow in closed form —
 * N_opt ∝ C^(β/(α+β)), D_opt ∝ C^(α/(α+β)), L_opt ∝ C^(−αβ/(α+β)). The fits must recover them.
 */
import { describe, expect, it } from "vitest";
import { seededRandom } from "../../core/random.js";
import { computeOptimalFrontier, lineFit, parabolaFit, predictAt, scalingLaws, type SweepPoint } from "../../trainer/scaling.js";

describe("fits", () => {
  it("recover an exact line and parabola; the slope interval matches the t formula", () => {
    expect(parabolaFit([-1, 0, 1, 2, 3], [6, 1, 0, 3, 10])).toMatchObject({ a: expect.closeTo(2, 9), b: expect.closeTo(-3, 9), c: expect.closeTo(1, 9) });
    const fit = lineFit([0, 1, 2, 3], [1, 3, 5, 7]);
    expect(fit.slope).toBeCloseTo(2, 12);
    expect(fit.intercept).toBeCloseTo(1, 12);
    expect(fit.slopeInterval[0]).toBeCloseTo(2, 9);
    // y = 0, 1, 1, 3 over x = 0..3: slope 0.9, residual SS 0.7, Sxx 5; t(0.975, 2) = 4.302653
    const noisy = lineFit([0, 1, 2, 3], [0, 1, 1, 3]);
    const half = 4.302653 * Math.sqrt(0.7 / 2 / 5);
    expect(noisy.slope).toBeCloseTo(0.9, 12);
    expect(noisy.slopeInterval[0]).toBeCloseTo(0.9 - half, 5);
    expect(noisy.slopeInterval[1]).toBeCloseTo(0.9 + half, 5);
  });
});

describe("compute-optimal frontier and power laws", () => {
  const A = 400, B = 4000, alpha = 0.34, beta = 0.28;
  const loss = (n: number, d: number) => A / n ** alpha + B / d ** beta;
  const random = seededRandom(9);
  const budgets = [1e15, 3e15, 1e16, 3e16, 1e17, 3e17, 1e18];
  const g = ((alpha * A) / (beta * B)) ** (1 / (alpha + beta));
  const nOpt = (c: number) => g * (c / 6) ** (beta / (alpha + beta));
  const points: SweepPoint[] = budgets.flatMap((compute) =>
    [1 / 8, 1 / 4, 1 / 2, 1, 2, 4, 8].map((k) => {
      const params = nOpt(compute) * k;
      const tokens = compute / (6 * params);
      return { params, tokens, compute, loss: loss(params, tokens) * (1 + 0.002 * (random() * 2 - 1)) };
    }),
  );

  it("recovers the exponents within 0.03, inside their intervals", () => {
    const frontier = computeOptimalFrontier(points);
    expect(frontier.every((f) => f.from === "parabola")).toBe(true);
    const laws = scalingLaws(frontier);
    const expected = { params: beta / (alpha + beta), tokens: alpha / (alpha + beta), loss: -(alpha * beta) / (alpha + beta) };
    for (const key of ["params", "tokens", "loss"] as const) {
      expect(Math.abs(laws[key].exponent - expected[key])).toBeLessThan(0.03);
      expect(laws[key].interval[0]).toBeLessThan(laws[key].exponent);
      expect(laws[key].interval[1]).toBeGreaterThan(laws[key].exponent);
    }
    // A decade past the sweep: the predicted optimum's loss within 2% of the true optimum's.
    const prediction = predictAt(laws, 1e19);
    const trueBest = loss(nOpt(1e19), 1e19 / (6 * nOpt(1e19)));
    expect(Math.abs(prediction.loss / trueBest - 1)).toBeLessThan(0.02);
    expect(Math.abs(Math.log(prediction.params / nOpt(1e19)))).toBeLessThan(Math.log(1.5));
  });

  it("falls back to the best run when the minimum is outside the sizes tried", () => {
    const small = points.filter((p) => p.compute === 1e16 && p.params < nOpt(1e16) / 1.5);
    const [point] = computeOptimalFrontier(small);
    expect(point!.from).toBe("best run");
    expect(point!.loss).toBe(Math.min(...small.map((p) => p.loss)));
  });
});
