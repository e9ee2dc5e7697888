import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Doc } from "../../../pipeline/doc.js";
import { getSpec } from "../../../pipeline/registry.js";
import "../../../stages/readers/index.js";
import { httpResponseBlock, serializeWarcRecord, warcRecordId } from "../../../datasets/sample/warc-writer.js";
import { compressor } from "../../../core/io/compression.js";
import { through } from "../../pipeline/io/helpers.js";
import { readerContext } from "./context.js";

/** Whole files with damage a real crawl or a careless `cat` produces, read through real storage. */

const idOf = (file: number, n: number) => warcRecordId(`00000000-0000-0000-${String(file).padStart(4, "0")}-${String(n).padStart(12, "0")}`);

function page(file: number, n: number): Buffer {
  const { block, payload } = httpResponseBlock("HTTP/1.1 200 OK", [["Content-Type", "text/html"]], Buffer.from(`<html><p>page ${file}.${n}</p></html>`));
  return serializeWarcRecord({ type: "response", recordId: idOf(file, n), date: "2024-05-01T12:00:00Z", targetUri: `http://example.com/${n}`, block, payload });
}

/** A WARC.gz as crawlers write it: one gzip member per record. */
const warcGz = (file: number, count: number) => Buffer.concat(Array.from({ length: count }, (_, n) => gzipSync(page(file, n))));
const idsOf = (file: number, count: number) => Array.from({ length: count }, (_, n) => idOf(file, n));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "kiln-damaged-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function read(reader: string, name: string, bytes: Buffer) {
  const file = path.join(dir, name);
  await writeFile(file, bytes);
  const spec = getSpec("reader", reader);
  const { ctx, skips, logs } = readerContext();
  const docs: Doc[] = [];
  for await (const doc of spec.create(spec.params.parse({})).read(file, ctx)) docs.push(doc);
  return { docs, skips, logs, file };
}

describe("WARC files joined or damaged", () => {
  it("reads every record of two files joined with zero padding", async () => {
    const { docs, skips } = await read("warc", "zeros.warc.gz", Buffer.concat([warcGz(1, 250), Buffer.alloc(512), warcGz(2, 250)]));
    expect(docs.map((doc) => doc.id)).toEqual([...idsOf(1, 250), ...idsOf(2, 250)]);
    expect(skips).toEqual({});
  });

  it("reads every record of two files joined with a stray byte, and counts the byte", async () => {
    const first = warcGz(1, 250);
    const { docs, skips, logs, file } = await read("warc", "x.warc.gz", Buffer.concat([first, Buffer.from("X"), warcGz(2, 250)]));
    expect(docs.map((doc) => doc.id)).toEqual([...idsOf(1, 250), ...idsOf(2, 250)]);
    expect(skips).toEqual({ "warc:corrupt_gzip": 1 });
    expect(logs).toEqual([`warc: ${file} at compressed offset ${first.length}: corrupt_gzip: 1 bytes that are not gzip data`]);
  });

  it("counts a corrupt member and returns the records around it", async () => {
    const members = Array.from({ length: 5 }, (_, n) => gzipSync(page(3, n)));
    const broken = Buffer.from(members[2]!);
    broken.fill(0x55, 20, 60);
    const { docs, skips } = await read("warc", "corrupt.warc.gz", Buffer.concat([members[0]!, members[1]!, broken, members[3]!, members[4]!]));
    expect(docs.map((doc) => doc.id)).toEqual([idOf(3, 0), idOf(3, 1), idOf(3, 3), idOf(3, 4)]);
    expect(skips).toEqual({ "warc:corrupt_gzip": 1 });
  });

  it("counts a record without WARC-Type instead of ignoring it", async () => {
    const untyped = page(4, 1).toString("latin1").replace("WARC-Type: response\r\n", "");
    const { docs, skips, logs } = await read("warc", "untyped.warc.gz", Buffer.concat([gzipSync(page(4, 0)), gzipSync(Buffer.from(untyped, "latin1"))]));
    expect(docs.map((doc) => doc.id)).toEqual([idOf(4, 0)]);
    expect(skips).toEqual({ "warc:malformed_record": 1 });
    expect(logs[0]).toMatch(/malformed_record: missing WARC-Type$/);
  });

  it("counts a record of a type WARC does not define, and not a request or metadata record", async () => {
    const odd = page(6, 1).toString("latin1").replace("WARC-Type: response", "WARC-Type: rfsponse");
    const request = page(6, 2).toString("latin1").replace("WARC-Type: response", "WARC-Type: request");
    const file = Buffer.concat([page(6, 0), Buffer.from(odd, "latin1"), Buffer.from(request, "latin1")].map((record) => gzipSync(record)));
    const { docs, skips, logs } = await read("warc", "odd.warc.gz", file);
    expect(docs.map((doc) => doc.id)).toEqual([idOf(6, 0)]);
    expect(skips).toEqual({ "warc:unknown_warc_type": 1 });
    expect(logs[0]).toMatch(/unknown_warc_type: "rfsponse"$/);
  });

  it("counts a WET record without WARC-Type", async () => {
    const conversion = (n: number, type: boolean) =>
      Buffer.from(
        ["WARC/1.0", ...(type ? ["WARC-Type: conversion"] : []), `WARC-Record-ID: ${idOf(5, n)}`, "Content-Length: 5", "", "hello", "", ""].join("\r\n"),
      );
    const { docs, skips } = await read("wet", "x.warc.wet.gz", Buffer.concat([gzipSync(conversion(0, true)), gzipSync(conversion(1, false))]));
    expect(docs.map((doc) => doc.id)).toEqual([idOf(5, 0)]);
    expect(skips).toEqual({ "wet:malformed_record": 1 });
  });
});

describe("JSONL files joined or damaged", () => {
  it("reads the lines on both sides of garbage between two .jsonl.gz files and counts the garbage", async () => {
    const lines = (from: number) => Array.from({ length: 3 }, (_, i) => JSON.stringify({ id: `d${from + i}`, text: "t" })).join("\n") + "\n";
    const { docs, skips } = await read("jsonl", "joined.jsonl.gz", Buffer.concat([gzipSync(lines(0)), Buffer.from("garbage"), gzipSync(lines(3))]));
    expect(docs.map((doc) => doc.id)).toEqual(["d0", "d1", "d2", "d3", "d4", "d5"]);
    expect(skips).toEqual({ "jsonl:corrupt_gzip": 1 });
  });

  it("reads the lines of a .jsonl.zst cut short up to the cut, and counts the cut and its broken line", async () => {
    const text = Array.from({ length: 2000 }, (_, i) => JSON.stringify({ id: `d${i}`, text: `document ${i} ${"word ".repeat(i % 40)}` })).join("\n") + "\n";
    const compressed = await through(compressor("zstd")!, Buffer.from(text));
    const { docs, skips, logs, file } = await read("jsonl", "cut.jsonl.zst", compressed.subarray(0, Math.floor(compressed.length / 2)));
    // What came out is the file's first lines, in order; the line the cut went through is bad JSON.
    expect(docs.length).toBeGreaterThan(0);
    expect(docs.map((doc) => doc.id)).toEqual(Array.from({ length: docs.length }, (_, i) => `d${i}`));
    expect(skips).toEqual({ "jsonl:corrupt_zstd": 1, "jsonl:bad_json": 1 });
    expect(logs[0]).toBe(`jsonl: ${file} at compressed offset ${Math.floor(compressed.length / 2)}: corrupt_zstd: unexpected EOF`);
  });
});
