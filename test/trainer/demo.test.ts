import { access, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../trainer/backend.js";
import { trainConfigSchema } from "../../trainer/config.js";
import { openTokenData, packDocuments, type PackedTokens } from "../../trainer/data.js";
import { DEMO_MODEL, demoTraining, unigramEntropy } from "../../trainer/demo.js";
import { disposeResult, train } from "../../trainer/train.js";
import { writeDemoLikeShards, type DemoLikeShards } from "./shards-fixture.js";

let dir: string;
let fixture: DemoLikeShards;
beforeAll(async () => {
  await selectBackend("wasm");
  dir = await mkdtemp(path.join(os.tmpdir(), "kiln-trainer-demo-"));
  fixture = await writeDemoLikeShards(dir, { articles: 300, vocabSize: 2048 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("unigram entropy", () => {
  it("is the entropy of the targets that count (hand-computed)", () => {
    // targets are tokens[1..]: 1, 1, 2, 2 counted, the 9 is masked out → p = ½, ½ → ln 2
    const packed: PackedTokens = { tokens: Uint32Array.from([5, 1, 1, 9, 2, 2]), mask: Uint8Array.from([1, 1, 1, 0, 1, 1]), source: new Uint16Array(6), sourceNames: ["a"], vocabSize: 10 };
    expect(unigramEntropy(packed)).toBeCloseTo(Math.log(2), 12);
    // 1, 2, 3, 3: −(¼ln¼ + ¼ln¼ + ½ln½) = 1.5 ln 2
    expect(unigramEntropy({ ...packed, tokens: Uint32Array.from([0, 1, 2, 3, 3]), mask: new Uint8Array(5).fill(1) })).toBeCloseTo(1.5 * Math.log(2), 12);
  });
});

describe("training on demo-like shards", () => {
  it("validation loss falls clearly below the unigram entropy of the training tokens", async () => {
    const packed = await packDocuments(await openTokenData(fixture.shards));
    const entropy = unigramEntropy(packed);
    const config = trainConfigSchema.parse({
      out: path.join(dir, "fixed"), model: DEMO_MODEL, data: { train: fixture.shards }, steps: 150, batchSize: 8,
      optim: { learningRate: 3e-3, minLearningRate: 3e-4, warmupSteps: 8 }, evalEvery: 0, evalBatches: 8, checkpointEvery: 0, logEvery: 50,
    });
    const result = await train(config, { train: await openTokenData(fixture.shards), val: await openTokenData(fixture.shards, undefined, { split: "val" }), log: () => {}, peakFlops: 1e10 });
    // A context-free model cannot beat the entropy; ln V is where training starts.
    expect(result.trainLosses[0]!).toBeGreaterThan(Math.log(2048) - 0.2);
    expect(entropy).toBeGreaterThan(5);
    expect(result.val!.loss).toBeLessThan(entropy - 1.5);
    expect(result.val!.perSource.web!.loss).toBeLessThan(entropy - 1.5);
    disposeResult(result);
  });

  it("demoTraining pretrains, LoRA-fine-tunes and reports loss curve, losses per source, entropy and generations", async () => {
    const lines: string[] = [];
    const { report } = await demoTraining({ ...fixture, out: path.join(dir, "demo"), pretrainSteps: 100, finetuneSteps: 40, log: (l) => lines.push(l) });
    await access(path.join(dir, "demo", "pretrain", "loss.svg"));
    await access(path.join(dir, "demo", "finetune", "adapter", "adapter.json"));
    expect(report).toContain(`loss curves: ${path.join(dir, "demo", "pretrain", "loss.svg")}`);
    const entropy = Number(/unigram entropy of the training tokens: ([\d.]+) nats/.exec(report)![1]);
    const validation = Number(/validation loss ([\d.]+): below it/.exec(report)![1]);
    expect(validation).toBeLessThan(entropy);
    expect(report).toMatch(/^ {2}web +7\.\d+ +\d\.\d+ +\d\.\d+$/m);
    expect(report).toMatch(/^ {2}sft +\d\.\d+ +\d\.\d+ +\d\.\d+$/m);
    expect(report).toContain('generation for "<|im_start|>user\\nWhat is the capital of Portugal?<|im_end|>\\n<|im_start|>assistant\\n" (greedy):');
    expect(report).toMatch(/before fine-tuning: ".*"\n {2}after fine-tuning: {2}".*"/);
    expect(lines[0]).toMatch(/^backend wasm/);
  });
});
