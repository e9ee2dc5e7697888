/**
 * The PyTorch side of the training benchmarks (bench/torch_gpt.py): Kiln's initial weights written
 * for it, and one job run through python3 with its JSON answer parsed.
 */
import { spawnSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { ModelConfig } from "../trainer/config.js";
import { disposeParams, initParams, parameterShapes } from "../trainer/model.js";

/** The initial weights (seed 1) as raw float32 in parameterShapes order. */
export async function writeInitialWeights(config: ModelConfig, file: string): Promise<void> {
  const params = initParams(config, 1);
  const parts: Uint8Array[] = [];
  for (const [name] of parameterShapes(config)) parts.push(new Uint8Array(((await params.get(name)!.data()) as Float32Array).slice().buffer));
  await writeFile(file, Buffer.concat(parts));
  disposeParams(params);
}

export interface TorchResult {
  device?: string;
  /** tokens/s by wall clock, or why there is none */
  f32?: number | string;
  /** tokens per CPU-second of the Python process (cpu jobs) */
  f32_cpu?: number | string;
  bf16?: number | string;
  losses?: number[];
  /** GPU jobs: the loss runs in bf16 autocast and in f16 autocast with a dynamic loss scale, or why there is none */
  losses_bf16?: number[] | string;
  losses_f16?: number[] | string;
  error?: string;
}

/**
 * Runs one job; a missing python3 or PyTorch comes back as `error`, not a throw. A CPU job's
 * `threads` also caps the BLAS and OpenMP pools: torch.set_num_threads does not reach a pthread
 * OpenBLAS (Debian's python3-torch), which otherwise uses every core for a "1 thread" run.
 */
export function runTorch(python: string, job: { threads?: number; [field: string]: unknown }): TorchResult {
  const script = path.join(path.dirname(new URL(import.meta.url).pathname), "torch_gpt.py");
  const pools = job.threads === undefined ? {} : Object.fromEntries(["OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"].map((name) => [name, String(job.threads)]));
  const child = spawnSync(python, [script, JSON.stringify(job)], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20, env: { ...process.env, ...pools } });
  if (child.error) return { error: child.error.message };
  process.stderr.write(child.stderr);
  const last = child.stdout.trim().split("\n").at(-1) ?? "";
  try {
    return JSON.parse(last) as TorchResult;
  } catch {
    return { error: `unavailable (${(child.stderr.trim().split("\n").at(-1) ?? `exit ${child.status}`).slice(0, 80)})` };
  }
}
