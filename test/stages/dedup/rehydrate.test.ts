import { describe, expect, it } from "vitest";
import { FINEWEB2_REHYDRATION, rehydrateParams, rehydrationCopies } from "../../../stages/dedup/rehydrate.js";
import "../../../stages/dedup/index.js";
import type { Doc } from "../../../pipeline/doc.js";
import { makeStage, recordingContext, runStage } from "../filters/helpers.js";

describe("rehydrate", () => {
  it("gives FineWeb-2's copies at each boundary of its cluster sizes", () => {
    const sizes = [1, 2, 3, 4, 5, 99, 100, 999, 1000, 50_000];
    expect(sizes.map((size) => rehydrationCopies(size, FINEWEB2_REHYDRATION))).toEqual([1, 2, 3, 3, 5, 5, 8, 8, 1, 1]);
  });

  it("repeats each document with numbered ids, treats a missing or bad size as 1, and drops at 0 copies with a reason", async () => {
    const docs: Doc[] = [
      { id: "a", text: "x", meta: { clusterSize: 3 } },
      { id: "b", text: "y", meta: {} },
      { id: "c", text: "z", meta: { clusterSize: "many" } },
      { id: "d", text: "w", meta: { clusterSize: 7 } },
    ];
    const ctx = recordingContext();
    const weights = [{ minSize: 1, copies: 1 }, { minSize: 2, copies: 2 }, { minSize: 5, copies: 0 }];
    const out = await runStage(makeStage("rehydrate", { weights }), docs, ctx);
    expect(out.map((d) => [d.id, d.meta.rehydrationCopies])).toEqual([["a", 2], ["a#2", 2], ["b", 1], ["c", 1]]);
    expect(ctx.drops).toEqual([["d", "rehydrate_zero_copies"]]);
  });

  it("refuses weights that do not start at 1 or do not increase", () => {
    expect(rehydrateParams.safeParse({ weights: [{ minSize: 2, copies: 1 }] }).success).toBe(false);
    expect(rehydrateParams.safeParse({ weights: [{ minSize: 1, copies: 1 }, { minSize: 1, copies: 2 }] }).success).toBe(false);
    expect(rehydrateParams.parse({}).weights).toEqual(FINEWEB2_REHYDRATION);
  });
});
