/**
 * HTML to main-content plain text: parse into a light tree, remove boilerplate, pick the main
 * content (or, on a page without an article, a listing's cards) and the lead its description names
 * (see LEAD_MARK), render it with its structure. Pure and synchronous; the guards (size, counted work,
 * depth) turn pathological pages into a reason instead of a stalled task, the same on every
 * machine.
 */
import { isBoilerplate, isOtherPagesBox, lettersKey, pruneBoilerplate } from "./boilerplate.js";
import { buildOf, computeStats, describedBlock, followsRelatedHeading, holdsPrices, leadBeforeArticle, innermostPost, pageDescription, listingCards, PRICE, selectMainContent, weightedLength } from "./content.js";
import { ExtractAbort, newEl, parseHtml, plainText, someAncestor, WorkBudget, type AbortReason, type El } from "./dom.js";
import { renderText } from "./text.js";
import { repairDoubleEncoding } from "../readers/decode.js";

export interface ExtractOptions {
  /** Largest HTML accepted, in UTF-8 bytes. */
  maxBytes: number;
  /** Work per page, in parser events and scoring steps (deterministic). */
  maxWork: number;
  /** Opt-in wall-clock limit per page, in milliseconds (0, the default: none); output then depends on load. */
  timeoutMs: number;
  /** Elements nested deeper than this are flattened into their ancestor. */
  maxDepth: number;
}

/**
 * Real pages cost far less: at most 16,000 units on the 181 pages of the extraction benchmark
 * (median 4,000), 2–4 million for 1.8 MB of nothing but tags (0.5 s here). The limit stops only
 * a page that would make the extractor superlinear, identically on every machine.
 */
const WORK_LIMIT = 10_000_000;

/**
 * Pages built by today's site frameworks carry megabytes of inline script and data: of 2,008 pages
 * collected in 2025 (a public extraction benchmark), 18 were over 2 MB and the largest 5.3 MB, and
 * each was extracted in under 0.1 s here. Size costs memory, not time: the work limit bounds time.
 */
const MAX_PAGE_BYTES = 10_000_000;

export const DEFAULT_EXTRACT_OPTIONS: ExtractOptions = { maxBytes: MAX_PAGE_BYTES, maxWork: WORK_LIMIT, timeoutMs: 0, maxDepth: 256 };

export type ExtractResult =
  | { ok: true; text: string; title: string; lang: string }
  | { ok: false; reason: "too_large" | "no_content" | AbortReason };

/**
 * Below this many (weighted) characters the class words probably ate the article (a forum whose
 * posts' classes say "comment"): retry without them, in pruning, scoring and cleaning alike, and
 * take the retry only if it finds an article (not a leftover cookie notice).
 */
const RETRY_BELOW = 250;

/**
 * A longer first result under 1/BOX_PAGE_SHARE of the page's text may be a box beside text the
 * class words dropped or outscored (a forum's "most popular posts" over its thread, whose posts
 * are ids "elComment_…" in a "comments" block; a recipe's summary over its steps): the retry runs
 * for it too, and replaces it when it finds BOX_RETRY_GAIN times the text. A result with prose is
 * retried under 1/PROSE_BOX_PAGE_SHARE (2 of the shared 181 news pages; 1/8 was 11, a pass more on
 * each), and at most MARKED_SHARE_BESIDE_PROSE of what the retry adds may lie in blocks the class
 * words mark, so a short article with many comments keeps its comments out.
 */
const BOX_PAGE_SHARE = 8;
const PROSE_BOX_PAGE_SHARE = 16;
const BOX_RETRY_GAIN = 4;
const MARKED_SHARE_BESIDE_PROSE = 0.1;

/**
 * A forum thread whose replies' classes say "comment" (Vanilla's "ItemComment", vBulletin's
 * "js-comment-entry"): the first pass finds the opening post alone, a long text with prose that no
 * other rule retries. Its replies are built as it is (buildOf in content.ts), so where the blocks
 * the class words removed hold MORE_POSTS of that build, the retry without class words runs too, and its result stands when it
 * holds MORE_POSTS more of them and at least POST_SHARE_OF_ADDED of what it adds lies in them. An
 * article's comments are built otherwise ("comment-content" under "comment-body", not the
 * article's "entry-content"), and stay out.
 */
const POST_SHARE_OF_ADDED = 0.5;
/** Replies the retry must add: a block that grew without class words (a fact check with its box of pitches) is not a thread. */
const MORE_POSTS = 2;

/** The builds of a result's posts, and their classes: a block of another class is not tested further. */
interface PostBuilds {
  classes: Set<string>;
  builds: Set<string>;
}

function postBuilds(posts: El[]): PostBuilds {
  const classes = new Set<string>();
  const builds = new Set<string>();
  for (const post of posts) {
    const build = buildOf(post);
    if (build === undefined) continue;
    classes.add(post.attrs.class!);
    builds.add(build);
  }
  return { classes, builds };
}

/** The blocks built as one of `posts` in or among `elements`, and the weighted length of their text. */
function builtBlocks(elements: El[], posts: PostBuilds): { count: number; length: number } {
  let count = 0;
  let length = 0;
  const stack = [...elements];
  while (stack.length > 0) {
    const el = stack.pop()!;
    const cls = el.attrs.class;
    if (cls !== undefined && posts.classes.has(cls) && posts.builds.has(buildOf(el)!)) {
      count++;
      length += weightedLength(plainText(el));
    } else {
      for (const child of el.children) if (typeof child !== "string") stack.push(child);
    }
  }
  return { count, length };
}

/**
 * A result without prose gives way to a listing's cards (listingCards) holding this many times its
 * text: the few lines found on a topic page (its heading, a dateline, one teaser) beside the rest.
 */
const LISTING_GAIN = 2;

/**
 * A shop's category page has prose of its own (a buying guide, an introduction to the range)
 * beside its grid of products, which the article rules drop as a list of links. The grid comes
 * before the prose when it holds SHOP_GRID_MIN_CARDS cards or more, most of them with a PRICE, and
 * SHOP_GRID_GAIN times the prose's text: a product page's few "you may also like" cards stay out.
 * A page is looked at only when its HTML holds SHOP_GRID_MIN_CARDS prices and its text is
 * SHOP_PAGE_TEXT_RATIO times the prose's: a category's grid dwarfs its prose. Every page of WCXB's
 * dev and test splits that the rule changes is so (at 8 times, 2 dev pages lost their grid), and
 * 3 of the shared 181 news pages are (none of them changes); at 3 times, 13 of them were, and the
 * extra pass cost the extraction of the 181 pages ~11% more CPU time.
 */
const SHOP_GRID_MIN_CARDS = 6;
const SHOP_GRID_GAIN = 2;
const SHOP_PAGE_TEXT_RATIO = 6;

/**
 * A page may open with a short introduction over a grid of teasers: a catalogue of programmes, the
 * index of a documentation section, a topic page with a paragraph on top. The introduction is
 * prose, so the rule for a result without prose (LISTING_GAIN) does not look for cards, and the
 * teasers, each card one link that the article rules do not take, were lost. They follow an
 * introduction shorter than INTRO_MAX_LENGTH when they hold INTRO_LISTING_GAIN times its text and
 * most cards, at least INTRO_TEASER_CARDS, are teasers: a paragraph of prose in a card of at most
 * TEASER_MAX_LENGTH. A short news story's strip of other headlines with bylines and dates is not,
 * nor a shop's list of product names, nor a brand's section over its products. On WCXB's dev and
 * test splits 4 pages change, each a catalogue or an index that gains its teasers (word F1 0.12 ->
 * 1.00, 0.14 -> 0.69, 0.01 -> 0.63, 0.32 -> 0.93). Without the test on the cards a news brief of the
 * shared 181 took its site's latest headlines, and a services page (whose truth is its
 * introduction alone) its team and its insights; without the limit on a card's length, a shop
 * took each brand's products under the brand's paragraph.
 */
const INTRO_MAX_LENGTH = 1200;
const INTRO_LISTING_GAIN = 3;
const INTRO_TEASER_CARDS = 3;
const TEASER_MAX_LENGTH = 1000;

/** Fewest letters and digits of a paragraph found before a listing that its cards can hold inside a longer paragraph. */
const MIN_HELD_LETTERS = 25;

const NOSCRIPT = /<noscript/i;

/**
 * A news page sets its standfirst between the headline and the text, often outside the block that
 * holds the text (in the article's header, in a block of its own beside the byline) and often in a
 * block whose class the boilerplate rules remove ("header-teaser"); the text alone then starts
 * without it. The page's `<meta>` description is usually that lead, word for word: the block that
 * shows it (content.ts's describedBlock), found before the boilerplate rules run, goes before the
 * text when it stands at most a byline's worth of text above the text's start (leadBeforeArticle),
 * or inside the text's block where the rules removed it. A site's tagline in its own header is no
 * article's lead. Of fundus' 258 publisher pages, 174 have a description that fundus' parsed
 * body holds (its summary); the text missed it on 51 of them, and now misses it on 19. Word F1 on those pages
 * 0.9630 -> 0.9648 (the 99 German ones 0.9672 -> 0.9698); WCXB snippet F1 dev 0.8968 -> 0.8977,
 * test 0.8986 -> 0.9000. The shared 181 news pages' truth leaves the standfirst out (10 of the 11
 * pages that gain one): F1 0.9835 -> 0.9827. Of readability's and postlight/parser's 470 test
 * pages, 4 gain their standfirst and none changes otherwise.
 *
 * LEAD_MARK is the tag of the element that holds a removed lead's place (PruneOptions.lead): no
 * HTML element's.
 */
const LEAD_MARK = "kiln:lead";

/** Fewest characters of a paragraph that makes a short result an article of its own. */
const SHORT_ARTICLE_PARAGRAPH = 80;

/** Whether a short result is an article of its own: a paragraph of prose that ends as a sentence. */
function hasProse(text: string): boolean {
  return text.split("\n\n").some((paragraph) => weightedLength(paragraph) >= SHORT_ARTICLE_PARAGRAPH && /[.!?。！？]["”“»«)]?$/.test(paragraph));
}

interface Extracted {
  text: string;
  title: string;
  lang: string;
  /** The chosen blocks, and the page's text length the boilerplate rules weigh them against. */
  elements: El[];
  pageTextLength: number;
  /** The page's text before the boilerplate was removed. */
  fullTextLength: number;
  /** The subtrees the boilerplate rules removed. */
  removed: El[];
  /** The page's lead, when the article left it out (leadBeforeArticle). */
  lead: El | undefined;
}

/** The weighted length of the text in `elements` that sits in, or under, a block the class words mark as boilerplate. */
function classBoilerplateLength(elements: El[], pageTextLength: number): number {
  const byClass = { byClass: true };
  let total = 0;
  for (const el of elements) {
    let inside = false;
    for (let node: El | null = el; node && !inside; node = node.parent) inside = isBoilerplate(node, byClass, pageTextLength);
    if (inside) {
      total += weightedLength(plainText(el));
      continue;
    }
    const stack: El[] = [el];
    while (stack.length > 0) {
      for (const child of stack.pop()!.children) {
        if (typeof child === "string") continue;
        if (isBoilerplate(child, byClass, pageTextLength)) total += weightedLength(plainText(child));
        else stack.push(child);
      }
    }
  }
  return total;
}

/** Soft hyphens (`&shy;`): where a browser may break a long word, invisible otherwise. */
const SOFT_HYPHENS = /\u00ad/g;

/**
 * Text as a reader sees it. Repaired where its UTF-8 was read as windows-1252 once too often
 * ("Itâ€™s", see repairDoubleEncoding): a page is decoded by its bytes, but such text is already
 * wrong in them. NFC: a page typed on a system that writes "ü" as "u" and a combining
 * diaeresis reads as every other page does, for the filters, deduplication and the tokenizer
 * downstream. Soft hyphens go: German and Dutch news sites set them inside long compounds
 * ("Klima&shy;schutz&shy;programm"), and left in they make a second spelling of every such word.
 */
const readerText = (text: string) => repairDoubleEncoding(text).normalize("NFC").replace(SOFT_HYPHENS, "");

function extractOnce(html: string, byClass: boolean, budget: WorkBudget, maxDepth: number, readNoscript = false): Extracted {
  const tick = () => budget.tick();
  const page = parseHtml(html, { budget, maxDepth, readNoscript });
  computeStats(page.root, tick);
  const fullTextLength = page.root.textLen;
  const description = pageDescription(page);
  const described = description && describedBlock(page.descriptionHits, description);
  const lead = described && { block: described, mark: newEl(LEAD_MARK, {}, null), description };
  const removed = pruneBoilerplate(page.root, lead ? { byClass, lead } : { byClass }, tick);
  const elements = selectMainContent(page.root, page.title, byClass, tick);
  const before = lead && leadBeforeArticle(page.root, elements, lead);
  return { lead: before, text: readerText(renderText(elements)), title: readerText(page.title), lang: page.lang, elements, pageTextLength: page.root.textLen, fullTextLength, removed };
}

/** A listing page's cards (listingCards) after the boilerplate rules, and their text. */
interface Listing {
  text: string;
  cards: El[];
}

/** The listing of a page's cards; undefined when it has none. */
function readListing(html: string, byClass: boolean, budget: WorkBudget, maxDepth: number): Listing | undefined {
  const tick = () => budget.tick();
  const page = parseHtml(html, { budget, maxDepth });
  computeStats(page.root, tick);
  pruneBoilerplate(page.root, { byClass, cards: true }, tick);
  computeStats(page.root, tick);
  const cards = listingCards(page.root, tick);
  if (!cards) return undefined;
  // Without class words, a box of other pages' headlines (related, trending) would pass for a listing.
  if (!byClass && someAncestor(cards[0]!, isOtherPagesBox)) return undefined;
  return { text: readerText(renderText(cards)), cards };
}

/** `text` (a result with prose) after the grid of a shop's category page (see SHOP_GRID_MIN_CARDS) when the page has one; otherwise `text`. */
function withShopGrid(text: string, pageTextLength: number, html: string, budget: WorkBudget, maxDepth: number): string {
  if (pageTextLength < SHOP_PAGE_TEXT_RATIO * text.length || !holdsPrices(html, SHOP_GRID_MIN_CARDS)) return text;
  const grid = readListing(html, true, budget, maxDepth);
  if (!grid) return text;
  const priced = grid.cards.filter((card) => PRICE.test(plainText(card))).length;
  const isGrid = priced >= SHOP_GRID_MIN_CARDS && priced * 2 >= grid.cards.length && weightedLength(grid.text) >= SHOP_GRID_GAIN * weightedLength(text);
  return isGrid ? [grid.text, text].join("\n\n") : text;
}

/**
 * `text` (a result without prose) with a listing's cards, taken when `text` is short or they hold
 * LISTING_GAIN times it; otherwise `text`. The cards come after what was found (a heading, a line
 * of introduction) that they do not hold already, in whatever layout (a list item "- Name19,99 €"
 * is the cards' "Name", "19,99 €").
 */
function withListing(text: string, html: string, budget: WorkBudget, maxDepth: number): string {
  const textLength = weightedLength(text);
  const needed = textLength < RETRY_BELOW ? RETRY_BELOW : LISTING_GAIN * textLength;
  let listing = readListing(html, true, budget, maxDepth)?.text ?? "";
  let listingLength = weightedLength(listing);
  // For a short result, a second look without class words, as for an article: a shop's grid in a
  // block whose class says "widget" (Amazon's "celwidget").
  if (listingLength < needed && textLength < RETRY_BELOW) {
    listing = readListing(html, false, budget, maxDepth)?.text ?? "";
    listingLength = weightedLength(listing);
  }
  return listingLength < needed ? text : beforeListing(text, listing);
}

/**
 * `text` (a short introduction; `pageTextLength`, the page's text after the boilerplate rules)
 * with a listing's cards when they are teasers (see INTRO_MAX_LENGTH); otherwise `text`. Teasers
 * are what the article rules did not take: cards that hold a paragraph of the text are its own
 * block read again (without the cleaning the article had: a disclosure, an embed's placeholder),
 * and cards under a heading that introduces other pages ("Recommended for you") are the stream
 * the article rules ended the text at.
 */
function withTeasers(text: string, pageTextLength: number, html: string, budget: WorkBudget, maxDepth: number): string {
  const textLength = weightedLength(text);
  // The cards are read in a second pass over the page; the text the boilerplate rules left in the
  // first tells before it whether there is room for them (most short news stories have none).
  if (textLength >= INTRO_MAX_LENGTH || pageTextLength < (1 + INTRO_LISTING_GAIN) * text.length) return text;
  const listing = readListing(html, true, budget, maxDepth);
  if (!listing || weightedLength(listing.text) < INTRO_LISTING_GAIN * textLength) return text;
  const teasers = listing.cards.map((card) => renderText([card])).filter((card) => weightedLength(card) <= TEASER_MAX_LENGTH && hasProse(card)).length;
  if (teasers < INTRO_TEASER_CARDS || teasers * 2 < listing.cards.length || followsRelatedHeading(listing.cards[0]!)) return text;
  const paragraphs = text.split("\n\n").filter(Boolean);
  return notInListing(paragraphs, listing.text).length === paragraphs.length ? [...paragraphs, listing.text].join("\n\n") : text;
}

/** `text`'s paragraphs that `listing` does not hold already, then `listing`. */
function beforeListing(text: string, listing: string): string {
  return [...notInListing(text.split("\n\n").filter(Boolean), listing), listing].join("\n\n");
}

/** The paragraphs that `listing` does not hold. */
function notInListing(paragraphs: string[], listing: string): string[] {
  const listed = lettersKey(listing);
  const cardParagraphs = new Set(listing.split("\n\n").map(lettersKey));
  // A short line ("Car rental") is held only as a paragraph of its own, not inside a headline.
  const held = (key: string) => cardParagraphs.has(key) || (key.length >= MIN_HELD_LETTERS && listed.includes(key));
  return paragraphs.filter((paragraph) => !held(lettersKey(paragraph)));
}

export function extractMainText(html: string, options: Partial<ExtractOptions> = {}): ExtractResult {
  const { maxBytes, maxWork, timeoutMs, maxDepth } = { ...DEFAULT_EXTRACT_OPTIONS, ...options };
  // A UTF-8 byte count costs a pass over the string; the code-unit count bounds it from below and above.
  if (html.length > maxBytes || (html.length * 3 > maxBytes && Buffer.byteLength(html, "utf8") > maxBytes)) {
    return { ok: false, reason: "too_large" };
  }
  const budget = new WorkBudget(maxWork, timeoutMs > 0 ? performance.now() + timeoutMs : Infinity);
  try {
    const first = extractOnce(html, true, budget, maxDepth);
    let result = first;
    const firstLength = weightedLength(first.text);
    const short = firstLength < RETRY_BELOW;
    const prose = hasProse(first.text);
    const boxed = firstLength * (prose ? PROSE_BOX_PAGE_SHARE : BOX_PAGE_SHARE) < first.fullTextLength;
    const posts = first.elements.map(innermostPost);
    const builds = postBuilds(posts);
    // The replies the class words removed (see POST_BUILD_LEVELS).
    if (short || boxed || builtBlocks(first.removed, builds).count >= MORE_POSTS) {
      const gentler = extractOnce(html, false, budget, maxDepth);
      const gentlerLength = weightedLength(gentler.text);
      // The retry is for posts whose classes say "comment", and for a box the class words made
      // outscore the text (a recipe's summary in a "quickview__content" over its steps in a Drupal
      // node "promoted" to the front page). A short article of its own is replaced only when most of
      // what the retry adds is not in blocks the class words mark (its comments, a sidebar); a
      // longer one, only when nearly all of it is not (MARKED_SHARE_BESIDE_PROSE).
      const added = gentlerLength - firstLength;
      const marked = () => classBoilerplateLength(gentler.elements, gentler.pageTextLength);
      const morePosts = () => {
        if (added <= 0) return false;
        const [before, after] = [builtBlocks(posts, builds), builtBlocks(gentler.elements, builds)];
        return after.count >= before.count + MORE_POSTS && after.length - before.length >= POST_SHARE_OF_ADDED * added;
      };
      const better = short
        ? gentlerLength >= RETRY_BELOW && (!prose || marked() * 2 < added)
        : (boxed && gentlerLength >= BOX_RETRY_GAIN * firstLength && (!prose || marked() < MARKED_SHARE_BESIDE_PROSE * added)) || morePosts();
      if (better) {
        result = gentler;
      } else if (short && NOSCRIPT.test(html)) {
        // Still short: an app whose page is a script (a Discourse forum, some shops) may keep its
        // text for readers without JavaScript in <noscript>, which is otherwise never read.
        const fallback = extractOnce(html, true, budget, maxDepth, true);
        if (weightedLength(fallback.text) >= RETRY_BELOW) result = fallback;
      }
    }
    // No article of its own (a short one is a video's description over other videos): a listing
    // page (a topic page of teasers, a shop's category) has its cards. With one, a shop's category
    // may still have its grid of products, and a short introduction its teasers.
    // The lead goes before the text once the text is chosen: the choices above weigh the text alone.
    const article = result.lead ? `${readerText(renderText([result.lead]))}\n\n${result.text}` : result.text;
    let text: string;
    if (result === first ? prose : hasProse(result.text)) {
      text = withShopGrid(article, first.fullTextLength, html, budget, maxDepth);
      if (text === article) text = withTeasers(article, result.pageTextLength, html, budget, maxDepth);
    } else {
      text = withListing(article, html, budget, maxDepth);
    }
    if (text.length === 0) return { ok: false, reason: "no_content" };
    return { ok: true, text, title: result.title, lang: result.lang };
  } catch (error) {
    if (error instanceof ExtractAbort) return { ok: false, reason: error.reason };
    throw error;
  }
}
