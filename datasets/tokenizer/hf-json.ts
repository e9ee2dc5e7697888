/**
 * The Hugging Face `tokenizer.json` form of a byte-level BPE, so `tokenizers`, `transformers` and
 * transformers.js can load what `kiln tokenizer train` made, and we can load theirs.
 * Layout written: pre_tokenizer = Sequence[Split(regex, Isolated), ByteLevel(use_regex=false)],
 * decoder ByteLevel, model BPE with "a b" merges (readable by old and new versions), special
 * tokens in added_tokens only.
 */
import { readFile } from "node:fs/promises";
import { KilnError, errorMessage, writeFileAtomic } from "../../core/index.js";
import { BpeTokenizer, type BpeModel } from "./bpe.js";
import { GPT2_PATTERN } from "./pretokenize.js";

/** GPT-2's bytes_to_unicode: each byte as a printable character, so vocab keys are valid JSON text. */
const BYTE_TO_CHAR: string[] = [];
const CHAR_TO_BYTE = new Map<string, number>();
{
  let extra = 0;
  for (let byte = 0; byte < 256; byte++) {
    const printable = (byte >= 33 && byte <= 126) || (byte >= 161 && byte <= 172) || (byte >= 174 && byte <= 255);
    const char = String.fromCodePoint(printable ? byte : 256 + extra++);
    BYTE_TO_CHAR[byte] = char;
    CHAR_TO_BYTE.set(char, byte);
  }
}

export function bytesToVocabKey(bytes: Uint8Array): string {
  let key = "";
  for (const byte of bytes) key += BYTE_TO_CHAR[byte]!;
  return key;
}

function vocabKeyToBytes(key: string, where: string): Uint8Array {
  return Uint8Array.from(key, (char) => {
    const byte = CHAR_TO_BYTE.get(char);
    if (byte === undefined) throw new KilnError("bad_tokenizer", `${where}: vocab entry ${JSON.stringify(key)} is not byte-level`);
    return byte;
  });
}

export function toTokenizerJson(model: BpeModel): object {
  const vocab: Record<string, number> = {};
  model.tokenBytes.forEach((bytes, id) => (vocab[bytesToVocabKey(bytes)] = id));
  const merges = model.merges.map((m) => `${bytesToVocabKey(model.tokenBytes[m.left]!)} ${bytesToVocabKey(model.tokenBytes[m.right]!)}`);
  const addedTokens = [...model.specialTokens].sort((a, b) => a[1] - b[1]).map(([content, id]) => ({
    id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
  }));
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: null,
    pre_tokenizer: {
      type: "Sequence",
      pretokenizers: [
        { type: "Split", pattern: { Regex: model.pattern }, behavior: "Isolated", invert: false },
        { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    },
    post_processor: null,
    decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: "BPE", dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null,
      fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges,
    },
  };
}

export async function saveTokenizerJson(model: BpeModel, path: string): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(toTokenizerJson(model), null, 1) + "\n");
}

interface HfJson {
  added_tokens?: { id: number; content: string }[];
  pre_tokenizer?: HfPretokenizer | null;
  model?: { type?: string; vocab?: Record<string, number>; merges?: (string | [string, string])[] };
}
interface HfPretokenizer {
  type: string;
  pattern?: { Regex?: string; String?: string };
  use_regex?: boolean;
  pretokenizers?: HfPretokenizer[];
}

/** The split regex of a byte-level pre-tokenizer, in JavaScript syntax. */
function patternOf(pre: HfPretokenizer | null | undefined, where: string): string {
  const split = pre?.type === "Sequence" ? pre.pretokenizers?.find((p) => p.type === "Split") : pre?.type === "Split" ? pre : undefined;
  const byteLevel = pre?.type === "Sequence" ? pre.pretokenizers?.find((p) => p.type === "ByteLevel") : pre?.type === "ByteLevel" ? pre : undefined;
  let pattern = split?.pattern?.Regex ?? (byteLevel?.use_regex !== false ? GPT2_PATTERN : undefined);
  if (pattern === undefined) throw new KilnError("bad_tokenizer", `${where}: pre_tokenizer has no Split regex and no ByteLevel regex`);
  // Llama-3 / tiktoken write the contractions with an inline flag JavaScript lacks.
  pattern = pattern.replace("(?i:'s|'t|'re|'ve|'m|'ll|'d)", "'(?:[sS]|[tT]|[rR][eE]|[vV][eE]|[mM]|[lL][lL]|[dD])");
  try {
    new RegExp(pattern, "gu");
  } catch (error) {
    throw new KilnError("bad_tokenizer", `${where}: pre_tokenizer regex is not valid in JavaScript: ${errorMessage(error)}`);
  }
  return pattern;
}

export function fromTokenizerJson(json: unknown, name: string): BpeTokenizer {
  const file = json as HfJson;
  const vocab = file.model?.vocab;
  if (file.model?.type !== "BPE" || !vocab || !Array.isArray(file.model.merges)) {
    throw new KilnError("bad_tokenizer", `${name}: model must be a BPE with vocab and merges`);
  }
  const specialTokens = new Map<string, number>((file.added_tokens ?? []).map((t) => [t.content, t.id]));
  const specialIds = new Set(specialTokens.values());
  const tokenBytes: Uint8Array[] = [];
  for (const [key, id] of Object.entries(vocab)) {
    if (!specialIds.has(id)) tokenBytes[id] = vocabKeyToBytes(key, name);
  }
  for (let id = 0; id < tokenBytes.length; id++) {
    // A special token inside the model vocab (GPT-2 style) keeps its text as bytes.
    if (!tokenBytes[id]) {
      const special = [...specialTokens].find(([, sid]) => sid === id);
      if (!special) throw new KilnError("bad_tokenizer", `${name}: vocab has no id ${id}`);
      tokenBytes[id] = new TextEncoder().encode(special[0]);
      specialTokens.delete(special[0]);
      specialTokens.set(special[0], id);
    }
  }
  const merges: BpeModel["merges"] = file.model.merges.map((merge, rank) => {
    const [leftKey, rightKey] = typeof merge === "string" ? splitMerge(merge) : merge;
    const left = vocab[leftKey];
    const right = vocab[rightKey];
    const result = vocab[leftKey + rightKey];
    if (left === undefined || right === undefined || result === undefined) {
      throw new KilnError("bad_tokenizer", `${name}: merge ${rank} (${JSON.stringify(merge)}) names a token not in vocab`);
    }
    return { left, right, result };
  });
  return new BpeTokenizer(name, { pattern: patternOf(file.pre_tokenizer, name), tokenBytes, merges, specialTokens });
}

function splitMerge(merge: string): [string, string] {
  const space = merge.indexOf(" ", 1);
  return [merge.slice(0, space), merge.slice(space + 1)];
}

export async function loadTokenizerJson(path: string): Promise<BpeTokenizer> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new KilnError("not_found", `${path}: cannot read tokenizer: ${errorMessage(error)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new KilnError("bad_tokenizer", `${path}: not JSON: ${errorMessage(error)}`);
  }
  return fromTokenizerJson(json, `kiln-bpe:${path}`);
}
