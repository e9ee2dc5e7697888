import { describe, expect, it } from "vitest";
import "../../stages/index.js";
import { resolvePipeline } from "../../pipeline/config.js";
import { KilnError } from "../../core/errors.js";

const base = (stages: unknown[], extra: Record<string, unknown> = {}) => ({
  output: "runs/x",
  steps: [{ name: "clean", read: { format: "jsonl", paths: "in/*.jsonl" }, stages, ...extra }],
});

function errorOf(fn: () => unknown): KilnError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(KilnError);
    return error as KilnError;
  }
  throw new Error("expected an error");
}

describe("pipeline config", () => {
  it("fills in every default of every stage", () => {
    const resolved = resolvePipeline(base(["sampler", { text_length: { minChars: 5 } }]), "p.yaml", "/base");
    expect(resolved.output).toBe("/base/runs/x");
    expect(resolved.steps[0]!.paths).toEqual(["/base/in/*.jsonl"]);
    expect(resolved.steps[0]!.stages).toEqual([
      { name: "sampler", params: { rate: 0.5, seed: 1 } },
      { name: "text_length", params: { minChars: 5, maxChars: 10_000_000 } },
    ]);
    expect(resolved.steps[0]!.reader).toEqual({ name: "jsonl", params: { textKey: "text", idKey: "id" } });
    expect(resolved.steps[0]!.writer).toEqual({ name: "jsonl", params: { compression: "gzip" } });
  });

  it("names the file, the step and the field of a bad stage parameter", () => {
    const error = errorOf(() => resolvePipeline(base([{ text_length: { minChars: "ten" } }]), "conf/p.yaml"));
    expect(error.code).toBe("bad_config");
    expect(error.message).toMatch(/^conf\/p\.yaml: steps\[0\] \(clean\): stages\[0\]\.text_length\.minChars: /);
    expect(error.message).toContain("number");
  });

  it("names an unknown stage and lists the known ones", () => {
    const error = errorOf(() => resolvePipeline(base(["no_such_stage"]), "p.yaml"));
    expect(error.message).toContain('p.yaml: steps[0] (clean): stages[0].no_such_stage: unknown stage "no_such_stage"');
    expect(error.message).toContain("text_length");
  });

  it("names a bad field of the step itself", () => {
    const error = errorOf(() => resolvePipeline(base([], { tasks: -2 }), "p.yaml"));
    expect(error.message).toMatch(/^p\.yaml \(step clean\): steps\[0\]\.tasks: /);
    const unknown = errorOf(() => resolvePipeline(base([], { taks: 2 }), "p.yaml"));
    expect(unknown.message).toContain("taks");
  });

  it("refuses a misspelled stage, reader or writer parameter, suggesting the nearest", () => {
    const stage = errorOf(() => resolvePipeline(base([{ text_length: { minchars: 5 } }]), "p.yaml"));
    expect(stage.message).toBe("p.yaml: steps[0] (clean): stages[0].text_length.minchars: unknown parameter (did you mean minChars?)");
    const reader = errorOf(() => resolvePipeline({ output: "o", steps: [{ name: "a", read: { format: "jsonl", paths: "x", textkey: "body" } }] }, "p.yaml"));
    expect(reader.message).toContain("textkey: unknown parameter (did you mean textKey?)");
    const writer = errorOf(() => resolvePipeline(base([], { write: { format: "jsonl", compresion: "zstd" } }), "p.yaml"));
    expect(writer.message).toContain("compresion: unknown parameter (did you mean compression?)");
    const far = errorOf(() => resolvePipeline(base([{ text_length: { colour: 1 } }]), "p.yaml"));
    expect(far.message).toContain("colour: unknown parameter; known: minChars, maxChars");
  });

  it("refuses step names that would leave the run folder or hide in it", () => {
    for (const name of ["..", ".", ".hidden", "a/b", ""]) {
      const config = { output: "o", steps: [{ ...base([]).steps[0], name }] };
      expect(errorOf(() => resolvePipeline(config, "p.yaml")).message, name).toMatch(/steps\[0\]\.name: a name that becomes a file name/);
    }
    expect(resolvePipeline({ output: "o", steps: [{ ...base([]).steps[0], name: "dedup.v2-a_1" }] }, "p.yaml").steps[0]!.name).toBe("dedup.v2-a_1");
  });

  it("refuses a step that reads an unknown earlier step, and duplicate names", () => {
    const config = { output: "o", steps: [{ name: "b", read: { from: "a" } }] };
    expect(errorOf(() => resolvePipeline(config, "p.yaml")).message).toBe('p.yaml: steps[0] (b): read.from: no earlier step named "a"');
    const twice = { output: "o", steps: [base([]).steps[0], base([]).steps[0]] };
    expect(errorOf(() => resolvePipeline(twice, "p.yaml")).message).toContain('steps[1] (clean): name: a step named "clean" already exists');
  });

  it("names bad writer and reader parameters", () => {
    const error = errorOf(() => resolvePipeline(base([], { write: { format: "jsonl", compression: "lz4" } }), "p.yaml"));
    expect(error.message).toMatch(/^p\.yaml: steps\[0\] \(clean\): write\.compression: /);
  });
});
