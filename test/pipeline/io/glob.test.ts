import { describe, expect, it } from "vitest";
import { globToRegExp, hasGlobChars, literalPrefix } from "../../../core/io/glob.js";

function matching(pattern: string, keys: string[]): string[] {
  const regexp = globToRegExp(pattern);
  return keys.filter((key) => regexp.test(key));
}

const KEYS = [
  "crawl-data/CC-MAIN-2024-10/segments/1707947473347.0/warc/CC-MAIN-1.warc.gz",
  "crawl-data/CC-MAIN-2024-10/segments/1707947473347.0/wet/CC-MAIN-1.warc.wet.gz",
  "crawl-data/CC-MAIN-2024-10/warc.paths.gz",
  "crawl-data/CC-MAIN-2024-18/segments/1712296815919.75/warc/CC-MAIN-2.warc.gz",
  "a.gz",
  "x/a.gz",
  "x/y/a.gz",
];

describe("globToRegExp (s3 keys)", () => {
  it("keeps * within a segment and lets ** span segments, including none", () => {
    expect(matching("crawl-data/CC-MAIN-2024-10/segments/*/warc/*.warc.gz", KEYS)).toEqual([KEYS[0]]);
    expect(matching("crawl-data/CC-MAIN-2024-10/*.gz", KEYS)).toEqual([KEYS[2]]);
    expect(matching("crawl-data/**/*.warc.gz", KEYS)).toEqual([KEYS[0], KEYS[3]]);
    expect(matching("**/a.gz", KEYS)).toEqual(["a.gz", "x/a.gz", "x/y/a.gz"]);
    expect(matching("x/**", KEYS)).toEqual(["x/a.gz", "x/y/a.gz"]);
  });

  it("supports ?, classes, negated classes and braces; dots are literal", () => {
    expect(matching("crawl-data/CC-MAIN-2024-1?/warc.paths.gz", KEYS)).toEqual([KEYS[2]]);
    expect(matching("crawl-data/CC-MAIN-2024-[0-1][08]/segments/*/warc/*", KEYS)).toEqual([KEYS[0], KEYS[3]]);
    expect(matching("crawl-data/CC-MAIN-2024-1[!0]/**/*.gz", KEYS)).toEqual([KEYS[3]]);
    expect(matching("crawl-data/**/{warc,wet}/*.gz", KEYS)).toEqual([KEYS[0], KEYS[1], KEYS[3]]);
    expect(globToRegExp("a.gz").test("aXgz")).toBe(false);
    expect(globToRegExp("a\\*.gz").test("a*.gz")).toBe(true);
    expect(globToRegExp("a\\*.gz").test("ab.gz")).toBe(false);
    expect(() => globToRegExp("a/{b,c")).toThrow(expect.objectContaining({ code: "bad_glob" }));
  });

  it("lists under the literal part before the first glob character", () => {
    expect(literalPrefix("crawl-data/CC-MAIN-2024-10/segments/*/warc/*.gz")).toBe("crawl-data/CC-MAIN-2024-10/segments/");
    expect(literalPrefix("cc/{a,b}/x")).toBe("cc/");
    expect(literalPrefix("cc/plain.gz")).toBe("cc/plain.gz");
    expect(hasGlobChars("cc/plain.gz")).toBe(false);
    expect(hasGlobChars("cc/x?.gz")).toBe(true);
  });
});
