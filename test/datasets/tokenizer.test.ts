import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { runCommand } from "citty";
import { get_encoding } from "tiktoken";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tokenizerCommand } from "../../datasets/tokenizer/cli.js";
import { fromTokenizerJson, loadTokenizerJson, toTokenizerJson } from "../../datasets/tokenizer/hf-json.js";
import { loadPretrained } from "../../datasets/tokenizer/pretrained.js";
import { PretokenCounter, trainBpe } from "../../datasets/tokenizer/train.js";
import { decodeWtf8, encodeWtf8 } from "../../datasets/tokenizer/wtf8.js";
import { GPT2_PATTERN, pretokenize, pretokenRegex } from "../../datasets/tokenizer/pretokenize.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "kiln-tok-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Seeded generator of strings mixing ASCII, accents, Cyrillic, CJK, emoji (with ZWJ), lone surrogates. */
function randomStrings(count: number, seed: number): string[] {
  let state = seed;
  const next = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const pieces = ["the", " cat", "  ", "\n", "\r\n", "123456", "don't", "é", "naïve", "Привет", "日本語", "😀", "👩‍👩‍👧", "🇫🇷", "\u0301",
    "\uD83D", "\uDE00", "\uDBFF", "\uDC00", "\t", "<|endoftext|>", "\u0000", "\uFFFD", "﷽", "ǅ", "x"];
  return Array.from({ length: count }, () => {
    let s = "";
    const length = Math.floor(next() * 12);
    for (let i = 0; i < length; i++) s += pieces[Math.floor(next() * pieces.length)]!;
    // Also raw random code units anywhere in the BMP, surrogates included.
    if (next() < 0.5) s += String.fromCharCode(Math.floor(next() * 0x10000));
    return s;
  });
}

describe("WTF-8", () => {
  it("writes a lone surrogate as its 3-byte generic form and reads it back", () => {
    expect([...encodeWtf8("\uD800")]).toEqual([0xed, 0xa0, 0x80]);
    expect([...encodeWtf8("a\uDFFF")]).toEqual([0x61, 0xed, 0xbf, 0xbf]);
    expect([...encodeWtf8("😀")]).toEqual([0xf0, 0x9f, 0x98, 0x80]);
    for (const s of randomStrings(300, 7)) expect(decodeWtf8(encodeWtf8(s))).toBe(s);
  });
  it("decodes invalid bytes to one U+FFFD each", () => {
    expect(decodeWtf8(Uint8Array.of(0x61, 0xff, 0xf0, 0x9f, 0x62))).toBe("a\uFFFD\uFFFD\uFFFDb");
  });
});

describe("pretrained encodings", () => {
  it("give the published ids", async () => {
    expect((await loadPretrained("gpt2")).encode("Hello world")).toEqual([15496, 995]);
    expect((await loadPretrained("cl100k_base")).encode("Hello world")).toEqual([9906, 1917]);
    expect((await loadPretrained("o200k_base")).encode("Hello world")).toEqual([13225, 2375]);
    expect((await loadPretrained("r50k_base")).eos).toBe(50256);
    expect((await loadPretrained("cl100k_base")).specialTokens.get("<|im_start|>")).toBe(100264);
  });

  it("agree with tiktoken (Rust/WASM, an independent implementation) on well-formed text", async () => {
    const text = "Kiln's café had 12345 visitors in 2024!\n\n  Привет, мир. 日本語のテキスト 😀👍🏽 don't\tstop";
    for (const name of ["r50k_base", "cl100k_base", "o200k_base"] as const) {
      const reference = get_encoding(name);
      expect((await loadPretrained(name)).encode(text)).toEqual([...reference.encode(text)]);
      reference.free();
    }
  });

  it("encode special-token text as ordinary text", async () => {
    const cl100k = await loadPretrained("cl100k_base");
    const ids = cl100k.encode("<|endoftext|>");
    expect(ids).not.toContain(100257);
    expect(cl100k.decode(ids)).toBe("<|endoftext|>");
  });

  it("round-trip any string, lone surrogates and split emoji included", async () => {
    for (const name of ["r50k_base", "cl100k_base"]) {
      const tokenizer = await loadPretrained(name);
      for (const s of randomStrings(400, 11)) expect(tokenizer.decode(tokenizer.encode(s))).toBe(s);
      // GPT-2 has no token for 😀: its 4 bytes span several tokens, each invalid UTF-8 alone.
      const emojiIds = tokenizer.encode("😀");
      if (name === "r50k_base") expect(emojiIds.length).toBeGreaterThan(1);
      expect(tokenizer.decode(emojiIds)).toBe("😀");
      expect(tokenizer.decode(emojiIds.slice(0, 1))).toContain("\uFFFD");
    }
  });

  it("reject an unknown name with a clear error", async () => {
    expect(() => loadPretrained("p51k")).toThrow(/unknown pretrained encoding "p51k"/);
  });
});

describe("pre-tokenization", () => {
  it("splits digits in threes (cl100k) and keeps letters with their leading space", () => {
    const counter = new PretokenCounter();
    counter.add("abc 1234567 x");
    expect([...counter.counts.keys()]).toEqual(["abc", " ", "123", "456", "7", " x"]);
    expect([...pretokenize("abc 1234567 x", pretokenRegex(GPT2_PATTERN))]).toEqual(["abc", " 1234567", " x"]);
  });

  it("prunes the rarest chunks to half the cap when the table overflows", () => {
    const counter = new PretokenCounter({ pattern: GPT2_PATTERN, maxDistinctPretokens: 4 });
    counter.add("a a a b b c"); // a:1 " a":2 " b":2 " c":1 -> 4 distinct, no prune yet
    expect(counter.prunes).toBe(0);
    counter.add(" d"); // 5 > 4: drop count<=1 ("a", " c", " d") leaves 2 = half of 4
    expect(counter.prunes).toBe(1);
    expect(Object.fromEntries(counter.counts)).toEqual({ " a": 2, " b": 2 });
    expect(counter.prunedOccurrences).toBe(3);
  });
});

describe("BPE training", () => {
  const none: string[] = [];
  it("learns the merges computed by hand", () => {
    // Pairs: (a,b) 3*2+2 = 8, (b,a) 3, (b,c) 1. Merge 1: ab=256. Then abab = [256,256]: (256,256) 3 -> 257.
    // (b,c) has count 1 < minFrequency 2: training stops at 2 merges.
    const { tokenizer, merges } = trainBpe([["abab", 3], ["ab", 2], ["bc", 1]], { vocabSize: 300, specialTokens: none });
    expect(merges).toBe(2);
    expect(tokenizer.model.merges).toEqual([{ left: 97, right: 98, result: 256 }, { left: 256, right: 256, result: 257 }]);
    expect(tokenizer.encode("abab")).toEqual([257]);
    expect(tokenizer.encode("ababab")).toEqual([257, 256]);
    const all = trainBpe([["abab", 3], ["ab", 2], ["bc", 1]], { vocabSize: 259, specialTokens: none, minFrequency: 1 });
    expect(all.tokenizer.model.merges.map((m) => [m.left, m.right])).toEqual([[97, 98], [256, 256], [98, 99]]);
  });

  it("breaks ties by the smaller (left, right) ids and counts pre-tokens from text", () => {
    const tie = trainBpe([["yz", 2], ["xy", 2]], { vocabSize: 257, specialTokens: none });
    expect(tie.tokenizer.model.merges[0]).toEqual({ left: 120, right: 121, result: 256 });
    const counter = new PretokenCounter();
    counter.add("ab ab ab"); // "ab" once, " ab" twice: (a,b) 3 then (space, ab) 2
    const fromText = trainBpe(counter.counts, { vocabSize: 258 + 3, specialTokens: ["<|bos|>", "<|eos|>", "<|pad|>"] });
    expect(fromText.tokenizer.model.merges.map((m) => [m.left, m.right])).toEqual([[97, 98], [32, 256]]);
    expect(fromText.tokenizer.encode("ab ab")).toEqual([256, 257]);
    expect(fromText.tokenizer.specialTokens.get("<|eos|>")).toBe(259);
    expect(fromText.tokenizer.vocabSize).toBe(261);
  });

  it("matches a naive trainer that recounts every pair after each merge", () => {
    const counter = new PretokenCounter();
    for (const s of randomStrings(300, 3)) counter.add(s + " the cat sat on the mat with the other cat");
    const fast = trainBpe(counter.counts, { vocabSize: 256 + 60, specialTokens: none, minFrequency: 1 });
    const words = [...counter.counts].map(([chunk, count]) => ({ symbols: [...encodeWtf8(chunk)], count }));
    const naive: number[][] = [];
    for (let next = 256; naive.length < fast.merges; next++) {
      const counts = new Map<string, number>();
      for (const w of words) for (let i = 0; i + 1 < w.symbols.length; i++) {
        const key = `${w.symbols[i]},${w.symbols[i + 1]}`;
        counts.set(key, (counts.get(key) ?? 0) + w.count);
      }
      const best = [...counts].sort((a, b) => b[1] - a[1] || cmp(a[0], b[0]))[0]!;
      const [left, right] = best[0].split(",").map(Number) as [number, number];
      naive.push([left, right]);
      for (const w of words) {
        const out: number[] = [];
        for (let i = 0; i < w.symbols.length; i++) {
          if (w.symbols[i] === left && w.symbols[i + 1] === right) { out.push(next); i++; } else out.push(w.symbols[i]!);
        }
        w.symbols = out;
      }
    }
    expect(fast.tokenizer.model.merges.map((m) => [m.left, m.right])).toEqual(naive);
  });

  it("saves tokenizer.json that loads back and encodes identically; round-trips any string", async () => {
    const counter = new PretokenCounter();
    const corpus = randomStrings(500, 5);
    for (const s of corpus) counter.add(s);
    const { tokenizer } = trainBpe(counter.counts, { vocabSize: 600 });
    const json = toTokenizerJson(tokenizer.model) as { model: { merges: string[]; vocab: Record<string, number> }; added_tokens: { content: string; id: number }[] };
    expect(json.model.vocab["Ġ"]).toBe(32); // GPT-2 byte-to-char table: space is "Ġ"
    expect(json.added_tokens.map((t) => t.content)).toContain("<|im_start|>");
    const loaded = fromTokenizerJson(JSON.parse(JSON.stringify(json)), "roundtrip");
    for (const s of [...corpus, ...randomStrings(300, 99)]) {
      const ids = tokenizer.encode(s);
      expect(loaded.encode(s)).toEqual(ids);
      expect(tokenizer.decode(ids)).toBe(s);
    }
    expect(loaded.specialTokens).toEqual(tokenizer.specialTokens);
  });
});

describe("kiln tokenizer train", () => {
  it("trains from JSONL and plain text and writes a loadable tokenizer.json", async () => {
    const docs = path.join(dir, "docs.jsonl");
    await writeFile(docs, ["the cat sat on the mat", "the cat ate", "not json", "the dog sat"].map((t, i) => (i === 2 ? t : JSON.stringify({ id: String(i), text: t }))).join("\n") + "\n");
    const out = path.join(dir, "tok.json");
    const stderr: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => (stderr.push(String(chunk)), true)) as typeof process.stderr.write;
    try {
      await runCommand(tokenizerCommand, { rawArgs: ["train", "--vocab", "280", "--out", out, docs] });
    } finally {
      process.stderr.write = write;
    }
    expect(stderr.join("")).toContain('skipped {"bad_json":1}');
    const tokenizer = await loadTokenizerJson(out);
    expect(tokenizer.vocabSize).toBeLessThanOrEqual(280);
    // " the" occurs twice after "the" starts lines, " cat" twice, " sat" twice: all merged whole.
    expect(tokenizer.encode(" sat").length).toBe(1);
    expect(tokenizer.decode(tokenizer.encode("the cat sat"))).toBe("the cat sat");
    expect(JSON.parse(await readFile(out, "utf8")).model.type).toBe("BPE");
    await expect(runCommand(tokenizerCommand, { rawArgs: ["train", "--vocab", "10", "--out", out, docs] })).rejects.toThrow(/vocab size 10/);
  });
});

function cmp(a: string, b: string): number {
  const [a0, a1] = a.split(",").map(Number) as [number, number];
  const [b0, b1] = b.split(",").map(Number) as [number, number];
  return a0 - b0 || a1 - b1;
}
