import { describe, expect, it } from "vitest";
import { KilnError } from "../../../core/errors.js";
import { getSpec } from "../../../pipeline/registry.js";
import "../../../stages/filters/index.js";
import { expandPreset, PRESETS } from "../../../stages/filters/presets.js";

describe("presets", () => {
  it("expands fineweb to FineWeb's order, English by FineWeb's fastText pinned at 0.65, C4 without the punctuation rule", () => {
    expect(expandPreset("fineweb")).toEqual([
      { stage: "url_filter", params: {} },
      { stage: "extract", params: {} },
      { stage: "language_filter", params: { languages: ["en"], minScore: 0.65, detector: "fasttext" } },
      { stage: "gopher_repetition", params: {} },
      { stage: "gopher_quality", params: {} },
      { stage: "c4_quality", params: { filterNoTerminalPunct: false } },
      { stage: "fineweb_quality", params: { version: "2024-04" } },
      { stage: "minhash", params: {} },
      { stage: "pii", params: {} },
    ]);
    expect(expandPreset("fineweb@2")).toEqual(expandPreset("fineweb"));
    // fineweb@1, as published before: the same recipe with the default detector pool.
    expect(expandPreset("fineweb@1")[2]).toEqual({ stage: "language_filter", params: { languages: ["en"], minScore: 0.65 } });
  });
  it("has gopher and c4, versioned", () => {
    expect(expandPreset("gopher").map((s) => s.stage)).toEqual(["gopher_repetition", "gopher_quality"]);
    expect(expandPreset("c4@1").map((s) => s.stage)).toEqual(["language_filter", "c4_quality"]);
    expect(expandPreset("c4@2").map((s) => s.stage)).toEqual(["language_filter", "c4_quality", "c4_badwords"]);
    expect(expandPreset("c4")).toEqual(expandPreset("c4@2"));
    expect(PRESETS.map((p) => p.id)).toEqual(["fineweb@1", "fineweb@2", "fineweb2@1", "gopher@1", "c4@1", "c4@2"]);
  });
  it("returns copies: changing an expansion does not change the preset", () => {
    (expandPreset("fineweb")[2]!.params.languages as string[]).push("de");
    expect(expandPreset("fineweb")[2]!.params).toEqual({ languages: ["en"], minScore: 0.65, detector: "fasttext" });
  });
  it("rejects unknown names and versions with one clear error", () => {
    expect(() => expandPreset("fineweb@9")).toThrow(KilnError);
    expect(() => expandPreset("dolma")).toThrow(/unknown preset "dolma" \(known: fineweb, fineweb2, gopher, c4, fineweb@1/);
  });
  it("gives params that this module's stages accept", () => {
    for (const step of [...expandPreset("fineweb"), ...expandPreset("c4")]) {
      if (["extract", "language_filter", "minhash"].includes(step.stage)) continue; // registered by other modules
      expect(getSpec("stage", step.stage).params.safeParse(step.params).success).toBe(true);
    }
  });
});
