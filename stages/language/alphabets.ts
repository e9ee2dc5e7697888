/**
 * The alphabets of languages that share a script with close neighbours: the Cyrillic ones of the
 * Slavic languages, and Hebrew's against Yiddish's. A letter is evidence against every language
 * whose alphabet lacks it, whatever the n-grams say: "принимая во" cannot be Macedonian, which has
 * no я; "Ніхто не" cannot be Russian, which has no і; "Никој" cannot be Bulgarian or Russian,
 * which have no ј; "היות װי" cannot be Hebrew, which has no װ (Yiddish's double vav). On a text of
 * two words CLD2 and fastText often name the wrong one of these (the set of letters they share is
 * most of each alphabet), and a letter settles it where one is there.
 *
 * Languages not listed (Kazakh, Tatar, Tajik, Mongolian and the others that add letters to
 * Russian's; Yiddish, Ladino) are never ruled out here.
 */

interface Alphabet {
  /** Whether a character (lowercase) is of the script this alphabet is judged in. */
  inScript: (code: number) => boolean;
  /** Whether the alphabet writes it. */
  has: (code: number) => boolean;
}

const isCyrillic = (code: number) => code >= 0x0400 && code <= 0x052f;
/** The Hebrew block and the Hebrew presentation forms. */
const isHebrew = (code: number) => (code >= 0x0590 && code <= 0x05ff) || (code >= 0xfb1d && code <= 0xfb4f);

const cyrillic = (letters: string): Alphabet => {
  const set = new Set([...letters.replace(/\s+/g, "")].map((char) => char.charCodeAt(0)));
  return { inScript: isCyrillic, has: (code) => set.has(code) };
};

/**
 * What Yiddish writes and Hebrew does not: the ligatures װ, ױ, ײ and ײַ, and the rafe over a
 * letter (פֿ, בֿ), as a point or in a precomposed form.
 */
const YIDDISH_ONLY = new Set([0x05f0, 0x05f1, 0x05f2, 0xfb1f, 0x05bf, 0xfb4c, 0xfb4e]);

/** Each language's alphabet. */
const ALPHABETS: ReadonlyMap<string, Alphabet> = new Map([
  ["ru", cyrillic("а б в г д е ё ж з и й к л м н о п р с т у ф х ц ч ш щ ъ ы ь э ю я")],
  ["uk", cyrillic("а б в г ґ д е є ж з и і ї й к л м н о п р с т у ф х ц ч ш щ ь ю я")],
  ["be", cyrillic("а б в г ґ д е ё ж з і й к л м н о п р с т у ў ф х ц ч ш ы ь э ю я")],
  ["bg", cyrillic("а б в г д е ж з и й к л м н о п р с т у ф х ц ч ш щ ъ ь ю я ѝ")],
  ["sr", cyrillic("а б в г д ђ е ж з и ј к л љ м н њ о п р с т ћ у ф х ц ч џ ш")],
  ["mk", cyrillic("а б в г д ѓ е ж з ѕ и ј к л љ м н њ о п р с т ќ у ф х ц ч џ ш ѐ ѝ")],
  ["he", { inScript: isHebrew, has: (code) => !YIDDISH_ONLY.has(code) }],
]);

/**
 * A language is ruled out when more than this share of the text's characters in its script are
 * not in its alphabet: any such letter in a few words, but not a name quoted in another language's
 * spelling in a long text (a Russian article that writes "Київ" once).
 */
export const FOREIGN_LETTER_SHARE = 0.02;
/** Characters read: a text's first this many, as ELD and fastText read (combined.ts's ELD_MAX_CHARS). */
export const ALPHABET_MAX_CHARS = 600;

/**
 * A Cyrillic capital's small letter (Unicode's case pairs in the Cyrillic blocks: А–Я and Ѐ–Џ
 * apart, the rest capital then small, and the palochka); any other character as it is.
 */
function lowerCyrillic(code: number): number {
  if (code >= 0x0410 && code <= 0x042f) return code + 0x20;
  if (code >= 0x0400 && code <= 0x040f) return code + 0x50;
  if (code === 0x04c0) return 0x04cf;
  if (code >= 0x04c1 && code <= 0x04ce) return code % 2 === 1 ? code + 1 : code;
  if ((code >= 0x0460 && code <= 0x0481) || (code >= 0x048a && code <= 0x04bf) || (code >= 0x04d0 && code <= 0x052f)) return code % 2 === 0 ? code + 1 : code;
  return code;
}

/** How often each (lowercase) character of a judged script occurs in the text's first ALPHABET_MAX_CHARS; undefined when none does. */
function judgedCharacters(text: string): Map<number, number> | undefined {
  let counts: Map<number, number> | undefined;
  const end = Math.min(text.length, ALPHABET_MAX_CHARS);
  for (let i = 0; i < end; i++) {
    const code = text.charCodeAt(i);
    if (!isCyrillic(code) && !isHebrew(code)) continue;
    const lower = lowerCyrillic(code);
    counts ??= new Map();
    counts.set(lower, (counts.get(lower) ?? 0) + 1);
  }
  return counts;
}

/** Whether the characters (counted by judgedCharacters) rule `language` out: see FOREIGN_LETTER_SHARE. */
function rulesOut(counts: ReadonlyMap<number, number>, language: string): boolean {
  const alphabet = ALPHABETS.get(language);
  if (!alphabet) return false;
  let inScript = 0;
  let foreign = 0;
  for (const [code, count] of counts) {
    if (!alphabet.inScript(code)) continue;
    inScript += count;
    if (!alphabet.has(code)) foreign += count;
  }
  return foreign > FOREIGN_LETTER_SHARE * inScript;
}

/** Whether `language` cannot have written `text` (see FOREIGN_LETTER_SHARE); a language with no alphabet listed never is. */
export function alphabetRulesOut(text: string, language: string): boolean {
  const counts = judgedCharacters(text);
  return counts !== undefined && rulesOut(counts, language);
}

/**
 * A filter of candidates (best first) for `text`: it drops those the text's letters rule out, and
 * keeps all when none would be left. The text is read at most once, when a candidate first has an
 * alphabet listed (a page in a Latin script seldom has one).
 */
export function alphabetFilter(text: string): <T extends { language: string }>(candidates: T[]) => T[] {
  let counts: Map<number, number> | undefined | null = null;
  return (candidates) => {
    if (!candidates.some((candidate) => ALPHABETS.has(candidate.language))) return candidates;
    if (counts === null) counts = judgedCharacters(text);
    if (!counts) return candidates;
    const judged = counts;
    const kept = candidates.filter((candidate) => !rulesOut(judged, candidate.language));
    return kept.length > 0 && kept.length < candidates.length ? kept : candidates;
  };
}
