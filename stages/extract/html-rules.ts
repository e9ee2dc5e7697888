/**
 * The HTML tree-construction rules the tree builder (dom.ts) needs: which elements are void, which
 * start tags close which open elements, and where SVG/MathML content begins and ends. They follow
 * htmlparser2's Parser (whose output the extractor was built and measured on), which in turn
 * follows the common cases of the HTML spec's "implied end tags".
 */

/** Elements that never have content or an end tag. */
export const VOID_ELEMENTS = new Set([
  "area", "base", "basefont", "br", "col", "command", "embed", "frame", "hr", "img", "input", "isindex",
  "keygen", "link", "meta", "param", "source", "track", "wbr",
]);

const P = new Set(["p"]);
const HEADINGS = new Set(["h1", "h2", "h3", "h4", "h5", "h6", "p"]);
const FORM_CONTROLS = new Set(["input", "option", "optgroup", "select", "button", "datalist", "textarea"]);
// A new table section also ends the open cell and row of the one before (htmlparser2 only looks
// for an open section on top, so `<thead><tr><td>h<tbody>` would nest the body in the header cell).
const TABLE_SECTIONS = new Set(["thead", "tbody", "tr", "td", "th"]);
const DEFINITION_PARTS = new Set(["dd", "dt"]);
const RUBY_PARTS = new Set(["rt", "rp"]);

/**
 * A start tag closes the open elements on top of the stack that are in its set, one after another
 * (`<tr>` over an open `<td>` closes the cell, then the row). Only the top is looked at, as in
 * htmlparser2: a `<p>` inside `<p><b>` nests rather than closing the outer paragraph.
 */
export const START_TAG_CLOSES = new Map<string, Set<string>>([
  ["tr", new Set(["tr", "th", "td"])],
  ["th", new Set(["th"])],
  ["td", new Set(["thead", "th", "td"])],
  ["body", new Set(["head", "link", "script"])],
  ["a", new Set(["a"])],
  ["li", new Set(["li"])],
  ["p", P],
  ["h1", HEADINGS], ["h2", HEADINGS], ["h3", HEADINGS], ["h4", HEADINGS], ["h5", HEADINGS], ["h6", HEADINGS],
  ["select", FORM_CONTROLS], ["input", FORM_CONTROLS], ["output", FORM_CONTROLS], ["button", FORM_CONTROLS],
  ["datalist", FORM_CONTROLS], ["textarea", FORM_CONTROLS],
  ["option", new Set(["option"])],
  ["optgroup", new Set(["optgroup", "option"])],
  ["dd", DEFINITION_PARTS], ["dt", DEFINITION_PARTS],
  ...[
    "address", "article", "aside", "blockquote", "details", "div", "dl", "fieldset", "figcaption", "figure",
    "footer", "form", "header", "hr", "main", "nav", "ol", "pre", "section", "table", "ul",
  ].map((tag): [string, Set<string>] => [tag, P]),
  ["rt", RUBY_PARTS], ["rp", RUBY_PARTS],
  ["thead", TABLE_SECTIONS], ["tbody", TABLE_SECTIONS], ["tfoot", TABLE_SECTIONS],
]);

/** Elements whose content is SVG or MathML: there `<x/>` closes itself and CDATA is text. */
export const FOREIGN_ROOTS = new Set(["svg", "math"]);
/** Elements inside SVG/MathML whose content is HTML again (names lower-cased). */
export const HTML_INTEGRATION_POINTS = new Set(["mi", "mo", "mn", "ms", "mtext", "annotation-xml", "foreignobject", "desc", "title"]);
/**
 * HTML start tags that end SVG/MathML content where it is open (the spec's rule for foreign
 * content): an `<svg>` or `<math>` a page never closes ends at the next paragraph, not at the
 * end of the page. (`<font>` ends it only with color, face or size, and is left out.)
 */
export const FOREIGN_BREAKOUT = new Set([
  "b", "big", "blockquote", "body", "br", "center", "code", "dd", "div", "dl", "dt", "em", "embed", "h1", "h2", "h3", "h4", "h5", "h6",
  "head", "hr", "i", "img", "li", "listing", "menu", "meta", "nobr", "ol", "p", "pre", "ruby", "s", "small", "span", "strong", "strike",
  "sub", "sup", "table", "tt", "u", "ul", "var",
]);

/**
 * Browsers close more than the top of the stack: a `<li>` closes an open `<li>` even when a `<p>`
 * or a link inside it was left open, and a block start tag closes an open `<p>` past inline
 * elements (`<p><b>text<div>`). Each rule names what it closes and which open elements stop the
 * search (the spec's "special" elements for lists, the "button scope" for paragraphs).
 */
export interface ScopedClose {
  closes: Set<string>;
  /** The same names as a list: checked on every block start tag, without an iterator. */
  closesList: string[];
  stopsAt: Set<string>;
}

/** Containers a list item or definition search does not look past (the spec's special elements, less address/div/p). */
const LIST_SCOPE_STOPS = new Set([
  "applet", "article", "aside", "blockquote", "body", "button", "caption", "center", "details", "dialog", "dir", "dl",
  "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "html",
  "main", "marquee", "menu", "nav", "object", "ol", "pre", "section", "select", "summary", "table", "tbody", "td",
  "template", "tfoot", "th", "thead", "tr", "ul",
]);
/** The spec's "button scope": a paragraph outside these is not closed from inside them. */
const BUTTON_SCOPE_STOPS = new Set(["applet", "button", "caption", "html", "marquee", "object", "table", "td", "template", "th", "svg", "math"]);

const scoped = (closes: Set<string>, stopsAt: Set<string>): ScopedClose => ({ closes, closesList: [...closes], stopsAt });
const LI = scoped(new Set(["li"]), LIST_SCOPE_STOPS);
const DEFINITION = scoped(DEFINITION_PARTS, LIST_SCOPE_STOPS);
const PARAGRAPH = scoped(P, BUTTON_SCOPE_STOPS);

export const START_TAG_CLOSES_IN_SCOPE = new Map<string, ScopedClose[]>([
  ["li", [LI, PARAGRAPH]],
  ["dd", [DEFINITION, PARAGRAPH]],
  ["dt", [DEFINITION, PARAGRAPH]],
  ...[
    "address", "article", "aside", "blockquote", "center", "details", "dialog", "dir", "div", "dl", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "main",
    "menu", "nav", "ol", "p", "pre", "section", "summary", "table", "ul",
  ].map((tag): [string, ScopedClose[]] => [tag, [PARAGRAPH]]),
]);

/**
 * How far down the stack a scoped search looks. Real pages need a handful; the cap keeps a page
 * of 100k open inline elements linear.
 */
export const SCOPE_SEARCH_LIMIT = 64;
