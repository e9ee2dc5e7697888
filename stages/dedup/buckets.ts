/**
 * Step 2 of dedup: `minhash_buckets`, a whole-step task over the signature (or exact hash) files.
 * Task `rank` takes bands rank, rank + world, ...; for each band it k-way merges that band's
 * section of every file and links every document of a bucket (equal band hash) to the bucket's
 * first document in (rank, position) order. Memory: one read chunk per input file.
 *
 * Options (both off by default; off, the output is what it was without them):
 * - `verifyThreshold`: keep a pair only when its estimated Jaccard reaches it (values.ts); the
 *   signature step must have run with `fullSignatures: true`.
 *
 *     - name: signatures
 *       read: { paths: crawl/*.jsonl.gz }
 *       write: { format: minhash_signatures, fullSignatures: true }
 *     - name: buckets
 *       read: { from: signatures }
 *       task: { name: minhash_buckets, verifyThreshold: 0.75 }
 *       tasks: 14
 *
 * - `index`: earlier corpora's signature folders to deduplicate against (signature-index.ts).
 */
import { z } from "zod";
import { type StepTaskContext, register } from "../../pipeline/index.js";
import { KilnError } from "../../core/index.js";
import { checkParams, FORMAT_VERSION, RecordFile, RecordWriter } from "./format.js";
import { checkIndexFolders, checkIndexMatches, indexSources, listIndexFolder, type IndexSource } from "./signature-index.js";
import { HASH_KEY_WORDS, mergeSorted } from "./sort.js";
import { BucketVerifier, SignatureValues } from "./values.js";

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

export const bucketParams = z.object({
  verifyThreshold: z
    .number()
    .min(0)
    .max(1)
    .nullable()
    .default(null)
    .describe(
      "keep a candidate pair only when its estimated Jaccard (share of equal MinHash values) is at least this; null: no verification (datatrove's default); needs fullSignatures: true on minhash_signatures",
    ),
  index: z
    .union([z.string(), z.array(z.string())])
    .default([])
    .describe("signatures data folder(s) of earlier corpora: their documents join the pairs and represent every cluster they are in, so new documents matching them are removed; never removed or written"),
});
export type BucketParams = z.output<typeof bucketParams>;

/** The step's signature files, then every index folder's (see signature-index.ts), and their full values when verifying. */
async function openSources(ctx: StepTaskContext, p: BucketParams) {
  const files = await openSignatureSet(ctx.inputs);
  const folders = typeof p.index === "string" ? [p.index] : p.index;
  const all = [...files];
  const indexed: IndexSource[] = [];
  const values: SignatureValues[] = [];
  try {
    await checkIndexFolders(folders, ctx.inputs);
    for (const folder of folders) {
      const set = await openSignatureSet(await listIndexFolder(folder));
      all.push(...set);
      checkIndexMatches(set, files[0]!.header);
      indexed.push(...indexSources(folder, set));
    }
    if (p.verifyThreshold !== null) for (const f of all) values.push(await SignatureValues.open(f));
  } catch (error) {
    await Promise.all([...all, ...values].map((f) => f.close()));
    throw error;
  }
  return { files, all, indexed, values };
}

export async function findCandidatePairs(ctx: StepTaskContext, p: BucketParams): Promise<void> {
  const { files, all, indexed, values } = await openSources(ctx, p);
  const first = files[0]!.header;
  const sources: SourceRank[] = files.map((f) => ({ docCount: f.header.docCount as number, idDigest: f.header.idDigest as string }));
  // Extra header fields only when used: without them a pairs file is byte for byte what it always was.
  const writer = new RecordWriter(ctx.outputFile(".pairs"), {
    kind: "pairs",
    version: FORMAT_VERSION,
    dedup: first.dedup,
    params: first.params,
    recordWords: PAIR_WORDS,
    sources,
    ...(indexed.length > 0 ? { index: indexed } : {}),
    ...(p.verifyThreshold !== null ? { verifyThreshold: p.verifyThreshold } : {}),
  });
  const permutations = p.verifyThreshold === null ? 0 : (first.params.bands as number) * (first.params.rows as number);
  const verifier = p.verifyThreshold === null ? null : new BucketVerifier(values, permutations, p.verifyThreshold);
  const pairer = new BucketPairs(writer, files.length, verifier);
  try {
    for (let band = ctx.rank; band < first.sections.length; band += ctx.world) {
      pairer.startBand();
      // Equal keys in (source, position) order: each file holds one source, sorted by key then position.
      await mergeSorted(all.map((f) => f.cursor(band)), HASH_KEY_WORDS, (cursor, source) => pairer.visit(cursor.words, cursor.at, source));
    }
    writer.endSection();
    await writer.commit();
  } catch (error) {
    await writer.abort();
    throw error;
  } finally {
    await Promise.all([...all, ...values].map((f) => f.close()));
  }
  ctx.count("candidatePairs", pairer.pairs);
  ctx.count("bucketsWithDuplicates", pairer.buckets);
  if (verifier) {
    ctx.count("pairsCompared", verifier.compared);
    ctx.count("pairsBelowThreshold", verifier.belowThreshold);
  }
  // Once per step (the step's counters are the sum over its tasks, and every task reads the whole index).
  if (indexed.length > 0 && ctx.rank === 0) ctx.count("indexedDocuments", indexed.reduce((n, s) => n + s.docCount, 0));
}

/**
 * Turns one band's merged (key, source, position) records into pairs: each later document of a
 * bucket links to the bucket's first (or, verified, to the first it is similar enough to).
 * Sources at or past `newSources` are an index of earlier corpora: pairs among them only are not written.
 */
class BucketPairs {
  pairs = 0;
  buckets = 0;
  private readonly pair = new Uint32Array(PAIR_WORDS);
  private keyHi = -1;
  private keyLo = -1;
  private groupSize = 0;
  private bucketPairs = 0;
  private firstSource = 0;

  constructor(
    private readonly writer: RecordWriter,
    private readonly newSources: number,
    private readonly verifier: BucketVerifier | null,
  ) {}

  startBand(): void {
    this.keyHi = -1;
    this.keyLo = -1;
    this.groupSize = 0;
    this.bucketPairs = 0;
    this.firstSource = 0;
  }

  /** The record at `w[at..]`: key (2 words), then the document's (source-local) position (2 words). */
  visit(w: Uint32Array, at: number, source: number): void | Promise<void> {
    const pair = this.pair;
    if (w[at] !== this.keyHi || w[at + 1] !== this.keyLo || this.groupSize === 0) {
      this.keyHi = w[at]!;
      this.keyLo = w[at + 1]!;
      // The bucket's first document in (source, position) order: without verification every later one links to it.
      pair[0] = source;
      pair[1] = w[at + 2]!;
      pair[2] = w[at + 3]!;
      this.firstSource = source;
      this.verifier?.start(source, w[at + 2]!, w[at + 3]!);
      this.groupSize = 1;
      this.bucketPairs = 0;
      return;
    }
    this.groupSize++;
    const newSources = this.newSources;
    // New sources sort first: a bucket whose first document is indexed holds indexed ones only.
    if (source >= newSources && this.firstSource >= newSources) return;
    if (this.verifier) {
      const anchor = this.verifier.match(source, w[at + 2]!, w[at + 3]!);
      if (anchor < 0) return;
      const linked = this.verifier.anchor(anchor);
      if (source >= newSources && linked[0]! >= newSources) return;
      pair.set(linked, 0);
    }
    if (this.bucketPairs++ === 0) this.buckets++;
    pair[3] = source;
    pair[4] = w[at + 2]!;
    pair[5] = w[at + 3]!;
    this.pairs++;
    return this.writer.push(pair);
  }
}

register({
  kind: "task",
  name: "minhash_buckets",
  description:
    "candidate duplicate pairs: documents sharing a band hash (or an exact/URL hash), by k-way merge of the signature files; task rank takes bands rank::world; optionally verified against an estimated-Jaccard threshold, and against an index of earlier corpora",
  params: bucketParams,
  create: (p) => ({ name: "minhash_buckets", run: (ctx) => findCandidatePairs(ctx, p) }),
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
      if (first) {
        const { dedup, sources, index = null } = record.header;
        checkParams(file, { dedup, sources, index }, { dedup: first.header.dedup, sources: first.header.sources, index: first.header.index ?? null });
      }
      opened.push(record);
    }
    return opened;
  } catch (error) {
    await Promise.all(opened.map((f) => f.close()));
    throw error;
  }
}
