/**
 * Knowledge distillation on real token shards, the classic result measured: a teacher larger than
 * the student is trained first; then the same student is trained twice on the same windows and
 * token budget — from scratch (the baseline) and distilled from the teacher (each alpha × temperature
 * given) — and all are scored
 * on the shards' validation split along the way. The table gives each curve and the gap.
 *
 *   npm run bench -- distill <shards> [--teacher-steps 1500] [--steps 500] [--alpha 0.5,0.9] [--temperature 1,2]
 *                            [--teacher 4x128] [--student 2x64] [--block 64] [--batch 16] [--source web]
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { describeSelection, selectBackend } from "../trainer/backend.js";
import { trainConfigSchema } from "../trainer/config.js";
import { openTokenData } from "../trainer/data.js";
import { kernelsFor } from "../trainer/kernels.js";
import type { MetricRecord } from "../trainer/metrics.js";
import { disposeResult, train } from "../trainer/train.js";
import { formatTable } from "./_report.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    "teacher-steps": { type: "string", default: "1500" },
    steps: { type: "string", default: "500" },
    alpha: { type: "string", default: "0.5,0.9" },
    temperature: { type: "string", default: "1,2" },
    teacher: { type: "string", default: "4x128" },
    student: { type: "string", default: "2x64" },
    block: { type: "string", default: "64" },
    batch: { type: "string", default: "16" },
    source: { type: "string", default: "web" },
  },
});
const shards = positionals[0];
if (!shards) {
  process.stderr.write("usage: npm run bench -- distill <token shards> [--teacher-steps 1500] [--steps 500] [--alpha 0.5] [--temperature 2]\n");
  process.exit(2);
}
const log = (line: string) => process.stderr.write(line + "\n");
const selection = await selectBackend("auto");
log(describeSelection(selection));
const kernels = kernelsFor(selection.tfName);
const dir = await mkdtemp(path.join(os.tmpdir(), "kiln-bench-distill-"));
const shape = (spec: string) => {
  const [layers, width] = spec.split("x").map(Number);
  return { layers: layers!, heads: 4, width: width!, blockSize: Number(values.block), dropout: 0 };
};
const run = async (name: string, model: ReturnType<typeof shape>, steps: number, extra: Record<string, unknown> = {}) => {
  const config = trainConfigSchema.parse({
    out: path.join(dir, name),
    model,
    data: { train: path.resolve(shards), sources: [values.source] },
    steps,
    batchSize: Number(values.batch),
    optim: { learningRate: 2e-3, minLearningRate: 2e-4, warmupSteps: Math.min(100, Math.floor(steps / 10)) },
    evalEvery: Math.max(1, Math.floor(steps / 5)),
    evalBatches: 16,
    checkpointEvery: 0,
    logEvery: Math.max(1, Math.floor(steps / 5)),
    seed: 1,
    ...extra,
  });
  const started = performance.now();
  const result = await train(config, { train: await openTokenData(config.data.train, undefined, { sources: config.data.sources }), val: await openTokenData(config.data.train, undefined, { split: "val", sources: config.data.sources }), kernels, log });
  const seconds = (performance.now() - started) / 1000;
  const curve = (await readFile(path.join(config.out, "metrics.jsonl"), "utf8"))
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as MetricRecord)
    .filter((r) => r.kind === "val");
  const params = [...result.params.values()].reduce((n, v) => n + v.size, 0);
  disposeResult(result);
  return { curve, seconds, params };
};
try {
  const steps = Number(values.steps);
  const teacher = await run("teacher", shape(values.teacher!), Number(values["teacher-steps"]));
  const scratch = await run("scratch", shape(values.student!), steps);
  const rows = [["validation loss at step", ...scratch.curve.map((r) => String(r.step))]];
  rows.push([`student from scratch (${scratch.params} params, ${scratch.seconds.toFixed(0)} s) — baseline`, ...scratch.curve.map((r) => r.loss.toFixed(4))]);
  for (const alpha of values.alpha!.split(",").map(Number)) {
    for (const temperature of values.temperature!.split(",").map(Number)) {
      const distilled = await run(`distilled-${alpha}-${temperature}`, shape(values.student!), steps, { distill: { teacher: path.join(dir, "teacher", "checkpoint"), alpha, temperature } });
      rows.push([`distilled, alpha ${alpha}, T ${temperature} (${distilled.seconds.toFixed(0)} s)`, ...distilled.curve.map((r) => r.loss.toFixed(4))]);
      rows.push(["  gap (distilled − scratch)", ...distilled.curve.map((r, i) => (r.loss - scratch.curve[i]!.loss).toFixed(4))]);
    }
  }
  process.stdout.write(formatTable(rows) + "\n");
  process.stdout.write(`teacher: ${values.teacher} (${teacher.params} params), ${values["teacher-steps"]} steps, final validation loss ${teacher.curve.at(-1)!.loss.toFixed(4)}\n`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
