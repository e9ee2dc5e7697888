import { loadTokenizerJson } from "./hf-json.js";
import { isPretrainedName, loadPretrained } from "./pretrained.js";
import type { Tokenizer } from "./types.js";

/** A pretrained encoding by name (`gpt2`, `r50k_base`, `cl100k_base`, `o200k_base`) or a `tokenizer.json` path. */
export function loadTokenizer(nameOrPath: string): Promise<Tokenizer> {
  return isPretrainedName(nameOrPath) ? loadPretrained(nameOrPath) : loadTokenizerJson(nameOrPath);
}
