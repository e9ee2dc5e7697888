/**
 * Hugging Face checkpoint folders (`config.json`, `model.safetensors` or a sharded
 * `model.safetensors.index.json`, `tokenizer.json`) read as Kiln checkpoints and written from them,
 * for the GPT-2 family and the Llama family (Llama, Mistral, Qwen2, SmolLM). Names map one to
 * one. GPT-2 stores its projections as Conv1D [in, out], Kiln's layout; the Llama family's
 * nn.Linear weights are [out, in] and are transposed on the way in and out. Whatever the folder
 * holds that Kiln's blocks cannot represent is refused with one line naming the field.
 */
import { copyFile, readFile } from "node:fs/promises";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { KilnError, fileExists, writeFileAtomic } from "../../core/index.js";
import type { CheckpointContents } from "../checkpoint.js";
import type { ModelConfig } from "../config.js";
import { LAYER_NORM_EPSILON, llamaDims, parameterShapes } from "../model.js";
import { SafetensorsFile, writeSafetensors } from "./safetensors.js";

export const HF_CONFIG = "config.json";
const WEIGHTS = "model.safetensors";
const WEIGHTS_INDEX = "model.safetensors.index.json";


/** Whether `dir` is a Hugging Face model folder (a config.json beside safetensors weights). */
export async function isHfFolder(dir: string): Promise<boolean> {
  return (await fileExists(path.join(dir, HF_CONFIG))) && ((await fileExists(path.join(dir, WEIGHTS))) || (await fileExists(path.join(dir, WEIGHTS_INDEX))));
}

/** Where a Kiln parameter lives in a family's checkpoint, and whether it is stored transposed. */
interface HfTensor {
  name: string;
  transpose: boolean;
}

/** A model family's names: Kiln parameter → Hugging Face tensor, and the tensors to ignore. */
interface Family {
  model: ModelConfig;
  hf(kiln: string): HfTensor;
  /** Tensors a checkpoint may hold besides the weights (buffers, a tied head). */
  ignored: RegExp;
  /** The output head's name when it may repeat the embedding (tied). */
  tiedHead?: string;
}

function gpt2Name(kiln: string): HfTensor {
  if (kiln === "wte" || kiln === "wpe") return { name: `transformer.${kiln}.weight`, transpose: false };
  const match = /^(.*)\.([gwb])$/.exec(kiln)!;
  return { name: `transformer.${match[1]}.${match[2] === "b" ? "bias" : "weight"}`, transpose: false };
}

function llamaName(kiln: string): HfTensor {
  if (kiln === "wte") return { name: "model.embed_tokens.weight", transpose: false };
  if (kiln === "ln_f.g") return { name: "model.norm.weight", transpose: false };
  if (kiln === "lm_head.w") return { name: "lm_head.weight", transpose: true };
  const match = /^h\.(\d+)\.(ln_1|ln_2|attn|mlp)\.?(\w*?)\.?([gwb])$/.exec(kiln)!;
  const [, layer, part, projection, kind] = match;
  const prefix = `model.layers.${layer}.`;
  if (part === "ln_1") return { name: `${prefix}input_layernorm.weight`, transpose: false };
  if (part === "ln_2") return { name: `${prefix}post_attention_layernorm.weight`, transpose: false };
  const module = part === "attn" ? "self_attn" : "mlp";
  return { name: `${prefix}${module}.${projection}.${kind === "b" ? "bias" : "weight"}`, transpose: kind === "w" };
}

type RawConfig = Record<string, unknown>;

/** The family and Kiln model a config.json describes, or one line saying which field it cannot take. */
export function familyFromHfConfig(raw: RawConfig, file: string): Family {
  const refuse = (field: string, why: string) => new KilnError("unsupported_model", `${file}: ${field}: ${why}`);
  const integer = (field: string) => {
    const value = raw[field];
    if (!Number.isSafeInteger(value) || (value as number) <= 0) throw refuse(field, `expected a positive integer, got ${JSON.stringify(value)}`);
    return value as number;
  };
  const type = raw.model_type;
  if (type === "gpt2") return { model: gpt2Model(raw, refuse, integer), hf: gpt2Name, ignored: /^(?:transformer\.)?h\.\d+\.attn\.(?:bias|masked_bias)$/, tiedHead: "lm_head.weight" };
  if (type === "llama" || type === "mistral" || type === "qwen2") {
    const model = llamaModel(raw, type, refuse, integer);
    return { model, hf: llamaName, ignored: /^model\.layers\.\d+\.self_attn\.rotary_emb\.inv_freq$/, tiedHead: llamaDims(model).tied ? "lm_head.weight" : undefined };
  }
  throw refuse("model_type", `${JSON.stringify(type)} is not supported (supported: "gpt2", "llama", "mistral", "qwen2")`);
}

type Refuse = (field: string, why: string) => KilnError;

function gpt2Model(raw: RawConfig, refuse: Refuse, integer: (field: string) => number): ModelConfig {
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
  return { vocabSize: integer("vocab_size"), blockSize: integer(raw.n_positions === undefined ? "n_ctx" : "n_positions"), layers: integer("n_layer"), heads, width, dropout: 0 };
}

function llamaModel(raw: RawConfig, type: string, refuse: Refuse, integer: (field: string) => number): ModelConfig {
  const width = integer("hidden_size");
  const heads = integer("num_attention_heads");
  const kvHeads = raw.num_key_value_heads === undefined || raw.num_key_value_heads === null ? heads : integer("num_key_value_heads");
  if (width % heads !== 0) throw refuse("num_attention_heads", `hidden_size ${width} is not divisible by ${heads} heads`);
  if (heads % kvHeads !== 0) throw refuse("num_key_value_heads", `${kvHeads} does not divide num_attention_heads ${heads}`);
  if (raw.head_dim !== undefined && raw.head_dim !== null && raw.head_dim !== width / heads) throw refuse("head_dim", `${JSON.stringify(raw.head_dim)}: only hidden_size / num_attention_heads (${width / heads}) is supported`);
  if ((raw.hidden_act ?? "silu") !== "silu") throw refuse("hidden_act", `${JSON.stringify(raw.hidden_act)}: only silu (SwiGLU) is supported`);
  if (raw.rope_scaling !== undefined && raw.rope_scaling !== null) throw refuse("rope_scaling", `${JSON.stringify(raw.rope_scaling)}: only unscaled RoPE is supported`);
  if (raw.mlp_bias === true) throw refuse("mlp_bias", "true is not supported");
  if (type === "llama" && raw.attention_bias === true) throw refuse("attention_bias", "true is not supported");
  let blockSize = integer("max_position_embeddings");
  // A sliding window no shorter than the context changes nothing; a shorter one is the context.
  const window = raw.sliding_window;
  if (Number.isSafeInteger(window) && (type === "mistral" || raw.use_sliding_window === true)) blockSize = Math.min(blockSize, window as number);
  const model: ModelConfig = {
    kind: "llama",
    vocabSize: integer("vocab_size"),
    blockSize,
    layers: integer("num_hidden_layers"),
    heads,
    width,
    dropout: 0,
    kvHeads,
    mlpWidth: integer("intermediate_size"),
    ropeTheta: typeof raw.rope_theta === "number" ? raw.rope_theta : 10_000,
    normEps: typeof raw.rms_norm_eps === "number" ? raw.rms_norm_eps : 1e-6,
    tiedEmbeddings: raw.tie_word_embeddings === true,
  };
  if (type === "qwen2") model.qkvBias = true;
  return model;
}

/** The safetensors files of a folder, and which holds each tensor. */
async function openWeights(dir: string): Promise<{ files: SafetensorsFile[]; where: Map<string, SafetensorsFile> }> {
  const indexFile = path.join(dir, WEIGHTS_INDEX);
  let names = [WEIGHTS];
  if (await fileExists(indexFile)) {
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
  let raw: RawConfig;
  try {
    raw = JSON.parse(await readFile(configFile, "utf8")) as RawConfig;
  } catch (error) {
    throw new KilnError("bad_checkpoint", `${configFile}: ${(error as Error).message}`);
  }
  const family = familyFromHfConfig(raw, configFile);
  const { model } = family;
  const { files, where } = await openWeights(dir);
  const weights = new Map<string, tf.Tensor>();
  try {
    const shapes = parameterShapes(model);
    const wanted = new Set(shapes.map(([kiln]) => family.hf(kiln).name));
    // GPT-2 checkpoints saved from the base model lack the `transformer.` prefix.
    const stored = (name: string) => (where.has(name) ? name : name.replace(/^transformer\./, ""));
    const known = new Set([...wanted].map(stored));
    for (const name of where.keys()) {
      if (!known.has(name) && !family.ignored.test(name) && name !== family.tiedHead) {
        throw new KilnError("unsupported_model", `${where.get(name)!.file}: tensor ${name} is not part of a ${String(raw.model_type)} model as config.json describes it`);
      }
    }
    for (const [kiln, shape] of shapes) {
      const { name: hfName, transpose } = family.hf(kiln);
      const name = stored(hfName);
      const file = where.get(name);
      if (!file) throw new KilnError("bad_checkpoint", `${dir}: no tensor ${hfName}`);
      const entry = file.entries.get(name)!;
      const expected = transpose ? [...shape].reverse() : shape;
      if (entry.shape.join(",") !== expected.join(",")) {
        throw new KilnError("bad_checkpoint", `${file.file}: tensor ${name} has shape [${entry.shape.join(", ")}], config.json implies [${expected.join(", ")}]`);
      }
      const values = await file.read(name);
      weights.set(kiln, tf.tensor(transpose ? transposed(values, expected[0]!, expected[1]!) : values, shape));
    }
    const head = family.tiedHead ? where.get(family.tiedHead) : undefined;
    if (head) {
      const tied = await head.read(family.tiedHead!);
      const wte = weights.get("wte")!.dataSync();
      if (tied.length !== wte.length || tied.some((v, i) => v !== wte[i])) {
        throw new KilnError("unsupported_model", `${head.file}: lm_head.weight differs from the token embedding, but config.json ties them`);
      }
    }
  } catch (error) {
    tf.dispose([...weights.values()]);
    throw error;
  } finally {
    await Promise.all(files.map((f) => f.close()));
  }
  const tokenizerFile = path.join(dir, "tokenizer.json");
  const tokenizerId = (await fileExists(tokenizerFile)) ? tokenizerFile : typeof raw.kiln_tokenizer === "string" ? raw.kiln_tokenizer : undefined;
  const eos = Array.isArray(raw.eos_token_id) ? raw.eos_token_id[0] : raw.eos_token_id;
  const eosId = Number.isSafeInteger(eos) ? (eos as number) : undefined;
  return { meta: { model, step: 0, rngState: 0, tokenizerId, eosId }, weights };
}

/** A row-major [rows, cols] matrix as [cols, rows]. */
function transposed(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c]!;
  return out;
}

export interface HfExportOptions {
  /** A tokenizer.json to copy into the folder. */
  tokenizerFile?: string;
  /** A tokenizer known by name (e.g. `gpt2`), recorded in config.json when there is no file. */
  tokenizerName?: string;
  eosId?: number;
}

/** Writes `weights` (Kiln names) as a Hugging Face folder that transformers' *ForCausalLM class for the family loads. */
export async function saveHfCheckpoint(dir: string, model: ModelConfig, weights: Map<string, tf.Tensor>, options: HfExportOptions = {}): Promise<void> {
  const llama = model.kind === "llama";
  const tensors: [string, { shape: number[]; values: Float32Array }][] = [];
  for (const [kiln, shape] of parameterShapes(model)) {
    const tensor = weights.get(kiln);
    if (!tensor) throw new KilnError("bad_checkpoint", `no weight ${kiln} to export`);
    const { name, transpose } = llama ? llamaName(kiln) : gpt2Name(kiln);
    const values = (await tensor.data()) as Float32Array;
    tensors.push([name, transpose ? { shape: [shape[1]!, shape[0]!], values: transposed(values, shape[0]!, shape[1]!) } : { shape, values }]);
  }
  await writeSafetensors(path.join(dir, WEIGHTS), tensors, { format: "pt" });
  const config = llama ? llamaConfigJson(model) : gpt2ConfigJson(model);
  if (options.eosId !== undefined) config.bos_token_id = config.eos_token_id = options.eosId;
  if (options.tokenizerFile) await copyFile(options.tokenizerFile, path.join(dir, "tokenizer.json"));
  else if (options.tokenizerName) config.kiln_tokenizer = options.tokenizerName;
  await writeFileAtomic(path.join(dir, HF_CONFIG), JSON.stringify(config, null, 2) + "\n");
}

function gpt2ConfigJson(model: ModelConfig): RawConfig {
  return {
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
}

function llamaConfigJson(model: ModelConfig): RawConfig {
  const { kvHeads, mlpWidth, theta, eps, tied } = llamaDims(model);
  // Qwen2 is the family member whose q, k and v projections carry biases.
  const qwen = model.qkvBias === true;
  return {
    architectures: [qwen ? "Qwen2ForCausalLM" : "LlamaForCausalLM"],
    model_type: qwen ? "qwen2" : "llama",
    vocab_size: model.vocabSize,
    hidden_size: model.width,
    intermediate_size: mlpWidth,
    num_hidden_layers: model.layers,
    num_attention_heads: model.heads,
    num_key_value_heads: kvHeads,
    max_position_embeddings: model.blockSize,
    hidden_act: "silu",
    rms_norm_eps: eps,
    rope_theta: theta,
    rope_scaling: null,
    tie_word_embeddings: tied,
    ...(qwen ? { use_sliding_window: false } : { attention_bias: false, mlp_bias: false }),
    attention_dropout: 0,
    initializer_range: 0.02,
    torch_dtype: "float32",
  };
}
