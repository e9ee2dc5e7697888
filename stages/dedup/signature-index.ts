/**
 * Incremental dedup across crawls: the signature files of an earlier, already published corpus
 * kept as an index. `minhash_buckets` with `index: [<folder>, ...]` merges the index's signature
 * files with the new ones, so indexed documents take part in candidate pairs and clusters; the
 * clusters step gives every indexed document the best possible node key, so it is the
 * representative of any cluster it is in, and never removed; the cluster map holds sections for
 * the new documents only, so the filter of the new run sees nothing of the index. Index files are
 * only read, never written.
 *
 * Sources are numbered new ranks first (0..world-1, what the filter reads by rank), then each
 * index folder's ranks in the order given. Within a bucket the merge order is (hash, source,
 * position), so a bucket's first document is new whenever the bucket holds a new one, and pairs of
 * two indexed documents are left out: they never change which new document is removed.
 *
 * A user's config (the earlier run's signatures step wrote /data/crawl-2024/run/signatures/data):
 *
 *   - name: buckets
 *     read: { from: signatures }
 *     task: { name: minhash_buckets, index: [/data/crawl-2024/run/signatures/data] }
 *     tasks: 14
 *
 * Relative index paths are resolved against the working directory of the task (on Slurm, give
 * absolute paths). The index must have been written with the same MinHash (or exact) parameters;
 * a file written with others is refused, naming it.
 */
import { readdir, realpath } from "node:fs/promises";
import path from "node:path";
import { KilnError } from "../../core/index.js";
import { isTemporary } from "../../pipeline/index.js";
import { checkParams, type FileHeader, type RecordFile } from "./format.js";

/** An indexed source rank as the pairs, edges and cluster-map headers record it. */
export interface IndexSource {
  folder: string;
  rank: number;
  docCount: number;
  idDigest: string;
}

/** The signature files (*.sig, finished ones) of one index folder, in rank order. */
export async function listIndexFolder(folder: string): Promise<string[]> {
  const names = await readdir(folder).catch((error: NodeJS.ErrnoException) => {
    throw new KilnError("dedup_input", `index ${folder}: cannot list: ${error.code ?? error.message}`);
  });
  const files = names.filter((n) => n.endsWith(".sig") && !isTemporary(n)).sort();
  if (files.length === 0) {
    const hint = names.includes("data") ? ` (it has a data/ folder: give ${path.join(folder, "data")})` : "";
    throw new KilnError("dedup_input", `index ${folder}: no signature files (*.sig): give an earlier run's signatures step data folder${hint}`);
  }
  return files.map((n) => path.join(folder, n));
}

const canonical = (folder: string) => realpath(folder).catch(() => path.resolve(folder));

/** Refuses an index folder that is the step's own input or given twice (every document would match itself). */
export async function checkIndexFolders(folders: string[], inputs: string[]): Promise<void> {
  const own = new Set(await Promise.all([...new Set(inputs.map((f) => path.dirname(f)))].map(canonical)));
  const seen = new Map<string, string>();
  for (const folder of folders) {
    const id = await canonical(folder);
    if (own.has(id)) throw new KilnError("dedup_input", `index ${folder}: is this step's own signatures folder; an index holds an earlier corpus's signatures`);
    if (seen.has(id)) throw new KilnError("dedup_input", `index ${folder}: given twice (also as ${seen.get(id)!})`);
    seen.set(id, folder);
  }
}

/** Checks that an opened index set was written like the new signatures: same kind of dedup, same parameters. */
export function checkIndexMatches(index: RecordFile[], current: FileHeader): void {
  for (const file of index) {
    checkParams(file.file, file.header.params, current.params);
    if (file.header.dedup !== current.dedup) {
      throw new KilnError("dedup_params", `${file.file}: index holds ${String(file.header.dedup)} hashes, but this step's signatures hold ${String(current.dedup)}`);
    }
  }
}

export function indexSources(folder: string, files: RecordFile[]): IndexSource[] {
  return files.map((f) => ({ folder: path.resolve(folder), rank: f.header.rank as number, docCount: f.header.docCount as number, idDigest: f.header.idDigest as string }));
}
