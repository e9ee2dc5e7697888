/** Helpers the benchmarks share for reporting: medians of repeated runs and aligned tables. */

/** The middle value (upper middle for an even count) of repeated measurements. */
export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Rows as aligned text: the first `leftColumns` columns left-aligned, numbers right-aligned. */
export function formatTable(rows: string[][], leftColumns = 1): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  return rows.map((r) => r.map((cell, c) => (c < leftColumns ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ")).join("\n");
}
