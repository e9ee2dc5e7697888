import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile, cp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCheckpoint } from "../../trainer/checkpoint.js";
import { loadHfCheckpoint, saveHfCheckpoint } from "../../trainer/hf/checkpoint.js";
import { SafetensorsFile, writeSafetensors } from "../../trainer/hf/safetensors.js";
import { fastKernels } from "../../trainer/kernels.js";
import { forward, plainKernels, type Params } from "../../trainer/model.js";
import { kiln } from "./helpers.js";

/** A tiny random GPT-2 in the Hugging Face layout and its logits from PyTorch (fixtures/make_hf_gpt2.py). */
const fixture = path.join(import.meta.dirname, "fixtures", "hf-gpt2");
const script = path.join(import.meta.dirname, "fixtures", "make_hf_gpt2.py");

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "kiln-hf-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const asParams = (weights: Map<string, tf.Tensor>): Params => new Map([...weights].map(([k, t]) => [k, tf.variable(t, false)]));

async function expected(): Promise<{ ids: number[][]; logits: number[][][] }> {
  return JSON.parse(await readFile(path.join(fixture, "expected.json"), "utf8")) as { ids: number[][]; logits: number[][][] };
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
  it("load with the model config.json describes and give PyTorch's logits to 1e-4, on both kernel sets", async () => {
    const loaded = await loadCheckpoint(fixture);
    expect(loaded.meta.model).toEqual({ vocabSize: 50, blockSize: 16, layers: 2, heads: 3, width: 12, dropout: 0 });
    expect(loaded.meta.eosId).toBe(0);
    const params = asParams(loaded.weights);
    const { ids, logits } = await expected();
    for (const kernels of [plainKernels, fastKernels]) {
      const out = tf.tidy(() => forward(loaded.meta.model, params, tf.tensor2d(ids, [ids.length, ids[0]!.length], "int32"), { kernels }));
      const got = await out.array();
      out.dispose();
      const want = logits.flat();
      let worst = 0;
      got.forEach((row, i) => row.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - want[i]![j]!)))));
      expect(worst, kernels.name).toBeLessThan(1e-4);
    }
    for (const v of params.values()) v.dispose();
  });

  it("export and import back bit-identically, as a folder transformers reads", async () => {
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
      [{ model_type: "llama" }, /config\.json: model_type: "llama" is not supported \(supported: "gpt2"\)$/],
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
    await cp(fixture, out, { recursive: true });
    execFileSync(torchPython!, [script, out]);
    expect(await readFile(path.join(out, "expected.json"), "utf8")).toBe(await readFile(path.join(fixture, "expected.json"), "utf8"));
    expect(await readFile(path.join(out, "model.safetensors"))).toEqual(await readFile(path.join(fixture, "model.safetensors")));
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
