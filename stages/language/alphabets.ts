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
  has: (char: string) => boolean;
}

const isCyrillic = (code: number) => code >= 0x0400 && code <= 0x052f;
/** The Hebrew block and the Hebrew presentation forms. */
const isHebrew = (code: number) => (code >= 0x0590 && code <= 0x05ff) || (code >= 0xfb1d && code <= 0xfb4f);

const cyrillic = (letters: string): Alphabet => {
  const set = new Set(letters.replace(/\s+/g, ""));
  return { inScript: isCyrillic, has: (char) => set.has(char) };
};

/**
 * What Yiddish writes and Hebrew does not: the ligatures װ, ױ, ײ and ײַ, and the rafe over a
 * letter (פֿ, בֿ), as a point or in a precomposed form.
 */
const YIDDISH_ONLY = new Set(["\u05f0", "\u05f1", "\u05f2", "\ufb1f", "\u05bf", "\ufb4c", "\ufb4e"]);

/** Each language's alphabet. */
const ALPHABETS: ReadonlyMap<string, Alphabet> = new Map([
  ["ru", cyrillic("а б в г д е ё ж з и й к л м н о п р с т у ф х ц ч ш щ ъ ы ь э ю я")],
  ["uk", cyrillic("а б в г ґ д е є ж з и і ї й к л м н о п р с т у ф х ц ч ш щ ь ю я")],
  ["be", cyrillic("а б в г ґ д е ё ж з і й к л м н о п р с т у ў ф х ц ч ш ы ь э ю я")],
  ["bg", cyrillic("а б в г д е ж з и й к л м н о п р с т у ф х ц ч ш щ ъ ь ю я ѝ")],
  ["sr", cyrillic("а б в г д ђ е ж з и ј к л љ м н њ о п р с т ћ у ф х ц ч џ ш")],
  ["mk", cyrillic("а б в г д ѓ е ж з ѕ и ј к л љ м н њ о п р с т ќ у ф х ц ч џ ш ѐ ѝ")],
  ["he", { inScript: isHebrew, has: (char) => !YIDDISH_ONLY.has(char) }],
]);

/**
 * A language is ruled out when more than this share of the text's characters in its script are
 * not in its alphabet: any such letter in a few words, but not a name quoted in another language's spelling
 * in a long text (a Russian article that writes "Київ" once).
 */
export const FOREIGN_LETTER_SHARE = 0.02;

/** A character of a script some alphabet above is judged in. */
const JUDGED = /[\u0400-\u052f\u0590-\u05ff\ufb1d-\ufb4f]/;

/** How often each lowercase character of a judged script occurs in `text`. */
function judgedCharacters(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const char of text.toLowerCase()) {
    const code = char.charCodeAt(0);
    if (isCyrillic(code) || isHebrew(code)) counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  return counts;
}

/** Whether the characters (counted by judgedCharacters) rule `language` out: see FOREIGN_LETTER_SHARE. */
function rulesOut(counts: ReadonlyMap<string, number>, language: string): boolean {
  const alphabet = ALPHABETS.get(language);
  if (!alphabet) return false;
  let inScript = 0;
  let foreign = 0;
  for (const [char, count] of counts) {
    if (!alphabet.inScript(char.charCodeAt(0))) continue;
    inScript += count;
    if (!alphabet.has(char)) foreign += count;
  }
  return foreign > FOREIGN_LETTER_SHARE * inScript;
}

/** Whether `language` cannot have written `text` (see FOREIGN_LETTER_SHARE); a language with no alphabet listed never is. */
export function alphabetRulesOut(text: string, language: string): boolean {
  return rulesOut(judgedCharacters(text), language);
}

/**
 * The candidates (best first) less those the text's letters rule out; all of them when none would
 * be left. Only a text holding letters of a judged script is read.
 */
export function withinAlphabets<T extends { language: string }>(text: string, candidates: T[]): T[] {
  if (!JUDGED.test(text) || !candidates.some((candidate) => ALPHABETS.has(candidate.language))) return candidates;
  const counts = judgedCharacters(text);
  const kept = candidates.filter((candidate) => !rulesOut(counts, candidate.language));
  return kept.length > 0 && kept.length < candidates.length ? kept : candidates;
}
