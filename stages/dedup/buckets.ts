/**
 * Step 2 of dedup: `minhash_buckets`, a whole-step task over the signature (or exact hash) files.
 * Task `rank` takes bands rank, rank + world, ...; for each band it k-way merges that band's
 * section of every file and links every document of a bucket (equal band hash) to the bucket's
 * first document in (rank, position) order. Memory: one read chunk per input file.
 */
import path from "node:path";
import { z } from "zod";
import type { StepTaskContext } from "../../pipeline/doc.js";
import { KilnError } from "../../pipeline/errors.js";
import { register } from "../../pipeline/registry.js";
import { checkParams, FORMAT_VERSION, RecordFile, RecordWriter } from "./format.js";
import { mergeCursors } from "./sort.js";

export const PAIR_WORDS = 6;

export interface SourceRank {
  docCount: number;
  idDigest: string;
}

/** Opens every signature file of a step and checks they form one consistent set: same kind and params, ranks 0..world-1. */
export async function openSignatureSet(inputs: string[]): Promise<RecordFile[]> {
  const files = inputs.filter((f) => f.endsWith(".sig"));
  if (files.length === 0) throw new KilnError("dedup_input", `no signature files (*.sig) among ${inputs.length} input file(s)`);
  const opened: RecordFile[] = [];
  try {
    for (const file of files) {
      const first = opened[0];
      const expected = first ? { ...first.header.params } : {};
      const record = await RecordFile.open(file, "signatures", expected);
      opened.push(record);
      if (first && record.header.dedup !== first.header.dedup) {
        throw new KilnError("dedup_params", `${file}: holds ${String(record.header.dedup)} hashes, but ${first.file} holds ${String(first.header.dedup)}`);
      }
    }
    const world = opened.length;
    opened.forEach((f, i) => {
      if (f.header.rank !== i || f.header.world !== world) {
        throw new KilnError("dedup_input", `${f.file}: rank ${String(f.header.rank)} of world ${String(f.header.world)}, but the step has ${world} signature file(s); expected rank ${i} of ${world}`);
      }
      if (f.header.sections.length !== opened[0]!.header.sections.length) throw new KilnError("dedup_corrupt", `${f.file}: ${f.header.sections.length} bands, expected ${opened[0]!.header.sections.length}`);
    });
    return opened;
  } catch (error) {
    await Promise.all(opened.map((f) => f.close()));
    throw error;
  }
}

export async function findCandidatePairs(ctx: StepTaskContext): Promise<void> {
  const files = await openSignatureSet(ctx.inputs);
  const first = files[0]!.header;
  const output = path.join(ctx.outputDir, `${String(ctx.rank).padStart(5, "0")}.pairs`);
  const sources: SourceRank[] = files.map((f) => ({ docCount: f.header.docCount as number, idDigest: f.header.idDigest as string }));
  const writer = new RecordWriter(output, { kind: "pairs", version: FORMAT_VERSION, dedup: first.dedup, params: first.params, recordWords: PAIR_WORDS, sources });
  const pair = new Uint32Array(PAIR_WORDS);
  let pairs = 0;
  let buckets = 0;
  try {
    const bands = first.sections.length;
    for (let band = ctx.rank; band < bands; band += ctx.world) {
      let keyHi = -1;
      let keyLo = -1;
      let groupSize = 0;
      await mergeCursors(
        files.map((f) => f.cursor(band)),
        (cursor, source) => {
          const w = cursor.words;
          const at = cursor.at;
          if (w[at] !== keyHi || w[at + 1] !== keyLo || groupSize === 0) {
            keyHi = w[at]!;
            keyLo = w[at + 1]!;
            // The bucket's first document in (rank, position) order: every later one links to it.
            pair[0] = source;
            pair[1] = w[at + 2]!;
            pair[2] = w[at + 3]!;
            groupSize = 1;
            return;
          }
          if (groupSize++ === 1) buckets++;
          pair[3] = source;
          pair[4] = w[at + 2]!;
          pair[5] = w[at + 3]!;
          pairs++;
          return writer.push(pair);
        },
      );
    }
    writer.endSection();
    await writer.commit();
  } catch (error) {
    await writer.abort();
    throw error;
  } finally {
    await Promise.all(files.map((f) => f.close()));
  }
  ctx.count("candidatePairs", pairs);
  ctx.count("bucketsWithDuplicates", buckets);
}

register({
  kind: "task",
  name: "minhash_buckets",
  description: "candidate duplicate pairs: documents sharing a band hash (or an exact/URL hash), by k-way merge of the signature files; task rank takes bands rank::world",
  params: z.object({}),
  create: () => ({ name: "minhash_buckets", run: findCandidatePairs }),
});

/** Checks that every pairs file of a step agrees with the first (kind, params, source ranks). */
export async function openPairSet(inputs: string[]): Promise<RecordFile[]> {
  const files = inputs.filter((f) => f.endsWith(".pairs"));
  if (files.length === 0) throw new KilnError("dedup_input", `no pair files (*.pairs) among ${inputs.length} input file(s)`);
  const opened: RecordFile[] = [];
  try {
    for (const file of files) {
      const first = opened[0];
      const record = await RecordFile.open(file, "pairs", first ? first.header.params : {});
      if (first) checkParams(file, { dedup: record.header.dedup, sources: record.header.sources }, { dedup: first.header.dedup, sources: first.header.sources });
      opened.push(record);
    }
    return opened;
  } catch (error) {
    await Promise.all(opened.map((f) => f.close()));
    throw error;
  }
}
