/**
 * The Cyrillic alphabets of the Slavic languages that write it. A letter is evidence against
 * every language whose alphabet lacks it, whatever the n-grams say: "принимая во" cannot be
 * Macedonian, which has no я; "Ніхто не" cannot be Russian, which has no і; "Никој" cannot be
 * Bulgarian or Russian, which have no ј. On a text of two words CLD2 and fastText often name the
 * wrong one of these (the set of letters they share is most of each alphabet), and a letter
 * settles it where one is there.
 *
 * Languages not listed (Kazakh, Tatar, Tajik, Mongolian and the others that add letters to
 * Russian's) are never ruled out here.
 */

const alphabet = (letters: string) => new Set(letters.replace(/\s+/g, ""));

/** Each language's lowercase Cyrillic letters. */
const ALPHABETS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ["ru", alphabet("а б в г д е ё ж з и й к л м н о п р с т у ф х ц ч ш щ ъ ы ь э ю я")],
  ["uk", alphabet("а б в г ґ д е є ж з и і ї й к л м н о п р с т у ф х ц ч ш щ ь ю я")],
  ["be", alphabet("а б в г ґ д е ё ж з і й к л м н о п р с т у ў ф х ц ч ш ы ь э ю я")],
  ["bg", alphabet("а б в г д е ж з и й к л м н о п р с т у ф х ц ч ш щ ъ ь ю я ѝ")],
  ["sr", alphabet("а б в г д ђ е ж з и ј к л љ м н њ о п р с т ћ у ф х ц ч џ ш")],
  ["mk", alphabet("а б в г д ѓ е ж з ѕ и ј к л љ м н њ о п р с т ќ у ф х ц ч џ ш ѐ ѝ")],
]);

/**
 * A language is ruled out when more than this share of the text's Cyrillic letters are not in its
 * alphabet: any such letter in a few words, but not a name quoted in another language's spelling
 * in a long text (a Russian article that writes "Київ" once).
 */
export const FOREIGN_LETTER_SHARE = 0.02;

/** The Cyrillic and Cyrillic Supplement blocks. */
const CYRILLIC_LETTER = /[\u0400-\u052f]/;

/** How often each lowercase Cyrillic letter occurs in `text`. */
function cyrillicLetters(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const char of text.toLowerCase()) {
    const code = char.charCodeAt(0);
    if (code >= 0x0400 && code <= 0x052f) counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  return counts;
}

/** Whether the letters (counted by cyrillicLetters) rule `language` out: see FOREIGN_LETTER_SHARE. */
function rulesOut(counts: ReadonlyMap<string, number>, language: string): boolean {
  const letters = ALPHABETS.get(language);
  if (!letters) return false;
  let cyrillic = 0;
  let foreign = 0;
  for (const [char, count] of counts) {
    cyrillic += count;
    if (!letters.has(char)) foreign += count;
  }
  return foreign > FOREIGN_LETTER_SHARE * cyrillic;
}

/** Whether `language` cannot have written `text` (see FOREIGN_LETTER_SHARE); a language with no alphabet listed never is. */
export function alphabetRulesOut(text: string, language: string): boolean {
  return rulesOut(cyrillicLetters(text), language);
}

/**
 * The candidates (best first) less those the text's letters rule out; all of them when none would
 * be left. Only a text holding Cyrillic letters is read.
 */
export function withinAlphabets<T extends { language: string }>(text: string, candidates: T[]): T[] {
  if (!CYRILLIC_LETTER.test(text) || !candidates.some((candidate) => ALPHABETS.has(candidate.language))) return candidates;
  const counts = cyrillicLetters(text);
  const kept = candidates.filter((candidate) => !rulesOut(counts, candidate.language));
  return kept.length > 0 && kept.length < candidates.length ? kept : candidates;
}
