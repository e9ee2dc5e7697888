/** What the mixer, the shard writer and the trainer need from any tokenizer, pretrained or ours. */
export interface Tokenizer {
  /** `r50k_base`, `cl100k_base`, `o200k_base`, or `kiln-bpe:<file>` for a trained one. */
  readonly name: string;
  /** One past the largest id, special tokens included. */
  readonly vocabSize: number;
  /** Special tokens by their text, e.g. `<|eos|>` → id. */
  readonly specialTokens: ReadonlyMap<string, number>;
  /** The id that ends a document (`<|eos|>` or `<|endoftext|>`). */
  readonly eos: number;
  /** Plain text to ids; special-token text in `text` is encoded as ordinary text. */
  encode(text: string): number[];
  /** Ids back to text; exact inverse of encode for every string (see wtf8.ts). */
  decode(ids: ArrayLike<number>): string;
  /** The bytes one id stands for (a special token: its UTF-8 text). */
  tokenBytes(id: number): Uint8Array;
}

export const PRETRAINED_ENCODINGS = ["r50k_base", "cl100k_base", "o200k_base"] as const;
export type PretrainedEncoding = (typeof PRETRAINED_ENCODINGS)[number];
