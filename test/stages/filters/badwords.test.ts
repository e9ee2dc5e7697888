import { createHash } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import "../../../stages/filters/index.js";
import { BADWORDS_LANGUAGES, badWords } from "../../../stages/filters/badwords.js";
import { doc, makeStage, recordingContext, runStage } from "./helpers.js";

const kept = async (texts: string[], params: Record<string, unknown> = {}, meta: Record<string, unknown> = {}) => {
  const ctx = recordingContext();
  const docs = texts.map((text, i) => doc(text, { id: `d${i}`, meta: { ...meta } }));
  const out = await runStage(makeStage("c4_badwords", params), docs, ctx);
  return { kept: out.map((d) => d.text), drops: ctx.drops, skips: ctx.skips };
};

describe("c4_badwords lists", () => {
  it("uses C4's pinned English list: 377 entries, without the 26 LDNOOBW added later", () => {
    const english = badWords("en");
    expect(english).toHaveLength(377);
    expect(english).toContain("escort");
    expect(english).toContain("s&m");
    for (const later of ["sexual", "sexuality", "horny", "viagra", "whore"]) expect(english).not.toContain(later);
  });

  it("has LDNOOBW's 28 languages, with the allowlisted subwords removed", () => {
    expect(BADWORDS_LANGUAGES).toHaveLength(28);
    for (const language of BADWORDS_LANGUAGES) expect(badWords(language).length, language).toBeGreaterThan(0);
    expect(badWords("ja")).not.toContain("女の子");
    expect(badWords("ja")).not.toContain("sm");
    expect(badWords("zh")).not.toContain("性");
    expect(badWords("xx")).toEqual([]);
  });
});

describe("c4_badwords", () => {
  it("matches whole entries between non-word characters, case-insensitively", async () => {
    const { kept: out, drops } = await kept([
      "The classroom assessment passed.", // "ass" inside words
      "Ass. That is how the line starts.",
      "A page about an Escort, with a comma.",
      "escorts are plural and do not match", // not followed by a non-word character
      "She studies sexual health.", // on today's LDNOOBW list, not on C4's
      "a g-spot phrase with its hyphen",
      "phrases span words: 2 girls 1 cup.",
      "under_score_escort is one word in Python's \\w",
    ]);
    expect(out).toEqual(["The classroom assessment passed.", "escorts are plural and do not match", "She studies sexual health.", "under_score_escort is one word in Python's \\w"]);
    expect(drops).toEqual([["d1", "badwords"], ["d2", "badwords"], ["d5", "badwords"], ["d6", "badwords"]]);
  });

  it("matches anywhere in Japanese and Chinese, and keeps the allowlisted subwords", async () => {
    const ja = await kept(["これはセックスの話です。", "女の子が学校に行きました。"], {}, { language: "ja" });
    expect(ja.kept).toEqual(["女の子が学校に行きました。"]);
    const zh = await kept(["性别平等是重要的。"], {}, { language: "zh" });
    expect(zh.kept).toEqual(["性别平等是重要的。"]);
  });

  it("uses meta.language, maps our codes to LDNOOBW's names, and counts languages without a list", async () => {
    // "escort" is English: a German page keeps it
    expect((await kept(["Ein Escort-Service."], {}, { language: "de" })).kept).toHaveLength(1);
    expect((await kept(["Ein Escort-Service."])).kept).toHaveLength(0); // no language: English
    expect((await kept(["Ein Escort-Service."], { defaultLanguage: "de" })).kept).toHaveLength(1);
    const tagalog = badWords("fil")[0]!;
    expect((await kept([`salita ${tagalog} dito`], {}, { language: "tl" })).kept).toHaveLength(0);
    const missing = await kept(["an escort"], {}, { language: "xx" });
    expect(missing.kept).toHaveLength(1);
    expect(missing.skips).toEqual({ "missing_badwords_lang:xx": 1 });
    const strict = await kept(["an escort"], { failOnMissingLanguage: true }, { language: "xx" });
    expect(strict.drops).toEqual([["d0", "missing_badwords_lang"]]);
  });

  it("keeps keepFraction of matching pages, chosen by a hash of (seed, id)", async () => {
    const texts = Array.from({ length: 200 }, () => "an escort");
    const { kept: out, drops, skips } = await kept(texts, { keepFraction: 0.3, seed: 7 });
    const expected = texts.filter((_, i) => createHash("sha1").update(`7\0d${i}`).digest().readUInt32BE(0) / 2 ** 32 < 0.3).length;
    expect(out).toHaveLength(expected);
    expect(expected).toBeGreaterThan(40);
    expect(expected).toBeLessThan(80);
    expect(drops).toHaveLength(200 - expected);
    expect(skips).toEqual({ kept_with_badwords: expected });
  });

  it("takes a language's list from a file, one entry per line", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "kiln-badwords-"));
    const file = path.join(dir, "en.txt");
    await writeFile(file, "kiln\n\nfiring schedule\n");
    const { kept: out } = await kept(["a kiln here", "the firing schedule.", "an escort"], { wordLists: { en: file } });
    expect(out).toEqual(["an escort"]);
    expect(() => makeStage("c4_badwords", { wordLists: { en: path.join(dir, "missing.txt") } })).toThrow(/c4_badwords: wordLists\.en: .*missing\.txt/);
  });
});
