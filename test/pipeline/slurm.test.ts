/**
 * Integration tests against a real Slurm (scripts/slurm-local.sh start brings one up on localhost;
 * .ci/run does). Where there is no Slurm they are skipped with a message.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { generateSample } from "../../datasets/sample/index.js";
import { arraySpec, splitArrays } from "../../pipeline/executors/slurm.js";
import { readStepData, repoRoot, tempDir, testStages, writeConfig, writeInputs } from "./helpers.js";

function slurmReady(): boolean {
  try {
    // A probe, not a timing check: generous, so a loaded machine is not taken for one without Slurm.
    execFileSync("srun", ["-N1", "-t", "1", "true"], { stdio: "ignore", timeout: 300_000 });
    return true;
  } catch {
    return false;
  }
}
const ready = slurmReady();
// CI starts a local Slurm and sets KILN_REQUIRE_SLURM, so a broken cluster fails there instead of skipping.
if (!ready && process.env.KILN_REQUIRE_SLURM) throw new Error("KILN_REQUIRE_SLURM is set but srun -N1 true fails: is scripts/slurm-local.sh start running?");
if (!ready) console.warn("Slurm integration tests skipped: no working Slurm here (run scripts/slurm-local.sh start)");

const cli = path.join(repoRoot, "bin", "kiln.ts");
function kiln(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", cli, ...args], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("slurm array helpers", () => {
  it("compresses ranks into array specs and splits arrays at MaxArraySize", () => {
    expect(arraySpec([0, 1, 2, 3, 5, 7, 8])).toBe("0-3,5,7-8");
    expect(arraySpec([4])).toBe("4");
    expect(splitArrays([0, 1, 999, 1000, 1001, 2500], 1000)).toEqual([
      { offset: 0, indices: [0, 1, 999] },
      { offset: 1000, indices: [0, 1] },
      { offset: 2000, indices: [500] },
    ]);
  });
});

describe.skipIf(!ready)("slurm executor on a real Slurm", () => {
  it("gives byte-identical output to the local executor for extract, filters and the MinHash steps", async () => {
    const dir = await tempDir();
    const sample = await generateSample({ outDir: path.join(dir, "sample"), seed: 3, pages: 120, files: 3 });
    const steps = [
      { name: "filter", read: { format: "warc", paths: sample.warcFiles }, stages: ["extract", "gopher_repetition", "gopher_quality", { c4_quality: { filterNoTerminalPunct: false } }] },
      { name: "signatures", read: { from: "filter" }, write: { format: "minhash_signatures" } },
      { name: "buckets", read: { from: "signatures" }, task: { name: "minhash_buckets" }, tasks: 4 },
      { name: "clusters", read: { from: "buckets" }, task: { name: "minhash_clusters" } },
      { name: "dedup", read: { from: "filter" }, stages: [{ minhash_filter: { clusters: "clusters" } }, "pii"] },
    ];
    const local = path.join(dir, "local");
    const onSlurm = path.join(dir, "slurm");
    const a = await kiln(["run", await writeConfig(dir, { output: local, steps }, "local.yaml"), "--workers", "2", "--quiet"]);
    expect(a.code, a.stderr).toBe(0);
    const b = await kiln(["run", await writeConfig(dir, { output: onSlurm, steps }, "slurm.yaml"), "--executor", "slurm", "--wait"]);
    expect(b.code, b.stderr + b.stdout).toBe(0);
    for (const step of ["filter", "dedup"]) {
      const x = await readStepData(local, step);
      const y = await readStepData(onSlurm, step);
      expect([...y.keys()]).toEqual([...x.keys()]);
      for (const [name, text] of x) expect(y.get(name), `${step}/${name}`).toBe(text);
    }
    const removed = JSON.parse(await readFile(path.join(onSlurm, "dedup", "stats.json"), "utf8")) as { stages: { name: string; dropped: Record<string, number> }[] };
    expect(removed.stages.find((s) => s.name === "minhash_filter")!.dropped.minhash_duplicate).toBeGreaterThan(0);
  });

  it("cancels the dependents of a failed rank, resubmits only what is left, then submits nothing", async () => {
    const dir = await tempDir();
    await writeInputs(dir, 3, 5);
    const flag = path.join(dir, "let-rank-1-pass");
    const output = path.join(dir, "run");
    const config = await writeConfig(dir, {
      output,
      modules: [testStages],
      steps: [
        { name: "first", read: { paths: path.join(dir, "*.jsonl.gz") }, stages: [{ fail_rank: { rank: 1, unless: flag } }] },
        { name: "second", read: { from: "first" }, stages: ["sampler"] },
      ],
    });
    const failed = await kiln(["run", config, "--executor", "slurm", "--wait"]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("kiln: task_failed: first 2/3, second 0/3 tasks done");
    expect((await readdir(path.join(output, "first", "completions"))).sort()).toEqual(["00000", "00002"]);
    expect(await readdir(path.join(output, "second", "completions")).catch(() => [])).toEqual([]);
    const status = await kiln(["status", output]);
    expect(status.stdout).toMatch(/rank 1 failed: .*rank 1 fails until/);
    expect(status.stdout).toContain(path.join(output, "first", "logs", "00001.log"));

    await writeFile(flag, "");
    const resumed = await kiln(["run", config, "--executor", "slurm", "--wait"]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/submitted first: job \d+, ranks 1\n/);
    expect(resumed.stdout).toMatch(/submitted second: job \d+, ranks 0-2\n/);
    expect((await readdir(path.join(output, "second", "completions"))).sort()).toEqual(["00000", "00001", "00002"]);

    const again = await kiln(["run", config, "--executor", "slurm", "--wait"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("nothing to submit");
  });

  it("a task signalled before its time limit requeues itself and finishes later", async () => {
    const dir = await tempDir();
    await writeInputs(dir, 1, 20);
    const output = path.join(dir, "run");
    const config = await writeConfig(dir, {
      output,
      modules: [testStages],
      steps: [{ name: "slow", read: { paths: path.join(dir, "*.jsonl.gz") }, stages: [{ slow: { ms: 250 } }] }],
    });
    const submitted = await kiln(["run", config, "--executor", "slurm"]);
    const job = /submitted slow: job (\d+)/.exec(submitted.stdout)![1]!;
    const log = path.join(output, "slow", "logs", "00000.log");
    // The task's log exists once it runs its rank: its signal handler is in place by then.
    while (!(await readFile(log, "utf8").catch(() => ""))) await new Promise((r) => setTimeout(r, 100));
    execFileSync("scancel", ["--signal=USR1", "--batch", `${job}_0`]);
    let out = "";
    while (!out.includes("requeueing")) {
      await new Promise((r) => setTimeout(r, 100));
      out = await readFile(path.join(output, "slow", "slurm", `${job}_0.out`), "utf8").catch(() => "");
    }
    expect(out).toContain(`kiln task: SIGUSR1: requeueing job ${job}_0`);
    expect(await readdir(path.join(output, "slow", "completions")).catch(() => [])).toEqual([]);
    // Slurm holds a requeued job until the first attempt's credential expires (cred_expire + 1 s;
    // scripts/slurm-local.sh sets 30 s). Starting it sooner by hand races that: slurmd refuses
    // a launch whose credential it has revoked. So the test waits for Slurm to start it.
    const states: string[] = [];
    // Polled until done, however long a loaded machine takes; vitest's timeout is the hang guard.
    for (;;) {
      if ((await readdir(path.join(output, "slow", "completions")).catch(() => [])).length === 1) break;
      const state = execFileSync("squeue", ["-h", "-r", "-j", job, "-o", "%t %r"], { encoding: "utf8" }).trim();
      if (states.at(-1) !== state) states.push(state);
      await new Promise((r) => setTimeout(r, 100));
    }
    const slurmOut = await readFile(path.join(output, "slow", "slurm", `${job}_0.out`), "utf8").catch(() => "");
    const shown = spawnSync("scontrol", ["show", "job", job], { encoding: "utf8" }).stdout;
    expect(await readdir(path.join(output, "slow", "completions")), `states seen: ${states.join(" → ")}\n${slurmOut}\n${shown}`).toEqual(["00000"]);
    const data = await readStepData(output, "slow");
    expect(data.get("00000.jsonl.gz")!.trim().split("\n")).toHaveLength(20);
  });
});

describe.skipIf(!ready)("kiln ablate and kiln sweep on a real Slurm", () => {
  const sentences = (seed: number, n: number) => Array.from({ length: n }, (_, i) => `the ${["cat", "dog", "farmer", "teacher"][(i * seed) % 4]} ${["paints", "builds", "sees"][(i + seed) % 3]} the ${["river", "house", "boat"][(i * 7 + seed) % 3]}.`).join(" ");

  it("an ablation with a pipeline variant: curation arrays, then prepare, the training array and the report; the same numbers as on this machine", async () => {
    const dir = await tempDir();
    const jsonl = (texts: string[]) => texts.map((text, i) => JSON.stringify({ id: String(i), text, meta: { language: "en" } })).join("\n") + "\n";
    await writeFile(path.join(dir, "clean.jsonl"), jsonl(Array.from({ length: 30 }, (_, i) => sentences(i + 1, 10))));
    await writeFile(path.join(dir, "noisy.jsonl"), jsonl(Array.from({ length: 30 }, (_, i) => sentences(i + 1, 10).replace(/[aeiou]/g, "x"))));
    await writeFile(path.join(dir, "heldout.jsonl"), jsonl(Array.from({ length: 4 }, (_, i) => sentences(i + 40, 6))));
    for (const where of ["local", "slurm"]) {
      await writeConfig(dir, { output: path.join(dir, `${where}-curated`), steps: [{ name: "kept", read: { format: "jsonl", paths: path.join(dir, "clean.jsonl") }, stages: ["pii"] }] }, `${where}-pipeline.yaml`);
      await writeConfig(
        dir,
        {
          out: `${where}-ablation`,
          variants: [
            { name: "noisy", documents: "noisy.jsonl" },
            { name: "clean", pipeline: `${where}-pipeline.yaml` },
          ],
          tokenizer: { vocabSize: 300 },
          tokens: 2048,
          model: { layers: 1, heads: 2, width: 16, blockSize: 16 },
          train: { batchSize: 4, lr: 0.01, warmup: 2, evaluations: 2 },
          seeds: [1, 2],
          eval: { heldOut: { sentences: "heldout.jsonl" } },
        },
        `${where}.yaml`,
      );
    }
    const local = await kiln(["ablate", path.join(dir, "local.yaml")]);
    expect(local.code, local.stderr).toBe(0);
    const onSlurm = await kiln(["ablate", path.join(dir, "slurm.yaml"), "--executor", "slurm", "--wait"]);
    expect(onSlurm.code, onSlurm.stderr).toBe(0);
    expect(onSlurm.stderr).toMatch(/variant clean: curation submitted/);
    expect(onSlurm.stderr).toMatch(/submitted train: job \d+, runs 0-3\n/);
    expect(onSlurm.stdout).toContain("## Ablation: noisy vs clean");
    const report = async (where: string) => {
      const json = JSON.parse(await readFile(path.join(dir, `${where}-ablation`, "report.json"), "utf8")) as Record<string, unknown>;
      delete json.tokenizer; // the path of each ablation's own tokenizer.json
      return json;
    };
    expect(await report("slurm")).toEqual(await report("local"));
    expect(await readdir(path.join(dir, "slurm-ablation", "slurm"))).toEqual(expect.arrayContaining([expect.stringMatching(/^train-\d+_3\.out$/), expect.stringMatching(/^report-\d+\.out$/)]));

    const again = await kiln(["ablate", path.join(dir, "slurm.yaml"), "--executor", "slurm", "--wait"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain("variant clean: curation already complete");
    expect(again.stderr).not.toContain("submitted train");
  });

  it("a sweep's grid as one array, then the fits; the same report as on this machine", async () => {
    const dir = await tempDir();
    const cycle = [3, 7, 1, 9, 4, 0, 8, 2, 6, 5];
    const doc = (n: number, shift: number) => JSON.stringify({ tokens: Array.from({ length: n }, (_, i) => cycle[(i + shift) % 10]!) });
    await writeFile(path.join(dir, "train.jsonl"), Array.from({ length: 20 }, (_, i) => doc(200, i)).join("\n") + "\n");
    await writeFile(path.join(dir, "val.jsonl"), Array.from({ length: 4 }, (_, i) => doc(100, i + 3)).join("\n") + "\n");
    for (const where of ["local", "slurm"]) {
      await writeConfig(
        dir,
        { out: `${where}-sweep`, data: { train: "train.jsonl", val: "val.jsonl" }, models: [8, 16, 24].map((width) => ({ layers: 1, heads: 2, width })), budgets: [2e6, 6e6], blockSize: 8, batchSize: 4, evalBatches: 4 },
        `${where}.yaml`,
      );
    }
    const local = await kiln(["sweep", path.join(dir, "local.yaml"), "--predict", "6e7"]);
    expect(local.code, local.stderr).toBe(0);
    const onSlurm = await kiln(["sweep", path.join(dir, "slurm.yaml"), "--predict", "6e7", "--executor", "slurm", "--wait"]);
    expect(onSlurm.code, onSlurm.stderr).toBe(0);
    expect(onSlurm.stderr).toMatch(/submitted train: job \d+, runs 0-5\n/);
    const read = (where: string) => readFile(path.join(dir, `${where}-sweep`, "report.json"), "utf8");
    expect(await read("slurm")).toBe(await read("local"));
    expect(onSlurm.stdout).toMatch(/at C = 6\.00e\+7: N_opt/);
  });
});
