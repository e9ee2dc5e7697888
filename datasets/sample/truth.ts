import type { LanguageCode, Topic } from "./text/index.js";

export type SampleKind =
  | "article" | "near_duplicate" | "exact_duplicate" | "spam" | "boilerplate" | "short" | "non_html" | "malformed";

/**
 * How a malformed record is broken:
 * - content_length_overrun: Content-Length is 40 bytes larger than the block, so it runs over the
 *   record's closing CRLF CRLF into the header of the next record in the file (a request);
 * - garbage_header: a header line with no colon and control characters among the fields;
 * - bad_http_status: the HTTP status line of the block cannot be parsed;
 * - warc_truncated: `WARC-Truncated: length`, the HTML body cut to 40% (mid-character possible).
 */
export type SampleMalformation = "content_length_overrun" | "garbage_header" | "bad_http_status" | "warc_truncated";

/** One line of truth.jsonl: what was planted in one page (one response record). */
export interface SampleTruth {
  /** Position of the page in generation order (files hold pages index % files). */
  index: number;
  /** WARC-Record-ID of the response record. */
  id: string;
  url: string;
  /** Basename of the WARC file that holds the record. */
  file: string;
  /** Byte offset and length of the response's gzip member in `file` (as a CDX index gives them). */
  offset: number;
  length: number;
  kind: SampleKind;
  language: LanguageCode | null;
  /** The page's `lang` attribute as written (may be missing or wrong, like on the real web). */
  htmlLang: string | null;
  /** Shared by the pages of one duplicate cluster ("nd-…" near, "ex-…" exact), else null. */
  cluster: string | null;
  /** Word-5-gram Jaccard of mainText against the cluster original (1 for the original), else null. */
  jaccard: number | null;
  /** The similarity the variant was edited towards. */
  targetJaccard: number | null;
  /** id of the cluster original, for near and exact duplicates. */
  duplicateOf: string | null;
  quality: "high" | "low" | null;
  title: string;
  /**
   * The main text as plain text: article body without the <h1> title, paragraphs and other blocks
   * separated by "\n\n", list items and table rows (cells joined by " | ") on their own lines.
   * Empty for boilerplate-only and non-HTML pages; for malformed records, the text that was planned.
   */
  mainText: string;
  words: number;
  topic: Topic | null;
  layout: string | null;
  /** Content-Type of the HTTP response. */
  contentType: string;
  malformation: SampleMalformation | null;
  /** For spam: repeated_line, keyword_stuffing or repeated_sentence. */
  spamStyle: string | null;
}

export interface GenerateSampleOptions {
  outDir: string;
  /** Default 1. */
  seed?: number;
  /** Default 600. */
  pages?: number;
  /** Number of WARC files; default 4. */
  files?: number;
}

export interface GenerateSampleResult {
  warcFiles: string[];
  truthFile: string;
  pages: number;
}
