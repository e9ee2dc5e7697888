/**
 * C4's line and document rules (Raffel et al. 2020), with datatrove's defaults and semantics
 * (`c4_filters.py`, `C4QualityFilter` with `split_paragraph=True`): each line of
 * `text.splitlines()` is stripped and checked in datatrove's order; the kept lines are joined
 * with "\n". Removed lines are counted by reason, in `meta.c4.linesRemoved` and in the stage's
 * stats as `skip:line:<reason>`; documents are dropped for "lorem ipsum", "{" and too few
 * sentences.
 *
 * Lines are stripped of Python's whitespace and word lengths are Python's, in code points.
 *
 * By default the rules are datatrove's exactly, which remove every line of a page written in a
 * script without spaces (a Chinese line is one whitespace-separated chunk, under "at least 3
 * words"). `noSpaceScripts: true` keeps such pages alive without changing anything on other text:
 * the CJK full stops (。！？) are terminal punctuation, a line in a script without spaces counts its
 * segmented words rather than its chunks, and counts its sentences by its full stops
 * (`countSentences`), which spaCy's English tokenizer leaves inside the one chunk.
 *
 * Sentences are counted as datatrove counts them (`sentences: english`): spaCy's sentencizer over
 * spaCy's English tokens, so "e.g.", "U.S.", "Mr.", "3.5" and "..." end no sentence. On the shared
 * extraction benchmark's 181 articles and the 157 English texts of the shared quality labels, a
 * plain count of marks followed by a space (`sentences: simple`) differs on 376 of the 4,298 lines
 * of three words or more, and moves 2 of 338 documents across the five-sentence rule.
 */
import { z } from "zod";
import { type Doc, type TaskContext, docStage, register } from "../../pipeline/index.js";
import { englishSentenceCount } from "./english/words.js";
import { countLineWords, endsWithAny, pythonStrip, splitLines, whitespaceWordStats } from "./text.js";

export const C4_CITATION = /\[\d*]|\[edit]|\[citation needed]/g;
export const C4_POLICY_SUBSTRINGS = ["terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies", "use cookies"];

export const c4Params = z.object({
  filterNoTerminalPunct: z.boolean().default(true).describe("remove lines not ending in terminal punctuation, or ending in '...' (published on; FineWeb turns it off)"),
  terminalPunctuation: z
    .array(z.string())
    .default([".", "?", "!", '"', "'"])
    .describe("line endings that count as terminal punctuation (published . ? ! \" '; noSpaceScripts adds the CJK full stops)"),
  minNumSentences: z.number().int().default(5).describe("fewest sentences a document keeps after line removal (published 5; -1 disables)"),
  minWordsPerLine: z.number().int().default(3).describe("fewest words a kept line has (published 3; -1 disables)"),
  maxWordLength: z.number().int().default(1000).describe("longest word, in characters, a kept line may contain (published 1000; -1 disables)"),
  removeCitations: z.boolean().default(true).describe("strip Wikipedia citation markers such as [1], [edit], [citation needed]"),
  filterLoremIpsum: z.boolean().default(true).describe('drop documents containing "lorem ipsum"'),
  filterJavascript: z.boolean().default(true).describe('remove lines mentioning "javascript"'),
  filterCurlyBracket: z.boolean().default(true).describe('drop documents containing "{"'),
  filterPolicy: z.boolean().default(true).describe("remove lines about terms of use, privacy or cookie policies"),
  noSpaceScripts: z
    .boolean()
    .default(false)
    .describe(
      "keep lines in scripts written without spaces (Chinese, Japanese, Thai): CJK full stops end lines and sentences, words are segmented (off: datatrove's rules, which remove every such line)",
    ),
  sentences: z
    .enum(["english", "simple"])
    .default("english")
    .describe(
      "how sentences are counted: english = datatrove's, spaCy's sentencizer over spaCy's English tokens (\"e.g.\", \"U.S.\", \"3.5\" and \"...\" end no sentence); simple = a sentence mark (. ! ? and the CJK full stops) followed by a space, or a CJK one anywhere",
    ),
});
export type C4Params = z.output<typeof c4Params>;

export type C4LineReason = "too_long_word" | "no_terminal_punc" | "too_few_words" | "javascript" | "policy";

export interface C4Result {
  /** The text with removed lines gone and citations stripped, or the document-level drop reason. */
  verdict: { keep: true; text: string } | { keep: false; reason: string };
  linesKept: number;
  linesRemoved: Partial<Record<C4LineReason, number>>;
  sentences: number;
}

/** Every line or document rule below needs one of these (each policy phrase has "cookie", "terms of use" or "privacy policy"). */
const MAYBE_DOCUMENT_OR_LINE_RULE = /lorem ipsum|javascript|cookie|terms of use|privacy policy|\{/i;

/** . ! ? and the CJK full stops 。！？ */
const isSentenceEnd = (c: number) => c === 0x2e || c === 0x21 || c === 0x3f || c === 0x3002 || c === 0xff01 || c === 0xff1f;
const isCjkSentenceEnd = (c: number) => c === 0x3002 || c === 0xff01 || c === 0xff1f;
/** " ' ) ] ” ’ 」 』 ） */
const isCloser = (c: number) =>
  c === 0x22 || c === 0x27 || c === 0x29 || c === 0x5d || c === 0x201d || c === 0x2019 || c === 0x300d || c === 0x300f || c === 0xff09;

/** Sentences in one line: 1 + the number of sentence ends followed by more text. */
export function countSentences(line: string): number {
  let sentences = 1;
  const n = line.length;
  for (let i = 0; i < n; i++) {
    const c = line.charCodeAt(i);
    if (!isSentenceEnd(c)) continue;
    const cjk = isCjkSentenceEnd(c);
    let j = i + 1;
    while (j < n && isSentenceEnd(line.charCodeAt(j))) j++;
    while (j < n && isCloser(line.charCodeAt(j))) j++;
    let k = j;
    while (k < n && (line.charCodeAt(k) === 32 || line.charCodeAt(k) === 9)) k++;
    if (k < n && (k > j || cjk)) sentences++;
    i = j - 1;
  }
  return sentences;
}

const WITH_CJK_STOPS = new WeakMap<readonly string[], readonly string[]>();

/** The terminal punctuation, with the CJK full stops under noSpaceScripts (made once per params). */
function lineEndings(p: C4Params): readonly string[] {
  if (!p.noSpaceScripts) return p.terminalPunctuation;
  let endings = WITH_CJK_STOPS.get(p.terminalPunctuation);
  if (!endings) WITH_CJK_STOPS.set(p.terminalPunctuation, (endings = [...p.terminalPunctuation, "。", "？", "！"]));
  return endings;
}

/** The C4 rules as one pure function of (text, params). */
export function c4Apply(text: string, p: C4Params): C4Result {
  const linesRemoved: Partial<Record<C4LineReason, number>> = {};
  const remove = (reason: C4LineReason) => (linesRemoved[reason] = (linesRemoved[reason] ?? 0) + 1);
  const kept: string[] = [];
  let sentences = 0;
  const result = (verdict: C4Result["verdict"]): C4Result => ({ verdict, linesKept: kept.length, linesRemoved, sentences });
  // A line in a script without spaces keeps the simple count (see the header).
  const count = (line: string, noSpaceScript: boolean) => (p.sentences === "english" && !noSpaceScript ? englishSentenceCount(line) : countSentences(line));
  const endings = lineEndings(p);
  for (const rawLine of splitLines(text)) {
    let line = pythonStrip(rawLine);
    const words = whitespaceWordStats(line);
    if (!p.noSpaceScripts) words.noSpaceScript = false;
    if (p.maxWordLength !== -1 && words.longest > p.maxWordLength) {
      remove("too_long_word");
      continue;
    }
    if (p.removeCitations && line.includes("[")) line = line.replace(C4_CITATION, "");
    if (p.filterNoTerminalPunct && (!endsWithAny(line, endings) || line.endsWith("..."))) {
      remove("no_terminal_punc");
      continue;
    }
    if (countLineWords(line, words) < p.minWordsPerLine) {
      remove("too_few_words");
      continue;
    }
    // Most lines mention none of the phrases: one case-insensitive scan rules them all out.
    if (!MAYBE_DOCUMENT_OR_LINE_RULE.test(line)) {
      sentences += count(line, words.noSpaceScript);
      kept.push(line);
      continue;
    }
    const lower = line.toLowerCase();
    if (p.filterLoremIpsum && lower.includes("lorem ipsum")) return result({ keep: false, reason: "c4:lorem_ipsum" });
    if (p.filterJavascript && lower.includes("javascript")) {
      remove("javascript");
      continue;
    }
    if (p.filterCurlyBracket && line.includes("{")) return result({ keep: false, reason: "c4:curly_bracket" });
    if (p.filterPolicy && C4_POLICY_SUBSTRINGS.some((s) => lower.includes(s))) {
      remove("policy");
      continue;
    }
    sentences += count(line, words.noSpaceScript);
    kept.push(line);
  }
  if (sentences < p.minNumSentences) return result({ keep: false, reason: "c4:too_few_sentences" });
  return result({ keep: true, text: pythonStrip(kept.join("\n")) });
}

/** The filter as a pure function of (doc, params): the changed document, or the drop reason. */
export function c4Filter(doc: Doc, params: C4Params): Doc | string {
  const { verdict } = c4Apply(doc.text, params);
  return verdict.keep ? { ...doc, text: verdict.text } : verdict.reason;
}

export const c4Quality = docStage({
  name: "c4_quality",
  description: "C4 rules: remove lines (no terminal punctuation, < 3 words, javascript, policy, 1000+ char words), drop lorem ipsum, '{', < 5 sentences",
  params: c4Params,
  setup: (params) => (doc: Doc, ctx: TaskContext) => {
    const { verdict, linesKept, linesRemoved, sentences } = c4Apply(doc.text, params);
    for (const [reason, n] of Object.entries(linesRemoved)) ctx.skip("c4_quality", `line:${reason}`, n);
    doc.meta.c4 = { linesKept, linesRemoved, sentences };
    if (!verdict.keep) return verdict.reason;
    doc.text = verdict.text;
    return doc;
  },
});

register(c4Quality);
