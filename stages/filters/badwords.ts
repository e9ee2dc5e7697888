/**
 * C4's bad-words rule (Raffel et al. 2020): drop a page whose lower-cased text contains an entry
 * of the "List of Dirty, Naughty, Obscene and Otherwise Bad Words" (LDNOOBW) for its language,
 * matched between non-word characters (or anywhere, for Japanese, Thai and Chinese, written
 * without spaces). Semantics of datatrove's `C4BadWordsFilter`: the language comes from
 * `meta.language` (else `defaultLanguage`); the allowlist of common subwords is removed from
 * every list; `keepFraction` keeps that share of matching pages.
 *
 * Lists: the npm package `naughty-words` (LDNOOBW's own, 28 languages, offline). Its English list
 * is 26 entries longer than the one C4 and datatrove pin (LDNOOBW commit 25e679f); those are
 * removed here, so `en` is C4's 377 entries. Other languages are the package's (datatrove pins a
 * later commit for them; the lists may differ by a few entries). `wordLists` replaces any list
 * with a file of one entry per line.
 *
 * Departures from datatrove, deliberate: a language without a list is kept and counted
 * (`skip:missing_badwords_lang:<lang>`) rather than stopping the run unless `failOnMissingLanguage`
 * is set, and then the document is dropped with that reason (one bad document never ends a run);
 * which matching pages `keepFraction` keeps is chosen by a hash of (seed, id), as C4 chose by URL
 * hash, so it does not depend on order or task. datatrove before PR #379 (issue #377) compiled
 * every language's list under the "zh" key without word boundaries, so "ass" matched inside
 * "class"; this follows the intended behaviour.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { z } from "zod";
import { type Doc, type TaskContext, docStage, register } from "../../pipeline/index.js";
import { KilnError } from "../../core/index.js";

/** The languages LDNOOBW has a list for (file names in the package). */
export const BADWORDS_LANGUAGES = [
  "ar", "cs", "da", "de", "en", "eo", "es", "fa", "fi", "fil", "fr", "fr-CA-u-sd-caqc", "hi", "hu", "it", "ja", "kab", "ko",
  "nl", "no", "pl", "pt", "ru", "sv", "th", "tlh", "tr", "zh",
] as const;

/** Entries added to LDNOOBW's English list after the commit C4 pins (25e679f). */
const ADDED_TO_ENGLISH_AFTER_C4 = new Set([
  "bangbus", "beastiality", "cialis", "cumshot", "cumshots", "fag", "gangbang", "horny", "livesex", "masturbating", "masturbation",
  "mong", "nsfw", "nutten", "pikey", "sexcam", "sexual", "sexuality", "sexually", "spastic", "thumbzilla", "viagra", "voyeurweb",
  "voyuer", "whore", "worldsex",
]);

/** Common subwords in languages without spaces; each alone removes > 10% of those pages (C4, datatrove). */
const ALLOWLIST = new Set(["sm", "グロ", "女の子", "性"]);

/** Written without spaces: an entry matches anywhere, not only between non-word characters. */
const WITHOUT_SPACES = new Set(["ja", "th", "zh"]);

/** Our language codes (ISO 639-1, else 639-3) that LDNOOBW names otherwise. */
const LIST_NAMES: Record<string, string> = { tl: "fil", nb: "no", nn: "no", nob: "no", nno: "no", "fr-ca": "fr-CA-u-sd-caqc" };

function listName(language: string): string {
  const lower = language.toLowerCase();
  return LIST_NAMES[lower] ?? BADWORDS_LANGUAGES.find((name) => name.toLowerCase() === lower) ?? lower;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The entries of one language's list, as C4 uses them. */
export function badWords(language: string, file?: string): string[] {
  const name = listName(language);
  let entries: string[];
  if (file) {
    entries = readFileSync(file, "utf8").split(/\r?\n/).map((w) => w.trim());
  } else {
    if (!(BADWORDS_LANGUAGES as readonly string[]).includes(name)) return [];
    entries = createRequire(import.meta.url)(`naughty-words/${name}.json`) as string[];
    if (name === "en") entries = entries.filter((w) => !ADDED_TO_ENGLISH_AFTER_C4.has(w));
  }
  return [...new Set(entries.map((w) => w.trim()).filter((w) => w.length > 0 && !ALLOWLIST.has(w)))];
}

/** A matcher for one language's list; `\W` as in Python: neither a letter, a number nor "_". */
export function badWordsPattern(language: string, words: string[]): RegExp {
  const alternatives = words.map(escapeRegExp).join("|");
  if (WITHOUT_SPACES.has(listName(language))) return new RegExp(alternatives, "u");
  return new RegExp(`(?:[^\\p{L}\\p{N}_]|^)(?:${alternatives})(?:[^\\p{L}\\p{N}_]|$)`, "u");
}

export const c4BadWordsParams = z.object({
  keepFraction: z.number().min(0).max(1).default(0).describe("share of pages with bad words that are kept anyway (published 0)"),
  seed: z.number().int().default(0).describe("chooses which pages keepFraction keeps (a hash of seed and document id)"),
  defaultLanguage: z.string().default("en").describe("language of documents without meta.language (published en)"),
  failOnMissingLanguage: z
    .boolean()
    .default(false)
    .describe("drop documents in a language without a list (reason missing_badwords_lang) instead of keeping them; datatrove stops the run"),
  wordLists: z.record(z.string(), z.string()).default({}).describe("language → file with one entry per line, replacing the bundled list"),
});
export type C4BadWordsParams = z.output<typeof c4BadWordsParams>;

/** Whether a hash of (seed, id) falls below `fraction`: the same decision for a document on every run and task. */
function chosen(seed: number, id: string, fraction: number): boolean {
  return createHash("sha1").update(`${seed}\0${id}`).digest().readUInt32BE(0) / 2 ** 32 < fraction;
}

export const c4BadWords = docStage({
  name: "c4_badwords",
  description: "C4's bad-words rule: drop pages containing an entry of LDNOOBW's list for their language (C4's pinned English list)",
  params: c4BadWordsParams,
  setup(params) {
    const patterns = new Map<string, RegExp | null>();
    const patternFor = (language: string): RegExp | null => {
      const key = listName(language);
      let pattern = patterns.get(key);
      if (pattern === undefined) {
        const file = params.wordLists[language] ?? params.wordLists[key];
        const words = badWords(language, file);
        if (file && words.length === 0) throw new KilnError("bad_config", `c4_badwords: ${file}: the word list for ${language} is empty`);
        pattern = words.length > 0 ? badWordsPattern(language, words) : null;
        patterns.set(key, pattern);
      }
      return pattern;
    };
    for (const [language, file] of Object.entries(params.wordLists)) {
      try {
        patternFor(language);
      } catch (error) {
        throw error instanceof KilnError ? error : new KilnError("bad_config", `c4_badwords: wordLists.${language}: ${file}: ${(error as Error).message}`);
      }
    }
    return (doc: Doc, ctx: TaskContext) => {
      const language = typeof doc.meta.language === "string" && doc.meta.language ? doc.meta.language : params.defaultLanguage;
      const pattern = patternFor(language);
      if (!pattern) {
        if (params.failOnMissingLanguage) return "missing_badwords_lang";
        ctx.skip("c4_badwords", `missing_badwords_lang:${language}`);
        return doc;
      }
      if (!pattern.test(doc.text.toLowerCase())) return doc;
      if (params.keepFraction > 0 && chosen(params.seed, doc.id, params.keepFraction)) {
        ctx.skip("c4_badwords", "kept_with_badwords");
        return doc;
      }
      return "badwords";
    };
  },
});

register(c4BadWords);
