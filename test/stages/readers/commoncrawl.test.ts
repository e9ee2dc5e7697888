import { createServer, type Server } from "node:http";
import { mkdtemp, readFile, readdir, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import {
  httpRequestBlock, httpResponseBlock, serializeWarcRecord, warcRecordId, type WarcRecordInput,
} from "../../../datasets/sample/warc-writer.js";
import { runPipelineFile } from "../../../pipeline/cli/run.js";
import { createReporter } from "../../../pipeline/progress.js";
import { getSpec } from "../../../pipeline/registry.js";
import { commonCrawlInputs, commonCrawlParams } from "../../../stages/readers/commoncrawl.js";

const builtinModules = [new URL("../../../stages/index.ts", import.meta.url).href];
const quiet = createReporter(process.stderr, true);
const CRAWL = "CC-MAIN-2099-01";
const DATE = "2099-01-05T10:00:00Z";

/** A multi-member .warc.gz, one gzip member per record, as Common Crawl writes them. */
const warcGz = (records: WarcRecordInput[]) => Buffer.concat(records.map((r) => gzipSync(serializeWarcRecord(r))));

const uuid = (file: number, n: number) => `00000000-0000-0000-${String(file).padStart(4, "0")}-${String(n).padStart(12, "0")}`;
const pageHtml = (file: number, n: number) => `<html><body><p>Page ${n} of file ${file}.</p></body></html>`;

/** File `file` of the fake crawl: two HTML pages, a request record and an image response. */
function warcFile(file: number): Buffer {
  const records: WarcRecordInput[] = [];
  for (const n of [0, 1]) {
    const url = `http://site${file}.example/page${n}`;
    records.push({ type: "request", recordId: warcRecordId(uuid(file, 10 + n)), date: DATE, targetUri: url, block: httpRequestBlock(`GET /page${n} HTTP/1.1`, [["Host", `site${file}.example`]]) });
    const { block, payload } = httpResponseBlock("HTTP/1.1 200 OK", [["Content-Type", "text/html; charset=utf-8"]], Buffer.from(pageHtml(file, n)));
    records.push({ type: "response", recordId: warcRecordId(uuid(file, n)), date: DATE, targetUri: url, contentType: "application/http; msgtype=response", block, payload });
  }
  const image = httpResponseBlock("HTTP/1.1 200 OK", [["Content-Type", "image/png"]], Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  records.push({ type: "response", recordId: warcRecordId(uuid(file, 99)), date: DATE, targetUri: `http://site${file}.example/logo.png`, contentType: "application/http; msgtype=response", ...image });
  return warcGz(records);
}

const wetText = (file: number, n: number) => `Plain text ${n} of WET file ${file}.\nSecond line.`;
function wetFile(file: number): Buffer {
  return warcGz([0, 1].map((n) => ({
    type: "conversion" as const,
    recordId: warcRecordId(uuid(file, 50 + n)),
    date: DATE,
    targetUri: `http://site${file}.example/page${n}`,
    contentType: "text/plain",
    fields: [["WARC-Identified-Content-Language", "eng"]] as const,
    block: Buffer.from(wetText(file, n)),
  })));
}

const segment = `crawl-data/${CRAWL}/segments/2099.1/`;
const warcPath = (i: number) => `${segment}warc/CC-MAIN-2099-${String(i).padStart(5, "0")}.warc.gz`;
const wetPath = (i: number) => `${segment}wet/CC-MAIN-2099-${String(i).padStart(5, "0")}.warc.wet.gz`;

// The listing names four files; only files 1 and 2 are served, so reading any other fails the run.
const served = new Map<string, Buffer>([
  [`/crawl-data/${CRAWL}/warc.paths.gz`, gzipSync([0, 1, 2, 3].map(warcPath).join("\n") + "\n")],
  [`/crawl-data/${CRAWL}/wet.paths.gz`, gzipSync([0, 1, 2].map(wetPath).join("\n") + "\n")],
  [`/${warcPath(1)}`, warcFile(1)],
  [`/${warcPath(2)}`, warcFile(2)],
  [`/${wetPath(1)}`, wetFile(1)],
  [`/${wetPath(2)}`, wetFile(2)],
]);
const requested: string[] = [];
let server: Server;
let base = "";

beforeAll(async () => {
  server = createServer((request, response) => {
    const url = request.url ?? "";
    requested.push(url);
    const body = served.get(url);
    if (!body) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const params = (extra: Record<string, unknown>) => commonCrawlParams.parse({ crawl: CRAWL, base, ...extra });

describe("commoncrawl reader: the file list", () => {
  it("takes lines [offset, offset + files) of the crawl's list as full URLs", async () => {
    expect(await commonCrawlInputs(params({}))).toEqual([base + warcPath(0)]);
    expect(await commonCrawlInputs(params({ files: 4 }))).toEqual([0, 1, 2, 3].map((i) => base + warcPath(i)));
    expect(await commonCrawlInputs(params({ files: 2, offset: 1 }))).toEqual([base + warcPath(1), base + warcPath(2)]);
    expect(await commonCrawlInputs(params({ files: 1, offset: 3 }))).toEqual([base + warcPath(3)]);
    expect(await commonCrawlInputs(params({ kind: "wet", files: 3 }))).toEqual([0, 1, 2].map((i) => base + wetPath(i)));
    // A base without the trailing slash means the same place.
    expect(await commonCrawlInputs(params({ base: base.slice(0, -1), offset: 2 }))).toEqual([base + warcPath(2)]);
  });

  it("refuses a range past the end of the list with a clear error", async () => {
    await expect(commonCrawlInputs(params({ files: 1, offset: 4 }))).rejects.toThrow(`crawl ${CRAWL} lists 4 warc files; offset 4 + files 1 goes past the end`);
    await expect(commonCrawlInputs(params({ kind: "wet", files: 4 }))).rejects.toThrow("lists 3 wet files");
  });

  it("names the crawl when its list cannot be read", async () => {
    await expect(commonCrawlInputs(params({ crawl: "CC-MAIN-2098-01" }))).rejects.toThrow(/cannot read the warc file list of crawl CC-MAIN-2098-01: .*HTTP 404/);
  });

  it("validates the crawl name and the params, with published defaults", () => {
    expect(commonCrawlParams.parse({ crawl: "CC-MAIN-2024-22" })).toMatchObject({
      crawl: "CC-MAIN-2024-22", kind: "warc", files: 1, offset: 0, base: "https://data.commoncrawl.org/", maxBytes: 10_000_000,
    });
    for (const crawl of ["CC-MAIN-2024-2", "cc-main-2024-22", "CC-MAIN-2024-22/", "CC-NEWS-2024-22", "2024-22"]) {
      const result = commonCrawlParams.safeParse({ crawl });
      expect(result.success, crawl).toBe(false);
      expect(result.error?.issues[0]?.message).toContain('looks like "CC-MAIN-2024-22"');
    }
    expect(commonCrawlParams.safeParse({ crawl: CRAWL, kind: "arc" }).success).toBe(false);
    expect(commonCrawlParams.safeParse({ crawl: CRAWL, files: 0 }).success).toBe(false);
    expect(commonCrawlParams.safeParse({ crawl: CRAWL, offset: -1 }).success).toBe(false);
    expect(commonCrawlParams.safeParse({ crawl: CRAWL, base: "/local/dir/" }).success).toBe(false);
    expect(commonCrawlParams.parse({ crawl: CRAWL, base: "s3://commoncrawl/" }).base).toBe("s3://commoncrawl/");
    expect(getSpec("reader", "commoncrawl").inputs).toBe(commonCrawlInputs);
  });
});

interface OutDoc {
  id: string;
  url?: string;
  text: string;
  meta: Record<string, unknown>;
}

async function runCrawl(read: Record<string, unknown>): Promise<{ docs: OutDoc[]; skipped: Record<string, number> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "kiln-cc-"));
  const output = path.join(dir, "run");
  const config = path.join(dir, "pipeline.yaml");
  await writeFile(config, stringify({
    output,
    steps: [{ name: "crawl", read: { format: "commoncrawl", crawl: CRAWL, base, ...read }, write: { format: "jsonl", compression: "none" } }],
  }));
  const { stats } = await runPipelineFile(config, { builtinModules, workers: 1, reporter: quiet });
  const dataDir = path.join(output, "crawl", "data");
  const docs: OutDoc[] = [];
  for (const file of (await readdir(dataDir)).sort()) {
    for (const line of (await readFile(path.join(dataDir, file), "utf8")).split("\n")) if (line) docs.push(JSON.parse(line) as OutDoc);
  }
  const skipped: Record<string, number> = {};
  for (const stage of stats[0]?.stages ?? []) Object.assign(skipped, stage.skipped);
  return { docs: docs.sort((a, b) => a.id.localeCompare(b.id)), skipped };
}

describe("commoncrawl reader: a pipeline over a crawl by name", () => {
  it("reads exactly the chosen WARC files into HTML documents", async () => {
    requested.length = 0;
    const { docs, skipped } = await runCrawl({ files: 2, offset: 1 });
    const expected = [1, 2].flatMap((file) => [0, 1].map((n) => ({
      id: warcRecordId(uuid(file, n)),
      url: `http://site${file}.example/page${n}`,
      text: pageHtml(file, n),
      meta: { warcDate: DATE, httpStatus: 200, contentType: "text/html", charset: "utf-8", warcFile: path.basename(warcPath(file)) },
    })));
    expect(docs).toEqual(expected);
    expect(skipped).toEqual({ non_html: 2 }); // one image per file
    expect(requested.filter((url) => url.endsWith(".warc.gz")).sort()).toEqual([`/${warcPath(1)}`, `/${warcPath(2)}`]);
  });

  it("reads WET files into text documents marked as already extracted", async () => {
    const { docs } = await runCrawl({ kind: "wet", files: 2, offset: 1 });
    expect(docs).toEqual([1, 2].flatMap((file) => [0, 1].map((n) => ({
      id: warcRecordId(uuid(file, 50 + n)),
      url: `http://site${file}.example/page${n}`,
      text: wetText(file, n),
      meta: { extracted: "wet", language: "eng", warcDate: DATE, warcFile: path.basename(wetPath(file)) },
    }))));
  });

  it("stops the run with one clear error when the crawl name is malformed", async () => {
    await expect(runCrawl({ crawl: "CC-MAIN-24-22" })).rejects.toThrow(/read.*crawl.*looks like "CC-MAIN-2024-22"/s);
  });
});
