/**
 * Memory of one training step's gradients: tfjs-core's backward pass (`tf.variableGrads`, the
 * baseline) against Kiln's (trainer/backprop.ts), on the same GPT, weights and batch, in the same
 * process. Prints the most memory held at once during each, less what was alive before: tensor
 * bytes (tf.profile's peak, which counts a reshape or a clone in full though it shares its
 * input's buffer) and, on webgpu, the bytes of GPU buffers in use (what the device holds); at two
 * depths and per layer (their difference). Checks that both give the same loss and gradients to
 * the bit.
 *
 *   npm run bench -- backprop [--backend webgpu|wasm] [--layers 2,4] [--width 768] [--heads 12]
 *                             [--block 1024] [--vocab 8192] [--batch 1]
 *
 * The defaults are GPT-2 small's width, heads and block at a vocabulary lavapipe can bind (it
 * binds at most 128 MiB per buffer); per layer, the output head's share drops out.
 */
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { variableGrads } from "../trainer/backprop.js";
import { describeSelection, selectBackend } from "../trainer/backend.js";
import type { ModelConfig } from "../trainer/config.js";
import { kernelsFor } from "../trainer/kernels.js";
import { disposeParams, initParams } from "../trainer/model.js";
import { batchLoss, batchTensors, disposeBatchTensors } from "../trainer/step.js";
import { bufferBytes } from "../trainer/webgpu/dispatch.js";
import { formatTable } from "./_report.js";

const { values } = parseArgs({
  options: {
    backend: { type: "string", default: "webgpu" },
    layers: { type: "string", default: "2,4" },
    width: { type: "string", default: "768" },
    heads: { type: "string", default: "12" },
    block: { type: "string", default: "1024" },
    vocab: { type: "string", default: "8192" },
    batch: { type: "string", default: "1" },
  },
});

const selection = await selectBackend(values.backend as "webgpu" | "wasm");
process.stderr.write(describeSelection(selection) + "\n");
const depths = values.layers.split(",").map(Number);
const B = Number(values.batch);
type Grads = typeof variableGrads;
const WAYS: Array<[string, Grads]> = [
  ["tfjs-core (baseline)", tf.variableGrads as unknown as Grads],
  ["kiln", variableGrads],
];

/** Peak tensor bytes and peak buffer bytes (0 off webgpu) of one way's gradients. */
interface Peak { tensors: number; buffers: number }

/** The peaks of each way at this depth, after checking that both give the same bits. */
async function peaks(layers: number): Promise<Peak[]> {
  const config: ModelConfig = { vocabSize: Number(values.vocab), blockSize: Number(values.block), layers, heads: Number(values.heads), width: Number(values.width), dropout: 0 };
  const params = initParams(config, 3);
  const variables = [...params.values()];
  const state = { config, params, kernels: kernelsFor() };
  const n = B * config.blockSize;
  // Fixed, spread-out token ids: the memory does not depend on them.
  const tensors = batchTensors({
    batchSize: B, blockSize: config.blockSize, sources: new Uint16Array(n), mask: new Float32Array(n).fill(1),
    inputs: Int32Array.from({ length: n }, (_, i) => (i * 7919 + 11) % config.vocabSize),
    targets: Int32Array.from({ length: n }, (_, i) => (i * 104729 + 11) % config.vocabSize),
  });
  const out: Peak[] = [];
  const results: Float32Array[][] = [];
  // Each way twice, the first time to compile its kernels; the second is measured.
  for (const [, grads] of [...WAYS, ...WAYS]) {
    const before = tf.memory().numBytes;
    const buffersBefore = bufferBytes().now;
    let result: ReturnType<Grads> | undefined;
    const info = await tf.profile(() => {
      result = grads(() => batchLoss(state, tensors), variables);
      return [result.value, ...Object.values(result.grads)];
    });
    out.push({ tensors: info.peakBytes - before, buffers: bufferBytes().peak - buffersBefore });
    const tensorsOut = [result!.value, ...variables.map((v) => result!.grads[v.name]!)];
    results.push(await Promise.all(tensorsOut.map(async (t) => (await t.data()) as Float32Array)));
    tf.dispose(tensorsOut);
  }
  const [theirs, ours] = [results[2]!, results[3]!];
  const same = theirs.every((a, i) => a.every((x, j) => Object.is(x, ours[i]![j])));
  if (!same) throw new Error(`at ${layers} layers the two backward passes gave different bits`);
  disposeBatchTensors(tensors);
  disposeParams(params);
  return out.slice(WAYS.length);
}

const measured = new Map<number, Peak[]>();
for (const layers of depths) measured.set(layers, await peaks(layers));
const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
const [low, high] = [depths[0]!, depths.at(-1)!];
const kinds: Array<keyof Peak> = values.backend === "webgpu" ? ["tensors", "buffers"] : ["tensors"];
const header = ["backward pass"];
for (const kind of kinds) header.push(...depths.map((l) => `${kind}, ${l} layers (MB)`), ...(high > low ? [`${kind} per layer (MB)`] : []));
const rows = [[...header, "vs baseline"]];
WAYS.forEach(([name], w) => {
  const at = (l: number, kind: keyof Peak, way = w) => measured.get(l)![way]![kind];
  const cells = [name];
  for (const kind of kinds) cells.push(...depths.map((l) => mb(at(l, kind))), ...(high > low ? [mb((at(high, kind) - at(low, kind)) / (high - low))] : []));
  const last = kinds.at(-1)!;
  rows.push([...cells, `${(at(high, last) / at(high, last, 0)).toFixed(2)}x`]);
});
process.stdout.write(`\n## Memory of one step's gradients, ${values.backend}: width ${values.width}, ${values.heads} heads, block ${values.block}, vocab ${values.vocab}, batch ${B} (same loss and gradients, to the bit)\n\n${formatTable(rows)}\n`);
