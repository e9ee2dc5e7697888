/** A byte-level BPE trained on document files and saved as tokenizer.json: what `kiln tokenizer train` runs. */
import { KilnError } from "../../core/index.js";
import { DEFAULT_SPECIAL_TOKENS, ENCODER_SPECIAL_TOKENS } from "./bpe.js";
import { readCorpusTexts, type CorpusStats } from "./corpus.js";
import { saveTokenizerJson } from "./hf-json.js";
import { PRETOKENIZERS, type PretokenizerName } from "./pretokenize.js";
import { PretokenCounter, trainBpe } from "./train.js";

export interface TokenizerOptions {
  /** Vocabulary size, special tokens included. */
  vocabSize: number;
  /** Where tokenizer.json goes. */
  out: string;
  pretokenizer?: PretokenizerName;
  /** Most distinct pre-tokens held in memory before the rarest are pruned. */
  maxPretokens?: number;
  /** No pair seen fewer times is merged. */
  minFrequency?: number;
  /** Extra special tokens, after the defaults (and the encoder's with `encoder`). */
  special?: string[];
  encoder?: boolean;
}

export interface TokenizerBuild {
  vocabSize: number;
  merges: number;
  requestedMerges: number;
  corpus: CorpusStats;
  megabytes: number;
  distinctPretokens: number;
  prunes: number;
}

/** Counts pre-tokens over every document of `inputs` (files or globs), trains the merges, saves `out`. */
export async function buildTokenizer(inputs: string[], options: TokenizerOptions): Promise<TokenizerBuild> {
  if (inputs.length === 0) throw new KilnError("usage", "a tokenizer needs at least one document file or glob");
  const pattern = PRETOKENIZERS[options.pretokenizer ?? "cl100k"];
  if (!pattern) throw new KilnError("usage", `pretokenizer must be one of ${Object.keys(PRETOKENIZERS).join(", ")}`);
  const counter = new PretokenCounter({ pattern, maxDistinctPretokens: options.maxPretokens ?? 2_000_000 });
  const corpus: CorpusStats = { files: 0, documents: 0, skipped: {} };
  for await (const text of readCorpusTexts(inputs, corpus)) counter.add(text);
  const extra = [...(options.encoder ? ENCODER_SPECIAL_TOKENS : []), ...(options.special ?? [])];
  const result = trainBpe(counter.counts, {
    vocabSize: options.vocabSize,
    pattern,
    minFrequency: options.minFrequency ?? 2,
    specialTokens: [...new Set([...DEFAULT_SPECIAL_TOKENS, ...extra])],
    name: `kiln-bpe:${options.out}`,
  });
  await saveTokenizerJson(result.tokenizer.model, options.out);
  return {
    vocabSize: result.tokenizer.vocabSize,
    merges: result.merges,
    requestedMerges: result.requestedMerges,
    corpus,
    megabytes: counter.bytesSeen / 1e6,
    distinctPretokens: counter.counts.size,
    prunes: counter.prunes,
  };
}
