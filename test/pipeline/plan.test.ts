import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import "../../stages/index.js";
import { resolvePipeline } from "../../pipeline/config.js";
import { planStep } from "../../pipeline/runner.js";
import { tempDir } from "./helpers.js";

describe("step plans", () => {
  it("refuse input globs that reach into the run's own folder, and take the same glob when it does not", async () => {
    const base = await tempDir();
    await mkdir(path.join(base, "in"), { recursive: true });
    await writeFile(path.join(base, "in", "a.jsonl"), '{"id":"1","text":"x"}\n');
    // An earlier run left its output under the run folder, beside its config.json.
    await mkdir(path.join(base, "runs", "x", "clean", "data"), { recursive: true });
    await writeFile(path.join(base, "runs", "x", "clean", "data", "00000.jsonl"), '{"id":"1","text":"x"}\n');
    const config = (paths: string) => resolvePipeline({ output: "runs/x", steps: [{ name: "clean", read: { format: "jsonl", paths } }] }, "p.yaml", base);
    const broad = config("**/*.jsonl");
    await expect(planStep(broad, broad.steps[0]!)).rejects.toThrow(/step clean: read\.paths .*\*\*\/\*\.jsonl match 1 file\(s\) inside the run folder .*runs\/x .*narrow the paths/);
    const narrow = config("in/*.jsonl");
    expect((await planStep(narrow, narrow.steps[0]!)).files).toEqual([path.join(base, "in", "a.jsonl")]);
  });
});
