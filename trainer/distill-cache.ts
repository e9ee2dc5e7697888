/**
 * A distillation's teacher, cached: a first pass draws every micro-batch the run will train on (the
 * same sampler, seed and order) and keeps the teacher's k largest logits at each position, so the
 * training pass reads them instead of running the teacher; disk is bounded by k, not by the
 * vocabulary.
 *
 *   <run>/teacher-topk.bin    per micro-batch, in training order: B·T·k int32 token ids, then
 *                             B·T·k float32 logits (each position's k largest, in descending order)
 *   <run>/teacher-topk.json   what the cache is of: teacher, k, batch and window shape, the count
 *
 * Both are written under temporary names and renamed once complete; a cache that does not match
 * the run (another teacher, k, shape or length) is rebuilt. Micro-batch i of the run is record i, so
 * a resumed run reads on from where it stopped.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { open, readFile, rename } from "node:fs/promises";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { KilnError, writeFileAtomic } from "../core/index.js";
import type { WindowSampler } from "./batch.js";
import { batchTensors, disposeBatchTensors, teacherLogits, type Distillation } from "./step.js";

export interface TeacherCacheHeader {
  format: "kiln-teacher-topk-v1";
  teacher: string;
  topK: number;
  batchSize: number;
  blockSize: number;
  microBatches: number;
  seed: number;
}

const files = (out: string) => ({ data: path.join(out, "teacher-topk.bin"), header: path.join(out, "teacher-topk.json") });

/** The cache of `out` when it matches `header`; otherwise undefined (build it). */
async function matching(out: string, header: TeacherCacheHeader): Promise<boolean> {
  const text = await readFile(files(out).header, "utf8").catch(() => undefined);
  return text !== undefined && text === JSON.stringify(header, null, 1) + "\n";
}

/** Writes the cache: the teacher's top-k logits of `header.microBatches` micro-batches of `sampler`. */
export async function buildTeacherCache(out: string, header: TeacherCacheHeader, distill: Pick<Distillation, "teacher">, sampler: WindowSampler, log: (line: string) => void): Promise<void> {
  if (await matching(out, header)) return;
  const { data } = files(out);
  const partial = data + ".tmp";
  const handle = await open(partial, "w");
  try {
    for (let i = 0; i < header.microBatches; i++) {
      const batch = await sampler.next(header.batchSize);
      const t = batchTensors(batch);
      const { values, indices } = tf.tidy(() => tf.topk(teacherLogits(distill, t), header.topK));
      disposeBatchTensors(t);
      const ids = new Int32Array(await indices.data());
      const logits = new Float32Array(await values.data());
      tf.dispose([values, indices]);
      await handle.write(new Uint8Array(ids.buffer));
      await handle.write(new Uint8Array(logits.buffer));
      if ((i + 1) % 100 === 0) log(`teacher cache: ${i + 1}/${header.microBatches} micro-batches`);
    }
  } finally {
    await handle.close();
    await sampler.close?.();
  }
  await rename(partial, data);
  await writeFileAtomic(files(out).header, JSON.stringify(header, null, 1) + "\n");
  log(`teacher cache: ${header.microBatches} micro-batches of top-${header.topK} logits in ${data}`);
}

/** Reads record `index` (a micro-batch in training order) of a complete cache. */
export async function openTeacherCache(out: string, header: TeacherCacheHeader): Promise<NonNullable<Distillation["cache"]> & { close(): void }> {
  if (!(await matching(out, header))) throw new KilnError("bad_checkpoint", `${files(out).header}: no complete teacher cache for this run`);
  const fd = openSync(files(out).data, "r");
  const positions = header.batchSize * header.blockSize * header.topK;
  return {
    read(index: number) {
      if (index >= header.microBatches) throw new KilnError("bad_checkpoint", `teacher cache has ${header.microBatches} micro-batches, the run asked for number ${index + 1}`);
      const bytes = Buffer.alloc(positions * 8);
      readSync(fd, bytes, 0, bytes.length, index * positions * 8);
      return { ids: new Int32Array(bytes.buffer, bytes.byteOffset, positions), logits: new Float32Array(bytes.buffer, bytes.byteOffset + positions * 4, positions), k: header.topK };
    },
    close: () => closeSync(fd),
  };
}
