/** `kiln dedup params`: the LSH S-curve, for choosing bands and rows. */
import { defineCommand } from "citty";
import { KilnError } from "../../core/index.js";

/** Probability that two documents of Jaccard similarity `j` share at least one band: 1 - (1 - j^r)^b. */
export function candidateProbability(j: number, bands: number, rows: number): number {
  return 1 - (1 - j ** rows) ** bands;
}

/**
 * bands x rows with the same number of permutations that catch pairs at the threshold with
 * probability >= 0.9 and let through the fewest pairs 0.2 below it (false candidates).
 */
export function suggestBandsRows(threshold: number, permutations: number): { bands: number; rows: number; midpoint: number } {
  let best: { bands: number; rows: number; midpoint: number; cost: number } | undefined;
  for (let rows = 1; rows <= permutations; rows++) {
    if (permutations % rows !== 0) continue;
    const bands = permutations / rows;
    if (candidateProbability(threshold, bands, rows) < 0.9) continue;
    const cost = candidateProbability(Math.max(0, threshold - 0.2), bands, rows);
    if (!best || cost < best.cost) best = { bands, rows, midpoint: (1 / bands) ** (1 / rows), cost };
  }
  const chosen = best ?? { bands: permutations, rows: 1, midpoint: 1 / permutations };
  return { bands: chosen.bands, rows: chosen.rows, midpoint: chosen.midpoint };
}

export function dedupParamsReport(threshold: number, bands: number, rows: number): string {
  const lines = [`bands ${bands} x rows ${rows} = ${bands * rows} permutations; S-curve midpoint (1/b)^(1/r) = ${((1 / bands) ** (1 / rows)).toFixed(3)}`, "", "jaccard  P(candidate)"];
  for (let step = 0; step <= 10; step++) {
    const j = 0.5 + step * 0.05;
    const mark = Math.abs(j - threshold) < 1e-9 ? "  <- threshold" : "";
    lines.push(`${j.toFixed(2).padStart(7)}  ${candidateProbability(j, bands, rows).toFixed(4)}${mark}`);
  }
  const suggestion = suggestBandsRows(threshold, bands * rows);
  lines.push("", `for threshold ${threshold} with ${bands * rows} permutations: bands ${suggestion.bands} x rows ${suggestion.rows} (midpoint ${suggestion.midpoint.toFixed(3)}, P(candidate at threshold) = ${candidateProbability(threshold, suggestion.bands, suggestion.rows).toFixed(3)})`);
  return lines.join("\n") + "\n";
}

function positive(name: string, value: string, integer: boolean): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new KilnError("usage", `--${name} ${value}: expected a positive ${integer ? "integer" : "number"}`);
  return n;
}

export const dedupCommand = defineCommand({
  meta: { name: "dedup", description: "MinHash dedup helpers" },
  subCommands: {
    params: defineCommand({
      meta: { name: "params", description: "print the LSH S-curve: probability of being a candidate pair at Jaccard 0.5 ... 1.0" },
      args: {
        threshold: { type: "string", description: "Jaccard similarity to catch", default: "0.8" },
        bands: { type: "string", description: "LSH bands", default: "14" },
        rows: { type: "string", description: "MinHash values per band", default: "8" },
      },
      run({ args }) {
        const threshold = positive("threshold", args.threshold, false);
        if (threshold > 1) throw new KilnError("usage", `--threshold ${args.threshold}: expected a value in (0, 1]`);
        process.stdout.write(dedupParamsReport(threshold, positive("bands", args.bands, true), positive("rows", args.rows, true)));
      },
    }),
  },
});
