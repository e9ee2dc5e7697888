/**
 * What generation needs from a tokenizer. The trained tokenizers live in datasets/; until they are
 * wired in, checkpoints trained on raw bytes use this byte-level one (ids 0–255, `<|eos|>` = 256).
 */
export interface Tokenizer {
  id: string;
  vocabSize: number;
  eosId?: number;
  encode(text: string): number[];
  decode(ids: number[]): string;
}

export const BYTE_TOKENIZER_ID = "bytes-v1";

export const byteTokenizer: Tokenizer = {
  id: BYTE_TOKENIZER_ID,
  vocabSize: 257,
  eosId: 256,
  encode: (text) => [...Buffer.from(text, "utf8")],
  decode: (ids) => Buffer.from(ids.filter((i) => i < 256)).toString("utf8"),
};
