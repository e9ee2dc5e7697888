import { access, readFile, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import "../../stages/index.js";
import { runPipelineFile } from "../../pipeline/cli/run.js";
import { resolvePipeline } from "../../pipeline/config.js";
import { createReporter } from "../../pipeline/progress.js";
import { BUCKET, useFakeS3 } from "./io/fake-s3.js";
import { builtinModules, parseLines, readStepData, tempDir, writeConfig, writeInputs } from "./helpers.js";

const startFakeS3 = useFakeS3();
const quiet = createReporter(process.stderr, true);
const exists = (p: string) => access(p).then(() => true, () => false);

const step = (name: string, extra: Record<string, unknown> = {}) => ({ name, read: { format: "jsonl", paths: "in/*.jsonl" }, ...extra });

function configError(config: unknown): string {
  try {
    resolvePipeline(config, "p.yaml", "/base");
  } catch (error) {
    expect(error).toMatchObject({ code: "bad_config" });
    return (error as Error).message;
  }
  throw new Error("expected a config error");
}

describe("a step's data location (config)", () => {
  it("resolves a folder against the config's folder and drops an s3 prefix's trailing slashes", () => {
    const resolved = resolvePipeline(
      { output: "runs/x", steps: [step("a", { data: "elsewhere/a" }), step("b", { data: "s3://bucket/run/b//" }), step("c")] },
      "p.yaml",
      "/base",
    );
    expect(resolved.steps.map((s) => s.data)).toEqual(["/base/elsewhere/a", "s3://bucket/run/b", undefined]);
    // A step without `data` resolves as before, so existing run folders keep their config.json.
    expect("data" in resolved.steps[2]!).toBe(false);
  });

  it("names the file, the step and the field of a bad location", () => {
    const one = (data: unknown) => configError({ output: "o", steps: [step("clean", { data })] });
    expect(one("https://host/data")).toBe("p.yaml: steps[0] (clean): data: expected a local folder or an s3:// prefix, got https://host/data");
    expect(one("s3:///prefix")).toBe("p.yaml: steps[0] (clean): data: expected s3://bucket/prefix, got s3:///prefix");
    expect(one("s3://bucket/run-*")).toContain("p.yaml: steps[0] (clean): data: \"s3://bucket/run-*\" contains a glob character");
    expect(one(7)).toMatch(/^p\.yaml \(step clean\): steps\[0\]\.data: /);
  });

  it("refuses two steps writing to one location, including another step's default", () => {
    const same = { output: "/o", steps: [step("a", { data: "s3://b/x" }), step("b", { data: "s3://b/x/" })] };
    expect(configError(same)).toBe('p.yaml: steps[1] (b): data: step "a" already writes its data to s3://b/x');
    const defaultOfA = { output: "/o", steps: [step("a"), step("b", { data: "/o/a/data" })] };
    expect(configError(defaultOfA)).toBe('p.yaml: steps[1] (b): data: step "a" already writes its data to /o/a/data');
  });

  it("keeps whole-step tasks on local files: no s3 data of their own, none to read", () => {
    const own = { output: "/o", steps: [step("sig"), { name: "buckets", read: { from: "sig" }, task: { name: "minhash_buckets" }, data: "s3://b/buckets" }] };
    expect(configError(own)).toBe("p.yaml: steps[1] (buckets): data: whole-step task minhash_buckets writes local files; give a local folder, not s3://b/buckets");
    const input = { output: "/o", steps: [step("sig", { data: "s3://b/sig" }), { name: "buckets", read: { from: "sig" }, task: { name: "minhash_buckets" } }] };
    expect(configError(input)).toBe(
      'p.yaml: steps[1] (buckets): read.from: whole-step task minhash_buckets reads local files, but step "sig" writes its data to s3://b/sig; give "sig" a local data folder',
    );
    const local = resolvePipeline({ output: "/o", steps: [step("sig"), { name: "buckets", read: { from: "sig" }, task: { name: "minhash_buckets" }, data: "/d/buckets" }] }, "p.yaml");
    expect(local.steps[1]?.data).toBe("/d/buckets");
  });
});

/** A JSONL source -> `clean` (data wherever `cleanData` says) -> `sample`, read from `clean`, written locally. */
async function runTwoSteps(dir: string, name: string, cleanData?: string) {
  const config = await writeConfig(
    dir,
    {
      output: path.join(dir, name),
      steps: [
        {
          name: "clean",
          read: { format: "jsonl", paths: path.join(dir, "*.jsonl.gz") },
          stages: [{ text_length: { minChars: 30 } }],
          write: { format: "jsonl", compression: "gzip" },
          ...(cleanData ? { data: cleanData } : {}),
        },
        { name: "sample", read: { from: "clean" }, stages: ["sampler"], write: { format: "jsonl", compression: "none" } },
      ],
    },
    `${name}.yaml`,
  );
  const { stats } = await runPipelineFile(config, { builtinModules, workers: 2, reporter: quiet });
  return { output: path.join(dir, name), stats };
}

async function folderBytes(folder: string): Promise<Map<string, Buffer>> {
  const names = (await readdir(folder)).sort();
  return new Map(await Promise.all(names.map(async (n) => [n, await readFile(path.join(folder, n))] as const)));
}

describe("a step's data location (runs)", () => {
  it("gives the same output with `clean` writing locally, to another folder, or to s3://", async () => {
    process.env["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE";
    process.env["AWS_SECRET_ACCESS_KEY"] = "fake-secret";
    const fake = await startFakeS3();
    const dir = await tempDir();
    await writeInputs(dir, 3, 30);

    const local = await runTwoSteps(dir, "local");
    const folder = await runTwoSteps(dir, "folder", "folder-data/clean");
    const s3 = await runTwoSteps(dir, "s3", `s3://${BUCKET}/run/clean/`);

    // `clean`'s files: one per rank, byte for byte the same wherever they went.
    const expected = await folderBytes(path.join(local.output, "clean", "data"));
    expect([...expected.keys()]).toEqual(["00000.jsonl.gz", "00001.jsonl.gz", "00002.jsonl.gz"]);
    const inFolder = await folderBytes(path.join(dir, "folder-data", "clean"));
    const inS3 = new Map([...fake.objects].filter(([key]) => key.startsWith("run/clean/")).map(([key, bytes]) => [key.slice("run/clean/".length), bytes]));
    for (const copy of [inFolder, inS3]) {
      expect([...copy.keys()].sort()).toEqual([...expected.keys()]);
      for (const [name, bytes] of expected) expect(copy.get(name)?.equals(bytes)).toBe(true);
    }
    expect(fake.puts.map((put) => put.key).sort()).toEqual(["run/clean/00000.jsonl.gz", "run/clean/00001.jsonl.gz", "run/clean/00002.jsonl.gz"]);
    // Worker threads and the planner alike signed with the credentials from the env.
    expect(fake.seen.every((request) => request.authorization?.startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"))).toBe(true);

    // `sample` read them back (from the folder, from S3) into the same local output.
    const sampled = await readStepData(local.output, "sample");
    expect([...sampled.values()].flatMap(parseLines).length).toBeGreaterThan(0);
    expect([...sampled.values()].flatMap(parseLines).length).toBe(local.stats[1]?.stages.at(-1)?.docsOut);
    for (const other of [folder, s3]) {
      expect(await readStepData(other.output, "sample")).toEqual(sampled);
      expect(other.stats.map((s) => s.stages.map((st) => [st.name, st.docsIn, st.docsOut]))).toEqual(
        local.stats.map((s) => s.stages.map((st) => [st.name, st.docsIn, st.docsOut])),
      );
      // The data went elsewhere; the bookkeeping stayed in the run folder.
      expect(await exists(path.join(other.output, "clean", "data"))).toBe(false);
      expect((await readdir(path.join(other.output, "clean", "completions"))).sort()).toEqual(["00000", "00001", "00002"]);
    }
    const plan = JSON.parse(await readFile(path.join(s3.output, "sample", "plan.json"), "utf8")) as { files: string[] };
    expect(plan.files).toEqual([0, 1, 2].map((r) => `s3://${BUCKET}/run/clean/0000${r}.jsonl.gz`));
    const config = JSON.parse(await readFile(path.join(s3.output, "config.json"), "utf8")) as { steps: { data?: string }[] };
    expect(config.steps[0]?.data).toBe(`s3://${BUCKET}/run/clean`);

    // Resume: a rank whose completion marker is missing runs again and overwrites its object.
    await rm(path.join(s3.output, "clean", "completions", "00001"));
    await runTwoSteps(dir, "s3", `s3://${BUCKET}/run/clean/`);
    expect(fake.puts.filter((put) => put.key === "run/clean/00001.jsonl.gz")).toHaveLength(2);
    expect(fake.puts).toHaveLength(4);
    expect(fake.objects.get("run/clean/00001.jsonl.gz")?.equals(expected.get("00001.jsonl.gz") ?? Buffer.alloc(0))).toBe(true);
    expect(await readStepData(s3.output, "sample")).toEqual(sampled);
  });
});
