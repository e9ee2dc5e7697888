/**
 * Masked language modelling, BERT's recipe (Devlin et al. 2019, §3.1 and appendix A.1), on the
 * trainer's token windows:
 *
 * - a window of T tokens becomes the encoder input `[CLS] w₀ … w_{T−3} [SEP]` (T positions);
 *   positions that carry no token (the padded end of the last validation window: a trailing run of
 *   loss mask 0) become `[PAD]` with attention 0; loss masks play no other part;
 * - per sequence, 15% (`rate`) of the positions that hold an ordinary token — never a special
 *   token (`[CLS]`, `[SEP]`, `[PAD]`, end-of-text, …), never padding — are selected, as an exact
 *   count, max(1, round(rate · n)), drawn without replacement by a seeded generator;
 * - of the selected, 80% become `[MASK]`, 10% a random ordinary token, 10% stay as they are;
 * - the loss is on the selected positions only: their target is the original token, mask 1;
 *   every other position has mask 0.
 *
 * Next-sentence prediction (`nsp`, BERT §3.1 task 2) is off by default: RoBERTa (Liu et al. 2019,
 * §4.2) found that dropping it matches or improves downstream results, and packing full windows is
 * what it recommends. With it, a window becomes `[CLS] A [SEP] B [SEP]` — A its first half, B the
 * rest of the same window (label 1, IsNext) or, with probability 1/2, the second half of another
 * window of the batch (label 0, NotNext) — with segment 0 on `[CLS] A [SEP]` and 1 on `B [SEP]`;
 * a head on the final `[CLS]` state predicts the label and its cross-entropy is added to the MLM
 * loss.
 */
import * as tf from "@tensorflow/tfjs";
import { KilnError, mixSeed, Rng } from "../core/index.js";
import type { Batch } from "./batch.js";
import { batchLogits, batchTensors, type TrainState } from "./step.js";
import { trainConfigSchema, type TrainConfig } from "./config.js";
import type { Tokenizer } from "./tokenizer.js";

export interface EncoderSpecials {
  cls: number;
  sep: number;
  mask: number;
  pad: number;
}

export interface MlmSettings {
  specials: EncoderSpecials;
  /** 1 for ids never selected and never drawn as the random replacement (every special token). */
  special: Uint8Array;
  vocabSize: number;
  /** Share of a sequence's ordinary tokens selected for prediction. */
  rate: number;
  /** Sentence pairs with next-sentence labels. */
  nsp: boolean;
}

/**
 * The special ids: each given as an id, or as a token the tokenizer has as a special token. Every
 * id the tokenizer marks special (no text bytes) and the end-of-text id are excluded from
 * selection too.
 */
export function mlmSettings(
  names: Record<keyof EncoderSpecials, string | number>,
  vocabSize: number,
  rate: number,
  tokenizer: Tokenizer | undefined,
  eosId: number | undefined,
  nsp = false,
): MlmSettings {
  const resolve = (role: keyof EncoderSpecials): number => {
    const name = names[role];
    if (typeof name === "number") {
      if (!Number.isInteger(name) || name < 0 || name >= vocabSize) throw new KilnError("bad_config", `mlm.specialTokens.${role}: id ${name} is outside the vocabulary of ${vocabSize}`);
      return name;
    }
    if (!tokenizer) throw new KilnError("bad_config", `mlm.specialTokens.${role}: "${name}" needs the data's tokenizer to find its id; none was found (give the id as a number)`);
    const ids = tokenizer.encode(name);
    if (ids.length !== 1 || tokenizer.byteLength(ids[0]!) !== 0) {
      throw new KilnError("bad_config", `mlm.specialTokens.${role}: the tokenizer has no special token "${name}" (train one with kiln tokenizer train --encoder, or name the token it uses)`);
    }
    return ids[0]!;
  };
  const specials: EncoderSpecials = { cls: resolve("cls"), sep: resolve("sep"), mask: resolve("mask"), pad: resolve("pad") };
  const special = new Uint8Array(vocabSize);
  if (tokenizer) for (let id = 0; id < Math.min(vocabSize, tokenizer.vocabSize); id++) if (tokenizer.byteLength(id) === 0) special[id] = 1;
  for (const id of [...Object.values(specials), ...(eosId === undefined ? [] : [eosId])]) special[id] = 1;
  return { specials, special, vocabSize, rate, nsp };
}

/** A run's MLM settings as its checkpoint records them (the defaults for one trained before they were recorded). */
export function checkpointMlm(train: TrainConfig | undefined): TrainConfig["mlm"] {
  return train?.mlm ?? trainConfigSchema.shape.mlm.parse(undefined);
}

/** The special token ids of an encoder checkpoint, as its training named them, found in its tokenizer. */
export function encoderSpecials(meta: { model: { vocabSize: number }; train?: TrainConfig }, tokenizer: Tokenizer): EncoderSpecials {
  const mlm = checkpointMlm(meta.train);
  return mlmSettings(mlm.specialTokens, meta.model.vocabSize, mlm.rate, tokenizer, undefined).specials;
}

/**
 * Rows of token ids as encoder inputs `[CLS] row [SEP]`, padded with `[PAD]` (attention 0) to the
 * longest row, not to the block: a batch of short rows stays short.
 */
export function frameEncoderRows(rows: readonly ArrayLike<number>[], specials: EncoderSpecials): { ids: Int32Array; attention: Float32Array; length: number } {
  const length = Math.max(...rows.map((r) => r.length)) + 2;
  const ids = new Int32Array(rows.length * length).fill(specials.pad);
  const attention = new Float32Array(rows.length * length);
  rows.forEach((row, b) => {
    ids[b * length] = specials.cls;
    ids.set(row, b * length + 1);
    ids[b * length + row.length + 1] = specials.sep;
    attention.fill(1, b * length, b * length + row.length + 2);
  });
  return { ids, attention, length };
}

/** Tokens a window carries: a padded window (the last of a validation stream) ends in a run of loss mask 0. */
function windowLength(batch: Batch, b: number, room: number): number {
  const row = b * batch.blockSize;
  let length = room;
  while (length > 0 && batch.mask[row + length - 1]! === 0) length--;
  return length;
}

/** `[CLS] window [SEP]` per sequence, unselected: targets equal inputs, mask 0, attention 1 except padding. */
export function encoderInputs(batch: Batch, specials: EncoderSpecials): Batch & { attention: Float32Array; segments: Int32Array } {
  const { batchSize: B, blockSize: T } = batch;
  if (T < 3) throw new KilnError("bad_config", `an encoder window of ${T} positions has no room for [CLS], a token and [SEP]`);
  const n = B * T;
  const out = { batchSize: B, blockSize: T, inputs: new Int32Array(n), targets: new Int32Array(n), mask: new Float32Array(n), sources: new Uint16Array(n), attention: new Float32Array(n), segments: new Int32Array(n) };
  for (let b = 0; b < B; b++) {
    const row = b * T;
    // Loss masks other than a padded end (prompts) do not matter here: every token is input.
    const length = windowLength(batch, b, T - 2);
    out.inputs[row] = specials.cls;
    for (let i = 0; i < length; i++) {
      out.inputs[row + 1 + i] = batch.inputs[row + i]!;
      out.sources[row + 1 + i] = batch.sources[row + i]!;
    }
    out.inputs[row + 1 + length] = specials.sep;
    out.sources[row] = out.sources[row + 1 + length] = batch.sources[row]!;
    for (let i = 0; i < T; i++) {
      if (i > length + 1) out.inputs[row + i] = specials.pad;
      else out.attention[row + i] = 1;
    }
  }
  out.targets.set(out.inputs);
  return out;
}

/**
 * `[CLS] A [SEP] B [SEP]` per sequence with its next-sentence label (see the file comment): A the
 * first ⌊(T − 3)/2⌋ tokens of the window, B the rest of the same window or of another drawn by `rng`.
 */
export function sentencePairInputs(batch: Batch, specials: EncoderSpecials, rng: Rng): Batch & { attention: Float32Array; segments: Int32Array; nextSentence: Int32Array } {
  const { batchSize: B, blockSize: T } = batch;
  if (T < 5) throw new KilnError("bad_config", `a window of ${T} positions has no room for [CLS] A [SEP] B [SEP]`);
  if (B < 2) throw new KilnError("bad_config", "next-sentence prediction needs batchSize ≥ 2: a NotNext B comes from another window of the batch");
  const n = B * T;
  const out = { batchSize: B, blockSize: T, inputs: new Int32Array(n).fill(specials.pad), targets: new Int32Array(n), mask: new Float32Array(n), sources: new Uint16Array(n), attention: new Float32Array(n), segments: new Int32Array(n), nextSentence: new Int32Array(B) };
  const half = Math.floor((T - 3) / 2);
  for (let b = 0; b < B; b++) {
    const row = b * T;
    const next = rng.next() < 0.5;
    const other = next ? b : (b + 1 + Math.floor(rng.next() * (B - 1))) % B;
    out.nextSentence[b] = next ? 1 : 0;
    const aLength = Math.min(half, windowLength(batch, b, T - 3));
    const bTokens = batch.inputs.subarray(other * T + half, other * T + Math.max(half, windowLength(batch, other, T - 3)));
    let at = row;
    const put = (id: number, segment: number, source: number) => {
      out.inputs[at] = id;
      out.segments[at] = segment;
      out.sources[at] = source;
      out.attention[at++] = 1;
    };
    put(specials.cls, 0, batch.sources[row]!);
    for (let i = 0; i < aLength; i++) put(batch.inputs[row + i]!, 0, batch.sources[row + i]!);
    put(specials.sep, 0, batch.sources[row]!);
    for (let i = 0; i < bTokens.length; i++) put(bTokens[i]!, 1, batch.sources[other * T + half + i]!);
    put(specials.sep, 1, batch.sources[row]!);
  }
  out.targets.set(out.inputs);
  return out;
}

/** Selects and corrupts positions of an encoder batch in place (see the file comment); `seed` fixes the draw. */
export function maskTokens<T extends Batch & { attention: Float32Array }>(batch: T, settings: MlmSettings, seed: number): T {
  const rng = new Rng(seed);
  const { batchSize: B, blockSize: T } = batch;
  const candidates = new Int32Array(T);
  for (let b = 0; b < B; b++) {
    const row = b * T;
    let n = 0;
    for (let i = 0; i < T; i++) if (batch.attention[row + i]! > 0 && !settings.special[batch.inputs[row + i]!]) candidates[n++] = row + i;
    if (n === 0) continue;
    const k = Math.min(n, Math.max(1, Math.round(settings.rate * n)));
    for (let j = 0; j < k; j++) {
      // Partial Fisher–Yates: candidates[0..k) end up a uniform sample without replacement.
      const pick = j + Math.floor(rng.next() * (n - j));
      const at = candidates[pick]!;
      candidates[pick] = candidates[j]!;
      candidates[j] = at;
      batch.targets[at] = batch.inputs[at]!;
      batch.mask[at] = 1;
      const r = rng.next();
      if (r < 0.8) batch.inputs[at] = settings.specials.mask;
      else if (r < 0.9) batch.inputs[at] = randomOrdinary(rng, settings);
    }
  }
  return batch;
}

function randomOrdinary(rng: Rng, settings: MlmSettings): number {
  for (;;) {
    const id = Math.floor(rng.next() * settings.vocabSize);
    if (!settings.special[id]) return id;
  }
}

/** A training or validation window batch as an MLM batch: encoder inputs (sentence pairs with `nsp`), then the seeded selection. */
export function mlmBatch(batch: Batch, settings: MlmSettings, seed: number): Batch {
  if (!settings.nsp) return maskTokens(encoderInputs(batch, settings.specials), settings, seed);
  return maskTokens(sentencePairInputs(batch, settings.specials, new Rng(mixSeed(seed, 0x6e7370))), settings, seed);
}

/** Over MLM batches: how often the model's top token at a selected position is the original, and the mean loss there. */
export async function maskedTokenAccuracy(state: Pick<TrainState, "config" | "params" | "adapters" | "kernels">, batches: Batch[]): Promise<{ accuracy: number; loss: number; tokens: number }> {
  let correct = 0;
  let nats = 0;
  let tokens = 0;
  for (const batch of batches) {
    const [top, losses] = tf.tidy(() => {
      const t = batchTensors(batch);
      const logits = batchLogits(state, t);
      return [tf.argMax(logits, -1), state.kernels.tokenLosses(logits, t.targets)];
    });
    const [ids, values] = [await top.data(), await losses.data()];
    tf.dispose([top, losses]);
    for (let i = 0; i < ids.length; i++) {
      if (batch.mask[i] === 0) continue;
      tokens++;
      nats += values[i]!;
      if (ids[i] === batch.targets[i]) correct++;
    }
  }
  return { accuracy: tokens ? correct / tokens : NaN, loss: tokens ? nats / tokens : NaN, tokens };
}
