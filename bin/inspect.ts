/**
 * `kiln inspect` and `kiln report` with the run's tokenizer: a run folder holding a
 * `tokenizer.json` (as the demo's does) gets its documents counted in tokens as well as bytes.
 */
import path from "node:path";
import { loadTokenizer } from "../datasets/index.js";
import { fileExists, writeFileAtomic } from "../core/index.js";
import { inspectCommand, reportCommand, reportHtml, type TokenCounter } from "../stages/index.js";

const runTokenizer: TokenCounter = async (run) => {
  const file = path.join(run, "tokenizer.json");
  if (!(await fileExists(file))) return undefined;
  const tokenizer = await loadTokenizer(file);
  return (text) => tokenizer.encode(text).length;
};

export const inspect = inspectCommand(runTokenizer);
export const report = reportCommand(runTokenizer);

/** `<run>/report.html`: the run's overview, as `kiln report` writes it; returns its path. */
export async function writeRunReport(run: string): Promise<string> {
  const file = path.join(run, "report.html");
  await writeFileAtomic(file, await reportHtml(run, { countTokens: await runTokenizer(run) }));
  return file;
}
