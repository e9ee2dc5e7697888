/**
 * A lightweight element tree built from htmlparser2's streaming callbacks. It keeps only what
 * extraction needs (tag, attributes, children, parent) and is several times cheaper to build than
 * a full DOM. Two guards make any input safe to parse: a deadline checked every few hundred
 * events (synchronous code cannot be interrupted from outside) and a depth cap beyond which
 * elements are flattened into their ancestor, as browsers do, so that no later recursion over the
 * tree can overflow the stack.
 */
import { Parser } from "htmlparser2";

export interface El {
  tag: string;
  attrs: Record<string, string>;
  children: Child[];
  parent: El | null;
  // Filled in by the statistics pass (content.ts).
  /** Characters of text in the subtree, CJK weighted (see `weightedLength`). */
  textLen: number;
  /** Part of `textLen` inside links. */
  linkLen: number;
  /** Text directly in this element or in its inline descendants (not in block children). */
  ownLen: number;
  ownLinkLen: number;
  ownCommas: number;
  commas: number;
  /** Whether a block-level element occurs anywhere below. */
  hasBlock: boolean;
  /** Readability-style content score; NaN while the element is not a candidate. */
  score: number;
}
export type Child = El | string;

/** Why parsing or extraction stopped early; becomes the drop reason. */
export class ExtractAbort extends Error {
  constructor(readonly reason: "timeout") {
    super(reason);
  }
}

export interface ParsedPage {
  root: El;
  title: string;
  lang: string;
}

/** Elements whose content is never text a reader sees. */
const SKIPPED = new Set([
  "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed", "canvas",
  "select", "textarea", "button", "option", "datalist", "head", "title", "audio", "video", "map", "input",
]);

export const BLOCK_TAGS = new Set([
  "address", "article", "aside", "blockquote", "body", "center", "dd", "details", "dialog", "dir",
  "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
  "h5", "h6", "header", "hgroup", "hr", "html", "li", "main", "menu", "nav", "ol", "p", "pre",
  "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "caption",
  "legend",
]);

export function newEl(tag: string, attrs: Record<string, string>, parent: El | null): El {
  return { tag, attrs, children: [], parent, textLen: 0, linkLen: 0, ownLen: 0, ownLinkLen: 0, ownCommas: 0, commas: 0, hasBlock: false, score: NaN };
}

/** How many parser events pass between two deadline checks. */
const CHECK_EVERY = 512;

export function parseHtml(html: string, options: { deadline: number; maxDepth: number }): ParsedPage {
  const root = newEl("#root", {}, null);
  // stack[i] is the element that receives children at depth i; beyond maxDepth the same element
  // is pushed again, so closing tags still pop the right number of entries.
  const stack: El[] = [root];
  let skipDepth = 0;
  let inHead = false;
  let titleText: string | null = null;
  let titleDone = false;
  let inTitle = false;
  let lang = "";
  let events = 0;
  const tick = () => {
    if (++events % CHECK_EVERY === 0 && performance.now() > options.deadline) throw new ExtractAbort("timeout");
  };

  const parser = new Parser(
    {
      onopentag(name, attribs) {
        tick();
        if (name === "title" && !titleDone && (skipDepth === 0 || inHead)) {
          inTitle = true;
          titleText = "";
        }
        if (skipDepth > 0) {
          skipDepth++;
          return;
        }
        if (name === "html" && !lang) lang = (attribs.lang ?? attribs["xml:lang"] ?? "").trim();
        if (SKIPPED.has(name)) {
          skipDepth = 1;
          inHead = name === "head";
          return;
        }
        const parent = stack[stack.length - 1]!;
        if (stack.length > options.maxDepth) {
          // Flattened: keep the text, mark the block boundary with a line break.
          if (BLOCK_TAGS.has(name)) parent.children.push(newEl("br", {}, parent));
          stack.push(parent);
          return;
        }
        const el = newEl(name, attribs, parent);
        parent.children.push(el);
        stack.push(el);
      },
      onclosetag(name) {
        tick();
        if (name === "title" && inTitle) {
          inTitle = false;
          titleDone = true;
        }
        if (skipDepth > 0) {
          skipDepth--;
          if (skipDepth === 0) inHead = false;
          return;
        }
        if (stack.length > 1) stack.pop();
      },
      ontext(text) {
        tick();
        if (inTitle) titleText += text;
        if (skipDepth > 0) return;
        const children = stack[stack.length - 1]!.children;
        // htmlparser2 splits text at entities; merge adjacent pieces.
        const last = children.length - 1;
        if (last >= 0 && typeof children[last] === "string") children[last] += text;
        else children.push(text);
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.end(html);
  return { root, title: (titleText ?? "").replace(/\s+/g, " ").trim(), lang };
}
