import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  base32, formatHttpDate, formatWarcDate, httpResponseBlock, serializeWarcRecord, warcDigest, WarcGzipWriter,
  warcRecordId,
} from "../../datasets/sample/index.js";

describe("WARC writer", () => {
  it("encodes base32 and SHA-1 digests as WARC files do", () => {
    // RFC 4648 test vectors, and the digest of an empty payload seen in every Common Crawl file.
    expect(base32(Buffer.from("f"))).toBe("MY======");
    expect(base32(Buffer.from("foobar"))).toBe("MZXW6YTBOI======");
    expect(warcDigest(Buffer.alloc(0))).toBe("sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ");
  });

  it("formats dates and record ids", () => {
    const ms = Date.UTC(2024, 2, 1, 12, 30, 5, 123);
    expect(formatWarcDate(ms)).toBe("2024-03-01T12:30:05Z");
    expect(formatHttpDate(ms)).toBe("Fri, 01 Mar 2024 12:30:05 GMT");
    expect(warcRecordId("00000000-0000-4000-8000-000000000000")).toBe("<urn:uuid:00000000-0000-4000-8000-000000000000>");
  });

  it("serializes a response record with exact length, digests and CRLF CRLF", () => {
    const body = Buffer.from("<p>héllo</p>", "utf8");
    const { block, payload } = httpResponseBlock(
      "HTTP/1.1 200 OK",
      [["Content-Type", "text/html; charset=UTF-8"], ["Content-Length", String(body.length)]],
      body,
    );
    const record = serializeWarcRecord({
      type: "response",
      recordId: "<urn:uuid:1>",
      date: "2024-03-01T12:30:05Z",
      contentType: "application/http; msgtype=response",
      targetUri: "https://example.org/",
      block,
      payload,
    });
    const text = record.toString("utf8");
    const headerEnd = record.indexOf("\r\n\r\n");
    const header = record.subarray(0, headerEnd).toString("latin1").split("\r\n");
    expect(header.slice(0, 6)).toEqual([
      "WARC/1.0",
      "WARC-Type: response",
      "WARC-Date: 2024-03-01T12:30:05Z",
      "WARC-Record-ID: <urn:uuid:1>",
      `Content-Length: ${block.length}`,
      "Content-Type: application/http; msgtype=response",
    ]);
    expect(record.length).toBe(headerEnd + 4 + block.length + 4);
    expect(text.endsWith("<p>héllo</p>\r\n\r\n")).toBe(true);
    expect(header).toContain(`WARC-Block-Digest: ${warcDigest(block)}`);
    expect(header).toContain(`WARC-Payload-Digest: ${warcDigest(body)}`);
    expect(block.subarray(block.length - body.length).equals(body)).toBe(true);
  });

  it("writes deliberate faults only when asked", () => {
    const block = Buffer.from("abc");
    const record = serializeWarcRecord({
      type: "resource",
      recordId: "<urn:uuid:2>",
      date: "2024-03-01T12:30:05Z",
      block,
      faults: { contentLength: 99, rawHeaderLines: ["no colon here"] },
    });
    const header = record.subarray(0, record.indexOf("\r\n\r\n")).toString("latin1").split("\r\n");
    expect(header).toContain("Content-Length: 99");
    expect(header).toContain("no colon here");
    expect(() =>
      serializeWarcRecord({ type: "resource", recordId: "<urn:uuid:3>", date: "x", block, fields: [["X", "a\r\nb"]] }),
    ).toThrow(/line break/);
  });

  it("writes one gzip member per record, at the offsets it reports, through a temporary name", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kiln-warc-"));
    try {
      const path = join(dir, "out.warc.gz");
      const writer = new WarcGzipWriter(path);
      const records = ["a", "bb", "ccc"].map((s, i) =>
        serializeWarcRecord({ type: "resource", recordId: `<urn:uuid:${i}>`, date: "2024-01-01T00:00:00Z", block: Buffer.from(s) }),
      );
      const locations = [];
      for (const record of records) locations.push(await writer.write(record));
      await expect(stat(path)).rejects.toThrow();
      await writer.close();
      const file = await readFile(path);
      expect(gunzipSync(file).equals(Buffer.concat(records))).toBe(true);
      locations.forEach((at, i) => {
        expect(gunzipSync(file.subarray(at.offset, at.offset + at.length)).equals(records[i] as Buffer)).toBe(true);
      });
      const last = locations[locations.length - 1];
      expect((last?.offset ?? 0) + (last?.length ?? 0)).toBe(file.length);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
