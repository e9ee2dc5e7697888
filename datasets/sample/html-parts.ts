/**
 * Pieces of a page that layouts put together: escaping, class names, navigation, cookie banner,
 * the article body, share widget, comments, related links, footer. Everything around the
 * article body is boilerplate and is in the page's language.
 */
import { createHash } from "node:crypto";
import type { Block } from "./compose.js";
import type { Rng } from "./rng.js";
import { TOPICS, type LanguagePack, type Topic } from "./text/index.js";

export type LayoutName = "blog" | "news" | "soup" | "docs" | "magazine";
export const LAYOUTS: readonly LayoutName[] = ["blog", "news", "soup", "docs", "magazine"];

export interface LinkRef {
  title: string;
  url: string;
}

export interface CommentRef {
  author: string;
  date: string;
  text: string;
}

export interface PageFrame {
  pack: LanguagePack;
  siteName: string;
  host: string;
  layout: LayoutName;
  url: string;
  /** The `lang` attribute as written (null: no attribute); it does not always match the text. */
  htmlLang: string | null;
  title: string;
  author: string;
  /** YYYY-MM-DD */
  published: string;
  topic: Topic;
  comments: readonly CommentRef[];
  related: readonly LinkRef[];
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function escapeAttr(text: string): string {
  return escapeHtml(text).replace(/"/g, "&quot;");
}

/** Old sites write every non-ASCII character as a numeric character reference. */
export function asciiEntities(html: string): string {
  return html.replace(/[^\p{ASCII}]/gu, (ch) => `&#${ch.codePointAt(0)};`);
}

/**
 * Class names: readable ones, or CSS-in-JS style hashes (stable per host and role) for the
 * magazine layout, so an extractor cannot rely on names like "comments" or "footer" alone.
 */
export function classNamer(frame: PageFrame): (role: string) => string {
  if (frame.layout !== "magazine") return (role) => role;
  return (role) => `css-${createHash("md5").update(`${frame.host}/${role}`).digest("hex").slice(0, 7)}`;
}

const CYRILLIC_LATIN: Readonly<Record<string, string>> = {
  а: "a", б: "b", в: "v", г: "g", д: "d", е: "e", ё: "e", ж: "zh", з: "z", и: "i", й: "y", к: "k", л: "l", м: "m",
  н: "n", о: "o", п: "p", р: "r", с: "s", т: "t", у: "u", ф: "f", х: "kh", ц: "ts", ч: "ch", ш: "sh", щ: "shch",
  ъ: "", ы: "y", ь: "", э: "e", ю: "yu", я: "ya",
};

export function slugify(text: string): string {
  const slug = text
    .toLowerCase()
    .replace(/[а-яё]/g, (ch) => CYRILLIC_LATIN[ch] ?? "")
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/, "");
  return slug === "" ? "page" : slug;
}

export function navLinks(frame: PageFrame): LinkRef[] {
  const ui = frame.pack.ui;
  const links: LinkRef[] = [{ title: ui.home, url: "/" }];
  for (const topic of TOPICS) links.push({ title: ui.topics[topic], url: `/${slugify(ui.topics[topic])}/` });
  links.push({ title: ui.nav[0] ?? "", url: "/news/" }, { title: ui.nav[2] ?? "", url: "/about/" });
  return links;
}

export function navList(frame: PageFrame, navClass: string): string {
  const c = classNamer(frame);
  const items = navLinks(frame)
    .map((l) => `<li class="${c("menu-item")}"><a href="${escapeAttr(l.url)}">${escapeHtml(l.title)}</a></li>`)
    .join("");
  return `<nav class="${c(navClass)}" aria-label="${escapeAttr(frame.pack.ui.home)}"><ul class="${c("menu")}">${items}</ul></nav>`;
}

export function cookieBanner(frame: PageFrame): string {
  const ui = frame.pack.ui;
  const c = classNamer(frame);
  return (
    `<div id="cookie-banner" class="${c("cookie-banner")}" role="dialog" aria-live="polite">` +
    `<p>${escapeHtml(ui.cookieText)}</p>` +
    `<button type="button" class="${c("btn-accept")}">${escapeHtml(ui.cookieAccept)}</button> ` +
    `<button type="button" class="${c("btn-reject")}">${escapeHtml(ui.cookieDecline)}</button></div>`
  );
}

export function byline(frame: PageFrame): string {
  const c = classNamer(frame);
  return (
    `<p class="${c("byline")}">${escapeHtml(frame.pack.ui.byline)} ` +
    `<a rel="author" href="/author/${slugify(frame.author)}/">${escapeHtml(frame.author)}</a> · ` +
    `<time datetime="${frame.published}">${frame.published}</time></p>`
  );
}

/** A sentence as HTML, sometimes with one word inside a link, <strong> or <em>. */
function inlineMarkup(text: string, rng: Rng): string {
  const words = text.split(" ");
  if (words.length < 6 || !rng.chance(0.3)) return escapeHtml(text);
  let i = rng.range(1, words.length - 2);
  // Prefer a content word: step forward to the next word of 4+ letters if there is one.
  for (let k = i; k < words.length - 1; k++) {
    if ((words[k] ?? "").length >= 4) {
      i = k;
      break;
    }
  }
  const word = escapeHtml(words[i] ?? "");
  const wrapped = rng.pick([
    `<a href="/tag/${slugify(words[i] ?? "")}/">${word}</a>`,
    `<strong>${word}</strong>`,
    `<em>${word}</em>`,
  ]);
  return [...words.slice(0, i).map(escapeHtml), wrapped, ...words.slice(i + 1).map(escapeHtml)].join(" ");
}

/**
 * The article blocks as HTML. `soup` writes paragraphs as text separated by <br><br> and
 * headings as bold divs, the way table-era sites did.
 */
export function articleBody(blocks: readonly Block[], rng: Rng, soup: boolean): string {
  const out: string[] = [];
  for (const block of blocks) {
    switch (block.kind) {
      case "p": {
        const text = block.sentences.map((s) => inlineMarkup(s, rng)).join(" ");
        out.push(soup ? `${text}<br><br>` : `<p>${text}</p>`);
        break;
      }
      case "h2":
        out.push(soup ? `<div class="subhead"><b>${escapeHtml(block.text)}</b></div>` : `<h2>${escapeHtml(block.text)}</h2>`);
        break;
      case "ul":
        out.push(`<ul>${block.items.map((item) => `<li>${escapeHtml(item)}</li>`).join("")}</ul>`);
        break;
      case "table": {
        const head = `<tr>${block.header.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr>`;
        const rows = block.rows.map((r) => `<tr>${r.map((d) => `<td>${escapeHtml(d)}</td>`).join("")}</tr>`);
        out.push(`<table>${soup ? "" : "<thead>"}${head}${soup ? "" : "</thead><tbody>"}${rows.join("")}${soup ? "" : "</tbody>"}</table>`);
        break;
      }
      case "code":
        out.push(`<pre><code>${escapeHtml(block.code)}</code></pre>`);
        break;
    }
  }
  return out.join("\n");
}

export function shareWidget(frame: PageFrame, tag = "div"): string {
  const c = classNamer(frame);
  const u = encodeURIComponent(frame.url);
  return (
    `<${tag} class="${c("share")}"><span>${escapeHtml(frame.pack.ui.share)}:</span> ` +
    `<a href="https://www.facebook.com/sharer/sharer.php?u=${u}">Facebook</a> ` +
    `<a href="https://twitter.com/intent/tweet?url=${u}">X</a> ` +
    `<a href="https://www.linkedin.com/shareArticle?url=${u}">LinkedIn</a> ` +
    `<a href="mailto:?body=${u}">E-mail</a></${tag}>`
  );
}

export function commentsSection(frame: PageFrame, tag: "section" | "div"): string {
  const ui = frame.pack.ui;
  const c = classNamer(frame);
  const items = frame.comments
    .map(
      (m) =>
        `<li class="${c("comment")}"><div class="${c("comment-meta")}"><span class="${c("comment-author")}">${escapeHtml(m.author)}</span> ` +
        `<time datetime="${m.date}">${m.date}</time></div><p>${escapeHtml(m.text)}</p>` +
        `<a class="${c("reply")}" href="#respond">${escapeHtml(ui.reply)}</a></li>`,
    )
    .join("");
  const cls = frame.layout === "magazine" ? `comments ${c("comments")}` : "comments";
  return (
    `<${tag} class="${cls}" id="comments"><h2>${escapeHtml(ui.comments)} (${frame.comments.length})</h2>` +
    `<ol class="${c("comment-list")}">${items}</ol>` +
    `<form id="respond" class="${c("comment-form")}"><h3>${escapeHtml(ui.leaveComment)}</h3>` +
    `<textarea name="comment"></textarea><button type="submit">${escapeHtml(ui.reply)}</button></form></${tag}>`
  );
}

export function linkList(links: readonly LinkRef[], itemClass: string): string {
  return links.map((l) => `<li class="${itemClass}"><a href="${escapeAttr(l.url)}">${escapeHtml(l.title)}</a></li>`).join("");
}

export function relatedList(frame: PageFrame, tag: string, cls: string): string {
  const c = classNamer(frame);
  return (
    `<${tag} class="${c(cls)}"><h2>${escapeHtml(frame.pack.ui.related)}</h2>` +
    `<ul>${linkList(frame.related, c("related-item"))}</ul></${tag}>`
  );
}

export function siteFooter(frame: PageFrame, year: number): string {
  const ui = frame.pack.ui;
  const c = classNamer(frame);
  const links: LinkRef[] = [
    { title: ui.privacy, url: "/privacy/" },
    { title: ui.terms, url: "/terms/" },
    { title: ui.about, url: "/about/" },
    { title: ui.contact, url: "/contact/" },
  ];
  return (
    `<footer class="${c("site-footer")}"><p class="${c("newsletter")}"><a href="/newsletter/">${escapeHtml(ui.newsletter)}</a></p>` +
    `<ul class="${c("footer-links")}">${linkList(links, c("footer-item"))}</ul>` +
    `<p class="${c("copyright")}">© ${year} ${escapeHtml(frame.siteName)}. ${escapeHtml(ui.rights)}</p></footer>`
  );
}

export function analyticsScript(frame: PageFrame): string {
  return (
    `<script>(function(w,d){w.dataLayer=w.dataLayer||[];w.dataLayer.push({event:"pageview",section:${JSON.stringify(frame.topic)}});` +
    `var s=d.createElement("script");s.async=true;s.src="https://stats.example.net/t.js";d.head.appendChild(s);})(window,document);</script>`
  );
}
