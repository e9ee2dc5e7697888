/**
 * MinHash dedup: signature speed against baselines measured in the same run, unbiasedness of the
 * Jaccard estimate, the LSH S-curve on planted near-duplicates, and the four dedup steps end to
 * end with peak RSS (each end-to-end run in its own child process).
 *
 *   npm run bench -- minhash [--docs 200000] [--speed-docs 2000] [--pairs 12000] [--sample-pages 3000]
 *     [--sample-seeds 1,2] [--runs 3] [--workers 2] [--skip-e2e] [--only speed|sample|e2e]
 *
 * --only speed: the signature speeds, and the minhash_signatures writer (hashing, sorting, writing
 * the file) with and without fullSignatures (the side file that verifyThreshold reads).
 *
 * 10k+ planted pairs for the sample-corpus S-curve: --sample-pages 100000 (about 10% of the pages
 * are near-duplicates), or several seeds.
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { execFileSync } from "node:child_process";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { stringify } from "yaml";
import { candidateProbability } from "../stages/dedup/cli.js";
import { bandHash, estimatedJaccard, MinHasher, normalizeText } from "../stages/dedup/hash.js";
import { minhashParams, writeMinhashSignatures } from "../stages/dedup/signatures.js";
import type { Doc, TaskContext } from "../pipeline/doc.js";
import { seededRandom } from "../core/random.js";
import { median } from "./_report.js";

const { values } = parseArgs({
  options: {
    docs: { type: "string", default: "200000" },
    "speed-docs": { type: "string", default: "2000" },
    pairs: { type: "string", default: "12000" },
    "sample-pages": { type: "string", default: "3000" },
    "sample-seeds": { type: "string", default: "1" },
    only: { type: "string" },
    runs: { type: "string", default: "3" },
    data: { type: "string", default: path.join(os.tmpdir(), "kiln-bench-minhash") },
    "skip-e2e": { type: "boolean", default: false },
    variant: { type: "string" },
    out: { type: "string" },
    workers: { type: "string", default: "2" },
  },
});
const here = path.dirname(new URL(import.meta.url).pathname);
const BANDS = 14;
const ROWS = 8;
const K = BANDS * ROWS;
const params = { bands: BANDS, rows: ROWS, seed: 1, unit: "word" as const, size: 5 };

const rng = seededRandom;
const random = rng(2024);
const syllables = ["ka", "lo", "mi", "te", "ra", "sun", "ber", "gol", "in", "tri", "an", "dé", "vo", "ple", "xis", "or", "ma", "qua", "zen", "ti"];
const vocabulary = Array.from({ length: 20000 }, () => Array.from({ length: 1 + Math.floor(random() * 3.5) }, () => syllables[Math.floor(random() * syllables.length)]).join(""));
const zipfWord = (r: () => number) => vocabulary[Math.floor(vocabulary.length * r() ** 3)]!;
/** Word salad with sentence punctuation and some numbers, like web text. */
function textOf(words: number, r: () => number): string {
  let text = "";
  for (let w = 0; w < words; w++) text += (w % 17 === 16 ? ". " : " ") + (w % 41 === 7 ? String(Math.floor(r() * 1000)) : zipfWord(r));
  return text.trim();
}

const table = (header: string[], rows: string[][]) => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n") + "\n";
};

/** The naive baseline: regex normalisation, shingle strings, one 32-bit hash each, 112 multiply-shift permutations. */
function naiveSignature(text: string, a: Uint32Array, b: Uint32Array, out: Uint32Array) {
  const words = text.toLowerCase().replace(/[\p{P}\p{S}]/gu, "").split(/\s+/).filter(Boolean);
  out.fill(0xffffffff);
  for (let i = 0; i + 5 <= words.length; i++) {
    const shingle = words.slice(i, i + 5).join(" ");
    let h = 0x811c9dc5;
    for (let c = 0; c < shingle.length; c++) h = Math.imul(h ^ shingle.charCodeAt(c), 0x01000193);
    for (let p = 0; p < out.length; p++) {
      const v = (Math.imul(a[p]!, h) + b[p]!) >>> 0;
      if (v < out[p]!) out[p] = v;
    }
  }
}

async function speed() {
  const n = Number(values["speed-docs"]);
  const r = rng(7);
  const docs = Array.from({ length: n }, () => textOf(1650 + Math.floor(r() * 300), r));
  const bytes = docs.reduce((s, d) => s + Buffer.byteLength(d), 0);
  const hasher = new MinHasher(params);
  const out = new Uint32Array(K);
  const coefA = Uint32Array.from({ length: K }, () => (Math.floor(r() * 2 ** 32) | 1) >>> 0);
  const coefB = Uint32Array.from({ length: K }, () => Math.floor(r() * 2 ** 32));
  let npmMinhash: (new (config: { numPerm: number }) => { update(s: string): void }) | undefined;
  try {
    // A variable specifier: the package has no type declarations, and it is an optional baseline.
    const specifier = "minhash";
    npmMinhash = ((await import(specifier)) as unknown as { Minhash: typeof npmMinhash }).Minhash;
  } catch {
    npmMinhash = undefined;
  }
  const variants: { name: string; docs: number; run: (d: string) => void }[] = [
    { name: "kiln MinHasher (WebAssembly SIMD)", docs: n, run: (d) => hasher.signature(d, out) },
    { name: "kiln MinHasher, plain JS loop", docs: n, run: (d) => hasher.signatureScalar(d, out) },
    { name: "naive typed-array loop (baseline)", docs: n, run: (d) => naiveSignature(d, coefA, coefB, out) },
  ];
  if (npmMinhash) {
    const Minhash = npmMinhash;
    variants.push({
      name: "npm minhash 0.0.9",
      docs: Math.max(20, Math.floor(n / 40)),
      run: (d) => {
        const m = new Minhash({ numPerm: K });
        const words = d.toLowerCase().replace(/[\p{P}\p{S}]/gu, "").split(/\s+/).filter(Boolean);
        for (let i = 0; i + 5 <= words.length; i++) m.update(words.slice(i, i + 5).join(" "));
      },
    });
  }
  const results = variants.map(() => [] as number[]);
  for (let run = 0; run < Number(values.runs); run++) {
    for (const [i, v] of variants.entries()) {
      const start = performance.now();
      for (let d = 0; d < v.docs; d++) v.run(docs[d]!);
      results[i]!.push((performance.now() - start) / 1000 / v.docs);
    }
  }
  const perDoc = results.map(median);
  const baseline = perDoc[2]!;
  const avgBytes = bytes / n;
  process.stdout.write(`\n## Signatures: ${n} documents of ~${(avgBytes / 1000).toFixed(1)} KB, ${K} permutations over word 5-grams, one core, median of ${values.runs}\n\n`);
  process.stdout.write(
    table(
      ["variant", "docs/s", "MB/s", "vs naive"],
      variants.map((v, i) => [v.name + (v.docs < n ? ` (${v.docs} docs)` : ""), (1 / perDoc[i]!).toFixed(0), (avgBytes / perDoc[i]! / 1e6).toFixed(1), (baseline / perDoc[i]!).toFixed(2) + "x"]),
    ),
  );
  await writerSpeed(docs, bytes);
}

/** The whole signature step's writer (hash, band hashes, sort, file), without and with the full-values side file. */
async function writerSpeed(texts: string[], bytes: number) {
  const dir = path.join(values.data!, "writer");
  await mkdir(dir, { recursive: true });
  const ctx: TaskContext = { rank: 0, world: 1, step: "bench", stepDataDir: () => dir, skip: () => undefined, drop: () => undefined, log: () => undefined };
  async function* docs(): AsyncGenerator<Doc> {
    for (const [i, text] of texts.entries()) yield { id: `d${i}`, text, meta: {} };
  }
  const variants = [
    { name: "minhash_signatures (baseline: band hashes only)", params: minhashParams.parse({}) },
    { name: "minhash_signatures, fullSignatures: true", params: minhashParams.parse({ fullSignatures: true }) },
  ];
  const seconds = variants.map(() => [] as number[]);
  // One untimed pass of each warms the JIT; then the order alternates, so neither variant always runs first.
  for (let run = -1; run < Number(values.runs); run++) {
    for (const i of run % 2 === 0 ? [0, 1] : [1, 0]) {
      const v = variants[i]!;
      const start = performance.now();
      await writeMinhashSignatures(docs(), path.join(dir, `00000.${i}.minhash.sig`), ctx, v.params);
      if (run >= 0) seconds[i]!.push((performance.now() - start) / 1000);
    }
  }
  const sizes = await Promise.all(variants.map(async (_, i) => (await readFile(path.join(dir, `00000.${i}.minhash.sig`))).length + (await readFile(path.join(dir, `00000.${i}.minhash.values`)).catch(() => Buffer.alloc(0))).length));
  await rm(dir, { recursive: true, force: true });
  const medians = seconds.map(median);
  process.stdout.write(`\n## Signature writer: ${texts.length} documents (${(bytes / 1e6).toFixed(1)} MB), hash + sort + write, one core, median of ${values.runs}\n\n`);
  process.stdout.write(
    table(
      ["variant", "docs/s", "MB/s", "bytes on disk per doc", "vs baseline"],
      variants.map((v, i) => [v.name, (texts.length / medians[i]!).toFixed(0), (bytes / medians[i]! / 1e6).toFixed(1), (sizes[i]! / texts.length).toFixed(0), (medians[0]! / medians[i]!).toFixed(3) + "x"]),
    ),
  );
}

function shingleSet(text: string): Set<string> {
  const w = normalizeText(text).split(" ").filter(Boolean);
  if (w.length < 5) return new Set(w.length ? [w.join(" ")] : []);
  return new Set(Array.from({ length: w.length - 4 }, (_, i) => w.slice(i, i + 5).join(" ")));
}
function exactJaccard(a: Set<string>, b: Set<string>): number {
  let shared = 0;
  for (const s of a) if (b.has(s)) shared++;
  return shared / (a.size + b.size - shared);
}

/** A copy of `base` with a fraction of its words replaced, at random places. */
function edited(base: string[], fraction: number, r: () => number): string[] {
  return base.map((w) => (r() < fraction ? zipfWord(r) + "q" : w));
}

interface Pair {
  jaccard: number;
  estimate: number;
  candidate: boolean;
}

function measurePair(hasher: MinHasher, a: string, b: string): Pair {
  const sa = new Uint32Array(K);
  const sb = new Uint32Array(K);
  hasher.signature(a, sa);
  hasher.signature(b, sb);
  let candidate = false;
  for (let band = 0; band < BANDS && !candidate; band++) {
    const [x0, x1] = bandHash(sa, band, ROWS);
    const [y0, y1] = bandHash(sb, band, ROWS);
    candidate = x0 === y0 && x1 === y1;
  }
  return { jaccard: exactJaccard(shingleSet(a), shingleSet(b)), estimate: estimatedJaccard(sa, sb), candidate };
}

/** Pairs of 300-word texts; replacing a fraction f of words keeps about (1-f)^5 of the shingles. */
function controlledPairs(count: number, maxFraction: number, seed: number): Pair[] {
  const hasher = new MinHasher(params);
  const r = rng(seed);
  const pairs: Pair[] = [];
  for (let i = 0; i < count; i++) {
    const base = textOf(300, r).split(" ");
    const fraction = r() * maxFraction;
    pairs.push(measurePair(hasher, base.join(" "), edited(base, fraction, r).join(" ")));
  }
  return pairs;
}

function unbiasedness(pairs: Pair[]) {
  process.stdout.write(`\n## Estimated Jaccard, ${pairs.length} pairs of 300-word texts (k = ${K}); ideal MAE = E|N(0, J(1-J)/k)| = sqrt(2/pi) sqrt(J(1-J)/k)\n\n`);
  const rows: string[][] = [];
  for (let lo = 0.1; lo < 0.999; lo += 0.1) {
    const bin = pairs.filter((p) => p.jaccard >= lo && p.jaccard < lo + 0.1 - 1e-9);
    if (bin.length === 0) continue;
    const meanJ = bin.reduce((s, p) => s + p.jaccard, 0) / bin.length;
    const signed = bin.reduce((s, p) => s + p.estimate - p.jaccard, 0) / bin.length;
    const mae = bin.reduce((s, p) => s + Math.abs(p.estimate - p.jaccard), 0) / bin.length;
    const sd = bin.reduce((s, p) => s + Math.sqrt((p.jaccard * (1 - p.jaccard)) / K), 0) / bin.length;
    const idealMae = Math.sqrt(2 / Math.PI) * sd;
    rows.push([`${lo.toFixed(1)}-${(lo + 0.1).toFixed(1)}`, String(bin.length), meanJ.toFixed(3), (signed >= 0 ? "+" : "") + signed.toFixed(4), mae.toFixed(4), sd.toFixed(4), idealMae.toFixed(4), (mae / idealMae).toFixed(3)]);
  }
  process.stdout.write(table(["J bin", "pairs", "mean J", "mean signed err", "MAE", "sqrt(J(1-J)/k)", "ideal MAE", "MAE/ideal"], rows));
  process.stdout.write("(the issue's bound: |mean signed err| <= 0.005 and MAE within 10% of the binomial ideal)\n");
}

function sCurve(title: string, pairs: Pair[]) {
  process.stdout.write(`\n## S-curve: ${title} (${pairs.length} pairs), detection = share of pairs with an equal band hash\n\n`);
  const rows: string[][] = [];
  for (let lo = 0.5; lo < 0.999; lo += 0.05) {
    const bin = pairs.filter((p) => p.jaccard >= lo && p.jaccard < lo + 0.05 - 1e-9);
    if (bin.length === 0) continue;
    const detected = bin.filter((p) => p.candidate).length / bin.length;
    const theory = bin.reduce((s, p) => s + candidateProbability(p.jaccard, BANDS, ROWS), 0) / bin.length;
    rows.push([`${lo.toFixed(2)}-${(lo + 0.05).toFixed(2)}`, String(bin.length), (100 * detected).toFixed(1), (100 * theory).toFixed(1), ((100 * (detected - theory) >= 0 ? "+" : "") + (100 * (detected - theory)).toFixed(1))]);
  }
  const exact = pairs.filter((p) => p.jaccard >= 0.999);
  if (exact.length) rows.push(["1.00", String(exact.length), (100 * exact.filter((p) => p.candidate).length / exact.length).toFixed(1), "100.0", ""]);
  process.stdout.write(table(["J bin", "pairs", "detected %", "1-(1-J^8)^14 %", "points"], rows));
}

interface SamplePair extends Pair {
  target: number;
}

interface TruthLine {
  id: string;
  kind: string;
  duplicateOf: string | null;
  targetJaccard: number | null;
  mainText: string;
}

async function forEachTruth(file: string, visit: (t: TruthLine) => void): Promise<void> {
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) if (line) visit(JSON.parse(line) as TruthLine);
}

/** Every planted near-duplicate against its cluster original, over one generated sample per seed. */
async function samplePairs(): Promise<SamplePair[] | string> {
  let generateSample: (o: { outDir: string; seed?: number; pages?: number }) => Promise<{ truthFile: string }>;
  try {
    ({ generateSample } = (await import("../datasets/sample/index.js")) as unknown as { generateSample: typeof generateSample });
  } catch (error) {
    return `sample generator not available: ${(error as Error).message.split("\n")[0]}`;
  }
  const hasher = new MinHasher(params);
  const pairs: SamplePair[] = [];
  for (const seed of values["sample-seeds"]!.split(",").map(Number)) {
    const dir = path.join(values.data!, `sample-${seed}`);
    await rm(dir, { recursive: true, force: true });
    const { truthFile } = await generateSample({ outDir: dir, seed, pages: Number(values["sample-pages"]) });
    // Two passes over truth.jsonl, so only the originals that have near-duplicates are held.
    const wanted = new Set<string>();
    await forEachTruth(truthFile, (t) => void (t.kind === "near_duplicate" && t.duplicateOf && wanted.add(t.duplicateOf)));
    const originals = new Map<string, string>();
    const duplicates: TruthLine[] = [];
    await forEachTruth(truthFile, (t) => {
      if (wanted.has(t.id)) originals.set(t.id, t.mainText);
      if (t.kind === "near_duplicate" && t.duplicateOf) duplicates.push(t);
    });
    for (const page of duplicates) {
      const original = originals.get(page.duplicateOf!);
      if (original !== undefined) pairs.push({ ...measurePair(hasher, original, page.mainText), target: page.targetJaccard ?? Number.NaN });
    }
    await rm(dir, { recursive: true, force: true });
  }
  return pairs;
}

/** Per planted target: detection against 1-(1-J^r)^b averaged over each pair's measured word-5-gram Jaccard. */
function sampleCurve(pairs: SamplePair[]) {
  const seeds = values["sample-seeds"]!;
  process.stdout.write(`\n## S-curve on the sample corpus: ${pairs.length} planted near-duplicate pairs (${values["sample-pages"]} pages, seeds ${seeds}), ${BANDS} x ${ROWS}\n\n`);
  const targets = [...new Set(pairs.map((p) => p.target))].sort((a, b) => b - a);
  const rows = targets.map((target) => {
    const bin = pairs.filter((p) => p.target === target || (Number.isNaN(target) && Number.isNaN(p.target)));
    const meanJ = bin.reduce((s, p) => s + p.jaccard, 0) / bin.length;
    const detected = (100 * bin.filter((p) => p.candidate).length) / bin.length;
    const theory = (100 * bin.reduce((s, p) => s + candidateProbability(p.jaccard, BANDS, ROWS), 0)) / bin.length;
    const gap = detected - theory;
    return [target.toFixed(2), String(bin.length), meanJ.toFixed(3), detected.toFixed(1), theory.toFixed(1), (gap >= 0 ? "+" : "") + gap.toFixed(1), Math.abs(gap) <= 3 ? "yes" : "NO"];
  });
  process.stdout.write(table(["target J", "pairs", "mean J", "detected %", "theory %", "gap (points)", "within 3"], rows));
  process.stdout.write("(theory: mean over the bin's pairs of 1-(1-J^8)^14 at each pair's exact Jaccard of our normalised word 5-grams)\n");
}

// ---- end to end ----------------------------------------------------------------------------

async function e2eData(docs: number): Promise<{ dir: string; planted: number }> {
  const dir = path.join(values.data!, `e2e-${docs}`);
  const files = 16;
  const marker = path.join(dir, "planted.json");
  const existing = await readFile(marker, "utf8").catch(() => null);
  if (existing) return { dir, planted: (JSON.parse(existing) as { planted: number }).planted };
  await mkdir(dir, { recursive: true });
  const r = rng(docs);
  const recent: string[][] = [];
  let planted = 0;
  for (let f = 0; f < files; f++) {
    const lines: string[] = [];
    for (let d = f; d < docs; d += files) {
      let words: string[];
      // 10% near-duplicates (2 words of ~170 replaced: J ~ 0.89) of a recent document, in any file
      if (recent.length > 0 && r() < 0.1) {
        words = edited(recent[Math.floor(r() * recent.length)]!, 2 / 170, r);
        planted++;
      } else {
        words = textOf(120 + Math.floor(r() * 100), r).split(" ");
        if (recent.length < 2000) recent.push(words);
        else recent[Math.floor(r() * recent.length)] = words;
      }
      lines.push(JSON.stringify({ id: `doc-${d}`, text: words.join(" "), meta: {} }));
    }
    await writeFile(path.join(dir, `part-${String(f).padStart(3, "0")}.jsonl.gz`), gzipSync(lines.join("\n") + "\n", { level: 1 }));
  }
  await writeFile(marker, JSON.stringify({ planted }));
  return { dir, planted };
}

async function e2eChild() {
  const { runPipelineFile } = await import("../pipeline/cli/run.js");
  const { createReporter } = await import("../pipeline/progress.js");
  const out = values.out!;
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const inputs = path.join(values.data!, "part-*.jsonl.gz");
  const config = path.join(out, "dedup.yaml");
  await writeFile(
    config,
    stringify({
      output: path.join(out, "run"),
      modules: [path.join(here, "../stages/dedup/index.ts")],
      steps: [
        { name: "signatures", read: { paths: inputs }, write: { format: "minhash_signatures" } },
        { name: "buckets", read: { from: "signatures" }, task: { name: "minhash_buckets" }, tasks: BANDS },
        // sharded components: one partition per worker, then the merge task writes the cluster map
        { name: "clusters", read: { from: "buckets" }, task: { name: "minhash_clusters" }, tasks: Number(values.workers) },
        { name: "merged", read: { from: "clusters" }, task: { name: "minhash_clusters_merge" }, tasks: 1 },
        { name: "deduped", read: { paths: inputs }, stages: [{ minhash_filter: { clusters: "merged" } }], write: { format: "jsonl", compression: "none" } },
      ],
    }),
  );
  const start = performance.now();
  const { stats } = await runPipelineFile(config, { builtinModules: [new URL("../stages/index.ts", import.meta.url).href], workers: Number(values.workers), reporter: createReporter(process.stderr, true) });
  const seconds = (performance.now() - start) / 1000;
  const steps = stats.map((s) => ({ step: s.step, taskSeconds: s.wallMs / 1000, counters: s.counters ?? {} }));
  const filter = stats.find((s) => s.step === "deduped")!.stages.find((s) => s.name === "minhash_filter")!;
  process.stdout.write(JSON.stringify({ seconds, maxRssMB: process.resourceUsage().maxRSS / 1024, removed: filter.dropped["minhash_duplicate"] ?? 0, steps }) + "\n");
  await rm(out, { recursive: true, force: true });
}

async function e2e() {
  const docs = Number(values.docs);
  const { dir, planted } = await e2eData(docs);
  const out = path.join(values.data!, "e2e-out");
  const stdout = execFileSync(process.execPath, ["--import", "tsx", path.join(here, "minhash.ts"), "--variant", "e2e", "--data", dir, "--out", out, "--workers", values.workers!], { encoding: "utf8", maxBuffer: 1 << 20 });
  const result = JSON.parse(stdout.trim().split("\n").pop()!) as { seconds: number; maxRssMB: number; removed: number; steps: { step: string; taskSeconds: number; counters: Record<string, number> }[] };
  process.stdout.write(`\n## End to end: ${docs} documents (~1 KB each, ${planted} planted near-duplicates), 4 dedup steps (clusters sharded + merge), --workers ${values.workers}\n\n`);
  process.stdout.write(
    table(
      ["docs", "seconds", "docs/s (4 steps)", "removed", "planted", "peak RSS MB (whole process, all tasks)"],
      [[String(docs), result.seconds.toFixed(1), (docs / result.seconds).toFixed(0), String(result.removed), String(planted), result.maxRssMB.toFixed(0)]],
    ),
  );
  process.stdout.write("(peak RSS is the whole process: worker threads share it, so it covers every task running at once)\n\n");
  process.stdout.write(table(["step", "task-seconds (sum over tasks)", "docs/task-second", "counters"], result.steps.map((s) => [s.step, s.taskSeconds.toFixed(1), (docs / s.taskSeconds).toFixed(0), JSON.stringify(s.counters)])));
}

if (values.variant === "e2e") await e2eChild();
else if (values.only === "speed") await speed();
else if (values.only === "sample" || values.only === "e2e") {
  if (values.only === "e2e") await e2e();
  else {
    const sample = await samplePairs();
    if (typeof sample === "string") process.stdout.write(`(S-curve on the sample corpus skipped: ${sample})\n`);
    else sampleCurve(sample);
  }
} else {
  await speed();
  // f up to 0.35 spans J 0.05 .. 1 for the estimate; f up to 0.09 spans J 0.45 .. 1 for the S-curve.
  unbiasedness(controlledPairs(Number(values.pairs), 0.35, 99));
  sCurve("controlled pairs of 300-word texts", controlledPairs(Number(values.pairs), 0.09, 100));
  const sample = await samplePairs();
  if (typeof sample === "string") process.stdout.write(`\n(S-curve on the sample corpus skipped: ${sample})\n`);
  else sampleCurve(sample);
  if (!values["skip-e2e"]) await e2e();
}
