import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { runCommand } from "citty";
import { parse } from "yaml";
import { describe, expect, it, vi } from "vitest";
import { asConfig, calibrate, calibrateCommand, calibrateThreshold, collectSignals, type SignalsByLanguage } from "../../stages/calibrate.js";
import { gopherQualitySignals } from "../../stages/filters/gopher-quality.js";
import { finewebQualityParams, finewebQualitySignals } from "../../stages/filters/fineweb-quality.js";
import { getSpec } from "../../pipeline/registry.js";
import { tempDir } from "../pipeline/helpers.js";

describe("calibrate", () => {
  it("sets each threshold at the strictest value that keeps the asked share of the reference", () => {
    const reference = [0.9, 0.5, 1.0, 0.7, 0.8];
    // Keep >= t for 4 of 5: t = 0.7 (0.7 0.8 0.9 1.0); anything above 0.7 keeps 3.
    expect(calibrateThreshold(reference, ">=", 0.8)).toBe(0.7);
    // Keep <= t for 4 of 5: t = 0.9.
    expect(calibrateThreshold(reference, "<=", 0.8)).toBe(0.9);
    // Keep > t for 4 of 5: the midpoint 0.6 (t = 0.7 would drop 0.7 itself).
    expect(calibrateThreshold(reference, ">", 0.8)).toBeCloseTo(0.6, 12);
    expect(calibrateThreshold(reference, ">=", 1)).toBe(0.5);
    expect(calibrateThreshold([], ">=", 0.9)).toBeUndefined();
  });

  it("reports per language what share of the crawl each threshold removes, and writes presetParams-shaped config", () => {
    const signals = (values: Record<string, number[]>): Map<string, number[]> => new Map(Object.entries(values));
    const reference: SignalsByLanguage = new Map([
      ["de", signals({ "gopherQuality.alphaWordFrac": [0.9, 0.5, 1.0, 0.7, 0.8], "fineweb.newlineWordRatio": [0.01, 0.02, 0.05, 0.1, 0.3] })],
      ["fr", signals({ "gopherQuality.alphaWordFrac": [0.95] })],
    ]);
    const crawl: SignalsByLanguage = new Map([["de", signals({ "gopherQuality.alphaWordFrac": [0.2, 0.6, 0.75, 0.9], "fineweb.newlineWordRatio": [0.5, 0.05] })]]);
    const rows = calibrate(crawl, reference, 0.8);
    expect(rows.map((r) => [r.language, r.stage, r.param, r.threshold, r.referenceKept, r.crawlRemoved])).toEqual([
      // alpha >= 0.7 keeps 4/5 of the reference; drops 0.2 and 0.6 of the crawl: 2/4.
      ["de", "gopher_quality", "minAlphaWordsRatio", 0.7, 0.8, 0.5],
      // newlines <= 0.1 keeps 4/5; drops 0.5 of the crawl: 1/2.
      ["de", "fineweb_quality", "newLineRatio", 0.1, 0.8, 0.5],
    ]);
    expect(asConfig(rows)).toEqual({ gopher_quality: { perLanguage: { de: { minAlphaWordsRatio: 0.7 } } }, fineweb_quality: { perLanguage: { de: { newLineRatio: 0.1 } } } });
  });

  it("annotates documents that lack signals with the filters' own functions, and keeps those a run left", async () => {
    const dir = await tempDir();
    const text = "Der Hund läuft schnell über die Straße.\nDie Katze schläft im Garten, und der Vogel singt.\n- eine Liste";
    const file = path.join(dir, "docs.jsonl");
    const left = { gopherQuality: { alphaWordFrac: 0.123 } };
    await writeFile(file, [JSON.stringify({ id: "a", text, meta: { language: "de" } }), JSON.stringify({ id: "b", text, meta: { language: "de", ...left } }), "{not json"].join("\n") + "\n");
    const reported: string[] = [];
    const { signals, documents } = await collectSignals([file], (message) => reported.push(message));
    expect(documents).toBe(2);
    expect(reported).toEqual([expect.stringMatching(/docs\.jsonl:3: skipped: bad_json/)]);
    const de = signals.get("de")!;
    expect(de.get("gopherQuality.alphaWordFrac")).toEqual([gopherQualitySignals(text).alphaWordFrac, 0.123]);
    const fineweb = finewebQualitySignals(text, finewebQualityParams.parse({}));
    expect(de.get("fineweb.linePunctFrac")).toEqual([fineweb.linePunctFrac, fineweb.linePunctFrac]);
    expect(de.has("languageScore")).toBe(false); // the language was given: nothing scored it
  });

  it("kiln calibrate prints the table and writes the thresholds", async () => {
    const dir = await tempDir();
    const doc = (id: string, text: string) => JSON.stringify({ id, text, meta: { language: "en" } });
    const good = (i: number) => `This is a complete sentence number ${i} about the weather.\nIt ends with a full stop, as good text does.`;
    const bad = (i: number) => `menu ${i}\nhome\nabout us\ncontact`;
    await writeFile(path.join(dir, "reference.jsonl"), Array.from({ length: 20 }, (_, i) => doc(`r${i}`, good(i))).join("\n") + "\n");
    await writeFile(path.join(dir, "crawl.jsonl"), [...Array.from({ length: 10 }, (_, i) => doc(`g${i}`, good(i))), ...Array.from({ length: 10 }, (_, i) => doc(`b${i}`, bad(i)))].join("\n") + "\n");
    let out = "";
    const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
    try {
      await runCommand(calibrateCommand, { rawArgs: ["--crawl", path.join(dir, "crawl.jsonl"), "--reference", path.join(dir, "reference.jsonl"), "--keep", "1", "--out", path.join(dir, "t.yaml")] });
    } finally {
      write.mockRestore();
    }
    expect(out).toContain("crawl 20 documents, reference 20 documents");
    // Every reference line ends in a full stop: keeping all of it puts the cut at 1 (the filter
    // keeps a page whose fraction is at least its bound), which removes the 10 menus (no line ends
    // in punctuation).
    expect(out).toMatch(/en\s+fineweb_quality\s+linePunctThr\s+1\s+100\.0%\s+50\.0%/);
    const config = parse(await readFile(path.join(dir, "t.yaml"), "utf8")) as Record<string, { perLanguage: Record<string, Record<string, number>> }>;
    expect(config.fineweb_quality!.perLanguage.en!.linePunctThr).toBe(1);
    // The file is presetParams: the thresholds apply to English documents, others keep the defaults.
    const params = getSpec("stage", "fineweb_quality").params.parse(config.fineweb_quality) as { linePunctThr: number; perLanguage: Record<string, { linePunctThr?: number }> };
    expect(params.perLanguage.en).toEqual(config.fineweb_quality!.perLanguage.en);
    expect(params.linePunctThr).toBe(0.12);
  });
});
