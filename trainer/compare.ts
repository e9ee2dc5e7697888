/**
 * Comparing runs: means and spreads over seeds, Welch's t-test between two groups (the difference,
 * its 95% interval and a two-sided p-value), Student's t distribution behind it, tokens to reach a
 * loss, and one SVG with the validation curves of many runs.
 */
import { svgChart, type MetricRecord } from "./metrics.js";

export function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Sample standard deviation (n − 1); 0 for fewer than two values. */
export function standardDeviation(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, nine coefficients). */
function logGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = c[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** The continued fraction of the incomplete beta function (modified Lentz). */
function betaFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let term = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + term * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + term / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    term = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + term * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + term / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-15) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(a, b, x)) / a : 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

/** P(T ≤ t) for Student's t with `df` degrees of freedom (df may be fractional, as Welch's is). */
export function studentCdf(t: number, df: number): number {
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The t with P(T ≤ t) = p (bisection on the CDF). */
export function studentQuantile(p: number, df: number): number {
  let low = -1e6;
  let high = 1e6;
  for (let i = 0; i < 200; i++) {
    const mid = (low + high) / 2;
    if (studentCdf(mid, df) < p) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

export interface Difference {
  /** mean(b) − mean(a). */
  difference: number;
  /** 95% interval of the difference; NaN without two values in each group. */
  interval: [number, number];
  /** Two-sided p-value of Welch's t-test; NaN without two values in each group. */
  p: number;
  df: number;
}

/** Welch's t-test of mean(b) − mean(a), for groups whose variances may differ. */
export function welch(a: readonly number[], b: readonly number[]): Difference {
  const difference = mean(b) - mean(a);
  if (a.length < 2 || b.length < 2) return { difference, interval: [NaN, NaN], p: NaN, df: NaN };
  const va = standardDeviation(a) ** 2 / a.length;
  const vb = standardDeviation(b) ** 2 / b.length;
  const se = Math.sqrt(va + vb);
  if (se === 0) return { difference, interval: [difference, difference], p: difference === 0 ? 1 : 0, df: Infinity };
  const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  const t = difference / se;
  const critical = studentQuantile(0.975, df);
  return { difference, interval: [difference - critical * se, difference + critical * se], p: 2 * (1 - studentCdf(Math.abs(t), df)), df };
}

/** Tokens trained when a run's validation loss first reached `target` (undefined if it never did). */
export function tokensToReach(records: readonly MetricRecord[], target: number, tokensPerStep: number): number | undefined {
  const hit = records.filter((r) => r.kind === "val" && Number.isFinite(r.loss)).find((r) => r.loss <= target);
  return hit ? hit.step * tokensPerStep : undefined;
}

export const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"];

/** Validation loss against tokens for many runs, one colour per group (variant), one line per run. */
export function runsCurveSvg(runs: { group: string; label: string; records: readonly MetricRecord[] }[], tokensPerStep: number, width = 720, height = 400): string {
  const margin = 56;
  const series = runs.map((run) => ({ ...run, points: run.records.filter((r) => r.kind === "val" && Number.isFinite(r.loss)) }));
  const all = series.flatMap((s) => s.points);
  const maxTokens = Math.max(1, ...all.map((p) => p.step * tokensPerStep));
  const losses = all.map((p) => p.loss);
  const low = losses.length ? Math.min(...losses) : 0;
  const high = losses.length ? Math.max(...losses) : 1;
  const span = high - low || 1;
  const x = (step: number) => margin + ((width - 2 * margin) * step * tokensPerStep) / maxTokens;
  const y = (loss: number) => height - margin - ((height - 2 * margin) * (loss - low)) / span;
  const groups = [...new Set(runs.map((r) => r.group))];
  const colour = (group: string) => PALETTE[groups.indexOf(group) % PALETTE.length]!;
  const lines = series.map((s) => {
    const points = s.points.map((p) => `${x(p.step).toFixed(1)},${y(p.loss).toFixed(1)}`).join(" ");
    return `<polyline fill="none" stroke="${colour(s.group)}" stroke-width="1.5" points="${points}"><title>${s.label}</title></polyline>`;
  });
  const legend = groups.map((g, i) => `<text x="${width - margin - 120}" y="${margin + 14 * i}" fill="${colour(g)}">${g.replace(/[<&>"]/g, "")}</text>`);
  return svgChart(width, height, margin, [
    `<text x="${width / 2}" y="${height - 16}" text-anchor="middle">tokens trained (max ${maxTokens})</text>`,
    `<text x="14" y="${height / 2}" transform="rotate(-90 14 ${height / 2})" text-anchor="middle">validation loss (${low.toFixed(3)}–${high.toFixed(3)})</text>`,
    ...lines,
    ...legend,
  ]);
}
