/**
 * Vendors FineWeb-2's per-language filter settings (huggingface/fineweb-2, Apache-2.0) as Kiln
 * parameters: stages/filters/fineweb2/settings.json, read by the `fineweb2` preset.
 *
 *   npx tsx scripts/vendor-fineweb2.ts ../shared/bench/fineweb2/configs
 *
 * Each `<lang>_<Script>.yml` (a GlotLID label) becomes the `perLanguage` entry of three stages under
 * Kiln's code for the language (`deu_Latn` -> `de`), or `<code>_<Script>` for a language that
 * FineWeb-2 filters in several scripts (`sr_Cyrl`, `sr_Latn`). Where two labels name the same
 * Kiln language and script (only `quy_Latn` and `quz_Latn`, both Quechua), the first in sort
 * order is kept. `language_score` is kept apart (`glotlidScore`): it is calibrated to GlotLID's
 * scores, not to Kiln's detectors.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { canonicalLanguage } from "../stages/language/codes.js";

interface Config {
  dup_line_frac: number;
  dup_n_grams: [number, number][];
  top_n_grams: [number, number][];
  language_score: number;
  line_punct_thr: number;
  max_avg_word_length: number;
  min_avg_word_length: number;
  max_non_alpha_words_ratio: number;
  new_line_ratio: number;
  stopwords: string[];
}

const dir = process.argv[2];
if (!dir) throw new Error("usage: npx tsx scripts/vendor-fineweb2.ts <fineweb-2 configs folder>");
const labels = readdirSync(dir).filter((f) => f.endsWith(".yml")).map((f) => f.slice(0, -4)).sort();

/** Kiln code -> the labels that map to it, by script. */
const byLanguage = new Map<string, Map<string, string[]>>();
for (const label of labels) {
  const [code, script] = label.split("_") as [string, string];
  const language = canonicalLanguage(code);
  const scripts = byLanguage.get(language) ?? new Map<string, string[]>();
  scripts.set(script, [...(scripts.get(script) ?? []), label]);
  byLanguage.set(language, scripts);
}

function settings(config: Config) {
  const ngrams = (pairs: [number, number][], name: (n: number) => string) => Object.fromEntries(pairs.map(([n, v]) => [name(n), v]));
  return {
    gopher_repetition: { dupLineFrac: config.dup_line_frac, ...ngrams(config.top_n_grams, (n) => `top${n}GramCharFrac`), ...ngrams(config.dup_n_grams, (n) => `dup${n}GramCharFrac`) },
    // FineWeb-2 turns the rule off with -1; Kiln says so with 0 and excluding zero (no ratio is below 0).
    fineweb_quality:
      config.line_punct_thr < 0
        ? { linePunctThr: 0, linePunctExcludeZero: true, newLineRatio: config.new_line_ratio }
        : { linePunctThr: config.line_punct_thr, newLineRatio: config.new_line_ratio },
    gopher_quality: {
      minAvgWordLength: config.min_avg_word_length,
      maxAvgWordLength: config.max_avg_word_length,
      minAlphaWordsRatio: config.max_non_alpha_words_ratio,
      stopWords: config.stopwords,
    },
  };
}

const perLanguage: Record<string, ReturnType<typeof settings> & { label: string; glotlidScore: number }> = {};
let merged = 0;
for (const [language, scripts] of [...byLanguage].sort(([a], [b]) => (a < b ? -1 : 1))) {
  for (const [script, candidates] of scripts) {
    const chosen = candidates[0]!;
    merged += candidates.length - 1;
    const config = parse(readFileSync(path.join(dir, `${chosen}.yml`), "utf8")) as Config;
    const key = scripts.size > 1 ? `${language}_${script}` : language;
    perLanguage[key] = { label: chosen, glotlidScore: config.language_score, ...settings(config) };
  }
}

const out = path.join(import.meta.dirname, "..", "stages", "filters", "fineweb2", "settings.json");
const source = "huggingface/fineweb-2 @ d0defb24, configs/*.yml (Apache-2.0: the license field, and LICENSE beside this file)";
// The license travels inside the data, so the built package (which ships dist/ only) carries it.
const license = readFileSync(path.join(dir, "..", "LICENSE"), "utf8");
writeFileSync(out, JSON.stringify({ source, license, labels: labels.length, perLanguage }) + "\n");
process.stdout.write(`${out}: ${Object.keys(perLanguage).length} languages from ${labels.length} labels (${merged} merged into another label's language)\n`);
