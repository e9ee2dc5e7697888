import { mkdir, mkdtemp, readFile, readdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { stringify as toYaml } from "yaml";
import { createReporter, defineCommand, formatStepStats, lines, openRead, runPipelineFile, type StepStats } from "../pipeline/index.js";
import { fileExists, numberFlag, positiveIntegerFlag } from "../core/index.js";
import { generateSample } from "../datasets/index.js";

/** The sample is generated once per seed into the temp folder and reused. */
async function ensureSample(seed: number, pages: number): Promise<{ dir: string; truthFile: string }> {
  const dir = path.join(os.tmpdir(), `kiln-sample-s${seed}-p${pages}`);
  const truthFile = path.join(dir, "truth.jsonl");
  const ready = await fileExists(truthFile);
  if (!ready) await generateSample({ outDir: dir, seed, pages });
  return { dir, truthFile };
}

/**
 * The whole chain as it stands, as a pipeline config a user can copy: the sample's WARC files
 * through the FineWeb recipe (URL filter, extraction, English, Gopher, C4, FineWeb, MinHash, PII).
 */
export function demoPipeline(sampleDir: string, output: string, qualityModel: string) {
  return {
    name: "demo",
    output,
    steps: [
      {
        name: "fineweb",
        read: { format: "warc", paths: path.join(sampleDir, "warc", "*.warc.gz") },
        preset: "fineweb",
        keepExcluded: true,
      },
      {
        // FineWeb-Edu's second pass: a classifier trained on labelled pages scores what the recipe kept.
        name: "quality",
        read: { from: "fineweb" },
        stages: [{ quality: { model: qualityModel } }, { quality_filter: { minScore: 0.5 } }],
        keepExcluded: true,
      },
    ],
  };
}

/**
 * Trains the demo's quality classifier. An LLM would label pages for a real run (`kiln classifier
 * annotate`); here the sample's ground-truth quality stands in for its labels.
 */
async function trainQualityModel(truthFile: string, dir: string): Promise<{ model: string; summary: string }> {
  const rows = (await readFile(truthFile, "utf8")).trim().split("\n").map((l) => JSON.parse(l) as TruthRow & { mainText?: string; quality?: string | null });
  const positive = path.join(dir, "labels-high.jsonl");
  const negative = path.join(dir, "labels-low.jsonl");
  const asLines = (quality: string) => rows.filter((r) => r.quality === quality && r.mainText).map((r) => JSON.stringify({ text: r.mainText })).join("\n") + "\n";
  await writeFile(positive, asLines("high"));
  await writeFile(negative, asLines("low"));
  const model = path.join(dir, "quality-model");
  const { trainClassifier } = await import("../classifiers/index.js");
  const { saved } = await trainClassifier({ data: { positive: [positive], negative: [negative] }, out: model });
  return { model, summary: `quality classifier: trained on ${saved.training.documents} labelled sample pages (high vs low), validation macro F1 ${saved.validation.macroF1.toFixed(3)}` };
}

interface TruthRow {
  id: string;
  kind: string;
  language: string | null;
  cluster: string | null;
  duplicateOf?: string | null;
  targetJaccard?: number | null;
}

function truthSummary(rows: TruthRow[]): string {
  const byKind: Record<string, number> = {};
  const byLanguage: Record<string, number> = {};
  for (const r of rows) {
    byKind[r.kind] = (byKind[r.kind] ?? 0) + 1;
    if (r.language) byLanguage[r.language] = (byLanguage[r.language] ?? 0) + 1;
  }
  const fmt = (m: Record<string, number>) => Object.entries(m).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(", ");
  return `${rows.length} pages: ${fmt(byKind)}\nlanguages: ${fmt(byLanguage)}`;
}

/** What the chain kept of each kind of planted page, English and other languages apart. */
function keptByKind(truth: TruthRow[], kept: Set<string>): string {
  const rows = new Map<string, { en: number; enKept: number; other: number; otherKept: number }>();
  for (const r of truth) {
    const row = rows.get(r.kind) ?? { en: 0, enKept: 0, other: 0, otherKept: 0 };
    if (r.language === "en") {
      row.en++;
      if (kept.has(r.id)) row.enKept++;
    } else {
      row.other++;
      if (kept.has(r.id)) row.otherKept++;
    }
    rows.set(r.kind, row);
  }
  const lines = ["kind             english kept   other kept"];
  for (const [kind, r] of [...rows].sort((a, b) => b[1].en + b[1].other - (a[1].en + a[1].other))) {
    lines.push(`${kind.padEnd(16)} ${`${r.enKept}/${r.en}`.padStart(12)} ${`${r.otherKept}/${r.other}`.padStart(12)}`);
  }
  return lines.join("\n");
}

/** Planted duplicates that reached dedup together with their original: how many dedup removed, by similarity. */
function dedupByJaccard(truth: TruthRow[], beforeDedup: Set<string>, kept: Set<string>): string {
  const byTarget = new Map<number, { pairs: number; removed: number }>();
  for (const r of truth) {
    if (!r.duplicateOf || r.targetJaccard == null) continue;
    if (!beforeDedup.has(r.id) || !beforeDedup.has(r.duplicateOf)) continue;
    const row = byTarget.get(r.targetJaccard) ?? { pairs: 0, removed: 0 };
    row.pairs++;
    // One of the two goes when the pair is caught; count the pair as caught if either was removed.
    if (!kept.has(r.id) || !kept.has(r.duplicateOf)) row.removed++;
    byTarget.set(r.targetJaccard, row);
  }
  const lines = ["planted duplicate pairs that reached dedup, by Jaccard (P = 1-(1-J^8)^14, 14 bands x 8 rows)"];
  for (const [target, r] of [...byTarget].sort((a, b) => b[0] - a[0])) {
    const theory = 1 - (1 - target ** 8) ** 14;
    lines.push(`  J ${target.toFixed(2)}: caught ${r.removed}/${r.pairs}   P ${theory.toFixed(2)}`);
  }
  return lines.join("\n");
}

export function demoReport(stats: StepStats[], truth: TruthRow[], beforeDedup: Set<string>, kept: Set<string>): string {
  const out = ["", "== Kiln demo ==", "", "sample corpus (ground truth)", truthSummary(truth)];
  for (const step of stats) out.push("", `step ${step.step}: ${step.world} task(s), ${step.files} file(s)`, formatStepStats(step));
  const first = stats[0]?.stages[0];
  const last = stats.at(-1)?.stages.at(-1);
  if (first && last) {
    out.push(
      "",
      `documents in ${first.docsOut}, out ${last.docsOut}; text ${(first.bytesOut / 1e6).toFixed(2)} MB in, ${(last.bytesOut / 1e6).toFixed(2)} MB out`,
    );
  }
  for (const step of stats) {
    if (step.counters) out.push(`${step.step}: ${Object.entries(step.counters).map(([k, v]) => `${k} ${v}`).join(", ")}`);
  }
  out.push("", "what the chain kept, by the kind of page the generator planted", keptByKind(truth, kept));
  out.push("", dedupByJaccard(truth, beforeDedup, kept));
  return out.join("\n") + "\n";
}

/**
 * Tokenizer and shards: a small BPE trained on the curated pages, then a mixture of those pages
 * with a small instruction set (its loss mask on the answers only), as Arrow token shards.
 */
async function tokenizeAndMix(output: string, curatedDir: string): Promise<{ shards: string; report: string }> {
  const { buildTokenizer, loadMixtureFile, runMixture, SAMPLE_INSTRUCTIONS } = await import("../datasets/index.js");
  const tokenizer = path.join(output, "tokenizer.json");
  const curatedFiles = (await readdir(curatedDir)).sort().map((f) => path.join(curatedDir, f));
  const built = await buildTokenizer(curatedFiles, { vocabSize: 2048, out: tokenizer });
  const instructions = path.join(output, "instructions.json");
  await writeFile(instructions, JSON.stringify(SAMPLE_INSTRUCTIONS, null, 2));
  // The mixture is written out as a user would write it, then run from that file.
  const mixture = path.join(output, "mixture.yaml");
  await writeFile(
    mixture,
    toYaml({
      tokenizer,
      sources: {
        web: { path: curatedDir, weight: 0.9 },
        sft: { path: instructions, format: "alpaca", template: "chatml", weight: 0.1, maxEpochs: 10 },
      },
      validation: { fraction: 0.05, perSource: true },
      seed: 1,
    }),
  );
  const shards = path.join(output, "shards");
  const manifest = await runMixture(await loadMixtureFile(mixture), { out: shards, log: (line) => process.stderr.write(`${line}\n`) });
  const sources = Object.entries(manifest.sources).map(([name, s]) => `${name} ${s.documents} docs / ${s.tokens} tokens`).join(", ");
  return { shards, report: `tokenizer: ${tokenizer} (vocab ${built.vocabSize}); shards: ${shards} (${manifest.dtype}; ${sources})` };
}

async function keptIds(dataDir: string): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const file of (await readdir(dataDir)).sort()) {
    for await (const line of lines(await openRead(path.join(dataDir, file), {}).then((s) => s.setEncoding("utf8")))) {
      if (line) ids.add((JSON.parse(line) as { id: string }).id);
    }
  }
  return ids;
}

/**
 * The data decision the demo measures: raw extracted text against the FineWeb recipe's output,
 * the same tokenizer, budget and proxy model, two seeds each, scored in bits per byte on English
 * article pages from another sample (pages neither variant has seen).
 */
async function demoAblation(sampleDir: string, output: string, seed: number, builtinModules: string[]): Promise<string> {
  const dir = path.join(output, "ablation");
  await mkdir(dir, { recursive: true });
  const heldOut = await ensureSample(seed + 1000, 200);
  const articles = (await readFile(heldOut.truthFile, "utf8"))
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as TruthRow & { mainText?: string })
    .filter((row) => row.kind === "article" && row.language === "en" && row.mainText);
  await writeFile(path.join(dir, "heldout-articles.jsonl"), articles.map((row) => JSON.stringify({ id: row.id, text: row.mainText })).join("\n") + "\n");
  await writeFile(
    path.join(dir, "raw.yaml"),
    toYaml({ name: "raw", output: path.join(dir, "raw-run"), steps: [{ name: "raw", read: { format: "warc", paths: path.join(sampleDir, "warc", "*.warc.gz") }, stages: ["extract"] }] }),
  );
  await writeFile(
    path.join(dir, "ablation.yaml"),
    toYaml({
      out: "out",
      variants: [
        { name: "raw", pipeline: "raw.yaml" },
        { name: "fineweb", run: output, step: "fineweb" },
      ],
      tokens: 200_000,
      seeds: [1, 2],
      eval: { heldOut: { articles: "heldout-articles.jsonl" } },
    }),
  );
  const { runAblation } = await import("./ablate.js");
  const started = performance.now();
  const { report } = await runAblation(path.join(dir, "ablation.yaml"), builtinModules, (line) => process.stderr.write(line + "\n"));
  return `${report}\n(ablation: ${((performance.now() - started) / 1000).toFixed(0)} s; ${path.join(dir, "ablation.yaml")})`;
}

export function demoCommand(builtinModules: string[]) {
  return defineCommand({
    meta: { name: "demo", description: "run the whole chain on the bundled sample corpus and print a report" },
    args: {
      out: { type: "string", description: "run folder (default: a new temporary folder)" },
      seed: { type: "string", description: "sample corpus seed", default: "1" },
      pages: { type: "string", description: "sample corpus pages", default: "600" },
      workers: { type: "string", description: "worker threads; default: number of cores" },
      "train-steps": { type: "string", description: "GPT pretraining steps (LoRA fine-tuning gets a third as many); about a minute on two cores", default: "750" },
      ablation: { type: "boolean", description: "end with a data ablation: raw extracted text vs the FineWeb recipe (--no-ablation skips it)", default: true },
    },
    async run({ args }) {
      const seed = numberFlag("seed", args.seed, { integer: true });
      const sample = await ensureSample(seed, positiveIntegerFlag("pages", args.pages)!);
      const output = args.out ? path.resolve(args.out) : await mkdtemp(path.join(os.tmpdir(), "kiln-demo-"));
      await mkdir(output, { recursive: true });
      const configFile = path.join(output, "pipeline.yaml");
      const quality = await trainQualityModel(sample.truthFile, output);
      await writeFile(configFile, toYaml(demoPipeline(sample.dir, output, quality.model)));
      const { stats } = await runPipelineFile(configFile, {
        builtinModules,
        reporter: createReporter(process.stderr),
        ...(args.workers ? { workers: positiveIntegerFlag("workers", args.workers) } : {}),
      });
      const truth = (await readFile(sample.truthFile, "utf8")).trim().split("\n").map((l) => JSON.parse(l) as TruthRow);
      const beforeDedup = await keptIds(path.join(output, stats[0]?.step ?? "", "data"));
      const curated = await keptIds(path.join(output, "fineweb", "data"));
      const passed = await keptIds(path.join(output, "quality", "data"));
      process.stdout.write(demoReport(stats, truth, beforeDedup, curated));
      process.stdout.write(`\n${quality.summary}\nof the ${curated.size} curated pages, ${passed.size} pass the classifier (score >= 0.5)\n`);
      const mixed = await tokenizeAndMix(output, path.join(output, "quality", "data"));
      process.stdout.write(`\n${mixed.report}\n`);
      const steps = numberFlag("train-steps", args["train-steps"], { integer: true, min: 0 });
      const { demoTraining } = await import("../trainer/demo.js");
      const trained = await demoTraining({
        shards: mixed.shards,
        tokenizer: path.join(output, "tokenizer.json"),
        out: path.join(output, "model"),
        pretrainSteps: steps,
        finetuneSteps: Math.max(5, Math.round(steps / 3)),
        log: (line) => process.stderr.write(line + "\n"),
      });
      process.stdout.write(`\n${trained.report}\n`);
      if (args.ablation) {
        const ablation = await demoAblation(sample.dir, output, seed, builtinModules);
        process.stdout.write(`\n${ablation}\n`);
      }
      const { writeRunReport } = await import("./inspect.js");
      const html = await writeRunReport(output);
      process.stdout.write(`\nrun folder: ${output} (pipeline.yaml, per-step data/, stats.json, excluded/, logs/, ablation/)\n`);
      process.stdout.write(`report: ${html}; read the run page by page with: npx kiln inspect ${output}\n`);
    },
  });
}
