/**
 * Step 4 of dedup: `minhash_filter` (and `exact_filter`, the same stage for exact and URL dedup)
 * reads the same documents as the signature step, with the same world, and finds each one by its
 * position in the rank's stream. It drops the documents the clusters step marked for removal and
 * annotates kept representatives. It checks that it saw exactly the documents the signature step
 * saw (count and an order-sensitive digest of their ids) and fails the task otherwise, before its
 * output is committed.
 */
import path from "node:path";
import { z } from "zod";
import type { Doc, Stage, TaskContext } from "../../pipeline/doc.js";
import { KilnError } from "../../pipeline/errors.js";
import { register } from "../../pipeline/registry.js";
import { RecordFile } from "./format.js";
import { IdDigest } from "./signatures.js";

/** Meta fields written on kept representatives, per kind of dedup. */
export const META_KEYS = {
  minhash: { cluster: "minhashCluster", size: "clusterSize" },
  exact: { cluster: "exactCluster", size: "exactClusterSize" },
  url: { cluster: "urlCluster", size: "urlClusterSize" },
} as const;

async function openClusters(ctx: TaskContext, step: string): Promise<RecordFile> {
  const file = path.join(ctx.stepDataDir(step), `${String(ctx.rank).padStart(5, "0")}.clusters`);
  let clusters: RecordFile;
  try {
    clusters = await RecordFile.open(file, "clusters");
  } catch (error) {
    if (error instanceof KilnError && error.code === "dedup_input" && error.message.includes("ENOENT")) {
      throw new KilnError(
        "dedup_world",
        `${file}: no cluster file for rank ${ctx.rank}: step "${step}" has not run, or this step has more tasks (${ctx.world}) than the signature step; both must read the same documents with the same tasks`,
      );
    }
    throw error;
  }
  if (clusters.header.world !== ctx.world || clusters.header.rank !== ctx.rank) {
    await clusters.close();
    throw new KilnError(
      "dedup_world",
      `${file}: written for rank ${String(clusters.header.rank)} of ${String(clusters.header.world)} tasks, but this step runs rank ${ctx.rank} of ${ctx.world}; give it the same input and tasks as the signature step`,
    );
  }
  return clusters;
}

export function dedupFilter(name: string, clustersStep: string): Stage {
  return {
    name,
    async *run(docs: AsyncIterable<Doc>, ctx: TaskContext): AsyncGenerator<Doc> {
      const clusters = await openClusters(ctx, clustersStep);
      try {
        const dedup = clusters.header.dedup as keyof typeof META_KEYS;
        const keys = META_KEYS[dedup];
        const reason = `${dedup}_duplicate`;
        const cursor = clusters.cursor(0);
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
          if (size === 0) ctx.drop(doc, name, reason);
          else yield { ...doc, meta: { ...doc.meta, [keys.cluster]: cluster, [keys.size]: size } };
        }
        if (digest.count !== clusters.header.docCount || digest.hex !== clusters.header.idDigest || pending) {
          throw new KilnError(
            "dedup_mismatch",
            `${clusters.file}: rank ${ctx.rank} saw ${digest.count} document(s) (id digest ${digest.hex}), but the signature step saw ${String(clusters.header.docCount)} (id digest ${String(clusters.header.idDigest)}); ` +
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
  clusters: z.string().default("clusters").describe("name of the step that ran minhash_clusters"),
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
