import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTokenData } from "../../trainer/data.js";
import { disposeResult, train } from "../../trainer/train.js";
import { kiln, tinyTrainConfig } from "./helpers.js";
import { writeDemoLikeShards } from "./shards-fixture.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "kiln-chat-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// 50 greetings, each to a name no other pair has: the answer copies the name from the question.
const SYLLABLES = ["ka", "lo", "mi", "ru", "sen", "ta", "vo", "ne"];
const PAIRS = Array.from({ length: 50 }, (_, i) => {
  const name = SYLLABLES[i % 8]! + SYLLABLES[Math.floor(i / 8) % 8]!;
  return { instruction: `Greet ${name}.`, input: "", output: `Hello, ${name}!` };
});

describe("chat fine-tuning end to end", () => {
  it("a 50-pair instruction set fine-tunes, and kiln generate --chat chatml answers in its form and stops at the answer's end", async () => {
    const { shards } = await writeDemoLikeShards(path.join(dir, "data"), { articles: 40, vocabSize: 400, instructions: PAIRS });
    const model = { blockSize: 32, layers: 2, heads: 4, width: 64, dropout: 0 };
    const base = path.join(dir, "base");
    disposeResult(await train(tinyTrainConfig(base, { steps: 20, evalEvery: 0, model, batchSize: 8, gradAccumulation: 1 }), { train: await openTokenData(shards), log: () => {}, peakFlops: 1e9 }));
    const out = path.join(dir, "sft");
    const tuned = await kiln(["finetune", "--from", path.join(base, "checkpoint"), "--data", shards, "--out", out, "--mode", "full", "--lr", "3e-3", "--steps", "600", "--warmup", "20", "--batch-size", "8", "--backend", "wasm"]);
    expect(tuned.code, tuned.stderr).toBe(0);
    for (const pair of [PAIRS[0]!, PAIRS[17]!, PAIRS[42]!]) {
      const answer = await kiln(["generate", "--ckpt", path.join(out, "checkpoint"), "--chat", "chatml", "--prompt", pair.instruction, "--max-tokens", "40", "--temperature", "0", "--backend", "wasm"]);
      expect(answer.code, answer.stderr).toBe(0);
      // The answer alone, in the form the pairs taught: no prompt, no template tokens, and nothing
      // after the answer's end although 40 tokens were allowed (generation stopped at <|im_end|>).
      expect(answer.stdout.trim(), pair.instruction).toMatch(/^Hello, [a-z]+!$/);
    }
  });
});
