/**
 * Scaling laws on real runs: a small sweep (`kiln sweep`) on token shards, its prediction for a
 * budget `--ahead` times the largest one, and one real run there at the size nearest the predicted
 * N_opt; the table gives predicted and measured loss and the error. The baseline is the naive
 * forecast "the loss stays at the best loss of the largest budget".
 *
 *   npm run bench -- sweep <token shards> [--widths 16,32,48,64] [--layers 2] [--budgets 2e10,6e10,2e11] [--ahead 10]
 *
 * The shards: any `kiln mix` output, e.g. the demo's run folder `shards/`.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { runSweep, sweepRun } from "../bin/sweep.js";
import { predictAt } from "../trainer/scaling.js";
import { formatTable } from "./_report.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { widths: { type: "string", default: "16,32,48,64" }, layers: { type: "string", default: "2" }, budgets: { type: "string", default: "2e10,6e10,2e11" }, ahead: { type: "string", default: "10" } },
});
const shards = positionals[0];
if (!shards) {
  process.stderr.write("usage: npm run bench -- sweep <token shards> [--widths 16,32,48,64] [--layers 2] [--budgets 2e10,6e10,2e11] [--ahead 10]\n");
  process.exit(2);
}
const widths = values.widths!.split(",").map(Number);
const layers = Number(values.layers);
const budgets = values.budgets!.split(",").map(Number);
const ahead = Number(values.ahead) * Math.max(...budgets);
const dir = await mkdtemp(path.join(os.tmpdir(), "kiln-bench-sweep-"));
const log = (line: string) => process.stderr.write(line + "\n");
try {
  const models = widths.map((width) => ({ layers, heads: 2, width }));
  const base = { data: { train: path.resolve(shards), val: path.resolve(shards) }, blockSize: 64, batchSize: 8, evalBatches: 16 };
  await writeFile(path.join(dir, "sweep.yaml"), stringify({ out: "out", models, budgets, ...base }));
  const sweep = await runSweep(path.join(dir, "sweep.yaml"), log, [ahead]);
  const predicted = predictAt(sweep.laws, ahead);
  // The real run: the size of the grid nearest the predicted N_opt (in ln N), at the larger budget.
  const nearest = [...new Set(sweep.points.map((p) => p.params))].sort((a, b) => Math.abs(Math.log(a / predicted.params)) - Math.abs(Math.log(b / predicted.params)))[0]!;
  const size = models[[...new Set(sweep.points.map((p) => p.params))].sort((a, b) => a - b).indexOf(nearest)]!;
  const measured = (await sweepRun(sweep.sweep, { ...sweep.context, out: path.join(dir, "check") }, size, ahead)).loss;
  const naive = Math.min(...sweep.points.filter((p) => p.compute === Math.max(...budgets)).map((p) => p.loss));
  process.stdout.write(sweep.report + "\n\n");
  process.stdout.write(
    formatTable([
      ["forecast at C = " + ahead.toExponential(2), "loss", "measured", "error"],
      [`power law L_opt(C) (N_opt ${predicted.params.toExponential(2)}; run at N ${nearest})`, predicted.loss.toFixed(4), measured.toFixed(4), `${(((predicted.loss - measured) / measured) * 100).toFixed(1)}%`],
      ["baseline: best loss of the largest budget", naive.toFixed(4), measured.toFixed(4), `${(((naive - measured) / measured) * 100).toFixed(1)}%`],
    ]) + "\n",
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
