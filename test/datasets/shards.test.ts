import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportLlmcBin, LLMC_MAGIC } from "../../datasets/shards/export.js";
import { MANIFEST_FORMAT, MANIFEST_VERSION, type Manifest } from "../../datasets/shards/manifest.js";
import { openTokenShards } from "../../datasets/shards/reader.js";
import { ShardWriter, type WritableDocument } from "../../datasets/shards/writer.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "kiln-shards-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function makeDocs(count: number, vocab: number, seed: number): (WritableDocument & { tokens: number[]; mask: number[] | null })[] {
  let state = seed;
  const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0);
  return Array.from({ length: count }, (_, i) => {
    const length = 1 + (next() % 50);
    const tokens = Array.from({ length }, () => next() % vocab);
    const mask = i % 3 === 0 ? tokens.map((_, j) => (j % 2)) : null;
    return { tokens, mask, source: i % 2 ? "web" : "sft", id: `doc-${i}` };
  });
}

async function writeDataset(root: string, docs: WritableDocument[], dtype: "uint16" | "uint32", vocab: number) {
  const writer = new ShardWriter({ root, folder: "train/main", split: "train", phase: "main", dtype, targetTokens: 500, batchTokens: 120 });
  for (const doc of docs) await writer.add(doc);
  const shards = await writer.finish();
  const manifest: Manifest = {
    format: MANIFEST_FORMAT, version: MANIFEST_VERSION, tokenizer: { name: "test", vocabSize: vocab, eos: 0, specialTokens: {} },
    dtype, seed: 1, sources: {}, phases: [], shards, mixture: null,
  };
  await writeFile(path.join(root, "manifest.json"), JSON.stringify(manifest));
  return shards;
}

describe("token shards", () => {
  it("read back exactly what was written, by stream and by random access (uint16 and uint32)", async () => {
    for (const [dtype, vocab] of [["uint16", 65536], ["uint32", 200_000]] as const) {
      const root = path.join(dir, dtype);
      const docs = makeDocs(200, vocab, 42);
      const shards = await writeDataset(root, docs, dtype, vocab);
      const total = docs.reduce((n, d) => n + d.tokens.length, 0);
      expect(shards.reduce((n, s) => n + s.tokens, 0)).toBe(total);
      expect(shards.length).toBeGreaterThan(5);
      // Each shard closes at the first document that takes it to 500 tokens or more.
      for (const s of shards.slice(0, -1)) expect(s.tokens).toBeGreaterThanOrEqual(500);
      for (const s of shards.slice(0, -1)) expect(s.tokens).toBeLessThan(550);

      const data = await openTokenShards(root);
      await data.verify();
      const streamed = [];
      for await (const doc of data.stream({ split: "train" })) streamed.push(doc);
      expect(streamed.length).toBe(docs.length);
      streamed.forEach((doc, i) => {
        expect([...doc.tokens]).toEqual(docs[i]!.tokens);
        expect(doc.mask ? [...doc.mask] : null).toEqual(docs[i]!.mask);
        expect(doc.source).toBe(docs[i]!.source);
        expect(doc.id).toBe(docs[i]!.id);
        expect(doc.tokens).toBeInstanceOf(dtype === "uint16" ? Uint16Array : Uint32Array);
      });

      const second = await data.documents(1, { verify: true });
      const offset = shards[0]!.documents;
      expect(second.length).toBe(shards[1]!.documents);
      expect([...second.get(2).tokens]).toEqual(docs[offset + 2]!.tokens);
      // A window spanning document boundaries equals the same slice of the concatenation.
      const flat = docs.slice(offset, offset + second.length).flatMap((d) => d.tokens);
      expect([...second.window(7, 300)]).toEqual(flat.slice(7, 307));
      expect(() => second.window(second.tokenCount - 1, 2)).toThrow(/outside/);
    }
  });

  it("detect a corrupted shard and a manifest that does not match", async () => {
    const root = path.join(dir, "corrupt");
    const shards = await writeDataset(root, makeDocs(50, 1000, 7), "uint16", 1000);
    const file = path.join(root, shards[0]!.path);
    const bytes = await readFile(file);
    bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0xff;
    await writeFile(file, bytes);
    const data = await openTokenShards(root);
    await expect(data.verify()).rejects.toThrow(/shard-00000.arrow: sha256 differs/);
    await expect(data.documents(0, { verify: true })).rejects.toThrow(/sha256 differs/);
    await writeFile(file, bytes.subarray(0, 100));
    await expect(data.documents(0)).rejects.toThrow(/100 bytes, manifest says/);
    await expect(data.documents(99)).rejects.toThrow(/no shard 99/);
    await writeFile(path.join(root, "manifest.json"), JSON.stringify({ format: "other" }));
    await expect(openTokenShards(root)).rejects.toThrow(/not a Kiln token-shard manifest/);
  });

  it("reject tokens that do not fit the dtype and masks of the wrong length", async () => {
    const writer = new ShardWriter({ root: path.join(dir, "bad"), folder: "t", split: "train", dtype: "uint16", targetTokens: 10 });
    await expect(writer.add({ tokens: [70000], mask: null, source: "s", id: "a" })).rejects.toThrow(/token 70000 does not fit uint16/);
    await expect(writer.add({ tokens: [1, 2], mask: [1], source: "s", id: "b" })).rejects.toThrow(/mask has 1 entries for 2 tokens/);
  });

  it("leave no complete-looking shard when aborted or killed mid-write", async () => {
    const root = path.join(dir, "aborted");
    const writer = new ShardWriter({ root, folder: "train", split: "train", dtype: "uint16", targetTokens: 1e9, batchTokens: 10 });
    for (const doc of makeDocs(100, 1000, 3)) await writer.add(doc);
    await writer.abort();
    expect(await readdir(path.join(root, "train"))).toEqual([]);

    // A real kill: a child process writes forever and is SIGKILLed mid-shard.
    const killedRoot = path.join(dir, "killed");
    const script = `
      import { ShardWriter } from ${JSON.stringify(path.resolve("datasets/shards/writer.ts"))};
      const w = new ShardWriter({ root: ${JSON.stringify(killedRoot)}, folder: "train", split: "train", dtype: "uint16", targetTokens: 1e12, batchTokens: 1000 });
      let i = 0;
      for (;;) { await w.add({ tokens: Array.from({ length: 500 }, (_, j) => j), mask: null, source: "s", id: String(i++) }); if (i === 200) console.log("writing"); }`;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
    const left = await readdir(path.join(killedRoot, "train"));
    expect(left.length).toBe(1);
    expect(left[0]).toMatch(/^shard-00000\.arrow\.tmp-\d+-[0-9a-f]+$/);
  });

  it("export to llm.c .bin: header then uint16 tokens end to end", async () => {
    const root = path.join(dir, "export");
    const docs = makeDocs(30, 5000, 9);
    await writeDataset(root, docs, "uint16", 5000);
    const out = path.join(dir, "train.bin");
    const total = await exportLlmcBin(await openTokenShards(root), { split: "train" }, out);
    const bytes = await readFile(out);
    const header = new Int32Array(bytes.buffer, bytes.byteOffset, 256);
    expect([header[0], header[1], header[2]]).toEqual([LLMC_MAGIC, 1, total]);
    const tokens = new Uint16Array(bytes.buffer.slice(bytes.byteOffset + 1024, bytes.byteOffset + bytes.length));
    expect([...tokens]).toEqual(docs.flatMap((d) => d.tokens));
  });
});
