/**
 * Hugging Face checkpoint folders (`config.json`, `model.safetensors` or a sharded
 * `model.safetensors.index.json`, `tokenizer.json`) read as Kiln checkpoints and written from them,
 * for the GPT-2 family: the block Kiln's GPT is. Names map one to one; GPT-2 stores its
 * projections as Conv1D [in, out], Kiln's layout, so no tensor is transposed. Whatever the folder
 * holds that this model cannot represent is refused with one line naming the field.
 */
import { access, copyFile, readFile } from "node:fs/promises";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { KilnError } from "../../pipeline/errors.js";
import { writeFileAtomic } from "../../pipeline/io/storage.js";
import type { CheckpointContents } from "../checkpoint.js";
import type { ModelConfig } from "../config.js";
import { LAYER_NORM_EPSILON, parameterShapes } from "../model.js";
import { SafetensorsFile, writeSafetensors } from "./safetensors.js";

export const HF_CONFIG = "config.json";
const WEIGHTS = "model.safetensors";
const WEIGHTS_INDEX = "model.safetensors.index.json";
/** Buffers some GPT-2 checkpoints carry besides their weights (the causal mask and its fill value). */
const GPT2_BUFFERS = /^(?:transformer\.)?h\.\d+\.attn\.(?:bias|masked_bias)$/;

const exists = (file: string) => access(file).then(() => true, () => false);

/** Whether `dir` is a Hugging Face model folder (a config.json beside safetensors weights). */
export async function isHfFolder(dir: string): Promise<boolean> {
  return (await exists(path.join(dir, HF_CONFIG))) && ((await exists(path.join(dir, WEIGHTS))) || (await exists(path.join(dir, WEIGHTS_INDEX))));
}

/** The Kiln parameter a GPT-2 tensor name maps to (without the optional `transformer.` prefix). */
function kilnName(hfName: string): string | undefined {
  const name = hfName.replace(/^transformer\./, "");
  if (name === "wte.weight") return "wte";
  if (name === "wpe.weight") return "wpe";
  const match = /^(h\.\d+\.(?:ln_1|ln_2|attn\.c_attn|attn\.c_proj|mlp\.c_fc|mlp\.c_proj)|ln_f)\.(weight|bias)$/.exec(name);
  if (!match) return undefined;
  const norm = /ln_[12f]$/.test(match[1]!);
  return `${match[1]}.${match[2] === "weight" ? (norm ? "g" : "w") : "b"}`;
}

function hfName(kiln: string): string {
  if (kiln === "wte" || kiln === "wpe") return `transformer.${kiln}.weight`;
  const match = /^(.*)\.([gwb])$/.exec(kiln)!;
  return `transformer.${match[1]}.${match[2] === "b" ? "bias" : "weight"}`;
}

interface Gpt2Config {
  model_type?: unknown;
  vocab_size?: unknown;
  n_positions?: unknown;
  n_ctx?: unknown;
  n_embd?: unknown;
  n_layer?: unknown;
  n_head?: unknown;
  n_inner?: unknown;
  activation_function?: unknown;
  layer_norm_epsilon?: unknown;
  tie_word_embeddings?: unknown;
  scale_attn_by_inverse_layer_idx?: unknown;
  scale_attn_weights?: unknown;
  eos_token_id?: unknown;
  kiln_tokenizer?: unknown;
}

/** The Kiln model a GPT-2 config.json describes, or one line saying which field it cannot take. */
export function modelFromHfConfig(raw: Gpt2Config, file: string): ModelConfig {
  const refuse = (field: string, why: string) => new KilnError("unsupported_model", `${file}: ${field}: ${why}`);
  if (raw.model_type !== "gpt2") throw refuse("model_type", `${JSON.stringify(raw.model_type)} is not supported (supported: "gpt2")`);
  const integer = (field: keyof Gpt2Config, value: unknown = raw[field]) => {
    if (!Number.isSafeInteger(value) || (value as number) <= 0) throw refuse(field, `expected a positive integer, got ${JSON.stringify(value)}`);
    return value as number;
  };
  const width = integer("n_embd");
  const heads = integer("n_head");
  if (width % heads !== 0) throw refuse("n_head", `n_embd ${width} is not divisible by ${heads} heads`);
  if (raw.n_inner !== undefined && raw.n_inner !== null && raw.n_inner !== 4 * width) throw refuse("n_inner", `${JSON.stringify(raw.n_inner)}: only 4 × n_embd (${4 * width}) is supported`);
  const activation = raw.activation_function ?? "gelu_new";
  if (activation !== "gelu_new" && activation !== "gelu_pytorch_tanh") throw refuse("activation_function", `${JSON.stringify(activation)}: only the tanh GELU (gelu_new) is supported`);
  if (raw.layer_norm_epsilon !== undefined && raw.layer_norm_epsilon !== LAYER_NORM_EPSILON) throw refuse("layer_norm_epsilon", `${JSON.stringify(raw.layer_norm_epsilon)}: only ${LAYER_NORM_EPSILON} is supported`);
  if (raw.tie_word_embeddings === false) throw refuse("tie_word_embeddings", "false: GPT-2's output projection is the input embedding");
  if (raw.scale_attn_by_inverse_layer_idx === true) throw refuse("scale_attn_by_inverse_layer_idx", "true is not supported");
  if (raw.scale_attn_weights === false) throw refuse("scale_attn_weights", "false is not supported");
  return {
    vocabSize: integer("vocab_size"),
    blockSize: integer(raw.n_positions === undefined ? "n_ctx" : "n_positions"),
    layers: integer("n_layer"),
    heads,
    width,
    dropout: 0,
  };
}

/** The safetensors files of a folder, and which holds each tensor. */
async function openWeights(dir: string): Promise<{ files: SafetensorsFile[]; where: Map<string, SafetensorsFile> }> {
  const indexFile = path.join(dir, WEIGHTS_INDEX);
  let names = [WEIGHTS];
  if (await exists(indexFile)) {
    const index = JSON.parse(await readFile(indexFile, "utf8")) as { weight_map?: Record<string, string> };
    names = [...new Set(Object.values(index.weight_map ?? {}))].sort();
  }
  const files: SafetensorsFile[] = [];
  const where = new Map<string, SafetensorsFile>();
  try {
    for (const name of names) {
      const file = await SafetensorsFile.open(path.join(dir, name));
      files.push(file);
      for (const tensor of file.entries.keys()) where.set(tensor, file);
    }
  } catch (error) {
    await Promise.all(files.map((f) => f.close()));
    throw error;
  }
  return { files, where };
}

/**
 * A Hugging Face GPT-2 folder as checkpoint contents: the model from config.json, every weight
 * under its Kiln name (read one tensor at a time), the folder's tokenizer.json as the tokenizer.
 */
export async function loadHfCheckpoint(dir: string): Promise<CheckpointContents> {
  const configFile = path.join(dir, HF_CONFIG);
  let raw: Gpt2Config;
  try {
    raw = JSON.parse(await readFile(configFile, "utf8")) as Gpt2Config;
  } catch (error) {
    throw new KilnError("bad_checkpoint", `${configFile}: ${(error as Error).message}`);
  }
  const model = modelFromHfConfig(raw, configFile);
  const { files, where } = await openWeights(dir);
  const weights = new Map<string, tf.Tensor>();
  try {
    const byKiln = new Map<string, string>();
    for (const name of where.keys()) {
      const kiln = kilnName(name);
      if (kiln !== undefined) byKiln.set(kiln, name);
      else if (!GPT2_BUFFERS.test(name) && name !== "lm_head.weight") {
        throw new KilnError("unsupported_model", `${where.get(name)!.file}: tensor ${name} is not part of a GPT-2 model`);
      }
    }
    for (const [kiln, shape] of parameterShapes(model)) {
      const name = byKiln.get(kiln);
      if (name === undefined) throw new KilnError("bad_checkpoint", `${dir}: no tensor for ${hfName(kiln)}`);
      const file = where.get(name)!;
      const entry = file.entries.get(name)!;
      if (entry.shape.join(",") !== shape.join(",")) {
        throw new KilnError("bad_checkpoint", `${file.file}: tensor ${name} has shape [${entry.shape.join(", ")}], config.json implies [${shape.join(", ")}]`);
      }
      weights.set(kiln, tf.tensor(await file.read(name), shape));
    }
    const head = where.get("lm_head.weight");
    if (head) {
      const tied = await head.read("lm_head.weight");
      const wte = weights.get("wte")!.dataSync();
      if (tied.length !== wte.length || tied.some((v, i) => v !== wte[i])) {
        throw new KilnError("unsupported_model", `${head.file}: lm_head.weight differs from the token embedding; GPT-2 ties them`);
      }
    }
  } catch (error) {
    tf.dispose([...weights.values()]);
    throw error;
  } finally {
    await Promise.all(files.map((f) => f.close()));
  }
  const tokenizerFile = path.join(dir, "tokenizer.json");
  const tokenizerId = (await exists(tokenizerFile)) ? tokenizerFile : typeof raw.kiln_tokenizer === "string" ? raw.kiln_tokenizer : undefined;
  const eosId = Number.isSafeInteger(raw.eos_token_id) ? (raw.eos_token_id as number) : undefined;
  return { meta: { model, step: 0, rngState: 0, tokenizerId, eosId }, weights };
}

export interface HfExportOptions {
  /** A tokenizer.json to copy into the folder. */
  tokenizerFile?: string;
  /** A tokenizer known by name (e.g. `gpt2`), recorded in config.json when there is no file. */
  tokenizerName?: string;
  eosId?: number;
}

/** Writes `weights` (Kiln names) as a Hugging Face GPT-2 folder that transformers' GPT2LMHeadModel loads. */
export async function saveHfCheckpoint(dir: string, model: ModelConfig, weights: Map<string, tf.Tensor>, options: HfExportOptions = {}): Promise<void> {
  const tensors: [string, { shape: number[]; values: Float32Array }][] = [];
  for (const [kiln, shape] of parameterShapes(model)) {
    const tensor = weights.get(kiln);
    if (!tensor) throw new KilnError("bad_checkpoint", `no weight ${kiln} to export`);
    tensors.push([hfName(kiln), { shape, values: (await tensor.data()) as Float32Array }]);
  }
  await writeSafetensors(path.join(dir, WEIGHTS), tensors, { format: "pt" });
  const config: Record<string, unknown> = {
    architectures: ["GPT2LMHeadModel"],
    model_type: "gpt2",
    vocab_size: model.vocabSize,
    n_positions: model.blockSize,
    n_ctx: model.blockSize,
    n_embd: model.width,
    n_layer: model.layers,
    n_head: model.heads,
    n_inner: null,
    activation_function: "gelu_new",
    layer_norm_epsilon: LAYER_NORM_EPSILON,
    resid_pdrop: model.dropout,
    embd_pdrop: model.dropout,
    attn_pdrop: model.dropout,
    initializer_range: 0.02,
    tie_word_embeddings: true,
    torch_dtype: "float32",
  };
  if (options.eosId !== undefined) config.bos_token_id = config.eos_token_id = options.eosId;
  if (options.tokenizerFile) await copyFile(options.tokenizerFile, path.join(dir, "tokenizer.json"));
  else if (options.tokenizerName) config.kiln_tokenizer = options.tokenizerName;
  await writeFileAtomic(path.join(dir, HF_CONFIG), JSON.stringify(config, null, 2) + "\n");
}
