/**
 * Bytes of a web page -> string. The charset comes from, in order: a byte order mark (it
 * overrides everything, as in browsers), the HTTP Content-Type, a `<meta>` or XML declaration in
 * the first 4 KB, valid UTF-8, and last a small detector. A declared charset is used only if the
 * bytes decode without error in it, and a declared single-byte charset loses to valid non-ASCII
 * UTF-8 (servers that say iso-8859-1 but send UTF-8 are common in crawls).
 */
import { isAscii } from "node:buffer";

export type CharsetSource = "bom" | "http" | "meta" | "utf8" | "detected";

export interface DecodedText {
  text: string;
  /** WHATWG encoding name, e.g. `shift_jis`, `windows-1252`. */
  charset: string;
  source: CharsetSource;
}

export interface DecodeProblem {
  problem: "undecodable";
  detail: string;
}

const META_PRESCAN_BYTES = 4096;
const DETECT_SAMPLE_BYTES = 64 * 1024;
/** Above this share of control or replacement characters, the text is not text. */
const MAX_BAD_CHARACTER_FRACTION = 0.05;
/** Tried in this order; on equal implausibility the earlier wins. */
const DETECT_CANDIDATES = [
  "utf-8", "windows-1252", "gbk", "shift_jis", "euc-jp", "windows-1251", "iso-8859-2", "windows-1250",
];
const ISO_2022_JP_ESCAPE = Buffer.from([0x1b, 0x24, 0x42]); // ESC $ B: switch to JIS X 0208
const SINGLE_BYTE = /^(?:windows-125\d|iso-8859-\d+|koi8-[ru]|ibm866|macintosh|x-mac-cyrillic)$/;

const decoders = new Map<string, string | null>();

/** The WHATWG encoding name for a label (`latin1` -> `windows-1252`), or undefined if unknown. */
export function normaliseCharset(label: string | undefined): string | undefined {
  if (!label) return undefined;
  const key = label.trim().replace(/^["']+|["']+$/g, "").toLowerCase();
  if (!decoders.has(key)) {
    let name: string | null = null;
    try {
      name = new TextDecoder(key).encoding;
    } catch {
      name = null;
    }
    // "replacement" is what WHATWG maps dangerous labels (iso-2022-kr, hz-gb-2312) to.
    decoders.set(key, name === "replacement" ? null : name);
  }
  return decoders.get(key) ?? undefined;
}

/** The charset parameter of a Content-Type value, as written. */
export function charsetFromContentType(contentType: string | undefined): string | undefined {
  return contentType ? /charset\s*=\s*["']?\s*([^"';,\s]+)/i.exec(contentType)?.[1] : undefined;
}

/** The charset a `<meta>` tag or XML declaration in the first 4 KB names, as written. */
export function charsetFromMeta(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, META_PRESCAN_BYTES)).toString("latin1");
  const meta = /<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([\w:.-]+)/i.exec(head)?.[1];
  return meta ?? /^\s*<\?xml\b[^>]*\bencoding\s*=\s*["']([\w:.-]+)["']/i.exec(head)?.[1];
}

function bomCharset(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return "utf-8";
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return "utf-16le";
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return "utf-16be";
  return undefined;
}

/** Strict decoding; an incomplete character at the very end (a cut page) is dropped, not an error. */
function decodeStrict(charset: string, bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder(charset, { fatal: true }).decode(bytes, { stream: true });
  } catch {
    return undefined;
  }
}

function decodeLoose(charset: string, bytes: Uint8Array): string {
  return new TextDecoder(charset).decode(bytes, { stream: true });
}

/** Control characters (other than tab, line and form feed, carriage return), C1 controls and U+FFFD: isBadCharacter as one pattern. */
const BAD_CHARACTERS = new RegExp(
  `[${[[0x00, 0x08], [0x0b, 0x0b], [0x0e, 0x1f], [0x7f, 0x9f], [0xfffd, 0xfffd]].map((range) => range.map((code) => `\\u${code.toString(16).padStart(4, "0")}`).join("-")).join("")}]`,
  "g",
);

/** Decodes a page; `contentType` is the HTTP Content-Type header, if any. */
export function decodeHtml(bytes: Uint8Array, contentType?: string): DecodedText | DecodeProblem {
  const decoded = chooseAndDecode(bytes, contentType);
  // A pattern scan, not a loop in JS: this runs over every byte of every page.
  const bad = decoded.text.match(BAD_CHARACTERS)?.length ?? 0;
  if (bad > 0 && bad > decoded.text.length * MAX_BAD_CHARACTER_FRACTION) {
    return {
      problem: "undecodable",
      detail: `${bad} of ${decoded.text.length} characters are control or replacement characters as ${decoded.charset}`,
    };
  }
  return decoded;
}

function chooseAndDecode(bytes: Uint8Array, contentType: string | undefined): DecodedText {
  const bom = bomCharset(bytes);
  if (bom) return { text: decodeLoose(bom, bytes), charset: bom, source: "bom" };

  const nonAscii = !isAscii(bytes);
  let utf8: string | undefined | null = null; // null: not tried yet
  // ASCII is UTF-8 as it stands, and its latin1 reading is the fastest decode there is.
  const validUtf8 = () =>
    utf8 === null ? (utf8 = nonAscii ? decodeStrict("utf-8", bytes) : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1")) : utf8;

  const declared: [string, CharsetSource][] = [];
  const fromHeader = normaliseCharset(charsetFromContentType(contentType));
  if (fromHeader) declared.push([fromHeader, "http"]);
  let fromMeta = normaliseCharset(charsetFromMeta(bytes));
  // A page cannot name a UTF-16 charset in its own ASCII-compatible text (WHATWG: treat as UTF-8).
  if (fromMeta?.startsWith("utf-16")) fromMeta = "utf-8";
  if (fromMeta && fromMeta !== fromHeader) declared.push([fromMeta, "meta"]);

  for (const [charset, source] of declared) {
    if (nonAscii && SINGLE_BYTE.test(charset)) {
      const text = validUtf8();
      if (text !== undefined) return { text, charset: "utf-8", source: "utf8" };
    }
    const text = charset === "utf-8" ? validUtf8() : decodeStrict(charset, bytes);
    if (text !== undefined) return { text, charset, source };
  }

  // ISO-2022-JP is 7-bit: its escape sequences, not high bytes, give it away.
  if (!nonAscii && Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(ISO_2022_JP_ESCAPE)) {
    return { text: decodeLoose("iso-2022-jp", bytes), charset: "iso-2022-jp", source: "detected" };
  }
  const text = validUtf8();
  if (text !== undefined) return { text, charset: "utf-8", source: "utf8" };

  const charset = detectCharset(bytes, declared.map(([name]) => name));
  return { text: decodeLoose(charset, bytes), charset, source: "detected" };
}

/**
 * Guesses the charset of bytes that are not valid UTF-8: decodes a sample with each candidate
 * (declared charsets first) and keeps the one whose text looks least like mojibake. Candidates:
 * UTF-8 with a few bad bytes, windows-1252, GBK, Shift_JIS, EUC-JP, windows-1251, ISO-8859-2,
 * windows-1250. It does not know Big5 or EUC-KR (they would need frequency tables).
 */
export function detectCharset(bytes: Uint8Array, preferred: readonly string[] = []): string {
  const sample = bytes.subarray(0, DETECT_SAMPLE_BYTES);
  const utf8Sequences = countUtf8Sequences(sample);
  let best = "windows-1252";
  let bestScore = Infinity;
  for (const charset of new Set([...preferred, ...DETECT_CANDIDATES])) {
    let score = implausibility(decodeLoose(charset, sample), charset);
    if (SINGLE_BYTE.test(charset)) score += 2 * utf8Sequences;
    if (charset === "gbk" || charset === "gb18030") score += countRareGbk(sample);
    if (score < bestScore) {
      best = charset;
      bestScore = score;
    }
  }
  return best;
}

function isBadCharacter(code: number): boolean {
  return (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d && code !== 0x0c) ||
    (code >= 0x7f && code <= 0x9f) || code === 0xfffd;
}

const enum Kind {
  Separator, Symbol, Bad, Ascii, LatinHigh, Cyrillic, Greek, OtherLetter, Kana, HalfwidthKana, Han,
}
const LETTER = /[\p{L}\p{M}]/u;
/** Punctuation that is common in real text; only suspicious between two letters. */
const COMMON_PUNCTUATION = new Set("\u00a0“”‘’„‚«»‹›–—…•·©®°€£¥§™¡¿×\u00ad");
const IN_WORD_PUNCTUATION = new Set("’‘·\u00ad‐‑");

function kindOf(character: string): Kind {
  const code = character.codePointAt(0)!;
  if (code < 0x80) {
    if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)) return Kind.Ascii;
    return isBadCharacter(code) ? Kind.Bad : Kind.Separator;
  }
  if (isBadCharacter(code) || (code >= 0xe000 && code <= 0xf8ff)) return Kind.Bad;
  if ((code >= 0xc0 && code <= 0x24f && code !== 0xd7 && code !== 0xf7) || (code >= 0x1e00 && code <= 0x1eff)) {
    return Kind.LatinHigh;
  }
  if (code >= 0x400 && code <= 0x52f) return Kind.Cyrillic;
  if (code >= 0x370 && code <= 0x3ff) return Kind.Greek;
  if ((code >= 0x3040 && code <= 0x30ff) || (code >= 0x31f0 && code <= 0x31ff)) return Kind.Kana;
  if (code >= 0xff61 && code <= 0xff9f) return Kind.HalfwidthKana;
  if ((code >= 0x3400 && code <= 0x9fff) || (code >= 0xf900 && code <= 0xfaff) || code >= 0x20000) return Kind.Han;
  if ((code >= 0x3000 && code <= 0x303f) || (code >= 0xff00 && code <= 0xffef)) return Kind.Separator;
  if (COMMON_PUNCTUATION.has(character)) return Kind.Separator;
  return LETTER.test(character) ? Kind.OtherLetter : Kind.Symbol;
}

/** About 500 of the most frequent simplified Chinese characters: half of running text. */
const COMMON_HANZI = new Set(
  "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好" +
    "都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法" +
    "此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再" +
    "平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车" +
    "白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题" +
    "建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保" +
    "达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历" +
    "越史商千片容研像找友孩站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽坏",
);

function isCapitalAfterSmall(before: string | undefined, character: string): boolean {
  return before !== undefined && before !== before.toUpperCase() && character !== character.toLowerCase();
}

const isLetter = (kind: Kind) => kind >= Kind.Ascii;
const isAlphabetic = (kind: Kind) => kind >= Kind.Ascii && kind <= Kind.OtherLetter;

/**
 * How much decoded text looks like mojibake: replacement and control characters, symbols inside
 * words, words that mix alphabets or alternate between an alphabet and CJK, long runs of accented
 * letters (Cyrillic read as Latin), long unbroken alphabetic runs (CJK read as a single-byte
 * charset), Japanese without kana and Chinese with kana.
 */
function implausibility(text: string, charset: string): number {
  const characters = Array.from(text);
  let penalty = 0;
  let kana = 0;
  let han = 0;
  let commonHanzi = 0;
  let run = { length: 0, high: 0, scripts: 0, cjkSwitches: 0, lastCjk: false };
  const endRun = () => {
    const { length, high, scripts, cjkSwitches } = run;
    if (length > 0) {
      if ((scripts & (scripts - 1)) !== 0) penalty += 1; // two alphabets in one word
      penalty += Math.max(0, cjkSwitches - 2);
      if (high === length && length >= 5 && scripts === 1) penalty += 1; // e.g. "Ïðèâåò"
      if (high > 0 && length > 20 && scripts !== 0 && cjkSwitches === 0) penalty += Math.floor(length / 8);
      if (length === 1 && high === 1 && scripts === 1) penalty += 0.5;
    }
    run = { length: 0, high: 0, scripts: 0, cjkSwitches: 0, lastCjk: false };
  };
  let previous = Kind.Separator;
  for (let i = 0; i < characters.length; i++) {
    const character = characters[i]!;
    const kind = kindOf(character);
    if (kind === Kind.Bad) penalty += character === "\ufffd" ? 4 : 3;
    else if (kind === Kind.HalfwidthKana) penalty += 1;
    if (kind === Kind.Kana) kana++;
    else if (kind === Kind.Han) {
      han++;
      if (COMMON_HANZI.has(character)) commonHanzi++;
    }

    if (isLetter(kind)) {
      run.length++;
      if (kind !== Kind.Ascii) run.high++;
      // A capital after a small letter inside a word: "ЦрОд" is mojibake, "iPhone" is ASCII.
      if ((kind !== Kind.Ascii || previous !== Kind.Ascii) && isCapitalAfterSmall(characters[i - 1], character)) penalty += 1;
      if (isAlphabetic(kind)) {
        const script = kind === Kind.LatinHigh || kind === Kind.Ascii ? 1 : kind === Kind.Cyrillic ? 2 : kind === Kind.Greek ? 4 : 8;
        run.scripts |= script;
      }
      const cjk = !isAlphabetic(kind);
      if (run.length > 1 && cjk !== run.lastCjk) run.cjkSwitches++;
      run.lastCjk = cjk;
    } else {
      if (kind === Kind.Symbol || (kind === Kind.Separator && character.codePointAt(0)! >= 0x80)) {
        const next = characters[i + 1] === undefined ? Kind.Separator : kindOf(characters[i + 1]!);
        const sandwiched = isLetter(previous) && isLetter(next);
        if (kind === Kind.Symbol) penalty += (isLetter(previous) || isLetter(next) ? 1 : 0) + (sandwiched ? 1 : 0);
        else if (sandwiched && !IN_WORD_PUNCTUATION.has(character)) penalty += 1;
      }
      endRun();
    }
    previous = kind;
  }
  endRun();
  if (charset === "shift_jis" || charset === "euc-jp") penalty += Math.max(0, han / 10 - kana);
  // Real Chinese text is about half common characters; Han read from other bytes is not.
  if (charset === "gbk" || charset === "gb18030") penalty += kana + han / 4 - commonHanzi;
  return penalty;
}

/** Valid multi-byte UTF-8 sequences: in legacy single-byte text they are almost never there. */
function countUtf8Sequences(bytes: Uint8Array): number {
  let count = 0;
  for (let i = 0; i < bytes.length; i++) {
    const lead = bytes[i]!;
    const length = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    if (length === 0) continue;
    let valid = true;
    for (let k = 1; k < length; k++) if (((bytes[i + k] ?? 0) & 0xc0) !== 0x80) valid = false;
    if (valid) {
      count++;
      i += length - 1;
    }
  }
  return count;
}

/** GBK characters outside GB2312 (which holds nearly all of everyday simplified Chinese). */
function countRareGbk(bytes: Uint8Array): number {
  let rare = 0;
  for (let i = 0; i < bytes.length; ) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i++;
      continue;
    }
    const trail = bytes[i + 1] ?? 0;
    if (lead === 0x80 || lead === 0xff) {
      rare++;
      i++;
    } else if (trail >= 0x30 && trail <= 0x39) {
      rare++;
      i += 4;
    } else {
      if (!(lead >= 0xa1 && lead <= 0xf7 && trail >= 0xa1 && trail <= 0xfe)) rare++;
      i += 2;
    }
  }
  return rare;
}

/** Each byte from 0x80 up, by the character windows-1252 or ISO-8859-1 decodes it to (windows-1252's unassigned 0x81 and others to their C1 controls, as ISO-8859-1 does). */
const SINGLE_BYTE_READING = new Map<string, number>();
{
  const cp1252 = new TextDecoder("windows-1252");
  // { stream: true }: Node 20 decodes a whole buffer of windows-1252 as ISO-8859-1 (0x80 as U+0080, not "€").
  for (let byte = 0x80; byte <= 0xff; byte++) SINGLE_BYTE_READING.set(cp1252.decode(Uint8Array.of(byte), { stream: true }), byte);
  // Read as ISO-8859-1 instead, bytes 0x80-0x9F are the C1 controls U+0080-U+009F ("â\u0080\u0099" for "’").
  for (let byte = 0x80; byte <= 0x9f; byte++) SINGLE_BYTE_READING.set(String.fromCharCode(byte), byte);
}
/** The characters that UTF-8's continuation bytes (0x80-0xBF) become when read as windows-1252 or ISO-8859-1, as a regex class body. */
const CONTINUATION = [...SINGLE_BYTE_READING]
  .filter(([, byte]) => byte < 0xc0)
  .map(([character]) => `\\u${character.codePointAt(0)!.toString(16).padStart(4, "0")}`)
  .join("");
/** A UTF-8 sequence of two, three or four bytes read as windows-1252 or ISO-8859-1: "Ã¼" for "ü", "â€™" for "’". */
const DOUBLE_ENCODED = new RegExp(`[\\u00c2-\\u00df][${CONTINUATION}]|[\\u00e0-\\u00ef][${CONTINUATION}]{2}|[\\u00f0-\\u00f4][${CONTINUATION}]{3}`, "g");
/**
 * What a repaired run may stand for: Latin, Greek, Cyrillic, Armenian, Hebrew and Arabic letters,
 * punctuation, currency signs, letterlike and other symbols (™, →, ★, ✅), CJK, Hangul and emoji.
 * Not NKo or Syriac, which a real "ß" before a closing quote ("groß“", bytes DF 93) would
 * otherwise become.
 */
const REPAIRABLE = /^[\u00a0-\u06ff\u2000-\u2bff\u3000-\u9fff\uac00-\ud7af\uff00-\uffef\u{1f000}-\u{1faff}]$/u;
/**
 * A no-break space encoded twice (C2 A0 read as "Â" and U+00A0) once the text's white space is
 * made plain: "Â" before a space. Repaired with the runs, and counted as one.
 */
const DOUBLE_ENCODED_SPACE = /\u00c2(?= )/g;
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Text that went through UTF-8 -> windows-1252 -> UTF-8 once too often (a CMS that stored UTF-8
 * bytes as Latin-1, or escaped them as entities: "&acirc;&euro;&trade;"), repaired: each run of
 * characters that is the windows-1252 (or ISO-8859-1, whose C1 controls stand where windows-1252
 * has "€" or "™") reading of one valid UTF-8 sequence becomes the character it encodes
 * ("Itâ€™s a cafÃ© in MÃ¼nchen" -> "It’s a café in München"). Only when such runs
 * outnumber the text's other non-ASCII characters: a text encoded twice has few correct ones
 * left, while a correct German text with „groß“ or a page about encodings that quotes "Ã¤"
 * beside its real "ä" has many, and is left as it is.
 */
export function repairDoubleEncoding(text: string): string {
  if (!/[\u00c2-\u00f4]/.test(text)) return text;
  const repaired = new Map<string, string | null>();
  let runs = 0;
  let runCharacters = 0;
  for (const match of text.matchAll(DOUBLE_ENCODED)) {
    const run = match[0];
    if (!repaired.has(run)) {
      let character: string | null = null;
      try {
        const decoded = strictUtf8.decode(Uint8Array.from(Array.from(run, (c) => SINGLE_BYTE_READING.get(c)!)));
        if (REPAIRABLE.test(decoded)) character = decoded;
      } catch {
        // Not one valid UTF-8 sequence (an overlong form, a surrogate): not a run.
      }
      repaired.set(run, character);
    }
    if (repaired.get(run) !== null) {
      runs++;
      runCharacters += run.length;
    }
  }
  if (runs === 0) return text;
  const spaces = text.match(DOUBLE_ENCODED_SPACE)?.length ?? 0;
  let nonAscii = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) nonAscii++;
  if (runs + spaces <= nonAscii - runCharacters - spaces) return text;
  return text.replace(DOUBLE_ENCODED, (run) => repaired.get(run) ?? run).replace(DOUBLE_ENCODED_SPACE, "");
}
