/**
 * Step 3 of dedup: duplicate clusters from the candidate pairs, in bounded memory.
 *
 * - `minhash_clusters` (N tasks): task `rank` takes the pairs whose first document (the smaller
 *   (rank, position)) hashes to partition `rank`, and reduces them to the connected components of
 *   that partition (`components.ts`: external sorts, no union-find in memory). This collapses the
 *   same pair repeated by several bands and every bucket to a star. With N = 1 the partition is
 *   every pair, the components are global, and the task writes the cluster map itself; with N > 1
 *   it writes `<rank>.edges` (document -> its partition's representative), one record per document.
 * - `minhash_clusters_merge` (1 task): components over every partition's edges, then the cluster map.
 *
 * Memory bound of every task, whatever the corpus size: two sorters alive at once (the half-round
 * being read and the next one being written), each with at most `sortBufferRecords` records of
 * 24 bytes + 8 bytes of sort order, plus at most 64 merge chunks of 8192 records (12.6 MB), plus
 * one 16384-record read chunk per input file: ~64 MB + 13 MB at the default 1M. Disk: the edges
 * of one half-round, twice. Reading: each `minhash_clusters` task reads every pair file and keeps
 * its partition, so the pair files are read N times.
 *
 * The cluster map, `00000.clusters`: one section per source rank of records (position, cluster size
 * or 0 when removed, representative rank, representative position) sorted by position, only for
 * documents in a cluster. The representative is the highest meta quality, then the lowest
 * (rank, position): the smallest node, see components.ts. The map is the same for any N.
 *
 * With an index (minhash_buckets' `index`, signature-index.ts), sources past the new ranks are
 * indexed documents: their node key is INDEXED_KEY, below any quality, so they represent every
 * cluster they are in; they get no section in the map and are never removed.
 */
import path from "node:path";
import { z } from "zod";
import { type StepTaskContext, register } from "../../pipeline/index.js";
import { KilnError, fmix32 } from "../../core/index.js";
import { checkParams, FORMAT_VERSION, RecordFile, RecordWriter, type FileHeader } from "./format.js";
import { openPairSet, type SourceRank } from "./buckets.js";
import { addEdge, EDGE_WORDS, NODE_WORDS, qualityKey, readStars, starForest } from "./components.js";
import { RecordSorter } from "./sort.js";

export const CLUSTER_WORDS = 4;
export const CLUSTER_MAP_KIND = "cluster_map";
export const CLUSTER_MAP_FILE = "00000.clusters";
/** The node key of an indexed document: qualityKey() never returns it (its smallest is 0x007fffff, for +Infinity). */
export const INDEXED_KEY = 0;

const params = z.object({
  sortBufferRecords: z
    .number()
    .int()
    .min(1000)
    .default(1_000_000)
    .describe("edges held in memory per sorter before a sorted run is spilled to disk (32 bytes each; two sorters at most): the task's memory bound"),
});
type ClusterParams = z.output<typeof params>;


/** The partition of a pair: a hash of its first document, so all of a bucket's pairs go together. */
export function pairPartition(rank: number, position: number, partitions: number): number {
  return fmix32(Math.imul(rank, 0x9e3779b1) ^ position) % partitions;
}

function sorterFactory(ctx: StepTaskContext, p: ClusterParams, words: number) {
  return (label: string) => new RecordSorter(ctx.scratchFile(label), { words, maxRecords: p.sortBufferRecords, log: ctx.log });
}

/**
 * Writes the cluster map from a star forest: per source rank (section), the clustered documents
 * by position. Sorted by an external sort on (rank, position).
 */
async function writeClusterMap(ctx: StepTaskContext, forest: RecordSorter, header: FileHeader, p: ClusterParams): Promise<void> {
  const sources = header.sources as SourceRank[];
  const newSources = sources.length;
  let indexedClusters = 0;
  let matchedIndex = 0;
  // (rank, position, size, representative rank, representative position): sorted, then split by rank.
  const byDocument = sorterFactory(ctx, p, 5)("map");
  const record = new Uint32Array(5);
  let clusters = 0;
  let removed = 0;
  await readStars(
    forest,
    (node, centre, at) => {
      if (node[1]! >= newSources) return;
      removed++;
      if (centre[at + 1]! >= newSources) matchedIndex++;
      record.set([node[1]!, node[2]!, 0, centre[at + 1]!, centre[at + 2]!]);
      return byDocument.add(record);
    },
    (node, size) => {
      if (node[1]! >= newSources) {
        indexedClusters++;
        return;
      }
      clusters++;
      record.set([node[1]!, node[2]!, size, node[1]!, node[2]!]);
      return byDocument.add(record);
    },
  );
  const writer = new RecordWriter(path.join(ctx.outputDir, CLUSTER_MAP_FILE), {
    kind: CLUSTER_MAP_KIND,
    version: FORMAT_VERSION,
    dedup: header.dedup,
    params: header.params,
    recordWords: CLUSTER_WORDS,
    sources,
    ...indexField(header),
  });
  try {
    let section = 0;
    await byDocument.forEachSorted((w, at) => {
      while (section < w[at]!) {
        writer.endSection();
        section++;
      }
      return writer.push(w.subarray(at + 1, at + 5));
    });
    for (; section < sources.length; section++) writer.endSection();
    await writer.commit();
  } catch (error) {
    await writer.abort();
    throw error;
  }
  ctx.count("clusters", clusters);
  ctx.count("documentsToRemove", removed);
  if (header.index) {
    ctx.count("clustersWithIndexedRepresentative", indexedClusters);
    ctx.count("documentsMatchingIndex", matchedIndex);
  }
}

/** The header's index field, carried from file to file only when there is one. */
function indexField(header: FileHeader): { index?: unknown } {
  return header.index ? { index: header.index } : {};
}

/** Writes one partition's components as (document, representative) edges, one per non-representative. */
async function writePartitionEdges(ctx: StepTaskContext, forest: RecordSorter, header: FileHeader, partitions: number): Promise<void> {
  const writer = new RecordWriter(ctx.outputFile(".edges"), {
    kind: "cluster_edges",
    version: FORMAT_VERSION,
    dedup: header.dedup,
    params: header.params,
    recordWords: EDGE_WORDS,
    sources: header.sources,
    ...indexField(header),
    partition: ctx.rank,
    partitions,
  });
  const edge = new Uint32Array(EDGE_WORDS);
  let edges = 0;
  try {
    await readStars(
      forest,
      (node, centre, at) => {
        edges++;
        edge.set(node, 0);
        edge.set(centre.subarray(at, at + NODE_WORDS), NODE_WORDS);
        return writer.push(edge);
      },
      () => undefined,
    );
    writer.endSection();
    await writer.commit();
  } catch (error) {
    await writer.abort();
    throw error;
  }
  ctx.count("partitionEdges", edges);
}

export async function buildClusters(ctx: StepTaskContext, p: ClusterParams): Promise<void> {
  const files = await openPairSet(ctx.inputs);
  const newSources = (files[0]!.header.sources as SourceRank[]).length;
  const nodeKey = (source: number, quality: number) => (source >= newSources ? INDEXED_KEY : qualityKey(quality));
  const nextSorter = sorterFactory(ctx, p, EDGE_WORDS);
  const edges = nextSorter("pairs");
  let pairs = 0;
  try {
    const a = new Uint32Array(NODE_WORDS);
    const b = new Uint32Array(NODE_WORDS);
    for (const file of files) {
      const cursor = file.cursor(0, 1 << 14);
      while (await cursor.next()) {
        const w = cursor.words;
        const i = cursor.at;
        if (ctx.world > 1 && pairPartition(w[i]!, w[i + 1]!, ctx.world) !== ctx.rank) continue;
        pairs++;
        a.set([nodeKey(w[i]!, w[i + 2]!), w[i]!, w[i + 1]!]);
        b.set([nodeKey(w[i + 3]!, w[i + 5]!), w[i + 3]!, w[i + 4]!]);
        const spilled = addEdge(edges, a, 0, b, 0);
        if (spilled) await spilled;
      }
    }
  } catch (error) {
    await edges.dispose();
    throw error;
  } finally {
    await Promise.all(files.map((f) => f.close()));
  }
  ctx.count("candidatePairs", pairs);
  const { forest, rounds } = await starForest(edges, nextSorter, ctx.log);
  ctx.count("componentRounds", rounds);
  const header = files[0]!.header;
  if (ctx.world === 1) await writeClusterMap(ctx, forest, header, p);
  else await writePartitionEdges(ctx, forest, header, ctx.world);
}

/** Opens every partition's edges file and checks they are one complete, consistent set. */
async function openEdgeSet(inputs: string[]): Promise<RecordFile[]> {
  const files = inputs.filter((f) => f.endsWith(".edges"));
  if (files.length === 0) {
    const hint = inputs.some((f) => f.endsWith(".clusters")) ? ": its input ran minhash_clusters as one task, which already wrote the cluster map; point the filter at it" : "";
    throw new KilnError("dedup_input", `no partition edge files (*.edges) among ${inputs.length} input file(s)${hint}`);
  }
  const opened: RecordFile[] = [];
  try {
    for (const file of files) {
      const first = opened[0];
      const record = await RecordFile.open(file, "cluster_edges", first ? first.header.params : {});
      opened.push(record);
      if (first) {
        const { dedup, sources, index = null } = record.header;
        checkParams(file, { dedup, sources, index }, { dedup: first.header.dedup, sources: first.header.sources, index: first.header.index ?? null });
      }
    }
    opened.forEach((f, i) => {
      if (f.header.partition !== i || f.header.partitions !== opened.length) {
        throw new KilnError("dedup_input", `${f.file}: partition ${String(f.header.partition)} of ${String(f.header.partitions)}, but the step has ${opened.length} edge file(s)`);
      }
    });
    return opened;
  } catch (error) {
    await Promise.all(opened.map((f) => f.close()));
    throw error;
  }
}

export async function mergeClusters(ctx: StepTaskContext, p: ClusterParams): Promise<void> {
  if (ctx.world !== 1) throw new KilnError("dedup_world", `minhash_clusters_merge runs as one task (tasks: 1), not ${ctx.world}: it joins every partition`);
  const files = await openEdgeSet(ctx.inputs);
  const nextSorter = sorterFactory(ctx, p, EDGE_WORDS);
  const edges = nextSorter("edges");
  try {
    for (const file of files) {
      const cursor = file.cursor(0, 1 << 14);
      while (await cursor.next()) {
        const spilled = addEdge(edges, cursor.words, cursor.at, cursor.words, cursor.at + NODE_WORDS);
        if (spilled) await spilled;
      }
    }
  } catch (error) {
    await edges.dispose();
    throw error;
  } finally {
    await Promise.all(files.map((f) => f.close()));
  }
  const { forest, rounds } = await starForest(edges, nextSorter, ctx.log);
  ctx.count("componentRounds", rounds);
  await writeClusterMap(ctx, forest, files[0]!.header, p);
}

register({
  kind: "task",
  name: "minhash_clusters",
  description:
    "duplicate clusters from candidate pairs, in bounded memory (external-sort connected components); with N tasks, task rank takes one hash partition of the pairs and minhash_clusters_merge joins them",
  params,
  create: (p) => ({ name: "minhash_clusters", run: (ctx) => buildClusters(ctx, p) }),
});

register({
  kind: "task",
  name: "minhash_clusters_merge",
  description: "joins the partition components of a minhash_clusters step run with several tasks into the cluster map (one task, bounded memory)",
  params,
  create: (p) => ({ name: "minhash_clusters_merge", run: (ctx) => mergeClusters(ctx, p) }),
});
