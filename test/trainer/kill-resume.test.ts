/**
 * Resume after a real kill: `kiln train` runs as a child process and is SIGKILLed once a
 * checkpoint exists; the rerun resumes from it, and its losses match an uninterrupted run's.
 * Then `kiln generate` samples from the resumed checkpoint with a text prompt.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../trainer/backend.js";
import { openRunData } from "../../trainer/cli.js";
import { loadTrainConfig } from "../../trainer/config.js";
import { generate } from "../../trainer/generate.js";
import { fastKernels } from "../../trainer/kernels.js";
import { loadTextTokenizer } from "../../trainer/tokenizer.js";
import { disposeResult, train } from "../../trainer/train.js";
import { kiln, repoRoot } from "./helpers.js";
import { writeDemoLikeShards } from "./shards-fixture.js";

let dir: string;
beforeAll(async () => {
  await selectBackend("wasm");
  dir = await mkdtemp(path.join(os.tmpdir(), "kiln-trainer-kill-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Child {
  stderr: string;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(): void;
}

function kilnTrain(configFile: string): Child {
  const child = spawn(process.execPath, ["--import", "tsx", "bin/kiln.ts", "train", configFile], { cwd: repoRoot, stdio: ["ignore", "ignore", "pipe"] });
  const out: Child = {
    stderr: "",
    done: new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal }))),
    kill: () => child.kill("SIGKILL"),
  };
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (out.stderr += chunk));
  return out;
}


async function checkpointStep(file: string): Promise<number | undefined> {
  const text = await readFile(file, "utf8").catch(() => undefined);
  if (!text) return undefined;
  return (JSON.parse(text) as { step: number }).step;
}

const trainLosses = async (metrics: string) =>
  (await readFile(metrics, "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { kind: string; step: number; loss: number }).filter((r) => r.kind === "train");

describe("kiln train killed with SIGKILL", () => {
  it("resumes from the last checkpoint and continues with the uninterrupted run's losses", async () => {
    const { shards, tokenizer: tokenizerFile } = await writeDemoLikeShards(path.join(dir, "data"), { articles: 60, vocabSize: 600 });
    const settings = {
      model: { blockSize: 32, layers: 1, heads: 2, width: 32, dropout: 0.1 },
      data: { train: shards }, steps: 300, batchSize: 4, checkpointEvery: 10, logEvery: 1, evalEvery: 0, evalBatches: 2, seed: 5, backend: "wasm",
      optim: { learningRate: 3e-3, minLearningRate: 3e-4, warmupSteps: 10 },
    };
    const killedYaml = path.join(dir, "killed.yaml");
    await writeFile(killedYaml, stringify({ out: path.join(dir, "killed"), ...settings }));
    const straightYaml = path.join(dir, "straight.yaml");
    await writeFile(straightYaml, stringify({ out: path.join(dir, "straight"), ...settings }));

    const checkpointJson = path.join(dir, "killed", "checkpoint", "checkpoint.json");
    const first = kilnTrain(killedYaml);
    let killedAt: number | undefined;
    for (let waited = 0; waited < 60_000 && killedAt === undefined; waited += 10) {
      const step = await checkpointStep(checkpointJson);
      if (step !== undefined) {
        first.kill();
        killedAt = step;
      } else await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const ended = await first.done;
    expect(ended.signal, first.stderr).toBe("SIGKILL");
    expect(killedAt).toBeGreaterThanOrEqual(10);
    const resumeStep = await checkpointStep(checkpointJson);
    expect(resumeStep! % 10).toBe(0);
    expect(resumeStep!).toBeLessThan(300);

    const second = kilnTrain(killedYaml);
    expect((await second.done).code, second.stderr).toBe(0);
    expect(second.stderr).toContain(`resuming at step ${resumeStep}`);

    // The uninterrupted run, in this process on the same backend.
    const config = await loadTrainConfig(straightYaml);
    const straight = await train(config, { ...(await openRunData(config)), log: () => {} });
    const resumed = await trainLosses(path.join(dir, "killed", "metrics.jsonl"));
    expect(resumed.map((r) => r.step)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    const after = resumed.filter((r) => r.step > resumeStep!).map((r) => r.loss);
    expect(after.length).toBe(300 - resumeStep!);
    expect(after).toEqual(straight.trainLosses.slice(resumeStep!));

    // `kiln generate` finds the shards' tokenizer through the checkpoint and encodes a text prompt.
    const tokenizer = await loadTextTokenizer(tokenizerFile);
    const prompt = "The garden in";
    const expected = prompt + tokenizer.decode(await generate(straight.model, straight.params, tokenizer.encode(prompt), { maxNewTokens: 8, temperature: 0, topK: 0, topP: 1, seed: 1, eosId: tokenizer.eosId, kernels: fastKernels }));
    disposeResult(straight);
    const generated = await kiln(["generate", "--ckpt", path.join(dir, "killed", "checkpoint"), "--prompt", prompt, "--max-tokens", "8", "--temperature", "0", "--backend", "wasm"]);
    expect(generated.code, generated.stderr).toBe(0);
    expect(generated.stdout).toBe(expected + "\n");
    // One complete save is left: the JSON and the binaries it names, nothing from the killed save.
    const files = (await readdir(path.join(dir, "killed", "checkpoint"))).sort();
    const meta = JSON.parse(await readFile(checkpointJson, "utf8")) as { files: { weights: string; optimizer: string } };
    expect(files).toEqual(["checkpoint.json", meta.files.optimizer, meta.files.weights].sort());
  });
});
