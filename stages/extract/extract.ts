/**
 * HTML to main-content plain text: parse into a light tree, remove boilerplate, pick the main
 * content, render it with its structure. Pure and synchronous; the guards (size, deadline, depth)
 * turn pathological pages into a reason instead of a stalled task.
 */
import { pruneBoilerplate } from "./boilerplate.js";
import { computeStats, selectMainContent, weightedLength } from "./content.js";
import { ExtractAbort, parseHtml } from "./dom.js";
import { renderText } from "./text.js";

export interface ExtractOptions {
  /** Largest HTML accepted, in UTF-8 bytes. */
  maxBytes: number;
  /** Time budget per page, in milliseconds. */
  timeoutMs: number;
  /** Elements nested deeper than this are flattened into their ancestor. */
  maxDepth: number;
}

export const DEFAULT_EXTRACT_OPTIONS: ExtractOptions = { maxBytes: 2_000_000, timeoutMs: 1000, maxDepth: 256 };

export type ExtractResult =
  | { ok: true; text: string; title: string; lang: string }
  | { ok: false; reason: "too_large" | "timeout" | "no_content" };

/**
 * Below this many (weighted) characters the class-word pruning probably ate the article: retry
 * without it, and take the retry only if it finds an article (not a leftover cookie notice).
 */
const RETRY_BELOW = 250;

function extractOnce(html: string, byClass: boolean, deadline: number, maxDepth: number): { text: string; title: string; lang: string } {
  let events = 0;
  const tick = () => {
    if (++events % 256 === 0 && performance.now() > deadline) throw new ExtractAbort("timeout");
  };
  const page = parseHtml(html, { deadline, maxDepth });
  computeStats(page.root, tick);
  pruneBoilerplate(page.root, { byClass }, tick);
  const elements = selectMainContent(page.root, page.title, tick);
  return { text: renderText(elements), title: page.title, lang: page.lang };
}

export function extractMainText(html: string, options: Partial<ExtractOptions> = {}): ExtractResult {
  const { maxBytes, timeoutMs, maxDepth } = { ...DEFAULT_EXTRACT_OPTIONS, ...options };
  // A UTF-8 byte count costs a pass over the string; the code-unit count bounds it from below and above.
  if (html.length > maxBytes || (html.length * 3 > maxBytes && Buffer.byteLength(html, "utf8") > maxBytes)) {
    return { ok: false, reason: "too_large" };
  }
  const deadline = performance.now() + timeoutMs;
  try {
    let result = extractOnce(html, true, deadline, maxDepth);
    if (weightedLength(result.text) < RETRY_BELOW) {
      const gentler = extractOnce(html, false, deadline, maxDepth);
      if (weightedLength(gentler.text) >= RETRY_BELOW) result = gentler;
    }
    if (result.text.length === 0) return { ok: false, reason: "no_content" };
    return { ok: true, ...result };
  } catch (error) {
    if (error instanceof ExtractAbort) return { ok: false, reason: error.reason };
    throw error;
  }
}
