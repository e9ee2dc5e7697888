/**
 * The fixed validation batches: `count` batches of windows spread evenly over the validation
 * stream (all documents end to end), so every source in it is represented and the same windows
 * are scored at every evaluation. When `count` batches hold every window, the set is the whole
 * stream: its tokens after the last full window (or a stream shorter than one window) are scored
 * in one more window, padded with positions that do not count.
 *
 * Built by streaming the documents twice (once to learn the stream's length and its sources, once
 * to copy out the chosen windows), so memory is the batches themselves — bounded by
 * batchSize · count · blockSize, not by the size of the validation data — and the data is read
 * once per run, not once per evaluation.
 */
import { KilnError } from "../core/index.js";
import { emptyBatch, windowsIn, type Batch } from "./batch.js";
import type { TokenDataset } from "./data.js";

export interface EvaluationSet {
  batches: Batch[];
  /** Source names in order of first appearance in the stream; `Batch.sources` index into them. */
  sourceNames: string[];
  /** Tokens in the validation stream. */
  tokens: number;
}

export async function evaluationSet(dataset: TokenDataset, blockSize: number, batchSize: number, count: number): Promise<EvaluationSet> {
  const sourceNames: string[] = [];
  const sourceIndex = new Map<string, number>();
  let total = 0;
  let maxId = -1;
  for await (const doc of dataset.documents()) {
    if (doc.lossMask && doc.lossMask.length !== doc.tokens.length) {
      throw new KilnError("bad_data", `a validation document has ${doc.tokens.length} tokens but a loss mask of ${doc.lossMask.length}`);
    }
    const name = doc.source ?? "default";
    if (!sourceIndex.has(name)) sourceIndex.set(name, sourceNames.push(name) - 1);
    for (const t of doc.tokens) if (t > maxId) maxId = t;
    total += doc.tokens.length;
  }
  if (dataset.vocabSize !== undefined && maxId >= dataset.vocabSize) throw new KilnError("bad_data", `validation token id ${maxId} is outside the vocabulary of ${dataset.vocabSize}`);
  const full = windowsIn(total, blockSize);
  const windows = full + (total - 1 - full * blockSize > 0 ? 1 : 0);
  if (windows === 0) throw new KilnError("bad_data", `validation data has ${total} tokens; needs at least 2`);

  const wanted = Math.min(windows, batchSize * count);
  const width = blockSize + 1;
  // Every window, the padded last one too; or `wanted` full windows spread over the stream.
  const starts = Float64Array.from({ length: wanted }, (_, k) => (wanted === windows ? k : Math.floor((k * full) / wanted)) * blockSize);
  const tokens = new Int32Array(wanted * width);
  const mask = new Float32Array(wanted * width);
  const source = new Uint16Array(wanted * width);
  let offset = 0;
  let first = 0; // the first window not yet complete; windows complete in order
  for await (const doc of dataset.documents()) {
    const end = offset + doc.tokens.length;
    const s = sourceIndex.get(doc.source ?? "default");
    if (s === undefined) throw new KilnError("bad_data", "the validation data changed while it was read");
    for (let k = first; k < wanted && starts[k]! < end; k++) {
      const windowStart = starts[k]!;
      const to = Math.min(end, windowStart + width);
      for (let p = Math.max(offset, windowStart); p < to; p++) {
        const at = k * width + (p - windowStart);
        tokens[at] = doc.tokens[p - offset]!;
        mask[at] = doc.lossMask ? doc.lossMask[p - offset]! : 1;
        source[at] = s;
      }
    }
    while (first < wanted && starts[first]! + Math.min(width, total - starts[first]!) <= end) first++;
    offset = end;
  }
  if (offset !== total) throw new KilnError("bad_data", `the validation data changed while it was read (${total} then ${offset} tokens)`);

  const batches: Batch[] = [];
  for (let i = 0; i < wanted; i += batchSize) {
    const batch = emptyBatch(Math.min(batchSize, wanted - i), blockSize);
    for (let r = 0; r < batch.batchSize; r++) {
      const base = (i + r) * width;
      for (let t = 0; t < blockSize; t++) {
        const at = r * blockSize + t;
        batch.inputs[at] = tokens[base + t]!;
        batch.targets[at] = tokens[base + t + 1]!;
        batch.mask[at] = mask[base + t + 1]!;
        batch.sources[at] = source[base + t + 1]!;
      }
    }
    batches.push(batch);
  }
  return { batches, sourceNames, tokens: total };
}
