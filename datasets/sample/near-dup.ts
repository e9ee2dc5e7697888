/**
 * Near-duplicate variants with a planted word-5-gram Jaccard similarity to their original.
 * Shingles: lower-case the text, delete punctuation and symbols, split on whitespace, take every
 * window of 5 consecutive words, as a set (a text of fewer than 5 words is one shingle).
 */
import { blocksToText, SentenceSource, type Block } from "./compose.js";
import type { Rng } from "./rng.js";
import { TOPICS, type LanguagePack, type Topic } from "./text/index.js";

export const SHINGLE_SIZE = 5; // shingleSet spells out the 5-word window
export const JACCARD_TARGETS: readonly number[] = [0.95, 0.9, 0.8, 0.7, 0.5, 0.3];

export function shingleWords(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[\p{P}\p{S}]/gu, "")
    .split(/\s+/)
    .filter((w) => w !== "");
}

export function shingleSet(text: string): Set<string> {
  const words = shingleWords(text);
  if (words.length < SHINGLE_SIZE) return new Set(words.length > 0 ? [words.join(" ")] : []);
  const shingles = new Set<string>();
  for (let i = 0; i + SHINGLE_SIZE <= words.length; i++) {
    shingles.add(`${words[i]} ${words[i + 1]} ${words[i + 2]} ${words[i + 3]} ${words[i + 4]}`);
  }
  return shingles;
}

export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let shared = 0;
  for (const s of small) if (large.has(s)) shared++;
  const union = a.size + b.size - shared;
  return union === 0 ? 1 : shared / union;
}

const vocabularies = new WeakMap<LanguagePack, string[]>();

/** Words of the language's sentence bank, for word-level edits that keep the text in its language. */
function vocabulary(pack: LanguagePack): string[] {
  let words = vocabularies.get(pack);
  if (!words) {
    const set = new Set<string>();
    for (const topic of TOPICS) {
      for (const template of pack.sentences[topic]) {
        for (const w of template.replace(/\{\w+\}|[[\]|]/g, " ").split(/\s+/)) {
          const core = w.replace(/[\p{P}\p{S}]/gu, "").toLowerCase();
          if (core.length >= 4) set.add(core);
        }
      }
    }
    words = [...set].sort();
    vocabularies.set(pack, words);
  }
  return words;
}

function cloneBlocks(blocks: readonly Block[]): Block[] {
  return blocks.map((b) => (b.kind === "p" ? { kind: "p", sentences: [...b.sentences] } : b));
}

function paragraphs(blocks: Block[]): { kind: "p"; sentences: string[] }[] {
  return blocks.filter((b): b is { kind: "p"; sentences: string[] } => b.kind === "p");
}

function editSentence(blocks: Block[], source: SentenceSource, rng: Rng): void {
  const p = rng.pick(paragraphs(blocks));
  const i = rng.int(p.sentences.length);
  const r = rng.next();
  if (r < 0.65 || p.sentences.length === 1) p.sentences[i] = source.next();
  else if (r < 0.85) p.sentences.splice(i, 1);
  else p.sentences.splice(i + 1, 0, source.next());
}

function editWord(blocks: Block[], pack: LanguagePack, rng: Rng): void {
  const p = rng.pick(paragraphs(blocks));
  const s = rng.int(p.sentences.length);
  const words = (p.sentences[s] ?? "").split(" ");
  if (words.length < 4) return;
  const vocab = vocabulary(pack);
  const numberAt = words.findIndex((w) => /^\d+\D?$/.test(w));
  const r = rng.next();
  if (numberAt >= 0 && r < 0.25) {
    const word = words[numberAt] ?? "";
    const value = Number.parseInt(word, 10);
    words[numberAt] = String(value + rng.range(1, 9)) + word.replace(/^\d+/, "");
  } else if (r < 0.7) {
    // Replace a word, keeping its trailing punctuation and its capital letter.
    const i = rng.int(words.length);
    const word = words[i] ?? "";
    const trailing = /[\p{P}\p{S}]*$/u.exec(word)?.[0] ?? "";
    let replacement = rng.pick(vocab);
    if (i === 0) replacement = replacement.charAt(0).toUpperCase() + replacement.slice(1);
    words[i] = replacement + trailing;
  } else if (r < 0.85) {
    words.splice(rng.range(1, words.length - 2), 1);
  } else {
    words.splice(rng.range(1, words.length - 1), 0, rng.pick(vocab));
  }
  p.sentences[s] = words.join(" ");
}

interface Measure {
  jaccard: number;
  shared: number;
  union: number;
}

function measure(original: ReadonlySet<string>, blocks: readonly Block[]): Measure {
  const variant = shingleSet(blocksToText(blocks));
  let shared = 0;
  for (const s of variant) if (original.has(s)) shared++;
  const union = original.size + variant.size - shared;
  return { jaccard: union === 0 ? 1 : shared / union, shared, union };
}

/**
 * Edits a copy of `original` until its shingle Jaccard against the original is as close to
 * `target` as single word edits allow: whole sentences are replaced, deleted or inserted first
 * (for the low targets), then words, in batches sized from the remaining distance.
 */
export function deriveVariant(
  original: readonly Block[],
  target: number,
  pack: LanguagePack,
  topic: Topic,
  rng: Rng,
): { blocks: Block[]; jaccard: number } {
  const originalSet = shingleSet(blocksToText(original));
  const source = new SentenceSource(pack, topic, rng);
  let current = cloneBlocks(original);
  let state: Measure = { jaccard: 1, shared: originalSet.size, union: originalSet.size };

  const sentenceStop = target + (1 - target) * 0.15;
  for (let guard = 0; target <= 0.85 && state.jaccard > sentenceStop && guard < 400; guard++) {
    // A sentence edit changes about 20 shingles; do half of the estimated number at once.
    const estimate = (state.shared - sentenceStop * state.union) / (20 * (1 + sentenceStop));
    const batch = Math.max(1, Math.floor(estimate / 2));
    const candidate = cloneBlocks(current);
    for (let i = 0; i < batch; i++) editSentence(candidate, source, rng);
    const next = measure(originalSet, candidate);
    if (next.jaccard < target) break;
    current = candidate;
    state = next;
  }

  let single = false;
  for (let guard = 0; state.jaccard > target && guard < 2000; guard++) {
    // Each word edit removes about 5 shared shingles and adds about 5 new ones; aim a little short.
    const estimate = (state.shared - target * state.union) / (SHINGLE_SIZE * (1 + target));
    const batch = single ? 1 : Math.max(1, Math.floor(estimate * 0.7));
    const candidate = cloneBlocks(current);
    for (let i = 0; i < batch; i++) editWord(candidate, pack, rng);
    const next = measure(originalSet, candidate);
    if (next.jaccard >= target) {
      current = candidate;
      state = next;
      continue;
    }
    if (batch > 1) {
      single = true;
      continue;
    }
    if (Math.abs(next.jaccard - target) < Math.abs(state.jaccard - target)) {
      current = candidate;
      state = next;
    }
    break;
  }
  return { blocks: current, jaccard: state.jaccard };
}
