/**
 * The streaming shard sampler on a folder of 6 small train shards written by `runMixture`: the
 * epoch covers every window once (checked against the reader's own `window()`), the order is a
 * function of the seed alone, at most two shards are ever resident, resume across a shard
 * boundary is exact, and loss masks stay on the assistant answers.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SAMPLE_INSTRUCTIONS } from "../../datasets/sample/instructions.js";
import { openTokenShards } from "../../datasets/shards/reader.js";
import { loadTokenizerJson } from "../../datasets/tokenizer/hf-json.js";
import { selectBackend } from "../../trainer/backend.js";
import { loadCheckpoint } from "../../trainer/checkpoint.js";
import { openSampler, openTokenData, packDocuments, type Batch, type ShardPosition } from "../../trainer/data.js";
import { evaluationSet } from "../../trainer/evaluation.js";
import type { ShardSampler } from "../../trainer/shard-sampler.js";
import { disposeResult, train } from "../../trainer/train.js";
import { tinyTrainConfig, weightsOf } from "./helpers.js";
import { writeDemoLikeShards, type DemoLikeShards } from "./shards-fixture.js";

const T = 32;
let dir: string;
let fixture: DemoLikeShards;
beforeAll(async () => {
  await selectBackend("wasm");
  dir = await mkdtemp(path.join(os.tmpdir(), "kiln-trainer-stream-"));
  fixture = await writeDemoLikeShards(dir, { articles: 60, vocabSize: 600, shardTokens: 3700 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const rowsOf = (batch: Batch) =>
  Array.from({ length: batch.batchSize }, (_, r) => ({
    tokens: [...batch.inputs.subarray(r * T, (r + 1) * T), batch.targets[(r + 1) * T - 1]!],
    mask: Array.from(batch.mask.subarray(r * T, (r + 1) * T)),
    targets: Array.from(batch.targets.subarray(r * T, (r + 1) * T)),
    sources: Array.from(batch.sources.subarray(r * T, (r + 1) * T)),
  }));

/** `count` windows drawn in batches of `batchSize`, each as its T+1 tokens joined. */
async function draw(sampler: ShardSampler, count: number, batchSize: number): Promise<string[]> {
  const keys: string[] = [];
  while (keys.length < count) keys.push(...rowsOf(await sampler.next(batchSize)).map((r) => r.tokens.join(",")));
  return keys.slice(0, count);
}

const open = async (seed: number, selection = {}) => (await openSampler(await openTokenData(fixture.shards, undefined, selection), T, seed)) as ShardSampler;

/** Every window of every train shard, by the reader's window() (an independent slicer), per shard. */
async function expectedWindows(): Promise<{ keys: string[]; perShard: string[][]; tokens: number[] }> {
  const shards = await openTokenShards(fixture.shards);
  const perShard: string[][] = [];
  const tokens: number[] = [];
  for (const entry of shards.select({ split: "train" })) {
    const docs = await shards.documents(shards.shards.indexOf(entry));
    tokens.push(docs.tokenCount);
    perShard.push(Array.from({ length: Math.floor((docs.tokenCount - 1) / T) }, (_, w) => Array.from(docs.window(w * T, T + 1)).join(",")));
  }
  return { keys: perShard.flat(), perShard, tokens };
}

describe("streaming shard sampler", () => {
  it("draws every window of an epoch exactly once, one shard at a time, in an order set by the seed alone", async () => {
    const { keys, perShard, tokens } = await expectedWindows();
    expect(tokens.length).toBe(6);
    const W = keys.length;
    expect(W).toBe(tokens.reduce((n, t) => n + Math.floor((t - 1) / T), 0));

    const a = await open(5);
    const epoch = await draw(a, W, 3);
    expect([...epoch].sort()).toEqual([...keys].sort());
    // The shards are visited one after another: the epoch splits into 6 runs, each one shard's windows.
    const visited: number[] = [];
    for (let at = 0; at < W; ) {
      const run = (s: number) => [...epoch.slice(at, at + perShard[s]!.length)].sort().join(";");
      const next = perShard.findIndex((windows, s) => !visited.includes(s) && run(s) === [...windows].sort().join(";"));
      expect(next, `no shard's windows start at draw ${at}`).toBeGreaterThanOrEqual(0);
      visited.push(next);
      at += perShard[next]!.length;
    }
    expect([...visited].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(a.position).toMatchObject({ epoch: 1, shard: 0, window: 0 });
    // Epoch 2 is again every window once, in another order.
    const epoch2 = await draw(a, W, 3);
    expect([...epoch2].sort()).toEqual([...keys].sort());
    expect(epoch2).not.toEqual(epoch);
    await a.close();

    // Same seed, other batch sizes: the same sequence. Another seed: another order of the same windows.
    const b = await open(5);
    expect([...(await draw(b, W, 1)), ...(await draw(b, W, 1))]).toEqual([...epoch, ...epoch2]);
    const c = await open(5);
    expect(await draw(c, 2 * W, 7)).toEqual([...epoch, ...epoch2]);
    const d = await open(6);
    const other = await draw(d, W, 3);
    expect(other).not.toEqual(epoch);
    expect([...other].sort()).toEqual([...keys].sort());
    await Promise.all([b.close(), c.close(), d.close()]);
  });

  it("holds at most two shards' tokens at any time, and reads each shard once per epoch", async () => {
    const { keys, tokens } = await expectedWindows();
    const twoLargest = [...tokens].sort((x, y) => y - x).slice(0, 2).reduce((n, t) => n + t, 0);
    for (const selection of [{}, { maskedOnly: true }]) {
      const sampler = await open(11, selection);
      let drawn = 0;
      while (sampler.position.epoch < 3) {
        await sampler.next(4);
        drawn += 4;
        expect(sampler.residentTokens).toBeLessThanOrEqual(twoLargest);
      }
      expect(sampler.peakResidentTokens).toBeLessThanOrEqual(twoLargest);
      // Three epochs read each of the 6 shards three times (no re-reads), plus at most the prefetch of
      // epoch 4's first shard; fewer when an epoch ends on the shard the next one starts with (kept).
      expect(sampler.shardsLoaded).toBeLessThanOrEqual(3 * 6 + 1);
      expect(sampler.shardsLoaded).toBeGreaterThanOrEqual(3 * 6 - 2);
      if (Object.keys(selection).length === 0) {
        expect(drawn).toBeGreaterThanOrEqual(3 * keys.length);
        // The prefetch really overlaps: two shards were resident together.
        expect(sampler.peakResidentTokens).toBeGreaterThan(Math.max(...tokens));
      }
      await sampler.close();
      expect(sampler.residentTokens).toBe(0);
    }
  });

  it("resumes from a saved position to the same windows, and refuses a position from other data", async () => {
    const straight = await open(3);
    await draw(straight, 250, 4);
    const saved = straight.position;
    const resumed = (await openSampler(await openTokenData(fixture.shards), T, 3, saved)) as ShardSampler;
    expect(await draw(resumed, 300, 5)).toEqual(await draw(straight, 300, 5));
    // The resumed sampler read only from its position on: not the shards before it.
    expect(resumed.shardsLoaded).toBeLessThan(straight.shardsLoaded);
    await Promise.all([straight.close(), resumed.close()]);

    const sftOnly = await openTokenData(fixture.shards, undefined, { maskedOnly: true });
    await expect(openSampler(sftOnly, T, 3, saved)).rejects.toThrow(/data position belongs to other data/);
    await expect(openSampler(await openTokenData(fixture.shards), 16, 3, saved)).rejects.toThrow(/data position belongs to other data/);
    await expect(openSampler(await openTokenData(fixture.shards), T, 3, { epoch: 0, cursor: 4 })).rejects.toThrow(/position is for in-memory token data/);
    const beyond: ShardPosition = { ...saved, window: 10_000 };
    const bad = await openSampler(await openTokenData(fixture.shards), T, 3, beyond);
    await expect(bad.next(1)).rejects.toThrow(/has only \d+ windows/);
  });

  it("keeps loss masks on the targets: masked runs of instruction windows decode to the assistant answers", async () => {
    const tokenizer = await loadTokenizerJson(fixture.tokenizer);
    const answers = SAMPLE_INSTRUCTIONS.map((r) => `${r.output}<|im_end|>`);
    // Independently, from the reader's documents: the instruction documents of each shard end to end,
    // cut into windows; how many windows an epoch has and how many of their targets have mask 1.
    const shards = await openTokenShards(fixture.shards);
    let windows = 0;
    let expectedMasked = 0;
    for (const entry of shards.select({ split: "train" })) {
      const masks = [...(await shards.documents(shards.shards.indexOf(entry)))].filter((d) => d.mask).flatMap((d) => Array.from(d.mask!));
      for (let w = 0; w < Math.floor((masks.length - 1) / T); w++, windows++) expectedMasked += masks.slice(w * T + 1, w * T + T + 1).filter((m) => m === 1).length;
    }
    const sampler = await open(2, { maskedOnly: true });
    const rows: ReturnType<typeof rowsOf> = [];
    while (rows.length < windows) rows.push(...rowsOf(await sampler.next(4)));
    let whole = 0;
    let unmasked = 0;
    let masked = 0;
    for (const row of rows.slice(0, windows)) {
      unmasked += row.mask.filter((m) => m === 0).length;
      masked += row.mask.filter((m) => m === 1).length;
      for (let t = 0; t < T; ) {
        if (row.mask[t] === 0) {
          t++;
          continue;
        }
        let end = t;
        while (end < T && row.mask[end] === 1) end++;
        const text = tokenizer.decode(row.targets.slice(t, end));
        // A run cut by the window's edge is a piece of an answer; one inside the window is a whole answer.
        if (t > 0 && end < T) {
          expect(answers).toContain(text);
          whole++;
        } else if (t > 0) expect(answers.some((a) => a.startsWith(text)), text).toBe(true);
        else if (end < T) expect(answers.some((a) => a.endsWith(text)), text).toBe(true);
        else expect(answers.some((a) => a.includes(text)), text).toBe(true);
        t = end;
      }
    }
    expect(masked).toBe(expectedMasked);
    expect(whole).toBeGreaterThanOrEqual(3);
    expect(unmasked).toBeGreaterThan(0); // prompts and user turns are there, masked out
    await sampler.close();
  });

  it("validation batches streamed from the val shards equal windows spread evenly over the packed val stream", async () => {
    const val = await openTokenData(fixture.shards, undefined, { split: "val" });
    const set = await evaluationSet(val, T, 4, 5);
    const packed = await packDocuments(val);
    expect(set.sourceNames).toEqual(packed.sourceNames);
    expect(set.tokens).toBe(packed.tokens.length);
    const windows = Math.floor((packed.tokens.length - 1) / T);
    const wanted = Math.min(windows, 20);
    const rows = set.batches.flatMap(rowsOf);
    expect(rows.length).toBe(wanted);
    rows.forEach((row, k) => {
      const start = Math.floor((k * windows) / wanted) * T;
      expect(row.tokens).toEqual(Array.from(packed.tokens.subarray(start, start + T + 1)));
      expect(row.mask).toEqual(Array.from(packed.mask.subarray(start + 1, start + T + 1)));
      expect(row.sources).toEqual(Array.from(packed.source.subarray(start + 1, start + T + 1)));
    });
    expect(new Set(rows.flatMap((r) => r.sources)).size).toBe(2); // both sources' val shards are scored
  });
});

describe("training on streamed shards", () => {
  it("2N steps straight == N + resume + N, across shard boundaries (losses, weights, data position)", async () => {
    const settings = { model: { blockSize: T, layers: 1, heads: 2, width: 16, dropout: 0.1 }, steps: 16, batchSize: 8, gradAccumulation: 2, evalEvery: 0 };
    const data = async () => ({ train: await openTokenData(fixture.shards), log: () => {}, peakFlops: 1e9 });
    const straight = await train(tinyTrainConfig(path.join(dir, "straight"), settings), await data());
    const splitConfig = tinyTrainConfig(path.join(dir, "split"), settings);
    const first = await train(splitConfig, { ...(await data()), stopAfter: 8 });
    disposeResult(first);
    const middle = (await loadCheckpoint(path.join(dir, "split", "checkpoint"))).meta.data as ShardPosition;
    const second = await train(splitConfig, await data());
    expect(second.trainLosses).toEqual(straight.trainLosses.slice(8));
    expect(await weightsOf(second.params)).toEqual(await weightsOf(straight.params));
    const end = (await loadCheckpoint(path.join(dir, "straight", "checkpoint"))).meta.data as ShardPosition;
    expect((await loadCheckpoint(path.join(dir, "split", "checkpoint"))).meta.data).toEqual(end);
    // 16 windows a step, ~115 per shard: the first half crossed a shard boundary, and so did the second.
    expect(middle.epoch * 6 + middle.shard).toBeGreaterThanOrEqual(1);
    expect(end.epoch * 6 + end.shard).toBeGreaterThan(middle.epoch * 6 + middle.shard);
    disposeResult(straight);
    disposeResult(second);
  });
});
