export {
  compressionOf,
  compressor,
  decompressor,
  DEFAULT_GZIP_LEVEL,
  DEFAULT_ZSTD_LEVEL,
  type Compression,
} from "./compression.js";
export { setRetryPolicy, retryPolicy, type RetryPolicy } from "./retry.js";
export { openRanged, type RangedFile } from "./ranged.js";
export { fileExists, type AtomicWrite } from "./local.js";
export {
  listFiles,
  listFlagFiles,
  openRead,
  readChunks,
  openWriteAtomic,
  readText,
  writeAtomically,
  writeFileAtomic,
  type ReadOptions,
  type WriteOptions,
} from "./storage.js";
