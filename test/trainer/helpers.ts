/** Shared fixtures for the trainer tests: tiny configs and token data generated here. */
import { spawn } from "node:child_process";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import type { ModelConfig, TrainConfig } from "../../trainer/config.js";
import { trainConfigSchema } from "../../trainer/config.js";
import type { Batch, TokenDataset } from "../../trainer/data.js";

tf.env().set("PROD", true);

export const tinyModel: ModelConfig = { vocabSize: 11, blockSize: 6, layers: 2, heads: 2, width: 8, dropout: 0 };

export function randomBatch(config: ModelConfig, batchSize: number, seed: number, mask?: number[]): Batch {
  let s = seed;
  const next = () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 8) % config.vocabSize;
  const n = batchSize * config.blockSize;
  return {
    batchSize,
    blockSize: config.blockSize,
    inputs: Int32Array.from({ length: n }, next),
    targets: Int32Array.from({ length: n }, next),
    mask: mask ? Float32Array.from(mask) : new Float32Array(n).fill(1),
    sources: new Uint16Array(n),
  };
}

/** A token stream cycling through a fixed permutation: each token determines the next. */
export function cycleDataset(vocab: number, length: number, source = "web"): TokenDataset {
  const cycle = [3, 7, 1, 9, 4, 0, 8, 2, 6, 5].filter((t) => t < vocab);
  const tokens = Uint32Array.from({ length }, (_, i) => cycle[i % cycle.length]!);
  return { vocabSize: vocab, documents: () => [{ tokens, source }] };
}

export function tinyTrainConfig(out: string, overrides: Partial<TrainConfig> = {}): TrainConfig {
  return trainConfigSchema.parse({
    out,
    model: { blockSize: 8, layers: 1, heads: 2, width: 16, dropout: 0 },
    data: { train: "unused" },
    steps: 6,
    batchSize: 2,
    gradAccumulation: 2,
    evalEvery: 3,
    evalBatches: 2,
    checkpointEvery: 0,
    logEvery: 1,
    optim: { learningRate: 1e-2, minLearningRate: 1e-3, warmupSteps: 2 },
    ...overrides,
  });
}

export async function weightsOf(params: Map<string, tf.Variable>): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const [k, v] of params) out[k] = Array.from(await v.data());
  return out;
}

export const repoRoot = path.resolve(import.meta.dirname, "../..");

/** Runs a kiln verb (from the sources, through tsx) to the end. */
export async function kiln(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "bin/kiln.ts", ...args], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  return { code, stdout, stderr };
}
