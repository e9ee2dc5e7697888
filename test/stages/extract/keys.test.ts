import { describe, expect, it } from "vitest";
import { lettersAndDigits, lettersKey } from "../../../stages/extract/boilerplate.js";
import { collapseSpaces } from "../../../stages/extract/el.js";

/** The definitions the fast versions must agree with, as regular expressions. */
const lettersAndDigitsByPattern = (text: string, joiner: string) => text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, joiner);
const collapseByPattern = (text: string) => text.replace(/\s+/g, " ");

describe("lettersAndDigits", () => {
  it("keeps letters and digits, lower-cased, and puts the joiner for each run of anything else", () => {
    expect(lettersKey("Die Welt: 3 Fragen – und Antworten!")).toBe("diewelt3fragenundantworten");
    expect(lettersAndDigits("  Die Welt: 3 Fragen – und Antworten!", " ")).toBe(" die welt 3 fragen und antworten ");
    expect(lettersAndDigits("Ünïcödé ÆØÅ 東京 ٣ ½", "-")).toBe("ünïcödé-æøå-東京-٣-½");
    expect(lettersAndDigits("", " ")).toBe("");
    expect(lettersAndDigits("!?", " ")).toBe(" ");
    // A letter outside the Basic Multilingual Plane is one character (two code units); an emoji is not a letter.
    expect(lettersAndDigits("𝐀b 😀 𠀋", "_")).toBe("𝐀b_𠀋");
    // A lone surrogate is no letter.
    expect(lettersAndDigits("a\ud800b\udc00c", "")).toBe("abc");
    // "İ" lower-cases to "i" and a combining dot, which is a mark, not a letter.
    expect(lettersKey("İstanbul")).toBe("istanbul");
  });

  it("agrees with the regular expression on every character of the Basic Multilingual Plane and across the others", () => {
    const disagreements: string[] = [];
    for (let code = 0; code < 0x10000; code++) {
      const c = String.fromCharCode(code);
      const text = `A${c}b${c}${c}`;
      for (const joiner of ["", " "]) if (lettersAndDigits(text, joiner) !== lettersAndDigitsByPattern(text, joiner)) disagreements.push(code.toString(16));
    }
    for (let point = 0x10000; point < 0x110000; point += 97) {
      const c = String.fromCodePoint(point);
      const text = `${c}x-${c}`;
      if (lettersAndDigits(text, " ") !== lettersAndDigitsByPattern(text, " ")) disagreements.push(point.toString(16));
    }
    expect(disagreements).toEqual([]);
  });
});

describe("collapseSpaces", () => {
  it("makes each run of white space one space, and leaves a single space as it is", () => {
    expect(collapseSpaces("a  b\tc\n\n d\u00a0e f")).toBe("a b c d e f");
    const pieces = [" ", "\n", "\t", "\u00a0", "\u2003", "\r", "x", "yz"];
    // Every sequence of up to five pieces.
    const disagreements: string[] = [];
    const visit = (text: string, depth: number): void => {
      if (collapseSpaces(text) !== collapseByPattern(text)) disagreements.push(JSON.stringify(text));
      if (depth < 5) for (const piece of pieces) visit(text + piece, depth + 1);
    };
    visit("", 0);
    expect(disagreements).toEqual([]);
  });
});
