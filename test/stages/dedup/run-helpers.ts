/** Runs dedup step lists for the verification and index tests, and fingerprints their files. */
import { createHash } from "node:crypto";
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { runPipelineFile } from "../../../pipeline/cli/run.js";
import { createReporter } from "../../../pipeline/progress.js";
import { builtinModules, parseLines, readStepData, writeConfig } from "../../pipeline/helpers.js";

const quiet = createReporter(process.stderr, true);
export const dedupModule = new URL("../../../stages/dedup/index.ts", import.meta.url).pathname;

export type StepList = Record<string, unknown>[];

/** signatures -> buckets -> clusters (-> merged) -> deduped, with the given writer and bucket params. */
export function minhashSteps(inputs: string, options: { signatures?: Record<string, unknown>; buckets?: Record<string, unknown>; bucketTasks?: number; clusterTasks?: number } = {}): StepList {
  const clusterTasks = options.clusterTasks ?? 1;
  const merged = clusterTasks > 1;
  return [
    { name: "signatures", read: { paths: inputs }, write: { format: "minhash_signatures", ...options.signatures } },
    { name: "buckets", read: { from: "signatures" }, task: { name: "minhash_buckets", ...options.buckets }, tasks: options.bucketTasks ?? 3 },
    { name: "clusters", read: { from: "buckets" }, task: { name: "minhash_clusters" }, tasks: clusterTasks },
    ...(merged ? [{ name: "merged", read: { from: "clusters" }, task: { name: "minhash_clusters_merge" } }] : []),
    {
      name: "deduped",
      read: { paths: inputs },
      stages: [{ minhash_filter: { clusters: merged ? "merged" : "clusters" } }],
      write: { format: "jsonl", compression: "none" },
    },
  ];
}

export async function runSteps(dir: string, name: string, steps: StepList, workers = 2) {
  const output = path.join(dir, name);
  const config = await writeConfig(dir, { output, modules: [dedupModule], steps }, `${name}.yaml`);
  const result = await runPipelineFile(config, { builtinModules, workers, reporter: quiet });
  const step = (s: string) => result.stats.find((x) => x.step === s)!;
  const hasDeduped = steps.some((s) => s.name === "deduped");
  const kept = hasDeduped ? [...(await readStepData(output, "deduped")).values()].flatMap(parseLines) : [];
  return { output, kept, step };
}

/** sha256 (16 hex digits) of every file under `dir`, by relative path; `filter` picks which. */
export async function fingerprint(dir: string, filter: (relative: string) => boolean = () => true): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    const relative = path.relative(dir, full);
    if (filter(relative)) out[relative] = createHash("sha256").update(await readFile(full)).digest("hex").slice(0, 16);
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}
