/**
 * Public surface of datasets/: tokenizers, mixtures, token shards (writer, reader, manifest),
 * and the sample corpus. The trainer needs only `openTokenShards` and `loadTokenizer`.
 */
export type { Tokenizer, PretrainedEncoding } from "./tokenizer/types.js";
export { PRETRAINED_ENCODINGS } from "./tokenizer/types.js";
export { loadTokenizer } from "./tokenizer/load.js";
export { loadPretrained, isPretrainedName } from "./tokenizer/pretrained.js";
export { BpeTokenizer, DEFAULT_SPECIAL_TOKENS, type BpeModel } from "./tokenizer/bpe.js";
export { PretokenCounter, trainBpe, type TrainBpeOptions, type TrainBpeResult, type PretokenCounterOptions } from "./tokenizer/train.js";
export { loadTokenizerJson, saveTokenizerJson, toTokenizerJson, fromTokenizerJson } from "./tokenizer/hf-json.js";
export { CL100K_PATTERN, GPT2_PATTERN, PRETOKENIZERS, pretokenize } from "./tokenizer/pretokenize.js";
export { encodeWtf8, decodeWtf8 } from "./tokenizer/wtf8.js";
export { tokenizerCommand } from "./tokenizer/cli.js";
export { buildTokenizer, type TokenizerBuild, type TokenizerOptions } from "./tokenizer/build.js";

export { loadMixtureFile, resolveMixture, parseTokenCount, mixtureSchema, type MixtureSpec, type ResolvedMixture, type ChatTemplate, type SourceFormat } from "./mixture/spec.js";
export { runMixture, type MixOptions } from "./mixture/mix.js";
export { renderChat, toMessages, checkTemplate, type Message, type Rendered, type Role } from "./mixture/chat.js";
export { formatMixReport } from "./mixture/report.js";
export { mixCommand } from "./mixture/cli.js";

export { openTokenShards, TokenShards, ShardDocuments, type ShardSelection } from "./shards/reader.js";
export { ShardWriter, type ShardWriterOptions, type WritableDocument } from "./shards/writer.js";
export type { TokenDocument } from "./shards/arrow.js";
export { readManifest, dtypeFor, MANIFEST_NAME, type Manifest, type ShardEntry, type SourceTotals, type PhaseTotals, type Split, type TokenDtype } from "./shards/manifest.js";
export { exportLlmcBin, LLMC_MAGIC } from "./shards/export.js";

export * from "./sample/index.js";
export { renderGenerationPrompt } from "./mixture/chat.js";
export { CHAT_TEMPLATES } from "./mixture/spec.js";
export { type CorpusStats, readCorpusDocs } from "./tokenizer/corpus.js";
