import { createHash } from "node:crypto";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inflateRawSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateSample, type SampleTruth } from "../../datasets/sample/index.js";

// Everything below re-derives what the generator claims with code of its own: gzip members,
// WARC parsing, base32, shingles and Jaccard.

interface Member {
  offset: number;
  length: number;
  data: Buffer;
}

/** Splits a multi-member gzip file; each member is decoded on its own. */
function gzipMembers(file: Buffer): Member[] {
  const members: Member[] = [];
  let offset = 0;
  while (offset < file.length) {
    expect([file[offset], file[offset + 1], file[offset + 2], file[offset + 3]]).toEqual([0x1f, 0x8b, 8, 0]);
    const inflated = inflateRawSync(file.subarray(offset + 10), { info: true } as object) as unknown as {
      buffer: Buffer;
      engine: { bytesWritten: number };
    };
    const length = 10 + inflated.engine.bytesWritten + 8;
    expect(file.readUInt32LE(offset + length - 4)).toBe(inflated.buffer.length);
    members.push({ offset, length, data: inflated.buffer });
    offset += length;
  }
  return members;
}

interface ParsedRecord {
  fields: Map<string, string>;
  declaredLength: number;
  block: Buffer;
  /** The member holds exactly header + Content-Length bytes + CRLF CRLF. */
  lengthMatches: boolean;
}

function parseRecord(data: Buffer): ParsedRecord {
  const headerEnd = data.indexOf("\r\n\r\n");
  const lines = data.subarray(0, headerEnd).toString("latin1").split("\r\n");
  expect(lines[0]).toBe("WARC/1.0");
  const fields = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon > 0) fields.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  const declaredLength = Number(fields.get("content-length"));
  const blockStart = headerEnd + 4;
  const end = blockStart + declaredLength;
  const lengthMatches = end + 4 === data.length && data.subarray(end, end + 4).toString("latin1") === "\r\n\r\n";
  return { fields, declaredLength, block: data.subarray(blockStart, Math.min(end, data.length)), lengthMatches };
}

/** Reads the concatenation of all members as one stream, resynchronising on the next record start. */
function readStream(stream: Buffer): { ids: string[]; overruns: string[] } {
  const ids: string[] = [];
  const overruns: string[] = [];
  let pos = 0;
  while (pos < stream.length) {
    expect(stream.subarray(pos, pos + 10).toString("latin1")).toBe("WARC/1.0\r\n");
    const headerEnd = stream.indexOf("\r\n\r\n", pos);
    const header = stream.subarray(pos, headerEnd).toString("latin1");
    const id = /^WARC-Record-ID: (.*)$/m.exec(header)?.[1] ?? "";
    const length = Number(/^Content-Length: (\d+)$/m.exec(header)?.[1]);
    ids.push(id);
    const end = headerEnd + 4 + length;
    const next = end + 4;
    const clean =
      stream.subarray(end, next).toString("latin1") === "\r\n\r\n" &&
      (next === stream.length || stream.subarray(next, next + 10).toString("latin1") === "WARC/1.0\r\n");
    if (clean) {
      pos = next;
      continue;
    }
    overruns.push(id);
    const resync = stream.indexOf("\r\n\r\nWARC/1.0\r\n", headerEnd + 4);
    pos = resync < 0 ? stream.length : resync + 4;
  }
  return { ids, overruns };
}

function base32Sha1(data: Buffer): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let value = BigInt(`0x${createHash("sha1").update(data).digest("hex")}`);
  let out = "";
  for (let i = 0; i < 32; i++) {
    out = alphabet[Number(value & 31n)] + out;
    value >>= 5n;
  }
  return `sha1:${out}`;
}

function shingles(text: string): Set<string> {
  const words = text.toLowerCase().replace(/[^\p{L}\p{N}\s]/gu, "").split(/\s+/).filter((w) => w.length > 0);
  const out = new Set<string>();
  for (let i = 0; i + 5 <= words.length; i++) out.add(words.slice(i, i + 5).join("\u0001"));
  return out;
}

function jaccardOf(a: Set<string>, b: Set<string>): number {
  let shared = 0;
  for (const s of a) if (b.has(s)) shared++;
  return shared / (a.size + b.size - shared);
}

async function readTruth(path: string): Promise<SampleTruth[]> {
  return (await readFile(path, "utf8")).trim().split("\n").map((line) => JSON.parse(line) as SampleTruth);
}

async function readFiles(paths: readonly string[]): Promise<Buffer[]> {
  return Promise.all(paths.map((p) => readFile(p)));
}

describe("sample corpus", () => {
  let root = "";
  let truth: SampleTruth[] = [];
  let warcFiles: string[] = [];
  let truthFile = "";
  let cpuMs = 0;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "kiln-sample-"));
    // CPU time rather than wall time: other test files may share the machine.
    const started = process.cpuUsage();
    const result = await generateSample({ outDir: join(root, "a") });
    const used = process.cpuUsage(started);
    cpuMs = (used.user + used.system) / 1000;
    ({ warcFiles, truthFile } = result);
    truth = await readTruth(truthFile);
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("writes four WARC files and one truth line per page, with no temporary files left", async () => {
    expect(warcFiles.map((f) => f.slice(root.length))).toEqual([0, 1, 2, 3].map((i) => `/a/warc/sample-0000${i}.warc.gz`));
    expect(truth).toHaveLength(600);
    expect(truth.map((t) => t.index)).toEqual([...Array(600).keys()]);
    expect(new Set(truth.map((t) => t.id)).size).toBe(600);
    expect(new Set(truth.map((t) => t.url)).size).toBe(600);
    expect((await readdir(join(root, "a", "warc"))).sort()).toEqual(warcFiles.map((f) => f.split("/").pop()));
    expect(cpuMs).toBeLessThan(2000);
  });

  it("is byte-identical for the same seed and different for another seed", async () => {
    const same = await generateSample({ outDir: join(root, "b") });
    const other = await generateSample({ outDir: join(root, "c"), seed: 2 });
    const [a, b, c] = await Promise.all([
      readFiles([...warcFiles, truthFile]),
      readFiles([...same.warcFiles, same.truthFile]),
      readFiles([...other.warcFiles, other.truthFile]),
    ]);
    a.forEach((buffer, i) => expect(buffer.equals(b[i] as Buffer)).toBe(true));
    a.forEach((buffer, i) => expect(buffer.equals(c[i] as Buffer)).toBe(false));
  });

  it("plants each kind in the specified proportions, with matching quality labels", () => {
    const share = (kind: string): number => truth.filter((t) => t.kind === kind).length / truth.length;
    expect(share("article")).toBeGreaterThanOrEqual(0.55);
    expect(share("article")).toBeLessThanOrEqual(0.65);
    expect(share("near_duplicate")).toBeCloseTo(0.1, 2);
    expect(share("exact_duplicate")).toBeCloseTo(0.03, 2);
    expect(share("spam")).toBeCloseTo(0.08, 2);
    expect(share("boilerplate")).toBeCloseTo(0.06, 2);
    expect(share("short")).toBeCloseTo(0.08, 2);
    expect(share("non_html")).toBeCloseTo(0.02, 2);
    const malformations = truth.filter((t) => t.kind === "malformed").map((t) => t.malformation);
    expect(new Set(malformations)).toEqual(new Set(["content_length_overrun", "garbage_header", "bad_http_status", "warc_truncated"]));
    for (const t of truth) {
      const expected = ["article", "near_duplicate", "exact_duplicate"].includes(t.kind)
        ? "high"
        : ["spam", "boilerplate", "short"].includes(t.kind) ? "low" : null;
      expect(t.quality).toBe(expected);
      expect(t.malformation !== null).toBe(t.kind === "malformed");
    }
  });

  it("covers at least 7 languages with 10+ articles each, English about 40%", () => {
    const articles = truth.filter((t) => t.kind === "article");
    const perLanguage = new Map<string, number>();
    for (const t of articles) perLanguage.set(t.language ?? "none", (perLanguage.get(t.language ?? "none") ?? 0) + 1);
    expect([...perLanguage.values()].filter((n) => n >= 10).length).toBeGreaterThanOrEqual(7);
    expect((perLanguage.get("en") ?? 0) / articles.length).toBeGreaterThan(0.3);
    expect((perLanguage.get("en") ?? 0) / articles.length).toBeLessThan(0.5);
    for (const t of articles) {
      expect(t.words).toBeGreaterThanOrEqual(150);
      expect(t.words).toBeLessThanOrEqual(900);
    }
    for (const t of truth.filter((x) => x.kind === "short")) expect(t.words).toBeLessThan(70);
    for (const t of truth.filter((x) => x.kind === "boilerplate" || x.kind === "non_html")) expect(t.mainText).toBe("");
  });

  it("records Jaccard values that an independent computation reproduces, spread over the targets", () => {
    const byId = new Map(truth.map((t) => [t.id, t]));
    const duplicates = truth.filter((t) => t.duplicateOf !== null);
    expect(duplicates.length).toBe(78);
    for (const t of duplicates) {
      const original = byId.get(t.duplicateOf ?? "") as SampleTruth;
      expect(original.kind).toBe("article");
      expect(original.cluster).toBe(t.cluster);
      expect(original.jaccard).toBe(1);
      expect(new URL(original.url).host).not.toBe(new URL(t.url).host);
      const computed = jaccardOf(shingles(original.mainText), shingles(t.mainText));
      expect(Math.abs(computed - (t.jaccard ?? -1))).toBeLessThanOrEqual(0.02);
      if (t.kind === "exact_duplicate") expect(t.mainText).toBe(original.mainText);
    }
    const near = duplicates.filter((t) => t.kind === "near_duplicate");
    for (const target of [0.95, 0.9, 0.8, 0.7, 0.5, 0.3]) {
      const hits = near.filter((t) => Math.abs((t.jaccard ?? 0) - target) <= 0.03);
      expect(hits.length).toBeGreaterThanOrEqual(5);
    }
    const clusterSizes = new Map<string, number>();
    for (const t of truth) if (t.cluster) clusterSizes.set(t.cluster, (clusterSizes.get(t.cluster) ?? 0) + 1);
    for (const size of clusterSizes.values()) {
      expect(size).toBeGreaterThanOrEqual(2);
      expect(size).toBeLessThanOrEqual(4);
    }
  });

  it("keeps unrelated articles far apart, so only planted clusters are near-duplicates", () => {
    const articles = truth.filter((t) => t.kind === "article" || t.kind === "near_duplicate" || t.kind === "exact_duplicate");
    const sets = articles.map((t) => shingles(t.mainText));
    let worst = 0;
    for (let i = 0; i < articles.length; i++) {
      for (let j = i + 1; j < articles.length; j++) {
        const a = articles[i] as SampleTruth;
        const b = articles[j] as SampleTruth;
        if (a.language !== b.language || (a.cluster !== null && a.cluster === b.cluster)) continue;
        worst = Math.max(worst, jaccardOf(sets[i] as Set<string>, sets[j] as Set<string>));
      }
    }
    // Below the lowest planted target (0.3), so a threshold sweep sees only planted pairs.
    expect(worst).toBeLessThan(0.25);
  });

  it("writes valid WARC/1.0: one record per gzip member, exact lengths and digests except the planted faults", async () => {
    const byId = new Map(truth.map((t) => [t.id, t]));
    const overrunIds = new Set(truth.filter((t) => t.malformation === "content_length_overrun").map((t) => t.id));
    let responses = 0;
    for (const [fileIndex, path] of warcFiles.entries()) {
      const file = await readFile(path);
      const members = gzipMembers(file);
      const types = members.map((m) => parseRecord(m.data).fields.get("warc-type"));
      expect(types[0]).toBe("warcinfo");
      expect(types.slice(1)).toEqual(types.slice(1).map((_, i) => (i % 2 === 0 ? "request" : "response")));
      for (const member of members) {
        const record = parseRecord(member.data);
        const id = record.fields.get("warc-record-id") ?? "";
        if (overrunIds.has(id)) {
          expect(record.lengthMatches).toBe(false);
          expect(record.declaredLength).toBe(member.data.length - member.data.indexOf("\r\n\r\n") - 8 + 40);
          continue;
        }
        expect(record.lengthMatches).toBe(true);
        expect(record.fields.get("warc-block-digest")).toBe(base32Sha1(record.block));
        expect(record.fields.get("warc-date")).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        if (record.fields.get("warc-type") !== "response") continue;
        responses++;
        const t = byId.get(id) as SampleTruth;
        expect(t.file).toBe(`sample-0000${fileIndex}.warc.gz`);
        expect([t.offset, t.length]).toEqual([member.offset, member.length]);
        expect(record.fields.get("warc-target-uri")).toBe(t.url);
        expect(record.fields.get("content-type")).toBe("application/http; msgtype=response");
        const split = record.block.indexOf("\r\n\r\n");
        const payload = record.block.subarray(split + 4);
        expect(record.fields.get("warc-payload-digest")).toBe(base32Sha1(payload));
        const http = record.block.subarray(0, split).toString("latin1").split("\r\n");
        expect(/^HTTP\/1\.1 \d{3} /.test(http[0] ?? "")).toBe(t.malformation !== "bad_http_status");
        expect(http).toContain(`Content-Type: ${t.contentType}`);
        const html = payload.toString("utf8");
        if (t.kind === "non_html") {
          const magic = t.contentType === "image/png" ? "\u0089PNG" : "%PDF";
          expect(payload.subarray(0, 4).toString("latin1")).toBe(magic);
          continue;
        }
        expect(t.contentType).toBe("text/html; charset=UTF-8");
        if (t.malformation === "warc_truncated") {
          expect(record.fields.get("warc-truncated")).toBe("length");
          const served = Number(http.find((h) => h.startsWith("Content-Length: "))?.slice(16));
          expect(payload.length).toBe(Math.floor(served * 0.4));
          continue;
        }
        expect(http).toContain(`Content-Length: ${payload.length}`);
        expect(html.startsWith(`<!DOCTYPE html>\n<html${t.htmlLang === null ? "" : ` lang="${t.htmlLang}"`}>`)).toBe(true);
        expect(html).toContain('id="cookie-banner"');
        expect(html.trimEnd().endsWith("</html>")).toBe(true);
      }
    }
    expect(responses).toBe(600 - overrunIds.size);
  });

  it("lets a stream reader resynchronise after the overrunning record and still find every record", async () => {
    const overrunIds = truth.filter((t) => t.malformation === "content_length_overrun").map((t) => t.id);
    expect(overrunIds.length).toBeGreaterThan(0);
    const seen = new Set<string>();
    const overruns: string[] = [];
    for (const path of warcFiles) {
      const members = gzipMembers(await readFile(path));
      const stream = Buffer.concat(members.map((m) => m.data));
      const result = readStream(stream);
      expect(result.ids).toHaveLength(members.length);
      result.ids.forEach((id) => seen.add(id));
      overruns.push(...result.overruns);
    }
    expect(overruns.sort()).toEqual([...overrunIds].sort());
    for (const t of truth) expect(seen.has(t.id)).toBe(true);
  });

  it("handles page counts that are not a multiple of the block size", async () => {
    const small = await generateSample({ outDir: join(root, "small"), pages: 37, files: 3, seed: 7 });
    const rows = await readTruth(small.truthFile);
    expect(rows).toHaveLength(37);
    expect(small.warcFiles).toHaveLength(3);
    for (const t of rows) {
      if (t.malformation === "content_length_overrun") expect(t.index + 3).toBeLessThan(37);
    }
    const members = (await Promise.all(small.warcFiles.map((f) => readFile(f)))).flatMap((f) => gzipMembers(f));
    expect(members).toHaveLength(3 + 2 * 37);
  });
});
