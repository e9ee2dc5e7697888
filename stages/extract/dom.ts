/**
 * A lightweight element tree built from htmlparser2's Tokenizer. It keeps only what extraction
 * needs (tag, attributes, children, parent) and is several times cheaper to build than a full DOM.
 * The open-element stack is our own, with the top at the end and a count of open elements per
 * tag: htmlparser2's Parser keeps its stack top-first (`unshift`/`shift`) and searches it on every
 * end tag, which makes a page of 100k nested elements take seconds. Here every tag costs O(1)
 * amortised (an element is pushed once and popped once), whatever the nesting. Two guards make any input safe to parse: a deadline checked every few hundred
 * events (synchronous code cannot be interrupted from outside) and a depth cap beyond which
 * elements are flattened into their ancestor, as browsers do, so that no later recursion over the
 * tree can overflow the stack.
 */
import { decodeHTML, decodeHTMLAttribute } from "entities/decode";
import { Tokenizer, type TokenizerCallbacks } from "htmlparser2";
import {
  FOREIGN_BREAKOUT, FOREIGN_ROOTS, HTML_INTEGRATION_POINTS, SCOPE_SEARCH_LIMIT, START_TAG_CLOSES, START_TAG_CLOSES_IN_SCOPE, VOID_ELEMENTS, type ScopedClose,
} from "./html-rules.js";
import { collapseSpaces, newEl, type El } from "./el.js";
import { formulaImage, mathToTex } from "./math.js";

export { collapseSpaces, newEl, onlyChild, plainText, someAncestor, someElement, type Child, type El } from "./el.js";

/** Why parsing or extraction stopped early; becomes the drop reason. */
export type AbortReason = "work_limit" | "wall_clock_timeout";

export class ExtractAbort extends Error {
  constructor(readonly reason: AbortReason) {
    super(reason);
  }
}

/**
 * The work one page may cost, counted in parser events and scoring steps: the same page stops at
 * the same point on any machine under any load, so the output never depends on timing. A
 * wall-clock deadline stays only as a last resort (a defect that the count misses), reported
 * under its own reason.
 */
export class WorkBudget {
  used = 0;
  constructor(
    readonly maxWork: number,
    private readonly deadline: number = Infinity,
  ) {}

  tick(): void {
    if (++this.used > this.maxWork) throw new ExtractAbort("work_limit");
    if ((this.used & 4095) === 0 && performance.now() > this.deadline) throw new ExtractAbort("wall_clock_timeout");
  }
}

export const unlimitedWork = () => new WorkBudget(Infinity);

export interface ParsedPage {
  root: El;
  title: string;
  lang: string;
  /** The page's description from its `<meta>` tags (the first of DESCRIPTION_NAMES found); "" when none. */
  description: string;
  /** Its longest word (descriptionProbe); "" when none. */
  descriptionProbe: string;
  /**
   * The elements whose text holds the description's longest word (descriptionProbe), in document
   * order, as the tree was built: where the page may show the description (content.ts's
   * describedBlock), found without another pass over the tree.
   */
  descriptionHits: El[];
}

/** The longest word of a description: the one its text is looked for by. */
function descriptionProbe(description: string): string {
  let longest = "";
  for (const word of description.split(/[\s\p{P}]+/u)) if (word.length > longest.length) longest = word;
  return longest;
}

/** Elements whose content is never text a reader sees. */
export const SKIPPED = new Set([
  "script", "style", "noscript", "template", "svg", "iframe", "object", "embed", "canvas",
  "select", "textarea", "button", "option", "datalist", "head", "title", "audio", "video", "map", "input",
]);

/** Set on a hidden element that a disclosure button controls (see markDisclosurePanels); not an HTML attribute. */
export const DISCLOSURE_PANEL = "kiln:disclosure-panel";
/** Set on every element that holds a field for an e-mail address (`<input type="email">`, a sign-up or a comment form); not an HTML attribute. */
export const EMAIL_FIELD = "kiln:email-field";
/**
 * Set on a <form> that holds a field a reader can see (an input other than a hidden one, a text
 * area, a list to choose from, a button) outside any element its style hides; not an HTML attribute.
 * A form without one is a site's wrapper for text (old reddit sets each comment in one, its edit box hidden).
 */
export const VISIBLE_FIELD = "kiln:visible-field";
/** The controls that make a form one to fill in (see VISIBLE_FIELD). */
const FIELD_TAGS = new Set(["input", "textarea", "select", "button"]);
const HIDDEN_STYLE = /display\s*:\s*none|visibility\s*:\s*hidden/i;
/** Whether an element's inline style hides it (display:none, visibility:hidden). */
export const isHiddenByStyle = (attrs: Record<string, string>) => attrs.style !== undefined && HIDDEN_STYLE.test(attrs.style);

/**
 * The attributes extraction reads (boilerplate rules, scoring, the page language, list numbering); others are
 * not kept, which spares slicing long `srcset`, `data-*` and `href` values on every page.
 */
export const KEPT_ATTRIBUTES = new Set([
  "class", "id", "style", "hidden", "popover", "aria-hidden", "aria-controls", "role", "itemprop", "lang", "xml:lang", "start", "value", "reversed",
  // A link's relation: rel="tag" marks a post's tags (boilerplate.ts).
  "rel",
  // A formula's TeX and layout (math.ts), and a picture of one (its alt text).
  "alttext", "display", "encoding", "alt",
]);

/**
 * The `<meta>` attributes that carry the page's description (`name="description"`,
 * `property="og:description"`, `name="twitter:description"`): read on a `<meta>` only.
 */
const META_ATTRIBUTES = new Set(["name", "property", "content"]);
const DESCRIPTION_NAMES = new Set(["description", "og:description", "twitter:description"]);

/** A `<meta>`'s attributes without META_ATTRIBUTES, which only its description was read for. */
function withoutMetaAttributes(attrs: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name in attrs) if (!META_ATTRIBUTES.has(name)) kept[name] = attrs[name]!;
  return kept;
}

/** The attribute names the builder looks at: KEPT_ATTRIBUTES, a link's `href`, an input's `type` and META_ATTRIBUTES. */
const READ_ATTRIBUTES = [...KEPT_ATTRIBUTES, "href", "type", ...META_ATTRIBUTES];

/** The tag names of HTML, SVG and MathML a page commonly holds; others are read by slicing (see NameTable). */
const KNOWN_TAGS = [
  "a", "abbr", "address", "area", "article", "aside", "audio", "b", "base", "bdi", "bdo", "blockquote", "body", "br", "button",
  "canvas", "caption", "center", "cite", "code", "col", "colgroup", "data", "datalist", "dd", "del", "details", "dfn", "dialog",
  "dir", "div", "dl", "dt", "em", "embed", "fieldset", "figcaption", "figure", "font", "footer", "form", "frame", "h1", "h2", "h3",
  "h4", "h5", "h6", "head", "header", "hgroup", "hr", "html", "i", "iframe", "img", "input", "ins", "kbd", "label", "legend", "li",
  "link", "main", "map", "mark", "menu", "meta", "meter", "nav", "noscript", "object", "ol", "optgroup", "option", "output", "p",
  "param", "picture", "pre", "progress", "q", "rp", "rt", "ruby", "s", "samp", "script", "search", "section", "select", "slot",
  "small", "source", "span", "strike", "strong", "style", "sub", "summary", "sup", "table", "tbody", "td", "template", "textarea",
  "tfoot", "th", "thead", "time", "title", "tr", "track", "tt", "u", "ul", "var", "video", "wbr",
  "svg", "path", "g", "use", "symbol", "defs", "circle", "rect", "line", "polygon", "polyline", "ellipse", "clippath", "lineargradient",
  "stop", "mask", "image", "desc", "foreignobject", "math", "mi", "mo", "mn", "ms", "mtext", "mrow", "msup", "msub", "mfrac",
  "msqrt", "mroot", "msubsup", "munder", "mover", "munderover", "mtable", "mtr", "mtd", "mspace", "mstyle", "semantics", "annotation",
  "annotation-xml",
];

/**
 * Reads a tag or attribute name where the tokenizer found it, lower-casing ASCII letters only (as
 * HTML's tokenizer does; String.prototype.toLowerCase also reads the Kelvin sign as "k"): one of
 * `names` when it is one, undefined when not. The answer is the table's literal, so no string is
 * made and every Set that looks it up reuses its hash. Slicing and lower-casing every attribute
 * name made 4.7% of the extraction's CPU time on the shared 181 pages; with tag names read so
 * too, parsing them took 109 ms instead of 140 (min of 12 passes, same machine).
 */
class NameTable {
  /** Names by length and lower-cased first character (length * 128 + code). */
  private readonly byKey = new Map<number, string[]>();

  constructor(names: Iterable<string>) {
    for (const name of names) {
      const key = name.length * 128 + name.charCodeAt(0);
      const list = this.byKey.get(key);
      if (list) list.push(name);
      else this.byKey.set(key, [name]);
    }
  }

  find(html: string, start: number, end: number): string | undefined {
    const first = lowerAscii(html.charCodeAt(start));
    if (first >= 128) return undefined;
    const list = this.byKey.get((end - start) * 128 + first);
    if (!list) return undefined;
    next: for (const name of list) {
      for (let i = 1; i < name.length; i++) if (lowerAscii(html.charCodeAt(start + i)) !== name.charCodeAt(i)) continue next;
      return name;
    }
    return undefined;
  }
}

const lowerAscii = (code: number) => (code >= 65 && code <= 90 ? code + 32 : code);

const TAG_NAMES = new NameTable(KNOWN_TAGS);
const ATTRIBUTE_NAMES = new NameTable(READ_ATTRIBUTES);

/**
 * A link's `href` as kept: this for a link to a place on the same page (`#…`), "" for any other.
 * The link statistics count such a link's text at IN_PAGE_LINK_WEIGHT (content.ts), as readability does.
 */
export const IN_PAGE_HREF = "#";

export const BLOCK_TAGS = new Set([
  "address", "article", "aside", "blockquote", "body", "center", "dd", "details", "dialog", "dir",
  "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
  "h5", "h6", "header", "hgroup", "hr", "html", "li", "main", "menu", "nav", "ol", "p", "pre",
  "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "caption",
  "legend",
]);

/**
 * Whether a table cell is page layout rather than data: it holds blocks (paragraphs, a nested
 * table), or lines broken by two or more `<br>` (an old page's text column, a link column).
 * Needs the statistics pass (`hasBlock`).
 */
export function isLayoutCell(cell: El): boolean {
  if (cell.hasBlock) return true;
  let breaks = 0;
  const stack: El[] = [cell];
  while (stack.length > 0) {
    const el = stack.pop()!;
    for (const child of el.children) {
      if (typeof child === "string") continue;
      if (child.tag === "br" && ++breaks >= 2) return true;
      stack.push(child);
    }
  }
  return false;
}

/** Fewest characters of a block's own text, under half of it links, that make it a paragraph without a `<p>`. */
const PROSE_BLOCK_LENGTH = 80;

/**
 * A paragraph: a `<p>`, or a block of prose set without one (a forum post's `<div>` or table
 * cell, text between `<br>`s). Needs the statistics pass.
 */
export function isParagraph(el: El): boolean {
  return el.tag === "p" || (BLOCK_TAGS.has(el.tag) && el.ownLen >= PROSE_BLOCK_LENGTH && el.ownLinkLen < el.ownLen / 2);
}

/** An `<h1>` … `<h6>`. */
export const isHeading = (el: El) => /^h[1-6]$/.test(el.tag);

/** The `td`/`th` children of a table row. */
export function rowCells(row: El): El[] {
  return row.children.filter((c): c is El => typeof c !== "string" && (c.tag === "td" || c.tag === "th"));
}

/**
 * Tokenizer callbacks that build the tree. The stack holds every open element, skipped and
 * flattened ones included, so that end tags match the right start tags; `targets[i]` is the tree
 * element that receives the children of `names[i]` (its ancestor when it was flattened).
 */
class TreeBuilder implements TokenizerCallbacks {
  readonly root = newEl("#root", {}, null);
  title: string | null = null;
  lang = "";
  description = "";
  readonly descriptionHits: El[] = [];
  /** descriptionProbe of the description, once it is read. */
  probe = "";
  /** The ids that a button or link says it opens and closes (`aria-controls`). */
  private readonly controlled = new Set<string>();
  /** The hidden elements that have an id: the panels such a button may open. */
  private readonly hiddenWithId: El[] = [];
  private readonly names: string[] = [];
  private readonly targets: El[] = [];
  /** Whether SVG/MathML rules apply inside names[i]. */
  private readonly foreign: boolean[] = [];
  /** How many elements of each tag are open: an end tag for a tag not open costs no search. */
  private readonly openCount = new Map<string, number>();
  /** Index in `names` of the outermost element whose content is skipped; -1 when none. */
  private skipFrom = -1;
  private skippingHead = false;
  private inTitle = false;
  private titleDone = false;
  /** The start tag being read: its name ("" for one that is ignored) and attributes. */
  private tagName = "";
  private attribs: Record<string, string> | null = null;
  private attribName = "";
  /** The first two characters of an `href` being read. */
  private hrefStart = "";
  /** Whether the attribute being read is one of KEPT_ATTRIBUTES. */
  private keepAttrib = false;
  private attribValue = "";
  /** Flattened line breaks added to `breakParent` since its last text or element. */
  private breaksInRow = 0;
  private breakParent: El | null = null;

  constructor(
    private readonly html: string,
    private readonly budget: WorkBudget,
    private readonly maxDepth: number,
    private readonly readNoscript: boolean,
  ) {}

  private tick(): void {
    this.budget.tick();
  }

  isInForeignContext(): boolean {
    const top = this.foreign.length - 1;
    return top >= 0 && this.foreign[top]!;
  }

  private readTagName(start: number, end: number): string {
    const name = TAG_NAMES.find(this.html, start, end) ?? this.html.slice(start, end).toLowerCase();
    return name === "image" && !this.isInForeignContext() ? "img" : name;
  }

  // --- the stack ---------------------------------------------------------------------------

  /** Whether SVG/MathML rules apply inside an element `name` opened now. */
  private foreignInside(name: string): boolean {
    return FOREIGN_ROOTS.has(name) || (!HTML_INTEGRATION_POINTS.has(name) && this.isInForeignContext());
  }

  /** Marks the innermost open <form> as holding a visible field (VISIBLE_FIELD), unless an element between them is hidden by its style. */
  private markVisibleField(): void {
    if (!this.isOpen("form")) return;
    for (let i = this.targets.length - 1; i >= 0; i--) {
      const el = this.targets[i]!;
      if (el.tag === "form") {
        el.attrs[VISIBLE_FIELD] = "";
        return;
      }
      if (isHiddenByStyle(el.attrs) || el.attrs.hidden !== undefined) return;
    }
  }

  private push(name: string, target: El): void {
    this.foreign.push(this.foreignInside(name));
    this.names.push(name);
    this.targets.push(target);
    this.openCount.set(name, (this.openCount.get(name) ?? 0) + 1);
  }

  private pop(): void {
    this.tick();
    const name = this.names.pop()!;
    const target = this.targets.pop()!;
    // A formula is read whole once its markup is complete: its TeX replaces its MathML.
    if (name === "math" && target.tag === "math" && this.skipFrom < 0) {
      const tex = mathToTex(target);
      target.children = tex ? [tex] : [];
    }
    this.foreign.pop();
    this.openCount.set(name, this.openCount.get(name)! - 1);
    if (this.names.length === this.skipFrom) {
      this.skipFrom = -1;
      this.skippingHead = false;
    }
    if (name === "title" && this.inTitle) {
      this.inTitle = false;
      this.titleDone = true;
    }
  }

  private isOpen(name: string): boolean {
    return (this.openCount.get(name) ?? 0) > 0;
  }

  /** Takes a `<meta>`'s description (DESCRIPTION_NAMES), the first found. */
  private readDescription(attrs: Record<string, string>): void {
    if (this.description || !attrs.content || !DESCRIPTION_NAMES.has((attrs.name ?? attrs.property ?? "").toLowerCase())) return;
    this.description = collapseSpaces(attrs.content).trim();
    this.probe = descriptionProbe(this.description);
  }

  /** Adds the element to the tree (or skips or flattens it) and, unless void, opens it. */
  private openElement(name: string, attrs: Record<string, string>): void {
    this.tick();
    const skipping = this.skipFrom >= 0;
    const isVoid = VOID_ELEMENTS.has(name);
    if (name === "meta") this.readDescription(attrs);
    if (name === "title" && !this.titleDone && (!skipping || this.skippingHead)) {
      this.inTitle = true;
      this.title = "";
    }
    const parent = this.targets[this.targets.length - 1] ?? this.root;
    if (skipping) {
      if (!isVoid) this.push(name, parent);
      return;
    }
    if (attrs["aria-controls"]) for (const id of attrs["aria-controls"].split(/\s+/)) if (id) this.controlled.add(id);
    if (name === "html" && !this.lang) this.lang = (attrs.lang ?? attrs["xml:lang"] ?? "").trim();
    // A button that is a heading's text (an accordion's question: <h2><button>Wie lange …?</button></h2>) is read as the heading's text.
    if (name === "button" && isHeading(parent)) {
      const el = newEl("span", {}, parent);
      parent.children.push(el);
      this.push(name, el);
      return;
    }
    // A picture of a formula is the formula's TeX (math.ts).
    const formula = name === "img" ? formulaImage(attrs) : undefined;
    if (formula) {
      const el = newEl("math", formula.display ? { display: "block" } : {}, parent);
      el.children.push(formula.tex);
      parent.children.push(el);
      return;
    }
    if (name === "input" && attrs.type?.toLowerCase() === "email") for (const el of this.targets) el.attrs[EMAIL_FIELD] = "";
    if (FIELD_TAGS.has(name) && !(name === "input" && attrs.type?.toLowerCase() === "hidden")) this.markVisibleField();
    if (SKIPPED.has(name) && !(name === "noscript" && this.readNoscript)) {
      if (isVoid) return;
      this.skipFrom = this.names.length;
      this.skippingHead = name === "head";
      this.push(name, parent);
      return;
    }
    // The root counts as one level: an element opened at stack length maxDepth would sit at depth maxDepth + 1.
    if (this.names.length + 1 > this.maxDepth) {
      // Flattened: keep the text, mark block boundaries and line breaks with a <br>.
      if (BLOCK_TAGS.has(name) || name === "br") this.addLineBreak(parent);
      if (!isVoid) this.push(name, parent);
      return;
    }
    // A <meta>'s description is not kept on the element (a <meta> in the body: schema.org's microdata).
    const el = newEl(name, name === "meta" ? withoutMetaAttributes(attrs) : attrs, parent);
    parent.children.push(el);
    if (attrs.id && (attrs.hidden !== undefined || attrs["aria-hidden"] === "true" || isHiddenByStyle(attrs))) this.hiddenWithId.push(el);
    this.breaksInRow = 0;
    if (!isVoid) this.push(name, el);
  }

  /**
   * A <br> where a flattened element began. Two in a row already make a paragraph break, so a run
   * of 100k flattened <div>s adds two elements, not 100k (whitespace between them does not count).
   */
  private addLineBreak(parent: El): void {
    if (this.breakParent !== parent) this.breaksInRow = 0;
    this.breakParent = parent;
    if (this.breaksInRow >= 2) return;
    this.breaksInRow++;
    parent.children.push(newEl("br", {}, parent));
  }

  private appendText(text: string): void {
    this.tick();
    if (this.inTitle) this.title += text;
    if (this.skipFrom >= 0) return;
    if (this.breaksInRow > 0 && /\S/.test(text)) this.breaksInRow = 0;
    const parent = this.targets[this.targets.length - 1] ?? this.root;
    const children = parent.children;
    if (this.probe && text.includes(this.probe) && this.descriptionHits[this.descriptionHits.length - 1] !== parent) this.descriptionHits.push(parent);
    // Text can arrive in pieces (at a '<' that starts no tag, around a flattened element); merge them.
    const last = children.length - 1;
    if (last >= 0 && typeof children[last] === "string") children[last] += text;
    else children.push(text);
  }

  // --- tokenizer callbacks -----------------------------------------------------------------

  onopentagname(start: number, end: number): void {
    this.startTag(this.readTagName(start, end));
  }

  private startTag(name: string): void {
    // A <form> inside a form is ignored, attributes and all (the spec's rule; htmlparser2's too),
    // and so is a second <html> or <body>: a page pasted whole into another's article (a CMS's
    // text blocks, each a document of its own) is read where it stands, as browsers read it.
    if ((name === "form" || name === "html" || name === "body") && this.isOpen(name)) {
      this.tagName = "";
      this.attribs = null;
      return;
    }
    // An HTML element in SVG/MathML content closes the foreign elements up to HTML content.
    if (FOREIGN_BREAKOUT.has(name)) while (this.isInForeignContext()) this.pop();
    const closes = START_TAG_CLOSES.get(name);
    if (closes) while (this.names.length > 0 && closes.has(this.names[this.names.length - 1]!)) this.pop();
    const scoped = START_TAG_CLOSES_IN_SCOPE.get(name);
    if (scoped) for (const rule of scoped) this.closeInScope(rule);
    this.tagName = name;
    this.attribs = {};
  }

  /** Closes the nearest open element of `rule.closes`, and everything above it, unless a `stopsAt` element comes first. */
  private closeInScope(rule: ScopedClose): void {
    if (!rule.closesList.some((tag) => this.isOpen(tag))) return;
    const bottom = Math.max(0, this.names.length - SCOPE_SEARCH_LIMIT);
    for (let i = this.names.length - 1; i >= bottom; i--) {
      const open = this.names[i]!;
      if (rule.closes.has(open)) {
        while (this.names.length > i) this.pop();
        return;
      }
      if (rule.stopsAt.has(open)) return;
    }
  }

  private endStartTag(): void {
    if (this.attribs) this.openElement(this.tagName, this.attribs);
    this.attribs = null;
  }

  onopentagend(): void {
    this.endStartTag();
  }

  onselfclosingtag(): void {
    // `<x/>` closes itself only as an SVG/MathML element (`<svg/>`, `<mi/>` in a formula); in HTML the slash is ignored.
    const closes = this.attribs !== null && (FOREIGN_ROOTS.has(this.tagName) || this.isInForeignContext());
    const name = this.tagName;
    this.endStartTag();
    if (closes && this.names[this.names.length - 1] === name) this.pop();
  }

  onattribname(start: number, end: number): void {
    // Only the names of READ_ATTRIBUTES matter; any other is read as "".
    this.attribName = ATTRIBUTE_NAMES.find(this.html, start, end) ?? "";
    // An <input>'s type is read for one thing: a field for an e-mail address (EMAIL_FIELD).
    this.keepAttrib =
      this.attribs !== null &&
      (KEPT_ATTRIBUTES.has(this.attribName) || (this.attribName === "type" && this.tagName === "input") || (this.tagName === "meta" && META_ATTRIBUTES.has(this.attribName)));
  }

  onattribdata(start: number, end: number): void {
    if (this.keepAttrib) this.attribValue += this.html.slice(start, end);
    else if (this.attribName === "href" && this.tagName === "a" && this.hrefStart.length < 2) this.hrefStart += this.html.slice(start, Math.min(end, start + 2));
  }

  // Entities are decoded here, not by the tokenizer (see parseHtml), which therefore reports none.
  onattribentity(): void {}

  onattribend(): void {
    // A link's target is kept only as whether it stays on the page ("#p400"): see IN_PAGE_HREF.
    if (this.attribName === "href" && this.tagName === "a" && this.attribs !== null && !Object.hasOwn(this.attribs, "href")) {
      this.attribs.href = this.hrefStart.length > 1 && this.hrefStart.startsWith("#") ? IN_PAGE_HREF : "";
    }
    this.hrefStart = "";
    if (!this.keepAttrib) return;
    this.keepAttrib = false;
    // The first of repeated attributes wins.
    if (!Object.hasOwn(this.attribs!, this.attribName)) this.attribs![this.attribName] = decodeAttribute(this.attribValue);
    this.attribValue = "";
  }

  onclosetag(start: number, end: number): void {
    const name = this.readTagName(start, end);
    // </body> and </html> close nothing in browsers: what follows them still goes where it stood.
    if (name === "body" || name === "html") {
      this.tick();
      return;
    }
    if (VOID_ELEMENTS.has(name)) {
      // </br> is read as <br>; other void end tags mean nothing.
      if (name === "br") this.openElement("br", {});
      return;
    }
    if (this.isOpen(name)) {
      // Closes the element and everything opened inside it; each is popped once, so this is amortised O(1).
      while (this.names[this.names.length - 1] !== name) this.pop();
      this.pop();
    } else if (name === "p") {
      // A stray </p> makes an empty paragraph, as in browsers.
      this.startTag("p");
      this.endStartTag();
      if (this.names[this.names.length - 1] === "p") this.pop();
    } else {
      this.tick();
    }
  }

  ontext(start: number, end: number): void {
    this.appendText(decodeText(this.html.slice(start, end)));
  }

  ontextentity(): void {}

  oncdata(start: number, end: number, endOffset: number): void {
    // CDATA is text only inside SVG/MathML; elsewhere in HTML it is a comment.
    if (this.isInForeignContext()) this.appendText(this.html.slice(start, end - endOffset));
  }

  oncomment(): void {}
  ondeclaration(): void {}
  onprocessinginstruction(): void {}
  onend(): void {}

  /**
   * Marks the hidden panels a disclosure button opens (an FAQ's answers, a collapsed section):
   * text a click away, not boilerplate. The button may come before or after its panel.
   */
  markDisclosurePanels(): void {
    for (const el of this.hiddenWithId) if (this.controlled.has(el.attrs.id!)) el.attrs[DISCLOSURE_PANEL] = "";
  }
}

/** The Tokenizer's internals that `fastForwardTo` reads and moves. */
interface TokenizerPosition {
  buffer: string;
  index: number;
  offset: number;
}

/**
 * htmlparser2's Tokenizer skips through script bodies, and (without entity decoding) text and
 * attribute values, by comparing one character at a time in JavaScript (`fastForwardTo`);
 * String.prototype.indexOf finds the same character natively. Same positions, same events; where
 * a later htmlparser2 has no such method, the stock tokenizer runs.
 */
class ScanningTokenizer extends Tokenizer {}
if (typeof (Tokenizer.prototype as unknown as Record<string, unknown>).fastForwardTo === "function") {
  Object.defineProperty(ScanningTokenizer.prototype, "fastForwardTo", {
    value: function fastForwardTo(this: TokenizerPosition, c: number): boolean {
      const at = this.buffer.indexOf(String.fromCharCode(c), this.index + 1 - this.offset);
      if (at >= 0) {
        this.index = at + this.offset;
        return true;
      }
      // Where the stock method leaves it: on the last character, which `parse` steps past.
      this.index = this.buffer.length + this.offset - 1;
      return false;
    },
  });
}

/** The Tokenizer's internals that the CDATA rule below reads and sets. */
interface TokenizerCdataState {
  state: number;
  sequenceIndex: number;
  cbs: TokenizerCallbacks;
}

/** The tokenizer's state inside a bogus comment (`<!x ...>`, ended by the next `>`), read from a tokenizer given one. */
function bogusCommentState(): number {
  const ignore = new Proxy({}, { get: () => () => undefined }) as TokenizerCallbacks;
  const probe = new Tokenizer({ decodeEntities: false }, ignore);
  probe.write("<!x");
  return (probe as unknown as TokenizerCdataState).state;
}

/**
 * `<![CDATA[` opens CDATA (text up to `]]>`) only inside SVG and MathML; in HTML content the HTML
 * tokenizer reads it as a bogus comment that the next `>` ends. htmlparser2 reads CDATA up to
 * `]]>` everywhere, so one stray `<![CDATA[` after `<body>` (a forum theme's) hid the whole
 * page. `sequenceIndex` counts the letters of "CDATA[" matched so far; the last one decides.
 */
const CDATA_OPENER_LENGTH = "CDATA[".length;
const stockCdataSequence = (Tokenizer.prototype as unknown as Record<string, unknown>).stateCDATASequence;
if (typeof stockCdataSequence === "function") {
  const bogusComment = bogusCommentState();
  Object.defineProperty(ScanningTokenizer.prototype, "stateCDATASequence", {
    value: function stateCDATASequence(this: TokenizerCdataState, c: number): void {
      if (this.sequenceIndex === CDATA_OPENER_LENGTH - 1 && c === 0x5b && !this.cbs.isInForeignContext?.()) {
        this.sequenceIndex = 0;
        this.state = bogusComment;
        return;
      }
      (stockCdataSequence as (this: TokenizerCdataState, c: number) => void).call(this, c);
    },
  });
}

/**
 * The tokenizer runs without decoding entities, so a text run or attribute value comes whole and
 * is decoded once, by the same `entities` functions htmlparser2 uses (legacy names without ';' in
 * text; in attributes not before '=' or a letter). Decoding inside the tokenizer made it visit
 * every character of text; parsing the 181 pages of the extraction benchmark took 0.229 s of CPU
 * with it and 0.141 s with this and ScanningTokenizer (median of 15 passes, same process).
 */
const decodeText = (raw: string) => (raw.includes("&") ? decodeHTML(raw) : raw);
const decodeAttribute = (raw: string) => (raw.includes("&") ? decodeHTMLAttribute(raw) : raw);

export function parseHtml(html: string, options: { budget: WorkBudget; maxDepth: number; readNoscript?: boolean }): ParsedPage {
  const builder = new TreeBuilder(html, options.budget, options.maxDepth, options.readNoscript ?? false);
  const tokenizer = new ScanningTokenizer({ decodeEntities: false }, builder);
  tokenizer.write(html);
  tokenizer.end();
  builder.markDisclosurePanels();
  return { root: builder.root, title: collapseSpaces(builder.title ?? "").trim(), lang: builder.lang, description: builder.description, descriptionProbe: builder.probe, descriptionHits: builder.descriptionHits };
}
