/**
 * Renders chosen elements as plain text with the page's structure kept: block elements become
 * paragraphs separated by a blank line; list items ("- ", or numbered in an `<ol>`), table rows,
 * `dt`/`dd` and `<br>` become lines; cells of a data table are joined with " | "; `<pre>` keeps its
 * whitespace.
 */
import { BLOCK_TAGS, collapseSpaces, isLayoutCell, onlyChild, rowCells, type El } from "./dom.js";
import { isDisplayMath } from "./math.js";

/** Blocks that end with a line break rather than a blank line. */
const LINE_TAGS = new Set(["li", "dt", "dd", "tr", "caption"]);

/**
 * A character that shows: not white space, nor a format character alone (a zero-width joiner or
 * space, a direction mark), which a page builder may leave as the whole text of a block.
 */
const VISIBLE = /[^\s\p{Cf}]/u;

class TextSink {
  // A <pre> block is kept as an object so that whitespace normalisation never touches it.
  parts: (string | { pre: string })[] = [];
  /** Break owed before the next text: 0 none, 1 line, 2 blank line. Breaks never stack up. */
  pending = 0;
  /** A list item opened and its marker ("- ", or "3. " in an ordered list) waits for the item's first text. */
  marker = "";
  text(s: string): void {
    const visible = VISIBLE.test(s);
    if (!visible && (this.pending > 0 || this.parts.length === 0)) return;
    if (visible) this.flush();
    if (this.marker && visible) {
      this.parts.push(this.marker);
      this.marker = "";
      s = s.trimStart();
    }
    this.parts.push(collapseSpaces(s));
  }
  line(): void {
    this.pending = Math.max(this.pending, 1);
  }
  /** `<br>`: one ends a line, two in a row end a paragraph. */
  br(): void {
    this.pending = this.pending >= 1 ? 2 : 1;
  }
  /** Inside a list item, blocks (a nested list, a <p>) start a line, not a paragraph. */
  listDepth = 0;
  paragraph(): void {
    this.pending = this.listDepth > 0 ? Math.max(this.pending, 1) : 2;
  }
  preBlock(s: string): void {
    if (!VISIBLE.test(s)) return;
    this.paragraph();
    this.flush();
    // Line breaks as HTML reads them: CR LF and a lone CR are LF.
    this.parts.push({ pre: s.replace(/\r\n?/g, "\n").replace(/^\s*\n|\s+$/g, "") });
    this.paragraph();
  }
  private flush(): void {
    if (this.pending > 0 && this.parts.length > 0) this.parts.push(this.pending === 2 ? "\n\n" : "\n");
    this.pending = 0;
  }
  result(): string {
    const out: string[] = [];
    let run: string[] = [];
    const endRun = () => {
      const text = run.join("").replace(/ *\n */g, "\n").replace(/ {2,}/g, " ").trim();
      if (text) out.push(text);
      run = [];
    };
    for (const part of this.parts) {
      if (typeof part === "string") run.push(part);
      else {
        endRun();
        out.push(part.pre);
      }
    }
    endRun();
    // Every <pre> sits between paragraph breaks, so runs and pre blocks join with a blank line.
    return out.join("\n\n");
  }
}

/** Raw text of a subtree, whitespace untouched (for <pre>). */
function rawText(el: El, out: string[]): void {
  for (const child of el.children) {
    if (typeof child === "string") out.push(child);
    else if (child.tag === "br") out.push("\n");
    else rawText(child, out);
  }
}

/** Inline text of a subtree, on one line (for table cells): blocks and line breaks part words, inline tags do not ("Gewi<span>cht</span>"). */
function inlineText(el: El, out: string[]): void {
  for (const child of el.children) {
    if (typeof child === "string") out.push(child);
    else if (child.tag === "br" || BLOCK_TAGS.has(child.tag)) {
      out.push(" ");
      inlineText(child, out);
      out.push(" ");
    } else inlineText(child, out);
  }
}

function renderRow(row: El, sink: TextSink): void {
  const cells = rowCells(row);
  // A row whose cells hold paragraphs, nested tables or lines broken by <br> is page layout, not
  // data: render its cells as ordinary blocks.
  if (cells.some(isLayoutCell)) {
    for (const cell of cells) {
      sink.paragraph();
      render(cell, sink);
      sink.paragraph();
    }
    return;
  }
  // A row of one cell is a line of text, not a record: its <br> line breaks stay.
  if (cells.length === 1) {
    sink.line();
    render(cells[0]!, sink);
    sink.line();
    return;
  }
  const texts = cells
    .map((cell) => {
      const out: string[] = [];
      inlineText(cell, out);
      return collapseSpaces(out.join("")).trim();
    })
    .filter((t) => t.length > 0);
  if (texts.length === 0) return;
  sink.line();
  sink.text(texts.join(" | "));
  sink.line();
}

/** Numbers the items of an ordered list as a browser does: from `start`, down when `reversed`, reset by an item's `value`. */
function listNumbering(list: El): (item: El) => string {
  if (list.tag !== "ol") return () => "- ";
  const reversed = "reversed" in list.attrs;
  const items = list.children.filter((c) => typeof c !== "string" && c.tag === "li").length;
  const start = Number.parseInt(list.attrs.start ?? "", 10);
  let next = Number.isFinite(start) ? start : reversed ? items : 1;
  return (item) => {
    const value = Number.parseInt(item.attrs.value ?? "", 10);
    const number = Number.isFinite(value) ? value : next;
    next = number + (reversed ? -1 : 1);
    return `${number}. `;
  };
}

/** Class words of a drop cap, the large first letter of a story set apart ("initial-letter", "dropcap", "lettrine"). */
const DROP_CAP_CLASS = /(?<![a-z0-9])(?:drop-?cap|initial(?:-letter)?|first-?letter|lettrine)(?![a-z0-9])/i;

/**
 * Whether `el` is a drop cap or wraps one and nothing else: a letter or two whose class says so.
 * The white space the markup sets after it is not in the word (taz's "<span class='initial-letter'>N</span>
 * <span>a endlich!</span>" reads "Na endlich!"), as the floated letter shows.
 */
function isDropCap(el: El): boolean {
  // A wrapper holds its drop cap's text and no more: read only an element of a letter or two.
  if (el.textLen === 0 || el.textLen > 2) return false;
  for (let node: El | undefined = el; node; node = onlyChild(node)) if (DROP_CAP_CLASS.test(node.attrs.class ?? "")) return true;
  return false;
}

/** A list item that holds an `<article>` or `<section>` is the page's layout (a forum's posts, a feed), not a bullet point. */
const holdsSections = (item: El) => item.children.some((c) => typeof c !== "string" && (c.tag === "article" || c.tag === "section"));

function render(el: El, sink: TextSink): void {
  const marker = el.tag === "ol" || el.tag === "ul" || el.tag === "menu" ? listNumbering(el) : () => "- ";
  let afterDropCap = false;
  for (const child of el.children) {
    if (typeof child === "string") {
      if (!(afterDropCap && !/\S/.test(child))) sink.text(child);
      afterDropCap = false;
      continue;
    }
    afterDropCap = !BLOCK_TAGS.has(child.tag) && isDropCap(child);
    const tag = child.tag;
    if (tag === "br") {
      sink.br();
    } else if (tag === "hr") {
      sink.paragraph();
    } else if (tag === "pre") {
      const out: string[] = [];
      rawText(child, out);
      sink.preBlock(out.join(""));
    } else if (tag === "tr") {
      renderRow(child, sink);
    } else if (tag === "li" && !holdsSections(child)) {
      sink.line();
      sink.marker = marker(child);
      sink.listDepth++;
      render(child, sink);
      sink.listDepth--;
      sink.marker = "";
      sink.line();
    } else if (LINE_TAGS.has(tag)) {
      sink.line();
      render(child, sink);
      sink.line();
    } else if (BLOCK_TAGS.has(tag) || isDisplayMath(child)) {
      sink.paragraph();
      render(child, sink);
      sink.paragraph();
    } else {
      render(child, sink);
    }
  }
}

/** Plain text of the given elements, in order, each starting a new paragraph. */
export function renderText(elements: El[]): string {
  const sink = new TextSink();
  for (const el of elements) {
    sink.paragraph();
    if (el.tag === "pre") {
      const out: string[] = [];
      rawText(el, out);
      sink.preBlock(out.join(""));
    } else if (el.tag === "tr") renderRow(el, sink);
    else render(el, sink);
    sink.paragraph();
  }
  return sink.result();
}
