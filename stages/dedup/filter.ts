/**
 * Step 4 of dedup: `minhash_filter` (and `exact_filter`, the same stage for exact and URL dedup)
 * reads the same documents as the signature step, with the same world, and finds each one by its
 * position in the rank's stream. It drops the documents the clusters step marked for removal and
 * annotates kept representatives (cluster and size); a dropped duplicate carries its cluster too. It checks that it saw exactly the documents the signature step
 * saw (count and an order-sensitive digest of their ids) and fails the task otherwise, before its
 * output is committed.
 */
import { readdir } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { type Doc, type Stage, type TaskContext, register } from "../../pipeline/index.js";
import { KilnError } from "../../core/index.js";
import { RecordFile } from "./format.js";
import { IdDigest } from "./signatures.js";
import type { SourceRank } from "./buckets.js";
import { CLUSTER_MAP_FILE, CLUSTER_MAP_KIND } from "./clusters.js";

/** Meta fields written on kept representatives, per kind of dedup. */
export const META_KEYS = {
  minhash: { cluster: "minhashCluster", size: "clusterSize" },
  exact: { cluster: "exactCluster", size: "exactClusterSize" },
  url: { cluster: "urlCluster", size: "urlClusterSize" },
} as const;

/** The cluster map and this rank's section of it; refuses a map written for other source ranks. */
async function openClusters(ctx: TaskContext, step: string): Promise<{ clusters: RecordFile; source: SourceRank }> {
  const dir = ctx.stepDataDir(step);
  const file = path.join(dir, CLUSTER_MAP_FILE);
  let clusters: RecordFile;
  try {
    clusters = await RecordFile.open(file, CLUSTER_MAP_KIND);
  } catch (error) {
    if (error instanceof KilnError && error.code === "dedup_input" && error.message.includes("ENOENT")) {
      const partial = (await readdir(dir).catch(() => [] as string[])).some((f) => f.endsWith(".edges"));
      throw new KilnError(
        "dedup_world",
        partial
          ? `${file}: step "${step}" ran minhash_clusters as several tasks, which write partition edges only: add a step running minhash_clusters_merge (read: { from: ${step} }) and point this filter's "clusters" at it`
          : `${file}: no cluster map: step "${step}" has not run, or is not a minhash_clusters(_merge) step`,
      );
    }
    throw error;
  }
  const sources = clusters.header.sources as SourceRank[];
  const source = sources[ctx.rank];
  if (sources.length !== ctx.world || !source) {
    await clusters.close();
    throw new KilnError(
      "dedup_world",
      `${file}: written for ${sources.length} source task(s), but this step runs rank ${ctx.rank} of ${ctx.world}; give it the same input and tasks as the signature step`,
    );
  }
  return { clusters, source };
}

export function dedupFilter(name: string, clustersStep: string): Stage {
  return {
    name,
    async *run(docs: AsyncIterable<Doc>, ctx: TaskContext): AsyncGenerator<Doc> {
      const { clusters, source } = await openClusters(ctx, clustersStep);
      try {
        const dedup = clusters.header.dedup as keyof typeof META_KEYS;
        const keys = META_KEYS[dedup];
        const reason = `${dedup}_duplicate`;
        const cursor = clusters.cursor(ctx.rank);
        let pending = await cursor.refill();
        const digest = new IdDigest();
        for await (const doc of docs) {
          const position = digest.count;
          digest.add(doc.id);
          if (!pending || cursor.words[cursor.at] !== position) {
            yield doc;
            continue;
          }
          const w = cursor.words;
          const at = cursor.at;
          const size = w[at + 1]!;
          const cluster = `${w[at + 2]!}-${w[at + 3]!}`;
          pending = cursor.step() || (await cursor.refill());
          // A removed duplicate keeps its cluster in meta too (excluded/ then shows which cluster it joined).
          if (size === 0) ctx.drop({ ...doc, meta: { ...doc.meta, [keys.cluster]: cluster } }, name, reason);
          else yield { ...doc, meta: { ...doc.meta, [keys.cluster]: cluster, [keys.size]: size } };
        }
        if (digest.count !== source.docCount || digest.hex !== source.idDigest || pending) {
          throw new KilnError(
            "dedup_mismatch",
            `${clusters.file}: rank ${ctx.rank} saw ${digest.count} document(s) (id digest ${digest.hex}), but the signature step saw ${source.docCount} (id digest ${source.idDigest}); ` +
              `the filter must read the same documents, through the same stages, with the same tasks as the signature step`,
          );
        }
      } finally {
        await clusters.close();
      }
    },
  };
}

const params = z.object({
  clusters: z.string().default("clusters").describe("name of the step that wrote the cluster map: minhash_clusters run as one task, or minhash_clusters_merge"),
});

register({
  kind: "stage",
  name: "minhash_filter",
  description: "drops MinHash near-duplicates (reason minhash_duplicate), keeps one representative per cluster with meta.minhashCluster and meta.clusterSize",
  params,
  create: (p) => dedupFilter("minhash_filter", p.clusters),
});

register({
  kind: "stage",
  name: "exact_filter",
  description: "drops exact (text) or URL duplicates found by exact_hashes + minhash_buckets + minhash_clusters (reason exact_duplicate / url_duplicate)",
  params,
  create: (p) => dedupFilter("exact_filter", p.clusters),
});
