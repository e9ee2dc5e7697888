import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { Doc, TaskContext } from "../../../pipeline/doc.js";
import { decodeHtml, repairDoubleEncoding, type DecodedText } from "../../../stages/readers/decode.js";
import { warcDocs, warcReaderParams } from "../../../stages/readers/warc.js";

// Byte tables written out by hand for the characters the pages below use (ASCII is itself).
const SHIFT_JIS: Record<string, string> = {
  "。": "81 42", ー: "81 5b", こ: "82 b1", す: "82 b7", で: "82 c5", の: "82 cc", は: "82 cd", れ: "82 ea",
  キ: "83 4c", コ: "83 52", ス: "83 58", テ: "83 65", ト: "83 67", ド: "83 68", 語: "8c ea", 字: "8e 9a",
  定: "92 e8", 日: "93 fa", 判: "94 bb", 文: "95 b6", 本: "96 7b",
};
const GBK: Record<string, string> = {
  "。": "a1 a3", 编: "b1 e0", 测: "b2 e2", 的: "b5 c4", 符: "b7 fb", 个: "b8 f6", 检: "bc ec", 码: "c2 eb",
  们: "c3 c7", 内: "c4 da", 容: "c8 dd", 是: "ca c7", 试: "ca d4", 网: "cd f8", 文: "ce c4", 我: "ce d2",
  页: "d2 b3", 一: "d2 bb", 这: "d5 e2", 中: "d6 d0", 字: "d7 d6",
};
const ISO_8859_2: Record<string, string> = {
  Ą: "a1", Ł: "a3", Ś: "a6", Ź: "ac", Ż: "af", ą: "b1", ł: "b3", ś: "b6", ź: "bc", ż: "bf",
  Ć: "c6", Ę: "ca", Ń: "d1", Ó: "d3", ć: "e6", ę: "ea", ń: "f1", ó: "f3",
};

function encodeWithTable(table: Record<string, string>, text: string): Buffer {
  const bytes: number[] = [];
  for (const character of text) {
    if (character.charCodeAt(0) < 0x80) bytes.push(character.charCodeAt(0));
    else if (table[character]) bytes.push(...table[character].split(" ").map((hex) => parseInt(hex, 16)));
    else throw new Error(`no bytes for ${character}`);
  }
  return Buffer.from(bytes);
}

/** windows-1251 puts А..я (U+0410..U+044F) at 0xC0..0xFF in order, Ё at 0xA8 and ё at 0xB8. */
function encodeWindows1251(text: string): Buffer {
  return Buffer.from(
    Array.from(text, (character) => {
      const code = character.charCodeAt(0);
      if (code < 0x80) return code;
      if (code >= 0x410 && code <= 0x44f) return code - 0x410 + 0xc0;
      if (character === "Ё" || character === "ё") return character === "Ё" ? 0xa8 : 0xb8;
      throw new Error(`no byte for ${character}`);
    }),
  );
}

const page = (title: string, body: string, head = "") =>
  `<!doctype html><html><head>${head}<title>${title}</title></head><body><p>${body}</p></body></html>`;

const cases = [
  {
    charset: "shift_jis",
    label: "Shift_JIS",
    encode: (text: string) => encodeWithTable(SHIFT_JIS, text),
    title: "日本語のテキスト",
    body: "これは文字コードの判定のテストです。日本語のテキストです。",
  },
  {
    charset: "gbk",
    label: "GB2312",
    encode: (text: string) => encodeWithTable(GBK, text),
    title: "中文网页",
    body: "这是一个中文网页的内容。我们测试字符编码的检测。",
  },
  {
    charset: "windows-1251",
    label: "cp1251",
    encode: encodeWindows1251,
    title: "Проверка",
    body: "Это русский текст для проверки кодировки. Съешь же ещё этих мягких французских булок.",
  },
  {
    charset: "iso-8859-2",
    label: "latin2",
    encode: (text: string) => encodeWithTable(ISO_8859_2, text),
    title: "Zażółć gęślą jaźń",
    body: "Pchnąć w tę łódź jeża lub ośm skrzyń fig. Łódź i Kraków.",
  },
];

function decoded(bytes: Buffer, contentType?: string): DecodedText {
  const result = decodeHtml(bytes, contentType);
  if ("problem" in result) throw new Error(result.detail);
  return result;
}

describe("decodeHtml", () => {
  for (const { charset, label, encode, title, body } of cases) {
    it(`decodes ${charset} declared by the HTTP header, by <meta>, and undeclared`, () => {
      const plain = page(title, body);
      expect(decoded(encode(plain), `text/html; charset=${label}`)).toEqual({ text: plain, charset, source: "http" });

      const withMeta = page(title, body, `<meta charset="${label}">`);
      expect(decoded(encode(withMeta), "text/html")).toEqual({ text: withMeta, charset, source: "meta" });
      const httpEquiv = page(title, body, `<meta http-equiv="Content-Type" content="text/html; charset=${label}">`);
      expect(decoded(encode(httpEquiv))).toEqual({ text: httpEquiv, charset, source: "meta" });

      expect(decoded(encode(plain), "text/html")).toEqual({ text: plain, charset, source: "detected" });
    });
  }

  it("lets a byte order mark override the header", () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(page("Größe", "ok"))]);
    expect(decoded(bytes, "text/html; charset=windows-1251")).toEqual({ text: page("Größe", "ok"), charset: "utf-8", source: "bom" });
  });

  it("prefers valid UTF-8 over a declared single-byte charset, and detects a page that lies about UTF-8", () => {
    expect(decoded(Buffer.from(page("Größe", "ok")), "text/html; charset=ISO-8859-1")).toMatchObject({ charset: "utf-8", source: "utf8" });
    const latin = page("Crème brûlée", "Un café, s'il vous plaît. À bientôt, garçon!");
    const bytes = Buffer.from(latin, "latin1");
    expect(decoded(bytes, "text/html; charset=utf-8")).toEqual({ text: latin, charset: "windows-1252", source: "detected" });
    expect(decoded(bytes, "text/html; charset=no-such-charset")).toEqual({ text: latin, charset: "windows-1252", source: "detected" });
  });

  it("drops a character cut in half at the end of a page instead of failing", () => {
    const jis = encodeWithTable(SHIFT_JIS, page("日本語", "日本語のテキスト"));
    const cut = Buffer.concat([jis, Buffer.from([0x93])]);
    expect(decoded(cut, "text/html; charset=shift_jis").text).toBe(page("日本語", "日本語のテキスト"));
  });

  it("reports bytes that are not text as undecodable", () => {
    const binary = Buffer.from(Array.from({ length: 400 }, (_, i) => (i * 7919) % 256));
    expect(decodeHtml(binary, "text/html")).toMatchObject({ problem: "undecodable" });
    expect(decodeHtml(Buffer.alloc(100), "text/html; charset=utf-8")).toMatchObject({ problem: "undecodable" });
  });
});

describe("repairDoubleEncoding", () => {
  it("turns UTF-8 read as windows-1252 back into the characters it encodes", () => {
    // ’ is E2 80 99, read as windows-1252 "â", "€", "™"; é is C3 A9 ("Ã", "©"); ü is C3 BC ("Ã", "¼").
    expect(repairDoubleEncoding("Itâ€™s a cafÃ© in MÃ¼nchen")).toBe("It’s a café in München");
    expect(repairDoubleEncoding("WireGuardÂ® protocol, xÂ³ - 4xÂ²")).toBe("WireGuard® protocol, x³ - 4x²");
    // 中 is E4 B8 AD ("ä", "¸", soft hyphen), 文 is E6 96 87 ("æ", "–", "‡").
    expect(repairDoubleEncoding("ä¸\u00adæ–‡")).toBe("中文");
  });

  it("turns UTF-8 read as ISO-8859-1 back too, whose C1 controls stand where windows-1252 has € and ™", () => {
    // “ is E2 80 9C, ’ is E2 80 99: as ISO-8859-1 "â" and the controls U+0080, U+009C / U+0099.
    expect(repairDoubleEncoding("\u00e2\u0080\u009cBecause buses last,\u00e2\u0080\u009d says the Earth\u00e2\u0080\u0099s keeper")).toBe("“Because buses last,” says the Earth’s keeper");
    // Both readings in one text (a page assembled from two sources).
    expect(repairDoubleEncoding("Itâ€™s the Earth\u00e2\u0080\u0099s")).toBe("It’s the Earth’s");
  });

  it("repairs symbols and emoji, and a no-break space that white space made plain ('Â ')", () => {
    // → is E2 86 92 ("â", "†", "’"), ★ E2 98 85 ("â", "˜", "…"), 😀 F0 9F 98 80 ("ð", "Ÿ", "˜", "€"); a no-break space C2 A0 ("Â", U+00A0) read as a plain space.
    expect(repairDoubleEncoding("Clicks â†’ sales, rated â˜… by usÂ all, ðŸ˜€")).toBe("Clicks → sales, rated ★ by us all, 😀");
    // A capital Â in correct text stays: no run beside it.
    expect(repairDoubleEncoding("CÂMARA MUNICIPAL Â FRENTE")).toBe("CÂMARA MUNICIPAL Â FRENTE");
  });

  it("leaves correct text alone, and text whose correct characters outnumber the runs", () => {
    for (const text of ["plain ASCII", "Das ist „groß“ und schön.", "SÃO PAULO", "Grüße aus Köln, Ärger über Öl"]) expect(repairDoubleEncoding(text)).toBe(text);
    // One quoted run beside a real "ä" (and the quotes around it): a page about encodings.
    const aboutEncodings = "I saw “Ã¤” instead of “ä” in the export.";
    expect(repairDoubleEncoding(aboutEncodings)).toBe(aboutEncodings);
    // An overlong form (E0 80 80: "à€€") or a surrogate (ED A0 80: "í", no-break space, "€") is no UTF-8 sequence.
    expect(repairDoubleEncoding("à€€ and í\u00a0€")).toBe("à€€ and í\u00a0€");
  });
});

describe("warc reader charsets", () => {
  it("decodes each page to its exact text and reports the charset in meta", async () => {
    const records: Buffer[] = [];
    const expected: [string, string][] = [];
    for (const [n, { charset, label, encode, title, body }] of cases.entries()) {
      for (const [mode, contentType, head] of [["http", `text/html; charset=${label}`, ""], ["meta", "text/html", `<meta charset=${label}>`], ["none", "text/html", ""]]) {
        const text = page(title, body, head);
        const httpBlock = Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: ${contentType}\r\n\r\n`), encode(text)]);
        const id = `${n}-${mode}`;
        const head_ = `WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: ${id}\r\nContent-Length: ${httpBlock.length}\r\n\r\n`;
        records.push(Buffer.from(head_), httpBlock, Buffer.from("\r\n\r\n"));
        expected.push([text, charset]);
      }
    }
    const skips: string[] = [];
    const ctx: TaskContext = { rank: 0, world: 1, step: "read", stepDataDir: (step) => step, skip: (_stage, reason) => skips.push(reason), drop: () => {}, log: () => {} };
    const docs: Doc[] = [];
    for await (const doc of warcDocs(Readable.from([Buffer.concat(records)]), "mem.warc", warcReaderParams.parse({}), ctx)) docs.push(doc);
    expect(docs.map((doc) => [doc.text, doc.meta.charset])).toEqual(expected);
    expect(skips).toEqual([]);
  });
});
