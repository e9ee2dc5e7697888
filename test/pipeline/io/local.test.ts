import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { buffer } from "node:stream/consumers";
import { gunzipSync, gzipSync } from "node:zlib";
import { decompress as fzstdDecompress } from "fzstd";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { listFiles, openRead, openWriteAtomic, readChunks, readText, writeFileAtomic } from "../../../core/io/index.js";
import { sampleBytes } from "./helpers.js";

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "kiln-io-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function touch(...names: string[]): Promise<void> {
  for (const name of names) {
    await mkdir(join(dir, name, ".."), { recursive: true });
    await writeFile(join(dir, name), name);
  }
}

describe("listFiles (local)", () => {
  it("expands globs to sorted absolute file paths", async () => {
    await touch("a/x.warc.gz", "a/b/y.warc.gz", "a/z.txt", "c.warc.gz", "B.warc.gz");
    await mkdir(join(dir, "folder.gz"));
    expect(await listFiles(`${dir}/**/*.gz`)).toEqual([
      join(dir, "B.warc.gz"), // plain code-unit order: upper case before lower case
      join(dir, "a/b/y.warc.gz"),
      join(dir, "a/x.warc.gz"),
      join(dir, "c.warc.gz"),
    ]);
    expect(await listFiles(`${dir}/a/*.{gz,txt}`)).toEqual([join(dir, "a/x.warc.gz"), join(dir, "a/z.txt")]);
  });

  it("de-duplicates overlapping patterns and resolves plain relative paths", async () => {
    await touch("a/x.gz", "a/y.gz");
    const relativeX = relative(process.cwd(), join(dir, "a/x.gz"));
    expect(await listFiles([`${dir}/a/*.gz`, relativeX, `${dir}/a/y.gz`])).toEqual([
      join(dir, "a/x.gz"),
      join(dir, "a/y.gz"),
    ]);
  });

  it("passes URLs through, sorted with the rest", async () => {
    await touch("local.gz");
    const files = await listFiles(["https://data.example/b.gz", `${dir}/*.gz`, "http://data.example/a.gz"]);
    expect(files).toEqual([join(dir, "local.gz"), "http://data.example/a.gz", "https://data.example/b.gz"].sort());
  });

  it("fails naming the pattern that matched nothing", async () => {
    await touch("a/x.gz");
    const pattern = `${dir}/**/*.zst`;
    await expect(listFiles([`${dir}/a/*.gz`, pattern])).rejects.toMatchObject({
      code: "no_input",
      message: `no files match ${pattern}`,
    });
    await expect(listFiles(join(dir, "missing.jsonl"))).rejects.toMatchObject({ code: "no_input" });
    await expect(listFiles(join(dir, "a"))).rejects.toMatchObject({ code: "no_input" });
  });
});

describe("openRead / readText (local)", () => {
  it("decompresses by extension unless told not to", async () => {
    const text = "{\"id\":\"1\",\"text\":\"héllo\"}\n".repeat(1000);
    const path = join(dir, "docs.jsonl.gz");
    await writeFile(path, gzipSync(text));
    expect(await readText(path)).toBe(text);
    const raw = await buffer(await openRead(path, { decompress: false }));
    expect(raw.equals(await readFile(path))).toBe(true);
  });

  it("rejects a missing file at once and a corrupt one while reading, naming the file", async () => {
    const missing = join(dir, "missing.jsonl");
    await expect(openRead(missing)).rejects.toMatchObject({ code: "not_found", message: `${missing}: no such file` });
    const corrupt = join(dir, "corrupt.jsonl.gz");
    await writeFile(corrupt, "this is not gzip");
    await expect(readText(corrupt)).rejects.toMatchObject({
      code: "read_error",
      message: expect.stringContaining(corrupt),
    });
  });
});

describe("readChunks (local)", () => {
  it("gives the file's bytes exactly, across several reads, compressed or not, and stops early cleanly", async () => {
    const bytes = sampleBytes(700_000); // more than two of its reads
    await writeFile(join(dir, "raw.bin"), bytes);
    await writeFile(join(dir, "packed.bin.gz"), gzipSync(bytes));
    const all = async (path: string) => {
      const parts: Uint8Array[] = [];
      for await (const chunk of await readChunks(path)) parts.push(chunk);
      return Buffer.concat(parts);
    };
    expect((await all(join(dir, "raw.bin"))).equals(bytes)).toBe(true);
    expect((await all(join(dir, "packed.bin.gz"))).equals(bytes)).toBe(true);
    // Leaving after the first chunk closes the file; reading it again works.
    for await (const chunk of await readChunks(join(dir, "raw.bin"))) {
      expect(chunk.length).toBeGreaterThan(0);
      break;
    }
    expect((await all(join(dir, "raw.bin"))).equals(bytes)).toBe(true);
    await expect(readChunks(join(dir, "missing.bin"))).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("openWriteAtomic", () => {
  it("shows nothing under the target name before commit, the whole file after", async () => {
    const target = join(dir, "out/deeper/part-0.jsonl.zst");
    const data = sampleBytes(300_000, 5);
    const writer = openWriteAtomic(target);
    writer.stream.write(data.subarray(0, 100_000));
    writer.stream.write(data.subarray(100_000));
    // The temporary file is opened asynchronously; the target name must stay free meanwhile.
    const before = await vi.waitFor(async () => {
      const names = await readdir(join(dir, "out/deeper"));
      expect(names).toHaveLength(1);
      return names;
    });
    expect(before[0]).toMatch(new RegExp(`^part-0\\.jsonl\\.zst\\.tmp-${process.pid}-[0-9a-f]+$`));
    await writer.commit();
    expect(await readdir(join(dir, "out/deeper"))).toEqual(["part-0.jsonl.zst"]);
    expect(Buffer.from(fzstdDecompress(await readFile(target))).equals(data)).toBe(true);
  });

  it("leaves no file behind after abort", async () => {
    const writer = openWriteAtomic(join(dir, "part-1.jsonl.gz"));
    writer.stream.write("half of a document");
    await writer.abort();
    expect(await readdir(dir)).toEqual([]);
  });

  it("leaves no file behind when aborted at once", async () => {
    const writer = openWriteAtomic(join(dir, "part-2.jsonl"));
    await writer.abort();
    expect(await readdir(dir)).toEqual([]);
  });

  it("replaces an existing file only on commit, at the level asked for", async () => {
    const target = join(dir, "stats.json.gz");
    await writeFileAtomic(target, "old");
    const writer = openWriteAtomic(target, { level: 9 });
    writer.stream.end("new");
    expect(gunzipSync(await readFile(target)).toString()).toBe("old");
    await writer.commit();
    const written = await readFile(target);
    expect(gunzipSync(written).toString()).toBe("new");
    expect(written.equals(gzipSync("new", { level: 9 }))).toBe(true);
  });

  it("writeFileAtomic and readText round-trip", async () => {
    const target = join(dir, "notes.txt");
    await writeFileAtomic(target, "line one\nline two\n");
    expect(await readText(target)).toBe("line one\nline two\n");
    await writeFileAtomic(target, new Uint8Array([104, 105]));
    expect(await readText(target)).toBe("hi");
  });

  it("refuses http(s) targets: URLs are read-only", () => {
    expect(() => openWriteAtomic("https://host/out.jsonl")).toThrow(expect.objectContaining({ code: "unsupported" }));
  });
});
