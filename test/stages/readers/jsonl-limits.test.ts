import { mkdtemp, rm } from "node:fs/promises";
import { createWriteStream } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Doc } from "../../../pipeline/doc.js";
import { MAX_LINE_CHARS } from "../../../core/lines.js";
import { readJsonl } from "../../../stages/readers/jsonl.js";
import { readerContext } from "./context.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "kiln-jsonl-limits-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("jsonl reader", () => {
  it("skips a line longer than the limit as one counted document, naming the file and line, and reads on", async () => {
    const file = path.join(dir, "huge.jsonl");
    const out = createWriteStream(file);
    const head = '{"id":"huge","text":"';
    out.write(`{"id":"a","text":"before"}\n${head}`);
    const block = "x".repeat(1 << 20);
    let chars = head.length + 2;
    for (let written = 0; written <= MAX_LINE_CHARS; written += block.length) {
      out.write(block);
      chars += block.length;
    }
    out.write('"}\n{"id":"b","text":"after"}\n');
    await new Promise((resolve) => out.end(resolve));

    const { ctx, skips, logs } = readerContext();
    const docs: Doc[] = [];
    for await (const doc of readJsonl(file, ctx, { textKey: "text", idKey: "id" })) docs.push(doc);
    expect(docs.map((doc) => doc.id)).toEqual(["a", "b"]);
    expect(skips).toEqual({ "jsonl:line_too_long": 1 });
    expect(logs).toEqual([`jsonl: ${file}:2: skipped: line_too_long: ${chars} characters`]);
  });
});
