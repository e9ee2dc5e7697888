/**
 * The default detector: a weighted log-linear pool (product of experts) of ELD, CLD2 and
 * fastText, each reporting calibrated probabilities over the languages it knows.
 *
 *   score(L) = Σ_d weight_d · log p_d(L)
 *
 * where p_d(L) is detector d's probability for L, floored at PROBABILITY_FLOOR when d knows L
 * but did not name it, and UNKNOWN_LANGUAGE_PROBABILITY when d has no model for L (so a
 * detector that cannot say "Galician" neither votes for nor strongly against it; two members of
 * the short-text pool set their own, LINGUA_UNKNOWN_PROBABILITY and CLD3_UNKNOWN_PROBABILITY). The
 * answer is the language with the highest score; its reported score is the pooled probability
 * (softmax of the scores over the candidates).
 *
 * Why this shape (measured, see bench/langid.ts): ELD is the most accurate detector on the 60
 * languages it knows, including short noisy text, but names its nearest neighbour for a
 * language it lacks (Galician -> Portuguese). CLD2 and fastText know ~175 languages; CLD2 is
 * accurate on clean sentences and fastText is the best calibrated. Pooling lets two broad
 * detectors that agree on a language ELD lacks outvote ELD, and lets ELD and fastText outvote
 * a CLD2 that is confidently wrong on a short text. ELD has weight 1, the broad detectors 0.5:
 * with equal weights CLD2's over-confidence on tweets dominates; with less, the languages
 * ELD lacks are never chosen. fastText votes only when it gives its best guess even odds or
 * more (FASTTEXT_MIN_PROBABILITY). The constants were chosen on held-out UDHR snippets and the
 * two bench sets together; they are round values, not fitted per item.
 *
 * A text of a few words (SHORT_TEXT_MAX_WORDS) is also read by a word lexicon (`lexicon.ts`), a
 * fourth member pooled like the others: "Hulle het" holds too few trigrams for the three to tell
 * Afrikaans from Dutch, but both its words are among Afrikaans' most frequent. And by CLD3, a
 * fifth member, trained on other data than the three: alone it names the right language for 20 of
 * the 72 Tatoeba word pairs the pool got wrong, but it is wrong on 114 that the pool gets right,
 * so it votes only when sure (CLD3_MIN_PROBABILITY) and weighs half as much as CLD2
 * (POOL_WEIGHTS.cld3). "Sama sa" is then Cebuano (was Slovak), "Di Belanda," Indonesian (was
 * Malay) and "Добар преводилац" Serbian (was Macedonian); "No existe" became Portuguese.
 *
 * And by Lingua (`loadLingua` in detectors.ts, in its low-accuracy mode), a sixth, built for short
 * text from other corpora again, at the broad detectors' weight (POOL_WEIGHTS.lingua): "Is féidir"
 * is then Irish (was English), "Fader vår," Swedish (was Bokmål).
 *
 * ELD has one model per group of close neighbours (`no` for Bokmål and Nynorsk, `ms` for Malay
 * and Indonesian, `hr` for Latin-script Croatian, Bosnian and Serbian; its `sr` is Cyrillic
 * only), so its answer is read as an answer for the whole group (`groupBlind`): it neither
 * votes for the member it has a model for nor against the others, and CLD2, fastText and the
 * marker words (`neighbours.ts`) decide within the group.
 *
 * Before the best is taken, the letters of a Cyrillic or Hebrew-script text rule out the
 * languages whose alphabets lack them (`alphabets.ts`): "принимая во" is not Macedonian, which has
 * no я, and "היות װי" not Hebrew, which has no װ, however their n-grams score. Measured on word
 * pairs cut from UDHR texts in 77 of Tatoeba's languages (mean of per-language accuracy; an early
 * cut of bench/langid.ts's udhr-pairs): Cyrillic 86.85 -> 87.01%, with Hebrew 87.51% (three words
 * 91.39 -> 91.57%); with the Gaelic neighbours of neighbours.ts, udhr-pairs itself went 87.98 ->
 * 88.64%. The bench's other sets do not move (their Cyrillic misses hold no such letter: "На пике"
 * is Russian, CLD2 says Serbian).
 */
import type { Detector, LanguageDetector, LanguageGuess } from "./detectors.js";
import { cld2Available, loadLingua, loadSingleDetector } from "./detectors.js";
import { alphabetFilter } from "./alphabets.js";
import { LEXICON_NAME, loadLexicon } from "./lexicon.js";
import { NEIGHBOUR_GROUPS, resolveNeighbours } from "./neighbours.js";
import { detectionSample } from "./sample.js";

/** Weight of each detector's log-probability in the pool. */
export const POOL_WEIGHTS = { eld: 1, cld2: 0.5, fasttext: 0.5, lexicon: 0.5, cld3: 0.25, lingua: 0.5 } as const;
/**
 * Texts of at most this many words (separated by white space) are also read by the word
 * lexicon (`lexicon.ts`). Measured on the Tatoeba word pairs of bench/langid.ts and on word
 * pairs cut from held-out UDHR texts in 80 languages (mean of per-language accuracy): without
 * it 80.8% and 84.8%, with it 82.0% and 86.3%; Tatoeba's sentences do not move and tweets
 * lose 3 of 9,066 (99.63% -> 99.59%). 3 and 6 words measured the same as 4.
 */
export const SHORT_TEXT_MAX_WORDS = 4;
/** p_d(L) for a language the detector knows but did not name among its top guesses. */
export const PROBABILITY_FLOOR = 0.03;
/** p_d(L) for a language the detector has no model for: it is no evidence either way. */
export const UNKNOWN_LANGUAGE_PROBABILITY = 0.2;
/**
 * ELD scores n-grams over the whole input and is slow per character; its answer no longer
 * changes past a few hundred characters, so it reads only this much.
 */
export const ELD_MAX_CHARS = 600;
/**
 * From this length CLD2 is trusted alone when its calibrated probability is at least
 * LONG_TEXT_CLD2_MIN_PROBABILITY. ELD's advantage is short text; on held-out 2,000-character
 * UDHR documents where CLD2 reached 0.95 (249 of 344, 172 languages) CLD2 alone was right on
 * 238 and the pool on 228 (ELD pulls a language it lacks to its neighbour). It is also what
 * keeps the default fast on documents: ELD and fastText cost ~0.2 ms each, CLD2 ~0.1 ms.
 *
 * CLD2 reads a longer text's first LONG_TEXT_CHARS first, and the whole text only when it is not
 * sure of those. Measured on bench/langid.ts's 2,000 documents of 2 KB and on held-out UDHR
 * documents of 2 KB (2 from each of the 168 texts in a language the default knows and long
 * enough, 3 from each of 166, 5 from each of 80): one answer of 3,234 changed, a Kirundi document
 * that was read as Kinyarwanda; the bench's worker read 27-31% more documents per CPU second
 * (5,486 -> 7,171 and 5,981 -> 7,574, runs alternating). CLD2 reading only the start, sure or
 * not, was as fast but lost 5 of the 400 (Ilocano and Waray read as Tagalog, Javanese as
 * Indonesian, Interlingua as English).
 */
export const LONG_TEXT_CHARS = 1000;
export const LONG_TEXT_CLD2_MIN_PROBABILITY = 0.95;
/** fastText's cost is linear in the input; its answer is settled well before this. */
export const FASTTEXT_MAX_CHARS = 600;
/**
 * fastText (lid.176.ftz) votes only when its best guess has at least this probability. On a
 * text of a word or two its answer falls back towards its training prior (English 0.12,
 * Catalan 0.09, German 0.08 for "M te" or "Si hi"), and such a vote moved the pool more often
 * to a wrong language than to the right one. Measured with the three detectors' answers cached
 * (bench/langid.ts sets and word pairs cut from held-out UDHR texts in 108 languages, mean of
 * per-language accuracy): fastText always voting: UDHR pairs 71.3%, Tatoeba pairs 80.1%,
 * sentences 97.1%, tweets 99.67%; from 0.5: 73.2%, 81.1%, 98.2%, 99.63%; never: 75.2%, 81.1%,
 * 97.4%, 98.9% (tweets are where it earns its place).
 */
export const FASTTEXT_MIN_PROBABILITY = 0.5;
/**
 * CLD3 votes on a text of a few words (SHORT_TEXT_MAX_WORDS) only when its answer has at least this
 * probability. Measured with every member's answers cached, mean of per-language accuracy, before
 * -> with CLD3 at weight 0.25 from 0.9: Tatoeba (bench/langid.ts) first 2, 3 and 4 words of each
 * sentence 82.01 -> 82.35%, 86.87 -> 87.33%, 91.71 -> 91.96%; the same cut from held-out UDHR
 * texts in 77 of Tatoeba's languages 86.30 -> 87.07%, 91.46 -> 92.21%, 94.03 -> 94.63%. At weight 0.5
 * Tatoeba's 3 and 4 words fell (86.71%, 91.54%); voting always at 0.25, Tatoeba's pairs fell
 * (81.95%). Of the UDHR pairs it turns 67 wrong answers right and 24 right ones wrong; of
 * Tatoeba's, 3 and 2. Longer text does not ask it: it reads ~1,100 2 KB documents a second here
 * (bench/langid.ts), a third of the pool's speed, for a gain on sentences (98.17 -> 98.61%) that
 * is 2 of 462.
 */
export const CLD3_MIN_PROBABILITY = 0.9;
/**
 * Lingua reads a text of a few words (SHORT_TEXT_MAX_WORDS) in its low-accuracy mode (trigrams
 * only) and votes when its best guess has at least this probability: on two words it often spreads
 * itself over dozens of its 75 languages, and such an answer is noise. Measured with every member's
 * answers cached, mean of per-language accuracy, without -> with it (weight 0.5, from 0.3, before
 * LINGUA_UNKNOWN_PROBABILITY): Tatoeba (bench/langid.ts) first 2, 3 and 4 words of each sentence
 * 82.35 -> 83.78%, 87.33 -> 88.05%, 91.96 -> 92.70%; the same cut from held-out UDHR texts in 77 of
 * Tatoeba's languages 87.07 -> 87.52%, 92.21 -> 93.05%, 94.63 -> 94.66%. Voting always gained less
 * (83.53%, 87.36%) and let Bosnian and Serbian, whose UDHR texts are nearly one, trade 26 answers
 * for 27; weight 0.75 lost 3- and 4-word texts. Its high-accuracy mode gained no more (from 0.1:
 * 83.61%, 88.07%; 88.05%, 92.49%) at five times the memory. With LINGUA_UNKNOWN_PROBABILITY, from
 * 0.2 against 0.3: Tatoeba 84.38%, 88.42%, 93.59% (93.38% from 0.3), UDHR pairs 88.28% (87.89%);
 * from 0 (always) 83.94%, from 0.4 84.34%.
 */
export const LINGUA_MIN_PROBABILITY = 0.2;
/**
 * What the short-text members' silence on a language they have no model for is worth. Lingua
 * spreads its probability over its 75 languages and on two words rarely gives one 0.5: it ranks
 * its own languages and says nothing of the others, so a language it has no model for takes its
 * best term (1). CLD3 votes only when sure (CLD3_MIN_PROBABILITY), and a language it has no model
 * for counts as one it knows and did not name (PROBABILITY_FLOOR). Both members read only a text
 * of a few words, so longer text is not touched. Measured with every member's answers cached, mean
 * of per-language accuracy, from UNKNOWN_LANGUAGE_PROBABILITY for both: Tatoeba (bench/langid.ts)
 * first 2, 3 and 4 words 83.78 -> 84.38%, 88.05 -> 88.42%, 92.70 -> 93.38%; held-out UDHR 87.52 ->
 * 87.89%, 93.05 -> 93.58%, 94.66 -> 95.04% (Lingua voting from 0.3). Each alone gained less
 * (Lingua's: 83.98%, 87.55%; CLD3's: 83.98%, 87.80%). A conditional-logit fit of every member's three terms (named, floor,
 * no model) on the UDHR snippets reached 84.48%, 88.83%, 93.44% on Tatoeba: these two round values
 * take most of it.
 */
export const LINGUA_UNKNOWN_PROBABILITY = 1;
export const CLD3_UNKNOWN_PROBABILITY = PROBABILITY_FLOOR;

interface PoolMember {
  detector: Detector;
  weight: number;
  maxChars: number;
  /** The member votes only when its best guess has at least this probability (none: always). */
  minProbability?: number;
  /** p_d(L) for a language the member has no model for; UNKNOWN_LANGUAGE_PROBABILITY when not set. */
  unknownProbability?: number;
}

/** A detector's log-probability term for one language. */
function logTerm(member: PoolMember, guesses: readonly LanguageGuess[], language: string): number {
  if (!member.detector.languages.has(language)) return Math.log(member.unknownProbability ?? UNKNOWN_LANGUAGE_PROBABILITY);
  const named = guesses.find((guess) => guess.language === language)?.score ?? 0;
  return Math.log(Math.max(named, PROBABILITY_FLOOR));
}

/**
 * Pools the answers of `members` (guesses[i] from members[i]; a detector with no answer, e.g.
 * a script it has no model for, is left out). Exported for tests.
 */
export function poolGuesses(members: readonly PoolMember[], guesses: readonly LanguageGuess[][]): Array<{ language: string; logScore: number }> {
  const candidates = new Set<string>();
  for (const list of guesses) for (const guess of list) candidates.add(guess.language);
  const scored: Array<{ language: string; logScore: number }> = [];
  for (const language of candidates) {
    let logScore = 0;
    members.forEach((member, i) => {
      const list = guesses[i]!;
      if (list.length > 0) logScore += member.weight * logTerm(member, list, language);
    });
    scored.push({ language, logScore });
  }
  return scored.sort((a, b) => b.logScore - a.logScore);
}

/** Softmax of the pooled log-scores: the pooled probability of each candidate, best first. */
export function pooledProbabilities(scored: ReadonlyArray<{ language: string; logScore: number }>): LanguageGuess[] {
  const best = scored[0]?.logScore ?? 0;
  let total = 0;
  for (const s of scored) total += Math.exp(s.logScore - best);
  return scored.slice(0, 3).map((s) => ({ language: s.language, score: Math.exp(s.logScore - best) / total }));
}

/**
 * The most a member that has not run yet can change a candidate's score by: between its best
 * term (log 1 = 0) and its worst (log PROBABILITY_FLOOR), weighted. When the leader's margin
 * exceeds this, and no language that member alone could name can catch up, it can be skipped
 * without changing the answer.
 */
export function maxSwing(weight: number): number {
  return -weight * Math.log(PROBABILITY_FLOOR);
}

/**
 * A member's guesses as the pool reads them: none when its best is below its `minProbability`,
 * so that it stays out as a detector with no answer does.
 */
export function vote(member: PoolMember, guesses: LanguageGuess[]): LanguageGuess[] {
  return (guesses[0]?.score ?? 0) >= (member.minProbability ?? 0) ? guesses : [];
}

/**
 * A detector that cannot tell the members of a group of close neighbours apart: the probability
 * it gives any member of a group is given to every member, and it knows every member of a group
 * it knows one of. Measured on held-out UDHR paragraphs (mean of per-paragraph accuracy), ELD
 * read this way takes Nynorsk from 84% to 98% (Bokmål 100 -> 98%) and Bosnian from 51% to 68%
 * (Croatian, whose UDHR text is nearly the same as Bosnian's, 78 -> 60%), and the bench's sets
 * do not move.
 */
export function groupBlind<D extends Detector>(detector: D, groups: ReadonlyArray<readonly string[]> = NEIGHBOUR_GROUPS): Detector & Pick<D, "name"> {
  const languages = new Set(detector.languages);
  for (const group of groups) if (group.some((language) => detector.languages.has(language))) for (const language of group) languages.add(language);
  return {
    name: detector.name,
    languages,
    detect(text) {
      const guesses = detector.detect(text);
      const best = new Map<string, number>();
      for (const guess of guesses) {
        const neighbours = groups.find((members) => members.includes(guess.language))?.filter((language) => language !== guess.language) ?? [];
        // The named language first: on a tie it keeps its place (the sort is stable).
        for (const language of [guess.language, ...neighbours]) best.set(language, Math.max(best.get(language) ?? 0, guess.score));
      }
      return [...best].map(([language, score]) => ({ language, score })).sort((a, b) => b.score - a.score);
    },
  };
}

/** Builds the default detector from ELD, CLD2 (when its addon is built), fastText, and for short text the word lexicon, CLD3 and Lingua. */
export async function loadCombinedDetector(): Promise<LanguageDetector & { parts: string[] }> {
  const eld: PoolMember = { detector: groupBlind(await loadSingleDetector("eld")), weight: POOL_WEIGHTS.eld, maxChars: ELD_MAX_CHARS };
  const cld2: PoolMember | undefined = cld2Available() ? { detector: await loadSingleDetector("cld2"), weight: POOL_WEIGHTS.cld2, maxChars: Infinity } : undefined;
  // CLD2 first: ~10x cheaper than the others, and on long text often the whole answer.
  const members: PoolMember[] = cld2 ? [cld2, eld] : [eld];
  // fastText last: the slowest per document, and often not needed (see maxSwing).
  const fastText: PoolMember = { detector: await loadSingleDetector("fasttext"), weight: POOL_WEIGHTS.fasttext, maxChars: FASTTEXT_MAX_CHARS, minProbability: FASTTEXT_MIN_PROBABILITY };
  const languages = new Set<string>();
  for (const member of [...members, fastText]) for (const language of member.detector.languages) languages.add(language);
  // Loaded on the first short text: a pipeline of documents never needs it (~18 MB, ~0.3 s).
  let lexicon: PoolMember | undefined;
  const lexiconMember = () => (lexicon ??= { detector: groupBlind(loadLexicon()), weight: POOL_WEIGHTS.lexicon, maxChars: Infinity });
  // Loaded here, as WebAssembly cannot be loaded inside a synchronous detect (~70 ms, ~16 MB).
  const cld3: PoolMember = {
    detector: await loadSingleDetector("cld3"),
    weight: POOL_WEIGHTS.cld3,
    maxChars: Infinity,
    minProbability: CLD3_MIN_PROBABILITY,
    unknownProbability: CLD3_UNKNOWN_PROBABILITY,
  };
  // Loaded on the first short text too, synchronously (~0.8 s, ~210 MB).
  let lingua: PoolMember | undefined;
  const linguaMember = () =>
    (lingua ??= {
      detector: loadLingua("low"),
      weight: POOL_WEIGHTS.lingua,
      maxChars: Infinity,
      minProbability: LINGUA_MIN_PROBABILITY,
      unknownProbability: LINGUA_UNKNOWN_PROBABILITY,
    });
  const all = [...members, fastText];
  const read = (member: PoolMember, text: string) => vote(member, member.detector.detect(member.maxChars === Infinity ? text : detectionSample(text, member.maxChars)));
  return {
    name: "default",
    parts: [...all.map((member) => member.detector.name), LEXICON_NAME, cld3.detector.name, "lingua"],
    languages,
    detect(text) {
      return resolveNeighbours(text, pooledDetect(text));
    },
  };

  /** The pool's guesses, before the close neighbours are told apart. */
  function pooledDetect(text: string): LanguageGuess[] {
    const guesses: LanguageGuess[][] = [];
    const sure = (list: LanguageGuess[]) => (list[0]?.score ?? 0) >= LONG_TEXT_CLD2_MIN_PROBABILITY;
    // Long text that CLD2 is sure of: its answer stands and the slower detectors are not asked
    // (see LONG_TEXT_CHARS). It reads the text's start first, and all of it only when not sure.
    if (cld2 && text.length > LONG_TEXT_CHARS) {
      const start = read(cld2, detectionSample(text, LONG_TEXT_CHARS));
      if (sure(start)) return start;
    }
    for (const member of members) {
      const list = read(member, text);
      if (member === cld2 && text.length >= LONG_TEXT_CHARS && sure(list)) return list;
      guesses.push(list);
    }
    const withinAlphabets = alphabetFilter(text);
    // A text of a few words: every member, the word lexicon, CLD3 and Lingua too.
    if (wordCount(text) <= SHORT_TEXT_MAX_WORDS) {
      const [words, short] = [lexiconMember(), linguaMember()];
      return pooledProbabilities(withinAlphabets(poolGuesses([...all, words, cld3, short], [...guesses, read(fastText, text), read(words, text), read(cld3, text), read(short, text)])));
    }
    const partial = withinAlphabets(poolGuesses(members, guesses));
    const [leader, second] = partial;
    if (leader && canSkip(members, guesses, leader.logScore, second?.logScore, fastText.weight)) return pooledProbabilities(partial);
    return pooledProbabilities(withinAlphabets(poolGuesses(all, [...guesses, read(fastText, text)])));
  }
}

/** Words separated by white space, counted up to one past SHORT_TEXT_MAX_WORDS (documents are long). */
function wordCount(text: string): number {
  let count = 0;
  for (const _ of text.matchAll(/\S+/g)) if (++count > SHORT_TEXT_MAX_WORDS) break;
  return count;
}

/**
 * Whether the member not yet run (weight `weight`) cannot change the leader: the leader's worst
 * case still beats the runner-up's best case and the best case of a language only that member
 * would name (which each member that answered gave at most UNKNOWN_LANGUAGE_PROBABILITY).
 */
function canSkip(members: readonly PoolMember[], guesses: readonly LanguageGuess[][], leader: number, runnerUp: number | undefined, weight: number): boolean {
  const leaderWorst = leader - maxSwing(weight);
  if (runnerUp !== undefined && leaderWorst <= runnerUp) return false;
  const largestUnnamed = Math.log(Math.max(UNKNOWN_LANGUAGE_PROBABILITY, PROBABILITY_FLOOR));
  let unseenBest = 0;
  members.forEach((member, i) => {
    if (guesses[i]!.length > 0) unseenBest += member.weight * largestUnnamed;
  });
  return leaderWorst > unseenBest;
}
