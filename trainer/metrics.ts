/**
 * Metrics as JSONL (one object per logged step or validation) and the loss curve as an SVG,
 * both written next to the checkpoint.
 */
export interface MetricRecord {
  kind: "train" | "val";
  step: number;
  loss: number;
  [key: string]: unknown;
}

/** An SVG chart: white ground, the two axes at `margin` from the edges, then `body`. */
export function svgChart(width: number, height: number, margin: number, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<line x1="${margin}" y1="${height - margin}" x2="${width - margin}" y2="${height - margin}" stroke="black"/>`,
    `<line x1="${margin}" y1="${margin}" x2="${margin}" y2="${height - margin}" stroke="black"/>`,
    ...body,
    `</svg>`,
  ].join("\n");
}

/** A dependency-free line chart: train loss (blue) and validation loss (orange) against step. */
export function lossCurveSvg(records: MetricRecord[], width = 640, height = 360): string {
  const margin = 48;
  const series = (kind: MetricRecord["kind"]) => records.filter((r) => r.kind === kind && Number.isFinite(r.loss));
  const all = records.filter((r) => Number.isFinite(r.loss));
  const maxStep = Math.max(1, ...all.map((r) => r.step));
  const losses = all.map((r) => r.loss);
  const low = losses.length ? Math.min(...losses) : 0;
  const high = losses.length ? Math.max(...losses) : 1;
  const span = high - low || 1;
  const x = (step: number) => margin + ((width - 2 * margin) * step) / maxStep;
  const y = (loss: number) => height - margin - ((height - 2 * margin) * (loss - low)) / span;
  // A line through the points, and a dot on each, so a series of one point (a final validation) shows.
  const line = (points: MetricRecord[], color: string) =>
    points.length
      ? `<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${points.map((p) => `${x(p.step).toFixed(1)},${y(p.loss).toFixed(1)}`).join(" ")}"/>` +
        points.map((p) => `<circle cx="${x(p.step).toFixed(1)}" cy="${y(p.loss).toFixed(1)}" r="2.5" fill="${color}"/>`).join("")
      : "";
  return svgChart(width, height, margin, [
    `<text x="${margin}" y="${height - margin + 16}">0</text><text x="${width - margin}" y="${height - margin + 16}" text-anchor="end">step ${maxStep}</text>`,
    `<text x="${margin - 4}" y="${y(high) + 4}" text-anchor="end">${high.toFixed(2)}</text><text x="${margin - 4}" y="${y(low) + 4}" text-anchor="end">${low.toFixed(2)}</text>`,
    line(series("train"), "#1f77b4"),
    line(series("val"), "#ff7f0e"),
    `<text x="${width - margin}" y="${margin - 8}" text-anchor="end"><tspan fill="#1f77b4">train</tspan> <tspan fill="#ff7f0e">val</tspan> loss</text>`,
  ]);
}
