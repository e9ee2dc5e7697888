import { describe, expect, it } from "vitest";
import { finewebQualityDecide, finewebQualityFilter, finewebQualityParams, finewebQualitySignals, type FinewebQualitySignals } from "../../../stages/filters/fineweb-quality.js";
import { doc, makeStage, recordingContext, runStage } from "./helpers.js";

const defaults = finewebQualityParams.parse({});
const v2024_04 = finewebQualityParams.parse({ version: "2024-04" });

describe("fineweb quality signals", () => {
  // 5 lines (12, 5, 48, 0, 12 chars), 81 chars, 4 newlines, 15 tokens.
  const text = "Hello world.\nshort\nThis line is definitely longer than thirty chars\n\nHello world.";
  it("measures a small text by hand, over its non-blank lines (2024-12)", () => {
    const s = finewebQualitySignals(text, defaults);
    expect(s.lines).toBe(4);
    expect(s.linePunctFrac).toBe(2 / 4);
    expect(s.shortLineFrac).toBe(3 / 4);
    expect(s.dupLineCharFrac).toBeCloseTo(12 / 77, 12);
    expect(s.newlineWordRatio).toBeCloseTo(4 / 15, 12);
  });
  it("measures it over every line, the blank one too (2024-04)", () => {
    const s = finewebQualitySignals(text, v2024_04);
    expect(s.linePunctFrac).toBe(2 / 5);
    expect(s.shortLineFrac).toBe(4 / 5);
    expect(s.dupLineCharFrac).toBeCloseTo(12 / 77, 12);
  });
  it("counts datatrove's terminal marks as line-ending punctuation in 2024-12, quotes not among them", () => {
    // 。 and the Devanagari danda are terminal marks; a closing quote is not (2024-04 counts it).
    const lines = '我们今天去北京。\nयह वाक्य है।\nHe said "stop."\nno';
    expect(finewebQualitySignals(lines, defaults).linePunctFrac).toBe(2 / 4);
    expect(finewebQualitySignals(lines, v2024_04).linePunctFrac).toBe(2 / 4);
    expect(finewebQualitySignals('我们今天去北京。\nHe said "stop."\nno', v2024_04).linePunctFrac).toBe(2 / 3);
    expect(finewebQualitySignals('我们今天去北京。\nHe said "stop."\nno', defaults).linePunctFrac).toBe(1 / 3);
  });
});

describe("fineweb quality thresholds", () => {
  const long = (i: number, end: string) => `This is a fairly long line of text, number ${i}${end}`;
  const lines = (punctuated: number, total: number) => Array.from({ length: total }, (_, i) => long(i, i < punctuated ? "." : "")).join("\n");
  it("keeps exactly 12% punctuated lines and drops below in 2024-12; drops at 12% in 2024-04", () => {
    expect(finewebQualityFilter(doc(lines(2, 25)), defaults)).toBe("fineweb_quality:line_punct_ratio"); // 0.08
    expect(finewebQualityFilter(doc(lines(3, 25)), defaults)).toBe(true); // 0.12
    expect(finewebQualityFilter(doc(lines(3, 25)), v2024_04)).toBe("fineweb_quality:line_punct_ratio");
    expect(finewebQualityFilter(doc(lines(4, 25)), v2024_04)).toBe(true); // 0.16
  });
  it("drops a page of blank lines as empty in 2024-12", () => {
    expect(finewebQualityFilter(doc("\n \t\n"), defaults)).toBe("fineweb_quality:empty");
    expect(finewebQualityFilter(doc("\n \t\n"), v2024_04)).toBe("fineweb_quality:line_punct_ratio");
  });
  it("keeps a page with no punctuated line when linePunctExcludeZero is set", () => {
    expect(finewebQualityFilter(doc(lines(0, 25)), { ...defaults, linePunctExcludeZero: true })).toBe(true);
  });
  it("treats a line of 30 characters as short and 31 as not", () => {
    expect(finewebQualitySignals("x".repeat(30) + "\n" + "y".repeat(31), defaults).shortLineFrac).toBe(0.5);
  });
  it("measures lines in code points, as Python's len does", () => {
    // 30 emoji are 60 UTF-16 units but 30 characters: a short line. The repeated line's 30
    // characters over the 61 characters that are not newlines.
    const emoji = "😀".repeat(30);
    const s = finewebQualitySignals(`${emoji}\n${emoji}\nx`, defaults);
    expect(s.shortLineFrac).toBe(1);
    expect(s.dupLineCharFrac).toBeCloseTo(30 / 61, 12);
  });
  const base: FinewebQualitySignals = { lines: 10, linePunctFrac: 1, shortLineFrac: 0, dupLineCharFrac: 0, newlineWordRatio: 0 };
  it.each([
    ["short_line_ratio", { shortLineFrac: 0.67 }, { shortLineFrac: 0.6701 }],
    ["char_dup_ratio", { dupLineCharFrac: 0.01 }, { dupLineCharFrac: 0.0101 }],
    ["list_ratio", { newlineWordRatio: 0.3 }, { newlineWordRatio: 0.3001 }],
  ] as const)("%s (2024-12): at the bound keeps, past it drops", (rule, keep, drop) => {
    expect(finewebQualityDecide({ ...base, ...keep }, defaults)).toBe(true);
    expect(finewebQualityDecide({ ...base, ...drop }, defaults)).toBe(`fineweb_quality:${rule}`);
  });
  it.each([
    ["short_line_ratio", { shortLineFrac: 0.6699 }, { shortLineFrac: 0.67 }],
    ["char_dup_ratio", { dupLineCharFrac: 0.0099 }, { dupLineCharFrac: 0.01 }],
    ["list_ratio", { newlineWordRatio: 0.3 }, { newlineWordRatio: 0.3001 }],
  ] as const)("%s (2024-04): just under keeps, at or over drops", (rule, keep, drop) => {
    expect(finewebQualityDecide({ ...base, ...keep }, v2024_04)).toBe(true);
    expect(finewebQualityDecide({ ...base, ...drop }, v2024_04)).toBe(`fineweb_quality:${rule}`);
  });
  it("keeps a Russian article with punctuated lines", () => {
    const russian = "Сегодня в городе прошла большая выставка современного искусства.\nМногие жители пришли посмотреть на новые работы местных художников.";
    expect(finewebQualityFilter(doc(russian), defaults)).toBe(true);
  });
});

describe("fineweb_quality stage", () => {
  it("writes meta.fineweb and re-thresholds from it", async () => {
    const ctx = recordingContext();
    const text = "A line that ends properly with a full stop.\nAnother line that also ends with a stop here.";
    const [out] = await runStage(makeStage("fineweb_quality"), [doc(text)], ctx);
    expect((out!.meta.fineweb as FinewebQualitySignals).linePunctFrac).toBe(1);
    await runStage(makeStage("fineweb_quality", { reuseSignals: true, linePunctThr: 1.5 }), [{ ...out!, text: "" }], ctx);
    expect(ctx.drops).toEqual([["d", "fineweb_quality:line_punct_ratio"]]);
  });
});
