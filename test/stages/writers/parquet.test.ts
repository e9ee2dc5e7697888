import { mkdtemp, readdir, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parquetMetadata } from "hyparquet";
import { beforeAll, describe, expect, it } from "vitest";
import type { Doc } from "../../../pipeline/doc.js";
import { getSpec } from "../../../pipeline/registry.js";
import "../../../stages/readers/index.js";
import { writeParquet } from "../../../stages/writers/parquet.js";
import "../../../stages/writers/parquet.js";
import { recordingContext } from "../filters/helpers.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "kiln-parquet-writer-"));
});

/** Documents with every optional field present or absent and meta of varying shape. */
const documents = (n: number): Doc[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `doc-${i}`,
    text: `Text ${i} — ${"日本語 é ".repeat(i % 5)}end.`,
    ...(i % 3 === 0 ? {} : { url: `https://example.org/${i}` }),
    ...(i % 4 === 0 ? { source: "web" } : {}),
    meta: i % 7 === 0 ? {} : { language: "en", score: i / 8, nested: { tags: [i, "x"], ok: i % 2 === 0 } },
  }));

async function* stream(docs: Doc[]) {
  yield* docs;
}

async function readBack(file: string): Promise<Doc[]> {
  const spec = getSpec("reader", "parquet");
  const out: Doc[] = [];
  for await (const doc of spec.create(spec.params.parse({})).read(file, recordingContext())) out.push(doc);
  return out;
}

const params = (over: Record<string, unknown> = {}) => getSpec("writer", "parquet").params.parse(over) as Parameters<typeof writeParquet>[2];

describe("parquet writer", () => {
  it.each(["snappy", "gzip", "uncompressed"] as const)("round-trips documents through the parquet reader, a row group per rowGroupDocs (%s)", async (codec) => {
    const docs = documents(2300);
    const file = path.join(dir, `docs-${codec}.parquet`);
    await writeParquet(stream(docs), file, params({ codec, rowGroupDocs: 1000 }));
    const bytes = await readFile(file);
    const metadata = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    expect(metadata.row_groups.map((g) => Number(g.num_rows))).toEqual([1000, 1000, 300]);
    expect(metadata.schema.map((c) => c.name)).toEqual(["root", "id", "text", "url", "source", "meta"]);
    expect(await readBack(file)).toEqual(docs);
  });

  it("closes a row group at rowGroupBytes of text", async () => {
    const docs = Array.from({ length: 12 }, (_, i) => ({ id: String(i), text: "x".repeat(1000), meta: {} }));
    const file = path.join(dir, "bytes.parquet");
    await writeParquet(stream(docs), file, params({ rowGroupBytes: 5000 }));
    const bytes = await readFile(file);
    expect(parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)).row_groups.map((g) => Number(g.num_rows))).toEqual([5, 5, 2]);
  });

  it("writes a valid empty file for no documents, and nothing at all when the source fails", async () => {
    const empty = path.join(dir, "empty.parquet");
    await writeParquet(stream([]), empty, params());
    expect(await readBack(empty)).toEqual([]);
    const failing = path.join(dir, "failing", "out.parquet");
    async function* broken() {
      yield* documents(1500);
      throw new Error("source broke");
    }
    await expect(writeParquet(broken(), failing, params({ rowGroupDocs: 1000 }))).rejects.toThrow("source broke");
    expect(await readdir(path.dirname(failing))).toEqual([]);
  });
});
