/**
 * What generation needs from a tokenizer, and the adapters that provide it: the tokenizers of
 * `datasets/` (a trained `tokenizer.json` or a pretrained encoding, named by the checkpoint's
 * tokenizer id) and, for checkpoints trained on raw bytes, a byte-level one (ids 0–255,
 * `<|eos|>` = 256).
 */
import { fileExists, KilnError } from "../core/index.js";
import path from "node:path";
import { isPretrainedName, loadTokenizer, type Tokenizer as DatasetTokenizer } from "../datasets/index.js";

export interface Tokenizer {
  id: string;
  vocabSize: number;
  eosId?: number;
  /** Text to ids; special-token text (`<|im_start|>`) becomes its special id. */
  encode(text: string): number[];
  decode(ids: number[]): string;
  /** The UTF-8 bytes of text one id stands for; 0 for a special token (bits per byte leaves them out). */
  byteLength(id: number): number;
}

/** `byteLength` of every id, as one table (what the scorers read per position). */
export function tokenByteLengths(tokenizer: Tokenizer): Uint32Array {
  const lengths = new Uint32Array(tokenizer.vocabSize);
  for (let id = 0; id < tokenizer.vocabSize; id++) lengths[id] = tokenizer.byteLength(id);
  return lengths;
}

export const BYTE_TOKENIZER_ID = "bytes-v1";

export const byteTokenizer: Tokenizer = {
  id: BYTE_TOKENIZER_ID,
  vocabSize: 257,
  eosId: 256,
  encode: (text) => [...Buffer.from(text, "utf8")],
  decode: (ids) => Buffer.from(ids.filter((i) => i < 256)).toString("utf8"),
  byteLength: (id) => (id < 256 ? 1 : 0),
};

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * A datasets/ tokenizer behind the trainer's interface. Its own `encode` treats special-token
 * text as ordinary text (right for corpus documents); a prompt written in a chat template must
 * get the special ids the mixture put there, so the text is split on the special tokens first.
 */
export function fromDatasetTokenizer(tokenizer: DatasetTokenizer, id = tokenizer.name): Tokenizer {
  const specials = [...tokenizer.specialTokens.keys()].sort((a, b) => b.length - a.length);
  const specialIds = new Set(tokenizer.specialTokens.values());
  const splitter = specials.length ? new RegExp(`(${specials.map(escapeRegex).join("|")})`) : undefined;
  return {
    id,
    vocabSize: tokenizer.vocabSize,
    eosId: tokenizer.eos,
    encode(text) {
      if (!splitter) return tokenizer.encode(text);
      const out: number[] = [];
      text.split(splitter).forEach((part, i) => {
        // split() with a capture group puts the separators at odd indices
        if (i % 2 === 1) out.push(tokenizer.specialTokens.get(part)!);
        else if (part) out.push(...tokenizer.encode(part));
      });
      return out;
    },
    decode: (ids) => tokenizer.decode(ids),
    byteLength: (id) => (specialIds.has(id) || id >= tokenizer.vocabSize ? 0 : tokenizer.tokenBytes(id).length),
  };
}

const KILN_BPE_PREFIX = "kiln-bpe:";

/** Where the tokenizer a checkpoint (or data) names by a relative path may sit: its folder and the two above. */
export function nearbyDirs(file: string): string[] {
  const dir = path.resolve(file);
  return [dir, path.dirname(dir), path.dirname(path.dirname(dir))];
}

/**
 * The tokenizer a checkpoint or manifest names: the byte tokenizer, a pretrained encoding
 * (`gpt2`, `cl100k_base`, ...), or a trained `tokenizer.json` (`kiln-bpe:<path>` or a bare path).
 * A relative path is tried as given, then against each of `searchDirs` (the shard or
 * checkpoint folder), so a run folder that moved still finds its tokenizer when it sits beside it.
 */
export async function loadTextTokenizer(id: string, searchDirs: string[] = []): Promise<Tokenizer> {
  if (id === BYTE_TOKENIZER_ID) return byteTokenizer;
  if (isPretrainedName(id)) return fromDatasetTokenizer(await loadTokenizer(id), id);
  return fromDatasetTokenizer(await loadTokenizer(await tokenizerFile(id, searchDirs)), id);
}

/**
 * The tokenizer an id names, or why there is none (no id, no file), for scores that run without
 * it (bits per byte needs it; loss does not).
 */
export async function findTextTokenizer(id: string | undefined, searchDirs: string[] = []): Promise<{ tokenizer?: Tokenizer; missing?: string }> {
  if (id === undefined) return { missing: "no tokenizer is named" };
  try {
    return { tokenizer: await loadTextTokenizer(id, searchDirs) };
  } catch (error) {
    if (error instanceof KilnError && error.code === "no_tokenizer") return { missing: error.message };
    throw error;
  }
}

/** The tokenizer.json a tokenizer id names (see loadTextTokenizer); an error if none is found. */
export async function tokenizerFile(id: string, searchDirs: string[] = []): Promise<string> {
  const file = id.startsWith(KILN_BPE_PREFIX) ? id.slice(KILN_BPE_PREFIX.length) : id;
  const candidates = [file, ...(path.isAbsolute(file) ? [] : searchDirs.map((d) => path.join(d, file))), ...searchDirs.map((d) => path.join(d, path.basename(file)))];
  for (const candidate of candidates) {
    if (await fileExists(candidate)) return candidate;
  }
  throw new KilnError("no_tokenizer", `tokenizer "${id}" not found (tried ${candidates.join(", ")}); pass --tokenizer <tokenizer.json | pretrained name>`);
}

/** The datasets/ tokenizer an id names (its special tokens render chat templates); not the byte tokenizer. */
export async function loadDatasetTokenizer(id: string, searchDirs: string[] = []): Promise<DatasetTokenizer> {
  if (id === BYTE_TOKENIZER_ID) throw new KilnError("usage", `the byte tokenizer has no chat special tokens`);
  return loadTokenizer(isPretrainedName(id) ? id : await tokenizerFile(id, searchDirs));
}

/** Whether the id names a tokenizer that is not a file (the byte tokenizer, a pretrained encoding). */
export function isBuiltinTokenizer(id: string): boolean {
  return id === BYTE_TOKENIZER_ID || isPretrainedName(id);
}
