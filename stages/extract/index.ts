/** The `extract` stage: HTML in `doc.text` becomes the page's main content as plain text. */
import { z } from "zod";
import { docStage, register } from "../../pipeline/index.js";
import { DEFAULT_EXTRACT_OPTIONS, extractMainText } from "./extract.js";

export { extractMainText, DEFAULT_EXTRACT_OPTIONS, type ExtractOptions, type ExtractResult } from "./extract.js";

export const extract = docStage({
  name: "extract",
  description:
    "replace HTML with its main content as plain text (headings, paragraphs, list items, table rows and pre blocks on their own lines; formulas as TeX, $…$ and $$…$$; navigation, headers, footers, cookie banners, comments, share widgets, tag lists, buttons' labels such as 'Read more' on a line of their own, related links, ads and forms removed); writes meta.title and meta.htmlLang",
  params: z.object({
    maxBytes: z.number().int().positive().default(DEFAULT_EXTRACT_OPTIONS.maxBytes).describe("largest HTML page extracted, in UTF-8 bytes; larger pages are dropped as too_large"),
    maxWork: z.number().int().positive().default(DEFAULT_EXTRACT_OPTIONS.maxWork).describe("work budget per page in parser events and scoring steps (deterministic: the same page stops at the same point on any machine); pages over it are dropped as work_limit"),
    timeoutMs: z.number().min(0).default(DEFAULT_EXTRACT_OPTIONS.timeoutMs).describe("opt-in wall-clock limit per page in milliseconds (0, the default: none; maxWork is the guard); pages over it are dropped as wall_clock_timeout, which depends on the machine's load, so output does too"),
    maxDepth: z.number().int().min(8).default(DEFAULT_EXTRACT_OPTIONS.maxDepth).describe("element nesting depth beyond which elements are flattened into their ancestor (text kept)"),
  }),
  setup: (params) => (doc) => {
    // Text from a WET record (or an earlier extract) is already plain text.
    if (typeof doc.meta.extracted === "string" && doc.meta.extracted !== "") return doc;
    const result = extractMainText(doc.text, params);
    if (!result.ok) return result.reason;
    const meta: Record<string, unknown> = { ...doc.meta, extracted: "html" };
    if (result.title) meta.title = result.title;
    if (result.lang) meta.htmlLang = result.lang;
    return { ...doc, text: result.text, meta };
  },
});

register(extract);
