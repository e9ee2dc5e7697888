/** Importing this module registers every built-in reader, stage and writer. */
import "./readers/index.js";
import "./filters/basic.js";
import "./writers/jsonl.js";

export { readJsonl } from "./readers/jsonl.js";
export { writeJsonl } from "./writers/jsonl.js";
export { sampler, textLength } from "./filters/basic.js";
