/**
 * `kiln inspect` and `kiln report` with the run's tokenizer: a run folder holding a
 * `tokenizer.json` (as the demo's does) gets its documents counted in tokens as well as bytes.
 */
import path from "node:path";
import { loadTokenizer } from "../datasets/tokenizer/load.js";
import { fileExists } from "../pipeline/io/local.js";
import { inspectCommand, reportCommand, type TokenCounter } from "../stages/inspect/index.js";

const runTokenizer: TokenCounter = async (run) => {
  const file = path.join(run, "tokenizer.json");
  if (!(await fileExists(file))) return undefined;
  const tokenizer = await loadTokenizer(file);
  return (text) => tokenizer.encode(text).length;
};

export const inspect = inspectCommand(runTokenizer);
export const report = reportCommand(runTokenizer);
