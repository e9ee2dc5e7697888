import { readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { RecordFile } from "../../../stages/dedup/format.js";
import { RecordSorter, radixOrder } from "../../../stages/dedup/sort.js";
import { tempDir } from "../../pipeline/helpers.js";
import { rng } from "./corpus.js";

async function readAll(file: string): Promise<number[][][]> {
  const f = await RecordFile.open(file, "test");
  const sections: number[][][] = [];
  for (let s = 0; s < f.header.sections.length; s++) {
    const cursor = f.cursor(s, 7);
    const records: number[][] = [];
    while (await cursor.next()) records.push([...cursor.words.subarray(cursor.at, cursor.at + 4)]);
    sections.push(records);
  }
  await f.close();
  return sections;
}

async function sortInto(file: string, records: number[][], maxRecords: number) {
  const sorter = new RecordSorter(`${file}.tmp`, { words: 4, keyWords: 2, sections: 3, maxRecords });
  for (const [section, hi, lo, pos] of records) await sorter.add([hi!, lo!, pos!, pos! * 2], section);
  await sorter.writeSorted(file, { kind: "test", version: 1, params: { bands: 3 } });
}

describe("external sort and record files", () => {
  it("radix order sorts by (hi, lo) and keeps insertion order on ties", () => {
    const hi = [5, 1, 5, 0xffffffff, 1, 0];
    const lo = [2, 9, 2, 0, 3, 0x80000000];
    // Records of (hi, lo, index): the key is the first two words.
    const records = Uint32Array.from(hi.flatMap((h, i) => [h, lo[i]!, i]));
    expect([...radixOrder(records, 3, 2, 6)]).toEqual([5, 4, 1, 0, 2, 3]);
  });

  it("gives the same file whether or not it spilled sorted runs, sorted by (hash, position)", async () => {
    const dir = await tempDir();
    const random = rng(5);
    // few distinct hashes so many ties; positions increase as in a document stream
    const records = Array.from({ length: 5000 }, (_, pos) => [Math.floor(random() * 3), Math.floor(random() * 4) * 0x40000000, Math.floor(random() * 50), pos]);
    await sortInto(path.join(dir, "memory.bin"), records, 1_000_000);
    await sortInto(path.join(dir, "spilled.bin"), records, 1000);
    expect(await readFile(path.join(dir, "spilled.bin"))).toEqual(await readFile(path.join(dir, "memory.bin")));
    expect((await readdir(dir)).sort()).toEqual(["memory.bin", "spilled.bin"]);
    const expected = [0, 1, 2].map((s) =>
      records
        .filter((r) => r[0] === s)
        .sort((a, b) => a[1]! - b[1]! || a[2]! - b[2]! || a[3]! - b[3]!)
        .map((r) => [r[1], r[2], r[3], r[3]! * 2]),
    );
    expect(await readAll(path.join(dir, "spilled.bin"))).toEqual(expected);
  });

  it("refuses a corrupt or truncated file, naming it", async () => {
    const dir = await tempDir();
    const file = path.join(dir, "data.bin");
    await sortInto(file, [[0, 1, 2, 3], [1, 4, 5, 6], [2, 7, 8, 9]], 100);
    const bytes = await readFile(file);
    const corrupt = Buffer.from(bytes);
    corrupt[corrupt.length - 12 - 24 - 5]! ^= 1; // a record word of the last section
    await writeFile(file, corrupt);
    await expect(readAll(file)).rejects.toThrow(/data\.bin: checksum mismatch in section 2/);
    await writeFile(file, bytes.subarray(0, bytes.length - 4));
    await expect(readAll(file)).rejects.toThrow(/data\.bin: truncated/);
    await writeFile(file, "not a dedup file at all, just text");
    await expect(readAll(file)).rejects.toThrow(/data\.bin: not a kiln dedup file/);
    await expect(RecordFile.open(path.join(dir, "nope.bin"), "test")).rejects.toThrow(/nope\.bin: cannot open: ENOENT/);
  });

  it("refuses a file of another kind or with other parameters", async () => {
    const dir = await tempDir();
    const file = path.join(dir, "data.bin");
    await sortInto(file, [[0, 1, 2, 3]], 100);
    await expect(RecordFile.open(file, "signatures")).rejects.toThrow(/data\.bin: holds test, expected signatures/);
    await expect(RecordFile.open(file, "test", { bands: 4 })).rejects.toThrow(/data\.bin: written with bands=3, but this step expects bands=4/);
  });
});
