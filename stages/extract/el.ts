/**
 * The element tree extraction works on: an element's tag, the attributes kept, its children and
 * parent, and the text statistics the scoring fills in; with the walks every stage uses. Built by
 * dom.ts.
 */

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
  /** Part of `textLen` inside formulas (`<math>`, see math.ts). */
  formulaLen: number;
  /** Whether a block-level element occurs anywhere below. */
  hasBlock: boolean;
  /** Readability-style content score; NaN while the element is not a candidate. */
  score: number;
}

export type Child = El | string;

/** Whether `el` or an element below it passes `test` (stops at the first). */
export function someElement(el: El, test: (node: El) => boolean): boolean {
  const stack: El[] = [el];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (test(node)) return true;
    for (const child of node.children) if (typeof child !== "string") stack.push(child);
  }
  return false;
}

/** Whether an element above `el` passes `test` (stops at the first). */
export function someAncestor(el: El, test: (node: El) => boolean): boolean {
  for (let node = el.parent; node; node = node.parent) if (test(node)) return true;
  return false;
}

/** `el`'s one child element, when it has no other child and no text of its own; undefined otherwise. */
export function onlyChild(el: El): El | undefined {
  let only: El | undefined;
  for (const child of el.children) {
    if (typeof child === "string") {
      if (/\S/.test(child)) return undefined;
    } else if (only) return undefined;
    else only = child;
  }
  return only;
}

/**
 * A run of white space other than one space: what collapsing white space to single spaces replaces.
 * The same as replacing every run of `\s+`, but a single space, by far the most common run, is no
 * match (a third of the time on prose).
 */
const SPACE_RUN = /\s{2,}|[^\S ]/g;

/** `text` with each run of white space as one space. */
export const collapseSpaces = (text: string) => text.replace(SPACE_RUN, " ");

/** An element's text, whitespace collapsed to single spaces and trimmed. */
export function plainText(el: El): string {
  const out: string[] = [];
  const stack: (El | string)[] = [el];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (typeof node === "string") out.push(node);
    else for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
  }
  return collapseSpaces(out.join("")).trim();
}

export function newEl(tag: string, attrs: Record<string, string>, parent: El | null): El {
  return { tag, attrs, children: [], parent, textLen: 0, linkLen: 0, ownLen: 0, ownLinkLen: 0, ownCommas: 0, commas: 0, formulaLen: 0, hasBlock: false, score: NaN };
}
