import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile, cp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAdapter, loadCheckpoint } from "../../trainer/checkpoint.js";
import { loadHfCheckpoint, saveHfCheckpoint } from "../../trainer/hf/checkpoint.js";
import { SafetensorsFile, writeSafetensors } from "../../trainer/hf/safetensors.js";
import { selectBackend } from "../../trainer/backend.js";
import { fastKernels, simdKernels } from "../../trainer/kernels.js";
import type { ModelConfig } from "../../trainer/config.js";
import { clearKvCache, decodeStep, emptyKvCache, forward, maskedLoss, plainKernels, type Kernels, type Params } from "../../trainer/model.js";
import { disposeResult, train } from "../../trainer/train.js";
import { unescapePrompt } from "../../trainer/cli.js";
import { cycleDataset, kiln, tinyTrainConfig } from "./helpers.js";

/** Tiny random models in the Hugging Face layout and their logits from PyTorch (fixtures/make_hf_*.py). */
const fixtures = path.join(import.meta.dirname, "fixtures");
const fixture = path.join(fixtures, "hf-gpt2");
const script = path.join(fixtures, "make_hf_gpt2.py");
const FAMILIES = ["hf-gpt2", "hf-llama", "hf-qwen2", "hf-mistral"];

let dir: string;
beforeAll(async () => {
  await selectBackend("wasm");
  dir = await mkdtemp(path.join(os.tmpdir(), "kiln-hf-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const asParams = (weights: Map<string, tf.Tensor>): Params => new Map([...weights].map(([k, t]) => [k, tf.variable(t, false)]));

async function expected(folder = fixture): Promise<{ ids: number[][]; logits: number[][][] }> {
  return JSON.parse(await readFile(path.join(folder, "expected.json"), "utf8")) as { ids: number[][]; logits: number[][][] };
}

/** Largest absolute difference between Kiln's logits for the fixture's ids and PyTorch's. */
async function worstError(folder: string, model: ModelConfig, params: Params, kernels: Kernels): Promise<number> {
  const { ids, logits } = await expected(folder);
  const out = tf.tidy(() => forward(model, params, tf.tensor2d(ids, [ids.length, ids[0]!.length], "int32"), { kernels }));
  const got = await out.array();
  out.dispose();
  const want = logits.flat();
  let worst = 0;
  got.forEach((row, i) => row.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - want[i]![j]!)))));
  return worst;
}

/** Debian's python3 with python3-torch, where installed. */
const torchPython = (() => {
  try {
    execFileSync("/usr/bin/python3", ["-c", "import torch, numpy"], { stdio: "ignore" });
    return "/usr/bin/python3";
  } catch {
    return undefined;
  }
})();

describe("Hugging Face GPT-2 checkpoints", () => {
  it("load with the model config.json describes and give PyTorch's logits to 1e-4, on every kernel set", async () => {
    const models: Record<string, ModelConfig> = {
      "hf-gpt2": { vocabSize: 50, blockSize: 16, layers: 2, heads: 3, width: 12, dropout: 0 },
      "hf-llama": { kind: "llama", vocabSize: 40, blockSize: 32, layers: 2, heads: 4, width: 16, dropout: 0, kvHeads: 2, mlpWidth: 24, ropeTheta: 500000, normEps: 1e-6, tiedEmbeddings: false },
      "hf-qwen2": { kind: "llama", vocabSize: 40, blockSize: 32, layers: 2, heads: 2, width: 16, dropout: 0, kvHeads: 1, mlpWidth: 24, ropeTheta: 10000, normEps: 1e-6, tiedEmbeddings: true, qkvBias: true },
      // Mistral's sliding window (16) is shorter than its positions (32): the window is the context.
      "hf-mistral": { kind: "llama", vocabSize: 40, blockSize: 16, layers: 2, heads: 4, width: 16, dropout: 0, kvHeads: 1, mlpWidth: 24, ropeTheta: 1000000, normEps: 1e-5, tiedEmbeddings: false },
    };
    for (const family of FAMILIES) {
      const loaded = await loadCheckpoint(path.join(fixtures, family));
      expect(loaded.meta.model, family).toEqual(models[family]);
      const params = asParams(loaded.weights);
      for (const kernels of [plainKernels, fastKernels, simdKernels]) {
        expect(await worstError(path.join(fixtures, family), loaded.meta.model, params, kernels), `${family} ${kernels.name}`).toBeLessThan(1e-4);
      }
      for (const v of params.values()) v.dispose();
    }
  });

  it("decode a llama model incrementally with the KV cache to the same logits as the whole sequence", async () => {
    const loaded = await loadCheckpoint(path.join(fixtures, "hf-llama"));
    const params = asParams(loaded.weights);
    const { ids } = await expected(path.join(fixtures, "hf-llama"));
    const row = ids[0]!;
    const whole = tf.tidy(() => forward(loaded.meta.model, params, tf.tensor2d([row], [1, row.length], "int32")));
    const wholeValues = await whole.array();
    const cache = emptyKvCache();
    // Five tokens at once, then one at a time: both paths of the cache.
    const parts = [row.slice(0, 5), ...row.slice(5).map((t) => [t])];
    const stepped: number[][] = [];
    for (const part of parts) {
      const logits = decodeStep(loaded.meta.model, params, tf.tensor2d([part], [1, part.length], "int32"), cache);
      stepped.push(...(await logits.array()));
      logits.dispose();
    }
    clearKvCache(cache);
    let worst = 0;
    stepped.forEach((r, i) => r.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - wholeValues[i]![j]!)))));
    expect(worst).toBeLessThan(1e-5);
    whole.dispose();
    for (const v of params.values()) v.dispose();
  });

  it("start continual pretraining at the reference model's loss on the same tokens", async () => {
    for (const family of FAMILIES) {
      const folder = path.join(fixtures, family);
      const loaded = await loadCheckpoint(folder);
      const params = asParams(loaded.weights);
      const { ids, logits } = await expected(folder);
      // Next-token cross-entropy from PyTorch's logits, by hand: logsumexp − the target's logit.
      let reference = 0;
      let count = 0;
      ids.forEach((row, b) => row.slice(1).forEach((target, t) => {
        const z = logits[b]![t]!;
        const top = Math.max(...z);
        reference += top + Math.log(z.reduce((s, v) => s + Math.exp(v - top), 0)) - z[target]!;
        count++;
      }));
      const inputs = ids.map((row) => row.slice(0, -1));
      const loss = tf.tidy(() => {
        const out = forward(loaded.meta.model, params, tf.tensor2d(inputs, [inputs.length, inputs[0]!.length], "int32"));
        const targets = tf.tensor1d(ids.flatMap((row) => row.slice(1)), "int32");
        return maskedLoss(out, targets, tf.ones([targets.shape[0]])).dataSync()[0]!;
      });
      expect(Math.abs(loss - reference / count), family).toBeLessThan(1e-5);
      for (const v of params.values()) v.dispose();
    }
  });

  it("train a llama model from scratch, and LoRA-fine-tune an imported one on q_proj and v_proj by default", async () => {
    const cycle = (vocab: number) => ({ train: cycleDataset(vocab, 400), log: () => {}, peakFlops: 1e9 });
    const scratch = await train(tinyTrainConfig(path.join(dir, "llama-scratch"), { model: { kind: "llama", blockSize: 8, layers: 1, heads: 4, kvHeads: 2, width: 16, dropout: 0 }, steps: 40, gradAccumulation: 1, evalEvery: 0 }), cycle(11));
    expect(scratch.model).toMatchObject({ kind: "llama", kvHeads: 2 });
    // Each token of the cycle determines the next: the loss falls far below its start (ln 11 ≈ 2.4).
    expect(scratch.trainLosses[0]!).toBeGreaterThan(2);
    expect(scratch.trainLosses.at(-1)!).toBeLessThan(1);
    disposeResult(scratch);

    const tuned = await train(tinyTrainConfig(path.join(dir, "llama-lora"), { steps: 2, init: { from: path.join(fixtures, "hf-llama"), mode: "lora" }, evalEvery: 0 }), cycle(40));
    const adapter = await loadAdapter(path.join(dir, "llama-lora", "adapter"));
    expect([...adapter.tensors.keys()].sort()).toEqual(["h.0.attn.q_proj.lora_a", "h.0.attn.q_proj.lora_b", "h.0.attn.v_proj.lora_a", "h.0.attn.v_proj.lora_b", "h.1.attn.q_proj.lora_a", "h.1.attn.q_proj.lora_b", "h.1.attn.v_proj.lora_a", "h.1.attn.v_proj.lora_b"]);
    tf.dispose([...adapter.tensors.values()]);
    disposeResult(tuned);
  });

  it("continue pretraining an imported model on shorter windows, and resume that run", async () => {
    const options = { train: cycleDataset(40, 400), log: () => {}, peakFlops: 1e9 };
    const config = (steps: number) => tinyTrainConfig(path.join(dir, "llama-continue"), { steps, contextLength: 8, init: { from: path.join(fixtures, "hf-llama"), mode: "continue" }, evalEvery: 0, checkpointEvery: 2 });
    const first = await train(config(2), options);
    expect(first.model.blockSize).toBe(32);
    disposeResult(first);
    const resumed = await train(config(4), options);
    expect(resumed.step).toBe(4);
    disposeResult(resumed);
    await expect(train(tinyTrainConfig(path.join(dir, "too-long"), { contextLength: 64, init: { from: path.join(fixtures, "hf-llama"), mode: "continue" } }), options)).rejects.toThrow(
      "contextLength 64 is longer than the model's 32 positions",
    );
  });

  it("export and import back bit-identically, as a folder transformers reads (each family)", async () => {
    for (const family of ["hf-llama", "hf-qwen2", "hf-mistral"]) {
      const loaded = await loadHfCheckpoint(path.join(fixtures, family));
      const out = path.join(dir, `roundtrip-${family}`);
      await saveHfCheckpoint(out, loaded.meta.model, loaded.weights);
      const again = await loadCheckpoint(out);
      expect(again.meta.model).toEqual(loaded.meta.model);
      for (const [name, tensor] of loaded.weights) expect(Buffer.from((await again.weights.get(name)!.data()).buffer), name).toEqual(Buffer.from((await tensor.data()).buffer));
      const source = await SafetensorsFile.open(path.join(fixtures, family, "model.safetensors"));
      const written = await SafetensorsFile.open(path.join(out, "model.safetensors"));
      for (const name of written.entries.keys()) expect(await written.read(name), name).toEqual(await source.read(name));
      await Promise.all([source.close(), written.close()]);
      tf.dispose([...loaded.weights.values(), ...again.weights.values()]);
    }
    const loaded = await loadHfCheckpoint(fixture);
    const out = path.join(dir, "roundtrip");
    await saveHfCheckpoint(out, loaded.meta.model, loaded.weights, { eosId: 0, tokenizerName: "gpt2" });
    const config = JSON.parse(await readFile(path.join(out, "config.json"), "utf8")) as Record<string, unknown>;
    expect(config).toMatchObject({ model_type: "gpt2", architectures: ["GPT2LMHeadModel"], n_embd: 12, n_layer: 2, n_head: 3, n_positions: 16, vocab_size: 50, kiln_tokenizer: "gpt2" });
    const again = await loadCheckpoint(out);
    expect(again.meta.tokenizerId).toBe("gpt2");
    for (const [name, tensor] of loaded.weights) expect(Buffer.from((await again.weights.get(name)!.data()).buffer), name).toEqual(Buffer.from((await tensor.data()).buffer));
    // The names and layout are GPT2LMHeadModel's own: the source file's tensors, byte for byte.
    const source = await SafetensorsFile.open(path.join(fixture, "model.safetensors"));
    const written = await SafetensorsFile.open(path.join(out, "model.safetensors"));
    for (const name of written.entries.keys()) expect(await written.read(name), name).toEqual(await source.read(name));
    await Promise.all([source.close(), written.close()]);
    tf.dispose([...loaded.weights.values(), ...again.weights.values()]);
  });

  it("read F16 and BF16 tensors as float32", async () => {
    const file = path.join(dir, "halves.safetensors");
    const values = [1, -2.5, 0.333251953125, 65504, 0];
    const f16 = Buffer.from(new Uint16Array([0x3c00, 0xc100, 0x3555, 0x7bff, 0x0000]).buffer);
    const bf16 = Buffer.alloc(2 * values.length);
    const asBits = new Uint32Array(new Float32Array(values).buffer);
    asBits.forEach((bits, i) => bf16.writeUInt16LE(bits >>> 16, 2 * i));
    const header = JSON.stringify({ h: { dtype: "F16", shape: [5], data_offsets: [0, 10] }, b: { dtype: "BF16", shape: [5], data_offsets: [10, 20] } });
    const prefix = Buffer.alloc(8);
    prefix.writeBigUInt64LE(BigInt(header.length));
    await writeFile(file, Buffer.concat([prefix, Buffer.from(header), f16, bf16]));
    const st = await SafetensorsFile.open(file);
    expect([...(await st.read("h"))]).toEqual(values);
    // Written as the top 16 bits of each float32: 0x3eaaa000 -> 0x3eaa (0.33203125), 0x477fe000 -> 0x477f (65280).
    expect([...(await st.read("b"))]).toEqual([1, -2.5, 0.33203125, 65280, 0]);
    await st.close();
  });

  it("refuse what a GPT-2 block cannot represent, with one line naming the field", async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ model_type: "bert" }, /config\.json: model_type: "bert" is not supported \(supported: "gpt2", "llama", "mistral", "qwen2"\)$/],
      [{ layer_norm_epsilon: 1e-6 }, /config\.json: layer_norm_epsilon: 0\.000001: only 0\.00001 is supported$/],
      [{ activation_function: "relu" }, /config\.json: activation_function: "relu": only the tanh GELU/],
      [{ n_head: 5 }, /config\.json: n_head: n_embd 12 is not divisible by 5 heads$/],
    ];
    for (const [change, message] of cases) {
      const folder = path.join(dir, `bad-${Object.keys(change)[0]}`);
      await cp(fixture, folder, { recursive: true });
      const config = JSON.parse(await readFile(path.join(folder, "config.json"), "utf8")) as Record<string, unknown>;
      await writeFile(path.join(folder, "config.json"), JSON.stringify({ ...config, ...change }));
      await expect(loadCheckpoint(folder)).rejects.toMatchObject({ code: "unsupported_model", message: expect.stringMatching(message) });
    }
    // An output head that is not the embedding (a fine-tune that untied them).
    const loaded = await loadHfCheckpoint(fixture);
    const untied = path.join(dir, "untied");
    await cp(fixture, untied, { recursive: true });
    const st = await SafetensorsFile.open(path.join(fixture, "model.safetensors"));
    const tensors: [string, { shape: number[]; values: Float32Array }][] = [];
    for (const [name, entry] of st.entries) tensors.push([name, { shape: entry.shape, values: await st.read(name) }]);
    await st.close();
    tensors.find(([name]) => name === "lm_head.weight")![1].values[0]! += 1;
    await writeSafetensors(path.join(untied, "model.safetensors"), tensors);
    await expect(loadCheckpoint(untied)).rejects.toMatchObject({ code: "unsupported_model", message: expect.stringMatching(/lm_head\.weight differs from the token embedding/) });
    tf.dispose([...loaded.weights.values()]);
  });

  it.skipIf(!torchPython)("fixture: PyTorch gives the stored logits again (where python3-torch is installed)", async () => {
    const out = path.join(dir, "regenerated");
    await cp(fixture, path.join(out, "hf-gpt2"), { recursive: true });
    const env = { ...process.env, PYTHONDONTWRITEBYTECODE: "1" };
    execFileSync(torchPython!, [script, path.join(out, "hf-gpt2")], { env });
    execFileSync(torchPython!, [path.join(fixtures, "make_hf_llama.py"), out], { env });
    for (const family of FAMILIES) {
      for (const file of ["expected.json", "config.json", "model.safetensors"]) {
        expect((await readFile(path.join(out, family, file))).equals(await readFile(path.join(fixtures, family, file))), `${family}/${file}`).toBe(true);
      }
    }
  });

  it("kiln finetune --from a Hugging Face folder: LoRA on two threads, validated on a held-out set shorter than a window", async () => {
    const doc = (n: number, length: number) => JSON.stringify({ tokens: Array.from({ length }, (_, i) => (n * 7 + i * 3) % 50), mask: Array.from({ length }, (_, i) => (i % 3 === 0 ? 0 : 1)) });
    const train = path.join(dir, "sft.jsonl");
    const val = path.join(dir, "sft-val.jsonl");
    await writeFile(train, Array.from({ length: 12 }, (_, n) => doc(n, 40)).join("\n") + "\n");
    await writeFile(val, doc(99, 6) + "\n");
    const out = path.join(dir, "hf-finetune");
    const result = await kiln(["finetune", "--from", fixture, "--data", train, "--val", val, "--out", out, "--steps", "2", "--batch-size", "2", "--data-parallel", "2", "--backend", "wasm"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/step 2 val loss \d/);
    const metrics = (await readFile(path.join(out, "metrics.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { kind: string });
    expect(metrics.filter((m) => m.kind === "val")).toHaveLength(1);
    // Without --lr, LoRA's default learning rate (full fine-tuning's is 3e-4).
    const saved = JSON.parse(await readFile(path.join(out, "checkpoint", "checkpoint.json"), "utf8")) as { train: { optim: { learningRate: number } } };
    expect(saved.train.optim.learningRate).toBe(1e-3);
  });

  it("kiln export writes a folder that kiln generate reads like any checkpoint", async () => {
    const out = path.join(dir, "exported");
    const exported = await kiln(["export", "--ckpt", fixture, "--out", out]);
    expect(exported.code, exported.stderr).toBe(0);
    const generated = await kiln(["generate", "--ckpt", out, "--tokens", "1,7,3", "--max-tokens", "5", "--temperature", "0"]);
    expect(generated.code, generated.stderr).toBe(0);
    // Greedy continuation: the argmax of PyTorch's logits at the last prompt position comes first.
    const { logits } = await expected();
    const last = logits[0]![2]!;
    expect(Number(generated.stdout.trim().split(",")[0])).toBe(last.indexOf(Math.max(...last)));
  });
});

describe("prompts on the command line", () => {
  it("take \\n, \\t and \\\\ as escapes", () => {
    expect(unescapePrompt(String.raw`<|im_start|>user\nHi\tthere\\n<|im_end|>`)).toBe("<|im_start|>user\nHi\tthere\\n<|im_end|>");
  });
});
