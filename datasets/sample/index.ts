/** Kiln's bundled sample corpus: synthetic WARC.gz files with planted cases and their ground truth. */
export { generateSample } from "./generate.js";
export type {
  GenerateSampleOptions, GenerateSampleResult, SampleKind, SampleMalformation, SampleTruth,
} from "./truth.js";
export { JACCARD_TARGETS, SHINGLE_SIZE } from "./near-dup.js";
export { LANGUAGE_CODES, type LanguageCode } from "./text/index.js";
export {
  base32, formatHttpDate, formatWarcDate, httpRequestBlock, httpResponseBlock, serializeWarcRecord,
  warcDigest, warcFieldsBlock, WarcGzipWriter, warcRecordId,
  type WarcField, type WarcMemberLocation, type WarcRecordInput, type WarcRecordType,
} from "./warc-writer.js";
export { SAMPLE_INSTRUCTIONS, type AlpacaRecord } from "./instructions.js";
