import { access, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { runCommand } from "citty";
import { gzipSync } from "node:zlib";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mixCommand } from "../../datasets/mixture/cli.js";
import { runMixture } from "../../datasets/mixture/mix.js";
import { SpillStore } from "../../datasets/mixture/sources.js";
import { loadMixtureFile, parseTokenCount, resolveMixture } from "../../datasets/mixture/spec.js";
import { openTokenShards } from "../../datasets/shards/reader.js";
import type { TokenDocument } from "../../datasets/shards/arrow.js";
import { loadPretrained } from "../../datasets/tokenizer/pretrained.js";
import type { Tokenizer } from "../../datasets/tokenizer/types.js";

let dir: string;
let gpt2: Tokenizer;
const WORDS = ["river", "market", "stone", "bread", "yield", "bond", "garden", "the", "of", "and", "price", "rate", "seed", "north"];

/** Writes `count` JSONL documents of 5–60 words for a source. */
async function writeSource(name: string, count: number, seed: number): Promise<string> {
  let state = seed;
  const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0);
  const docs = Array.from({ length: count }, (_, i) => {
    const words = Array.from({ length: 5 + (next() % 56) }, () => WORDS[next() % WORDS.length]!);
    return JSON.stringify({ id: `${name}-${i}`, text: `${name} ${words.join(" ")}.` });
  });
  const file = path.join(dir, "sources", `${name}.jsonl`);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, docs.join("\n") + "\n");
  return file;
}

async function writeMixture(name: string, spec: object): Promise<string> {
  const file = path.join(dir, `${name}.yaml`);
  await writeFile(file, stringify(spec));
  return file;
}

async function readAll(out: string, selection: { split?: "train" | "val"; phase?: string } = {}): Promise<TokenDocument[]> {
  const docs: TokenDocument[] = [];
  for await (const doc of (await openTokenShards(out)).stream(selection)) docs.push(doc);
  return docs;
}

function tokenShares(docs: TokenDocument[]): Record<string, number> {
  const tokens: Record<string, number> = {};
  let total = 0;
  for (const doc of docs) {
    tokens[doc.source] = (tokens[doc.source] ?? 0) + doc.tokens.length;
    total += doc.tokens.length;
  }
  return Object.fromEntries(Object.entries(tokens).map(([k, v]) => [k, v / total]));
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "kiln-mix-"));
  gpt2 = await loadPretrained("gpt2");
  await writeSource("web", 3000, 1);
  await writeSource("code", 1500, 2);
  await writeSource("finance", 300, 3);
  await writeFile(path.join(dir, "sources", "sft.json"), JSON.stringify([
    { instruction: "Name a river", output: "The Nile." },
    { instruction: "Add", input: "2 and 2", output: "4" },
    { instruction: "broken" },
  ]));
  await writeFile(path.join(dir, "sources", "chat.jsonl"), [
    JSON.stringify({ conversations: [{ from: "human", value: "Hi" }, { from: "gpt", value: "Hello there" }] }),
    "{not json",
  ].join("\n"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("mixture spec", () => {
  it("parses token counts with suffixes", () => {
    expect([parseTokenCount("200M"), parseTokenCount("1.5B"), parseTokenCount("50000"), parseTokenCount(12), parseTokenCount("7k")]).toEqual([2e8, 1.5e9, 50000, 12, 7000]);
    expect(parseTokenCount("lots")).toBeNaN();
  });

  it("names the file and field of each mistake", () => {
    const base = { tokenizer: "gpt2", sources: { web: { path: "w.jsonl", weight: 1 } } };
    expect(() => resolveMixture({ ...base, tokens: "lots" }, "m.yaml")).toThrow(/^m.yaml: tokens: must be a positive token count/);
    expect(() => resolveMixture({ ...base, sources: { web: { path: "w.jsonl" } } }, "m.yaml")).toThrow("m.yaml: sources.web.weight: required when there are no phases");
    expect(() => resolveMixture({ ...base, phases: [{ name: "a", tokens: 10, weights: { fin: 1 } }] }, "m.yaml")).toThrow('m.yaml: phases.0.weights.fin: no source named "fin"');
    expect(() => resolveMixture({ ...base, sources: { web: { path: "w", weight: 1, format: "csv" } } }, "m.yaml")).toThrow(/m.yaml: sources.web.format/);
    expect(() => resolveMixture({ ...base, colour: "red" }, "m.yaml")).toThrow(/m.yaml: \(top level\)|colour/);
    expect(() => resolveMixture({ ...base, sources: { "..": { path: "w", weight: 1 } } }, "m.yaml")).toThrow(/m.yaml: sources.*a name that becomes a file name/);
    expect(() => resolveMixture({ ...base, phases: [{ name: "../x", tokens: 10, weights: { web: 1 } }] }, "m.yaml")).toThrow(/m.yaml: phases\[0\].name: a name that becomes a file name/);
  });
});

describe("kiln mix", () => {
  it("realises token shares within 1% of the weights, reproducibly, with disjoint validation", async () => {
    const spec = {
      tokenizer: "gpt2",
      sources: { web: { path: "sources/web.jsonl", weight: 0.5 }, code: { path: "sources/code.jsonl", weight: 0.3 }, finance: { path: "sources/finance.jsonl", weight: 0.2, maxEpochs: 3 } },
      tokens: 80000, validation: { fraction: 0.05 }, seed: 7, shardTokens: 8000,
    };
    const file = await writeMixture("joint", spec);
    const outA = path.join(dir, "joint-a");
    const manifest = await runMixture(await loadMixtureFile(file), { out: outA, tokenizer: gpt2, batchTokens: 2000 });
    const train = await readAll(outA, { split: "train" });
    const shares = tokenShares(train);
    expect(Math.abs(shares.web! - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(shares.code! - 0.3)).toBeLessThan(0.01);
    expect(Math.abs(shares.finance! - 0.2)).toBeLessThan(0.01);
    const total = train.reduce((n, d) => n + d.tokens.length, 0);
    expect(total).toBeGreaterThanOrEqual(80000);
    expect(total).toBeLessThan(80000 + 3 * 100); // at most one document (< 100 tokens) over per source
    expect(manifest.phases[0]!.tokens).toBe(total);
    expect(manifest.dtype).toBe("uint16");
    expect(manifest.shards.filter((s) => s.split === "train").length).toBeGreaterThanOrEqual(5);
    // Every train document ends with <|endoftext|> and decodes to its source's text.
    expect(train.every((d) => d.tokens[d.tokens.length - 1] === 50256 && d.mask === null)).toBe(true);
    expect(gpt2.decode(train[0]!.tokens.subarray(0, -1)).startsWith(train[0]!.source + " ")).toBe(true);

    const val = await readAll(outA, { split: "val" });
    const trainIds = new Set(train.map((d) => d.id));
    expect(val.length).toBeGreaterThan(0);
    expect(val.filter((d) => trainIds.has(d.id))).toEqual([]);
    expect(new Set(val.map((d) => d.source))).toEqual(new Set(["web", "code", "finance"]));
    expect(manifest.sources.web!.valDocuments).toBe(val.filter((d) => d.source === "web").length);
    expect(Math.abs(manifest.sources.web!.valDocuments / 3000 - 0.05)).toBeLessThan(0.015);
    expect((await readdir(path.join(outA, "val"))).sort()).toEqual(["code", "finance", "web"]);
    // finance needs 16000 tokens of its ~10000 (285 docs after validation): more than one epoch, under its cap of 3.
    expect(manifest.sources.finance!.epochs).toBeGreaterThan(1);
    expect(manifest.sources.finance!.epochs).toBeLessThanOrEqual(3);
    await (await openTokenShards(outA)).verify();

    const outB = path.join(dir, "joint-b");
    await runMixture(await loadMixtureFile(file), { out: outB, tokenizer: gpt2, batchTokens: 2000 });
    expect(await readFile(path.join(outB, "manifest.json"), "utf8")).toBe(await readFile(path.join(outA, "manifest.json"), "utf8"));
    for (const shard of manifest.shards) expect(await readFile(path.join(outB, shard.path))).toEqual(await readFile(path.join(outA, shard.path)));
    const outC = path.join(dir, "joint-c");
    await runMixture(await loadMixtureFile(await writeMixture("joint-seed", { ...spec, seed: 8 })), { out: outC, tokenizer: gpt2 });
    expect((await readAll(outC, { split: "train" })).map((d) => d.id).slice(0, 20)).not.toEqual(train.map((d) => d.id).slice(0, 20));
  });

  it("stops before writing anything when a source cannot supply its share within maxEpochs", async () => {
    const spec = {
      tokenizer: "gpt2",
      sources: { web: { path: "sources/web.jsonl", weight: 0.7 }, finance: { path: "sources/finance.jsonl", weight: 0.3, maxEpochs: 2 } },
      tokens: 100000, seed: 1,
    };
    const out = path.join(dir, "exhausted");
    await expect(runMixture(await loadMixtureFile(await writeMixture("exhausted", spec)), { out, tokenizer: gpt2 })).rejects.toThrow(
      /source "finance" is too small: the phases need 30000 of its tokens but it has \d+ train tokens x maxEpochs 2 = \d+/,
    );
    await expect(access(out)).rejects.toThrow();
    expect((await readdir(dir)).filter((name) => /^exhausted\.(partial|old)-/.test(name))).toEqual([]);
    // Without a token count, the run takes all that the tightest source allows: finance exactly 2 epochs.
    const manifest = await runMixture(await loadMixtureFile(await writeMixture("all", { ...spec, tokens: undefined })), { out: path.join(dir, "all"), tokenizer: gpt2 });
    expect(manifest.sources.finance!.epochs).toBe(2);
    expect(manifest.sources.finance!.trainTokens).toBe(2 * manifest.sources.finance!.tokens);
  });

  it("leaves an earlier mixture in --out untouched when a new one fails part-way, and replaces it whole when one succeeds", async () => {
    const out = path.join(dir, "replace");
    const first = { tokenizer: "gpt2", sources: { web: { path: "sources/web.jsonl", weight: 1 } }, tokens: 5000, validation: { fraction: 0.05 }, seed: 1 };
    await runMixture(await loadMixtureFile(await writeMixture("replace-1", first)), { out, tokenizer: gpt2 });
    const snapshot = async () => {
      const files = (await readdir(out, { recursive: true })).sort();
      return Promise.all(files.map(async (f) => [f, await readFile(path.join(out, f)).catch(() => "(folder)")] as const));
    };
    const before = await snapshot();

    // The second source fails after the first has written its validation shard.
    const broken = path.join(dir, "sources", "zzz.jsonl.gz");
    await writeFile(broken, Buffer.concat([gzipSync('{"text":"fine"}\n'), Buffer.from("not gzip")]));
    const failing = { ...first, sources: { web: { path: "sources/web.jsonl", weight: 0.5 }, zzz: { path: "sources/zzz.jsonl.gz", weight: 0.5 } } };
    await expect(runMixture(await loadMixtureFile(await writeMixture("replace-2", failing)), { out, tokenizer: gpt2 })).rejects.toThrow(/zzz\.jsonl\.gz: at offset \d+: 8 bytes that are not gzip data/);
    expect(await snapshot()).toEqual(before);
    expect((await readdir(dir)).filter((name) => /^replace\.(partial|old)-/.test(name))).toEqual([]);

    const second = await runMixture(await loadMixtureFile(await writeMixture("replace-3", { ...first, seed: 2 })), { out, tokenizer: gpt2 });
    expect(JSON.parse(await readFile(path.join(out, "manifest.json"), "utf8")).seed).toBe(2);
    expect((await snapshot()).filter(([f]) => f.endsWith(".arrow")).map(([f]) => f)).toEqual(second.shards.map((s) => s.path).sort());
  });

  it("refuses an --out folder that holds other files", async () => {
    const out = path.join(dir, "not-a-mix");
    await mkdir(out, { recursive: true });
    await writeFile(path.join(out, "notes.txt"), "mine");
    const spec = { tokenizer: "gpt2", sources: { web: { path: "sources/web.jsonl", weight: 1 } }, tokens: 2000 };
    await expect(runMixture(await loadMixtureFile(await writeMixture("not-a-mix", spec)), { out, tokenizer: gpt2 })).rejects.toThrow(
      `${out}: not empty and not a kiln mix output (no manifest.json); choose another --out`,
    );
    expect(await readdir(out)).toEqual(["notes.txt"]);
  });

  it("runs phases in order: general, then domain with web replay continuing where it stopped", async () => {
    const spec = {
      tokenizer: "gpt2",
      sources: { web: { path: "sources/web.jsonl" }, finance: { path: "sources/finance.jsonl", maxEpochs: 4 }, sft: { path: "sources/sft.json", format: "alpaca" } },
      phases: [
        { name: "general", tokens: "20k", weights: { web: 1 } },
        { name: "domain", tokens: "10k", weights: { finance: 0.7, web: 0.3 } },
      ],
      seed: 3,
    };
    const out = path.join(dir, "phases");
    const manifest = await runMixture(await loadMixtureFile(await writeMixture("phases", spec)), { out, tokenizer: gpt2 });
    expect(manifest.phases.map((p) => p.name)).toEqual(["general", "domain"]);
    expect(manifest.sources.sft).toBeUndefined(); // in no phase: not read
    const general = await readAll(out, { phase: "general" });
    const domain = await readAll(out, { phase: "domain" });
    expect(new Set(general.map((d) => d.source))).toEqual(new Set(["web"]));
    expect(Math.abs(tokenShares(domain).finance! - 0.7)).toBeLessThan(0.01);
    const generalIds = new Set(general.map((d) => d.id));
    expect(domain.filter((d) => d.source === "web" && generalIds.has(d.id))).toEqual([]);
    const shards = (await openTokenShards(out)).select({ split: "train" });
    expect(shards[0]!.path.startsWith("train/general/")).toBe(true);
    expect(shards.at(-1)!.path.startsWith("train/domain/")).toBe(true);
  });

  it("mixes instruction data with a loss mask, counts bad records, and prints a report", async () => {
    const { PretokenCounter, trainBpe } = await import("../../datasets/tokenizer/train.js");
    const { saveTokenizerJson } = await import("../../datasets/tokenizer/hf-json.js");
    const counter = new PretokenCounter();
    counter.add("web market river stone Name a river The Nile Hello there");
    await saveTokenizerJson(trainBpe(counter.counts, { vocabSize: 300 }).tokenizer.model, path.join(dir, "tok.json"));
    const spec = {
      tokenizer: "tok.json",
      sources: {
        web: { path: "sources/web.jsonl", weight: 0.9 },
        sft: { path: "sources/sft.json", format: "alpaca", template: "chatml", weight: 0.05, maxEpochs: 1000 },
        chat: { path: "sources/chat.jsonl", format: "sharegpt", template: "llama3", weight: 0.05, maxEpochs: 1000 },
      },
      tokens: 20000, seed: 2,
    };
    const out = path.join(dir, "sft-out");
    const mixture = await writeMixture("sft", spec);
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => (lines.push(String(chunk)), true)) as typeof process.stdout.write;
    const stderr = process.stderr.write.bind(process.stderr);
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      await runCommand(mixCommand, { rawArgs: [mixture, "--out", out, "--report", "--llmc"] });
    } finally {
      process.stdout.write = write;
      process.stderr.write = stderr;
    }
    const report = lines.join("");
    expect(report).toMatch(/main\s+web\s+90\.00%\s+(89|90)\.\d\d%/);
    expect(report).toContain('skipped: chat {"bad_json":1}; sft {"alpaca_needs_instruction_and_output":1}');
    const data = await openTokenShards(out);
    expect(data.manifest.tokenizer.name).toContain("tok.json");
    const tokenizer = await (await import("../../datasets/tokenizer/hf-json.js")).loadTokenizerJson(path.join(dir, "tok.json"));
    const docs = await readAll(out, { split: "train" });
    for (const doc of docs.filter((d) => d.source !== "web")) {
      const trained = tokenizer.decode(doc.tokens.filter((_, i) => doc.mask![i] === 1));
      expect(["The Nile.<|im_end|>", "4<|im_end|>", "Hello there<|eot_id|>"]).toContain(trained);
    }
    expect(docs.some((d) => d.source === "chat") && docs.some((d) => d.source === "sft")).toBe(true);
    const bin = await readFile(path.join(out, "llmc", "train.bin"));
    expect(bin.readInt32LE(8)).toBe(docs.reduce((n, d) => n + d.tokens.length, 0));
  });
});

describe("spill store", () => {
  it("waits for the disk on every full buffer without leaving listeners behind, and reads back what it wrote", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "kiln-spill-"));
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on("warning", onWarning);
    try {
      const store = new SpillStore(path.join(dir, "spill.bin"));
      // 40 documents of 8,000 tokens (32 KB each): every write fills the 16 KB stream buffer.
      for (let d = 0; d < 40; d++) await store.append({ id: `d${d}`, tokens: Array.from({ length: 8000 }, (_, i) => d * 8000 + i), mask: d % 2 ? Array.from({ length: 8000 }, (_, i) => i % 2) : null });
      await store.seal();
      for (const d of [0, 17, 39]) {
        const back = await store.read(d);
        expect(back.id).toBe(`d${d}`);
        expect(back.tokens[0]).toBe(d * 8000);
        expect(back.tokens[7999]).toBe(d * 8000 + 7999);
        expect(back.mask === null).toBe(d % 2 === 0);
      }
      await store.close();
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).not.toContain("MaxListenersExceededWarning");
    } finally {
      process.off("warning", onWarning);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
