/**
 * Scaling-law fits for a sweep of model sizes N and compute budgets C ≈ 6·N·D (D: tokens):
 *
 * - the compute-optimal frontier, Chinchilla's approach 2: at each budget, a parabola of loss in
 *   ln N through the runs of that budget; its minimum gives N_opt, the loss there L_opt, and
 *   D_opt = C / (6 · N_opt);
 * - power laws N_opt ∝ C^a, D_opt ∝ C^b and L_opt ∝ C^(−g), each a straight line in log-log space
 *   fitted by least squares, with a 95% interval on the exponent (Student's t, n − 2 degrees of
 *   freedom);
 * - predictions of N_opt, D_opt and L_opt at a larger budget.
 */
import { studentQuantile } from "./compare.js";

export interface LineFit {
  slope: number;
  intercept: number;
  /** 95% interval of the slope; NaN with fewer than three points. */
  slopeInterval: [number, number];
  r2: number;
}

/** Least-squares line y = slope · x + intercept. */
export function lineFit(x: readonly number[], y: readonly number[]): LineFit {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i]! - mx) ** 2;
    sxy += (x[i]! - mx) * (y[i]! - my);
    syy += (y[i]! - my) ** 2;
  }
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  const sse = Math.max(0, syy - slope * sxy);
  const r2 = syy > 0 ? 1 - sse / syy : 1;
  if (n < 3) return { slope, intercept, slopeInterval: [NaN, NaN], r2 };
  const se = Math.sqrt(sse / (n - 2) / sxx);
  const t = studentQuantile(0.975, n - 2);
  return { slope, intercept, slopeInterval: [slope - t * se, slope + t * se], r2 };
}

/** Least-squares parabola y = a·x² + b·x + c (normal equations, solved by Cramer's rule). */
export function parabolaFit(x: readonly number[], y: readonly number[]): { a: number; b: number; c: number } {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, t0 = 0, t1 = 0, t2 = 0;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    const yi = y[i]!;
    s0 += 1;
    s1 += xi;
    s2 += xi * xi;
    s3 += xi ** 3;
    s4 += xi ** 4;
    t0 += yi;
    t1 += xi * yi;
    t2 += xi * xi * yi;
  }
  const det3 = (m: number[][]) =>
    m[0]![0]! * (m[1]![1]! * m[2]![2]! - m[1]![2]! * m[2]![1]!) - m[0]![1]! * (m[1]![0]! * m[2]![2]! - m[1]![2]! * m[2]![0]!) + m[0]![2]! * (m[1]![0]! * m[2]![1]! - m[1]![1]! * m[2]![0]!);
  const m = [
    [s4, s3, s2],
    [s3, s2, s1],
    [s2, s1, s0],
  ];
  const rhs = [t2, t1, t0];
  const d = det3(m);
  const replaced = (col: number) => m.map((row, r) => row.map((v, c) => (c === col ? rhs[r]! : v)));
  return { a: det3(replaced(0)) / d, b: det3(replaced(1)) / d, c: det3(replaced(2)) / d };
}

export interface SweepPoint {
  /** Parameters (N), training tokens (D), the budget the run belongs to (C), final loss. */
  params: number;
  tokens: number;
  compute: number;
  loss: number;
}

export interface FrontierPoint {
  compute: number;
  params: number;
  tokens: number;
  loss: number;
  /** "parabola" when the fit has a minimum inside the sizes tried; "best run" otherwise. */
  from: "parabola" | "best run";
}

/** Per budget, the loss-minimising size: a parabola in ln N through that budget's runs. */
export function computeOptimalFrontier(points: readonly SweepPoint[]): FrontierPoint[] {
  const budgets = [...new Set(points.map((p) => p.compute))].sort((a, b) => a - b);
  return budgets.map((compute) => {
    const runs = points.filter((p) => p.compute === compute);
    const best = runs.reduce((a, b) => (b.loss < a.loss ? b : a));
    const sizes = runs.map((r) => Math.log(r.params));
    if (runs.length >= 3) {
      const { a, b, c } = parabolaFit(sizes, runs.map((r) => r.loss));
      const at = -b / (2 * a);
      if (a > 0 && at >= Math.min(...sizes) && at <= Math.max(...sizes)) {
        const params = Math.exp(at);
        return { compute, params, tokens: compute / (6 * params), loss: c - (b * b) / (4 * a), from: "parabola" };
      }
    }
    return { compute, params: best.params, tokens: best.tokens, loss: best.loss, from: "best run" };
  });
}

export interface PowerLaw {
  /** y = coefficient · C^exponent. */
  exponent: number;
  interval: [number, number];
  coefficient: number;
  r2: number;
}

function powerLaw(compute: readonly number[], values: readonly number[]): PowerLaw {
  const fit = lineFit(compute.map(Math.log), values.map(Math.log));
  return { exponent: fit.slope, interval: fit.slopeInterval, coefficient: Math.exp(fit.intercept), r2: fit.r2 };
}

export interface ScalingLaws {
  params: PowerLaw;
  tokens: PowerLaw;
  loss: PowerLaw;
}

/** N_opt(C), D_opt(C) and L_opt(C) as power laws through the frontier (at least two budgets). */
export function scalingLaws(frontier: readonly FrontierPoint[]): ScalingLaws {
  const compute = frontier.map((f) => f.compute);
  return { params: powerLaw(compute, frontier.map((f) => f.params)), tokens: powerLaw(compute, frontier.map((f) => f.tokens)), loss: powerLaw(compute, frontier.map((f) => f.loss)) };
}

/** The laws' N_opt, D_opt and loss at budget `compute`. */
export function predictAt(laws: ScalingLaws, compute: number): { params: number; tokens: number; loss: number } {
  const at = (law: PowerLaw) => law.coefficient * compute ** law.exponent;
  return { params: at(laws.params), tokens: at(laws.tokens), loss: at(laws.loss) };
}
