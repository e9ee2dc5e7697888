/**
 * Which elements are boilerplate before any scoring: by tag and ARIA role (navigation, page
 * header/footer, sidebars, dialogs), by hidden state, and by class/id words that sites across
 * the web use for navigation, cookie banners, comment sections, share widgets, related links,
 * article info lines, forum signatures, ads, paywalls and newsletter forms (the vocabulary
 * readability.js and trafilatura both rely on, with the words German, French, Spanish,
 * Portuguese, Italian, Dutch and Polish sites use for the same), and by markup that says what a
 * block is whatever its class: a post's tags are links with rel="tag".
 */
import { BLOCK_TAGS, DISCLOSURE_PANEL, EMAIL_FIELD, VISIBLE_FIELD, isHeading, isHiddenByStyle, isParagraph, onlyChild, plainText, someAncestor, someElement, type El } from "./dom.js";

/** Tags that never hold a page's main content. */
const BOILERPLATE_TAGS = new Set(["nav", "aside", "dialog", "menu", "form", "fieldset", "label", "figcaption", "address"]);
/** Boilerplate tags that a page may leave open around its article. */
const UNCLOSED_WRAPPER_TAGS = new Set(["nav", "aside", "menu"]);
/** schema.org properties that mark an article's metadata rather than its text. */
const METADATA_ITEMPROPS = new Set(["datePublished", "dateModified", "dateCreated", "author", "publisher", "creator"]);
/** Page-level sections: removed unless the article itself sits inside one. */
const SECTION_TAGS = new Set(["header", "footer"]);
const BOILERPLATE_ROLES = new Set([
  "navigation", "banner", "contentinfo", "complementary", "dialog", "alertdialog", "menu", "menubar",
  "search", "toolbar", "tooltip", "alert",
]);

/** How many strings a remembered pattern keeps its answers for; then it starts over. */
const REMEMBERED_ANSWERS = 4096;

/**
 * A pattern that remembers its answer for each string it was asked about: a page repeats its class
 * names hundreds of times, and the class-word patterns are alternations of a hundred words or more.
 */
function remembered(pattern: RegExp): { test: (text: string) => boolean } {
  if (pattern.global || pattern.sticky) throw new Error("remembered: a global or sticky pattern's answer depends on its lastIndex");
  const answers = new Map<string, boolean>();
  return {
    test(text) {
      let answer = answers.get(text);
      if (answer === undefined) {
        if (answers.size >= REMEMBERED_ANSWERS) answers.clear();
        answers.set(text, (answer = pattern.test(text)));
      }
      return answer;
    },
  };
}

// Whole-word match inside a class list: "_" and "-" separate words ("post__share", "ad-slot").
const word = (w: string) => `(?<![a-z0-9])(?:${w})(?![a-z0-9])`;
/** The class words of a photo caption (Bildunterschrift, didascalia, pie de foto, podpis). */
const CAPTION = ["caption", "bildunterschrift", "bildunterzeile", word("bu"), word("legende"), "didascalia", "pie-?de-?foto", "podpis"];
/** Widgets that may name a block of the page's text: see isWidgetNamedText. */
const READ_MORE = "read-?more";
/**
 * A forum post's signature (IPS's ipsEntry__signature, phpBB's and vBulletin's "signature") and
 * the box under a thread for replying (IPS's cTopicPostArea with its "sign in to comment" pitch,
 * its compose area, a reply form): the class words that still prune in the retry without class
 * words (extract.ts), which is for posts whose classes say "comment". Neither is ever a post, and
 * a long signature (a member's pitch for their services) would outscore a thread of short posts.
 */
const FORUM_FURNITURE = "signature|topic-?post-?area|compose-?area|reply-?(?:form|area|box)";
const RETRY_PRUNED = new RegExp(FORUM_FURNITURE);
const NEWSLETTER = "newsletter";
/**
 * Boxes of other pages: related, recommended, trending and most-read articles, also as sites name
 * them in other languages (verwandt, mehr zum Thema, Empfehlungen, meistgelesen, lire aussi,
 * recommandés, les plus lus, sur le même sujet, relacionados, powiązane, polecane, najczęściej czytane).
 */
const OTHER_PAGES = [
  "related", "recommend", "more-?stories", "trending", "most-?(?:popular|read)", "relacionad", "correlat", "verwandt",
  "mehr-?zum-?thema", "weitere-?artikel", "lire-?aussi", "voir-?aussi", "leggi-?anche", "lees-?ook", "powiazan",
  "zobacz-?(?:tez|rowniez)", "gerelateerd", "empfehlung", "meist-?gelesen", "recommand", "polecan", "najczesciej-?czytane",
  word("plus-?lus"), "sur-?le-?meme-?sujet",
];
const OTHER_PAGES_BOX = new RegExp(OTHER_PAGES.join("|"));
// Words that mark boilerplate whatever else the class says ("comment-body" is still a comment).
const STRONG = remembered(new RegExp(
  [
    "disqus", "cookie", "consent", "gdpr", word("share"), "sharing", "sharedaddy", "social", ...OTHER_PAGES,
    // Icon fonts whose glyphs are words in the markup ("chevron_left", "arrow_forward").
    "material-(?:icons|symbols)",
    NEWSLETTER, "subscribe(?!r)", "subscription", "sponsor", "advert", word("ads?"), "outbrain", "taboola",
    // Buttons and calls to action ("Jetzt bewerben", "Zum Angebot") are controls, not text.
    word("btn"), word("button"), "call-?to-?action", word("cta"),
    "breadcrumb", "pagination", word("pager"), "popup", "modal", "skip-?link", "sr-only", "visually-?hidden",
    // A notice under the text (Stack Exchange's box of "Start asking to get answers" and "Explore related questions").
    "bottom-?notice",
    "screen-?reader", "signup", "sign-up", word("login"), READ_MORE, "print-?only", word("tags"), "tag-?(?:list|cloud)", "author-?bio", "byline", word("credits?"),
    ...CAPTION,
    "timestamp", "dateline", word("meta"), word("author"), "user-?(?:info|profile)",
    // Forums' poster columns and post headers (phpBB's, SMF's, phpBB 2's, FluxBB's), and who is online.
    "postprofile", word("poster"), "postdetails", word("postleft"), "online-?list", "whos?-?online",
    "edit-?section", "catlinks", word("submitted(?:-by)?"), "(?:article|entry|post|news)-?info(?![a-z0-9])", FORUM_FURNITURE,
    // A post's details run together ("postmetadata", "singlepostmeta": WordPress themes' line of author, category and feed).
    "(?:article|entry|post)-?meta(?:data)?(?![a-z0-9])",
    // Discuz!, the forum software of much of the Chinese web: the poster's column, a post's author line, its signature.
    word("pls"), word("authi"), word("sign"),
    // The same sections as sites name them in other languages: comments (Kommentare, komentarze,
    // comentarios), ads (Werbung, reklama, publicité, pubblicità) and sharing.
    "com?ment(?!ary)", "kk?omm?entar", "pinglun", word("cmt"), "werbung", "reklam", "publicit", "pubblicit", "publicidad", "anuncio",
    "teilen", "partage", "compartir", "compartilh", "condividi", "udostepnij",
    // Paywall and subscription offers (Abo, abonnement, suscripción, abbonamento, prenumerata); a
    // bare "paywall" marks the article behind it, so only its prompts count.
    "paywall-?(?:teaser|banner|prompt|message|offer|overlay|cta|notice|hint|box|promo)", "regwall", "register-?wall",
    word("abo"), "abonn", "suscrip", "abbonament", "prenumerat",
    // A product's customer reviews, as shops name them (in German and French too) and as review
    // widgets do (Bazaarvoice's bv_/bv-, Yotpo, Judge.me's jdgm-, Trustpilot): the buyers' words,
    // as comments are the readers'. A "product-review" alone is an editor's review of one.
    "customer-?reviews?", "product-?reviews", "(?<![a-z0-9])bv[-_]", "yotpo", "jdgm", "trustpilot", "kundenbewertung", "avis-?clients",
  ].join("|"),
));
// Words that mark boilerplate unless the class also names content ("header" vs "article-header-text").
// A "utility" bar or menu is boilerplate; a "font-utility" is a design system's type style.
// A "widget-container" is the wrapper a page builder (Elementor) gives every module, text included:
// what the module is, its parent's class says. A "ck-widget" is a block that the CKEditor rich-text
// editor set inside the text itself (a grid of columns, a table), so it is the text.
const WEAK = remembered(
  /banner|combx|community|cover-wrap|extra|footer|header|legends|menu|remark|replies|rss|shoutbox|sidebar|skyscraper|supplemental|agegate|masthead|(?<![a-z0-9])nav|(?<!(?<![a-z0-9])ck-)widget(?!-container)|promo|toolbar|(?<!font-)utility|fusszeile|kopfzeile|seitenleiste|stopka|naglowek|cabecera|cabecalho|pied-?de-?page|(?<![a-z0-9])pie(?![a-z0-9])|copyright/,
);
// Words naming the content, in English and in the languages whose sites name their classes in their own.
const CONTENT_WORDS = /article|body|column|content|main|entry|post|story|text|blog|artikel|inhalt|beitrag|contenu|contenid|conteud|contenut|tresc|texto|testo|tekst|inhoud|articul|artigo|articol|artykul/;
/**
 * Class words of a panel that a page's script shows on a click (a tab's pane, an FAQ's answer, a
 * collapsed section): hidden until then, but the page's text.
 */
const PANEL_CLASS = /(?<![a-z0-9])(?:tab-?pane|tab-?panel|tab-?content|tabbed-content|faq|answer|accordion|collaps(?:e|ible))(?![a-z])/;
/**
 * A class that hides the element (Bootstrap's d-none and hidden, "hide", "is-hidden", "invisible",
 * vBulletin 5's h-hide and h-hide-imp, which hide its notice to guests over a thread, hessenschau's
 * hideCompletely around its screen readers' labels), as a whole class: not "hidden-xs", nor a
 * utility class that hides only the overflow ("overflow_hidden").
 */
const HIDDEN_CLASS = /(?<![a-z0-9_-])(?:hidden|hide|is-hidden|d-none|invisible|h-hide(?:-imp)?|hide-?completely)(?![a-z0-9_-])/;
/** Bootstrap's classes that show at some screen width an element d-none hides on the smallest ("d-none d-lg-block"). */
const SHOWN_AT_WIDTH = /(?<![a-z0-9-])d-(?:sm|md|lg|xl|xxl)-(?!none)[a-z-]+/;

/**
 * The classes a CMS gives the entry it renders: WordPress's post (`post_class()`: its ID, type and
 * status) and Drupal's node (its state, "node-published", "node-promoted", or "node--type-…").
 */
const CMS_ENTRY = /(?:^|\s)(?:post-\d+|type-[\w-]+|status-[\w-]+|node-(?:un)?published|node-(?:not-)?(?:promoted|sticky)|node--type-[\w-]+)(?=\s|$)/;
/**
 * An entry's classes named for its data: the slugs of its categories, tags, format and author
 * ("category-social-media", "author-sean-griffin"), which are the writers' words, not the layout's.
 */
const ENTRY_DATA = /(?:^|\s)(?:category|tag|format|author|user|taxonomy-term)-\S+/g;

/**
 * An element's class, lower-cased, without the classes a CMS entry carries for its data (a post
 * tagged "Werbung" or "social media", a node by "author-…", is still the article).
 */
function classWords(el: El): string {
  const cls = el.attrs.class?.toLowerCase() ?? "";
  return CMS_ENTRY.test(cls) ? cls.replace(ENTRY_DATA, "") : cls;
}

/** An id of two words or more ("related-work", "Social_media"). */
const SLUG_OF_WORDS = /[\p{L}\p{N}][-_ ]+[\p{L}\p{N}]/u;
/** One character that is a letter or a digit (\p{L}, \p{N}); a pair of surrogates is one character. */
const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;
/**
 * LETTER_OR_DIGIT's answer for each character of the Basic Multilingual Plane, looked up once:
 * 0 not yet, 1 a letter or digit, 2 not. A lone surrogate is neither.
 */
const BMP_LETTER_OR_DIGIT = new Uint8Array(0x10000);

function isLetterOrDigit(code: number): boolean {
  if (code < 0x80) return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || (code >= 0x30 && code <= 0x39);
  let known = BMP_LETTER_OR_DIGIT[code]!;
  if (known === 0) BMP_LETTER_OR_DIGIT[code] = known = LETTER_OR_DIGIT.test(String.fromCharCode(code)) ? 1 : 2;
  return known === 1;
}

/**
 * `text` lower-cased, with each run of characters that are neither letters nor digits replaced by
 * `joiner`: what `text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, joiner)` gives, at a few times its
 * speed (the regular expression costs ~30 ns a character; a page's keys read its whole text).
 */
export function lettersAndDigits(text: string, joiner: string): string {
  const lower = text.toLowerCase();
  let out = "";
  // Where the current run of letters and digits started (-1: in a run of others), and whether others came before it.
  let run = -1;
  let gap = false;
  for (let i = 0; i < lower.length; ) {
    const code = lower.charCodeAt(i);
    const pair = code >= 0xd800 && code <= 0xdbff && i + 1 < lower.length && (lower.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    const kept = pair ? LETTER_OR_DIGIT.test(lower.slice(i, i + 2)) : isLetterOrDigit(code);
    if (kept && run < 0) {
      if (gap) out += joiner;
      run = i;
    } else if (!kept) {
      if (run >= 0) out += lower.slice(run, i);
      run = -1;
      gap = true;
    }
    i += pair ? 2 : 1;
  }
  if (run >= 0) return out + lower.slice(run);
  return gap ? out + joiner : out;
}

/**
 * Letters and digits only, lower-cased: how an id and the heading it was made from are compared,
 * and a heading or a link with the page's title (content.ts).
 */
export const lettersKey = (text: string) => lettersAndDigits(text, "");

/**
 * Whether `el`'s id is the slug of its own heading, as documentation generators, Markdown
 * renderers and wikis name sections (Sphinx's `<div class="section" id="sharing-with-a-single-developer"><h2>`,
 * pandoc's `<section id="related-work">`, GitHub's `<h2 id="social-impact">`): such an id is the
 * author's words, not the layout's. The heading is the section's first text, after empty anchors
 * and inside wrappers; the id may add a suffix to the slug ("…-phone-number-section-indexable").
 * A one-word id ("comments") stays a layout name.
 */
export function idIsHeadingSlug(el: El, id: string): boolean {
  if (!SLUG_OF_WORDS.test(id)) return false;
  const heading = isHeading(el) ? el : leadingHeading(el);
  if (!heading) return false;
  const key = lettersKey(plainText(heading));
  const idKey = lettersKey(id);
  return idKey === key || (key.length >= SLUG_PREFIX_MIN_LETTERS && idKey.startsWith(key));
}

/** Letters a heading's slug needs before an id that merely starts with it counts as that slug. */
const SLUG_PREFIX_MIN_LETTERS = 16;
/** How deep in wrappers a section's heading is looked for. */
const LEADING_HEADING_DEPTH = 4;

/** The heading that is `el`'s first text (empty elements before it skipped, wrappers entered), if any. */
function leadingHeading(el: El): El | undefined {
  let node = el;
  for (let depth = 0; depth < LEADING_HEADING_DEPTH; depth++) {
    const first = node.children.find((c) => (typeof c === "string" ? c.trim() !== "" : c.textLen > 0));
    if (first === undefined || typeof first === "string") return undefined;
    if (isHeading(first)) return first;
    node = first;
  }
  return undefined;
}

/** An element's id, lower-cased, as a name the layout gives it: none when it is its heading's slug. */
function layoutId(el: El): string | undefined {
  const id = el.attrs.id;
  return id === undefined || idIsHeadingSlug(el, id) ? undefined : id.toLowerCase();
}

export function classAndId(el: El): string {
  const cls = el.attrs.class;
  const id = layoutId(el);
  if (!cls && !id) return "";
  return `${classWords(el)} ${id ?? ""}`;
}

/** Whether the class or id of `el` names it a box of other pages (OTHER_PAGES: related, trending, most read). */
export const isOtherPagesBox = (el: El) => OTHER_PAGES_BOX.test(classAndId(el));

/** Marks the article itself: `<main>`, `itemprop="articleBody"`, or an `<article>` not itself boilerplate. */
export function isMainMarker(el: El): boolean {
  if (el.tag === "main" || el.attrs.itemprop === "articleBody") return true;
  if (el.tag !== "article") return false;
  return !STRONG.test(classAndId(el));
}

const containsMainMarker = (el: El) => someElement(el, isMainMarker);

/** Whether `el` holds at least `atLeast` paragraphs (see isParagraph) that pass `test`. */
function containsParagraphs(el: El, atLeast: number, test: (paragraph: El) => boolean = () => true): boolean {
  let found = 0;
  const stack: El[] = [el];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (isParagraph(node) && test(node) && ++found >= atLeast) return true;
    for (const child of node.children) if (typeof child !== "string") stack.push(child);
  }
  return false;
}

/** A paragraph of prose: a sentence or more (80 characters), under half of it links. */
export const isProse = (paragraph: El) => paragraph.textLen >= 80 && paragraph.linkLen < paragraph.textLen / 2;

/**
 * An element holding one heading without links and nothing else: as a `<header>`, a section's
 * title (TYPO3 wraps every content element's heading so), not the page's banner.
 */
export function isHeadingOnly(el: El): boolean {
  if (el.linkLen > 0) return false;
  const only = onlyChild(el);
  return only !== undefined && isHeading(only);
}

export interface PruneOptions {
  /**
   * Also remove by class/id words, which sometimes name a wrapper of the whole page ("modal-enabled",
   * "pagination-first"); turned off for a second, gentler pass when the first left too little
   * (all but a forum's signatures and reply box: see FORUM_FURNITURE). That pass also keeps an
   * `<article>`'s own `<header>`: a gallery's page may hold its only text there, a lead set under
   * the heading and over the pictures' captions.
   */
  byClass: boolean;
  /**
   * Reading a listing's cards (content.ts's listingCards): each card may be an `<article>` whose
   * `<header>` holds its headline and blurb, and a blurb that repeats the headline's link is a
   * link hidden from screen readers (aria-hidden), though shown. Both are kept.
   */
  cards?: boolean;
  /**
   * The page's lead as its `<meta>` description gives it (content.ts's describedBlock), often set
   * in a header or a "teaser" block the rules remove: a subtree removed with it leaves `mark` (an
   * element without text, so that choosing the article does not change) where it stood.
   */
  lead?: { block: El; mark: El };
}

/**
 * Class words are a guess; text is evidence. An element holding most of the page's text, and not
 * as links, is the page's content whatever its class says (WordPress puts "tag-<slug>" on the
 * article, builders name wrappers "ad_body" or "meta_field"). Set by the statistics pass.
 */
const CAPTION_WORDS = new RegExp(CAPTION.join("|"));
const CAPTION_WORDS_ALL = new RegExp(CAPTION.join("|"), "g");

/**
 * A caption that is a gallery slide's text, not a photo's credit line: it has a heading of its
 * own ("3. Handy weglegen" over the tip). A gallery article's text is all in such captions.
 */
function isSlideText(el: El): boolean {
  return someElement(el, (node) => isHeading(node) && node.textLen > 0);
}

function holdsMostText(el: El, pageTextLength: number): boolean {
  return el.textLen >= 500 && el.textLen > pageTextLength / 2 && el.linkLen < el.textLen / 2;
}

/** Whether `el` holds the article: most of the page's text, or a main marker. Such a block is never pruned as boilerplate. */
function holdsArticle(el: El, pageTextLength: number): boolean {
  return holdsMostText(el, pageTextLength) || containsMainMarker(el);
}

/**
 * A segment React streams after the page's shell (`<div hidden id="S:7">`, moved into place by a
 * script): hidden only until the script runs, and often the article itself (Next.js pages that
 * stream their body). React numbers the segments in hexadecimal ("S:1a" is the 27th).
 */
const isStreamedSegment = (el: El) => el.tag === "div" && /^S:[0-9a-f]+$/.test(el.attrs.id ?? "");

/**
 * The rest of a story that a paywall hides, sent with the page (ABC's `<div class="paywall"
 * hidden>` after the first paragraphs): a block whose class is a bare paywall's and that holds two
 * paragraphs of prose. The text is the publisher's article, hidden from the reader only until they
 * subscribe; the paywall's prompts and offers are named otherwise (STRONG's paywall-teaser, -banner …).
 */
const PAYWALLED_CLASS = /(?<![a-z0-9_-])(?:paywall|paywalled)(?![a-z0-9_-])/;
const isPaywalledText = (el: El) => PAYWALLED_CLASS.test(el.attrs.class?.toLowerCase() ?? "") && containsParagraphs(el, 2, isProse);

/**
 * Whether all of `el`'s text is formulas: the wrapper of a formula's MathML, which pages hide
 * beside a picture of it (Wikipedia's `display: none` span next to its image) or name for the
 * script that renders it (MathJax's "CtxtMenu" containers), and which holds the formula's only TeX.
 */
const holdsOnlyFormulas = (el: El) => el.textLen > 0 && el.formulaLen === el.textLen;

export function isBoilerplate(el: El, options: PruneOptions, pageTextLength = Infinity): boolean {
  return judgedBoilerplate(el, options, pageTextLength) && !holdsOnlyFormulas(el);
}

/**
 * Most text a sign-up box holds: a heading, a line or two of pitch and a form with a field for an
 * e-mail address ("Discover more from …", "Subscribe to get the latest posts sent to your email."),
 * often in a block no class word marks (a WordPress group, an Elementor widget). On WCXB's dev
 * pages 300 characters took out three such boxes, a "notify me when back in stock" form and a
 * sign-up heading one reference keeps; at 500 a service page's opening section, which holds a
 * "work e-mail" field beside its pitch, went too.
 */
const SIGN_UP_BOX_TEXT = 300;

/**
 * A block holding an e-mail field (dom.ts's EMAIL_FIELD) and little text beside it, that is not
 * the page's article: two paragraphs of prose are a short post over its comment form.
 */
function isSignUpBox(el: El, pageTextLength: number): boolean {
  return el.hasBlock && el.textLen <= SIGN_UP_BOX_TEXT && el.attrs[EMAIL_FIELD] !== undefined && el.tag !== "main" && el.tag !== "article" && !containsParagraphs(el, 2, isProse) && !holdsArticle(el, pageTextLength);
}

/** Most text a list of a post's tags holds (its label, the tags and the commas between them). */
const TAG_LIST_TEXT = 600;
/** A link to a tag's page: `rel="tag"` (HTML's link type, which WordPress and most blog engines set), alone or with "category". */
const isTagLink = (el: El) => el.tag === "a" && /(?:^|\s)tag(?:\s|$)/i.test(el.attrs.rel ?? "");

/**
 * A block whose whole text is a control's label: "Read more", "Back to top", "Share:", "Show more",
 * "Weiterlesen", "Nach oben", "Lire la suite", "Leer más", "Czytaj dalej", "Читать далее", "阅读全文",
 * "続きを読む", "اقرأ المزيد", "Follow us on social media", with an arrow or an ellipsis around it or
 * not. A teaser card's "Read More" under its summary, a page's "Back to top" between sections and a
 * post's "Share:" row are buttons, not text, whether or not the site made them links.
 */
export const UI_LABEL = new RegExp(
  "^[\\s»›→>+]*(?:" +
    [
      "read more", "read (?:the )?full (?:article|story|post|review)", "continue reading", "keep reading", "learn more", "find out more", "(?:show|see|view|load) (?:more|less|all)",
      "more", "back to top", "(?:go|scroll) to top", "share(?: this(?: article| post| story| page)?)?", "print", "close", "next", "previous", "prev", "reply", "expand", "collapse", "original poster",
      "(?:next|previous|prev) (?:article|post|story|page)", "(?:nächste[rs]?|vorherige[rs]?) (?:artikel|beitrag|seite)", "(?:article|page) (?:suivant|précédent)e?",
      "(?:artículo|entrada|página) (?:siguiente|anterior)", "(?:articolo|pagina) (?:successivo|precedente)", "(?:następny|poprzedni) (?:artykuł|wpis)",
      "weiterlesen", "mehr lesen", "(?:lesen sie|lies) mehr", "(?:jetzt |hier )?mehr erfahren", "(?:mehr|weniger|alle) anzeigen", "mehr", "(?:zurück )?nach oben", "zum seitenanfang", "(?:artikel |beitrag )?teilen", "drucken",
      "schließen", "weiter", "zurück", "antworten",
      "lire la suite", "lire plus", "en savoir plus", "(?:voir|afficher) plus", "voir tout", "retour en haut(?: de (?:la )?page)?", "haut de (?:la )?page", "partager", "imprimer", "fermer",
      "suivant", "précédent", "répondre",
      "leer más", "seguir leyendo", "(?:ver|mostrar) más", "ver todo", "(?:volver|ir) arriba", "compartir", "imprimir", "cerrar", "siguiente", "anterior", "responder",
      "leggi (?:di più|tutto)", "continua a leggere", "scopri di più", "mostra (?:di più|altro)", "torna (?:su|in alto)", "condividi", "stampa", "chiudi", "successivo", "precedente", "rispondi",
      "leia mais", "ler mais", "continu(?:ar|e) lendo", "saiba mais", "(?:ver|mostrar) mais", "voltar ao topo", "compartilh(?:ar|e)", "partilhar", "fechar", "próximo",
      "czytaj (?:dalej|więcej)", "(?:zobacz|pokaż) więcej", "więcej", "do góry", "na górę", "udostępnij", "drukuj", "zamknij", "następny", "poprzedni", "odpowiedz",
      "lees (?:meer|verder)", "meer lezen", "(?:toon|bekijk) meer", "meer", "(?:terug )?naar boven", "delen", "sluiten", "volgende", "vorige", "reageren",
      "читать (?:далее|полностью)", "подробнее", "показать (?:ещё|еще|больше)", "наверх", "поделиться", "закрыть", "далее", "назад", "ответить",
      "阅读更多", "閱讀更多", "查看更多", "阅读全文", "閱讀全文", "展开全文", "展開全文", "返回顶部", "返回頂部", "分享", "关闭", "關閉",
      "続きを読む", "もっと見る", "ページトップへ", "トップへ戻る", "シェア", "閉じる",
      "اقرأ المزيد", "المزيد", "عرض المزيد", "شارك", "مشاركة", "إغلاق", "العودة (?:إلى|الى) الأعلى", "التالي", "السابق",
      "devamını oku", "paylaş", "abone ol", "sonraki(?: haber| yazı)?", "önceki(?: haber| yazı)?", "yorum yap",
      // A page's own actions and the way back: save, listen, copy the link, back to the front page.
      "save", "bookmark", "pin (?:it |this(?: recipe| post)? )?for later", "(?:like (?:it|this)\\?\\s*)?pin it!?", "jump to (?:the )?(?:recipe|list|video|comments?|reviews?)(?:\\s+print(?: the)? recipe)?", "click (?:here )?to (?:enlarge|zoom)", "table of contents", "listen(?: to (?:this|the) (?:article|story))?", "back to (?:home|homepage|overview|the list)", "(?:print|email) this (?:page|article|story)", "copy link", "link copied",
      "zur startseite", "zurück zur (?:startseite|übersicht)", "(?:artikel )?(?:merken|empfehlen|kommentieren|speichern|vorlesen|anhören)", "link kopieren",
      "retour à l'accueil", "(?:écouter|sauvegarder|enregistrer) (?:cet )?article", "copier le lien", "volver al inicio", "guardar", "copiar enlace",
      "torna alla home", "salva", "copia link", "powrót do strony głównej", "zapisz", "kopiuj link", "terug naar (?:home|de homepage)", "opslaan", "link kopiëren",
      // Chinese portals' share links ("转播到腾讯微博", "分享到微信").
      "(?:分享|转播|轉播)到[\u4e00-\u9fffA-Za-z]{1,8}",
      // Over a row of networks' buttons.
      "(?:follow us|folgen sie uns|folge uns|suivez-nous|síguenos|seguici|siga-nos|obserwuj nas|volg ons|подписывайтесь на нас)(?: (?:on|auf|sur|en|su|em|na|op|в) [^.!?]{1,30})?",
    ].join("|") +
    ")[\\s.…:：»›→>+]*$",
  "i",
);
/** Longest text UI_LABEL is tried on. */
export const UI_LABEL_LENGTH = 40;

/** Elements a control's label stands in: a link, a button, a line of its own. */
const CONTROL_TAGS = new Set(["a", "button", "span", "p", "div", "b", "strong", "small"]);

/**
 * A link, a button or a line whose whole text is a control's label (UI_LABEL), on a line of its
 * own. Not one with text on its line ("<a>Learn more</a> about our program", "… newsletter.
 * <a>Read more</a>.", "read <a>more</a>"): the line is read whole, by the notice rules (content.ts).
 */
function isControlLabel(el: El): boolean {
  return el.textLen > 0 && el.textLen <= UI_LABEL_LENGTH && CONTROL_TAGS.has(el.tag) && UI_LABEL.test(plainText(el)) && aloneOnItsLine(el);
}

/**
 * Whether no text shares `el`'s line: its siblings up to the nearest block or line break on either
 * side hold none, and where `el` fills an inline parent (a link's `<code>`), the parent's do not.
 */
export function aloneOnItsLine(el: El): boolean {
  let node = el;
  let before = true, after = true;
  while (node.parent) {
    const siblings = node.parent.children;
    const at = siblings.indexOf(node);
    // Each side: "text" (the line holds text), "edge" (a block or a break ends the line) or "open" (the parent ends first).
    const side = (from: number, step: 1 | -1): "text" | "edge" | "open" => {
      for (let i = from; i >= 0 && i < siblings.length; i += step) {
        const sibling = siblings[i]!;
        if (typeof sibling === "string") {
          if (/\S/.test(sibling)) return "text";
        } else if (BLOCK_TAGS.has(sibling.tag) || sibling.hasBlock || sibling.tag === "br") return "edge";
        else if (sibling.textLen > 0) return "text";
      }
      return "open";
    };
    if (after) {
      const found = side(at + 1, 1);
      if (found === "text") return false;
      after = found === "open";
    }
    if (before) {
      const found = side(at - 1, -1);
      if (found === "text") return false;
      before = found === "open";
    }
    if ((!before && !after) || BLOCK_TAGS.has(node.parent.tag) || node.parent.hasBlock) return true;
    node = node.parent;
  }
  return true;
}

/**
 * A post's tags ("Tags: calendario stock car 2018, stock car brasil, …"): a block or a run of
 * text, under TAG_LIST_TEXT, whose text is mostly (over half) that of links to tags; whatever its class says.
 */
function isTagList(el: El): boolean {
  if (el.tag === "a" || el.textLen === 0 || el.textLen >= TAG_LIST_TEXT || el.linkLen * 2 <= el.textLen) return false;
  let tagText = 0;
  const stack: El[] = [el];
  while (stack.length > 0) {
    for (const child of stack.pop()!.children) {
      if (typeof child === "string") continue;
      if (isTagLink(child)) tagText += child.textLen;
      else stack.push(child);
    }
  }
  return tagText * 2 > el.textLen;
}

function judgedBoilerplate(el: El, options: PruneOptions, pageTextLength: number): boolean {
  const tag = el.tag;
  if (tag === "body" || tag === "html") return false;
  if (isTagList(el) || isControlLabel(el)) return true;
  const attrs = el.attrs;
  // An accordion's panel, hidden until its button opens it, is the text of an FAQ or a section, and
  // so is a tab's pane: being hidden does not make it boilerplate (its class words still may).
  const panel = () => attrs[DISCLOSURE_PANEL] !== undefined || attrs.role === "tabpanel" || PANEL_CLASS.test(classWords(el));
  if (attrs.hidden !== undefined && !panel()) return !isStreamedSegment(el) && !isPaywalledText(el);
  // A popover (an app-install card, a menu) is not shown until a button or a script opens it.
  if (attrs.popover !== undefined) return !holdsArticle(el, pageTextLength);
  // A page whose script opened a dialog (a cookie banner) hides everything else from screen
  // readers: aria-hidden on the page's own wrapper does not hide its article.
  if (attrs["aria-hidden"] === "true" && !panel() && !(options.cards && tag === "a")) return !holdsArticle(el, pageTextLength);
  // A page kept hidden until its scripts have loaded (visibility:hidden on the app's root) is the page.
  if (isHiddenByStyle(attrs) && !panel()) return !holdsMostText(el, pageTextLength) && !isPaywalledText(el);
  // Some sites wrap the whole page (ASP.NET) or a forum's posts (SMF's moderation form) in one
  // <form>, and an old blog its post in a <fieldset> with the comment form; only one without
  // prose is boilerplate. A form with no field a reader sees and a paragraph in it is no form to
  // fill in but a site's wrapper for text (old reddit's comments), judged as any other block; a
  // shop's buy button with its price is still a form.
  const wrapper = tag === "form" && attrs[VISIBLE_FIELD] === undefined && containsParagraphs(el, 1);
  if ((tag === "form" && !wrapper) || tag === "fieldset") return !containsMainMarker(el) && !containsParagraphs(el, 3);
  if (isSignUpBox(el, pageTextLength)) return true;
  // An <aside> or <nav> that holds most of the page's text is not a sidebar when it also holds the
  // article's marker (one left open, a banner's, before the page's <main>) or, for an <aside>,
  // three paragraphs (a slideshow page setting its slides' text in the right column).
  if (UNCLOSED_WRAPPER_TAGS.has(tag) && holdsMostText(el, pageTextLength) && (containsMainMarker(el) || (tag === "aside" && containsParagraphs(el, 3)))) return false;
  if (BOILERPLATE_TAGS.has(tag) && !wrapper) return !(tag === "figcaption" && isSlideText(el));
  const role = attrs.role;
  if (role && BOILERPLATE_ROLES.has(role)) return !containsMainMarker(el);
  // A site builder may set the whole article in a <header> (Webflow's hero sections): one that holds most of the page's prose is the article.
  if (SECTION_TAGS.has(tag)) {
    // An <article>'s own <header> (its heading, dateline and lead), read for a listing's cards and in the retry without class words.
    if (tag === "header" && (options.cards || !options.byClass) && el.parent?.tag === "article") return false;
    return !holdsArticle(el, pageTextLength) && !(tag === "header" && isHeadingOnly(el));
  }
  // A class that hides the element hides it in the retry without class words too.
  const cls = attrs.class?.toLowerCase();
  if (cls && HIDDEN_CLASS.test(cls) && !SHOWN_AT_WIDTH.test(cls)) return !holdsArticle(el, pageTextLength);
  if (!options.byClass) return tag !== "main" && RETRY_PRUNED.test(classAndId(el)) && !holdsArticle(el, pageTextLength);
  if (tag === "main" || attrs.itemprop === "articleBody") return false;
  // schema.org microdata for the page's metadata: the date line, the author, the publisher.
  if (attrs.itemprop && METADATA_ITEMPROPS.has(attrs.itemprop) && el.textLen < 200) return true;
  const words = classAndId(el);
  if (!words) return false;
  // Kept for the article's cleaning, which ends the article at it (content.ts).
  if (isRelatedHeading(el)) return false;
  const strong = STRONG.test(words) && !isWidgetNamedText(el, words);
  // A section's heading whose class, or its block's, says "header" (Jimdo's j-header modules,
  // Bootstrap's accordion-header) is the text's own; a count over a list ("2 Answers", "3 Antworten") is not.
  if (!strong && ((isHeading(el) && el.linkLen === 0) || isHeadingOnly(el)) && !/^\d+\s+\p{L}+$/u.test(plainText(el))) return false;
  const matches = strong || (WEAK.test(words) && !CONTENT_WORDS.test(words) && !wrapsNamedContent(el));
  if (matches && CAPTION_WORDS.test(words) && !STRONG.test(words.replace(CAPTION_WORDS_ALL, " ")) && isSlideText(el)) return false;
  // A link or a span inside a sentence is the sentence's words, whatever its class says of it; a
  // syntax highlighter's classes ("hljs-comment", "token comment", "sp-syntax-comment") name the
  // code's colours, and inside a <pre> or a <code> they are the code.
  return matches && !holdsArticle(el, pageTextLength) && !isMidSentence(el) && !insideCode(el);
}

/** The word "main" alone in a class list ("c-layout-main", "main"; not "main-menu"'s prefix alone). */
const MAIN_WORD = /(?<![a-z0-9])main(?![a-z0-9-])/;

/**
 * A layout's wrapper named for its side part ("c-layout-sidebar-left" around the sidebar and the
 * "c-layout-main"): a child named "main" holds most of its text.
 */
function wrapsNamedContent(el: El): boolean {
  return el.children.some((c) => typeof c !== "string" && c.textLen > el.textLen / 2 && MAIN_WORD.test(classAndId(c)));
}

/**
 * Headings that introduce teasers of other pages or the comments, matched whole (a trailing colon
 * or ellipsis allowed), in English, in the languages whose sites the class words cover, in Russian,
 * Turkish, Arabic, Chinese, Japanese and Korean, and in a dozen more.
 */
export const RELATED_HEADING = new RegExp(
  "^(?:" +
    [
      "related(?: (?:posts|articles|stories|content|news|links|topics))?", "you (?:may|might)(?: also)? (?:like|enjoy)", "you (?:may|might)(?: also)? be interested in(?: the following(?: topics| articles| posts)?)?(?: as well)?",
      "more (?:stories|news|articles)(?: from .*)?", "read (?:next|also)", "see also", "also read", "recommended(?: for you| articles| stories)?",
      "weitere (?:artikel|beiträge|nachrichten|themen|meldungen)", "mehr (?:themen|artikel|beiträge|nachrichten|news|geschichten) (?:auf|bei|von|aus) .{1,30}", "mehr zum thema", "das könnte (?:sie|dich|ihnen) auch (?:interessieren|gefallen)", "lesen sie auch", "lesen sie mehr zum thema", "lest auch", "lies auch",
      "auch interessant", "(?:weitere|mehr|more|related|other) videos", "(?:deine|ihre) meinung (?:zählt|ist gefragt)", "(?:ähnliche|verwandte|passende) (?:artikel|beiträge|themen|produkte)", "kunden (?:kauften|kaufen|haben) auch(?: [^.!?]*)?",
      "(?:über|zum|zur) (?:den |die )?(?:autor|autorin)", "about the author", "customers (?:who [^.!?]* )?also (?:bought|viewed)", "(?:à )?lire aussi", "voir aussi", "sur le même sujet",
      "articles (?:similaires|liés)", "(?:leia|veja) também", "(?:artigos|posts|notícias|mensagens) relacionad[oa]s",
      "(?:también )?te puede interesar", "(?:noticias|artículos|entradas) relacionad[oa]s", "leggi anche", "potrebbe interessarti",
      "articoli correlati", "(?:zobacz|czytaj) (?:też|także|również)", "powiązane artykuły", "lees ook", "gerelateerde artikelen",
      "você (?:também )?pode gostar", "(?:también )?(?:te|le) (?:puede|pueden) (?:gustar|interesar)", "vous (?:aimerez|pourriez aimer) (?:aussi|également)",
      "ebenfalls interessant", "ti (?:potrebbe|potrebbero) (?:interessare|piacere)", "może cię (?:też |także )?zainteresować", "misschien ook interessant",
      "don'?t miss", "nicht verpassen", "(?:\\d+ )?(?:comments?|kommentare?|comentários?|comentarios?|commentaires?|commenti|komentarze|reacties)",
      "leave a (?:comment|reply)", "tell us what you think", "what do you think\\??", "(?:schreiben sie einen|ihr) kommentar", "diskutieren sie mit", "leser(?:kommentare|debatte|diskussion|meinungen)",
      "deixe (?:um|seu) comentário", "deja (?:un|tu) comentario", "laisser un commentaire", "lascia un commento", "dodaj komentarz",
      // Russian, Turkish, Arabic, Chinese, Japanese and Korean sites' related and comments headings.
      "читайте также", "(?:похожие|связанные) (?:статьи|новости|материалы)", "смотрите также", "комментарии(?: \\(\\d+\\))?",
      "(?:[iİ]lgili|benzer) (?:haberler|yazılar)", "yorumlar",
      "اقرأ أيضا\\u064b?", "(?:مواضيع|أخبار|مقالات) ذات صلة", "التعليقات",
      "相关(?:阅读|新闻|文章|推荐|视频)", "延伸阅读", "(?:热门|精彩)(?:视频)?推荐", "推荐阅读", "猜你喜欢", "(?:网友)?评论",
      "関連(?:記事|ニュース|キーワード|リンク)", "あわせて読みたい", "おすすめ(?:記事|情報)", "こちらもおすすめ", "この記事を書いた人", "コメント",
      "관련\\s?기사", "댓글",
      // Ukrainian, Czech, Swedish, Hungarian, Greek, Romanian, Indonesian/Malay, Vietnamese, Persian, Hebrew and Hindi.
      "читайте також", "коментарі", "(?:související|podobné) články", "čtěte (?:také|též)", "komentáře", "läs (?:också|även)", "relaterade artiklar",
      "kommentarer", "kapcsolódó cikkek", "hozzászólások", "σχετικά άρθρα", "σχόλια", "citește și", "articole (?:similare|asemănătoare)", "comentarii",
      "baca juga", "berita terkait", "artikel terkait", "komentar", "tin liên quan", "bình luận", "مطالب مرتبط", "بیشتر بخوانید", "اخبار مرتبط", "نظرات",
      "כתבות נוספות", "עוד בנושא", "תגובות", "संबंधित (?:खबरें|लेख)", "यह भी पढ़ें", "टिप्पणियाँ",
    ].join("|") +
    // A count may follow, as comments headings carry it ("댓글 3", "评论（12）", "Kommentare (3)").
    ")(?:\\s*[(（]\\d+[)）]|\\s+\\d+)?\\s*[:.…]*$",
  "i",
);

/**
 * Widgets whose name a block of the page's text may carry, and how many paragraphs of prose make
 * it text: the rest of a story that a "Read more" button unfolds (a news site's `<div
 * id="read-more">` around its later paragraphs), and a newsletter's issue published as the page
 * (`<article class="newsletter-content">`). The widgets themselves hold fewer: a "read more" link
 * or a list of teaser links none, a signup box at most five (in WCXB's 1,497 development pages).
 */
const TEXT_NAMED_AS_WIDGET = [
  { name: READ_MORE, paragraphs: 2 },
  { name: NEWSLETTER, paragraphs: 6 },
].map(({ name, paragraphs }) => ({ word: new RegExp(name), words: new RegExp(name, "g"), paragraphs }));

/** Whether `el`, whose class/id words are `words`, is text that a widget's name and nothing stronger marks (see TEXT_NAMED_AS_WIDGET). */
function isWidgetNamedText(el: El, words: string): boolean {
  return TEXT_NAMED_AS_WIDGET.some(({ word, words: all, paragraphs }) => word.test(words) && !STRONG.test(words.replace(all, " ")) && containsParagraphs(el, paragraphs, isProse));
}

/** A heading (h2-h6, or an element whose role is heading) whose whole text is one of RELATED_HEADING's. */
export function isRelatedHeading(el: El): boolean {
  return (/^h[2-6]$/.test(el.tag) || el.attrs.role === "heading") && el.textLen < 80 && RELATED_HEADING.test(plainText(el));
}

/** Fewest characters of an article header's lead. */
const LEAD_MIN_LENGTH = 80;
/** Text that ends as a sentence does: a stop, then any closing quotes or brackets. */
export const ENDS_SENTENCE = /[.!?…。！？][»«"”’)\]]*$/;

/** Whether `el` sits inside the article's own marker: an `<article>`, the `<main>` or an articleBody. */
const insideArticle = (el: El) => someAncestor(el, isMainMarker);

/** A header: a `<header>`, or a block whose class or id says "header" ("layout__header") and nothing stronger. */
const HEADER_WORD = /(?<![a-z0-9])header(?![a-z0-9])/;
function isHeaderBlock(el: El): boolean {
  if (el.tag === "header") return true;
  const words = classAndId(el);
  return words !== "" && HEADER_WORD.test(words) && !STRONG.test(words);
}

/**
 * The lead of a header inside the article or the `<main>` (the standfirst news sites set under
 * the headline, the summary a documentation page sets under its title in a "layout__header"): its
 * blocks of inline text that are a sentence or more of prose (ending as a sentence does, under a
 * fifth links), outside the header's own boilerplate, as paragraphs. The headline, kicker,
 * byline, date and share buttons are not.
 */
function headerLead(header: El, options: PruneOptions, pageTextLength: number): El[] {
  const leads: El[] = [];
  const visit = (el: El): void => {
    for (const child of el.children) {
      if (typeof child === "string" || isBoilerplate(child, options, pageTextLength) || isHeading(child)) continue;
      if (child.hasBlock) {
        visit(child);
      } else if ((child.tag === "p" || child.tag === "div") && child.textLen >= LEAD_MIN_LENGTH && child.linkLen < child.textLen / 5 && ENDS_SENTENCE.test(plainText(child))) {
        child.tag = "p";
        child.parent = header.parent;
        leads.push(child);
      }
    }
  };
  visit(header);
  return leads;
}

/**
 * Removes boilerplate subtrees in place; an article's header gives way to its lead (headerLead).
 * Iterative, so depth never matters. Needs the statistics pass. Returns the removed subtrees.
 */
export function pruneBoilerplate(root: El, options: PruneOptions, tick: () => void): El[] {
  const removed: El[] = [];
  const { lead } = options;
  const holdsLead = new Set<El>();
  for (let node: El | null | undefined = lead?.block; node; node = node.parent) holdsLead.add(node);
  const pageTextLength = root.textLen;
  const stack: El[] = [root];
  while (stack.length > 0) {
    const el = stack.pop()!;
    tick();
    // Each child is judged once (the judgement runs the class-word patterns).
    let pruned: boolean[] | undefined;
    el.children.forEach((c, i) => {
      if (typeof c !== "string" && isBoilerplate(c, options, pageTextLength)) (pruned ??= new Array<boolean>(el.children.length).fill(false))[i] = true;
    });
    if (pruned) {
      el.children = el.children.flatMap((c, i) => {
        if (typeof c === "string" || !pruned![i]) return [c];
        removed.push(c);
        const leads = isHeaderBlock(c) && insideArticle(c) ? headerLead(c, options, pageTextLength) : [];
        if (!holdsLead.has(c) || leads.some((block) => holdsLead.has(block))) return leads;
        lead!.mark.parent = el;
        return [lead!.mark, ...leads];
      });
    }
    for (const child of el.children) if (typeof child !== "string") stack.push(child);
  }
  return removed;
}

// Class/id words that raise or lower a candidate container's score (readability's weights; not
// CKEditor's "ck-widget", see WEAK). A utility class that clips or scrolls (Tailwind's
// "overflow-hidden", "overflow-x-scroll", "scroll-mt-24") says nothing about what a block is, so
// "hidden" and "scroll" skip those; nor does the target a table of contents scrolls to
// ("scroll-target"), which is a section of the text.
const POSITIVE = /article|body|content|entry|hentry|h-entry|main|page|post|text|blog|story|artikel|inhalt|beitrag|contenu|contenid|conteud|contenut|tresc|texto|testo|tekst|inhoud|articul|artigo|articol|artykul/;
const NEGATIVE =
  /(?<!overflow[-_](?:[xy][-_])?)hidden|banner|combx|comment|com-|contact|footer|gdpr|masthead|media|meta|outbrain|promo|related|(?<!overflow-(?:[xy]-)?)scroll(?!-(?:m[tblrxy]?|p[tblrxy]?|smooth|auto|target)(?![a-z]))|share|shoutbox|sidebar|skyscraper|sponsor|shopping|tags|(?<!(?<![a-z0-9])ck-)widget|nav|menu|coment|kk?omm?entar|werbung|reklam|publicit|relacionad|verwandt|powiazan|fusszeile|seitenleiste|stopka/;

export function classWeight(el: El): number {
  let weight = 0;
  for (const lower of [classWords(el), layoutId(el)]) {
    if (!lower) continue;
    if (NEGATIVE.test(lower)) weight -= 25;
    if (POSITIVE.test(lower)) weight += 25;
  }
  return weight;
}

/** Whether `el` lies inside a `<pre>` or a `<code>`. */
const insideCode = (el: El) => someAncestor(el, (node) => node.tag === "pre" || node.tag === "code");

/** Tags of running text: a link, an emphasis, a span inside a sentence. */
const PHRASING_TAGS = new Set(["a", "span", "em", "strong", "b", "i", "u", "abbr", "cite", "mark", "small", "code", "q", "dfn", "var", "time", "font"]);

/**
 * Whether an inline element sits inside a sentence: text of the same sentence on both sides
 * ("After <a class='recommendation-inline-link'>announcing your engagement</a>, you may…",
 * "Use <code class='hljs-comment'>#</code> to start a comment"). Its class words name the
 * link's purpose or the code's colour, not a block beside the text.
 */
export function isMidSentence(el: El): boolean {
  if (!PHRASING_TAGS.has(el.tag) || !el.parent) return false;
  const siblings = el.parent.children;
  const i = siblings.indexOf(el);
  const before = siblings[i - 1], after = siblings[i + 1];
  return typeof before === "string" && typeof after === "string" && /[\p{L}\p{N},;:]\s*$/u.test(before) && /^\s*[\p{L}\p{N},;:.!?)]/u.test(after);
}
