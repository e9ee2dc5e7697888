import { copyFile, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { fnv1a32 } from "../../core/hash.js";
import { saveModel } from "../../classifiers/folder.js";
import type { ModelShape } from "../../classifiers/model.js";
import { ScoreReservoir, topPercentCutoff } from "../../classifiers/reservoir.js";
import "../../classifiers/index.js";
import { seededRandom } from "../../core/random.js";
import type { Doc } from "../../pipeline/doc.js";
import { tempDir } from "../pipeline/helpers.js";
import { recordingContext, runStage } from "./helpers.js";

const doc = (id: string, text: string, meta: Record<string, unknown> = {}): Doc => ({ id, text, meta });
const scored = (scores: number[]) => scores.map((q, i) => doc(String(i), "x", { quality: q }));

/** A binary linear model over 64 buckets, unigrams only, whose weights we set by hand. */
async function handModel(): Promise<{ dir: string; bucket: (w: string) => number }> {
  const buckets = 64;
  const shape: ModelShape = { features: { buckets, wordNgrams: 1, maxWords: 100 }, head: "linear", hidden: 1, objective: "classification", classes: 2 };
  const table = new Float32Array(buckets * 2);
  const bucket = (w: string) => fnv1a32(w) % buckets;
  // "good" pushes the positive logit up by 2, "bad" down by 2 (64 buckets: good 24, bad 56, other 53, words 10; no collision).
  table[bucket("good") * 2 + 1] = 2;
  table[bucket("bad") * 2 + 1] = -2;
  const dir = await tempDir("kiln-quality-");
  await saveModel(dir, { shape, labelNames: ["negative", "positive"], binaryThreshold: 1, training: {} as never, validation: {} as never, calibrationScores: Array.from({ length: 100 }, (_, i) => i / 100) }, {
    table,
    tableBias: new Float32Array([0, 0]),
    output: new Float32Array(0),
    outputBias: new Float32Array(0),
  });
  return { dir, bucket };
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

describe("quality stage", () => {
  it("writes meta.quality (P(positive)) and meta.qualityLabel as computed by hand", async () => {
    const { dir, bucket } = await handModel();
    expect(bucket("good")).not.toBe(bucket("bad"));
    expect([bucket("other"), bucket("words")]).not.toContain(bucket("good"));
    const out = await runStage("quality", { model: dir }, [doc("a", "good"), doc("b", "bad other words good bad"), doc("c", "")]);
    // "good": one feature, logit 2 / sqrt(1). "bad other words good bad": 4 distinct features, logit (-2 + 0 + 0 + 2) / sqrt(4) = 0.
    expect(out[0]!.meta.quality).toBeCloseTo(sigmoid(2), 6);
    expect(out[0]!.meta.qualityLabel).toBe(1);
    expect(out[1]!.meta.quality).toBeCloseTo(sigmoid(0), 6);
    expect(out[2]!.meta.quality).toBeCloseTo(0.5, 6);
    const two = await runStage("quality", { model: dir }, [doc("e", "good other")]);
    expect(two[0]!.meta.quality).toBeCloseTo(sigmoid(2 / Math.SQRT2), 6);
    const bad = await runStage("quality", { model: dir }, [doc("d", "bad")]);
    expect(bad[0]!.meta.quality).toBeCloseTo(sigmoid(-2), 6);
    expect(bad[0]!.meta.qualityLabel).toBe(0);
  });

  it("drops every document with a counted reason when the model folder is missing", async () => {
    const ctx = recordingContext();
    const out = await runStage("quality", { model: "/nonexistent/model" }, [doc("a", "x"), doc("b", "y")], ctx);
    expect(out).toEqual([]);
    expect(ctx.drops.get("error:quality")).toBe(2);
  });
});

describe("quality_filter", () => {
  it("absolute threshold: exactly minScore keeps, just under drops, missing score drops", async () => {
    const ctx = recordingContext();
    const out = await runStage("quality_filter", { minScore: 3 }, [...scored([3, 2.999999, 4.5]), doc("m", "x")], ctx);
    expect(out.map((d) => d.meta.quality)).toEqual([3, 4.5]);
    expect(ctx.drops.get("quality_below_min")).toBe(1);
    expect(ctx.drops.get("quality_missing")).toBe(1);
  });

  it("without minScore: a two-class model's decision threshold, else 3", async () => {
    const { dir } = await handModel();
    // handModel has no decision threshold: the cut-off is 3, which no probability reaches.
    expect(await runStage("quality_filter", { model: dir }, [doc("a", "good"), doc("b", "bad")])).toEqual([]);
    const withThreshold = await tempDir("kiln-quality-");
    const record = JSON.parse(await readFile(path.join(dir, "model.json"), "utf8")) as { shape: { decisionThreshold?: number } };
    record.shape.decisionThreshold = 0.3; // P(good) = sigmoid(2) = 0.88, P(bad) = sigmoid(-2) = 0.12, P(other) = 0.5
    await writeFile(path.join(withThreshold, "model.json"), JSON.stringify(record));
    await copyFile(path.join(dir, "weights.bin"), path.join(withThreshold, "weights.bin"));
    const out = await runStage("quality_filter", { model: withThreshold }, [doc("a", "good"), doc("b", "bad"), doc("c", "other")]);
    expect(out.map((d) => d.id)).toEqual(["a", "c"]);
    const explicit = await runStage("quality_filter", { model: withThreshold, minScore: 0.6 }, [doc("a", "good"), doc("b", "bad"), doc("c", "other")]);
    expect(explicit.map((d) => d.id)).toEqual(["a"]);
  });

  it("scores documents without meta.quality when given the model", async () => {
    const { dir } = await handModel();
    const out = await runStage("quality_filter", { minScore: 0.5, model: dir }, [doc("a", "good"), doc("b", "bad")]);
    expect(out.map((d) => d.id)).toEqual(["a"]);
  });

  it("topPercent (task reservoir) keeps the top 10% of a uniform score stream within 1 point", async () => {
    const random = seededRandom(42);
    const scores = Array.from({ length: 30_000 }, () => random());
    const out = await runStage("quality_filter", { topPercent: 10, reservoirSize: 10_000, warmupDocs: 2_000 }, scored(scores));
    const kept = out.length / scores.length;
    expect(kept).toBeGreaterThan(0.09);
    expect(kept).toBeLessThan(0.11);
    // They are the top: every kept score is near or above the true 90th percentile (0.9).
    expect(Math.min(...out.map((d) => d.meta.quality as number))).toBeGreaterThan(0.88);
  });

  it("topPercent: a shard smaller than the warm-up sets its cut-off from all its own scores", async () => {
    const scores = Array.from({ length: 50 }, (_, i) => i);
    const out = await runStage("quality_filter", { topPercent: 10, warmupDocs: 1_000 }, scored(scores));
    expect(out.map((d) => d.meta.quality)).toEqual([45, 46, 47, 48, 49]);
  });

  it("topPercent from the model's held-out scores (0.00 .. 0.99) cuts at 0.80 for 20%", async () => {
    const { dir } = await handModel();
    const ctx = recordingContext();
    const out = await runStage("quality_filter", { topPercent: 20, cutoffFrom: "model", model: dir }, scored([0.79, 0.8, 0.95, 0.1]), ctx);
    expect(out.map((d) => d.meta.quality)).toEqual([0.8, 0.95]);
    expect(ctx.drops.get("quality_top_percent")).toBe(2);
  });

  it("reservoir keeps a uniform sample and the cut-off counts ranks", () => {
    const reservoir = new ScoreReservoir(1_000, seededRandom(1));
    for (let i = 0; i < 100_000; i++) reservoir.add(i);
    const sample = reservoir.sorted();
    expect(sample.length).toBe(1_000);
    // The sample median of a uniform 0..99999 stream is near 50,000 (sd ~ 1,600 for n = 1,000).
    expect(Math.abs(sample[500]! - 50_000)).toBeLessThan(5_000);
    expect(topPercentCutoff([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 30)).toBe(8);
    expect(topPercentCutoff([], 10)).toBe(Infinity);
    expect(topPercentCutoff([1, 2], 100)).toBe(-Infinity);
  });
});
