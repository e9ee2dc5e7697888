/**
 * Checkpoints: a folder with `checkpoint.json` (configs, step, RNG state, data position,
 * tokenizer id, and an index of the tensors) and float32 binaries. `loadCheckpoint` also reads a
 * Hugging Face GPT-2 folder (hf/checkpoint.ts).
 *
 * A save is atomic as a whole: each save writes binaries under fresh names (temp file + rename),
 * then replaces `checkpoint.json` (temp file + rename), which names them, and only then deletes
 * the previous save's binaries. A run killed at any point leaves a `checkpoint.json` whose
 * binaries all exist and belong to it.
 */
import { access, readdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { KilnError, writeFileAtomic } from "../core/index.js";
import type { EncoderTask, LoraConfig, ModelConfig, TrainConfig } from "./config.js";
import type { DataPosition } from "./data.js";
import { isHfFolder, loadHfCheckpoint } from "./hf/checkpoint.js";
import { adaptersFromTensors, disposeAdapters } from "./lora.js";
import type { LoraAdapter, Params } from "./model.js";

export const CHECKPOINT_FORMAT = "kiln-gpt-v1";

export interface TensorEntry {
  name: string;
  shape: number[];
  /** Offset in float32 elements into the binary file. */
  offset: number;
}

export interface CheckpointMeta {
  format: typeof CHECKPOINT_FORMAT;
  model: ModelConfig;
  train?: TrainConfig;
  /** Optimizer steps taken in the current phase. */
  step: number;
  rngState: number;
  data?: DataPosition;
  tokenizerId?: string;
  /** End-of-document id of that tokenizer (generation stops there). */
  eosId?: number;
  sourceNames?: string[];
  lora?: LoraConfig;
  /** A fine-tuned encoder's task head (encoder-task.ts). */
  task?: EncoderTask;
  optimizerT?: number;
  weights: TensorEntry[];
  /** LoRA matrices (`<projection>.lora_a/b`), when the run trains adapters. */
  adapters?: TensorEntry[];
  /** AdamW first and second moments of the trainable tensors. */
  optimizer?: TensorEntry[];
  /** The binaries of this save (absent in older checkpoints: weights.bin, adapters.bin, optimizer.bin). */
  files?: { weights: string; adapters?: string; optimizer?: string };
}

/** A name no earlier save of this folder used, so a save never overwrites what checkpoint.json names. */
function saveTag(): string {
  return `${Date.now().toString(36)}-${process.pid.toString(36)}-${Math.floor(Math.random() * 2 ** 32).toString(36)}`;
}

/** Deletes the binaries of `dir` that `keep` does not name (earlier saves, or a killed save's leftovers). */
async function removeStaleBinaries(dir: string, keep: string[]): Promise<void> {
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (/^(weights|adapters|optimizer|adapter)(-[a-z0-9-]+)?\.bin$/.test(name) && !keep.includes(name)) await rm(path.join(dir, name), { force: true });
  }
}

async function writeTensors(file: string, tensors: [string, tf.Tensor][]): Promise<TensorEntry[]> {
  const entries: TensorEntry[] = [];
  let total = 0;
  for (const [name, t] of tensors) {
    entries.push({ name, shape: t.shape, offset: total });
    total += t.size;
  }
  const buffer = new Float32Array(total);
  for (const [i, [, t]] of tensors.entries()) buffer.set((await t.data()) as Float32Array, entries[i]!.offset);
  await writeFileAtomic(file, new Uint8Array(buffer.buffer));
  return entries;
}

async function readTensors(file: string, entries: TensorEntry[]): Promise<Map<string, tf.Tensor>> {
  const bytes = await readFile(file).catch((error: unknown) => {
    throw new KilnError("bad_checkpoint", `${file}: cannot be read (${error instanceof Error ? error.message : String(error)})`);
  });
  // The tensors are written back to back: any other length is a damaged (cut or padded) file.
  const expected = 4 * Math.max(0, ...entries.map((e) => e.offset + e.shape.reduce((a, b) => a * b, 1)));
  if (bytes.byteLength !== expected) throw new KilnError("bad_checkpoint", `${file}: ${bytes.byteLength} bytes where the checkpoint lists ${expected}: the file is damaged`);
  const floats = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const out = new Map<string, tf.Tensor>();
  for (const e of entries) {
    const size = e.shape.reduce((a, b) => a * b, 1);
    if (e.offset + size > floats.length) throw new KilnError("bad_checkpoint", `${file}: truncated at tensor ${e.name}`);
    out.set(e.name, tf.tensor(floats.slice(e.offset, e.offset + size), e.shape));
  }
  return out;
}

export interface CheckpointContents {
  meta: Omit<CheckpointMeta, "format" | "weights" | "adapters" | "optimizer">;
  weights: Map<string, tf.Tensor>;
  adapters?: Map<string, tf.Tensor>;
  /** `m.<name>` and `v.<name>` for each trainable tensor. */
  optimizer?: Map<string, tf.Tensor>;
}

export async function saveCheckpoint(dir: string, contents: CheckpointContents): Promise<void> {
  const tag = saveTag();
  const files = {
    weights: `weights-${tag}.bin`,
    adapters: contents.adapters ? `adapters-${tag}.bin` : undefined,
    optimizer: contents.optimizer ? `optimizer-${tag}.bin` : undefined,
  };
  const meta: CheckpointMeta = {
    format: CHECKPOINT_FORMAT,
    ...contents.meta,
    weights: await writeTensors(path.join(dir, files.weights), [...contents.weights]),
    adapters: contents.adapters ? await writeTensors(path.join(dir, files.adapters!), [...contents.adapters]) : undefined,
    optimizer: contents.optimizer ? await writeTensors(path.join(dir, files.optimizer!), [...contents.optimizer]) : undefined,
    files,
  };
  await writeFileAtomic(path.join(dir, "checkpoint.json"), JSON.stringify(meta, null, 1) + "\n");
  await removeStaleBinaries(dir, Object.values(files).filter((f): f is string => f !== undefined));
}

export async function readCheckpointMeta(dir: string): Promise<CheckpointMeta> {
  let meta: CheckpointMeta;
  try {
    meta = JSON.parse(await readFile(path.join(dir, "checkpoint.json"), "utf8")) as CheckpointMeta;
  } catch (error) {
    throw new KilnError("bad_checkpoint", `${dir}: no readable checkpoint.json (${error instanceof Error ? error.message : String(error)})`);
  }
  if (meta.format !== CHECKPOINT_FORMAT) throw new KilnError("bad_checkpoint", `${dir}: format ${String(meta.format)} is not ${CHECKPOINT_FORMAT}`);
  return meta;
}

/** Whether `dir` holds a checkpoint (its checkpoint.json exists), readable or not. */
export async function hasCheckpoint(dir: string): Promise<boolean> {
  return access(path.join(dir, "checkpoint.json")).then(
    () => true,
    () => false,
  );
}

/** A Kiln checkpoint folder, or a Hugging Face GPT-2 folder (config.json + safetensors). */
export async function loadCheckpoint(dir: string): Promise<CheckpointContents> {
  if (!(await hasCheckpoint(dir)) && (await isHfFolder(dir))) return loadHfCheckpoint(dir);
  const { format: _format, weights, adapters, optimizer, files, ...meta } = await readCheckpointMeta(dir);
  return {
    meta,
    weights: await readTensors(path.join(dir, files?.weights ?? "weights.bin"), weights),
    adapters: adapters ? await readTensors(path.join(dir, files?.adapters ?? "adapters.bin"), adapters) : undefined,
    optimizer: optimizer ? await readTensors(path.join(dir, files?.optimizer ?? "optimizer.bin"), optimizer) : undefined,
  };
}

/** Adapter-only save: the LoRA config and matrices, a few KB instead of the whole model. */
export async function saveAdapter(dir: string, lora: LoraConfig, baseCheckpoint: string | undefined, tensors: Map<string, tf.Tensor>): Promise<void> {
  const file = `adapter-${saveTag()}.bin`;
  const entries = await writeTensors(path.join(dir, file), [...tensors]);
  await writeFileAtomic(path.join(dir, "adapter.json"), JSON.stringify({ format: "kiln-lora-v1", lora, baseCheckpoint, file, tensors: entries }, null, 1) + "\n");
  await removeStaleBinaries(dir, [file]);
}

export async function loadAdapter(dir: string): Promise<{ lora: LoraConfig; baseCheckpoint?: string; tensors: Map<string, tf.Tensor> }> {
  let meta: { format: string; lora: LoraConfig; baseCheckpoint?: string; file?: string; tensors: TensorEntry[] };
  try {
    meta = JSON.parse(await readFile(path.join(dir, "adapter.json"), "utf8")) as typeof meta;
  } catch (error) {
    throw new KilnError("bad_checkpoint", `${dir}: no readable adapter.json (${error instanceof Error ? error.message : String(error)})`);
  }
  return { lora: meta.lora, baseCheckpoint: meta.baseCheckpoint, tensors: await readTensors(path.join(dir, meta.file ?? "adapter.bin"), meta.tensors) };
}

/**
 * A checkpoint to run, not to train: its weights as frozen variables, with its own LoRA adapters
 * (or those of `adapterDir` instead) kept apart, as generation, evaluation and a teacher use them.
 */
export async function loadFrozenModel(dir: string, adapterDir?: string): Promise<{ meta: Omit<CheckpointMeta, "format" | "weights" | "adapters" | "optimizer">; params: Params; adapters?: Map<string, LoraAdapter>; dispose(): void }> {
  const loaded = await loadCheckpoint(dir);
  const params: Params = new Map([...loaded.weights].map(([k, t]) => [k, tf.variable(t, false)]));
  tf.dispose([...loaded.weights.values(), ...(loaded.optimizer?.values() ?? [])]);
  let adapters = loaded.adapters && loaded.meta.lora && !adapterDir ? adaptersFromTensors(loaded.adapters, loaded.meta.lora) : undefined;
  tf.dispose([...(loaded.adapters?.values() ?? [])]);
  if (adapterDir) {
    const adapter = await loadAdapter(adapterDir);
    adapters = adaptersFromTensors(adapter.tensors, adapter.lora);
    tf.dispose([...adapter.tensors.values()]);
  }
  return {
    meta: loaded.meta,
    params,
    adapters,
    dispose() {
      tf.dispose([...params.values()]);
      if (adapters) disposeAdapters(adapters);
    },
  };
}
