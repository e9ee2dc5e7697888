/** A tiny byte-level GPT checkpoint trained in the test, for the embedder and GPT-feature classifier tests. */
import path from "node:path";
import type { TrainConfig } from "../../trainer/config.js";
import type { TokenDataset } from "../../trainer/data.js";
import { BYTE_TOKENIZER_ID } from "../../trainer/tokenizer.js";
import { disposeResult, train } from "../../trainer/train.js";
import { tinyTrainConfig } from "./helpers.js";

export const EMBED_TEST_MODEL = { blockSize: 16, layers: 1, heads: 2, width: 16, dropout: 0 };

/** Texts as byte tokens with the byte tokenizer's end-of-document id, as `kiln mix` would store them. */
export function byteDataset(texts: string[]): TokenDataset {
  return {
    vocabSize: 257,
    tokenizerId: BYTE_TOKENIZER_ID,
    eosId: 256,
    documents: () => texts.map((text) => ({ tokens: Uint32Array.from([...Buffer.from(text, "utf8"), 256]), source: "web" })),
  };
}

/**
 * Trains (or, when `out` already holds a checkpoint, continues up to `steps`) a 1-layer GPT on
 * `texts`; returns the checkpoint folder.
 */
export async function trainByteGpt(out: string, texts: string[], steps = 4, overrides: Partial<TrainConfig> = {}): Promise<string> {
  const config = tinyTrainConfig(out, { model: EMBED_TEST_MODEL, steps, evalEvery: 0, ...overrides });
  const result = await train(config, { train: byteDataset(texts), log: () => {}, peakFlops: 1e9 });
  disposeResult(result);
  return path.join(out, "checkpoint");
}
