import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { buffer } from "node:stream/consumers";
import { crc32, deflateRawSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gunzipMembers, type GzipDamage } from "../../../core/io/gzip.js";
import { openRead } from "../../../core/io/storage.js";
import { sampleBytes } from "./helpers.js";

async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

/** Everything gunzipMembers returns for `file` read in chunks of `size`, and the damage it reported. */
async function gunzip(file: Uint8Array, size = 4096): Promise<{ output: Buffer; damage: GzipDamage[] }> {
  const damage: GzipDamage[] = [];
  const parts: Buffer[] = [];
  for await (const part of gunzipMembers(chunked(file, size), (d) => damage.push(d))) parts.push(part);
  return { output: Buffer.concat(parts), damage };
}

const records = [sampleBytes(10_000, 1), sampleBytes(1, 2), sampleBytes(70_000, 3)];
const members = records.map((record) => gzipSync(record));
const file = Buffer.concat(members);
const all = Buffer.concat(records);

describe("gunzipMembers", () => {
  it("reads every member of a multi-member file, whatever the chunking", async () => {
    for (const size of [1, 7, 4096, file.length]) {
      const { output, damage } = await gunzip(file, size);
      expect(output.equals(all)).toBe(true);
      expect(damage).toEqual([]);
    }
  });

  it("reads two files joined with zero padding between them, and ignores padding at the end", async () => {
    const zeros = Buffer.alloc(512);
    const { output, damage } = await gunzip(Buffer.concat([file, zeros, file, zeros]));
    expect(output.equals(Buffer.concat([all, all]))).toBe(true);
    expect(damage).toEqual([]);
  });

  it("reports bytes between two members that are not gzip data, once, and reads the member after them", async () => {
    const { output, damage } = await gunzip(Buffer.concat([file, Buffer.from("X"), file]), 1000);
    expect(output.equals(Buffer.concat([all, all]))).toBe(true);
    expect(damage).toEqual([{ offset: file.length, detail: "1 bytes that are not gzip data" }]);

    const garbage = Buffer.from("not gzip at all\n".repeat(100));
    const tail = await gunzip(Buffer.concat([file, garbage]));
    expect(tail.output.equals(all)).toBe(true);
    expect(tail.damage).toEqual([{ offset: file.length, detail: `${garbage.length} bytes that are not gzip data` }]);
  });

  it("drops a member with corrupt deflate data and reads the members around it", async () => {
    const broken = Buffer.from(members[2]!);
    for (let at = 100; at < 400; at += 3) broken[at] = 0xff - broken[at]!;
    const { output, damage } = await gunzip(Buffer.concat([members[0]!, broken, members[1]!]));
    expect(output.equals(Buffer.concat([records[0]!, records[1]!]))).toBe(true);
    expect(damage).toHaveLength(1);
    expect(damage[0]!.offset).toBe(members[0]!.length);
  });

  it("drops a member whose CRC-32 does not match its data", async () => {
    const broken = Buffer.from(members[0]!);
    broken.writeUInt8(broken.readUInt8(broken.length - 8) ^ 1, broken.length - 8);
    const { output, damage } = await gunzip(Buffer.concat([broken, members[1]!]));
    expect(output.equals(records[1]!)).toBe(true);
    expect(damage).toEqual([{ offset: 0, detail: "gzip member fails its CRC-32 check" }]);
  });

  it("returns what a truncated last member holds and reports the truncation", async () => {
    const cut = file.subarray(0, members[0]!.length + members[1]!.length + 2000);
    const { output, damage } = await gunzip(cut);
    expect(output.length).toBeGreaterThan(records[0]!.length + records[1]!.length);
    expect(all.subarray(0, output.length).equals(output)).toBe(true);
    expect(damage).toEqual([{ offset: members[0]!.length + members[1]!.length, detail: "the data ends inside a gzip member" }]);
  });

  it("reads the optional header fields: extra, name, comment and header CRC", async () => {
    const data = sampleBytes(5000, 9);
    const header = Buffer.from([0x1f, 0x8b, 0x08, 0x04 | 0x08 | 0x10 | 0x02, 0, 0, 0, 0, 0, 3]);
    const extra = Buffer.from([3, 0, 0xaa, 0xbb, 0xcc]);
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(crc32(data), 0);
    trailer.writeUInt32LE(data.length, 4);
    const member = Buffer.concat([header, extra, Buffer.from("a.warc\0c\0"), Buffer.from([0x12, 0x34]), deflateRawSync(data), trailer]);
    const { output, damage } = await gunzip(Buffer.concat([member, members[1]!]), 3);
    expect(output.equals(Buffer.concat([data, records[1]!]))).toBe(true);
    expect(damage).toEqual([]);
  });

  it("reports a file that is not gzip at all", async () => {
    const { output, damage } = await gunzip(Buffer.from("hello, world\n"));
    expect(output.length).toBe(0);
    expect(damage).toEqual([{ offset: 0, detail: "13 bytes that are not gzip data" }]);
  });

  describe("members too large to inflate at once", () => {
    const large = sampleBytes(8 * 1024 * 1024, 5);
    const largeMember = gzipSync(large);

    it("streams a member larger than the window, then reads on after it", async () => {
      expect(largeMember.length).toBeGreaterThan(1 << 20);
      const joined = Buffer.concat([largeMember, Buffer.from("GARBAGE"), members[0]!]);
      const { output, damage } = await gunzip(joined, 65536);
      expect(output.equals(Buffer.concat([large, records[0]!]))).toBe(true);
      expect(damage).toEqual([{ offset: largeMember.length, detail: "7 bytes that are not gzip data" }]);
    });

    it("streams a member whose output is larger than one in-memory inflate (a bomb-like ratio)", async () => {
      const zeros = Buffer.alloc(80 * 1024 * 1024);
      const bomb = gzipSync(zeros);
      expect(bomb.length).toBeLessThan(1 << 20);
      let total = 0;
      let biggest = 0;
      const damage: GzipDamage[] = [];
      for await (const part of gunzipMembers(chunked(Buffer.concat([bomb, members[1]!]), 65536), (d) => damage.push(d))) {
        total += part.length;
        biggest = Math.max(biggest, part.length);
      }
      expect(total).toBe(zeros.length + records[1]!.length);
      expect(biggest).toBeLessThan(zeros.length);
      expect(damage).toEqual([]);
    });

    it("returns what a truncated large member holds and reports it", async () => {
      const { output, damage } = await gunzip(largeMember.subarray(0, largeMember.length - 100_000), 65536);
      expect(output.length).toBeGreaterThan(1 << 20);
      expect(large.subarray(0, output.length).equals(output)).toBe(true);
      expect(damage).toEqual([{ offset: 0, detail: "the data ends inside a gzip member" }]);
    });

    it("drops the rest of a large member after corruption and reads the member after it", async () => {
      const broken = Buffer.from(largeMember);
      for (let at = 1_200_000; at < 1_200_300; at++) broken[at] = 0xff - broken[at]!;
      const { output, damage } = await gunzip(Buffer.concat([broken, members[0]!]), 65536);
      expect(damage).toHaveLength(1);
      expect(damage[0]!.offset).toBe(0);
      expect(output.subarray(output.length - records[0]!.length).equals(records[0]!)).toBe(true);
    });
  });
});

describe("openRead of a damaged .gz", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "kiln-gzip-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("is a read_error naming the file and offset, unless the caller takes the damage", async () => {
    const damaged = path.join(dir, "joined.jsonl.gz");
    await writeFile(damaged, Buffer.concat([file, Buffer.from("X"), file]));
    await expect(buffer(await openRead(damaged))).rejects.toMatchObject({
      code: "read_error",
      message: `${damaged}: at offset ${file.length}: 1 bytes that are not gzip data`,
    });
    const heard: GzipDamage[] = [];
    const output = await buffer(await openRead(damaged, { onDamage: (d) => heard.push(d) }));
    expect(output.equals(Buffer.concat([all, all]))).toBe(true);
    expect(heard).toHaveLength(1);
  });
});
