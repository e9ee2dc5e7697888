/**
 * `kiln sweep` on token data we write: three sizes × two budgets of tiny runs, the tokens each run
 * gets from its budget (D = C / 6N, in whole steps), the learning-rate rule, the frontier and the
 * laws in the report, and a second run that reuses every finished run.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../trainer/backend.js";
import { parameterCount } from "../../trainer/config.js";
import { runSweep, sweepLearningRate } from "../../bin/sweep.js";

let dir: string;
const models = [
  { layers: 1, heads: 2, width: 8 },
  { layers: 1, heads: 2, width: 16 },
  { layers: 1, heads: 2, width: 24 },
];
beforeAll(async () => {
  await selectBackend("cpu");
  dir = await mkdtemp(path.join(os.tmpdir(), "kiln-sweep-"));
  const cycle = [3, 7, 1, 9, 4, 0, 8, 2, 6, 5];
  const doc = (n: number, shift: number) => JSON.stringify({ tokens: Array.from({ length: n }, (_, i) => cycle[(i + shift) % 10]!) });
  await writeFile(path.join(dir, "train.jsonl"), Array.from({ length: 20 }, (_, i) => doc(200, i)).join("\n") + "\n");
  await writeFile(path.join(dir, "val.jsonl"), Array.from({ length: 4 }, (_, i) => doc(100, i + 3)).join("\n") + "\n");
  await writeFile(
    path.join(dir, "sweep.yaml"),
    `out: out\ndata: { train: train.jsonl, val: val.jsonl }\nmodels:\n${models.map((m) => `  - { layers: ${m.layers}, heads: ${m.heads}, width: ${m.width} }`).join("\n")}\nbudgets: [2e6, 6e6]\nblockSize: 8\nbatchSize: 4\nevalBatches: 4\n`,
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("kiln sweep", () => {
  it("trains every size at every budget on C / 6N tokens and fits the frontier", async () => {
    const lines: string[] = [];
    const result = await runSweep(path.join(dir, "sweep.yaml"), (line) => lines.push(line), [6e7]);
    expect(result.points).toHaveLength(6);
    for (const point of result.points) {
      expect(point.tokens % 32).toBe(0);
      expect(Math.abs(point.tokens - point.compute / (6 * point.params))).toBeLessThanOrEqual(16);
      expect(Number.isFinite(point.loss)).toBe(true);
    }
    const sizes = models.map((m) => parameterCount({ ...m, blockSize: 8, vocabSize: 10, dropout: 0 }));
    expect(new Set(result.points.map((p) => p.params))).toEqual(new Set(sizes));
    expect(result.frontier.map((f) => f.compute)).toEqual([2e6, 6e6]);
    expect(result.report).toMatch(/N_opt ∝ C\^-?\d\.\d{3}/);
    expect(result.report).toMatch(/at C = 6\.00e\+7: N_opt/);
    for (const file of ["report.md", "report.json", "frontier.svg"]) await stat(path.join(dir, "out", file));
    const json = JSON.parse(await readFile(path.join(dir, "out", "report.json"), "utf8")) as { predictions: unknown[] };
    expect(json.predictions).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith("C "))).toHaveLength(6);
  });

  it("reuses finished runs", async () => {
    const lines: string[] = [];
    await runSweep(path.join(dir, "sweep.yaml"), (line) => lines.push(line));
    expect(lines.filter((l) => l.startsWith("C "))).toEqual([]);
  });

  it("sets the learning rate by size: lr · sqrt(reference / N), within [lr/10, 10·lr]", () => {
    const sweep = { lr: 1e-3, referenceParams: 1e5 };
    expect(sweepLearningRate(sweep, 1e5)).toBeCloseTo(1e-3, 12);
    expect(sweepLearningRate(sweep, 4e5)).toBeCloseTo(5e-4, 12);
    expect(sweepLearningRate(sweep, 1e9)).toBeCloseTo(1e-4, 12);
    expect(sweepLearningRate(sweep, 1)).toBeCloseTo(1e-2, 12);
  });
});
