/**
 * Whole pages in five layouts: a semantic blog, a news portal with sidebar, table-era <div> soup
 * (no semantic tags, <br><br> paragraphs, numeric character references), a documentation site
 * with a table of contents, and a React-style magazine with hashed class names.
 */
import type { Block } from "./compose.js";
import {
  analyticsScript, articleBody, asciiEntities, byline, classNamer, commentsSection, cookieBanner, escapeAttr,
  escapeHtml, linkList, navLinks, navList, relatedList, shareWidget, siteFooter, slugify,
  type LinkRef, type PageFrame,
} from "./html-parts.js";
import type { Rng } from "./rng.js";

export type PageMain =
  | { kind: "article"; blocks: readonly Block[] }
  | { kind: "listing"; items: readonly LinkRef[] }
  | { kind: "not_found" };

const STYLE =
  "body{font-family:Georgia,serif;margin:0;color:#222}a{color:#0b5394}.cookie-banner,#cookie-banner{position:fixed;bottom:0;" +
  "left:0;right:0;background:#333;color:#fff;padding:1em}nav ul{list-style:none;display:flex;gap:1em}footer{font-size:.8em}";

function head(frame: PageFrame, main: PageMain): string {
  const first = main.kind === "article" ? main.blocks.find((b) => b.kind === "p") : undefined;
  const description = first?.kind === "p" ? (first.sentences[0] ?? "") : frame.siteName;
  const ld = JSON.stringify({
    "@context": "https://schema.org",
    "@type": main.kind === "article" ? "Article" : "WebPage",
    headline: frame.title,
    author: { "@type": "Person", name: frame.author },
    datePublished: frame.published,
    publisher: { "@type": "Organization", name: frame.siteName },
  }).replace(/</g, "\\u003c");
  const lang = frame.htmlLang === null ? "" : ` lang="${frame.htmlLang}"`;
  return (
    `<!DOCTYPE html>\n<html${lang}>\n<head>\n<meta charset="utf-8">\n` +
    `<title>${escapeHtml(frame.title)} – ${escapeHtml(frame.siteName)}</title>\n` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">\n` +
    `<meta name="description" content="${escapeAttr(description)}">\n` +
    `<link rel="canonical" href="${escapeAttr(frame.url)}">\n<link rel="stylesheet" href="/static/site.css">\n` +
    `<style>${STYLE}</style>\n<script type="application/ld+json">${ld}</script>\n</head>\n`
  );
}

function mainContent(frame: PageFrame, main: PageMain, rng: Rng, soup: boolean): { heading: string; body: string } {
  const ui = frame.pack.ui;
  if (main.kind === "article") {
    return { heading: `<h1>${escapeHtml(frame.title)}</h1>`, body: articleBody(main.blocks, rng, soup) };
  }
  if (main.kind === "listing") {
    const items = main.items
      .map((l) => `<li><a href="${escapeAttr(l.url)}">${escapeHtml(l.title)}</a> <a class="more" href="${escapeAttr(l.url)}">${escapeHtml(ui.readMore)} »</a></li>`)
      .join("");
    return { heading: `<h1>${escapeHtml(frame.title)}</h1>`, body: `<ul class="post-list">${items}</ul>` };
  }
  return {
    heading: `<h1>${escapeHtml(ui.notFoundTitle)}</h1>`,
    body: `<p class="error-text">${escapeHtml(ui.notFoundText)}</p><a href="/">${escapeHtml(ui.home)}</a>`,
  };
}

function blog(frame: PageFrame, main: PageMain, rng: Rng, year: number): string {
  const { heading, body } = mainContent(frame, main, rng, false);
  const isArticle = main.kind === "article";
  return (
    `<body class="post-template">\n${cookieBanner(frame)}\n` +
    `<header class="site-header"><a class="logo" href="/">${escapeHtml(frame.siteName)}</a>${navList(frame, "main-nav")}` +
    `<form class="search-form" role="search" action="/search"><input type="search" name="q" placeholder="${escapeAttr(frame.pack.ui.search)}"></form></header>\n` +
    `<main id="main" class="site-main">\n<article class="post">${heading}\n${isArticle ? byline(frame) : ""}\n${body}\n</article>\n` +
    (isArticle ? `${shareWidget(frame)}\n${commentsSection(frame, "section")}\n` : "") +
    `${relatedList(frame, "aside", "related")}\n</main>\n${siteFooter(frame, year)}\n`
  );
}

function news(frame: PageFrame, main: PageMain, rng: Rng, year: number): string {
  const ui = frame.pack.ui;
  const { heading, body } = mainContent(frame, main, rng, false);
  const isArticle = main.kind === "article";
  const topicName = ui.topics[frame.topic];
  const sidebar =
    `<aside class="sidebar"><section class="widget"><h3>${escapeHtml(ui.mostRead)}</h3><ol>${linkList(frame.related, "widget-item")}</ol></section>` +
    `<section class="widget newsletter"><p>${escapeHtml(ui.newsletter)}</p><input type="email" name="email">` +
    `<button type="button">${escapeHtml(ui.subscribe)}</button></section></aside>`;
  return (
    `<body class="single">\n<div class="topbar"><span class="today">${frame.published}</span> <a href="/login/">${escapeHtml(ui.login)}</a> ` +
    `<a class="btn" href="/subscribe/">${escapeHtml(ui.subscribe)}</a></div>\n` +
    `<header class="masthead"><div class="brand"><a href="/">${escapeHtml(frame.siteName)}</a></div>${navList(frame, "primary-menu")}</header>\n` +
    `${cookieBanner(frame)}\n<div class="breadcrumbs"><a href="/">${escapeHtml(ui.home)}</a> › ` +
    `<a href="/${slugify(topicName)}/">${escapeHtml(topicName)}</a></div>\n<div class="layout"><main class="content">\n` +
    `<article class="entry"><header class="entry-header">${heading}${isArticle ? byline(frame) : ""}</header>\n` +
    (isArticle ? shareWidget(frame) : "") +
    `<div class="entry-content">\n${body}\n</div></article>\n` +
    `${relatedList(frame, "div", "related-posts")}\n${isArticle ? commentsSection(frame, "section") : ""}\n</main>\n${sidebar}</div>\n` +
    `${siteFooter(frame, year)}\n`
  );
}

function soup(frame: PageFrame, main: PageMain, rng: Rng, year: number): string {
  const ui = frame.pack.ui;
  const { heading, body } = mainContent(frame, main, rng, true);
  const isArticle = main.kind === "article";
  const menu = navLinks(frame).map((l) => `<a href="${escapeAttr(l.url)}">${escapeHtml(l.title)}</a>`).join(" | ");
  const latest = frame.related.map((l) => `<a href="${escapeAttr(l.url)}">${escapeHtml(l.title)}</a>`).join("<br>");
  const footerLinks = [ui.privacy, ui.terms, ui.about, ui.contact].map((t) => `<a href="/${slugify(t)}.html">${escapeHtml(t)}</a>`);
  const html =
    `<body bgcolor="#ffffff">\n<div id="wrapper">\n<div class="hdr"><div class="logo"><a href="/"><img src="/img/logo.gif" alt="${escapeAttr(frame.siteName)}"></a></div>` +
    `<div class="menu">${menu}</div></div>\n${cookieBanner(frame)}\n<div class="cnt">\n` +
    `<div class="lft"><div class="box"><b>${escapeHtml(ui.latest)}</b><br>${latest}</div></div>\n` +
    `<div class="mid">${heading}\n` +
    (isArticle ? `<div class="info">${escapeHtml(ui.byline)} ${escapeHtml(frame.author)} - ${frame.published}</div>\n` : "") +
    `<div class="txt">\n${body}\n</div>\n` +
    (isArticle ? `${shareWidget(frame)}\n${commentsSection(frame, "div")}\n` : "") +
    `<div class="rel"><b>${escapeHtml(ui.related)}</b><br>${latest}</div>\n</div>\n</div>\n` +
    `<div class="ftr">© ${year} ${escapeHtml(frame.siteName)} - ${escapeHtml(ui.rights)} | ${footerLinks.join(" | ")}</div>\n</div>\n`;
  return asciiEntities(html);
}

function docs(frame: PageFrame, main: PageMain, rng: Rng, year: number): string {
  const ui = frame.pack.ui;
  const { heading, body } = mainContent(frame, main, rng, false);
  const isArticle = main.kind === "article";
  return (
    `<body class="docs">\n<header class="topnav"><a class="logo" href="/">${escapeHtml(frame.siteName)}</a>${navList(frame, "topnav-links")}</header>\n` +
    `${cookieBanner(frame)}\n<div class="page">\n<aside class="toc"><nav aria-label="toc"><h4>${escapeHtml(ui.topics[frame.topic])}</h4>` +
    `<ul>${linkList(frame.related, "toc-item")}</ul></nav></aside>\n<main class="doc-main">\n` +
    `<article class="doc">${heading}\n${isArticle ? byline(frame) : ""}\n${body}\n</article>\n` +
    `<nav class="pager"><a rel="prev" href="${escapeAttr(frame.related[0]?.url ?? "/")}">« ${escapeHtml(ui.previous)}</a> ` +
    `<a rel="next" href="${escapeAttr(frame.related[1]?.url ?? "/")}">${escapeHtml(ui.next)} »</a></nav>\n` +
    `${isArticle ? commentsSection(frame, "section") : ""}\n</main>\n</div>\n${siteFooter(frame, year)}\n`
  );
}

function magazine(frame: PageFrame, main: PageMain, rng: Rng, year: number): string {
  const c = classNamer(frame);
  const ui = frame.pack.ui;
  const { heading, body } = mainContent(frame, main, rng, false);
  const isArticle = main.kind === "article";
  const nextData = JSON.stringify({ props: { pageProps: { title: frame.title, topic: frame.topic } }, page: "/[slug]" }).replace(/</g, "\\u003c");
  return (
    `<body>\n<div id="__next"><div class="${c("app")}">\n<header class="${c("header")}"><div class="${c("brand")}">` +
    `<a href="/" class="${c("logo")}">${escapeHtml(frame.siteName)}</a></div>${navList(frame, "nav")}</header>\n` +
    `<main class="${c("main")}"><div class="${c("container")}">\n<article class="${c("article")}"><div class="${c("article-head")}">` +
    `<span class="${c("kicker")}">${escapeHtml(ui.topics[frame.topic])}</span>${heading}${isArticle ? byline(frame) : ""}</div>\n` +
    `<div class="${c("article-body")}">\n${body}\n</div></article>\n` +
    (isArticle ? `${shareWidget(frame)}\n${commentsSection(frame, "section")}\n` : "") +
    `${relatedList(frame, "section", "related")}\n</div></main>\n${siteFooter(frame, year)}\n</div></div>\n${cookieBanner(frame)}\n` +
    `<script id="__NEXT_DATA__" type="application/json">${nextData}</script>\n`
  );
}

const LAYOUT_RENDERERS = { blog, news, soup, docs, magazine } as const;

/** The full HTML document for one page. `rng` decides the inline markup inside paragraphs. */
export function renderPage(frame: PageFrame, main: PageMain, rng: Rng, year: number): string {
  const bodyHtml = LAYOUT_RENDERERS[frame.layout](frame, main, rng, year);
  return `${head(frame, main)}${bodyHtml}${analyticsScript(frame)}\n</body>\n</html>\n`;
}
