/**
 * Kiln's own byte-level BPE tokenizer: a pre-tokenizer regex, 256 byte tokens, ranked merges and
 * special tokens. Made by `trainBpe` or loaded from a Hugging Face `tokenizer.json`.
 */
import { KilnError } from "../../core/index.js";
import { pretokenize, pretokenRegex } from "./pretokenize.js";
import type { Tokenizer } from "./types.js";
import { decodeWtf8, encodeWtf8 } from "./wtf8.js";

/** Ids go up to 2^21, so a pair of ids packs into one exact double. */
export const PAIR_BASE = 2 ** 21;
export const pairKey = (left: number, right: number): number => left * PAIR_BASE + right;

export interface BpeModel {
  /** The pre-tokenizer regex source (used with flags "gu"). */
  pattern: string;
  /** bytes[id] for every non-special id; holes are not allowed. */
  tokenBytes: Uint8Array[];
  /** In rank order: merge r joins `left` and `right` into `result`. */
  merges: { left: number; right: number; result: number }[];
  /** Special tokens by text; their ids follow the ordinary ones. */
  specialTokens: Map<string, number>;
}

/** The special tokens every Kiln-trained tokenizer carries, in id order after the merges. */
/** What an encoder's inputs need (BERT's names): `kiln tokenizer train --encoder` adds them. */
export const ENCODER_SPECIAL_TOKENS = ["[CLS]", "[SEP]", "[MASK]", "[PAD]", "[UNK]"] as const;
export const DEFAULT_SPECIAL_TOKENS = [
  "<|bos|>", "<|eos|>", "<|pad|>",
  "<|im_start|>", "<|im_end|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>",
] as const;

const CHUNK_CACHE_LIMIT = 200_000;
const textEncoder = new TextEncoder();

export class BpeTokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly eos: number;
  readonly specialTokens: ReadonlyMap<string, number>;
  private readonly regex: RegExp;
  private readonly rankOfPair = new Map<number, number>();
  private readonly resultOfRank: Int32Array;
  private readonly idOfByte = new Int32Array(256).fill(-1);
  private readonly specialBytes = new Map<number, Uint8Array>();
  private chunkCache = new Map<string, number[]>();

  constructor(
    readonly name: string,
    readonly model: BpeModel,
  ) {
    this.regex = pretokenRegex(model.pattern);
    model.tokenBytes.forEach((bytes, id) => {
      if (bytes.length === 1) this.idOfByte[bytes[0]!] = id;
    });
    if (this.idOfByte.includes(-1)) throw new KilnError("bad_tokenizer", `${name}: not byte-level (a single-byte token is missing)`);
    this.resultOfRank = new Int32Array(model.merges.length);
    model.merges.forEach((merge, rank) => {
      this.rankOfPair.set(pairKey(merge.left, merge.right), rank);
      this.resultOfRank[rank] = merge.result;
    });
    this.specialTokens = model.specialTokens;
    for (const [text, id] of model.specialTokens) this.specialBytes.set(id, textEncoder.encode(text));
    this.vocabSize = Math.max(model.tokenBytes.length, ...[...model.specialTokens.values()].map((id) => id + 1));
    this.eos = model.specialTokens.get("<|eos|>") ?? model.specialTokens.get("<|endoftext|>") ?? -1;
  }

  encode(text: string): number[] {
    const ids: number[] = [];
    for (const chunk of pretokenize(text, this.regex)) {
      let chunkIds = this.chunkCache.get(chunk);
      if (!chunkIds) {
        chunkIds = this.encodeChunk(encodeWtf8(chunk));
        if (this.chunkCache.size >= CHUNK_CACHE_LIMIT) this.chunkCache = new Map();
        this.chunkCache.set(chunk, chunkIds);
      }
      for (const id of chunkIds) ids.push(id);
    }
    return ids;
  }

  /** Applies merges lowest rank first; all occurrences of that pair, left to right (as HF does). */
  private encodeChunk(bytes: Uint8Array): number[] {
    const parts = Array.from(bytes, (byte) => this.idOfByte[byte]!);
    for (;;) {
      let bestRank = Infinity;
      for (let i = 0; i + 1 < parts.length; i++) {
        const rank = this.rankOfPair.get(pairKey(parts[i]!, parts[i + 1]!));
        if (rank !== undefined && rank < bestRank) bestRank = rank;
      }
      if (bestRank === Infinity) return parts;
      const merge = this.model.merges[bestRank]!;
      let write = 0;
      for (let read = 0; read < parts.length; read++) {
        if (read + 1 < parts.length && parts[read] === merge.left && parts[read + 1] === merge.right) {
          parts[write++] = this.resultOfRank[bestRank]!;
          read++;
        } else parts[write++] = parts[read]!;
      }
      parts.length = write;
    }
  }

  decode(ids: ArrayLike<number>): string {
    let length = 0;
    for (let i = 0; i < ids.length; i++) length += this.tokenBytes(ids[i]!).length;
    const all = new Uint8Array(length);
    let offset = 0;
    for (let i = 0; i < ids.length; i++) {
      const bytes = this.tokenBytes(ids[i]!);
      all.set(bytes, offset);
      offset += bytes.length;
    }
    return decodeWtf8(all);
  }

  tokenBytes(id: number): Uint8Array {
    const bytes = this.model.tokenBytes[id] ?? this.specialBytes.get(id);
    if (!bytes) throw new KilnError("bad_token", `${this.name}: no token with id ${id}`);
    return bytes;
  }
}
