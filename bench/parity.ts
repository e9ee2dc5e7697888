/**
 * datatrove parity: how often Kiln's Gopher quality, Gopher repetition, C4 quality and FineWeb
 * quality filters, with their defaults, decide a document as datatrove's own code does (keep or
 * drop; for C4 also the kept text), on the texts of a JSONL file ({"text": ...} per line, e.g. the
 * extracted pages of a crawl). datatrove runs in the same bench through bench/datatrove_parity.py
 * (needs `pip install datatrove spacy`, or datatrove's source on PYTHONPATH); the table shows
 * agreement per filter and the most frequent disagreements, datatrove's verdict first.
 *
 *   npm run bench -- parity <texts.jsonl> [--python python3]
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { c4Apply, c4Params } from "../stages/filters/c4.js";
import { finewebQualityFilter, finewebQualityParams } from "../stages/filters/fineweb-quality.js";
import { gopherQualityFilter, gopherQualityParams } from "../stages/filters/gopher-quality.js";
import { gopherRepetitionFilter, gopherRepetitionParams } from "../stages/filters/gopher-repetition.js";
import type { Doc } from "../pipeline/index.js";
import { formatTable } from "./_report.js";

const { values, positionals } = parseArgs({ allowPositionals: true, options: { python: { type: "string", default: "python3" } } });
const file = positionals[0];
if (!file) {
  process.stderr.write("usage: npm run bench -- parity <texts.jsonl> [--python python3]\n");
  process.exit(2);
}
const lines = readFileSync(file, "utf8").split("\n").filter((line) => line.trim() !== "");
const texts = lines.map((line) => (JSON.parse(line) as { text: string }).text);

const FILTERS = ["gopher_quality", "gopher_repetition", "c4_quality", "fineweb_quality"] as const;
type Verdicts = Record<(typeof FILTERS)[number], string> & { c4_text?: string };

const reference = spawnSync(values.python, [path.join(path.dirname(fileURLToPath(import.meta.url)), "datatrove_parity.py")], {
  input: texts.map((text) => JSON.stringify({ text })).join("\n") + "\n",
  encoding: "utf8",
  maxBuffer: 1 << 30,
});
if (reference.status !== 0) {
  process.stderr.write(`datatrove did not run (${values.python} bench/datatrove_parity.py): ${(reference.stderr || String(reference.error)).trim().split("\n").pop()}\n`);
  process.exit(1);
}
const theirs = reference.stdout.trim().split("\n").map((line) => JSON.parse(line) as Verdicts);

const params = { gq: gopherQualityParams.parse({}), gr: gopherRepetitionParams.parse({}), c4: c4Params.parse({}), fw: finewebQualityParams.parse({}) };
const verdict = (v: true | string) => (v === true ? "keep" : v);
const ours: Verdicts[] = texts.map((text, i) => {
  const doc: Doc = { id: String(i), text, meta: {} };
  const c4 = c4Apply(text, params.c4);
  return {
    gopher_quality: verdict(gopherQualityFilter(doc, params.gq)),
    gopher_repetition: verdict(gopherRepetitionFilter(doc, params.gr)),
    c4_quality: c4.verdict.keep ? "keep" : c4.verdict.reason,
    fineweb_quality: verdict(finewebQualityFilter(doc, params.fw)),
    ...(c4.verdict.keep ? { c4_text: c4.verdict.text } : {}),
  };
});

const rows = [["filter", "documents", "same decision", "agreement", "disagreements (datatrove / kiln)"]];
for (const filter of FILTERS) {
  const differences = new Map<string, number>();
  let same = 0;
  for (const [i, mine] of ours.entries()) {
    const their = theirs[i]!;
    const keptBoth = mine[filter] === "keep" && their[filter] === "keep";
    const agree = (mine[filter] === "keep") === (their[filter] === "keep") && (filter !== "c4_quality" || !keptBoth || mine.c4_text === their.c4_text);
    if (agree) same++;
    else {
      const key = `${their[filter]} / ${mine[filter]}${keptBoth ? " (text)" : ""}`;
      differences.set(key, (differences.get(key) ?? 0) + 1);
    }
  }
  const top = [...differences].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([key, n]) => `${key}: ${n}`).join("; ");
  rows.push([filter, String(texts.length), String(same), (same / texts.length).toFixed(4), top || "-"]);
}
process.stdout.write(`datatrove parity on ${texts.length} texts from ${path.basename(file)}, default parameters on both sides\n\n${formatTable(rows)}\n`);
