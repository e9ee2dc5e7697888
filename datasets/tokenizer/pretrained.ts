/**
 * OpenAI's pretrained byte-level BPE encodings, offline, through `gpt-tokenizer` (pure JS, ships
 * the ranks). It was the fastest correct candidate in bench/tokenize.ts. We wrap it only to make
 * lone surrogates round-trip (see wtf8.ts) and to decode bytes ourselves, since its decode turns
 * bytes that are not UTF-8 into U+FFFD.
 */
import type { GptEncoding } from "gpt-tokenizer/GptEncoding";
import { KilnError } from "../../core/index.js";
import { PRETRAINED_ENCODINGS, type PretrainedEncoding, type Tokenizer } from "./types.js";
import { decodeWtf8, hasLoneSurrogate, LONE_SURROGATE, surrogateBytes } from "./wtf8.js";

type RawRanks = readonly (string | readonly number[])[];

/** Loaded on use: each rank table is several MB of JavaScript. */
const RANK_MODULES: Record<PretrainedEncoding, () => Promise<{ default: RawRanks }>> = {
  r50k_base: () => import("gpt-tokenizer/bpeRanks/r50k_base"),
  cl100k_base: () => import("gpt-tokenizer/bpeRanks/cl100k_base"),
  o200k_base: () => import("gpt-tokenizer/bpeRanks/o200k_base"),
};

const ALIASES: Record<string, PretrainedEncoding> = { gpt2: "r50k_base", "gpt-2": "r50k_base" };

/** Special tokens we look for; each encoding has a subset (checked by encoding them). */
const KNOWN_SPECIALS = [
  "<|endoftext|>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|endofprompt|>",
  "<|im_start|>", "<|im_end|>", "<|im_sep|>",
];

export function isPretrainedName(name: string): boolean {
  return name in ALIASES || (PRETRAINED_ENCODINGS as readonly string[]).includes(name);
}

const textEncoder = new TextEncoder();
const NO_SPECIALS = { disallowedSpecial: new Set<string>() };

class PretrainedTokenizer implements Tokenizer {
  readonly specialTokens: ReadonlyMap<string, number>;
  readonly vocabSize: number;
  readonly eos: number;
  private readonly bytesById: (Uint8Array | undefined)[] = [];
  private readonly specialById = new Map<number, string>();
  private readonly idOfByte: number[] = [];

  constructor(
    readonly name: PretrainedEncoding,
    private readonly api: GptEncoding,
    private readonly ranks: RawRanks,
  ) {
    const specials = new Map<string, number>();
    for (const text of KNOWN_SPECIALS) {
      const ids = api.encode(text, { allowedSpecial: new Set([text]) });
      if (ids.length === 1 && ids[0]! >= ranks.length) specials.set(text, ids[0]!);
    }
    this.specialTokens = specials;
    for (const [text, id] of specials) this.specialById.set(id, text);
    this.vocabSize = Math.max(ranks.length, ...[...specials.values()].map((id) => id + 1));
    this.eos = specials.get("<|endoftext|>") ?? 0;
    // Every byte-level encoding has a token for each single byte, all among the first ranks.
    for (let id = 0, found = 0; id < ranks.length && found < 256; id++) {
      const bytes = this.tokenBytes(id);
      if (bytes.length === 1 && this.idOfByte[bytes[0]!] === undefined) {
        this.idOfByte[bytes[0]!] = id;
        found++;
      }
    }
  }

  encode(text: string): number[] {
    if (!hasLoneSurrogate(text)) return this.api.encode(text, NO_SPECIALS);
    // Well-formed runs go to the fast encoder; each lone surrogate becomes its 3 WTF-8 byte tokens.
    const ids: number[] = [];
    let start = 0;
    LONE_SURROGATE.lastIndex = 0;
    for (const match of text.matchAll(LONE_SURROGATE)) {
      if (match.index > start) ids.push(...this.api.encode(text.slice(start, match.index), NO_SPECIALS));
      for (const byte of surrogateBytes(text.charCodeAt(match.index))) ids.push(this.idOfByte[byte]!);
      start = match.index + 1;
    }
    if (start < text.length) ids.push(...this.api.encode(text.slice(start), NO_SPECIALS));
    return ids;
  }

  decode(ids: ArrayLike<number>): string {
    const parts: Uint8Array[] = [];
    let length = 0;
    for (let i = 0; i < ids.length; i++) {
      const bytes = this.tokenBytes(ids[i]!);
      parts.push(bytes);
      length += bytes.length;
    }
    const all = new Uint8Array(length);
    let offset = 0;
    for (const part of parts) {
      all.set(part, offset);
      offset += part.length;
    }
    return decodeWtf8(all);
  }

  tokenBytes(id: number): Uint8Array {
    const cached = this.bytesById[id];
    if (cached) return cached;
    const special = this.specialById.get(id);
    const raw = this.ranks[id];
    if (special === undefined && raw === undefined) throw new KilnError("bad_token", `${this.name}: no token with id ${id}`);
    const bytes = special !== undefined ? textEncoder.encode(special) : typeof raw === "string" ? textEncoder.encode(raw) : Uint8Array.from(raw!);
    this.bytesById[id] = bytes;
    return bytes;
  }
}

const loaded = new Map<PretrainedEncoding, Promise<Tokenizer>>();

/** `r50k_base` (alias `gpt2`), `cl100k_base` or `o200k_base`, loaded once per process. */
export function loadPretrained(name: string): Promise<Tokenizer> {
  const encoding = ALIASES[name] ?? (PRETRAINED_ENCODINGS.find((known) => known === name) as PretrainedEncoding | undefined);
  if (!encoding) {
    throw new KilnError("unknown_tokenizer", `unknown pretrained encoding "${name}" (known: ${PRETRAINED_ENCODINGS.join(", ")}, gpt2)`);
  }
  let tokenizer = loaded.get(encoding);
  if (!tokenizer) {
    tokenizer = (async () => {
      const [{ GptEncoding }, ranks] = await Promise.all([import("gpt-tokenizer/GptEncoding"), RANK_MODULES[encoding]()]);
      return new PretrainedTokenizer(encoding, GptEncoding.getEncodingApi(encoding, () => ranks.default as (string | number[])[]), ranks.default);
    })();
    loaded.set(encoding, tokenizer);
  }
  return tokenizer;
}
