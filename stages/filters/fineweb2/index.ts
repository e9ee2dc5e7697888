/**
 * FineWeb-2's per-language filter settings (huggingface/fineweb-2, Apache-2.0: LICENSE beside
 * this file), vendored by scripts/vendor-fineweb2.ts as Kiln parameters, keyed by Kiln's language
 * code (or code and script where FineWeb-2 filters a language in several scripts). Read once,
 * when a stage asks for them.
 */
import { readFileSync } from "node:fs";

interface Settings {
  source: string;
  perLanguage: Record<string, Record<string, Record<string, unknown>> & { label: string; glotlidScore: number }>;
}

let settings: Settings | undefined;

/**
 * The `perLanguage` table of `stage` (gopher_repetition, fineweb_quality or gopher_quality). Words
 * are `segmented`: FineWeb-2 splits each language with its own word tokenizer (jieba for Chinese,
 * SudachiPy for Japanese, pythainlp for Thai ...), for which ICU's word breaker stands in.
 */
export function fineweb2PerLanguage(stage: string): Record<string, Record<string, unknown>> {
  settings ??= JSON.parse(readFileSync(new URL("./settings.json", import.meta.url), "utf8")) as Settings;
  const table: Record<string, Record<string, unknown>> = {};
  for (const [language, entry] of Object.entries(settings.perLanguage)) {
    const params = entry[stage];
    if (params) table[language] = { words: "segmented", ...params };
  }
  return table;
}
