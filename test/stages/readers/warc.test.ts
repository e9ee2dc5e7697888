import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { brotliCompressSync, createGunzip, deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import { describe, expect, it, vi } from "vitest";
import { getSpec } from "../../../pipeline/registry.js";
import { base32 } from "../../../datasets/sample/warc-writer.js";
import { decodeHttpBody, isHttpProblem, parseHttpResponse, type HttpResponse } from "../../../stages/readers/http-response.js";
import {
  isWarcProblem,
  readWarcRecords,
  warcDocs,
  warcReaderParams,
  type WarcProblem,
  type WarcRecord,
} from "../../../stages/readers/warc.js";
import { wetDocs } from "../../../stages/readers/wet.js";
import { readerContext } from "./context.js";

// The registered readers open files through storage; here the "files" are in memory.
const files = vi.hoisted(() => new Map<string, Buffer>());
vi.mock("../../../core/io/storage.js", () => {
  const openRead = async (path: string) => {
    const bytes = files.get(path);
    if (!bytes) throw new Error(`no fixture ${path}`);
    return path.endsWith(".gz") ? Readable.from([bytes]).pipe(createGunzip()) : Readable.from([bytes]);
  };
  return { openRead, readChunks: openRead };
});

const CRLF = "\r\n";

interface RecordOptions {
  eol?: string;
  /** What Content-Length says; null leaves the field out. Default: the true length. */
  contentLength?: number | string | null;
  version?: string;
}

/** One WARC record, byte for byte: version line, fields, blank line, block, two line ends. */
function warcRecord(fields: Record<string, string>, block: Buffer, options: RecordOptions = {}): Buffer {
  const eol = options.eol ?? CRLF;
  const lines = [options.version ?? "WARC/1.0", ...Object.entries(fields).map(([name, value]) => `${name}: ${value}`)];
  if (options.contentLength !== null) lines.push(`Content-Length: ${options.contentLength ?? block.length}`);
  return Buffer.concat([Buffer.from(lines.join(eol) + eol + eol, "utf8"), block, Buffer.from(eol + eol)]);
}

function httpMessage(headers: string[], body: Buffer | string, statusLine = "HTTP/1.1 200 OK", eol = CRLF): Buffer {
  const head = [statusLine, ...headers].join(eol) + eol + eol;
  return Buffer.concat([Buffer.from(head, "latin1"), typeof body === "string" ? Buffer.from(body, "utf8") : body]);
}

function response(n: number, http: Buffer, fields: Record<string, string> = {}, options: RecordOptions = {}): Buffer {
  return warcRecord(
    {
      "WARC-Type": "response",
      "WARC-Record-ID": `<urn:uuid:00000000-0000-0000-0000-${String(n).padStart(12, "0")}>`,
      "WARC-Target-URI": `http://example.com/${n}`,
      "WARC-Date": "2024-05-01T12:00:00Z",
      "Content-Type": "application/http; msgtype=response",
      ...fields,
    },
    http,
    options,
  );
}

const idOf = (n: number) => `<urn:uuid:00000000-0000-0000-0000-${String(n).padStart(12, "0")}>`;
const html = (title: string) => `<!doctype html><html><head><title>${title}</title></head><body><p>${title}</p></body></html>`;
const htmlResponse = (n: number, options: RecordOptions = {}) =>
  response(n, httpMessage(["Content-Type: text/html; charset=utf-8"], html(`page ${n}`)), {}, options);
const warcinfo = warcRecord({ "WARC-Type": "warcinfo", "Content-Type": "application/warc-fields" }, Buffer.from("software: test\r\n"));

/** Each record as its own gzip member, as crawlers write them. */
const gzipRecords = (...records: Buffer[]) => Buffer.concat(records.map((record) => gzipSync(record)));
const gunzipped = (gz: Buffer) => Readable.from([gz]).pipe(createGunzip()) as AsyncIterable<Uint8Array>;

async function* chunked(bytes: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function records(bytes: Buffer, chunkSize = 65536, maxBlockBytes?: number) {
  const out: (WarcRecord | WarcProblem)[] = [];
  for await (const item of readWarcRecords(chunked(bytes, chunkSize), { maxBlockBytes })) out.push(item);
  return {
    records: out.filter((item): item is WarcRecord => !isWarcProblem(item)),
    problems: out.filter(isWarcProblem),
  };
}

async function readDocs(bytes: Buffer, params: Record<string, unknown> = {}, file = "/data/test.warc.gz") {
  const { ctx, skips, logs } = readerContext();
  const docs = [];
  for await (const doc of warcDocs(gunzipped(gzipRecords(bytes)), file, warcReaderParams.parse(params), ctx)) docs.push(doc);
  return { docs, skips, logs };
}

describe("readWarcRecords", () => {
  it("parses records at any chunking, with case-insensitive and folded fields and exact offsets", async () => {
    const first = warcRecord({ "WARC-Type": "warcinfo", "X-Folded": "first part", " second": "" }, Buffer.from("a\r\nb"));
    const secondBlock = httpMessage(["Content-Type: text/html; charset=utf-8"], html("page 1"));
    const second = response(1, secondBlock);
    for (const size of [1, 7, 4096]) {
      const { records: found, problems } = await records(Buffer.concat([first, second]), size);
      expect(problems).toEqual([]);
      expect(found.map((r) => [r.version, r.offset, r.headers.get("warc-TYPE"), r.block.length])).toEqual([
        ["WARC/1.0", 0, "warcinfo", 4],
        ["WARC/1.0", first.length, "response", secondBlock.length],
      ]);
      expect(found[0]!.headers.get("x-folded")).toBe("first part second:");
      expect(Buffer.from(found[0]!.block).toString()).toBe("a\r\nb");
    }
  });

  it("reads LF-only files and WARC/1.1", async () => {
    const lf = (n: number) => response(n, httpMessage(["Content-Type: text/html"], html(`lf ${n}`), "HTTP/1.1 200 OK", "\n"), {}, { eol: "\n", version: "WARC/1.1" });
    const { records: found, problems } = await records(Buffer.concat([lf(1), lf(2)]), 5);
    expect(problems).toEqual([]);
    expect(found.map((r) => [r.version, r.headers.get("WARC-Record-ID")])).toEqual([["WARC/1.1", idOf(1)], ["WARC/1.1", idOf(2)]]);
    expect(Buffer.from(found[1]!.block).toString()).toBe(`HTTP/1.1 200 OK\nContent-Type: text/html\n\n${html("lf 2")}`);
  });

  it("skips a record whose Content-Length lies and keeps the good record after it", async () => {
    const good = htmlResponse(2);
    for (const lie of [+200, -10, +5]) {
      const block = httpMessage(["Content-Type: text/html"], html("liar"));
      const liar = response(1, block, {}, { contentLength: block.length + lie });
      const { records: found, problems } = await records(Buffer.concat([liar, good, htmlResponse(3)]), 13);
      expect(problems.map((p) => [p.problem, p.offset])).toEqual([["malformed_record", 0]]);
      expect(found.map((r) => r.headers.get("WARC-Record-ID"))).toEqual([idOf(2), idOf(3)]);
    }
  });

  it("does not let a Content-Length that lands on the next record's header end swallow that record", async () => {
    const block = httpMessage(["Content-Type: text/html"], html("liar"));
    const second = htmlResponse(2);
    // The lie ends the block exactly at the blank line after the second record's WARC header.
    const reach = block.length + 4 + second.indexOf("\r\n\r\n");
    for (const digest of [undefined, "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ"]) {
      const liar = response(1, block, digest ? { "WARC-Block-Digest": digest } : {}, { contentLength: reach });
      const { records: found, problems } = await records(Buffer.concat([liar, second, htmlResponse(3)]), 13);
      expect(problems.map((p) => [p.problem, p.detail, p.offset])).toEqual([["malformed_record", `Content-Length ${reach} runs into the next record`, 0]]);
      expect(found.map((r) => r.headers.get("WARC-Record-ID"))).toEqual([idOf(2), idOf(3)]);
    }
  });

  it("does not let a Content-Length that lands on a later record's boundary swallow the records before it", async () => {
    const fields = "software: test\r\n";
    const second = htmlResponse(2);
    const third = htmlResponse(3);
    // The lie ends the block after the second record, at its record end or 1-4 bytes into it, so
    // that a record end, or the rest of one, and then the third record follow.
    for (const into of [0, 1, 2, 3, 4]) {
      const reach = Buffer.byteLength(fields) + 4 + second.length - 4 + into;
      const info = warcRecord({ "WARC-Type": "warcinfo", "Content-Type": "application/warc-fields" }, Buffer.from(fields), { contentLength: reach });
      const page = httpMessage(["Content-Type: text/html"], html("liar"));
      const liar = response(1, page, {}, { contentLength: page.length + 4 + second.length - 4 + into });
      for (const first of [info, liar]) {
        const { records: found, problems } = await records(Buffer.concat([first, second, third]), 13);
        expect(problems.map((p) => p.problem)).toEqual(["malformed_record"]);
        expect(found.map((r) => r.headers.get("WARC-Record-ID"))).toEqual([idOf(2), idOf(3)]);
      }
    }
  });

  it("keeps a block that holds a WARC record of its own when its digest says it is whole", async () => {
    const inner = htmlResponse(7);
    const block = httpMessage(["Content-Type: application/warc"], Buffer.concat([Buffer.from("\n"), inner]));
    const digest = `sha1:${base32(createHash("sha1").update(block).digest())}`;
    const outer = response(1, block, { "WARC-Block-Digest": digest });
    const { records: found, problems } = await records(Buffer.concat([outer, htmlResponse(2)]));
    expect(problems).toEqual([]);
    expect(found.map((r) => r.headers.get("WARC-Record-ID"))).toEqual([idOf(1), idOf(2)]);
    // Without a digest, the record after it decides: here the next record follows, so it is whole too.
    const plain = response(1, block);
    expect((await records(Buffer.concat([plain, htmlResponse(2)]))).records).toHaveLength(2);
  });

  it("reports a Content-Length that runs past the end of the data", async () => {
    const first = htmlResponse(1);
    const { records: found, problems } = await records(Buffer.concat([first, htmlResponse(2, { contentLength: 10_000 })]));
    expect(found.map((r) => r.headers.get("WARC-Record-ID"))).toEqual([idOf(1)]);
    expect(problems).toEqual([{ problem: "malformed_record", detail: expect.stringContaining("runs past the end"), offset: first.length }]);
  });

  it("counts garbage between records once and resumes at the next record", async () => {
    const first = htmlResponse(1);
    const garbage = Buffer.concat([Buffer.from("\r\nnot a record\r\nWARC/1.0 but not alone\r\n"), Buffer.from([0, 1, 2, 0xff, 10])]);
    const { records: found, problems } = await records(Buffer.concat([first, garbage, htmlResponse(2)]), 3);
    expect(found.map((r) => r.headers.get("WARC-Record-ID"))).toEqual([idOf(1), idOf(2)]);
    expect(problems).toEqual([{ problem: "malformed_record", detail: expect.stringContaining("bytes that are not a WARC record"), offset: first.length + 2 }]);
  });

  it("reports missing or invalid Content-Length and malformed fields, one problem per record", async () => {
    const bad = [
      htmlResponse(1, { contentLength: null }),
      htmlResponse(2, { contentLength: "12abc" }),
      Buffer.from("WARC/1.0\r\nWARC-Type: response\r\nthis line has no colon\r\nContent-Length: 3\r\n\r\nabc\r\n\r\n"),
      Buffer.from("WARC/1.0\r\nWARC-Type: response\r\n"), // header cut short by the next record
    ];
    const { records: found, problems } = await records(Buffer.concat([...bad, htmlResponse(9)]), 11);
    expect(problems.map((p) => p.problem)).toEqual(["malformed_record", "malformed_record", "malformed_record", "malformed_record"]);
    expect(problems.map((p) => p.detail.split(" ").slice(0, 2).join(" "))).toEqual(["missing Content-Length", "invalid Content-Length", "malformed header", "the header"]);
    expect(found.map((r) => r.headers.get("WARC-Record-ID"))).toEqual([idOf(9)]);
  });

  it("skips blocks over the size limit without losing the next record", async () => {
    const big = response(1, Buffer.alloc(5000, 0x61));
    const { records: found, problems } = await records(Buffer.concat([big, htmlResponse(2)]), 100, 1000);
    expect(problems.map((p) => [p.problem, p.offset])).toEqual([["block_too_large", 0]]);
    expect(found.map((r) => r.headers.get("WARC-Record-ID"))).toEqual([idOf(2)]);
  });

  it("reads on inside a skipped block whose huge Content-Length lies, and counts what it cannot keep", async () => {
    const liar = response(1, httpMessage(["Content-Type: text/html"], html("liar")), {}, { contentLength: 99_999_999_999 });
    const rest = [htmlResponse(2), htmlResponse(3), htmlResponse(4)];
    for (const size of [7, 100, 65536]) {
      const { records: found, problems } = await records(Buffer.concat([liar, ...rest]), size, 5000);
      expect(problems.map((p) => [p.problem, p.records])).toEqual([["block_too_large", undefined]]);
      expect(problems[0]!.detail).toContain("reading goes on at the next record inside it");
      expect(found.map((r) => r.headers.get("WARC-Record-ID"))).toEqual([idOf(2), idOf(3), idOf(4)]);
    }
    // Records that fit in the limit come back; with a limit smaller than they are, they are counted.
    const { records: none, problems } = await records(Buffer.concat([liar, ...rest]), 100, 300);
    expect(none).toEqual([]);
    expect(problems.map((p) => [p.problem, p.records])).toEqual([["block_too_large", 4]]);
  });

  it("treats a file without records (ARC, a path list) as one malformed span, and empty input as nothing", async () => {
    const arc = Buffer.from("filedesc://x.arc 0.0.0.0 20140216050221 text/plain 75\n1 0 LiveWeb Capture\n\nhttp://example.com/ 1.2.3.4 20140216050221 text/html 5\nhello\n");
    expect((await records(arc)).problems.map((p) => [p.problem, p.offset])).toEqual([["malformed_record", 0]]);
    expect(await records(Buffer.alloc(0))).toEqual({ records: [], problems: [] });
  });

  it("turns a failing source into a read_error after the records it delivered", async () => {
    async function* failing() {
      yield htmlResponse(1);
      yield Buffer.from("WARC/1.0\r\nWARC-Type: resp");
      throw new Error("unexpected end of file");
    }
    const out: (WarcRecord | WarcProblem)[] = [];
    for await (const item of readWarcRecords(failing())) out.push(item);
    expect(out.map((item) => (isWarcProblem(item) ? item.problem : item.headers.get("WARC-Record-ID")))).toEqual([idOf(1), "read_error"]);
  });

  it("gives the same records and problems whether a header arrives whole or a byte at a time", async () => {
    // Whole headers take a one-pass parse; a header split across chunks is read line by line.
    const header = (lines: string) => Buffer.from(`WARC/1.0\r\nWARC-Type: resource\r\n${lines}Content-Length: 3\r\n\r\nabc\r\n\r\n`, "latin1");
    const variants = [
      header("X-Folded: a\r\n b\r\n"),
      header("X-Tab: a\r\n\tb\r\n"),
      header(" X-Leading: space\r\n"),
      header("X-Bare: lf\nX-After: it\r\n"),
      header("X-Version: WARC/1.0\r\n"),
      header("X-Cr: a\rb\r\nX-Trailing: c \r\r\n"),
      header("X-Name : spaced\r\nX-Empty:\r\nx-empty: twice\r\n"),
      header("X-Utf8: gr\u00c3\u00bc\u00c3\u009f\r\nX-Bad: \u00ff\u00fe\r\n"),
      header("bad name: x\r\n"),
      header("no colon\r\n"),
      header("   \r\n"),
      Buffer.from("WARC/1.0\r\n\r\nabc\r\n\r\n"),
    ];
    const shape = ({ records: found, problems }: Awaited<ReturnType<typeof records>>) => ({
      records: found.map((r) => ({ version: r.version, offset: r.offset, fields: r.headers.entries, block: Buffer.from(r.block).toString("latin1") })),
      problems,
    });
    for (const variant of variants) {
      const data = Buffer.concat([variant, htmlResponse(1)]);
      expect(shape(await records(data, 65536))).toEqual(shape(await records(data, 1)));
    }
    expect(shape(await records(variants[0]!)).records[0]!.fields).toEqual([["WARC-Type", "resource"], ["X-Folded", "a b"], ["Content-Length", "3"]]);
  });

  it("survives random corruption: never throws or hangs, and the untouched last record always comes out", async () => {
    const head = Buffer.concat([warcinfo, htmlResponse(1), htmlResponse(2)]);
    const last = htmlResponse(3);
    let seed = 12345;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let round = 0; round < 300; round++) {
      const corrupt = Buffer.from(head);
      for (let edits = 1 + random(4); edits > 0; edits--) corrupt[random(corrupt.length)] = [0x0a, 0x0d, 0x3a, 0x39, 0x57, random(256)][random(6)]!;
      const cut = corrupt.subarray(0, corrupt.length - random(3) * random(40));
      const data = Buffer.concat([cut, last]);
      const { records: found, problems } = await records(data, 1 + random(50));
      expect(found.at(-1)?.headers.get("WARC-Record-ID")).toBe(idOf(3));
      // Chunking never changes the outcome.
      const whole = await records(data, data.length);
      expect(whole.problems).toEqual(problems);
      expect(whole.records.map((r) => [r.offset, r.headers.entries])).toEqual(found.map((r) => [r.offset, r.headers.entries]));
    }
  });
});

describe("HTTP responses", () => {
  const parsed = (block: Buffer) => {
    const result = parseHttpResponse(block);
    if (isHttpProblem(result)) throw new Error(result.detail);
    return result;
  };
  const body = (response: HttpResponse, maxBytes = 1e6) => {
    const result = decodeHttpBody(response, maxBytes);
    return isHttpProblem(result) ? result.problem : Buffer.from(result).toString();
  };

  it("tolerates HTTP/1.0, a missing reason phrase and LF line ends; rejects a broken status line", () => {
    const response = parsed(Buffer.from("HTTP/1.0 404\nContent-Type: text/html\n  ; charset=utf-8\nbroken line\n\nhello"));
    expect([response.protocol, response.status, response.reason]).toEqual(["HTTP/1.0", 404, ""]);
    expect(response.headers.get("content-type")).toBe("text/html ; charset=utf-8");
    expect(body(response)).toBe("hello");
    expect(parseHttpResponse(Buffer.from("HTTP/1.1 OK\r\n\r\nx"))).toMatchObject({ problem: "bad_http" });
    expect(parseHttpResponse(Buffer.from("<html>no status line</html>"))).toMatchObject({ problem: "bad_http" });
  });

  it("dechunks a chunked body, but leaves a body that was stored dechunked", () => {
    const chunkedBody = "7;ext=1\r\n<html>H\r\n10\r\nello, chunked!</\r\n5\r\nhtml>\r\n0\r\n\r\n";
    expect(body(parsed(httpMessage(["Transfer-Encoding: chunked"], chunkedBody)))).toBe("<html>Hello, chunked!</html>");
    expect(body(parsed(httpMessage(["Transfer-Encoding: chunked"], "<html>already dechunked</html>")))).toBe("<html>already dechunked</html>");
  });

  it("undoes gzip, deflate (zlib and raw) and br, and reports a corrupt or oversized body", () => {
    const text = "<html>compressed body</html>";
    const encoded = (coding: string, bytes: Buffer) => parsed(httpMessage([`Content-Encoding: ${coding}`], bytes));
    expect(body(encoded("gzip", gzipSync(text)))).toBe(text);
    expect(body(encoded("deflate", deflateSync(text)))).toBe(text);
    expect(body(encoded("deflate", deflateRawSync(text)))).toBe(text);
    expect(body(encoded("br", brotliCompressSync(text)))).toBe(text);
    expect(body(encoded("gzip", Buffer.from(text)))).toBe(text); // header kept, body stored decoded
    expect(body(encoded("gzip", Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff])))).toBe("bad_content_encoding");
    expect(body(encoded("compress", Buffer.from(text)))).toBe("bad_content_encoding");
    expect(body(encoded("gzip", gzipSync(Buffer.alloc(5000, 0x61))), 1000)).toBe("too_large");
  });
});

describe("warc reader", () => {
  const pages = () => [
    warcinfo,
    warcRecord({ "WARC-Type": "request", "WARC-Target-URI": "http://example.com/1" }, Buffer.from("GET / HTTP/1.1\r\n\r\n")),
    htmlResponse(1),
    warcRecord({ "WARC-Type": "metadata" }, Buffer.from("fetchTimeMs: 12\r\n")),
    response(2, httpMessage(["Content-Type: image/png"], Buffer.from([0x89, 0x50, 0x4e, 0x47]))),
    response(3, httpMessage(["Content-Type: text/html", "Transfer-Encoding: chunked"], "5\r\n<html\r\n7\r\n>chunks\r\n0\r\n\r\n")),
    response(4, httpMessage(["Content-Type: application/xhtml+xml", "Content-Encoding: gzip"], gzipSync(html("zipped")))),
    response(5, httpMessage(["Content-Type: text/html"], html("cut")), { "WARC-Truncated": "length" }),
    response(6, httpMessage([], `  <!DOCTYPE html><p>no content type</p>`)),
    response(7, httpMessage([], "%PDF-1.4 no content type")),
  ];

  it("yields one document per HTML response and counts what it skips", async () => {
    const { docs, skips, logs } = await readDocs(Buffer.concat(pages()));
    expect(docs.map((doc) => [doc.id, doc.text])).toEqual([
      [idOf(1), html("page 1")],
      [idOf(3), "<html>chunks"],
      [idOf(4), html("zipped")],
      [idOf(6), "  <!DOCTYPE html><p>no content type</p>"],
    ]);
    expect(docs[0]).toEqual({
      id: idOf(1),
      url: "http://example.com/1",
      text: html("page 1"),
      meta: { warcDate: "2024-05-01T12:00:00Z", httpStatus: 200, contentType: "text/html", charset: "utf-8", warcFile: "test.warc.gz" },
    });
    expect(skips).toEqual({ "warc:non_html": 2, "warc:truncated": 1 });
    expect(logs).toEqual([]);
  });

  it("keeps truncated pages and HTTP headers when asked, and skips pages over maxBytes", async () => {
    const { docs } = await readDocs(Buffer.concat(pages()), { keepTruncated: true, keepHttpHeaders: true });
    expect(docs.find((doc) => doc.id === idOf(5))?.meta).toMatchObject({ truncated: "length", http: { "content-type": "text/html" } });
    const small = await readDocs(Buffer.concat(pages()), { maxBytes: 40 });
    expect(small.docs.map((doc) => doc.id)).toEqual([idOf(3), idOf(6)]);
    expect(small.skips).toEqual({ "warc:non_html": 2, "warc:truncated": 1, "warc:too_large": 2 });
  });

  it("logs each problem with the file and offset", async () => {
    const liar = response(1, httpMessage(["Content-Type: text/html"], html("liar")), {}, { contentLength: 20 });
    const badHttp = response(2, Buffer.from("garbage instead of HTTP"));
    const binary = response(3, httpMessage(["Content-Type: text/html"], Buffer.from(Array.from({ length: 200 }, (_, i) => i % 32))));
    const badGzip = response(4, httpMessage(["Content-Type: text/html", "Content-Encoding: gzip"], Buffer.from([0x1f, 0x8b, 0, 0])));
    const { docs, skips, logs } = await readDocs(Buffer.concat([liar, badHttp, binary, badGzip, htmlResponse(5)]), {}, "s3://bucket/crawl/x.warc.gz");
    expect(docs.map((doc) => [doc.id, doc.meta.warcFile])).toEqual([[idOf(5), "x.warc.gz"]]);
    expect(skips).toEqual({ "warc:malformed_record": 1, "warc:bad_http": 1, "warc:undecodable": 1, "warc:bad_content_encoding": 1 });
    expect(logs).toHaveLength(4);
    expect(logs[0]).toMatch(/^warc: s3:\/\/bucket\/crawl\/x\.warc\.gz at offset 0: malformed_record: /);
    expect(logs[1]).toContain(`at offset ${liar.length}: bad_http`);
  });

  it("is registered with its defaults and reads through storage", async () => {
    const spec = getSpec("reader", "warc");
    const params = spec.params.parse({});
    expect(params).toEqual({ maxBytes: 10_000_000, keepTruncated: false, keepHttpHeaders: false });
    files.set("mem://a.warc.gz", gzipRecords(...pages()));
    const { ctx, skips } = readerContext();
    const ids = [];
    for await (const doc of spec.create(params).read("mem://a.warc.gz", ctx)) ids.push(doc.id);
    expect(ids).toEqual([idOf(1), idOf(3), idOf(4), idOf(6)]);
    expect(skips).toEqual({ "warc:non_html": 2, "warc:truncated": 1 });
  });
});

describe("wet reader", () => {
  const conversion = (n: number, text: string, fields: Record<string, string> = {}) =>
    warcRecord(
      { "WARC-Type": "conversion", "WARC-Target-URI": `http://example.com/${n}`, "WARC-Date": "2024-05-01T12:00:00Z", "WARC-Record-ID": idOf(n), "Content-Type": "text/plain", ...fields },
      Buffer.from(text, "utf8"),
    );

  it("yields the extracted text of each conversion record with its language", async () => {
    const wet = gzipRecords(warcinfo, conversion(1, "Über Größe\nZweite Zeile", { "WARC-Identified-Content-Language": "deu,eng" }), conversion(2, "no language"), conversion(3, " \n"));
    const { ctx, skips, logs } = readerContext();
    const docs = [];
    for await (const doc of wetDocs(gunzipped(wet), "/data/x.warc.wet.gz", ctx)) docs.push(doc);
    expect(docs).toEqual([
      { id: idOf(1), url: "http://example.com/1", text: "Über Größe\nZweite Zeile", meta: { extracted: "wet", language: "deu", warcDate: "2024-05-01T12:00:00Z", warcFile: "x.warc.wet.gz" } },
      { id: idOf(2), url: "http://example.com/2", text: "no language", meta: { extracted: "wet", warcDate: "2024-05-01T12:00:00Z", warcFile: "x.warc.wet.gz" } },
    ]);
    expect(skips).toEqual({ "wet:empty": 1 });
    expect(logs).toEqual([]);
    expect(getSpec("reader", "wet").name).toBe("wet");
  });
});
