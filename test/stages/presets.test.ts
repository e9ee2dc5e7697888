import { describe, expect, it } from "vitest";
import "../../stages/index.js";
import { resolvePipeline } from "../../pipeline/config.js";
import { KilnError } from "../../core/errors.js";
import { pipelineNotes } from "../../pipeline/cli/run.js";

const config = (step: Record<string, unknown>) => ({ output: "/runs/x", steps: [{ name: "web", read: { format: "warc", paths: "/crawl/*.warc.gz" }, ...step }] });

describe("step presets", () => {
  it("say once, naming the step, that fineweb's URL filter has no blocklist unless one is given", () => {
    expect(pipelineNotes(resolvePipeline(config({ preset: "fineweb" }), "p.yaml"))).toEqual([
      "step web.filter: url_filter has no blocklist, so it blocks nothing: give it domainFiles (FineWeb used the UT1 blacklist's adult category, CC BY-SA 4.0) or remove the stage",
    ]);
    expect(pipelineNotes(resolvePipeline(config({ preset: "fineweb", presetParams: { url_filter: { domains: ["example.xxx"] } } }), "p.yaml"))).toEqual([]);
  });

  it("expands fineweb into the filter step, the four MinHash steps and the final step, in FineWeb's order", () => {
    const resolved = resolvePipeline(config({ preset: "fineweb", keepExcluded: true }), "p.yaml");
    expect(resolved.steps.map((s) => s.name)).toEqual(["web.filter", "web.signatures", "web.buckets", "web.clusters", "web"]);
    const [filter, signatures, buckets, clusters, final] = resolved.steps;
    expect(filter!.stages.map((s) => s.name)).toEqual(["url_filter", "extract", "language_filter", "gopher_repetition", "gopher_quality", "c4_quality", "fineweb_quality"]);
    expect(filter!.reader.name).toBe("warc");
    expect(filter!.stages[2]!.params).toMatchObject({ languages: ["en"], minScore: 0.65 });
    expect(filter!.stages[5]!.params).toMatchObject({ filterNoTerminalPunct: false });
    expect(signatures!.writer).toMatchObject({ name: "minhash_signatures", params: { bands: 14, rows: 8, seed: 1 } });
    expect(signatures!.from).toBe("web.filter");
    expect([buckets!.task!.name, buckets!.tasks]).toEqual(["minhash_buckets", 14]);
    expect([clusters!.task!.name, clusters!.from]).toEqual(["minhash_clusters", "web.buckets"]);
    expect(final!.from).toBe("web.filter");
    expect(final!.stages.map((s) => [s.name, s.params.clusters ?? null])).toEqual([["minhash_filter", "web.clusters"], ["pii", null]]);
    expect([filter!.keepExcluded, final!.keepExcluded]).toEqual([true, true]);
  });

  it("applies presetParams to the named stage and refuses a stage the preset lacks", () => {
    const resolved = resolvePipeline(config({ preset: "fineweb@1", presetParams: { language_filter: { languages: ["de"] } } }), "p.yaml");
    expect(resolved.steps[0]!.stages[2]!.params).toMatchObject({ languages: ["de"], minScore: 0.65 });
    // README's way to keep pages with formulas, whose TeX holds "{".
    const withFormulas = resolvePipeline(config({ preset: "fineweb", presetParams: { c4_quality: { filterCurlyBracket: false } } }), "p.yaml");
    expect(withFormulas.steps[0]!.stages[5]!.params).toMatchObject({ filterCurlyBracket: false, filterNoTerminalPunct: false });
    expect(() => resolvePipeline(config({ preset: "fineweb", presetParams: { nope: {} } }), "p.yaml")).toThrow(/steps\[0\] \(web\): preset: presetParams\.nope/);
  });

  it("expands a recipe without dedup into one step, and names an unknown preset", () => {
    const resolved = resolvePipeline(config({ preset: "gopher" }), "p.yaml");
    expect(resolved.steps.map((s) => [s.name, s.stages.map((x) => x.name)])).toEqual([["web", ["gopher_repetition", "gopher_quality"]]]);
    try {
      resolvePipeline(config({ preset: "finewebb" }), "p.yaml");
      throw new Error("expected an error");
    } catch (error) {
      expect(error).toBeInstanceOf(KilnError);
      expect((error as KilnError).message).toMatch(/^p\.yaml: steps\[0\] \(web\): preset: unknown preset "finewebb"/);
    }
  });
});
