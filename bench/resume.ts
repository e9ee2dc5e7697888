/**
 * Kill and resume: a multi-step `fineweb` run over the sample crawl (extraction and filters, then
 * the four MinHash steps) is killed with SIGKILL inside every step, at its start and halfway
 * through its tasks, then resumed; every output file of every step must equal, byte for byte, the
 * output of an uninterrupted run. The baseline is that uninterrupted run, timed in this process;
 * the ratio is the killed-and-resumed time over it.
 *
 *   npm run bench -- resume [--pages 1200] [--files 8] [--workers 2]
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { generateSample } from "../datasets/sample/index.js";
import { formatTable } from "./_report.js";

const { values } = parseArgs({
  options: { pages: { type: "string", default: "1200" }, files: { type: "string", default: "8" }, workers: { type: "string", default: "2" } },
});
const repoRoot = path.resolve(import.meta.dirname, "..");
const work = await mkdtemp(path.join(os.tmpdir(), "kiln-resume-"));
const sample = await generateSample({ outDir: path.join(work, "sample"), pages: Number(values.pages), files: Number(values.files), seed: 3 });
const STEPS = ["web.filter", "web.signatures", "web.buckets", "web.clusters", "web"];

async function configFor(output: string): Promise<string> {
  const file = path.join(work, `${path.basename(output)}.yaml`);
  await writeFile(file, stringify({ output, steps: [{ name: "web", preset: "fineweb", read: { format: "warc", paths: sample.warcFiles }, keepExcluded: true }] }));
  return file;
}

function start(config: string) {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "bin", "kiln.ts"), "run", config, "--workers", values.workers, "--quiet"], {
    cwd: repoRoot,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal, stderr })));
  return { child, exit };
}

const list = (dir: string) => readdir(dir).catch(() => [] as string[]);

/** Every file a step publishes: data/ and excluded/, name -> bytes. */
async function outputs(run: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const step of STEPS) {
    for (const sub of ["data", "excluded"]) {
      const dir = path.join(run, step, sub);
      for (const name of await list(dir)) files.set(`${step}/${sub}/${name}`, await readFile(path.join(dir, name)));
    }
  }
  return files;
}

async function worldOf(run: string, step: string): Promise<number | undefined> {
  const plan = await readFile(path.join(run, step, "plan.json"), "utf8").catch(() => undefined);
  return plan ? (JSON.parse(plan) as { world: number }).world : undefined;
}

/** The first step without all its completions: where the run is. */
async function stepInProgress(run: string): Promise<string> {
  for (const step of STEPS) {
    const world = await worldOf(run, step);
    if (world === undefined || (await list(path.join(run, step, "completions"))).length < world) return step;
  }
  return "(done)";
}

const started = performance.now();
const reference = path.join(work, "reference");
const whole = await start(await configFor(reference)).exit;
const baselineS = (performance.now() - started) / 1000;
if (whole.code !== 0) throw new Error(`the uninterrupted run failed: ${whole.stderr}`);
const expected = await outputs(reference);

type Trigger = "start" | "halfway";
const table = [["killed in", "when", "landed in", "files", "identical", "killed+resumed s", "ratio"]];
let failures = 0;
for (const step of STEPS) {
  for (const when of ["start", "halfway"] as Trigger[]) {
    const run = path.join(work, `killed-${step}-${when}`);
    const config = await configFor(run);
    const began = performance.now();
    const { child, exit } = start(config);
    let exited = false;
    void exit.then(() => (exited = true));
    // Poll the run folder until the trigger holds, then kill the whole run at once.
    for (;;) {
      if (exited) break;
      const logs = (await list(path.join(run, step, "logs"))).length;
      const world = await worldOf(run, step);
      const done = (await list(path.join(run, step, "completions"))).length;
      if (when === "start" && logs > 0) break;
      if (when === "halfway" && world !== undefined && done >= Math.max(1, Math.floor(world / 2))) break;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const landed = await stepInProgress(run);
    child.kill("SIGKILL");
    const killed = await exit;
    const resumed = await start(config).exit;
    const seconds = (performance.now() - began) / 1000;
    const got = await outputs(run);
    const leftovers = [...got.keys()].some((name) => name.includes(".tmp-"));
    const identical = resumed.code === 0 && !leftovers && got.size === expected.size && [...expected].every(([name, bytes]) => got.get(name)?.equals(bytes) === true);
    if (!identical) {
      failures++;
      console.error(`${step} ${when}: kill ${killed.signal ?? `exit ${killed.code}`}, resume exit ${resumed.code}: ${resumed.stderr.trim().slice(0, 300)}`);
    }
    table.push([step, when, killed.signal === "SIGKILL" ? landed : "(finished first)", String(got.size), identical ? "yes" : "NO", seconds.toFixed(1), (seconds / baselineS).toFixed(2)]);
    await rm(run, { recursive: true, force: true });
  }
}
table.push(["baseline: uninterrupted", "", "", String(expected.size), "", baselineS.toFixed(1), "1.00"]);
console.log(`${sample.pages} pages in ${sample.warcFiles.length} WARC files, --workers ${values.workers}\n`);
console.log(formatTable(table, 3));
console.log(`\n${table.length - 2 - failures} of ${table.length - 2} killed runs resumed to byte-identical output`);
await rm(work, { recursive: true, force: true });
if (failures > 0) process.exitCode = 1;
