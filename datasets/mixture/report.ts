/** `kiln mix --report`: realised against requested token shares, per phase and per source. */
import type { Manifest } from "../shards/manifest.js";

export function formatMixReport(manifest: Manifest): string {
  const rows: string[][] = [["phase", "source", "requested", "realised", "tokens", "epochs"]];
  for (const phase of manifest.phases) {
    for (const [source, weight] of Object.entries(phase.weights)) {
      const tokens = phase.sourceTokens[source] ?? 0;
      rows.push([phase.name, source, `${(weight * 100).toFixed(2)}%`, `${((tokens / Math.max(1, phase.tokens)) * 100).toFixed(2)}%`, String(tokens), (manifest.sources[source]?.epochs ?? 0).toFixed(3)]);
    }
    rows.push([phase.name, "(total)", String(phase.requestedTokens), "", String(phase.tokens), ""]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  "));
  const val = Object.entries(manifest.sources).map(([s, t]) => `${s} ${t.valDocuments} docs / ${t.valTokens} tokens`).join(", ");
  const skipped = Object.entries(manifest.sources).filter(([, t]) => Object.keys(t.skipped).length > 0).map(([s, t]) => `${s} ${JSON.stringify(t.skipped)}`);
  return [
    `tokenizer ${manifest.tokenizer.name} (vocab ${manifest.tokenizer.vocabSize}, ${manifest.dtype}), seed ${manifest.seed}, ${manifest.shards.length} shard(s)`,
    ...lines,
    `validation: ${val}`,
    ...(skipped.length > 0 ? [`skipped: ${skipped.join("; ")}`] : []),
  ].join("\n") + "\n";
}
