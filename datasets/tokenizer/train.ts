/**
 * Byte-level BPE training in two phases, so memory does not grow with the corpus:
 * 1. stream documents once, counting pre-token (chunk) frequencies in a table whose size is
 *    capped; when it overflows, the rarest chunks are pruned (their merges could only win with
 *    counts far below the ones that decide the vocabulary);
 * 2. merge on the distinct chunks only, with incremental pair counts and a max-heap, so each merge
 *    touches only the chunks that contain the winning pair instead of recounting everything.
 * Ties between equally frequent pairs go to the smaller (left id, right id), so training is
 * deterministic and a hand computation can predict it.
 */
import { KilnError } from "../../core/index.js";
import { BpeTokenizer, DEFAULT_SPECIAL_TOKENS, PAIR_BASE, pairKey, type BpeModel } from "./bpe.js";
import { CL100K_PATTERN, pretokenize, pretokenRegex } from "./pretokenize.js";
import { encodeWtf8 } from "./wtf8.js";

export interface PretokenCounterOptions {
  /** Pre-tokenizer regex source; default cl100k-style. */
  pattern?: string;
  /** Most distinct chunks held at once; on overflow the rarest are pruned to half of this. */
  maxDistinctPretokens?: number;
}

/** Streaming pre-token frequency table with bounded size. */
export class PretokenCounter {
  readonly pattern: string;
  readonly maxDistinct: number;
  counts = new Map<string, number>();
  /** Bytes of text seen, for throughput and reports. */
  bytesSeen = 0;
  documents = 0;
  prunes = 0;
  prunedOccurrences = 0;
  private readonly regex: RegExp;

  constructor(options: PretokenCounterOptions = {}) {
    this.pattern = options.pattern ?? CL100K_PATTERN;
    this.maxDistinct = options.maxDistinctPretokens ?? 2_000_000;
    this.regex = pretokenRegex(this.pattern);
  }

  add(text: string): void {
    this.documents++;
    this.bytesSeen += Buffer.byteLength(text);
    for (const chunk of pretokenize(text, this.regex)) this.counts.set(chunk, (this.counts.get(chunk) ?? 0) + 1);
    if (this.counts.size > this.maxDistinct) this.prune();
  }

  /** Drops the chunks with the lowest counts until at most half the cap remain. */
  prune(): void {
    const target = Math.floor(this.maxDistinct / 2);
    const histogram = new Map<number, number>();
    for (const count of this.counts.values()) histogram.set(count, (histogram.get(count) ?? 0) + 1);
    let threshold = 0;
    let remaining = this.counts.size;
    for (const count of [...histogram.keys()].sort((a, b) => a - b)) {
      if (remaining <= target) break;
      remaining -= histogram.get(count)!;
      threshold = count;
    }
    for (const [chunk, count] of this.counts) {
      if (count <= threshold) {
        this.counts.delete(chunk);
        this.prunedOccurrences += count;
      }
    }
    this.prunes++;
  }
}

export interface TrainBpeOptions {
  /** Final vocabulary size: 256 bytes + merges + special tokens. */
  vocabSize: number;
  pattern?: string;
  /** Default DEFAULT_SPECIAL_TOKENS. */
  specialTokens?: readonly string[];
  /** A pair seen fewer times than this is never merged (training may stop below vocabSize). */
  minFrequency?: number;
  name?: string;
  onMerge?: (merges: number, target: number) => void;
}

export interface TrainBpeResult {
  tokenizer: BpeTokenizer;
  /** Merges learned; fewer than asked when pairs ran out or fell under minFrequency. */
  merges: number;
  requestedMerges: number;
}

/** Max-heap of pair keys ordered by count, then by smaller key; stale entries are skipped on pop. */
class PairHeap {
  private readonly keys: number[] = [];
  private readonly counts: number[] = [];

  get size(): number {
    return this.keys.length;
  }

  private above(i: number, j: number): boolean {
    const ci = this.counts[i]!;
    const cj = this.counts[j]!;
    return ci > cj || (ci === cj && this.keys[i]! < this.keys[j]!);
  }

  private swap(i: number, j: number): void {
    [this.keys[i], this.keys[j]] = [this.keys[j]!, this.keys[i]!];
    [this.counts[i], this.counts[j]] = [this.counts[j]!, this.counts[i]!];
  }

  push(key: number, count: number): void {
    this.keys.push(key);
    this.counts.push(count);
    let i = this.keys.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.above(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): [key: number, count: number] | undefined {
    if (this.keys.length === 0) return undefined;
    const top: [number, number] = [this.keys[0]!, this.counts[0]!];
    const lastKey = this.keys.pop()!;
    const lastCount = this.counts.pop()!;
    if (this.keys.length > 0) {
      this.keys[0] = lastKey;
      this.counts[0] = lastCount;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let best = i;
        if (left < this.keys.length && this.above(left, best)) best = left;
        if (right < this.keys.length && this.above(right, best)) best = right;
        if (best === i) break;
        this.swap(i, best);
        i = best;
      }
    }
    return top;
  }
}

/** Learns merges from chunk counts. Ids: 0..255 are the bytes, then merges, then special tokens. */
export function trainBpe(chunkCounts: Iterable<[string, number]>, options: TrainBpeOptions): TrainBpeResult {
  const specials = options.specialTokens ?? DEFAULT_SPECIAL_TOKENS;
  const requestedMerges = options.vocabSize - 256 - specials.length;
  if (requestedMerges < 0 || options.vocabSize >= PAIR_BASE) {
    throw new KilnError("bad_vocab", `vocab size ${options.vocabSize} must be between ${256 + specials.length} and ${PAIR_BASE - 1}`);
  }
  const minFrequency = options.minFrequency ?? 2;

  const words: Int32Array[] = [];
  const lengths: number[] = [];
  const frequency: number[] = [];
  for (const [chunk, count] of chunkCounts) {
    const bytes = encodeWtf8(chunk);
    if (bytes.length < 2) continue;
    words.push(Int32Array.from(bytes));
    lengths.push(bytes.length);
    frequency.push(count);
  }

  const pairCounts = new Map<number, number>();
  const pairWords = new Map<number, number[]>();
  const addPair = (key: number, count: number, word: number | undefined) => {
    pairCounts.set(key, (pairCounts.get(key) ?? 0) + count);
    if (word === undefined) return;
    const list = pairWords.get(key);
    if (list) {
      if (list[list.length - 1] !== word) list.push(word);
    } else pairWords.set(key, [word]);
  };
  words.forEach((symbols, w) => {
    for (let i = 0; i + 1 < symbols.length; i++) addPair(pairKey(symbols[i]!, symbols[i + 1]!), frequency[w]!, w);
  });
  const heap = new PairHeap();
  for (const [key, count] of pairCounts) heap.push(key, count);

  const tokenBytes: Uint8Array[] = Array.from({ length: 256 }, (_, byte) => Uint8Array.of(byte));
  const merges: BpeModel["merges"] = [];
  const visited = new Int32Array(words.length);
  while (merges.length < requestedMerges) {
    const top = heap.pop();
    if (!top) break;
    const [key, heapCount] = top;
    const current = pairCounts.get(key) ?? 0;
    if (current !== heapCount) {
      if (current > 0) heap.push(key, current);
      continue;
    }
    if (current < minFrequency) break;
    const left = Math.floor(key / PAIR_BASE);
    const right = key % PAIR_BASE;
    const result = 256 + merges.length;
    merges.push({ left, right, result });
    const joined = new Uint8Array(tokenBytes[left]!.length + tokenBytes[right]!.length);
    joined.set(tokenBytes[left]!);
    joined.set(tokenBytes[right]!, tokenBytes[left]!.length);
    tokenBytes.push(joined);

    const touched = new Set<number>();
    for (const w of pairWords.get(key) ?? []) {
      // Lists may hold stale or repeated entries; the stamp visits each chunk once per merge.
      if (visited[w] === merges.length) continue;
      visited[w] = merges.length;
      const symbols = words[w]!;
      const length = lengths[w]!;
      const count = frequency[w]!;
      let contains = false;
      for (let i = 0; i + 1 < length; i++) if (symbols[i] === left && symbols[i + 1] === right) contains = true;
      if (!contains) continue;
      for (let i = 0; i + 1 < length; i++) addPair(pairKey(symbols[i]!, symbols[i + 1]!), -count, undefined);
      let write = 0;
      for (let read = 0; read < length; read++) {
        if (read + 1 < length && symbols[read] === left && symbols[read + 1] === right) {
          symbols[write++] = result;
          read++;
        } else symbols[write++] = symbols[read]!;
      }
      lengths[w] = write;
      for (let i = 0; i + 1 < write; i++) {
        const pair = pairKey(symbols[i]!, symbols[i + 1]!);
        const isNew = symbols[i] === result || symbols[i + 1] === result;
        addPair(pair, count, isNew ? w : undefined);
        if (isNew) touched.add(pair);
      }
    }
    pairCounts.delete(key);
    pairWords.delete(key);
    for (const pair of touched) heap.push(pair, pairCounts.get(pair)!);
    options.onMerge?.(merges.length, requestedMerges);
  }

  const specialTokens = new Map<string, number>();
  specials.forEach((text, i) => specialTokens.set(text, tokenBytes.length + i));
  const model: BpeModel = { pattern: options.pattern ?? CL100K_PATTERN, tokenBytes, merges, specialTokens };
  return { tokenizer: new BpeTokenizer(options.name ?? "kiln-bpe", model), merges: merges.length, requestedMerges };
}
