import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, readdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { stringify } from "yaml";

export const builtinModules = [new URL("../../stages/index.ts", import.meta.url).href];
export const testStages = new URL("./fixtures/test-stages.ts", import.meta.url).pathname;
export const repoRoot = path.resolve(new URL("../..", import.meta.url).pathname);

export const tempDir = (prefix = "kiln-test-") => mkdtemp(path.join(os.tmpdir(), prefix));

/** Writes `files` gzipped JSONL inputs; document j of file i has id `f<i>-<j>` and text naming both. */
export async function writeInputs(dir: string, files: number, docsPerFile: number, textOf?: (file: number, doc: number) => string): Promise<string[]> {
  const paths: string[] = [];
  for (let i = 0; i < files; i++) {
    const lines = Array.from({ length: docsPerFile }, (_, j) =>
      JSON.stringify({ id: `f${i}-${j}`, text: textOf ? textOf(i, j) : `document ${j} of file ${i} ` + "x".repeat((i * 7 + j) % 50), meta: { file: i } }),
    );
    const file = path.join(dir, `input-${String(i).padStart(3, "0")}.jsonl.gz`);
    await writeFile(file, gzipSync(lines.join("\n") + "\n"));
    paths.push(file);
  }
  return paths;
}

export async function writeConfig(dir: string, config: unknown, name = "pipeline.yaml"): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, stringify(config));
  return file;
}

/** Every output data file of a step: name -> decompressed text. */
export async function readStepData(output: string, step: string): Promise<Map<string, string>> {
  const dir = path.join(output, step, "data");
  const files = (await readdir(dir)).sort();
  const out = new Map<string, string>();
  for (const f of files) {
    const bytes = await readFile(path.join(dir, f));
    out.set(f, f.endsWith(".gz") ? gunzipSync(bytes).toString("utf8") : bytes.toString("utf8"));
  }
  return out;
}

export const parseLines = (text: string) => text.split("\n").filter(Boolean).map((l) => JSON.parse(l) as { id: string; text: string; meta: Record<string, unknown> });

/** Starts `kiln run <config> --workers 2 --quiet` from the sources, as a user's shell would. */
export function startKilnRun(config: string) {
  return spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "bin", "kiln.ts"), "run", config, "--workers", "2", "--quiet"], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

export const waitForExit = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
    let stderr = "";
    child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("exit", (code, signal) => resolve({ code, signal, stderr }));
  });

export const listSafe = (dir: string) => readdir(dir).catch(() => [] as string[]);
