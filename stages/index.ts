/** Importing this module registers every built-in reader, stage, writer and whole-step task. */
import "./readers/index.js";
import "./extract/index.js";
import "./language/index.js";
import "./filters/basic.js";
import "./filters/index.js";
import "./dedup/index.js";
import "./writers/jsonl.js";
import "./writers/parquet.js";
import "./presets.js";

export { readJsonl } from "./readers/jsonl.js";
export { writeJsonl } from "./writers/jsonl.js";
export { writeParquet } from "./writers/parquet.js";
export { sampler, textLength } from "./filters/basic.js";
export { extractMainText } from "./extract/index.js";
export { expandPreset, getPreset, presetNames } from "./filters/index.js";
export { dedupCommand } from "./dedup/cli.js";
export { inspectCommand, reportCommand, reportHtml, type TokenCounter } from "./inspect/index.js";
export { annotateLanguage, getDetector, languageParams } from "./language/index.js";
