/**
 * MinHash clusters in `kiln inspect`: the step's clusters, largest first, and one cluster's
 * members side by side with each one's estimated Jaccard similarity to the representative (the
 * member the filter kept). Signatures are computed again from the stored text with the run's own
 * signature parameters (deterministic: the same values the dedup compared), so nothing but the
 * index is read.
 */
import { KilnError } from "../../core/index.js";
import { estimatedJaccard, MinHasher, type MinHashParams } from "../dedup/hash.js";
import type { DocRecord, RunIndex, StepSummary } from "./run-index.js";

export interface ClusterRow {
  key: string;
  members: number;
  /** The kept member's document number, when this step holds it. */
  representative: number | null;
}

/** The signature parameters of the dedup behind `step`'s minhash_filter: its clusters step, followed back to the signature writer. */
export function signatureParams(steps: StepSummary[], step: StepSummary): MinHashParams | null {
  const filter = step.params.find((s) => s.name === "minhash_filter");
  let name = typeof filter?.params.clusters === "string" ? filter.params.clusters : undefined;
  for (let hops = 0; name && hops < steps.length; hops++) {
    const at = steps.find((s) => s.name === name);
    if (!at) return null;
    if (at.writer?.name === "minhash_signatures") {
      const p = at.writer.params;
      return { unit: p.shingleUnit === "char" ? "char" : "word", size: Number(p.shingleSize ?? 5), bands: Number(p.bands ?? 14), rows: Number(p.rows ?? 8), seed: Number(p.seed ?? 1) };
    }
    name = at.from ?? undefined;
  }
  return null;
}

/** Each cluster of the step with its member count, largest first (then by key). */
export async function listClusters(index: RunIndex, step: number): Promise<ClusterRow[]> {
  const byKey = new Map<string, ClusterRow>();
  for await (const r of index.records()) {
    if (r.step !== step || r.cluster === null) continue;
    const row = byKey.get(r.cluster) ?? { key: r.cluster, members: 0, representative: null };
    row.members++;
    if (!r.dropped) row.representative = r.n;
    byKey.set(r.cluster, row);
  }
  return [...byKey.values()].sort((a, b) => b.members - a.members || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export interface ClusterMember {
  record: DocRecord;
  id: string;
  text: string;
  representative: boolean;
  /** Estimated Jaccard similarity to the representative (null without signature parameters or representative). */
  jaccard: number | null;
}

/** The members of one cluster, the representative first. */
export async function clusterMembers(index: RunIndex, step: number, key: string): Promise<{ params: MinHashParams | null; members: ClusterMember[] }> {
  const summary = index.summary.steps[step];
  if (!summary) throw new KilnError("not_found", `step ${step}: the run has ${index.summary.steps.length}`);
  const records: DocRecord[] = [];
  for await (const r of index.records()) if (r.step === step && r.cluster === key) records.push(r);
  if (records.length === 0) throw new KilnError("not_found", `${summary.name}: no cluster ${key}`);
  records.sort((a, b) => Number(a.dropped) - Number(b.dropped) || a.n - b.n);
  const params = signatureParams(index.summary.steps, summary);
  const hasher = params ? new MinHasher(params) : null;
  const docs = await Promise.all(records.map((r) => index.doc(r)));
  const signatures = hasher
    ? docs.map((d) => {
        const out = new Uint32Array(hasher.permutations);
        hasher.signature(d.text, out);
        return out;
      })
    : [];
  const rep = records[0]!.dropped ? -1 : 0;
  return {
    params,
    members: records.map((record, i) => ({
      record,
      id: docs[i]!.id,
      text: docs[i]!.text,
      representative: i === rep,
      jaccard: hasher && rep === 0 ? estimatedJaccard(signatures[0]!, signatures[i]!) : null,
    })),
  };
}
