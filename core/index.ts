/**
 * The shared base every folder may import: errors, storage I/O, configuration files and CLI flag
 * values, seeded randomness, hashing, line splitting, worker-thread start-up, and the formats more
 * than one folder reads (path-safe names, evaluation tasks).
 */
export { KilnError, errorMessage, formatZodError, formatZodIssue, systemError, type KilnErrorCode } from "./errors.js";
export * from "./io/index.js";
export { loadYamlFile, readYamlFile, nearestKey, unknownParameter } from "./config.js";
export { numberFlag, positiveIntegerFlag, enumFlag } from "./flags.js";
export { Rng, mulberry32, seededRandom, shuffle, seededPermutation, mixSeed } from "./random.js";
export { FNV_OFFSET, FNV_PRIME, fnv1a32, fmix32, hash32 } from "./hash.js";
export { lines, MAX_LINE_CHARS, type LineOptions } from "./lines.js";
export { PATH_SAFE_NAME, pathSafeName } from "./names.js";
export { loadEvalTasks, itemTexts, type EvalTask, type EvalTaskSpec, type MultipleChoiceItem, type LanguageModelingItem, type GenerationItem } from "./eval-tasks.js";
export { startWorker } from "./worker.js";
export { hasGlobChars } from "./io/glob.js";
export { openLocalWriteAtomic } from "./io/local.js";
export { parseRetryAfter } from "./io/retry.js";
export { isS3Url, parseS3Url } from "./io/s3.js";
