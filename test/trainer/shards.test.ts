import { cp, mkdtemp, readFile, rm, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTokenShards } from "../../datasets/shards/reader.js";
import { loadTokenizerJson } from "../../datasets/tokenizer/hf-json.js";
import { hasValidationShards, openTokenData, packDocuments, type TokenDocument } from "../../trainer/data.js";
import { byteTokenizer, loadTextTokenizer } from "../../trainer/tokenizer.js";
import { disposeResult, train } from "../../trainer/train.js";
import { kiln, tinyTrainConfig } from "./helpers.js";
import { writeDemoLikeShards, type DemoLikeShards } from "./shards-fixture.js";

let dir: string;
let fixture: DemoLikeShards;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "kiln-trainer-shards-"));
  fixture = await writeDemoLikeShards(dir, { articles: 60, vocabSize: 600 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect(docs: Iterable<TokenDocument> | AsyncIterable<TokenDocument>): Promise<TokenDocument[]> {
  const out: TokenDocument[] = [];
  for await (const doc of docs) out.push(doc);
  return out;
}

describe("token shards as trainer data", () => {
  it("reads the train split with vocabulary, tokenizer and eos from the manifest, masks carried through", async () => {
    const { manifest } = await openTokenShards(fixture.shards);
    for (const where of [fixture.shards, path.join(fixture.shards, "manifest.json")]) {
      const data = await openTokenData(where);
      expect(data.vocabSize).toBe(manifest.tokenizer.vocabSize);
      expect(data.tokenizerId).toBe(manifest.tokenizer.name);
      expect(data.eosId).toBe(manifest.tokenizer.eos);
      const docs = await collect(data.documents());
      const train = manifest.shards.filter((s) => s.split === "train");
      expect(docs.length).toBe(train.reduce((a, s) => a + s.documents, 0));
      expect(docs.reduce((a, d) => a + d.tokens.length, 0)).toBe(train.reduce((a, s) => a + s.tokens, 0));
      expect(docs.every((d) => d.tokens[d.tokens.length - 1] === manifest.tokenizer.eos)).toBe(true);
      // web documents train on every token; instruction documents carry their mask
      expect(docs.filter((d) => d.source === "web").every((d) => d.lossMask === undefined)).toBe(true);
      const sft = docs.filter((d) => d.source === "sft");
      expect(sft.length).toBe(manifest.sources.sft!.trainDocuments);
      expect(sft.every((d) => d.lossMask !== undefined && d.lossMask.length === d.tokens.length)).toBe(true);
    }
  });

  it("the loss mask of an instruction document covers exactly the answer and its <|im_end|>", async () => {
    const tokenizer = await loadTokenizerJson(fixture.tokenizer);
    const docs = await collect((await openTokenData(fixture.shards, undefined, { maskedOnly: true })).documents());
    expect(docs.length).toBeGreaterThan(0);
    expect(new Set(docs.map((d) => d.source))).toEqual(new Set(["sft"]));
    const doc = docs.find((d) => tokenizer.decode(d.tokens).includes("capital of Portugal"))!;
    const answer = Array.from(doc.tokens).filter((_, i) => doc.lossMask![i] === 1);
    expect(tokenizer.decode(answer)).toBe("The capital of Portugal is Lisbon.<|im_end|>");
  });

  it("packs the val split per source, and filters by source with one clear error for unknown ones", async () => {
    const { manifest } = await openTokenShards(fixture.shards);
    expect(await hasValidationShards(fixture.shards)).toBe(true);
    const val = await packDocuments(await openTokenData(fixture.shards, undefined, { split: "val" }));
    const valShards = manifest.shards.filter((s) => s.split === "val");
    expect(val.tokens.length).toBe(valShards.reduce((a, s) => a + s.tokens, 0));
    expect(new Set(val.sourceNames)).toEqual(new Set(valShards.map((s) => s.source)));
    for (const name of val.sourceNames) {
      const index = val.sourceNames.indexOf(name);
      expect(val.source.filter((s) => s === index).length).toBe(manifest.sources[name]!.valTokens);
    }
    const web = await collect((await openTokenData(fixture.shards, undefined, { sources: ["web"] })).documents());
    expect(web.length).toBe(manifest.sources.web!.trainDocuments);
    await expect(openTokenData(fixture.shards, undefined, { sources: ["code"] })).rejects.toThrow(/no source code \(sources: .*web/);
    await expect(openTokenData(fixture.shards, 100)).rejects.toThrow(/vocabulary is 600, the model's 100/);
    await expect(openTokenData(fixture.shards, undefined, { phase: "anneal" })).rejects.toThrow(/no train shards in phase "anneal" \(phases: main\)/);
  });
});

describe("shards whose bytes changed after mixing", () => {
  it("are refused before training, even when every token id is still valid; unchanged shards are not read again", async () => {
    const copy = path.join(dir, "altered");
    await cp(fixture.shards, copy, { recursive: true });
    const shards = await openTokenShards(copy);
    const entry = shards.select({ split: "train" })[0]!;
    const first = (await shards.documents(shards.shards.indexOf(entry))).get(0);
    const file = shards.pathOf(entry);
    const bytes = await readFile(file);
    // Swap the first two tokens of the first document: the same ids, in another order.
    const tokens = Buffer.from(first.tokens.buffer, first.tokens.byteOffset, first.tokens.byteLength);
    const at = bytes.indexOf(tokens);
    expect(at).toBeGreaterThan(0);
    const width = first.tokens.BYTES_PER_ELEMENT;
    expect(first.tokens[0]).not.toBe(first.tokens[1]);
    const swapped = Buffer.concat([bytes.subarray(0, at), tokens.subarray(width, 2 * width), tokens.subarray(0, width), bytes.subarray(at + 2 * width)]);

    // A clean check is remembered by size and modification time.
    const mtime = 1_700_000_000;
    await utimes(file, mtime, mtime);
    await openTokenData(copy);
    expect(JSON.parse(await readFile(path.join(copy, ".verified.json"), "utf8"))[entry.path]).toMatchObject({ sha256: entry.sha256, mtimeMs: mtime * 1000 });
    await writeFile(file, swapped);
    await utimes(file, mtime, mtime);
    await expect(openTokenData(copy)).resolves.toBeDefined();
    // A changed modification time (any ordinary write) makes it read the shard again.
    await utimes(file, mtime, mtime + 5);
    await expect(openTokenData(copy)).rejects.toMatchObject({ code: "checksum_mismatch", message: `${file}: sha256 differs from the manifest` });
  });
});

describe("kiln generate --chat", () => {
  it("renders the prompt as the user's turn and prints the answer alone; an unknown template is one line", async () => {
    const run = path.join(dir, "chat-run");
    const result = await train(tinyTrainConfig(run, { steps: 2, evalEvery: 0, model: { blockSize: 16, layers: 1, heads: 2, width: 16, dropout: 0 } }), { train: await openTokenData(fixture.shards), log: () => {}, peakFlops: 1e9 });
    disposeResult(result);
    const ckpt = path.join(run, "checkpoint");
    const answered = await kiln(["generate", "--ckpt", ckpt, "--chat", "chatml", "--prompt", "What is the capital of Portugal?", "--max-tokens", "4", "--temperature", "0"]);
    expect(answered.code, answered.stderr).toBe(0);
    expect(answered.stdout).not.toContain("Portugal");
    expect(answered.stdout).not.toContain("<|im_start|>");
    const bad = await kiln(["generate", "--ckpt", ckpt, "--chat", "vicuna", "--prompt", "Hi"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split("\n").at(-1)).toBe("kiln: usage: --chat vicuna: expected one of chatml, llama3, plain");
  });
});

describe("text tokenizers for generation", () => {
  it("encodes a chatml prompt with the special ids and decodes back", async () => {
    const base = await loadTokenizerJson(fixture.tokenizer);
    const tokenizer = await loadTextTokenizer(base.name);
    const sp = (t: string) => base.specialTokens.get(t)!;
    const ids = tokenizer.encode("<|im_start|>user\nHello there<|im_end|>\n<|im_start|>assistant\n");
    expect(ids).toEqual([sp("<|im_start|>"), ...base.encode("user\nHello there"), sp("<|im_end|>"), ...base.encode("\n"), sp("<|im_start|>"), ...base.encode("assistant\n")]);
    expect(tokenizer.decode(ids)).toBe("<|im_start|>user\nHello there<|im_end|>\n<|im_start|>assistant\n");
    expect(tokenizer.eosId).toBe(base.eos);
    expect(tokenizer.vocabSize).toBe(600);
  });

  it("finds a moved tokenizer.json beside the run, knows pretrained names and bytes, and fails clearly", async () => {
    const moved = await loadTextTokenizer("kiln-bpe:/no/such/dir/tokenizer.json", [dir]);
    expect(moved.vocabSize).toBe(600);
    const gpt2 = await loadTextTokenizer("gpt2");
    expect(gpt2.decode(gpt2.encode("hello world"))).toBe("hello world");
    expect(gpt2.encode("<|endoftext|>")).toEqual([50256]);
    expect(await loadTextTokenizer("bytes-v1")).toBe(byteTokenizer);
    await expect(loadTextTokenizer("kiln-bpe:missing.json", [dir])).rejects.toThrow(/tokenizer "kiln-bpe:missing.json" not found/);
  });
});
