/**
 * Engine throughput: ~1 GB of gzipped JSONL through a pass-through stage to uncompressed JSONL.
 * Baseline: a bare single-threaded loop (gunzip, split lines, JSON.parse, JSON.stringify, write)
 * over the same files. Each variant runs in its own child process so peak RSS is its own.
 *
 *   npm run bench -- engine [--gb 1] [--runs 3] [--data DIR]
 */
import { execFileSync } from "node:child_process";
import { once } from "node:events";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createGunzip, gzipSync } from "node:zlib";
import { stringify } from "yaml";
import { formatTable, median } from "./_report.js";

const { values } = parseArgs({
  options: {
    gb: { type: "string", default: "1" },
    runs: { type: "string", default: "3" },
    data: { type: "string", default: path.join(os.tmpdir(), "kiln-bench-engine") },
    variant: { type: "string" },
    out: { type: "string" },
    workers: { type: "string" },
  },
});
const dataDir = path.resolve(values.data!, `gb${values.gb}`);
const here = path.dirname(new URL(import.meta.url).pathname);

/** Deterministic word salad that compresses about like web text (~3x with gzip). */
async function ensureData(gigabytes: number): Promise<string[]> {
  await mkdir(dataDir, { recursive: true });
  const existing = (await readdir(dataDir)).filter((f) => f.endsWith(".jsonl.gz")).sort();
  if (existing.length > 0) return existing.map((f) => path.join(dataDir, f));
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const syllables = ["ka", "lo", "mi", "te", "ra", "sun", "ber", "gol", "in", "tri", "an", "de", "vo", "ple", "xis", "or", "ma", "qua", "zen", "ti"];
  const vocabulary = Array.from({ length: 20000 }, () => Array.from({ length: 1 + Math.floor(rand() * 3.5) }, () => syllables[Math.floor(rand() * syllables.length)]).join(""));
  const zipf = () => vocabulary[Math.floor(vocabulary.length * rand() ** 3)]!;
  const target = gigabytes * 1e9;
  const files = 16;
  let written = 0;
  const paths: string[] = [];
  for (let f = 0; f < files; f++) {
    const parts: Buffer[] = [];
    let size = 0;
    let id = 0;
    while (size < target / files) {
      const lines: string[] = [];
      for (let d = 0; d < 2000; d++) {
        const words = 200 + Math.floor(rand() * 1200);
        let text = "";
        for (let w = 0; w < words; w++) text += (w % 17 === 16 ? ".\n" : " ") + zipf();
        lines.push(JSON.stringify({ id: `bench-${f}-${id++}`, text, url: `https://example.org/${f}/${id}`, meta: { bench: true } }));
      }
      const chunk = gzipSync(lines.join("\n") + "\n", { level: 1 });
      parts.push(chunk);
      size += chunk.length;
    }
    const file = path.join(dataDir, `part-${String(f).padStart(3, "0")}.jsonl.gz`);
    await writeFile(file, Buffer.concat(parts));
    paths.push(file);
    written += size;
    process.stderr.write(`generated ${file} (${(written / 1e9).toFixed(2)} GB so far)\n`);
  }
  return paths;
}

async function bareLoop(files: string[], outDir: string): Promise<void> {
  await mkdir(outDir, { recursive: true });
  for (const file of files) {
    const out = createWriteStream(path.join(outDir, path.basename(file, ".gz")));
    const input = createReadStream(file).pipe(createGunzip());
    input.setEncoding("utf8");
    let rest = "";
    let batch = "";
    for await (const chunk of input as AsyncIterable<string>) {
      const lines = (rest + chunk).split("\n");
      rest = lines.pop()!;
      for (const line of lines) if (line) batch += JSON.stringify(JSON.parse(line)) + "\n";
      if (batch.length > 1 << 16) {
        if (!out.write(batch)) await once(out, "drain");
        batch = "";
      }
    }
    if (rest) batch += JSON.stringify(JSON.parse(rest)) + "\n";
    out.end(batch);
    await once(out, "finish");
  }
}

async function engine(files: string[], outDir: string, workers: number): Promise<void> {
  const { runPipelineFile } = await import("../pipeline/cli/run.js");
  const { createReporter } = await import("../pipeline/progress.js");
  await mkdir(outDir, { recursive: true });
  const config = path.join(outDir, "pipeline.yaml");
  await writeFile(
    config,
    stringify({
      output: path.join(outDir, "run"),
      modules: [path.join(here, "_passthrough.ts")],
      steps: [{ name: "pass", read: { format: "jsonl", paths: files }, stages: ["passthrough"], write: { format: "jsonl", compression: "none" } }],
    }),
  );
  const builtinModules = [new URL("../stages/index.ts", import.meta.url).href];
  await runPipelineFile(config, { builtinModules, workers, reporter: createReporter(process.stderr, true) });
}

async function child(): Promise<void> {
  const files = (await readdir(dataDir)).filter((f) => f.endsWith(".jsonl.gz")).sort().map((f) => path.join(dataDir, f));
  const started = performance.now();
  if (values.variant === "bare") await bareLoop(files, values.out!);
  else await engine(files, values.out!, Number(values.workers));
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(JSON.stringify({ seconds, maxRssMB: process.resourceUsage().maxRSS / 1024 }) + "\n");
}


async function main(): Promise<void> {
  const files = await ensureData(Number(values.gb));
  const sizes = await Promise.all(files.map((f) => stat(f)));
  const gzBytes = sizes.reduce((a, s) => a + s.size, 0);
  const variants = [
    { name: "bare loop, 1 thread (baseline)", args: ["--variant", "bare"] },
    { name: "engine --workers 1", args: ["--variant", "engine", "--workers", "1"] },
    { name: "engine --workers 2", args: ["--variant", "engine", "--workers", "2"] },
  ];
  const runs = Number(values.runs);
  const results = variants.map(() => ({ seconds: [] as number[], rss: [] as number[] }));
  const out = path.join(os.tmpdir(), "kiln-bench-engine-out");
  for (let r = 0; r < runs; r++) {
    for (const [i, v] of variants.entries()) {
      await rm(out, { recursive: true, force: true });
      const stdout = execFileSync(process.execPath, ["--import", "tsx", path.join(here, "engine.ts"), "--gb", values.gb!, "--data", values.data!, "--out", out, ...v.args], { encoding: "utf8", maxBuffer: 1 << 20 });
      const result = JSON.parse(stdout.trim().split("\n").at(-1)!) as { seconds: number; maxRssMB: number };
      results[i]!.seconds.push(result.seconds);
      results[i]!.rss.push(result.maxRssMB);
      process.stderr.write(`run ${r + 1}/${runs} ${v.name}: ${result.seconds.toFixed(1)} s, peak RSS ${result.maxRssMB.toFixed(0)} MB\n`);
    }
  }
  await rm(out, { recursive: true, force: true });
  const base = gzBytes / 1e6 / median(results[0]!.seconds);
  const rows = variants.map((v, i) => {
    const mbps = gzBytes / 1e6 / median(results[i]!.seconds);
    return [v.name, (median(results[i]!.seconds)).toFixed(1), mbps.toFixed(1), Math.max(...results[i]!.rss).toFixed(0), (mbps / base).toFixed(2)];
  });
  const header = ["variant", "median s", "MB/s (gz in)", "peak RSS MB", "vs baseline"];
  console.log(`\nengine benchmark: ${files.length} files, ${(gzBytes / 1e9).toFixed(2)} GB gzipped JSONL, ${runs} run(s) each, ${os.availableParallelism()} cores`);
  console.log(formatTable([header, ...rows]));
  console.log("targets: engine --workers 1 >= 0.5x baseline; --workers 2 > 1.0x; peak RSS < 500 MB");
}

if (values.variant) await child();
else await main();
