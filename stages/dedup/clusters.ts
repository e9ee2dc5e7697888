/**
 * Step 3 of dedup: `minhash_clusters`, union-find over the candidate pairs.
 *
 * Memory: the union-find holds only documents that appear in at least one pair, in typed arrays
 * (20 bytes each: id as float64, parent, size, quality), plus one sort buffer of ids; pairs are
 * streamed from disk twice and never held. It grows with the number of duplicate candidates, not
 * with the corpus or the number of pairs: 1 GB holds ~45M candidate documents.
 * Every task of the step computes the same union-find; task `rank` writes the cluster files of
 * source ranks rank, rank + world, ... so the writing is shared.
 *
 * Output per source rank: `<rank>.clusters`, records (position, cluster size or 0 when removed,
 * representative rank, representative position) sorted by position.
 */
import path from "node:path";
import { z } from "zod";
import type { StepTaskContext } from "../../pipeline/doc.js";
import { register } from "../../pipeline/registry.js";
import { FORMAT_VERSION, RecordWriter, type RecordFile } from "./format.js";
import { openPairSet, type SourceRank } from "./buckets.js";
import { qualityFromBits } from "./signatures.js";

export const CLUSTER_WORDS = 4;
const RANK_SPAN = 2 ** 32;

/** Streams every pair of every file: (a, qualityA bits, b, qualityB bits) with ids rank * 2^32 + position. */
async function forEachPair(files: RecordFile[], visit: (a: number, qa: number, b: number, qb: number) => void): Promise<void> {
  for (const file of files) {
    const cursor = file.cursor(0, 1 << 14);
    while (await cursor.next()) {
      const w = cursor.words;
      const i = cursor.at;
      visit(w[i]! * RANK_SPAN + w[i + 1]!, w[i + 2]!, w[i + 3]! * RANK_SPAN + w[i + 4]!, w[i + 5]!);
    }
  }
}

/** Sorted, de-duplicated ids of every document in a pair, with at most `bufferIds` unsorted ids in memory. */
export async function collectNodes(files: RecordFile[], bufferIds: number): Promise<Float64Array> {
  let nodes = new Float64Array(0);
  const buffer = new Float64Array(bufferIds);
  let filled = 0;
  const absorb = () => {
    const batch = buffer.subarray(0, filled).sort();
    const merged = new Float64Array(nodes.length + filled);
    let i = 0;
    let j = 0;
    let n = 0;
    while (i < nodes.length || j < filled) {
      const next = j >= filled || (i < nodes.length && nodes[i]! <= batch[j]!) ? nodes[i++]! : batch[j++]!;
      if (n === 0 || merged[n - 1] !== next) merged[n++] = next;
    }
    nodes = merged.slice(0, n);
    filled = 0;
  };
  await forEachPair(files, (a, _qa, b) => {
    if (filled + 2 > bufferIds) absorb();
    buffer[filled++] = a;
    buffer[filled++] = b;
  });
  absorb();
  return nodes;
}

function indexOf(nodes: Float64Array, id: number): number {
  let lo = 0;
  let hi = nodes.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = nodes[mid]!;
    if (v === id) return mid;
    if (v < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * Union-find whose root is always the component's representative, the best document under one
 * total order: a document with a quality before one without, higher quality first, then the
 * lowest id (rank, position). Being a total order, the result does not depend on pair order.
 */
export class RepresentativeUnionFind {
  readonly parent: Int32Array;
  readonly quality: Float32Array;

  constructor(readonly nodes: Float64Array) {
    this.parent = new Int32Array(nodes.length);
    for (let i = 0; i < nodes.length; i++) this.parent[i] = i;
    this.quality = new Float32Array(nodes.length).fill(Number.NaN);
  }

  find(i: number): number {
    const parent = this.parent;
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  }

  /** True when x is a better representative than y (nodes are sorted, so a lower index is a lower id). */
  better(x: number, y: number): boolean {
    const qx = this.quality[x]!;
    const qy = this.quality[y]!;
    const kx = qx === qx ? qx : -Infinity;
    const ky = qy === qy ? qy : -Infinity;
    return kx !== ky ? kx > ky : x < y;
  }

  union(x: number, y: number): void {
    const rx = this.find(x);
    const ry = this.find(y);
    if (rx === ry) return;
    if (this.better(rx, ry)) this.parent[ry] = rx;
    else this.parent[rx] = ry;
  }
}

export async function buildClusters(ctx: StepTaskContext, params: { idBuffer: number }): Promise<void> {
  const files = await openPairSet(ctx.inputs);
  try {
    const header = files[0]!.header;
    const sources = header.sources as SourceRank[];
    const nodes = await collectNodes(files, params.idBuffer);
    const uf = new RepresentativeUnionFind(nodes);
    await forEachPair(files, (a, qa, b, qb) => {
      const ia = indexOf(nodes, a);
      const ib = indexOf(nodes, b);
      uf.quality[ia] = qualityFromBits(qa);
      uf.quality[ib] = qualityFromBits(qb);
      uf.union(ia, ib);
    });
    const size = new Uint32Array(nodes.length);
    for (let i = 0; i < nodes.length; i++) size[uf.find(i)]!++;
    ctx.log(`${nodes.length} documents in candidate pairs`);

    const record = new Uint32Array(CLUSTER_WORDS);
    for (let source = ctx.rank; source < sources.length; source += ctx.world) {
      const output = path.join(ctx.outputDir, `${String(source).padStart(5, "0")}.clusters`);
      const writer = new RecordWriter(output, {
        kind: "clusters",
        version: FORMAT_VERSION,
        dedup: header.dedup,
        params: header.params,
        recordWords: CLUSTER_WORDS,
        rank: source,
        world: sources.length,
        docCount: sources[source]!.docCount,
        idDigest: sources[source]!.idDigest,
      });
      let removed = 0;
      let clusters = 0;
      try {
        // This rank's documents are one run of the sorted ids.
        let i = lowerBound(nodes, source * RANK_SPAN);
        for (; i < nodes.length && nodes[i]! < (source + 1) * RANK_SPAN; i++) {
          const root = uf.find(i);
          const representative = nodes[root]!;
          record[0] = nodes[i]! - source * RANK_SPAN;
          record[1] = root === i ? size[root]! : 0;
          record[2] = Math.floor(representative / RANK_SPAN);
          record[3] = representative % RANK_SPAN;
          if (root === i) clusters++;
          else removed++;
          const flushed = writer.push(record);
          if (flushed) await flushed;
        }
        writer.endSection();
        await writer.commit();
      } catch (error) {
        await writer.abort();
        throw error;
      }
      ctx.count("clusters", clusters);
      ctx.count("documentsToRemove", removed);
    }
  } finally {
    await Promise.all(files.map((f) => f.close()));
  }
}

function lowerBound(nodes: Float64Array, id: number): number {
  let lo = 0;
  let hi = nodes.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (nodes[mid]! < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

register({
  kind: "task",
  name: "minhash_clusters",
  description: "duplicate clusters from candidate pairs (union-find over candidate documents only); writes per source rank the positions to remove",
  params: z.object({
    idBuffer: z.number().int().min(1024).default(4_000_000).describe("document ids sorted per batch while collecting the candidate documents (8 bytes each)"),
  }),
  create: (p) => ({ name: "minhash_clusters", run: (ctx) => buildClusters(ctx, p) }),
});
