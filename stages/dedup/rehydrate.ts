/**
 * `rehydrate`: FineWeb-2's upsampling after MinHash dedup. A document that survived dedup as the
 * representative of a large cluster was worth copying many times on the web, so it is repeated
 * by the size of its cluster (`meta.clusterSize`, which `minhash_filter` writes; a document
 * without it had no duplicate: size 1). FineWeb-2's weights are the default: 1 copy for a cluster
 * of 1, 2 for 2, 3 for 3–4, 5 for 5–99, 8 for 100–999, and 1 again from 1,000 (clusters that big
 * are mostly spam and boilerplate).
 *
 * Copies after the first get the id `<id>#<k>` (k = 2..n) and every copy gets
 * `meta.rehydrationCopies` = n, so a later step can tell the copies apart and count them.
 */
import { z } from "zod";
import { type Doc, type Stage, register } from "../../pipeline/index.js";

const weight = z.object({
  minSize: z.number().int().min(1).describe("smallest cluster size this weight applies to"),
  copies: z.number().int().min(0).describe("times a document of such a cluster is written (0 drops it)"),
});

/** FineWeb-2's README: clusters of 1, 2, 3–4, 5–99, 100–999, 1000+ documents. */
export const FINEWEB2_REHYDRATION = [
  { minSize: 1, copies: 1 },
  { minSize: 2, copies: 2 },
  { minSize: 3, copies: 3 },
  { minSize: 5, copies: 5 },
  { minSize: 100, copies: 8 },
  { minSize: 1000, copies: 1 },
];

export const rehydrateParams = z.object({
  weights: z
    .array(weight)
    .min(1)
    .default(FINEWEB2_REHYDRATION)
    .refine((list) => list[0]!.minSize === 1 && list.every((w, i) => i === 0 || w.minSize > list[i - 1]!.minSize), {
      message: "weights must start at minSize 1 and increase",
    })
    .describe("copies per cluster size: each entry applies from its minSize up to the next entry's (FineWeb-2's by default)"),
  sizeKey: z.string().default("clusterSize").describe("meta field holding the cluster size (minhash_filter writes clusterSize)"),
});
export type RehydrateParams = z.output<typeof rehydrateParams>;

/** How many times a document of a cluster of `size` is written. */
export function rehydrationCopies(size: number, weights: RehydrateParams["weights"]): number {
  let copies = weights[0]!.copies;
  for (const w of weights) if (size >= w.minSize) copies = w.copies;
  return copies;
}

function rehydrate(params: RehydrateParams): Stage {
  return {
    name: "rehydrate",
    async *run(docs, ctx) {
      for await (const doc of docs) {
        const recorded = doc.meta[params.sizeKey];
        const size = typeof recorded === "number" && Number.isInteger(recorded) && recorded >= 1 ? recorded : 1;
        const copies = rehydrationCopies(size, params.weights);
        if (copies === 0) {
          ctx.drop(doc, "rehydrate", "rehydrate_zero_copies");
          continue;
        }
        const meta = { ...doc.meta, rehydrationCopies: copies };
        yield { ...doc, meta };
        for (let k = 2; k <= copies; k++) yield { ...doc, id: `${doc.id}#${k}`, meta } satisfies Doc;
      }
    },
  };
}

register({
  kind: "stage",
  name: "rehydrate",
  description: "FineWeb-2's upsampling after MinHash dedup: writes each document 1–8 times by the size of its duplicate cluster (meta.clusterSize)",
  params: rehydrateParams,
  create: rehydrate,
});
