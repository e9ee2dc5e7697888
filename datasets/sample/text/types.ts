/**
 * The shape of one language's text bank. Sentence and title templates may contain the slots
 * {name}, {city}, {n} (3–12), {num} (20–180 in steps of 10), {year} (1650–2021) and {pct} (5–95),
 * and alternatives [a|b|c] (one picked per use; every choice must fit the grammar around it).
 * Slots and alternatives every few words keep unrelated articles from sharing word 5-grams, so
 * only the planted duplicates look like duplicates.
 */

export const TOPICS = ["science", "cooking", "history", "travel", "technology", "gardening", "finance"] as const;
export type Topic = (typeof TOPICS)[number];

export const LANGUAGE_CODES = ["en", "de", "fr", "es", "it", "nl", "pt", "ru"] as const;
export type LanguageCode = (typeof LANGUAGE_CODES)[number];

export interface SiteSpec {
  name: string;
  host: string;
}

export interface UiText {
  home: string;
  nav: readonly string[];
  topics: Readonly<Record<Topic, string>>;
  search: string;
  login: string;
  subscribe: string;
  cookieText: string;
  cookieAccept: string;
  cookieDecline: string;
  byline: string;
  comments: string;
  reply: string;
  leaveComment: string;
  commentBodies: readonly string[];
  share: string;
  related: string;
  readMore: string;
  rights: string;
  privacy: string;
  terms: string;
  contact: string;
  about: string;
  newsletter: string;
  notFoundTitle: string;
  notFoundText: string;
  latest: string;
  mostRead: string;
  previous: string;
  next: string;
}

export interface LanguagePack {
  code: LanguageCode;
  names: readonly string[];
  cities: readonly string[];
  sites: readonly SiteSpec[];
  sentences: Readonly<Record<Topic, readonly string[]>>;
  titles: Readonly<Record<Topic, readonly string[]>>;
  headings: readonly string[];
  tableHeader: readonly [string, string, string];
  ui: UiText;
  spam: { keywords: readonly string[]; lines: readonly string[] };
}
