import { describe, expect, it } from "vitest";
import { parseHtml, unlimitedWork } from "../../../stages/extract/dom.js";
import { extractMainText } from "../../../stages/extract/extract.js";
import { renderText } from "../../../stages/extract/text.js";
import {
  ARABIC_NEWS, ARABIC_NEWS_TEXT, CHINESE_NEWS, CHINESE_NEWS_TEXT, DUTCH_FAQ, DUTCH_FAQ_TEXT, GERMAN_NEWS, GERMAN_NEWS_TEXT, JAPANESE_ARTICLE,
  JAPANESE_ARTICLE_TEXT, NEWS_ARTICLE, NEWS_ARTICLE_TEXT, NO_CONTENT_PAGE, PHPBB_THREAD, PHPBB_THREAD_TEXT, POLISH_NEWS,
  POLISH_NEWS_TEXT, RUSSIAN_ARTICLE, RUSSIAN_ARTICLE_TEXT, SPANISH_BLOG, SPANISH_BLOG_TEXT, XENFORO_THREAD,
  GERMAN_PAYWALL_NEWS, GERMAN_PAYWALL_NEWS_TEXT, GERMAN_RELATED_TEASERS, GERMAN_RELATED_TEASERS_TEXT, TABLE_LAYOUT_PAGE, TABLE_LAYOUT_PAGE_TEXT, TIMETABLE, TIMETABLE_TEXT, VBULLETIN_THREAD, VBULLETIN_THREAD_TEXT, WBB_THREAD, WBB_THREAD_TEXT, DISCUZ_THREAD, DISCUZ_THREAD_TEXT, IPS_TOPIC, JOOMLA_ARTICLE, JOOMLA_ARTICLE_TEXT, WIKI_ARTICLE, XENFORO_THREAD_TEXT, deeplyNested,
} from "./fixtures.js";

const textOf = (html: string) => {
  const result = extractMainText(html);
  if (!result.ok) throw new Error(`dropped: ${result.reason}`);
  return result.text;
};

const GERMAN_PROSE = "Die Stadt baut bis zum Herbst einen neuen Radweg entlang des Flusses, der die Altstadt mit den Neubaugebieten im Osten verbindet.";
const DEEP_TEXT = "The paragraph at the bottom of a very deep tree still counts as text, and it is kept.";
const PROSE = "This sentence is long enough to count as a paragraph of prose, with a comma, and a full stop.";
/** Three posts of a forum thread. */
const FORUM_POSTS = [
  "Hallo zusammen, meine Tomaten bekommen seit einer Woche braune Flecken an den unteren Blättern. Ist das die Braunfäule?",
  "Das klingt leider sehr nach Braunfäule. Entferne sofort alle befallenen Blätter und gieße nur noch von unten, nie über die Blätter.",
  "Danke für den Tipp! Ich habe ein kleines Foliendach gebaut und die Blätter entfernt, bisher breitet es sich nicht weiter aus.",
];

describe("extractMainText: main content", () => {
  it("keeps the article, with headings, list items, table rows and pre blocks on their own lines", () => {
    expect(textOf(NEWS_ARTICLE)).toBe(NEWS_ARTICLE_TEXT);
  });

  it("removes each kind of boilerplate around the article", () => {
    const text = textOf(NEWS_ARTICLE);
    for (const boilerplate of [
      "News", "Sport", // navigation
      "Daily Example", // page header and footer
      "cookies", "Accept all", // cookie banner
      "Comments", "old mill bridge", // comment section
      "Share on", // share widget
      "Related stories", "Water voles", // related links (class)
      "Beavers", "Kingfishers", // a list of links inside the article
      "newsletter", "Sign up", // form
      "Advertisement", "not text", "color", // ad, script, style
      "River Otters Return", // the headline repeats the title
    ]) {
      expect(text, boilerplate).not.toContain(boilerplate);
    }
  });

  it("returns the title and the lang attribute", () => {
    expect(extractMainText(NEWS_ARTICLE)).toMatchObject({ ok: true, title: "River Otters Return | Daily Example", lang: "en-GB" });
    expect(extractMainText(JAPANESE_ARTICLE)).toMatchObject({ ok: true, title: "春の京都を歩く", lang: "ja" });
  });

  it("extracts a Japanese blog post without semantic tags", () => {
    expect(textOf(JAPANESE_ARTICLE)).toBe(JAPANESE_ARTICLE_TEXT);
  });

  it("extracts a Russian article and drops its share widget and comments", () => {
    expect(extractMainText(RUSSIAN_ARTICLE)).toMatchObject({ ok: true, text: RUSSIAN_ARTICLE_TEXT, lang: "ru" });
  });

  it("drops ads, related articles and comment threads whose classes name them in German, Spanish or Polish", () => {
    expect(textOf(GERMAN_NEWS)).toBe(GERMAN_NEWS_TEXT);
    expect(textOf(SPANISH_BLOG)).toBe(SPANISH_BLOG_TEXT);
    expect(textOf(POLISH_NEWS)).toBe(POLISH_NEWS_TEXT);
    // Chinese sites name their comments in pinyin (pinglun, 评论), Korean ones with "cmt".
    const prose = "市图书馆从一月起周六也将对外开放，市文化局负责人表示，这将方便更多市民借阅图书。";
    for (const cls of ["pinglun_list", "cmt-area"]) {
      expect(textOf(`<html><body><div class="content"><p>${prose}</p><p>${prose}</p><p>${prose}</p><div class="${cls}"><p>太好了，我们等了很多年，终于可以周末去借书了，感谢文化局。</p></div></div></body></html>`)).toBe(`${prose}\n\n${prose}\n\n${prose}`);
    }
  });

  it("drops WordPress's like box (Jetpack's sharedaddy), whose heading and loading text look like prose", () => {
    const likes = `<div class="sharedaddy sd-block sd-like jetpack-likes-widget-wrapper" id="like-post-wrapper-1"><h3 class="sd-title">Like this:</h3><div class="likes-widget-placeholder post-likes-widget-placeholder"><span class="button"><span>Like</span></span> <span class="loading">Loading...</span></div></div>`;
    expect(textOf(`<html><body><div class="entry-content"><p>${PROSE}</p><p>${PROSE}</p><p>${PROSE}</p>${likes}</div></body></html>`)).toBe(`${PROSE}\n\n${PROSE}\n\n${PROSE}`);
  });

  it("drops the words an icon font draws as glyphs (Material Icons' chevron_left)", () => {
    const html = `<html><body><article><p>${PROSE}</p><p>${PROSE} <a href="/blog"><i class="material-icons">chevron_left</i> All posts</a></p></article></body></html>`;
    expect(textOf(html)).toBe(`${PROSE}\n\n${PROSE} All posts`);
  });

  it("keeps every post of a forum thread and none of its author lines, profiles or software credits", () => {
    expect(textOf(PHPBB_THREAD)).toBe(PHPBB_THREAD_TEXT);
    expect(textOf(XENFORO_THREAD)).toBe(XENFORO_THREAD_TEXT);
    // Each post in a table of its own: the message of every post, not the poster's details.
    expect(textOf(VBULLETIN_THREAD)).toBe(VBULLETIN_THREAD_TEXT);
    // Each post an <article> in a list item: paragraphs, not bullet points; no signature.
    expect(textOf(WBB_THREAD)).toBe(WBB_THREAD_TEXT);
    // A Chinese forum: the messages with their line breaks, not the views, points, floor labels or signatures.
    expect(textOf(DISCUZ_THREAD)).toBe(DISCUZ_THREAD_TEXT);
  });

  it("keeps the question and every answer of a Q&A page when the best answer carries modifier classes (an accepted answer), and not the voting columns", () => {
    const question = "I am moving to another country this autumn and wonder whether to book a one-way ticket or a return that I may never use.";
    const answers = [
      "Last year I moved from Asia to Europe and had the same dilemma. I copied the fares of every airline into a spreadsheet, compared one-way tickets with returns for the same dates, and the one-way ticket won by a wide margin, even after the fees for changing a return. Then, once settled, I bought returns for visits home, which, with a little planning, cost less than two one-way tickets, and, as a bonus, earned miles.",
      "On long flights a round trip is often cheaper than one way and sometimes by half.",
      "It comes down to you. A return ticket can work out cheaper but you may not use it.",
      "I have moved countries three times and each time bought a one-way ticket for the move.",
    ];
    const answer = (text: string, i: number, accepted: boolean) =>
      `<div id="answer-${100 + i}" class="answer js-answer${accepted ? " accepted-answer js-accepted-answer" : ""}"><div class="post-layout"><div class="votecell"><div class="js-vote-count">${12 - i}</div><a href="/vote">Up vote</a></div>` +
      `<div class="answercell"><div class="s-prose js-post-body"><p>${text}</p></div><div class="post-menu"><a href="/a/${i}">Share</a> <a href="/posts/${i}/edit">Improve this answer</a> <a href="/follow">Follow</a></div>` +
      `<div class="post-signature"><a href="/users/${i}">user${i}</a> answered Sep ${i + 1}, 2016</div></div></div></div>`;
    const html = `<html><body><div id="mainbar"><div id="question" class="question js-question"><div class="post-layout"><div class="votecell"><div class="js-vote-count">7</div></div>` +
      `<div class="postcell"><div class="s-prose js-post-body"><p>${question}</p></div><div class="post-signature"><a href="/users/9">user9</a> asked Sep 1, 2016</div></div></div></div>` +
      `<div id="answers">${answers.map((a, i) => answer(a, i, i === 0)).join("")}</div></div></body></html>`;
    expect(textOf(html)).toBe([question, ...answers].join("\n\n"));
  });

  it("keeps a forum whose posts' classes say 'comment': the retry without class words also scores and cleans without them", () => {
    // The first pass drops every post as a comment section; the retry must not drop them again by their class's weight.
    const text = textOf(IPS_TOPIC);
    expect(text).toContain("Hallo, welchen Reifendruck fahrt ihr bei einem Wohnwagen mit 1.500 kg zulässigem Gesamtgewicht? Auf dem Typenschild stehen 3,3 bar, das kommt mir sehr hoch vor.");
    expect(text).toContain("Der Wert auf dem Typenschild gilt für die volle Beladung. Ich fahre meinen Wohnwagen mit 3,0 bar und habe nach vier Jahren ein gleichmäßiges Reifenbild.\n\nWichtig ist, den Druck im kalten Zustand zu messen.");
    for (const boilerplate of ["143 Beiträge", "Experte", "Anmelden", "Powered by"]) expect(text).not.toContain(boilerplate);
  });

  it("keeps a newer forum's thread, not the app-install popover nor the 'most popular posts' box the first pass finds beside posts whose ids say 'comment'", () => {
    const posts = [
      "Since the announcement that development has halted I keep getting gateway errors here. In case the forum does get shut down, I want to say thank you to everyone who answered my questions about docking, rendezvous and aerobraking over the years.",
      "I doubt the forum will close while the first game still sells well. The servers were simply overloaded by everyone reading the news at the same time this morning, and the errors stopped an hour later for me.",
      "If the forum goes, the game goes with it: this is where every mod is announced, documented and supported. No chat server keeps that history searchable for years, and half of the wiki links here.",
      "Quite a short journey, but a good one nonetheless. I learned orbital mechanics from the people in this forum, and I still use what they taught me at work every day when I plan satellite passes.",
      "Whatever happens, thank you to the moderators, who kept this place friendly through every update and every argument about the sequel. It was never an easy job and you did it for free.",
      "I joined in the early alpha and have read nearly every day since. Some of the mission reports here are better written than most of the books I own, and I hope someone archives them properly.",
      "An archive is already under way: a few of us have been saving the tutorial and mission report sections since the summer. Send me a message if there is a thread you want to be sure is kept.",
      "Good to see so many familiar names in one thread again. Whatever the studio decides, the community built something that will outlast it, and that is worth remembering tonight.",
      "For what it is worth, the forum software was updated last month and the hosting contract runs to the end of next year. Nobody spends money like that on a site they mean to close.",
      "My first post here was a question about why my rocket flipped over at ten kilometres. Twelve years later I still think about the answer, which was about drag and fins, every time I fly.",
    ];
    const post = (text: string, i: number) => `<article id="elComment_${100 + i}" class="ipsEntry js-ipsEntry ipsEntry--post"><aside class="ipsEntry__author-column"><a href="/profile/${i}">Member${i}</a> 2.8k posts</aside>
      <div id="comment-${100 + i}_wrap" class="ipsEntry__content"><div class="ipsEntry__post"><div class="ipsRichText"><p>${text}</p></div></div></div></article>`;
    const excerpts = posts.slice(0, 4).map((text) => `<li><a href="#elComment">${text.slice(0, 60)}</a></li>`).join("");
    const page = `<html><body class="ipsApp"><div class="iPwaInstall"><i-card popover id="iPwaInstall__learnPopover"><div class="iCard__content"><p>A full-screen app on your home screen with push notifications, badges and more.</p>
      <ol><li>Tap the Share icon in Safari</li><li>Scroll the menu and tap Add to Home Screen.</li><li>Tap Add in the top-right corner.</li></ol></div></i-card></div>
      <main class="ipsLayout__main"><h1>If the forum comes to an end soon</h1><div id="comments" class="cTopic"><div class="ipsEntries"><form>
      <div class="cTopicOverview"><div class="cTopicOverview__item"><h3>Most popular posts</h3><ul>${excerpts}</ul></div></div>
      ${posts.map(post).join("")}</form></div></div></main></body></html>`;
    const text = textOf(page);
    for (const kept of posts) expect(text).toContain(kept);
    for (const dropped of ["Most popular posts", "home screen", "2.8k posts"]) expect(text).not.toContain(dropped);
    // A popover is not shown until something opens it, wherever it sits.
    const card = `<div popover id="install"><p>${PROSE}</p><p>${PROSE}</p></div>`;
    expect(textOf(`<html><body><main>${card}<article><p>${posts[0]}</p><p>${posts[1]}</p></article></main></body></html>`)).toBe(`${posts[0]}\n\n${posts[1]}`);
  });

  it("keeps a vBulletin thread, not the guests' notice its helper class h-hide-imp hides over it", () => {
    // Shown, the notice would be a short text of its own beside posts whose classes say "comment" (see the next test).
    const notice = "If this is your first visit, be sure to check out the FAQ by clicking the link above. You may have to register before you can post: click the register link above to proceed.";
    const post = (text: string, i: number) => `<li class="b-post js-post js-comment-entry__parent" data-node-id="${i}"><div class="b-post__grid-container"><div class="b-userinfo">Gärtner${i}</div>
      <div class="b-post__body"><div class="b-post__content js-post__content"><div class="js-post__content-text restore h-wordwrap">${text}</div></div></div></div></li>`;
    const html = `<html><body><div id="outer-wrapper"><div id="wrapper"><ul id="notices" class="notices"><li class="notice restore"><span class="js-notice-text h-hide-imp">${notice}</span></li></ul>
      <div id="content"><div class="conversation-content"><ul class="conversation-list thread-view">${FORUM_POSTS.map(post).join("")}</ul></div></div></div></div></body></html>`;
    expect(textOf(html)).toBe(FORUM_POSTS.join("\n\n"));
  });

  it("keeps the replies of a Vanilla thread, built as its opening post, though their classes say 'comment'", () => {
    const opening = [
      "Seit dem Frühjahr baue ich Tomaten im Hochbeet an, dieses Jahr zum ersten Mal mit einer eigenen Erdmischung aus Kompost, Gartenerde und etwas Sand.",
      "Jetzt bekommen die Pflanzen braune Flecken an den unteren Blättern, und die Früchte reifen nur langsam. Gegossen wird morgens, direkt an der Wurzel.",
    ];
    const body = (text: string) => `<div class="Item-BodyWrap"><div class="Item-Body"><div class="Message userContent">${text}</div></div></div>`;
    const reply = (text: string, i: number) => `<li class="Item ItemComment" id="Comment_${10 + i}"><div class="Comment"><div class="Item-Header"><a href="/profile/${i}">Gärtner${i}</a></div>${body(text)}</div></li>`;
    const html = `<html><body class="Vanilla Discussion"><div id="Frame"><div id="Body"><div class="Column ContentColumn" id="Content"><h1>Braune Flecken an Tomaten</h1>
      <div class="MessageList Discussion"><div class="Item ItemDiscussion" id="Discussion_7"><div class="Discussion">${body(opening.map((p) => `<p>${p}</p>`).join(""))}</div></div></div>
      <div class="CommentsWrap"><div class="DataBox DataBox-Comments"><ul class="MessageList DataList Comments">${FORUM_POSTS.map(reply).join("")}</ul></div></div></div></div></div></body></html>`;
    // The replies are the items of a list, as the page has them; their posters' names are not text.
    expect(textOf(html)).toBe([["Braune Flecken an Tomaten", ...opening].join("\n\n"), FORUM_POSTS.map((post) => `- ${post}`).join("\n")].join("\n\n"));
    // Comments built otherwise than the post they follow stay out.
    const comment = (text: string, i: number) => `<li class="Item ItemComment" id="Comment_${10 + i}"><div class="Comment"><div class="comment-body"><div class="comment-content">${text}</div></div></div></li>`;
    const withComments = html.replace(FORUM_POSTS.map(reply).join(""), FORUM_POSTS.map(comment).join(""));
    expect(textOf(withComments)).toBe(["Braune Flecken an Tomaten", ...opening].join("\n\n"));
  });

  it("keeps every comment of a link's discussion page, each reply nested under the one it answers and each comment's id a hash", () => {
    const [a, b, c, d] = [
      "The goal that interests me most is the one on async closures: every project I maintain has a workaround for them, and each is uglier than the last. " +
        "We pass a boxed future out of a plain closure and document, in a comment above it, why nobody should touch it. A language feature would delete all of that, " +
        "and the error messages would finally point at the code we wrote instead of at the workaround.",
      "Same here. I counted eleven places in our codebase where we box a future only because a closure cannot be async, and every one of them costs an allocation. " +
        "None of them is on a hot path today, but two are close to one, and I would rather not find out in production which of them matters first.",
      "Boxing is not always the cost you think it is. We measured ours and the allocation was lost in the noise next to the network call it wrapped. " +
        "Measure before you rewrite anything; in our case the time went into serialising the request, and no change to the closures would have shown up at all.",
      "I am less excited about the ergonomic reference counting. Implicit clones hide costs that I would rather see in the code, even if the code gets longer. " +
        "When a clone is written out, a reviewer asks whether it is needed; when the compiler inserts it, nobody asks, and the cost shows up months later in a profile.",
    ];
    // A comment as a link aggregator builds it: votes, a byline, the text, and an <ol> of the replies to it.
    const comment = (text: string, id: string, votes: number, replies = "") =>
      `<li class="comments_subtree"><input id="fold_${id}" type="checkbox"><div id="c_${id}" class="comment"><div class="voters"><a class="upvoter" href="/login">${votes}</a></div>` +
      `<div class="details"><div class="byline"><span><a href="/~user_${id}">user_${id}</a> <a href="/c/${id}"><time>1 year ago</time></a></span></div>` +
      `<div role="heading" aria-level="3" class="comment_text"><p>${text}</p></div></div></div><ol class="comments">${replies}</ol></li>`;
    const tree = `<ol class="comments">${comment(a, "kwbsf0", 12, comment(b, "x9qzt1", 7, comment(c, "b3rx1q", 3)))}${comment(d, "m2pp7a", 5)}</ol>`;
    const story = `<div class="story_liner"><span class="link"><a href="https://blog.example.org/goals">Project goals for 2024</a></span> <a class="domain" href="/domains/blog.example.org">blog.example.org</a></div>`;
    const html = `<html><body><header><nav><a href="/">Home</a> <a href="/recent">Recent</a> <a href="/comments">Comments</a></nav></header><div id="inside">${story}<ol class="comments comments1"><li class="comments_subtree" id="story_comments">${tree}</li></ol></div></body></html>`;
    expect(textOf(html)).toBe([a, b, c, d].join("\n\n"));
  });

  it("keeps the comments of a discussion page that sets each in a form whose edit box is hidden, and still drops a form a reader fills in", () => {
    const [a, b, c, d, e] = [
      "Might this also help with tinnitus, if the same cells can be made to grow again in the inner ear of an adult? " +
        "I have had the ringing since a concert twenty years ago, and every new result about hair cells makes me hope a little, even when I know better.",
      "Probably not soon: the cells in the inner ear are a different kind, and nobody has yet made them regrow in a living animal. " +
        "Birds can do it, which is why the field keeps trying, but the signals that switch it on in birds seem to be missing in mammals.",
      "Thanks, that makes sense. I had read that the two were related and hoped that one result would carry over to the other. " +
        "It is still good news for the people who wanted their hair back, and the method might teach something about the ear as well.",
      "The study itself is careful to say that this is a first step in mice, and that a treatment for people is years away. " +
        "The headline oversells it, as headlines do, but the paper is worth reading for the part about the cells that support regrowth.",
      "Agreed on the headline. The mice grew hair for several cycles, which is the new part: earlier attempts made follicles that stopped after one. " +
        "Whether the grafts last in a larger animal is the next question, and the authors say so in their last paragraph.",
    ];
    // A comment as old reddit builds it: its text in a <form> that also holds the edit box, hidden until the author edits.
    const comment = (text: string, id: string, replies = "") =>
      `<div class="thing comment" id="thing_t1_${id}"><div class="entry"><p class="tagline"><a href="/user/u_${id}">u_${id}</a> 5 points</p>` +
      `<form class="usertext warn-on-unload" id="form-t1_${id}"><input type="hidden" name="thing_id" value="t1_${id}"><div class="usertext-body"><div class="md"><p>${text}</p></div></div>` +
      `<div class="usertext-edit" style="display: none"><textarea name="text"></textarea><button type="submit">save</button></div></form>` +
      `<ul class="flat-list buttons"><li><a href="/r/x/comments/1/_/${id}">permalink</a></li><li><a href="#">reply</a></li></ul></div>` +
      `<div class="child"><div class="sitetable listing">${replies}</div></div></div>`;
    const tree = comment(a, "o8n5jv", comment(b, "o8nd42")) + comment(c, "o8ntqg") + comment(d, "o8nyk6", comment(e, "o8p2xm"));
    const newsletter = `<form class="newsletter-signup"><p>Get the week's best threads in your inbox.</p><input type="email" name="email"><button>Sign up</button></form>`;
    const html = `<html><body><div id="header"><a href="/">reddit</a> <a href="/r/science">science</a></div><div class="content"><div class="sitetable linklisting"><div class="thing link"><p class="title"><a href="https://example.org/study">Hair cells grown in the lab for the first time</a></p></div></div>` +
      `<div class="commentarea"><div class="sitetable nestedlisting">${tree}</div></div>${newsletter}</div></body></html>`;
    const text = textOf(html);
    // Each comment, in the page's order (their posters' lines may come with them, as a thread's).
    let at = -1;
    for (const post of [a, b, c, d, e]) {
      expect(text.indexOf(post)).toBeGreaterThan(at);
      at = text.indexOf(post);
    }
    for (const boilerplate of ["Get the week's best threads", "permalink", "save"]) expect(text).not.toContain(boilerplate);
  });

  it("keeps a short notice's comments and sidebar out: the retry without class words is for posts named as comments, not for a short article beside them", () => {
    const notice = "Vom 23. Dezember bis zum 1. Januar bleibt die Stadtbibliothek wegen Renovierung geschlossen. Ab dem 2. Januar sind wir wieder da.";
    const comment = (i: number) =>
      `<li id="comment-${i}" class="comment"><article class="comment-body"><b>Leser${i}</b><div class="comment-content"><p>${FORUM_POSTS[i]}</p></div></article></li>`;
    const html = `<html><body><main><div class="news-item"><h1>Bibliothek geschlossen</h1><div class="entry-content"><p>${notice}</p></div></div>
      <div id="comments" class="comments-area"><ol class="comment-list">${[0, 1, 2].map(comment).join("")}</ol></div></main></body></html>`;
    expect(textOf(html)).toBe(notice);
    const widget = (heading: string, text: string) => `<div class="widget"><h3>${heading}</h3><p>${text}</p></div>`;
    const withSidebar = `<html><body><div id="main"><div class="content"><h1>Bürgerbüro</h1><p>${notice}</p></div>
      <div class="sidebar">${widget("Kontakt", FORUM_POSTS[0]!)}${widget("Notdienste", FORUM_POSTS[1]!)}${widget("Termine", FORUM_POSTS[2]!)}</div></div></body></html>`;
    expect(textOf(withSidebar)).toBe(`Bürgerbüro\n\n${notice}`);
  });

  it("drops a CMS article's details list (author, category, date, hits) above its body", () => {
    expect(textOf(JOOMLA_ARTICLE)).toBe(JOOMLA_ARTICLE_TEXT);
  });

  it("drops a blog post's line of details whose class runs the words together (postmetadata, singlepostmeta)", () => {
    const meta = `Von <a href="/author/redaktion">Redaktion</a> am 21/02/2021. Abgelegt unter <a href="/category/israel" rel="category tag">Israel</a>. Sie können alle Antworten zu diesem Eintrag durch den <a href="/feed">RSS 2.0</a> verfolgen. Kommentare und Pings sind derzeit geschlossen.`;
    for (const cls of ["singlepostmeta", "postmetadata"]) {
      const html = `<html><body><div class="post"><div class="entry"><p>${GERMAN_PROSE}</p><p>${PROSE}</p><div class="${cls}">${meta}</div></div></div></body></html>`;
      expect(textOf(html)).toBe(`${GERMAN_PROSE}\n\n${PROSE}`);
    }
  });

  it("extracts Chinese and Arabic news without the link lists beside them", () => {
    expect(textOf(CHINESE_NEWS)).toBe(CHINESE_NEWS_TEXT);
    expect(textOf(ARABIC_NEWS)).toBe(ARABIC_NEWS_TEXT);
  });

  it("keeps a page of many small blocks whole, and a table that is the content", () => {
    expect(textOf(DUTCH_FAQ)).toBe(DUTCH_FAQ_TEXT);
    expect(textOf(TIMETABLE)).toBe(TIMETABLE_TEXT);
  });

  it("reads an encyclopedia article without its edit links, contents, navigation box and categories", () => {
    const text = textOf(WIKI_ARTICLE);
    for (const kept of ["Die Burg Eltz ist eine Höhenburg", "Entstehungszeit | 12. Jahrhundert", "Die erste urkundliche Erwähnung stammt aus dem Jahr 1157.", "nie zerstört"]) expect(text).toContain(kept);
    for (const dropped of ["Bearbeiten", "Inhaltsverzeichnis", "Hauptseite", "Kategorien", "Burg B", "zuletzt am"]) expect(text).not.toContain(dropped);
  });

  it("ends the article at a heading that introduces other pages' teasers", () => {
    expect(textOf(GERMAN_RELATED_TEASERS)).toBe(GERMAN_RELATED_TEASERS_TEXT);
    // A comments heading ends it too, with the comments under it.
    const comment = "Endlich! Wir warten seit Jahren darauf, dass die Stadt hier etwas unternimmt, und hoffen auf mehr davon.";
    const withComments = `<html><body><div class="entry"><p>${GERMAN_PROSE}</p><p>${GERMAN_PROSE}</p><h3>3 Kommentare</h3><p>${comment}</p></div></body></html>`;
    expect(textOf(withComments)).toBe(`${GERMAN_PROSE}\n\n${GERMAN_PROSE}`);
    // Matched whole: a heading that merely mentions the words is the article's own.
    const prose = "Die Bibliothek verlängert ab Januar ihre Öffnungszeiten und öffnet auch samstags, wie der Kulturausschuss beschlossen hat.";
    const html = `<html><body><article><p>${prose}</p><h2>Weitere Artikel der Autorin erscheinen im Frühjahr</h2><p>${prose}</p></article></body></html>`;
    expect(textOf(html)).toBe(`${prose}\n\nWeitere Artikel der Autorin erscheinen im Frühjahr\n\n${prose}`);
    // A heading whose class says "related" survives the class pruning to end the article: the
    // teaser after it goes too, though nothing else marks it.
    const teaser = "A vida requer da gente otimismo e coragem para esperar o melhor e fazer o melhor acontecer, sem perder o entusiasmo …";
    const page = `<html><body><div class="posts"><p>${prose}</p><p>${prose}</p><h3 class="relatedpoststitle">Você pode gostar...</h3><p>${teaser}</p></div></body></html>`;
    expect(textOf(page)).toBe(`${prose}\n\n${prose}`);
    // An author box, a shop's "customers also bought", and the same headings in Russian, Arabic and Chinese.
    const pages: Array<[string, string, string]> = [
      [GERMAN_PROSE, "Über den Autor", "Max Muster schreibt seit 2010 für das Lokalressort über Verkehr und Stadtplanung."],
      [PROSE, "About the author", "Jane Doe has covered city hall for the paper since 2012 and lives with two cats."],
      [GERMAN_PROSE, "Kunden kauften auch", "Fahrradschloss mit Zahlenkombination, extra lang, für Gepäckträger und Rahmen."],
      ["Городская библиотека с января будет работать и по субботам, сообщили в управлении культуры.", "Читайте также:", "Наконец-то! Мы давно этого ждали и очень рады за наших детей."],
      ["أعلنت البلدية أن المكتبة العامة ستفتح أبوابها أيام السبت ابتداء من شهر يناير المقبل.", "التعليقات", "خبر رائع، ننتظر هذا منذ سنوات طويلة ونشكر البلدية على جهودها."],
      ["市图书馆从一月起周六也将对外开放，市文化局负责人表示，这将方便更多市民借阅图书。", "网友评论", "太好了，我们等了很多年，终于可以周末去借书了。"],
      // With the count after the word, as Korean, Chinese and many German sites set it.
      ["시립도서관은 내년 1월부터 토요일에도 문을 연다고 밝혔다. 시민들의 요청이 많았기 때문이다.", "댓글 3", "드디어 주말에도 책을 빌릴 수 있게 되었네요. 정말 반가운 소식입니다."],
      ["市图书馆从一月起周六也将对外开放，市文化局负责人表示，这将方便更多市民借阅图书。", "评论（12）", "太好了，我们等了很多年，终于可以周末去借书了。"],
      [GERMAN_PROSE, "Kommentare (3)", "Endlich! Wir warten seit Jahren darauf, dass die Stadt hier etwas unternimmt."],
      [GERMAN_PROSE, "Leserdebatte", "Zwölf Prozent klingt gut, aber die Preise wurden vorher um über vierzig Prozent erhöht."],
      // Indonesian, Czech and Persian.
      ["Perpustakaan kota akan buka setiap hari Sabtu mulai bulan Januari, kata kepala dinas kebudayaan kepada wartawan.", "Baca juga:", "Harga bahan pokok naik menjelang akhir tahun di beberapa daerah."],
      ["Městská knihovna bude od ledna otevřena i v sobotu, oznámil vedoucí odboru kultury na tiskové konferenci.", "Související články", "Ceny potravin před koncem roku opět vzrostly v několika regionech."],
      ["کتابخانه شهر از ماه ژانویه روزهای شنبه نیز باز خواهد بود، رئیس اداره فرهنگ به خبرنگاران گفت.", "مطالب مرتبط", "قیمت مواد غذایی در پایان سال در چند استان افزایش یافت."],
    ];
    for (const [text, heading, after] of pages) {
      const html = `<html><body><div class="entry"><p>${text}</p><p>${text}</p><h3>${heading}</h3><p>${after}</p></div></body></html>`;
      expect(textOf(html)).toBe(`${text}\n\n${text}`);
    }
  });

  it("drops the article's metadata marked by schema.org microdata or a Drupal 'submitted' line", () => {
    const prose = "Der Gemeinderat hat am Dienstag den Haushalt für das kommende Jahr beschlossen, mit deutlich mehr Geld für Schulen und Radwege.";
    const html = `<html><body><article><h1>Haushalt beschlossen</h1><p><span itemprop="author">Anna Berger</span> <time itemprop="datePublished">Dienstag, 14. Januar 2025, 18:02 Uhr</time></p><div class="submitted">Von Anna Berger, 14.01.2025</div><p>${prose}</p><p>${prose}</p></article></body></html>`;
    expect(textOf(html)).toBe(`Haushalt beschlossen\n\n${prose}\n\n${prose}`);
  });

  it("takes the block named as the post's text over a grid of other posts' longer excerpts", () => {
    const article = [
      "If someone is not careful at the gym, they may get hurt, and dropping a weight is the most common cause.",
      "Most waivers only protect the gym from being sued if the company or its employees were negligent.",
      "Where the equipment was faulty, the maker of the equipment may be liable instead of the gym.",
    ];
    const excerpt = (n: number) =>
      `Teaser ${n}: when the agency denies a claim, it can feel like a dead end, and many applicants wonder, rightly, whether they can sue, what it costs, how long it takes, which forms they need, who can help them, and whether a lawyer is worth it, since the system is complex, the deadlines are strict, the denial rates are high, and every case is different, so`;
    const posts = [1, 2, 3, 4].map((n) => `<article class="elementor-post post type-post"><h3 class="elementor-post__title"><a href="/post-${n}">Other post ${n}</a></h3><div class="elementor-post__excerpt"><p>${excerpt(n)}</p></div></article>`).join("");
    const html = `<html><body><nav><a href="/">Home</a> <a href="/blog">Blog</a></nav><div class="e-con e-parent"><div class="e-con"><h1>Getting hurt at a gym</h1><div class="elementor-widget elementor-widget-theme-post-content"><div class="elementor-widget-container">${article.map((p) => `<p>${p}</p>`).join("")}</div></div></div><div class="e-con elementor-hidden-tablet"><div class="elementor-widget elementor-widget-posts"><div class="elementor-widget-container"><div class="elementor-posts-container">${posts}</div></div></div></div></div></body></html>`;
    expect(textOf(html)).toBe(article.join("\n\n"));
  });

  it("keeps the prose of a page that is mostly a list of links (a Wikipedia list) from its <main>", () => {
    const intro =
      'This is an index to notable <a href="/wiki/Programming_language">programming languages</a>, in current or historical use. Dialects of <a href="/wiki/BASIC">BASIC</a>, <a href="/wiki/Esoteric">esoteric programming languages</a>, and <a href="/wiki/Markup_language">markup languages</a> are not included. A programming language does not need to be <a href="/wiki/Imperative">imperative</a> or Turing-complete, but it must be executable, so the list leaves out HTML and XML and takes in domain-specific languages such as SQL.';
    const letters = ["A", "B", "C", "D", "E", "F", "G", "H"].map((l) => `<h2>${l}</h2><ul>${[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((n) => `<li><a href="/wiki/${l}${n}">${l}${n} language</a></li>`).join("")}</ul>`).join("");
    const html = `<html><body><nav><a href="/">Main page</a> <a href="/random">Random article</a></nav><main class="mw-body"><h1>List of programming languages</h1><div class="vector-body"><div class="vector-body-before-content"><div id="siteSub" class="noprint">From Wikipedia, the free encyclopedia</div></div><div class="mw-parser-output"><p>${intro}</p>${letters}</div></div></main><footer>This page was last edited on 1 March 2026.</footer></body></html>`;
    const text = textOf(html);
    expect(text).toContain("This is an index to notable programming languages, in current or historical use.");
    expect(text).not.toContain("Random article");
    expect(text).not.toContain("last edited");
  });

  it("keeps every item of a listicle whose numbered <li>s have no class, each item's title with it", () => {
    const cars = ["Kia PV5", "BMW iX3", "Renault 5", "Skoda Elroq"];
    const para = (car: string, n: number) => `The ${car} is the ${n === 0 ? "first" : "next"} car on this list, and it earns its place with a calm ride, a long range, quick charging and a cabin that works well.`;
    // The first item is the longest, so the others do not score close to it.
    const paragraphs = (car: string, i: number) => (i === 0 ? [0, 1, 2] : [1]).map((n) => para(car, n));
    const items = cars
      .map((car, i) => `<li><div class="sc-b fhead"><span class="number"></span><div class="sc-b title"><h2>${car}</h2></div></div><div class="sc-b kowhxa"><div class="sc-b javgaz"><div class="mk-wrap"><div class="mk">${paragraphs(car, i).map((p) => `<p>${p}</p>`).join("")}</div></div></div></div></li>`)
      .join("");
    const html = `<html><body><nav><a href="/">Home</a> <a href="/reviews">Reviews</a></nav><div id="wrap"><h1>The best electric cars</h1><ol class="listicle">${items}</ol></div><footer>© Example Media</footer></body></html>`;
    expect(textOf(html)).toBe(cars.flatMap((car, i) => [car, ...paragraphs(car, i)]).join("\n\n"));
  });

  it("keeps every post of a thread set as sibling <article>s without a class, each poster's name with its post (Flarum's page for readers without JavaScript)", () => {
    const posts: Array<[string, string[]]> = [
      ["antonjw", [0, 1, 2, 3].map((n) => `Forum software still copies the bulletin boards of the nineties, and idea ${n + 1} of this long opening post asks what a community needs from it, beyond threads and replies.`)],
      ["Toby", ["I love this kind of back-to-basics thinking. Most of these ideas could be built as extensions, and some of them already are, so it is a good time to talk about them."]],
      ["wizgriz", ["I see it the other way round: a forum should stay a forum, and a blog belongs on a blogging platform, however many extensions the forum may have."]],
    ];
    const article = ([name, paragraphs]: [string, string[]]) => `<article><div class="PostUser"><h3 class="PostUser-name">${name}</h3></div><div class="Post-body">${paragraphs.map((p) => `<p>${p}</p>`).join("")}</div></article>`;
    const html = `<html><body><div id="flarum-loading">Loading...</div><div class="container"><h1>Types of threads: Flarum as a discussion engine</h1><div>${posts.map(article).join("<hr>")}</div></div><footer><a href="/terms">Terms</a></footer></body></html>`;
    expect(textOf(html)).toBe(posts.flatMap(([name, paragraphs]) => [name, ...paragraphs]).join("\n\n"));
  });

  it("keeps the blocks a rich-text editor set inside the article (CKEditor's ck-widget grids)", () => {
    const plants = [
      "Snake plant stores water in its thick leaves and rhizomes, so it forgives the gardener who forgets to water it for a month.",
      "Cast-iron plant was a favourite in Victorian parlours, where it grew in dim corners that would have killed most other plants.",
      "Heartleaf philodendron trails from a shelf or a hanging basket and grows well in a north window, even in the middle of winter.",
    ];
    const grid = (text: string) => `<div class="ck-widget ck-widget row"><div class="ck-widget bs_grid"><div class="col-lg"><p>${text}</p></div></div></div>`;
    const html = `<html><body><nav><a href="/">Home</a> <a href="/visit">Plan a visit</a></nav><article><h1>Plants for low-light rooms</h1><div class="plant-info"><p>${PROSE}</p>${plants.map(grid).join("")}</div></article><footer>Chicago Botanic Garden</footer></body></html>`;
    expect(textOf(html)).toBe(["Plants for low-light rooms", PROSE, ...plants].join("\n\n"));
  });

  it("repairs text whose page escaped UTF-8 read as windows-1252 (&acirc;&euro;&trade;)", () => {
    const html = `<html><head><title>AI isn&acirc;&euro;&trade;t magic</title></head><body><article><p>Artificial intelligence isn&acirc;&euro;&trade;t just changing how we optimise websites &acirc;&euro;&ldquo; it changes how people find a caf&Atilde;&copy;, and that is why this paragraph is long.</p></article></body></html>`;
    const result = extractMainText(html);
    expect(result.ok && result.text).toBe("Artificial intelligence isn’t just changing how we optimise websites – it changes how people find a café, and that is why this paragraph is long.");
    expect(result.ok && result.title).toBe("AI isn’t magic");
  });

  it("keeps a thread of short posts whose classes say 'comment' without a member's long signature", () => {
    const question = "Hi, I'd like to know the roadmap for future products and version releases. It appears the only forum information posted are changes to the released products. Thank you!";
    const answer = "For more insight into the roadmap, you may want to check whether you can join the customer circle.";
    const signature = [
      "Community Leader, Expert, Software Engineer, UX Designer.",
      "Design should be simple. Communication should be honest. I advocate for both, on behalf of everyone who builds a store.",
      "Want to improve your store? I build proven solutions including breadcrumbs, currencies, favourites and wishlists, and I maintain them.",
      "Tip of the week: be cautious with copy-paste snippets; they are likely to stop working within a few months, so buy maintained plugins.",
    ];
    const post = (id: number, author: string, text: string, sig = "") =>
      `<article class="ipsEntry js-ipsEntry ipsEntry--post" id="elComment_${id}"><aside class="ipsEntry__author-column"><a href="/profile/${author}">${author}</a></aside><div class="ipsEntry__content js-ipsEntry__content comment-${id}_wrap"><div class="ipsEntry__post"><div class="ipsRichText ipsRichText--user"><p>${text}</p></div>${sig}</div></div></article>`;
    const sig = `<div class="ipsEntry__signature"><div class="ipsRichText">${signature.map((p) => `<p>${p}</p>`).join("")}</div></div>`;
    const html = `<html><body><header><nav>${["Forums", "Products", "Commerce", "Design", "Developers", "Marketing", "Domains", "Email", "Scheduling", "Member sites", "Events", "Help center", "Status", "Blog", "Webinars", "Circle"].map((l) => `<a href="/${l}">${l} discussions and announcements</a>`).join(" ")}</nav></header><div class="cTopic ipsBlockSpacer comments"><form><div class="ipsEntries elPostFeed">${post(1, "ron1cne", question)}${post(2, "paul2009", answer, sig)}</div></form></div><footer>Powered by Invision Community</footer></body></html>`;
    expect(textOf(html)).toBe([question, answer].join("\n\n"));
  });

  it("keeps a thread whose posts' classes say 'comment' over the 'sign in to comment' box under it", () => {
    const posts = [
      "Just thought I would make an updated thread to discuss the pros and cons of using a travel agent when booking a cruise.",
      "No cost for their services: agents are paid by the cruise lines, so you do not pay anything extra for their help.",
      "We used one last year and she found us a cabin upgrade that we would never have seen on the cruise line's own site.",
    ];
    const post = (id: number, text: string) =>
      `<article class="cPost ipsBox ipsComment ipsComment_parent" id="elComment_${id}"><aside class="ipsComment_author cAuthorPane"><h3><a href="/profile/${id}">member${id}</a></h3></aside><div class="ipsColumn ipsColumn_fluid"><div class="ipsComment_content ipsType_medium comment-${id}_wrap"><div class="cPost_contentWrap"><div class="ipsType_normal ipsType_richText"><p>${text}</p></div></div></div></div></article>`;
    const nav = ["Forums", "Cruise lines", "Ports", "Roll calls", "Reviews", "Deals", "News", "Help"].map((l) => `<a href="/${l}">${l}</a>`).join(" ");
    const reply = `<div data-role="replyArea" class="cTopicPostArea ipsBox ipsPadding"><div class="ipsType_center ipsPad"><h2 class="ipsType_pageTitle">Join the Discussion</h2><p class="ipsType_light">Sign in or create your free account to comment, connect with other cruisers, gain Roll Call access, and follow conversations that matter to you.</p><a href="/login" class="ipsButton">Sign In / Join</a></div></div>`;
    const html = `<html><body><header><nav>${nav}</nav></header><div class="cTopic ipsClear"><form><div class="cTopic ipsClear ipsSpacer_top">${posts.map((t, i) => post(i + 1, t)).join("")}</div></form>${reply}</div><footer>Cruise Critic Community</footer></body></html>`;
    expect(textOf(html)).toBe(posts.join("\n\n"));
  });

  it("keeps the prose of a section that is dense with links only for its list of links", () => {
    const gcc = "There's been some nice progress on the GCC side these past months, and most of the patches that were ready have now been sent upstream.";
    const prs = [101, 102, 103, 104, 105].map((n) => `<li><a href="https://github.com/rust-lang/gcc/pull/${n}">Support target feature ${n}</a></li>`).join("");
    const section = (heading: string, body: string) => `<div class="sect1"><h2>${heading}</h2><div class="sectionbody">${body}</div></div>`;
    const paragraphs = (n: number) => `<div class="paragraph"><p>${PROSE}</p></div>`.repeat(n);
    const sections = [section("What is it?", paragraphs(2)), section("State", paragraphs(2)), section("GCC", `<div class="paragraph"><p>${gcc}</p></div><div class="ulist"><ul>${prs}</ul></div>`), section("Next", paragraphs(1))];
    const html = `<html><body><nav><a href="/">Blog</a> <a href="/about">About</a></nav><main><article><h1>Progress report</h1><div class="content">${sections.join("")}</div></article></main></body></html>`;
    // The section's list of pull requests goes; its paragraph stays (it went with the list before).
    expect(textOf(html)).toBe(["Progress report", "What is it?", PROSE, PROSE, "State", PROSE, PROSE, "GCC", gcc, "Next", PROSE].join("\n\n"));
  });

  it("keeps a lead or summary block beside the article's body", () => {
    const lead = "Nach tagelangen Verhandlungen haben sich Stadt und Verkehrsbetriebe auf ein günstigeres Monatsticket für Schüler geeinigt.";
    const prose = "Das Ticket soll ab August 25 Euro im Monat kosten und im gesamten Verbundgebiet gelten, auch in den Ferien und am Wochenende.";
    const html = `<html><body><nav><a href="/">Start</a></nav><div class="story"><div class="article-intro">${lead}</div><div class="article-body"><p>${prose}</p><p>${prose}</p><p>${prose}</p></div><div class="promo-box">Jetzt testen: unsere App mit allen Nachrichten aus der Region, kostenlos für Android und iOS.</div></div></body></html>`;
    expect(textOf(html)).toBe([lead, prose, prose, prose].join("\n\n"));
  });

  it("drops ad labels, needs-JavaScript notices and linked sign-up and follow-us pitches inside the article", () => {
    const prose = "Die Bauarbeiten an der Rheinbrücke dauern länger als geplant, weil bei Bohrungen alte Fundamente aus dem 19. Jahrhundert gefunden wurden.";
    const notices = [
      "<div>Anzeige</div>",
      "<p>Für diese Bildergalerie müssen Sie JavaScript aktivieren.</p>",
      `<p>Die wichtigsten Nachrichten jeden Morgen: <a href="/nl">Jetzt den Newsletter abonnieren</a>.</p>`,
      // A pitch for the site's social channels.
      `<p>Подписывайтесь на наш <a href="https://t.me/example">канал в Telegram</a>, чтобы первыми узнавать новости.</p>`,
      `<p>Follow us on Twitter <a href="https://x.com/example">@example</a> and on Facebook.</p>`,
      // Ad labels in other scripts, gallery counters, reading times, bare addresses, newswire credits.
      "<div>Реклама</div>", "<div>广告</div>", "<div>Iklan</div>",
      "<p>Image 2 of 5</p>", "<div>3 / 12</div>", "<p>Page 1 of 8</p>", "<div>Seite 2 von 5</div>", "<p>Lesezeit: 4 Minuten</p>", "<p>5 min read</p>",
      "<p>redaktion@example.de</p>", "<p>twitter.com/example</p>",
      "<p>(Reporting by Jane Doe; Editing by John Roe)</p>", "<p>Max Muster contributed reporting from Hong Kong.</p>",
      // Date lines.
      '<p class="pageDate">Stand: 01.02.2024</p>', "<p>Updated at 1:23 p.m.</p>", "<div>Publié le 14 janvier 2023 à 06h00</div>",
      // Dates alone, bylines alone, sign-offs.
      "<p>12. März 2024, 7:00 Uhr</p>", "<div>Tuesday, March 12, 2024</div>", "<p>14 janvier 2023 à 06h00</p>", "<p>12.03.2024 | 07:00</p>", "<p>2024-03-12</p>",
      "<p>Von Maria Muster</p>", "<p>12.03.2024 07:00 von Maria Muster</p>", "<p>By Jane Doe and John Roe</p>", "<p>Par Jean Dupont, à Paris</p>", "<div>Von Anna Berger, 14.01.2025</div>",
      "<p>(mho)</p>", "<p>mrc/dpa</p>", "<p>(AFP/Reuters)</p>",
      // A video's credit ending in a date; a broadcaster's on-air note.
      "<div>Max Muster, ARD Berlin, tagesschau, 10.01.2024 06:00 Uhr</div>",
      "<p><em>Über dieses Thema berichtete die tagesschau am 10. Januar 2024 um 20:00 Uhr.</em></p>",
      // Pointers past an ad or a gallery.
      "<p>Story continues below gallery</p>", "<div>Weiterlesen nach der Anzeige</div>", "<div>Advertisement - Scroll to continue</div>",
      '<p class="video-info">Dalsza część artykułu pod materiałem wideo</p>', "<p>Der Artikel wird unter dem Video fortgesetzt</p>",
      // A forum post's reaction counts (Discourse's crawler view).
      "<div><span>2 „Gefällt mir“</span></div>", "<div>12 likes</div>", "<p>3 J'aime</p>",
      // Skip links a screen reader reads first (MediaWiki's run together).
      '<div><a href="#nav">Jump to navigation</a><a href="#search">Jump to search</a></div>', '<p><a href="#main">Zum Inhalt springen</a></p>',
      `<p><a href="#a11y">Accéder aux raccourcis d'accessibilité</a></p>`,
      // More date lines, a date with its reading time, reading times alone, a media player's times.
      "<p>Zuerst veröffentlicht am 30/04/2024 - 16:17</p>", "<p>Publiziert heute um 12:19 Uhr</p>", "<div>06. 01. 2026, 14:59 Uhr Lesedauer: 4 Minuten</div>",
      "<div>28.04.2023, 19:09 3 Min.</div>", "<div>3 Min Lesezeit</div>", "<div><span>8 Min</span></div>", "<div>00:00 / 03:15</div>", "<div>Duration 1:30</div>",
      // Inline elements alone on their line between blocks: a date, a loading player.
      '<time datetime="2024-04-30">Published on 30/04/2024 - 16:38</time>', `<p>${prose}</p>`, "<span>Player wird geladen</span>",
      // A report-an-error link, an old-browser notice, ad labels, subscribers-only notices.
      '<p>Fehler gefunden?<a href="/feedback">Jetzt melden.</a></p>', "<p>Your web browser is no longer supported. To improve your experience update it here</p>",
      "<div>[PR]</div>", "<div>Passer la publicité</div>", "<p>Article réservé aux abonnés</p>", "<p>Il vous reste 57.09% de cet article à lire. La suite est réservée aux abonnés.</p>",
      // Credits: a Chinese editor's in brackets, files and reporting from agencies, an agency's sign-off with the editor's initials.
      "<p>(责编：张三、李四)</p>", "<p>With files from The Associated Press</p>", "<p>With reporting by Associated Press writer Jane Doe</p>", "<p>Mit Agenturmaterial.</p>", "<p>SDA/sep</p>",
      // Relative times, Nordic date lines and ad labels, a photo agency's name alone, a skip link past a promotion.
      "<p>14 hours ago</p>", "<div>vor 2 Stunden</div>", "<div>|Published 4 months ago</div>", "<p>Akt.: 29. Juni 2025 - 21.18 Uhr</p>", "<div>Uppdaterad 15.59 | Publicerad 14.14</div>", "<div>Annons</div>", "<div>Реклама:</div>",
      "<div>Anmäl fel</div>", "<p>Getty Images</p>", "<p>REUTERS</p>", '<p><a href="#end">skip past newsletter promotion</a></p>',
      // A byline's label whose names went with the author's box.
      "<p>Von:</p>", "<div>By:</div>", "<p>Written by Jane Doe</p>", "<h5>Von Anna Muster, Frankfurt</h5>", "<h6>12.03.2024</h6>",
      // A blog's pitches under its post: a recipe's rating, Medium's follow box, a Pinterest button's label.
      "<p>Did you make this recipe? Please leave a star rating below and tag me on Instagram.</p>", "<p>Hast du das Rezept ausprobiert? Dann lass mir gern eine Bewertung da.</p>",
      "<p>Get Jane Doe’s stories in your inbox</p>", "<p>Join Medium for free to get updates from this writer.</p>", "<div>PIN FOR LATER</div>",
      // A German paywall's offer.
      "<p>Jetzt weiterlesen mit BZ+</p>", "<div>4 Wochen für nur 1 € testen</div>", "<p>Zugang zu allen Premium-Artikeln</p>", "<p>Flexible Laufzeit, monatlich kündbar.</p>",
      "<p>Sie haben bereits ein Abo? Hier anmelden</p>",
      // The same offer as one block of <br>-broken lines, every one of them a notice.
      "<div>4 Wochen für nur 1 € testen<br> <strong>Zugang zu allen Premium-Artikeln</strong><br> Flexible Laufzeit, monatlich kündbar.<br></div>",
      // Dates with Russian, Turkish and Czech month names; a Turkish date line, one after a date and a bullet; Turkish and Arabic controls, a next-article label.
      "<p>12 марта 2024, 14:30</p>", "<div>20 Nisan 2026</div>", "<div>5. března 2024</div>", "<p>Giriş: 03.07.2024 - 18:24 Güncelleme: 03.07.2024 - 18:57</p>",
      // Bylines with the date or time they were posted at; a pitch for the readers who fund the story.
      "<p>Posted by David at December 16, 2025 11:15 AM</p>", "<p>By John Roe on March 3, 2024</p>", "<p>Von Anna Muster am 3. März 2024</p>", "<p>This story is funded by readers like you.</p>",
      // A forum poster's details beside the post.
      "<div>Original Poster</div>", "<div>Join Date: Aug 2008</div>", "<div>Posts: 1,077</div>", "<div>Registriert seit: 12.03.2008</div>", "<div>Beiträge: 2.345</div>", "<div>Upvotes: 0</div>",
      // The software a site runs on, a pin button's pitch.
      "<p>Powered by WordPress</p>", "<div>Proudly powered by vBulletin® Version 4.2.5</div>", "<div>LIKE IT? PIN IT!</div>",
      // Jump links, a contents label, an ad's continue-reading line and a picture's zoom label.
      "<div>Jump to Recipe</div>", "<p>JUMP TO THE LIST</p>", "<p>Table of Contents</p>", "<div>Advertisement - Continue Reading Below</div>", "<div>Click to enlarge</div>",
      "<p>Folgst du schon 20 Minuten auf WhatsApp?</p>",
      // A newsletter platform's paywall, a template's placeholder text.
      "<h3>This post is for paid subscribers</h3>", "<p>Subscribe to get access</p>", "<p>Read more of this content when you subscribe today.</p>", "<div>Keep reading with a 7-day free trial</div>",
      "<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua.</p>",
      // A picture's placeholder text, a German "read more", a heading over other pages of the site, a separator left between links.
      "<div>Placeholder image-1</div>", "<p>Lesen Sie mehr</p>", "<p>Mehr Themen auf VOGUE.de:</p>", "<div><span>/</span></div>", "<p>|</p>",
      "<div>20 Nisan 2026•Güncelleme: 20 Nisan 2026</div>", "<p>25/04/2026 Actualizado a las 15:10h.</p>", "<p>5 gennaio 2025 ( modifica il 6 gennaio 2025 | 15:24)</p>", "<div>January 28, 2025 11:30 am (Updated 11:54 am)</div>", "<div>ABONE OL</div>", "<p>Devamını oku</p>", "<div>التالي</div>", "<div>السابق</div>", "<p>Next article</p>", "<p>Nächster Artikel</p>",
    ];
    const kept = [
      "Anwohner können sich bis Freitag im Rathaus für die Bürgerversammlung anmelden.", "Stand heute sind 60 Prozent fertig.",
      "Von Berlin nach Hamburg", "Am 12. März 2024 beginnt der Umbau.", "(siehe oben)", "Der Rat tagte am 12.03.2024. Die Sitzung dauerte bis 22:00 Uhr",
      "Publiziert wurde die Studie 2019 in der Zeitschrift Nature.", "8 Minuten später war die Feuerwehr da.", "Fehler gefunden haben die Prüfer nicht.",
      "Die Sitzung begann am <time>12. März 2024</time> um 9:00 Uhr im Rathaus.", "Vor zwei Stunden begann der Einsatz.", "Getty Images kaufte das Archiv 2019.",
      "Written by hand, the letter took him three days.", "Did you make this decision alone, or with the council?", "Der Vertrag ist monatlich kündbar, sagte die Sprecherin.",
      "Next, the article turns to the budget.", "By Friday at 5 pm, 3 of them had voted.", "Posts: the fence posts were set two metres apart.", "Powered by the A17 Pro chip", "Jump to the list of winners below to see who won.", "Actualizado a las afueras de la ciudad, el parque abrió en 2019 con 300 árboles.", "20 Nisan 2026 tarihinde meclis toplandı ve bütçeyi kabul etti.",
      "Lies mehr über das Thema im Buch von Anna Muster, das im Herbst erscheint.", "Mehr Geschichten von Menschen aus der Altstadt erzählt der Band.", "* * *",
    ];
    const html = `<html><body><article><p>${prose}</p>${notices.join("")}<p>${prose}</p>${kept.map((text) => `<p>${text}</p>`).join("")}</article></body></html>`;
    // Sign-up words without a link are the article's own; so are sentences that start like a date line or a byline.
    expect(textOf(html)).toBe([prose, prose, prose, ...kept.map((text) => text.replace(/<[^>]+>/g, ""))].join("\n\n"));
  });

  it("keeps the words of a link or a span inside a sentence whatever its class says, and drops a classed block beside the text", () => {
    const first = `After <a class="recommendation-inline-link" href="/ideas">announcing your engagement</a>, you may be eager to jump into planning the wedding, or feel overwhelmed by all of it.`;
    const second = `Start a line with <code class="hljs-comment">#</code> to leave a note for the next reader, and the shell will skip it when the script runs.`;
    const prose = "Most couples book the venue first, about a year ahead, because the date follows from it and everything else follows from the date.";
    const html = `<html><body><article><p>${first}</p><p>${prose}</p><p>${second}</p><p>${prose}</p><div class="recommendation-box"><a href="/a">Ten venues we love</a> <a href="/b">How to write your vows</a></div></article></body></html>`;
    expect(textOf(html)).toBe([first, prose, second, prose].map((text) => text.replace(/<[^>]+>/g, "")).join("\n\n"));
  });

  it("keeps a forum's short replies whose heading links to the post with the thread's title ('AW: …'), and drops a reply box of links", () => {
    const title = "Heizung pfeift nach dem Entlüften";
    const replies = [
      "Hast du den Druck geprüft? Bei uns lag es am Ventil.",
      "Danke, das Ventil war es. Jetzt ist Ruhe.",
      "Gut zu hören. Das kommt öfter vor.",
    ];
    const first = "Seit ich die Heizkörper entlüftet habe, pfeift die Heizung jede Nacht, sobald die Pumpe anläuft. Der Druck steht bei 1,2 bar, das Thermostat ist neu.";
    const post = (n: number, text: string, heading: string) => `<div class="post bg${n % 2}"><div class="inner"><h3><a href="./viewtopic.php?p=${n}#p${n}">${heading}</a></h3><div class="content">${text}</div></div></div>`;
    const html = `<html><head><title>${title} - Haustechnik-Forum</title></head><body><div id="page-body"><h2>${title}</h2>
      ${post(1, first, title)}${replies.map((text, i) => post(i + 2, text, `AW: ${title}`)).join("")}
      <div class="jumpbox"><a href="/forum/heizung">Zurück zu „Heizung“</a> <a href="/forum/sanitaer">Sanitär</a> <a href="/forum/elektro">Elektro</a></div></div></body></html>`;
    const text = textOf(html);
    for (const reply of replies) expect(text).toContain(reply);
    expect(text).toContain(first);
    expect(text).not.toContain("Sanitär");
  });

  it("drops an English sign-up pitch by its invitation, and keeps linked prose that only mentions signing up or newsletters", () => {
    const prose = "The council voted on Tuesday to extend the tram line to the harbour, after two years of planning and a public consultation.";
    const pitches = [
      `<p>Want more from the Harbour Gazette? <a href="/nl">Sign up for our newsletter</a> and read smarter.</p>`,
      `<p>Get the best stories of the week, directly in your inbox.<a href="/signup">Sign Up</a></p>`,
      `<p>Already a subscriber? <a href="/login">Log in here</a>.</p>`,
      `<p>The Dispatch is a free weekly newsletter about cities. <a href="/about">Read more</a>.</p>`,
      `<p>Want more projects? <a href="https://pinterest.com/example">Follow me on Pinterest</a>.</p>`,
      `<p><a href="/nl">Harbour Newsletter</a></p>`,
      // German pitches: an imperative, a login link, the split verb.
      `<p>Die wichtigsten Meldungen am Morgen: <a href="/nl">Jetzt kostenlos anmelden</a></p>`,
      `<p><a href="/login">Anmelden</a></p>`,
      `<p>Melden Sie sich <a href="/nl">hier</a> für unseren Newsletter an.</p>`,
      `<p><em>Der Newsletter informiert Sie montags bis freitags über das Wichtigste vom Tag. </em><a href="/nl"><em>Hier geht's zur Anmeldung!</em></a></p>`,
    ];
    const kept = [
      `Maybe a new bike is on your <a href="/shop">wish list</a>, or you have made a resolution to sign up for a cycling club with a friend.`,
      `I also subscribe to many local papers, such as <a href="https://example.org">the Harbour Post</a> and the Tram Times.`,
      `Half of readers <a href="/study">unsubscribe from newsletters</a> because they get too many of them.`,
      `Wer mitmachen möchte, kann sich bis Freitag <a href="https://vhs.example.de">online</a> für den Kurs anmelden.`,
      `Die <a href="/lauf">Anmeldung</a> für den Stadtlauf ist ab Montag offen, die Startgebühr beträgt zehn Euro.`,
    ];
    const html = `<html><body><article><p>${prose}</p>${pitches.join("")}<p>${prose}</p>${kept.map((text) => `<p>${text}</p>`).join("")}</article></body></html>`;
    expect(textOf(html)).toBe([prose, prose, ...kept.map((text) => text.replace(/<[^>]+>/g, ""))].join("\n\n"));
  });

  it("drops the headline set as a paragraph, as it drops a heading that repeats the title", () => {
    const prose = "Nach zwei Jahren Bauzeit ist die neue Brücke über die Lahn für Radfahrer und Fußgänger freigegeben worden, pünktlich zum Frühlingsanfang.";
    const html = `<html><head><title>Neue Brücke für Radfahrer eröffnet – Stadtanzeiger</title></head><body><div class="news"><p class="titulo">Neue Brücke für Radfahrer eröffnet</p><p>${prose}</p><p>${prose}</p></div></body></html>`;
    expect(textOf(html)).toBe(`${prose}\n\n${prose}`);
  });

  it("keeps a short list of the article's own points and drops photo credits, source lines, translators' credits and a copyright label", () => {
    const prose = "Die Bauarbeiten an der Rheinbrücke dauern länger als geplant, weil bei Bohrungen alte Fundamente aus dem 19. Jahrhundert gefunden wurden.";
    // A list scores below zero for its tag alone; it is judged by its class and links instead.
    const list = "<ul><li>Sperrung der Brücke bis Ende Mai</li><li>Umleitung über die Nordbrücke</li></ul>";
    const credits = "<p>Aus dem Englischen von Jan Beispiel<br>Copyright: Project Syndicate, 2025</p><p>Translated from the Spanish by Ana Ejemplo.</p>";
    // Sentences that open as a credit does.
    const sentences = ["Translated by hand, the letters took three years.", "Aus dem Englischen von einem Freund übersetzt, erschien es 1920."];
    const html = `<html><body><article><p>${prose}</p><figure><img src="b.jpg"></figure><p>Foto: Stadtwerke Beispielstadt</p><p>${prose}</p>${list}<p>${prose}</p>${sentences.map((s) => `<p>${s}</p>`).join("")}<p>Quelle: dpa</p><p>Źródło: PAP</p><p>Fot. Shutterstock</p><p>Bildquelle: picture alliance</p><p>Mit Material von dpa und AFP</p><p>Redaktion: Anna Beispiel</p>${credits}</article></body></html>`;
    expect(textOf(html)).toBe([prose, prose, "- Sperrung der Brücke bis Ende Mai\n- Umleitung über die Nordbrücke", prose, ...sentences].join("\n\n"));
  });

  it("drops short copyright notices inside the article, in any of several languages, and keeps prose that mentions one", () => {
    const notices = ["Copyright 2019 Example News. All rights reserved.", "© dpa-infocom, dpa:230112-99-190012/3", "© Beispiel Verlag GmbH. Alle Rechte vorbehalten.", "<저작권자 © 예시뉴스, 무단 전재 및 재배포 금지>", "版权所有，未经授权不得转载。",
      "版权声明：本文为博主原创文章，遵循 CC 4.0 BY-SA 版权协议，转载请附上原文出处链接和本声明。"];
    const long = `The phrase "all rights reserved" dates from the Buenos Aires Convention of 1910, which required it for protection in the countries that signed; ${PROSE} ${PROSE}`;
    const short = "Copyright protects the expression of an idea, not the idea itself.";
    const html = `<html><body><article><p>${PROSE}</p><p>${long}</p><p>${short}</p>${notices.map((n) => `<p>${n.replace("<", "&lt;").replace(">", "&gt;")}</p>`).join("")}</article></body></html>`;
    expect(textOf(html)).toBe(`${PROSE}\n\n${long}\n\n${short}`);
  });

  it("drops blocks that are a bare number (vote counts, share counters) and keeps numbers in tables and lists", () => {
    const answer = (votes: string, text: string) => `<div class="answer"><div class="votecell"><div class="vote-count">${votes}</div></div><div class="answercell"><p>${text}</p></div></div>`;
    const html = `<html><body><div id="answers">${answer("21", GERMAN_PROSE)}${answer("-3", PROSE)}${answer("1.2k", GERMAN_PROSE)}
      <table><tr><td>Einwohner</td><td>4.500</td></tr></table><ol><li>12</li><li>14</li></ol></div></body></html>`;
    expect(textOf(html)).toBe(`${GERMAN_PROSE}\n\n${PROSE}\n\n${GERMAN_PROSE}\n\nEinwohner | 4.500\n\n1. 12\n2. 14`);
  });

  it("drops the original-headline and editor lines of Chinese news", () => {
    const paragraphs = [
      "新华社北京1月11日电 中国汽车工业协会11日发布数据显示，2023年我国新能源汽车产销分别完成958.7万辆和949.5万辆，同比分别增长35.8%和37.9%。",
      "协会副秘书长表示，新能源汽车已经从政策驱动转向市场驱动，出口也成为新的增长点。",
    ];
    const html = `<html><head><title>新能源汽车产销连续九年全球第一_新闻频道</title></head><body><div class="article-content" id="artibody">
      <p>\u3000\u3000原标题：新能源汽车产销连续九年全球第一</p>${paragraphs.map((p) => `<p>\u3000\u3000${p}</p>`).join("")}<p class="article-editor">责任编辑：王小明</p></div></body></html>`;
    expect(textOf(html)).toBe(paragraphs.join("\n\n"));
  });

  it("keeps a Korean article set as <br>-broken text beside its header, without the information line, the reporter's address, the copyright line or the comments", () => {
    const paragraphs = [
      "서울시는 내년부터 시내버스 요금을 150원 인상한다고 4일 밝혔다. 이번 인상은 2015년 이후 9년 만으로, 카드 기준 일반 성인 요금은 1,500원에서 1,650원으로 오른다.",
      "시는 연료비와 인건비 상승으로 버스 회사들의 적자가 누적돼 요금 인상이 불가피했다고 설명했다. 지난해 운송 적자는 약 8,000억 원에 달했다.",
      "서울시는 인상된 요금 수입을 배차 간격 단축과 저상버스 도입 확대에 사용할 계획이라고 덧붙였다.",
    ];
    const headline = "서울 시내버스 요금 150원 인상…9년 만";
    const html = `<html><head><title>${headline} - 예시일보</title></head><body><div id="container">
      <div class="article_head"><h1 class="tit">${headline}</h1><div class="info"><span>김민수 기자</span> <span>입력 2024.11.04 14:22</span> <span>수정 2024.11.04 15:01</span></div></div>
      <div id="article_body" class="article_txt">${paragraphs.join("<br><br>")}<br><br>김민수 기자 minsu@example.co.kr<br>&lt;저작권자 © 예시일보, 무단전재 및 재배포 금지&gt;</div>
      <div class="relate"><h3>관련기사</h3><ul><li><a href="/n/1">지하철 요금도 내년 인상 검토</a></li><li><a href="/n/2">택시 기본요금 인상</a></li></ul></div>
      <div class="cmt"><h3>댓글 2</h3><ul><li>요금 올리면 서비스도 좋아져야죠</li><li>9년 만이면 이해는 간다</li></ul></div></div></body></html>`;
    // The headline repeats the title, so it goes as every such heading does.
    expect(textOf(html)).toBe(paragraphs.join("\n\n"));
    // A block whose lines are all notices goes whole; one whose only line is a date after a blank line (a table's cell) stays.
    const facts = `<table><tr><th>Statute of Westminster adopted</th><td><br>25 November 1947</td></tr><tr><th>Population</th><td>5,122,600</td></tr></table>`;
    const page = `<html><body><article><p>${GERMAN_PROSE}</p><p>${PROSE}</p>${facts}<div>4 Wochen für nur 1 € testen<br>Flexible Laufzeit, monatlich kündbar.</div></article></body></html>`;
    expect(textOf(page)).toBe(`${GERMAN_PROSE}\n\n${PROSE}\n\nStatute of Westminster adopted | 25 November 1947\nPopulation | 5,122,600`);
  });

  it("ends a Chinese article at its recommendation headings (推荐阅读, 精彩视频推荐, 相关视频), teaser blurbs and all", () => {
    const paragraphs = ["中国汽车工业协会11日发布数据显示，2023年我国新能源汽车产销分别完成958.7万辆和949.5万辆，同比分别增长35.8%和37.9%。", "协会的专家们认为，明年新能源汽车的市场渗透率还将继续提高，出口也会保持较快增长。"];
    for (const heading of ["推荐阅读", "精彩视频推荐", "相关视频"]) {
      const html = `<html><body><div class="main">${paragraphs.map((p) => `<p>${p}</p>`).join("")}<h3>${heading}</h3><p>另一篇文章的摘要：今年一季度，全国新能源汽车充电桩数量同比增长超过五成。</p></div></body></html>`;
      expect(textOf(html)).toBe(paragraphs.join("\n\n"));
    }
  });

  it("drops the information lines of Chinese news (date, source, author) and keeps a short line of prose that starts with a label", () => {
    const paragraphs = ["中国汽车工业协会11日发布数据显示，2023年我国新能源汽车产销分别完成958.7万辆和949.5万辆，同比分别增长35.8%和37.9%。", "时间：不早了，协会的专家们仍在讨论明年的市场会怎样变化。"];
    const html = `<html><body><div class="main"><div>2024-01-11 14:22:05 来源：新华网 作者：张三</div><div>发布时间：2024年01月11日 | 浏览：1024</div>${paragraphs.map((p) => `<p>${p}</p>`).join("")}</div></body></html>`;
    expect(textOf(html)).toBe(paragraphs.join("\n\n"));
  });

  it("drops a Chinese portal's lines under the article: the reporter's line, the editor with the link back to the portal, the platform's disclaimer", () => {
    const paragraphs = ["中国汽车工业协会11日发布数据显示，2023年我国新能源汽车产销分别完成958.7万辆和949.5万辆，同比分别增长35.8%和37.9%。", "协会的专家们认为，明年新能源汽车的市场渗透率还将继续提高，出口也会保持较快增长。"];
    const tail = `<p>新京报记者 彭冲 山东冠县报道</p><p><span>【编辑:刘欢】 </span><a href="//www.sohu.com/">返回搜狐，查看更多</a></p>`;
    const statement = `<div class="statement">声明：该文观点仅代表作者本人，搜狐号系信息发布平台，搜狐仅提供信息存储空间服务。</div>`;
    const html = `<html><body><article class="article">${paragraphs.map((p) => `<p>${p}</p>`).join("")}${tail}</article>${statement}</body></html>`;
    expect(textOf(html)).toBe(paragraphs.join("\n\n"));
    // A line that names a reporter inside a sentence of prose stays.
    const prose = "据新京报记者彭冲报道，于欢在监狱里读了很多书，他说这些书改变了他对很多事情的看法。";
    expect(textOf(`<html><body><article>${paragraphs.map((p) => `<p>${p}</p>`).join("")}<p>${prose}</p></article></body></html>`)).toBe([...paragraphs, prose].join("\n\n"));
  });

  it("drops a Japanese paper's members-only and log-in notices and its related, recommended and about-the-author headings, and subscribers-only notices in other languages", () => {
    const paragraphs = ["６月12日の歴史的な米朝首脳会談を巡って戦っていたのは、米大統領と北朝鮮の委員長ばかりではなかった。中国の国家主席も重要な陰の参戦者だった。", "その判断は本当に正しかったのだろうか。会談の後、北京では慎重な分析が続いている。"];
    const notices = ["この記事は会員限定です。", "記事に『リアクション』ができます。ご利用には会員登録が必要です。", "This article is exclusive to STAT+ subscribers", "Dieser Artikel ist nur für Abonnenten.", "Cet article est réservé aux abonnés."];
    const html = `<html><body><div class="section">${paragraphs.map((p) => `<p>${p}</p>`).join("")}${notices.map((n) => `<p>${n}</p>`).join("")}<p>関連キーワード</p><p>おすすめ情報</p><h3>この記事を書いた人</h3><p>渡辺洋介</p><p>東京社会部</p></div></body></html>`;
    expect(textOf(html)).toBe(paragraphs.join("\n\n"));
  });

  it("drops a Japanese paper's status list (page counter, date, source as <dd>s) and a Chinese page counter, and keeps the article", () => {
    const paragraphs = ["６月12日の歴史的な米朝首脳会談を巡って戦っていたのは、米大統領と北朝鮮の委員長ばかりではなかった。中国の国家主席も重要な陰の参戦者だった。", "その判断は本当に正しかったのだろうか。会談の後、北京では慎重な分析が続いている。"];
    const status = `<dl class="article_status"><dd class="page">（1/3ページ）</dd><dd class="publish">2018/6/19 5:50</dd><dt class="hide-label">情報元</dt><dd class="source">日本経済新聞 電子版</dd></dl>`;
    const html = `<html><body><div class="section"><h1>米朝首脳直通電話</h1>${status}<div>第1页/共3页</div>${paragraphs.map((p) => `<p>${p}</p>`).join("")}</div></body></html>`;
    expect(textOf(html)).toBe(paragraphs.join("\n\n"));
    // A date with its time in hours and minutes and the label after it ("12時00分更新"), the update's date without its year in brackets; a heading that starts with a label word stays.
    const dated = `<html><body><div class="section"><p>2019年04月21日 12時00分更新</p><p>2019年3月1日 13時16分</p><p>2025年1月14日 01時28分 (1月14日 01時40分更新)</p><h2>公開されたデータ</h2>${paragraphs.map((p) => `<p>${p}</p>`).join("")}</div></body></html>`;
    expect(textOf(dated)).toBe(["公開されたデータ", ...paragraphs].join("\n\n"));
  });

  it("drops a blog's affiliate disclosure beside the post, in any of several languages, and keeps prose about affiliate links", () => {
    const disclosures = [
      "This post may contain affiliate and/or referral links. Please see my disclosure page.", "Dieser Beitrag enthält Affiliate-Links.", "Cet article contient des liens d'affiliation.",
      "Our editors handpick every product we feature. We may earn a commission from your purchases.", "Kaufen Sie über diese Links, erhalten wir eine kleine Provision.",
      "Disclosure: As an Affiliate Marketer, I earn from qualifying purchases.", "Als Amazon-Partner verdiene ich an qualifizierten Verkäufen.",
      "En tant que Partenaire Amazon, je réalise un bénéfice sur les achats remplissant les conditions requises.",
      "Products are chosen independently by our editors. Purchases made through our links may earn us a commission.", "When you buy through our links, we may earn an affiliate commission.",
    ];
    const prose = "Affiliate links pay a site a small share of what a reader spends, which is why so many recipe blogs are full of them; a reader pays nothing more.";
    const html = `<html><body><div id="main"><div class="code-block"><em>${disclosures[0]}</em></div><article class="post">${disclosures.slice(1).map((d) => `<p><em>${d}</em></p>`).join("")}<p>${PROSE}</p><p>${prose}</p><p>${PROSE}</p></article></div></body></html>`;
    expect(textOf(html)).toBe(`${PROSE}\n\n${prose}\n\n${PROSE}`);
  });

  it("drops a cookie banner's text in a block its class does not name, in several languages, and keeps a page about cookies", () => {
    const banners = [
      "With our cookies we would like to offer you the best shopping experience possible with everything that goes with it. This includes, for example, suitable offers, personalized ads and remembering preferences. If this is okay with you, simply agree to the use of cookies for preferences, statistics and marketing.",
      "iFixit uses cookies to enhance site functionality, analyze traffic, and personalize ads. By using our site, you agree to our cookie use and Privacy Policy.",
      "Wir verwenden Cookies, um Ihnen das beste Nutzererlebnis zu bieten. Mit Klick auf „Alle akzeptieren“ stimmen Sie der Verwendung zu.",
      "Nous utilisons des cookies pour mesurer l'audience. Vous pouvez modifier vos choix à tout moment.",
      "You can withdraw your consent at any time via the cookie settings.",
    ];
    const html = `<html><body><div class="page">${banners.map((b) => `<div class="bar"><p>${b}</p></div>`).join("")}<article><p>${PROSE}</p><p>${GERMAN_PROSE}</p><p>${PROSE}</p></article></div></body></html>`;
    expect(textOf(html)).toBe(`${PROSE}\n\n${GERMAN_PROSE}\n\n${PROSE}`);
    // A page that explains cookies names them in more than one block, and keeps its own "we use cookies".
    const policy = ["Cookies are small text files that a site stores in your browser, so that it remembers you between visits.", "We use cookies to keep you signed in and to count visits, and never to show you ads.", "You can delete the cookies of any site in your browser's settings, at any time, without asking us."];
    expect(textOf(`<html><body><article><h1>Cookie policy</h1>${policy.map((p) => `<p>${p}</p>`).join("")}</article></body></html>`)).toBe(["Cookie policy", ...policy].join("\n\n"));
  });

  it("drops a post's tags (links with rel=tag, with their label) whatever their class, and keeps a tag named in a sentence", () => {
    // Set as a WordPress theme sets them: a <strong> run of text after the post's paragraphs, a line break after its label.
    const tags = `<strong>Tags<br><a href="/tag/stock-car-brasil/" rel="tag">stock car brasil</a>, <a href="/tag/interlagos/" rel="tag">stock car interlagos</a>, <a href="/tag/calendario/" rel="category tag">calendario 2018</a></strong>`;
    const sentence = `<p>This season opens at Interlagos, as the <a href="/tag/interlagos/" rel="tag">Interlagos</a> circuit hosts the first round, and ends in Cascavel.</p>`;
    const html = `<html><body><div class="post"><p>${PROSE}</p>${sentence}<p>${PROSE}</p>${tags}</div></body></html>`;
    expect(textOf(html)).toBe(`${PROSE}\n\nThis season opens at Interlagos, as the Interlagos circuit hosts the first round, and ends in Cascavel.\n\n${PROSE}`);
  });

  it("drops a control's label on a line of its own (Read more, Learn more, Back to top, Share:, Weiterlesen, Nach oben, Lire la suite), and keeps one with text on its line", () => {
    const html =
      `<html><body><article><p>${PROSE}</p><p><b>Read More</b></p>` +
      `<div><p>${GERMAN_PROSE}</p> <a href="/sicherheit/" class="more-link">Weiterlesen »</a> </div>` +
      `<p>Constructs the type from a compatible type, and checks its range first.<br><a href="#method.from">Read more</a></p>` +
      `<div><a href="#top">Back to top</a></div><p>Share: <a href="https://x.com/share"><svg></svg></a></p>` +
      `<p><a href="/program">Learn more</a> about how the program works, and who can join it.</p>` +
      `<p>You can read <a href="/more">more</a></p><p><b>Learn more:</b> <a href="/guide">A guide to the program's rules</a> for new members.</p>` +
      // A label word inside a sentence, however deep its link's code sets it.
      `<p>Do not name fields like clean, <a href="#next"><code><span class="pre">next</span></code></a>, or delete.</p>` +
      `<ul><li>Print</li><li>Share</li></ul><p>${PROSE}</p><p><a href="#">Nach oben</a></p><p>Lire la suite</p></article></body></html>`;
    expect(textOf(html)).toBe(
      [
        PROSE, GERMAN_PROSE, "Constructs the type from a compatible type, and checks its range first.", "Learn more about how the program works, and who can join it.",
        "You can read more", "Learn more: A guide to the program's rules for new members.", "Do not name fields like clean, next, or delete.", "- Print\n- Share", PROSE,
      ].join("\n\n"),
    );
  });

  it("drops a notice that the reader must log in to take part, in several languages, and Stack Exchange's box under the answers; keeps prose about logging in", () => {
    const notices = [
      "You must log in to answer this question.", "Log in or register to post comments", "Please sign in to leave a comment.",
      "Sie müssen angemeldet sein, um einen Kommentar zu schreiben.", "Vous devez être connecté pour publier un commentaire.", "Zaloguj się, aby dodać komentarz.",
    ];
    const prose = "You need to log in to your account before the trial ends, the bank said, or the savings are lost.";
    const box = `<div class="js-bottom-notice d-flex"><p>Start asking to get answers</p><p>Find the answer to your question by asking.</p><p>Explore related questions</p></div>`;
    const html = `<html><body><article><p>${PROSE}</p><p>${prose}</p><h2>${notices[0]}</h2>${notices.slice(1).map((n) => `<p>${n}</p>`).join("")}<p>${PROSE}</p>${box}</article></body></html>`;
    expect(textOf(html)).toBe(`${PROSE}\n\n${prose}\n\n${PROSE}`);
  });

  it("drops a widget's own lines: a loading placeholder, a sort control, a feedback prompt and its thanks, in several languages; keeps prose that starts alike", () => {
    const lines = [
      "Loading...", "Loading prices for your region…", "Wird geladen …", "Sort: Best Match", "Sortieren nach: Neueste", "Trier par : pertinence",
      "Was this page helpful?", "Was this page's content helpful?", "War dieser Artikel hilfreich?", "Cet article vous a-t-il été utile ?", "Thank you for your feedback!",
    ];
    const prose = ["Loading the van took an hour, and the drive to the coast took three.", "Sort by date and then by name, the manual says, before you print the list."];
    const html = `<html><body><article><p>${PROSE}</p>${lines.map((l) => `<p>${l}</p>`).join("")}${prose.map((p) => `<p>${p}</p>`).join("")}<p>${PROSE}</p></article></body></html>`;
    expect(textOf(html)).toBe([PROSE, ...prose, PROSE].join("\n\n"));
  });

  it("ends the article at a related heading set as an element whose role is heading, and drops credits by role (TEXT BY, Photography by)", () => {
    const related = `<div role="heading" aria-level="3" class="heading-h3">RELATED ARTICLES</div><div class="cards"><a href="/a">${GERMAN_PROSE}</a></div>`;
    const html = `<html><body><article><p>${PROSE}</p><p>${PROSE}</p><p>Photography by Dan Seifert.</p><hr>${related}<hr><p>TEXT BY ARIELLE PARDES</p><p>TRANSLATION BY CHIHIRO OKA</p></article></body></html>`;
    expect(textOf(html)).toBe(`${PROSE}\n\n${PROSE}`);
    // A sentence that starts so is text.
    const prose = "Photography by night needs a tripod, a slow shutter and a lot of patience with the weather.";
    expect(textOf(`<html><body><article><p>${PROSE}</p><p>${prose}</p><p>${PROSE}</p></article></body></html>`)).toBe(`${PROSE}\n\n${prose}\n\n${PROSE}`);
  });

  it("drops a share or follow row of networks' names and the line over it, and keeps a table's list of platforms and prose that names them", () => {
    const rows = [
      `<div><span>FOLLOW US ON SOCIAL MEDIA</span><div><span>Facebook</span><span>Twitter</span><span>Instagram</span><span>KOO APP</span><span>YOUTUBE</span></div></div>`,
      `<div><a href="#">Facebook</a> <a href="#">Twitter</a> <a href="#">WhatsApp</a> <a href="#">E-Mail</a> <a href="#">Drucken</a></div>`, `<p>Folgen Sie uns auf Facebook</p>`,
    ];
    const table = `<table><tr><th>Niche</th><th>Platforms</th></tr><tr><td>Sports</td><td>YouTube, X</td></tr><tr><td>Gaming</td><td>Twitch, YouTube</td></tr></table>`;
    const prose = "Facebook and Twitter both changed how they rank posts this year, and publishers felt it within a week.";
    const html = `<html><body><article><p>${PROSE}</p>${table}<p>${prose}</p>${rows.join("")}<p>${PROSE}</p></article></body></html>`;
    expect(textOf(html)).toBe([PROSE, "Niche | Platforms\nSports | YouTube, X\nGaming | Twitch, YouTube", prose, PROSE].join("\n\n"));
  });

  it("drops a picture's agency credit and a picture's file name standing for its caption, and keeps prose that names an agency or a file", () => {
    const lines = ["Steven Puetzer | The Image Bank | Getty Images", "Chip Somodevilla/Getty Images", "DGLimages via Getty Images", "(AP Photo/Evan Vucci)", "Screenshot_20250211-115529.png", "skimming scheme seized cash and cards.jpg"];
    const prose = ["The photo, taken by a freelancer for Getty Images, shows the square before dawn.", "Save the file as report.png and send it to the office."];
    const html = `<html><body><article><p>${PROSE}</p>${lines.map((l) => `<p>${l}</p>`).join("")}${prose.map((p) => `<p>${p}</p>`).join("")}<p>${PROSE}</p></article></body></html>`;
    expect(textOf(html)).toBe([PROSE, ...prose, PROSE].join("\n\n"));
  });

  it("drops a short linked pointer to more of the site's articles (More from, Mehr Artikel aus, Plus d'articles sur) and a page's own actions (Zur Startseite, Artikel merken), and keeps a sentence that starts alike", () => {
    const lines = [
      `<p>Mehr Artikel aus dieser Rubrik gibt's hier: <a href="/wirtschaft">Wirtschaft</a></p>`, `<p><a href="/politics">More from Politics</a></p>`, `<p>Plus d'articles sur <a href="/europe">l'Europe</a></p>`,
      `<p><a href="/">Zur Startseite</a></p>`, `<div><button>Artikel merken</button></div>`, `<p><a href="#">Listen to this article</a></p>`,
    ];
    const prose = `More from this story, the mayor said, will come <a href="/x">next week</a> when the council meets again.`;
    const html = `<html><body><article><p>${GERMAN_PROSE}</p>${lines.join("")}<p>${prose}</p><p>${GERMAN_PROSE}</p></article></body></html>`;
    expect(textOf(html)).toBe([GERMAN_PROSE, prose.replace(/<[^>]+>/g, ""), GERMAN_PROSE].join("\n\n"));
  });

  it("drops a related box's heading set as a line of text and a Chinese portal's share link, and still ends the article at a block that wraps a related heading", () => {
    const paragraphs = ["中国汽车工业协会11日发布数据显示，2023年我国新能源汽车产销分别完成958.7万辆和949.5万辆，同比分别增长35.8%和37.9%。", "协会的专家们认为，明年新能源汽车的市场渗透率还将继续提高，出口也会保持较快增长。"];
    const lines = `<p><a href="#">转播到腾讯微博</a></p>${paragraphs.map((p) => `<p>${p}</p>`).join("")}<p>精彩视频推荐</p>`;
    expect(textOf(`<html><body><div class="main">${lines}</div></body></html>`)).toBe(paragraphs.join("\n\n"));
    const teaser = "The mayor's other plan, a tram to the harbour, was voted down on Tuesday by a wide margin.";
    const html = `<html><body><article><p>${PROSE}</p><p>You may also like...</p><div>Lesen Sie mehr zum Thema</div><div>Lest auch</div><p>${PROSE}</p><div class="box"><div><h3>Related</h3></div></div><p>${teaser}</p></article></body></html>`;
    expect(textOf(html)).toBe(`${PROSE}\n\n${PROSE}`);
  });

  it("takes out a related box set between the story's paragraphs (Auch interessant over a teaser) and keeps the story after it; a box after the story still ends it", () => {
    const story = [
      "Es ist ein paar Monate her, da schrieb die Ministerin einen langen Brief an ihre Partei und an die Fraktion im Bundestag über die vergangenen Jahre.",
      "Anfang März war das. Jetzt, Anfang September, ist sie zurück im Scheinwerferlicht und tritt heute ihr neues Amt bei den Vereinten Nationen in New York an.",
      "Die Entscheidung, so heißt es nun, sei erst kurzfristig gefallen und stehe also nicht im Gegensatz zu dem Abschiedsbrief an die Fraktion im Frühjahr.",
      "Lange galt das Amt als repräsentativ: Wer es innehat, eröffnet die Sitzungen, vollzieht die Geschäftsordnung und leitet die Debatten der Versammlung.",
    ];
    const box = `<h4>Auch interessant</h4><div class="not-prose"><a href="/politik/anderer-artikel.html"><strong>Langsam reicht es aber mit den Hasstiraden</strong></a><span>Von Birgitta Stauber</span></div>`;
    const mid = `<html><body><article><div class="article-body"><p>${GERMAN_PROSE}</p>${box}${story.map((p) => `<p>${p}</p>`).join("")}</div></article></body></html>`;
    expect(textOf(mid)).toBe([GERMAN_PROSE, ...story].join("\n\n"));
    // A second such box further down the same story goes too; the story after it stays.
    const twice = `<html><body><article><div class="article-body"><p>${GERMAN_PROSE}</p>${box}${story.slice(0, 3).map((p) => `<p>${p}</p>`).join("")}${box}<p>${story[3]}</p></div></article></body></html>`;
    expect(textOf(twice)).toBe([GERMAN_PROSE, ...story].join("\n\n"));
    // Near the story's end, a section heading and two paragraphs of the story's own class after the box; and the agencies it was written with, as its last line.
    const body = (text: string) => `<p class="copy">${text}</p>`;
    const late = `<html><body><article><div class="article-body">${story.map(body).join("")}${box}<h3>Kontroversen um die Entscheidungen</h3>${[GERMAN_PROSE, PROSE].map(body).join("")}<p>mit dpa</p></div></article></body></html>`;
    expect(textOf(late)).toBe([...story, "Kontroversen um die Entscheidungen", GERMAN_PROSE, PROSE].join("\n\n"));
    // After the story, the box and what follows it go, linked teasers and all.
    const teasers = story.slice(0, 2).map((p) => `<p><a href="/a">${p}</a></p>`).join("");
    const end = `<html><body><article><div class="article-body">${story.map((p) => `<p>${p}</p>`).join("")}<h4>Auch interessant</h4>${teasers}</div></article></body></html>`;
    expect(textOf(end)).toBe(story.join("\n\n"));
  });

  it("drops a teaser card set inside the story (an <article> whose heading links to another page, over a short blurb), and keeps a thread's posts of one shape", () => {
    const card = `<div class="module"><article class="card"><div><h3><div>Eskalation in Nahost</div><span>:</span><a href="/nachrichten/liveblog-100.html">Aktuelle News zur Lage in Israel</a></h3><div>Durch den Angriff eskalierte die Lage in Nahost. Nun ist auch der Iran an der Eskalation beteiligt. Aktuelle Entwicklungen im Liveblog.</div></div><div><picture><img src="a.jpg" alt=""></picture><span>Liveblog</span></div></article></div>`;
    const story = `<html><body><main><h1>Sanktionen gegen Iran</h1><div class="text"><p>${GERMAN_PROSE}</p>${card}<p>${PROSE}</p></div></main></body></html>`;
    expect(textOf(story)).toBe(`${GERMAN_PROSE}\n\n${PROSE}`);
    // A card whose link is laid over it, empty, its heading and blurb unlinked.
    const overlay = `<div><article class="teaser"><a href="/sport/marathon-1.6248576" class="overlay"></a><h3><span>Marathonläufer</span><span>:</span><span>Er läuft mit leichterem Herzen</span></h3><p>Er hat eine neue Klarheit gefunden, als Läufer und als Unterstützer seiner Familie. Beim Marathon hat er Gewaltiges vor.</p><footer><span>Von Johannes Knuth</span></footer></article></div>`;
    expect(textOf(story.replace(card, overlay))).toBe(`${GERMAN_PROSE}\n\n${PROSE}`);
    // Posts built alike, each headed by its author's linked name: the thread, not cards.
    const replies = ["I had the same problem after the update and reinstalling the driver fixed it for me.", "Thanks, that worked here too. The old version is still on the vendor's site if anyone needs it."];
    const post = (text: string) => `<article class="post"><h3><a href="/profile/7">member</a></h3><div class="body"><p>${text}</p></div></article>`;
    const thread = `<html><body><main><div class="thread"><article class="post first"><h3><a href="/profile/3">starter</a></h3><div class="body"><p>${PROSE}</p><p>${GERMAN_PROSE}</p></div></article>${replies.map(post).join("")}</div></main></body></html>`;
    for (const reply of replies) expect(textOf(thread)).toContain(reply);
  });

  it("drops an embed's consent placeholder (German sites' two-click embeds, English and French ones) and keeps prose about consent", () => {
    const placeholder = [
      "<h3>Empfohlener redaktioneller Inhalt</h3>",
      "<p>An dieser Stelle finden Sie einen von unseren Redakteuren ausgewählten, externen Inhalt, der den Artikel für Sie mit zusätzlichen Informationen anreichert. Sie können sich hier den externen Inhalt mit einem Klick anzeigen lassen oder wieder ausblenden.</p>",
      "<p>Ich bin damit einverstanden, dass mir der externe Inhalt angezeigt wird. Damit können personenbezogene Daten an Drittplattformen übermittelt werden. Mehr Informationen dazu erhalten Sie in den Datenschutz-Einstellungen. Diese finden Sie ganz unten auf unserer Seite im Footer, sodass Sie Ihre Einstellungen jederzeit verwalten oder widerrufen können.</p>",
      "<p>Ein Klick für den Datenschutz</p>", "<p>Click to load content from YouTube.</p>", "<p>Pour afficher ce contenu, vous devez accepter les cookies de la plateforme.</p>",
      // Longer than a cookie banner's paragraph (760 characters): it spells the whole consent out.
      "<p>Um eingebettete Inhalte anzuzeigen, ist deine widerrufliche Einwilligung in die Übermittlung und Verarbeitung von personenbezogenen Daten notwendig, da die Anbieter der eingebetteten Inhalte als Drittanbieter diese Einwilligung verlangen [In diesem Zusammenhang können auch Nutzungsprofile (u.a. auf Basis von Cookie-IDs) gebildet und angereichert werden, auch außerhalb des EWR]. Indem du den Schalter auf „an“ stellst, stimmst du diesen (jederzeit widerruflich) zu. Dies umfasst auch deine Einwilligung in die Übermittlung bestimmter personenbezogener Daten in Drittländer, u.a. die USA, nach Art. 49 (1) (a) DSGVO. Mehr Informationen dazu findest du hier. Du kannst deine Einwilligung jederzeit über den Schalter und über Privatsphäre am Seitenende widerrufen.</p>",
    ];
    const prose = "Der Bundestag stimmte am Donnerstag zu; die Opposition war nicht damit einverstanden, dass die Daten an Drittstaaten übermittelt werden.";
    const html = `<html><body><article><p>${GERMAN_PROSE}</p>${placeholder.join("")}<p>${prose}</p><p>${GERMAN_PROSE}</p></article></body></html>`;
    expect(textOf(html)).toBe([GERMAN_PROSE, prose, GERMAN_PROSE].join("\n\n"));
  });

  it("joins a drop cap to its word across the markup's white space, keeps a one-letter word that no drop-cap class marks, and drops labels a class hides completely", () => {
    const dropCap = `<p class="Initial paragraph first"><span class="initial-letter-outer"><span class="initial-letter">N</span></span> <span class="is-inline">a endlich! Es gibt einen Referentenentwurf zum Selbstbestimmungsgesetz, den zwei Ministerien vorgelegt haben.</span></p>`;
    const plain = `<p><span class="big">A</span> <span>new law was drafted this week by two ministries, and it goes to the cabinet in the spring.</span></p>`;
    const box = `<div class="infobox"><span class="hideCompletely">Weitere Informationen </span><p>${PROSE}</p><span class="hideCompletely">Ende der weiteren Informationen </span></div>`;
    const html = `<html><body><article>${dropCap}${plain}<p>${GERMAN_PROSE}</p>${box}</article></body></html>`;
    expect(textOf(html)).toBe(
      ["Na endlich! Es gibt einen Referentenentwurf zum Selbstbestimmungsgesetz, den zwei Ministerien vorgelegt haben.", "A new law was drafted this week by two ministries, and it goes to the cabinet in the spring.", GERMAN_PROSE, PROSE].join("\n\n"),
    );
  });

  it("keeps the rest of a story that a paywall hides but the page holds, and still drops a hidden block and a paywall's prompt", () => {
    const rest = ["El encuentro en Vista Alegre comenzó con toda una declaración de intenciones por parte del equipo local, que apretó desde el inicio.", "Poco a poco, con el paso de los minutos, la pista mostraba a un equipo sin ideas, incapaz de encontrar la fisura en el muro visitante."];
    const html = `<html><body><article><p>${PROSE}</p><div class="paywall" hidden>${rest.map((p) => `<p>${p}</p>`).join("")}</div><div hidden><p>${GERMAN_PROSE}</p><p>${GERMAN_PROSE}</p></div><div class="paywall-prompt"><p>Suscríbete para seguir leyendo este artículo y todo el contenido de la web.</p></div></article></body></html>`;
    expect(textOf(html)).toBe([PROSE, ...rest].join("\n\n"));
  });

  it("drops a comment section's rules and state, in several languages, and keeps prose about comments", () => {
    const notices = [
      "ATENÇÃO: Comentários com textos ininteligíveis ou que faltem com respeito ao usuário não serão aprovados pelo moderador.",
      "Comments are closed.", "Die Kommentarfunktion wurde für diesen Artikel geschlossen.", "Les commentaires sont modérés.",
      "Kommentare, die gegen unsere Regeln verstoßen, werden nicht freigeschaltet.",
    ];
    const prose = "The comments under the story were closed after a day, and the moderators said that most of them had not been approved.";
    const html = `<html><body><article><p>${PROSE}</p><p>${prose}</p>${notices.map((n) => `<p>${n}</p>`).join("")}<p>${PROSE}</p></article></body></html>`;
    expect(textOf(html)).toBe(`${PROSE}\n\n${prose}\n\n${PROSE}`);
  });

  it("drops a thread's status line, a post's age notice, a pitch to support the publisher and a table of contents' heading, and keeps prose about them", () => {
    const notices = [
      "This topic was automatically closed after 30 days. New replies are no longer allowed.", "Not open for further replies.", "Dieses Thema wurde automatisch geschlossen.",
      "This post is over 3 years old. I've probably changed my mind since it was written.",
      "If you're enjoying this article, consider supporting our award-winning journalism by subscribing.",
      "Hat Ihnen dieser Artikel gefallen? Dann unterstützen Sie uns bitte mit einer Spende, oder werden Sie Mitglied.",
    ];
    const prose = "The forum closed the topic after thirty days, as it closes every topic, and nobody could support the old claims with new data any more.";
    const html = `<html><body><article><h2>Table of Contents</h2><ul><li><a href="#one">One</a></li><li><a href="#two">Two</a></li></ul><p>${PROSE}</p>${notices.map((n) => `<p>${n}</p>`).join("")}<p>${prose}</p><p>${PROSE}</p></article></body></html>`;
    expect(textOf(html)).toBe(`${PROSE}\n\n${prose}\n\n${PROSE}`);
    // XenForo sets the status line in a definition list under the thread.
    const status = `<html><body><article class="message"><p>${PROSE}</p><p>${prose}</p><dl class="blockStatus"><dd class="blockStatus-message">Not open for further replies.</dd></dl></article></body></html>`;
    expect(textOf(status)).not.toContain("further replies");
  });

  it("ends the article at a heading that offers other pages ('You might like', 'You may be interested in the following topics as well')", () => {
    for (const heading of ["You might like", "You may be interested in the following topics as well", "You may also enjoy", "Weitere Videos", "More videos", "Deine Meinung zählt"]) {
      const html = `<html><body><article><p>${PROSE}</p><p>${GERMAN_PROSE}</p><h4>${heading}</h4><p>${FORUM_POSTS[0]}</p></article></body></html>`;
      expect(textOf(html)).toBe(`${PROSE}\n\n${GERMAN_PROSE}`);
    }
  });

  it("drops a paywall's offer but keeps the article a 'paywall' class wraps", () => {
    expect(textOf(GERMAN_PAYWALL_NEWS)).toBe(GERMAN_PAYWALL_NEWS_TEXT);
    const prose = "Der Gemeinderat hat am Dienstag den Haushalt für das kommende Jahr beschlossen, mit deutlich mehr Geld für Schulen und Radwege.";
    const wrapped = `<html><body><nav><a href="/">Start</a></nav><div class="article-content paywall"><p>${prose}</p><p>${prose}</p></div></body></html>`;
    expect(textOf(wrapped)).toBe(`${prose}\n\n${prose}`);
  });

  it("keeps a section's heading that a CMS wraps in its own <header> (TYPO3's content elements), not the page's header", () => {
    const element = (id: number, heading: string, text: string) =>
      `<div id="c${id}" class="frame frame-default frame-type-text"><header><h2 class="">${heading}</h2></header><div class="ce-bodytext"><p>${text}</p></div></div>`;
    const html = `<html lang="de"><head><title>Geschichte - Turnverein</title></head><body>
      <header class="header"><h1>Turnverein Musterdorf</h1><ul class="nav-main"><li><a href="/">Start</a></li><li><a href="/verein/">Verein</a></li></ul></header>
      <header><p>Herzlich willkommen beim Turnverein Musterdorf im schönen Tal</p></header>
      <div id="content">${element(102, "Die ersten Jahrzehnte", `1905 weihte der Verein seine erste Turnhalle ein. ${GERMAN_PROSE}`)}${element(103, "Neubeginn nach 1945", `Der Verein wurde 1949 neu gegründet. ${GERMAN_PROSE}`)}</div>
      <footer><h2>Kontakt</h2></footer></body></html>`;
    expect(textOf(html)).toBe(`Die ersten Jahrzehnte\n\n1905 weihte der Verein seine erste Turnhalle ein. ${GERMAN_PROSE}\n\nNeubeginn nach 1945\n\nDer Verein wurde 1949 neu gegründet. ${GERMAN_PROSE}`);
  });

  it("keeps the lead from an article's <header>, not its kicker, byline, date or share buttons", () => {
    const lead = "Die Gewerkschaft legt den Fernverkehr für zwei Tage lahm. Welche Rechte Reisende haben und wie sie ihr Geld zurückbekommen.";
    const html = `<html lang="de"><head><title>Bahnstreik: Was Fahrgäste wissen müssen</title></head><body>
      <header><nav><a href="/">Startseite</a> <a href="/politik">Politik</a></nav><p>Das Nachrichtenportal für alle, die es genau wissen wollen, seit 1996 im Netz.</p></header>
      <main><article>
        <header><h2><span>Streik bei der Bahn</span> <span>Was Fahrgäste wissen müssen</span></h2>
          <div class="RichText">${lead}</div>
          <div>Von <a href="/autor/1">Anna Schmidt</a> und <a href="/autor/2">Jonas Weber</a></div>
          <time datetime="2024-01-10">10.01.2024, 06.12 Uhr</time>
          <div class="share"><a href="/s">Artikel teilen und mit Freunden über diesen Streik sprechen, damit alle Bescheid wissen.</a></div></header>
        <figure><img src="a.jpg" alt=""></figure>
        <section class="relative"><div data-area="body">
          <div data-area="text_block"><div class="RichText"><p>${GERMAN_PROSE}</p></div></div>
          <div data-area="text_block"><div class="RichText"><p>${GERMAN_PROSE}</p></div></div>
        </div></section>
      </article></main></body></html>`;
    expect(textOf(html)).toBe(`${lead}\n\n${GERMAN_PROSE}\n\n${GERMAN_PROSE}`);
    // A documentation page's summary under its title, in a block whose class says "header", or in a
    // <header> inside the <main>: the lead stays, the headline and the page navigation go.
    const summary = "Functions are one of the fundamental building blocks of the language: a set of statements that performs a task or computes a value.";
    const sections = [PROSE, GERMAN_PROSE, FORUM_POSTS[0]!, FORUM_POSTS[1]!].map((p, i) => `<section class="content-section"><h2>Part ${i + 1}</h2><p>${p}</p></section>`).join("");
    for (const header of [`<div class="layout__header reference-layout__header">`, `<header class="page-header">`]) {
      const close = header.startsWith("<div") ? "</div>" : "</header>";
      const docs = `<html><body><header class="page-layout__header"><nav><a href="/">Docs</a> <a href="/ref">Reference</a></nav></header>
        <div class="layout"><main id="content">${header}<h1>Functions</h1><div class="pager"><a href="/prev">Previous</a> <a href="/next">Next</a></div><section class="content-section"><p>${summary}</p></section>${close}
        <div class="layout__body">${sections}</div></main></div></body></html>`;
      expect(textOf(docs)).toBe([summary, ...[PROSE, GERMAN_PROSE, FORUM_POSTS[0]!, FORUM_POSTS[1]!].flatMap((p, i) => [`Part ${i + 1}`, p])].join("\n\n"));
    }
    // A kicker and a headline in adjacent spans run together, and still repeat the title.
    const spans = `<html><head><title>Radweg: Die Stadt baut um | Zeitung</title></head><body><article><h1><span>Radweg</span><span>Die Stadt baut um</span></h1><p>${GERMAN_PROSE}</p></article></body></html>`;
    expect(textOf(spans)).toBe(GERMAN_PROSE);
  });

  it("keeps the lead that the page's <meta> description names, set between the headline and the text or in a teaser block the class words remove", () => {
    const lead = "Die Ex-Vorsitzende greift die Präsidentin an. Mit Symboldebatten, so ihre Kritik, schade sie ihrem Amt.";
    const meta = (description: string) => `<meta name="description" content="${description}"><meta property="og:description" content="other">`;
    const paragraphs = [GERMAN_PROSE, PROSE, GERMAN_PROSE, PROSE, GERMAN_PROSE];
    const body = `<div class="text">${paragraphs.map((p) => `<p>${p}</p>`).join("")}</div>`;
    // A dateline beside the lead, a byline and a date between it and the text, outside the block the text is in.
    const page = (head: string, top: string) => `<html><head>${head}</head><body><main><article><div class="top"><div class="opener"><h2>Streit im Parlament eskaliert</h2>${top}
      <div><address>Von Eileen Wagner</address> <time>10.09.2025, 09:53 Uhr</time></div></div></div><div class="story">${body}</div></article></main></body></html>`;
    const opener = `<div class="copy-lg"><span>Berlin.</span> <span>${lead}</span></div>`;
    expect(textOf(page(meta(lead), opener))).toBe([`Berlin. ${lead}`, ...paragraphs].join("\n\n"));
    // Without the description it is one more block beside the headline.
    expect(textOf(page("", opener))).toBe(paragraphs.join("\n\n"));
    // In a block whose class says "teaser", which the boilerplate rules remove; a description that ends in an ellipsis.
    const teaser = `<header><div class="header-teaser">${lead}</div></header>`;
    expect(textOf(page(meta(lead.slice(0, 60) + "…"), teaser))).toBe([lead, ...paragraphs].join("\n\n"));
    expect(textOf(page("", teaser))).toBe(paragraphs.join("\n\n"));
    // In such a block inside the text's own block, at its top.
    const inside = (head: string) => `<html><head>${head}</head><body><h1>Streit im Parlament</h1><div class="story"><div class="header-teaser">${lead}</div>${body}</div></body></html>`;
    expect(textOf(inside(meta(lead)))).toBe([lead, ...paragraphs].join("\n\n"));
    expect(textOf(inside(""))).toBe(paragraphs.join("\n\n"));
    // The first paragraph of the text itself is not repeated.
    expect(textOf(page(meta(GERMAN_PROSE), opener))).toBe(paragraphs.join("\n\n"));
    // More text than a byline's between the lead and the text (a column of other stories' links): not the text's lead.
    const far = `${opener}<div class="latest">${[GERMAN_PROSE, PROSE, GERMAN_PROSE, PROSE].map((p, i) => `<div><a href="/${i}">${p}</a></div>`).join("")}</div>`;
    expect(textOf(page(meta(lead), far))).not.toContain(lead);
    // After the text's start: a card of the story in a box below it.
    const after = `<html><head>${meta(lead)}</head><body><main><article><h1>Streit im Parlament</h1>${body}<div class="box"><p>${lead}</p></div></article></main></body></html>`;
    expect(textOf(after)).not.toContain(lead);
    // A site's tagline as its description, in the page's own header: not the article's lead.
    const tagline = "The web framework for perfectionists with deadlines, since the year 2005.";
    const site = `<html><head>${meta(tagline)}</head><body><header><a href="/">Home</a><p class="meta">${tagline}</p></header><main><h1>Models</h1>${body}</main></body></html>`;
    expect(textOf(site)).toBe(paragraphs.join("\n\n"));
  });

  it("drops headings left at the end with nothing under them once their link lists are cleaned out", () => {
    const links = `<ul><li><a href="/a">Offizielle Website der Stadt</a></li><li><a href="/b">Eintrag im Denkmalatlas</a></li></ul>`;
    const html = `<html><body><article><h2>Geschichte</h2><p>${GERMAN_PROSE}</p><h2>Heute</h2><p>${GERMAN_PROSE}</p>
      <h2>Weblinks</h2>${links}<div class="section"><h3>Einzelnachweise</h3>${links}</div></article></body></html>`;
    expect(textOf(html)).toBe(`Geschichte\n\n${GERMAN_PROSE}\n\nHeute\n\n${GERMAN_PROSE}`);
  });

  it("reads a WordPress post's category and tag classes as its topics, not as boilerplate (a post tagged 'Werbung', 'social media')", () => {
    const comment = (i: number) =>
      `<li id="comment-${i}" class="comment depth-1"><article class="comment-body"><div class="comment-content"><p>Was für ein schöner Bericht! Wir planen unseren Urlaub gerade auch und nehmen uns einige deiner Tipps mit, vor allem die Radtour klingt toll.</p></div></article></li>`;
    const html = `<html><body><main><article id="post-42" class="post-42 post type-post status-publish hentry category-ostsee tag-werbung tag-social-media">
      <div class="entry-content"><p>${GERMAN_PROSE}</p><p>${GERMAN_PROSE}</p><p>${GERMAN_PROSE}</p><p>${GERMAN_PROSE}</p></div></article>
      <div id="comments" class="comments-area"><h2>8 Gedanken zu diesem Beitrag</h2><ol class="comment-list">${[1, 2, 3, 4, 5, 6, 7, 8].map(comment).join("")}</ol></div>
      </main></body></html>`;
    expect(textOf(html)).toBe([GERMAN_PROSE, GERMAN_PROSE, GERMAN_PROSE, GERMAN_PROSE].join("\n\n"));
  });

  it("keeps a table whose cells a design system styles with a 'font-utility' type class, and drops a utility bar", () => {
    const cell = (text: string) => `<td class="border-b py-tight font-utility-2 whitespace-normal">${text}</td>`;
    const rows = [["Week 1", "Run 20 min easy", "Rest"], ["Week 2", "Run 25 min easy", "Cross-train 30 min"]];
    const table = `<table class="w-full"><tbody>${rows.map((r) => `<tr>${r.map(cell).join("")}</tr>`).join("")}</tbody></table>`;
    const html = `<html><body><div class="utility-bar"><a href="/login">Sign in</a> <span>Free shipping on all orders over fifty dollars, every day of the week.</span></div><article><p>${PROSE}</p><p>${GERMAN_PROSE}</p>${table}<p>${FORUM_POSTS[0]}</p></article></body></html>`;
    expect(textOf(html)).toBe([PROSE, GERMAN_PROSE, rows.map((r) => r.join(" | ")).join("\n"), FORUM_POSTS[0]].join("\n\n"));
  });

  it("reads a wrapper named for its sidebar (c-layout-sidebar-left around c-layout-main) as the layout, not as a sidebar: its main column follows the page's intro, and the sidebar stays out", () => {
    const sections = [[FORUM_POSTS[0]!, GERMAN_PROSE], [PROSE, FORUM_POSTS[1]!], [FORUM_POSTS[2]!, PROSE.replace("This", "That")]];
    const main = `<div class="c-layout-main">${sections.map((ps, i) => `<section class="jumplinks-section"><h2>Step ${i + 1}</h2><div class="c-wysiwyg">${ps.map((p) => `<p>${p}</p>`).join("")}</div></section>`).join("")}</div>`;
    const side = `<div class="c-layout-sidebar"><nav><ul>${[1, 2, 3].map((i) => `<li><a href="#s${i}">Step ${i}</a></li>`).join("")}</ul></nav></div>`;
    // A mega menu with a blurb under each entry: the page holds more text outside the layout than in it.
    const menu = `<header><nav><ul>${[1, 2, 3, 4, 5, 6, 7, 8].map((i) => `<li><a href="/s${i}">Section ${i}</a><p>${PROSE.replace("This", `Blurb ${i}: this`)}</p></li>`).join("")}</ul></nav></header>`;
    const INTRO = "Guidance for small organisations: five quick and easy steps that could save time, money and even your reputation.";
    const intro = `<div class="c-container"><div class="col-span-full"><p>${INTRO}</p></div></div>`;
    const html = `<html><body>${menu}${intro}<div class="c-container"><div class="c-layout-sidebar-left">${side}${main}</div></div><footer><p>${PROSE.replace("This", "The footer")}</p></footer></body></html>`;
    expect(textOf(html)).toBe([INTRO, ...sections.flatMap((ps, i) => [`Step ${i + 1}`, ...ps])].join("\n\n"));
  });

  it("reads a slideshow set in an <aside> as the page when it holds most of the page's text in paragraphs, and drops a sidebar <aside>", () => {
    const slides = [FORUM_POSTS[0]!, GERMAN_PROSE, PROSE, FORUM_POSTS[1]!];
    const show = `<aside id="rightColumn"><div class="slideshow"><nav><a href="#">Prev</a> <a href="#">Next</a></nav><ul>${slides.map((p, i) => `<li class="slide"><h2>Idea ${i + 1}</h2><p>${p}</p></li>`).join("")}</ul></div></aside>`;
    const html = `<html><body><div class="columns"><div id="leftCol"><h1>Fall centerpieces</h1><div class="comments"><strong>Your Comment:</strong></div></div>${show}</div></body></html>`;
    expect(textOf(html)).toBe(slides.map((p, i) => `- Idea ${i + 1}\n${p}`).join("\n"));
    const sidebar = `<aside><h2>About us</h2><p>${PROSE}</p></aside>`;
    const story = [FORUM_POSTS[0]!, GERMAN_PROSE, FORUM_POSTS[1]!];
    expect(textOf(`<html><body><article>${story.map((p) => `<p>${p}</p>`).join("")}</article>${sidebar}</body></html>`)).toBe(story.join("\n\n"));
  });

  it("reads a Drupal node's author class as its writer's name, not as an author box (node-article … author-sean-griffin)", () => {
    const story = [GERMAN_PROSE, PROSE, FORUM_POSTS[0]!];
    const sidebar = `<div class="region-sidebar">${[1, 2, 3].map((i) => `<div class="block"><h2>Gift guide ${i}</h2><p>${PROSE.replace("This", `Teaser ${i}: this`)} Another sentence of a teaser, with a comma.</p><p>${GERMAN_PROSE.replace("Die Stadt", `Teaser ${i}: die Stadt`)}</p></div>`).join("")}</div>`;
    const html = `<html><body><div class="page"><div class="region-content"><article class="node node-article node-published node-not-promoted node-not-sticky author-sean-griffin odd clearfix">
      <header><h1 class="node-title">A messenger bag meant to last</h1></header><div class="content"><div class="field field-name-body"><div class="field-item">${story.map((p) => `<p>${p}</p>`).join("")}</div></div></div></article></div>${sidebar}</div></body></html>`;
    expect(textOf(html)).toBe(["A messenger bag meant to last", ...story].join("\n\n"));
  });

  it("reads a forum whose posts sit in a moderation <form> without <p> (Simple Machines Forum), not the posters' column", () => {
    const posts = FORUM_POSTS;
    const post = (text: string, i: number) =>
      `<div class="windowbg${i % 2 ? "2" : ""}"><div class="post_wrapper"><div class="poster"><h4><a href="/profile/${i}">Gärtner ${i}</a></h4><ul class="reset smalltext"><li class="membergroup">Gartenprofi</li><li class="postcount">Beiträge: 34${i}</li></ul></div>` +
      `<div class="postarea"><div class="post"><div class="inner" id="msg_${500 + i}">${text}</div></div></div><div class="moderatorbar"><div class="signature">Gärtnern ist Leidenschaft – seit 1998.</div></div></div></div>`;
    const html = `<html><body><div id="header"><a href="/">Gartenforum</a> <a href="/suche">Suche</a></div>
      <div id="forumposts"><form action="/quickmod" method="post" id="quickModForm">${posts.map(post).join("")}</form></div></body></html>`;
    expect(textOf(html)).toBe(posts.join("\n\n"));
  });

  it("keeps a phpBB 2 thread's posts, whose text sits in a <span> beside icons, and drops the posters' details", () => {
    const posts = FORUM_POSTS.slice(0, 2);
    // Two icons and no <p> in each post's table: readability's gallery rule (more images than
    // paragraphs) removed the posts.
    const row = (text: string, i: number) =>
      `<tr><td class="row${i + 1}" valign="top"><span class="name"><b>User${i}</b></span><br><span class="postdetails">Mitglied<br>Anmeldungsdatum: 12.05.2019<br>Beiträge: 12${i}<br>Wohnort: Berlin</span></td>` +
      `<td class="row${i + 1}" width="100%"><table width="100%"><tr><td><a href="viewtopic.php?p=${i}"><img src="icon_minipost.gif" alt="Beitrag"></a><span class="postdetails">Verfasst am: 12.07.2023, 10:0${i} Titel: Re: Braune Flecken</span></td>` +
      `<td nowrap="nowrap"><a href="posting.php?mode=quote&amp;p=${i}"><img src="icon_quote.gif" alt="Antworten mit Zitat"></a></td></tr>` +
      `<tr><td colspan="2"><span class="postbody">${text}</span></td></tr></table></td></tr>`;
    const html = `<html><body><table class="forumline"><tr><td class="catHead" colspan="2"><span class="nav"><a href="?view=previous">Vorheriges Thema anzeigen</a> :: <a href="?view=next">Nächstes Thema anzeigen</a></span></td></tr>${posts.map(row).join("")}</table></body></html>`;
    expect(textOf(html)).toBe(`User0\n\n${posts[0]}\n\nUser1\n\n${posts[1]}`);
  });

  it("drops the line a phone app adds under a post ('Sent from my … using Tapatalk', 'Gesendet von meinem iPhone mit Tapatalk'), as its own paragraph or as the post's last line", () => {
    const signOffs = ["Sent from my SM-S908U using AC Forums mobile app", "Gesendet von meinem iPhone mit Tapatalk", "Envoyé de mon iPad en utilisant Tapatalk"];
    const post = (text: string, i: number) =>
      `<article class="message"><div class="message-userDetails"><a href="/members/${i}">User${i}</a></div><div class="message-content"><div class="bbWrapper">${text}` +
      (i === 1 ? `<p>${signOffs[i]}</p>` : `<br><br>${signOffs[i]!.replace("Tapatalk", '<a href="http://r.tapatalk.com/byo">Tapatalk</a>')}`) + "</div></div></article>";
    const html = `<html><body><div class="p-body"><div class="block-body">${FORUM_POSTS.map(post).join("")}</div></div></body></html>`;
    expect(textOf(html)).toBe(FORUM_POSTS.join("\n\n"));
    // A reply under the post it quotes: the text after the quote is read for its last lines.
    const quoting = (text: string, i: number) =>
      post(i === 0 ? text : `<blockquote class="bbCodeBlock--quote"><div class="bbCodeBlock-title">User${i - 1} said:</div><div class="bbCodeBlock-content">${FORUM_POSTS[i - 1]}</div></blockquote>${text}`, i);
    const replies = `<html><body><div class="p-body"><div class="block-body">${FORUM_POSTS.map(quoting).join("")}</div></div></body></html>`;
    const replyText = textOf(replies);
    for (const signOff of signOffs) expect(replyText).not.toContain(signOff);
    for (const text of FORUM_POSTS) expect(replyText).toContain(text);
    // A sentence that only begins so is the post's own text.
    const own = "Sent from my desk in Lisbon, where the rain has not stopped for a week, this is the last report of the season, and the longest.";
    expect(textOf(`<html><body><article><p>${PROSE}</p><p>${own}</p></article></body></html>`)).toBe(`${PROSE}\n\n${own}`);
  });

  it("takes the same row of every post in a vBulletin 3 thread (rows without class told apart by place), not the posters' rows or signatures", () => {
    const posts = FORUM_POSTS;
    const post = (text: string, i: number) =>
      `<div id="edit${800 + i}"><table id="post${800 + i}" class="tborder"><tr><td class="thead"><a href="showpost.php?p=${800 + i}">#${i + 1}</a> 12.07.2023, 10:0${i}</td></tr>` +
      `<tr><td class="alt2"><a class="bigusername" href="member.php?u=${i}">User${i}</a><div class="smallfont"><div>Registriert seit: 05.2019</div><div>Ort: Berlin</div><div>Beiträge: 12${i}</div></div></td></tr>` +
      `<tr><td class="alt1" id="td_post_${800 + i}"><div id="post_message_${800 + i}">${text}</div><div>__________________<br>Gärtnern ist Leidenschaft, seit 1998</div></td></tr></table></div>`;
    const html = `<html><body><div id="header"><a href="/">Gartenforum</a> <a href="/suche">Suche</a></div><div id="posts">${posts.map(post).join("")}</div></body></html>`;
    expect(textOf(html)).toBe(posts.join("\n\n"));
    // FluxBB's poster column.
    const flux = (text: string, i: number) =>
      `<div id="p${i}" class="blockpost"><div class="postbody"><div class="postleft"><dl><dt><strong>User${i}</strong></dt><dd>Registriert: 2019-05-12</dd><dd>Beiträge: 12${i}</dd></dl></div>` +
      `<div class="postright"><div class="postmsg"><p>${text}</p></div></div></div></div>`;
    expect(textOf(`<html><body><div id="brdmain">${posts.map(flux).join("")}</div></body></html>`)).toBe(posts.join("\n\n"));
  });

  it("keeps short phpBB 3 posts whose headers hold their permalinks: a link within the page weighs less, as in readability", () => {
    const posts = [
      "Hallo zusammen, meine Tomaten bekommen braune Flecken an den unteren Blättern. Ist das die Braunfäule?",
      "Das klingt leider sehr nach Braunfäule. Entferne alle befallenen Blätter und gieße nur noch von unten.",
    ];
    // Without the weighting each post's wrapper is 23% link text and goes as a link box.
    const post = (text: string, i: number) =>
      `<div id="p${i}" class="post has-profile bg${2 - (i % 2)}"><div class="inner"><dl class="postprofile"><dt><a href="./memberlist.php?u=${i}">User${i}</a></dt><dd>Beiträge: 12${i}</dd></dl>` +
      `<div class="postbody"><div id="post_content${i}"><h3><a href="#p${i}">Re: Braune Flecken an Tomaten</a></h3><ul class="post-buttons"><li><a href="./posting.php?mode=quote&amp;p=${i}">Zitieren</a></li></ul>` +
      `<div class="content">${text}</div></div></div></div></div>`;
    const html = `<html><head><title>Braune Flecken an Tomaten - Gartenforum</title></head><body><div id="page-body" class="page-body"><h2 class="topic-title"><a href="./viewtopic.php?t=5">Braune Flecken an Tomaten</a></h2>${posts.map(post).join("")}
      <div class="stat-block online-list"><h3>Wer ist online?</h3><p>Mitglieder in diesem Forum: 0 Mitglieder und 1 Gast</p></div></div></body></html>`;
    expect(textOf(html)).toBe(posts.map((text) => `Re: Braune Flecken an Tomaten\n\n${text}`).join("\n\n"));
    // A table of contents is still a link list, though its links stay on the page.
    const toc = `<html><body><article><p>${GERMAN_PROSE}</p><ul><li><a href="#anfahrt">Anfahrt und Parken am Wanderparkplatz</a></li><li><a href="#weg">Der Weg hinauf zur Burg</a></li></ul>
      <h2 id="anfahrt">Anfahrt</h2><p>${GERMAN_PROSE}</p><h2 id="weg">Der Weg</h2><p>${GERMAN_PROSE}</p></article></body></html>`;
    expect(textOf(toc)).toBe(`${GERMAN_PROSE}\n\nAnfahrt\n\n${GERMAN_PROSE}\n\nDer Weg\n\n${GERMAN_PROSE}`);
  });

  it("reads a page laid out with a table: the text column's <br> paragraphs, not the menu column beside it", () => {
    expect(textOf(TABLE_LAYOUT_PAGE)).toBe(TABLE_LAYOUT_PAGE_TEXT);
  });

  it("reads a page of <br>-broken text straight in the body without its centred menu or its last-changed line", () => {
    const paragraphs = [
      "Der Sportverein wurde im Frühjahr 1921 von zwölf jungen Männern aus dem Dorf gegründet, die sich zunächst auf einer Kuhweide trafen.",
      "Nach dem Krieg wurde der Spielbetrieb 1947 wieder aufgenommen. In den fünfziger Jahren kamen eine Turnabteilung und eine Tischtennisabteilung hinzu.",
      "Heute hat der Verein rund 450 Mitglieder in fünf Abteilungen und ist damit der größte Verein im Ort.",
    ];
    const html = `<html><head><title>Vereinsgeschichte - SV Musterdorf</title></head><body>
      <center><font size="5"><b>SV Musterdorf e.V.</b></font><br><a href="index.html">Startseite</a> | <a href="news.html">Aktuelles</a> | <a href="geschichte.html">Geschichte</a> | <a href="kontakt.html">Kontakt</a></center><hr>
      <font face="Arial" size="2">${paragraphs.join("<br><br>")}<br><br></font><hr>
      <center><font size="1">Letzte Änderung: 12.03.2015 | <a href="impressum.html">Impressum</a></font></center></body></html>`;
    expect(textOf(html)).toBe(paragraphs.join("\n\n"));
  });

  it("keeps a liveblog's entries without their times and share links, and the lead paragraph beside them", () => {
    const lead = "Der Bundestag debattiert über den Haushalt 2025. Die Abstimmung verschiebt sich in den Abend. Alle Entwicklungen hier im Liveblog.";
    const entries = [
      "Der Bundestag hat die Sitzung für eine Stunde unterbrochen. Die Fraktionen beraten getrennt über den Änderungsantrag der Opposition.",
      "Die Abstimmung über den Haushalt verzögert sich. Grund ist ein Streit über die Reihenfolge der Anträge, sagte ein Sprecher.",
      "Der Finanzminister verteidigt in seiner Rede die geplanten Einsparungen im Sozialbereich. Ohne sie sei die Schuldenbremse nicht einzuhalten.",
    ];
    const entry = (text: string, i: number) =>
      `<div class="liveblog-entry" id="e${i}"><div class="liveblog-entry__meta"><time>16:${10 + i} Uhr</time></div><div class="liveblog-entry__body"><p>${text}</p></div><div class="liveblog-entry__share"><a href="#e${i}">Link kopieren</a></div></div>`;
    const html = `<html><body><main><p class="intro">${lead}</p><div class="liveblog">${entries.map(entry).join("")}</div></main></body></html>`;
    expect(textOf(html)).toBe([lead, ...entries].join("\n\n"));
  });

  it("keeps a gallery article's slides, whose text sits in captions with headings, and drops a photo's caption and credit", () => {
    const tips: Array<[string, string]> = [
      ["Früh aufstehen", "Wer jeden Tag zur gleichen Zeit aufsteht, gibt seinem Körper einen festen Rhythmus. Schon nach zwei Wochen fällt es leichter."],
      ["Viel trinken", "Ein großes Glas Wasser direkt nach dem Aufstehen bringt den Kreislauf in Schwung. Über den Tag sollten es anderthalb Liter sein."],
      ["Handy weglegen", "Wer die erste halbe Stunde ohne Nachrichten verbringt, startet ruhiger in den Tag und kann sich besser auf das Wesentliche konzentrieren."],
    ];
    const slide = ([heading, text]: [string, string], i: number) =>
      `<div class="gallery__slide"><figure><img src="/g${i}.jpg"><${i % 2 ? "figcaption" : "div"} class="gallery__caption"><h3>${i + 1}. ${heading}</h3><p>${text}</p><span class="gallery__credit">Foto: iStock</span></${i % 2 ? "figcaption" : "div"}></figure><div class="gallery__counter">${i + 1} / 3</div></div>`;
    const html = `<html><body><article><p>${GERMAN_PROSE}</p><figure><img src="/a.jpg"><figcaption><p>Die neue Brücke am Abend, kurz vor der Eröffnung für den Verkehr.</p></figcaption></figure><div class="gallery">${tips.map(slide).join("")}</div></article></body></html>`;
    expect(textOf(html)).toBe([GERMAN_PROSE, ...tips.flatMap(([heading, text], i) => [`${i + 1}. ${heading}`, text])].join("\n\n"));
  });

  it("drops a column of other pages' teasers (linked headlines over unlinked blurbs) beside the article and inside it", () => {
    const paragraphs = [
      "Die Gemeinde hat beschlossen, das alte Freibad im kommenden Jahr zu sanieren. Die Kosten von rund 3,2 Millionen Euro werden zur Hälfte vom Land übernommen.",
      "Geplant sind ein neues Becken aus Edelstahl, eine moderne Filteranlage und barrierefreie Umkleiden. Das Bad bleibt während der Bauarbeiten geschlossen.",
      "Der Bürgermeister zeigte sich erleichtert über die Förderzusage. Ohne die Unterstützung des Landes hätte das Bad wohl schließen müssen, sagte er.",
      "Die Wiedereröffnung ist für den Sommer 2026 geplant. Der Förderverein will bis dahin Spenden für ein neues Sprungbrett sammeln.",
    ];
    const card = (i: number) =>
      `<article class="card"><a href="/n/${i}"><img src="/c${i}.jpg"></a><h3><a href="/n/${i}">Meldung Nummer ${i} aus der Region</a></h3><p>Ein kurzer Anrisstext zu einer anderen Meldung aus der Region, der neugierig machen soll, mit etwa hundertzwanzig Zeichen.</p></article>`;
    const cards = (n: number) => Array.from({ length: n }, (_, i) => card(i)).join("");
    const body = paragraphs.map((p) => `<p>${p}</p>`).join("");
    const beside = `<html><body><div class="row"><div class="col-main"><div class="content">${body}</div></div><div class="col-side"><h2>Aktuelles</h2>${cards(6)}</div></div></body></html>`;
    expect(textOf(beside)).toBe(paragraphs.join("\n\n"));
    const inside = `<html><body><div class="content">${body}<div class="more">${cards(3)}</div></div></body></html>`;
    expect(textOf(inside)).toBe(paragraphs.join("\n\n"));
  });

  it("keeps a site builder's section headings whose modules' class says 'header' (Jimdo), and not a count over a list", () => {
    const texts = [
      "Unsere Praxis für Physiotherapie besteht seit 1998 im Herzen der Altstadt. Wir behandeln Patienten aller Altersgruppen mit Rezept.",
      "Zu unseren Schwerpunkten gehören manuelle Therapie, Krankengymnastik nach Operationen und die Behandlung von Rückenschmerzen.",
      "Termine vereinbaren Sie am besten telefonisch. Bitte bringen Sie zum ersten Termin Ihr Rezept und ein großes Handtuch mit.",
    ];
    const module = (kind: string, inner: string) => `<div class="j-module n j-${kind}">${inner}</div>`;
    const html = `<html><body><div class="jtpl-main"><div class="jtpl-navigation"><ul><li><a href="/">Start</a></li><li><a href="/ueber-uns">Über uns</a></li></ul></div>
      <div id="content_area">${module("text", `<p>${texts[0]}</p>`)}${module("header", "<h2>Unsere Schwerpunkte</h2>")}${module("text", `<p>${texts[1]}</p>`)}
      ${module("header", "<h2>Termine</h2>")}${module("header", "<h3>3 Hinweise</h3>")}${module("text", `<p>${texts[2]}</p>`)}</div></div></body></html>`;
    expect(textOf(html)).toBe([texts[0], "Unsere Schwerpunkte", texts[1], "Termine", texts[2]].join("\n\n"));
  });

  it("keeps an accordion's questions, set as buttons inside headings (Bootstrap's accordion), and drops other buttons", () => {
    const faq: Array<[string, string]> = [
      ["Wie lange dauert die Lieferung?", "Innerhalb Deutschlands liefern wir in der Regel innerhalb von zwei bis drei Werktagen, Speditionsware braucht länger."],
      ["Kann ich meine Bestellung zurückgeben?", "Sie können jede Bestellung innerhalb von 30 Tagen ohne Angabe von Gründen zurückgeben. Das Etikett liegt bei."],
      ["Welche Zahlungsarten gibt es?", "Wir akzeptieren Kauf auf Rechnung, Lastschrift, Kreditkarte und PayPal, für Firmenkunden auch Vorkasse."],
    ];
    const item = ([question, answer]: [string, string]) =>
      `<div class="accordion-item"><h2 class="accordion-header"><button class="accordion-button collapsed" type="button">${question}</button></h2><div class="accordion-collapse collapse"><div class="accordion-body"><p>${answer}</p></div></div></div>`;
    const html = `<html><body><main><div class="accordion" id="faq">${faq.map(item).join("")}</div><button type="button">Weitere Fragen laden</button></main></body></html>`;
    expect(textOf(html)).toBe(faq.flat().join("\n\n"));
  });

  it("keeps an old blog's post that sits in a <fieldset> with the comment form, and drops the sidebar's fieldsets", () => {
    const post = [
      "I did the puzzles again this year, and had a really good time again. Spoilers follow, so read on only if you have finished them.",
      "Part one screams for a hash set to me. I keep a set of active beam positions and, for each row, make a new copy of that set.",
      "Part two needed path counting, which is quite hard if you have no code for it already; memoising the counts made it fast.",
    ];
    const html = `<html><body><table><tr><td><fieldset><legend>Puzzles, week two</legend>20 December 2025
      <div class="body">${post.map((p) => `<p>${p}</p>`).join("")}</div><h3>Add A Comment</h3>
      <form action="/comments" method="post"><table><tr><td>Your Name</td><td><input name="name"></td></tr></table></form></fieldset></td>
      <td><fieldset><legend>Search</legend><form action="/search"><input name="q"></form></fieldset>
      <fieldset><legend>Archive</legend><ul><li><a href="/2025/11/">November (30)</a></li><li><a href="/2025/12/">December (12)</a></li></ul></fieldset></td></tr></table></body></html>`;
    expect(textOf(html)).toBe(post.join("\n\n"));
  });

  it("takes every headed section of a page built from same-class sections whose insides differ (a services page), and not its link sections", () => {
    const sections = [
      `<div class="container"><div class="row"><div class="col"><h2>Data teams get what they need</h2><div class="content-info"><p>We support data teams in everything they need to keep their data correct, complete and consistent, from the first audit, through the clean-up, to the daily checks that follow.</p></div></div></div></div>`,
      `<div class="container"><h2>Siloed data hinders innovation</h2><div class="items"><div class="item"><p>One source of truth lets a company adopt approaches driven by data, where every team reads the same numbers.</p></div><div class="item"><p>Engineers and business users work on the same cases and add value to the same data sets.</p></div></div></div>`,
      `<div class="container"><div class="content"><h3>Governance for compliance</h3><ul><li>Processes that open data to the people who need it, and only to them.</li><li>Rules that keep sensitive data within the law of every country it is stored in.</li></ul></div></div>`,
      `<div class="container"><div class="grid"><h2>The four pillars</h2><div class="cols"><div><p>Consolidation puts all data in one place, which makes audits consistent and repeatable.</p></div><div><p>Visualisation gives every user the data they need without waiting for the IT department.</p></div></div></div></div>`,
    ];
    const links = `<div class="container"><h2>Related services</h2><ul>${["Cloud", "AI", "Security", "Consulting", "Support", "Training"].map((s) => `<li><a href="/${s}">${s} services for every industry</a></li>`).join("")}</ul></div>`;
    const html = `<html><body><nav><a href="/">Home</a> <a href="/services">Services</a></nav><div class="page">${sections.join("")}${links}</div><footer>© 2025 Example</footer></body></html>`;
    const text = textOf(html);
    for (const kept of ["Data teams get what they need", "One source of truth", "Governance for compliance", "Rules that keep sensitive data", "The four pillars", "Visualisation gives every user"]) expect(text).toContain(kept);
    expect(text).not.toContain("Related services");
  });

  it("does not count utility classes that clip or scroll ('overflow-hidden', 'overflow-x-hidden', 'scroll-mt-24') against a section, as a 'hidden' or 'scroll' class would be", () => {
    const sections: Array<[string, string, string[]]> = [
      ["relative bg-white overflow-hidden", "Sandboxes that feel like a superpower", ["Spin up isolated sandboxes for running generated code in complete safety, each ready in under a second."]],
      ["relative py-24 overflow-hidden", "Storage that keeps up", ["Fast local disks for low-latency work, and volumes that follow your machines from one region to the next."]],
      ["relative bg-white overflow-x-hidden scroll-mt-24", "Private networking built in", ["Every sandbox gets a private network with its own routing, and all traffic between them is encrypted."]],
      ["relative bg-gray-50", "Run any code fearlessly", [
        "Deploy apps, databases and workers close to your users in thirty regions, with a command line that stays out of your way.",
        "Pay only for the processor time and memory you use, by the second, and scale to zero when nobody is calling.",
      ]],
    ];
    const html = `<html><body><header class="navbar"><a href="/">Home</a> <a href="/pricing">Pricing</a></header><main>${sections
      .map(([cls, heading, paragraphs]) => `<section class="${cls}"><div class="container mx-auto"><h2>${heading}</h2>${paragraphs.map((p) => `<p>${p}</p>`).join("")}</div></section>`)
      .join("")}</main><footer><a href="/about">About</a> <a href="/jobs">Jobs</a></footer></body></html>`;
    expect(textOf(html)).toBe(sections.flatMap(([, heading, paragraphs]) => [heading, ...paragraphs]).join("\n\n"));
  });

  it("keeps a guide's sections that a table of contents scrolls to ('scroll-target'): the target of a scroll is not a scroller", () => {
    const sections: Array<[string, string]> = [["Why choose an EV", GERMAN_PROSE], ["Funding your EV", FORUM_POSTS[0]!], ["Range", FORUM_POSTS[1]!]];
    const toc = `<ul class="toc">${sections.map(([heading], i) => `<li><a href="#s${i}">${heading}</a></li>`).join("")}</ul>`;
    const body = sections.map(([heading, text], i) => `<div id="s${i}" class="benefit-item scroll-target"><h2>${heading}</h2><div class="benefit-description"><div class="text-formatted field"><p>${text}</p></div></div></div>`).join("");
    const intro = [PROSE, PROSE.replace("This", "That"), FORUM_POSTS[2]!];
    const html = `<html><body><main><article class="node node--type-article"><div class="node__content"><h1>Living with an EV</h1><div class="intro">${intro.map((p) => `<p>${p}</p>`).join("")}</div>${toc}<div id="summary">${body}</div></div></article></main></body></html>`;
    expect(textOf(html)).toBe(["Living with an EV", ...intro, ...sections.flat()].join("\n\n"));
  });

  it("keeps a page builder's text modules: the wrapper every widget has ('elementor-widget-container') is not a sidebar widget", () => {
    const intro = [
      "How a restaurant serves its guests often matters as much as what it serves: service sets expectations before the first bite.",
      "Restaurant service can be seen through two lenses, the dining format and the way the staff brings each course to the table.",
      "Understanding these styles helps owners, investors and managers choose the service that fits the market they mean to serve.",
      "This guide walks through each type of restaurant service, what it asks of the kitchen and the floor, and whom it suits best.",
    ];
    const body = [
      "Service is the framework that connects a restaurant's concept to its execution, and it shapes how guests judge the value of a meal.",
      "Fine dining needs prompt service at the table, while a low-cost eatery gains from fast, simple service at a counter.",
      "Guests often judge their evening more by how they were served than by what they ate, and they come back for the service.",
    ];
    // Older widgets wrap their text in a widget container; newer, leaner markup puts it in the widget itself.
    const widget = (inner: string) => `<div class="elementor-element elementor-widget elementor-widget-text-editor"><div class="elementor-widget-container">${inner}</div></div>`;
    const lean = (inner: string) => `<div class="elementor-element elementor-widget elementor-widget-text-editor">${inner}</div>`;
    const html = `<html><body><header><a href="/">Restaurant Software</a></header><div class="row"><div class="col-lg-8"><article class="post type-post">
      <div class="elementor"><div class="e-con">${widget(intro.map((p) => `<p>${p}</p>`).join(""))}</div>
      <div class="e-con">${lean(`<h2>Why does the service style matter?</h2>${body.map((p) => `<p>${p}</p>`).join("")}`)}</div></div></article></div>
      <div class="col-lg-4"><div class="elementor-widget-container"><h3>Newsletter</h3><a href="/signup">Sign up</a></div></div></div></body></html>`;
    expect(textOf(html)).toBe([...intro, "Why does the service style matter?", ...body].join("\n\n"));
  });

  it("keeps an article a site builder set inside a <header> that holds most of the page's text, and drops the page's own header", () => {
    const paragraphs = [
      "Today we report an advance in circuit discovery for neural networks: a gradient-based method that finds which components cause a behavior.",
      "The method topped the public interpretability benchmark, ahead of attribution patching and its variants, on every task in the suite.",
      "We release the code and a short paper, and we will present the results at the workshop on interpretability in the spring.",
      "The method needs no retraining: it changes how gradients flow through attention and normalisation layers during one backward pass.",
    ];
    const html = `<html><body><div class="page-wrapper"><header class="navbar"><a href="/">Logo</a> <a href="/platform">Platform</a> <a href="/signin">Sign in</a></header>
      <main class="main-wrapper"><header class="section_content"><div class="padding-global"><h1>A new method for circuit discovery</h1><div class="w-richtext">${paragraphs.map((p) => `<p>${p}</p>`).join("")}</div></div></header></main>
      <footer class="footer"><a href="/privacy">Privacy</a> © 2025 Example</footer></div></body></html>`;
    expect(textOf(html)).toBe(["A new method for circuit discovery", ...paragraphs].join("\n\n"));
  });

  it("keeps the article when an announcement's <aside> is left open around the page's <main>, and still drops a closed sidebar", () => {
    const paragraphs = [
      "I had the privilege of speaking at a startup conference this spring, and this post collects what I said there about founding companies.",
      "Entrepreneurs often spot a change in demand sooner than anyone else does, because they listen to the people they sell to every day.",
      "Businesses have run for centuries without venture capital; taking it changes what the company must become, and how fast it must grow.",
      "Write down your values in rank order before you hire anyone, and share them with every co-founder, so that hard choices come out the same.",
    ];
    const page = (sidebar: string) => `<html><body><aside class="columns announcement-banner"><div class="column"><a href="/news">Announcement: we joined a larger company</a></div>
      <nav class="navbar"><a href="/products">Products</a> <a href="/blog">Blog</a></nav>
      <main><div class="page-wrap"><article class="blog-post content"><h1>Startup lessons</h1>${paragraphs.map((p) => `<p>${p}</p>`).join("")}</article>${sidebar}</div></main>
      <footer><a href="/privacy">Privacy</a></footer></body></html>`;
    expect(textOf(page(""))).toBe(["Startup lessons", ...paragraphs].join("\n\n"));
    const text = textOf(page(`<aside class="column"><h3>Popular</h3><p>${PROSE}</p></aside>`));
    expect(text).toBe(["Startup lessons", ...paragraphs].join("\n\n"));
  });

  it("takes the whole <main> when the best block is one of many headed sections, each in its own stack of wrappers", () => {
    const sections: Array<[string, string[]]> = [
      ["What is meditation?", ["Meditation has a history that goes back thousands of years and many of its techniques began in Eastern traditions", "Mindfulness is the practice of paying attention to the present moment on purpose and without judging what it finds there"]],
      ["Stress, anxiety and depression", [
        "A 2018 analysis of 142 groups of participants, with diagnosed conditions, found that mindfulness approaches reduced anxiety and depression, compared with no treatment, waiting lists or education.",
        "The effects were similar, in size and in duration, to those of other active treatments, such as exercise, relaxation or talking therapy, in the trials that compared them.",
        "A 2019 review of 36 trials, with 3,000 participants, found that the benefits lasted, at least in part, for up to six months after the programs ended.",
        "Most of the trials, however, were small, short, or at risk of bias, and the authors called for larger, longer, better-reported studies, with active control groups.",
      ]],
      ["Pain", ["Studies of the effects of mindfulness on acute and chronic pain have had mixed results and most of them were small and short", "A 2020 report found that mindfulness-based stress reduction was linked to a short-term easing of low-back pain"]],
      ["Sleep", ["Mindfulness programs may help with insomnia according to a 2019 review of 18 trials although the evidence is of low certainty", "Mind and body practices such as yoga and tai chi may also help people fall asleep and sleep through the night"]],
      ["Safety", ["Meditation and mindfulness practices are generally considered safe for healthy people when they are taught well", "People with physical limitations may not be able to take part in some practices that involve movement such as yoga"]],
    ];
    const wrap = (inner: string) => `<div class="row"><div class="col"><div class="css-swx"><div class="css-1w7"><div class="css-1z0"><div class="css-iia">${inner}</div></div></div></div></div></div>`;
    const section = ([heading, paragraphs]: [string, string[]]) => wrap(`<h2>${heading}</h2><div><ul>${paragraphs.map((p) => `<li>${p}</li>`).join("")}</ul></div>`);
    const html = `<html><body><header><nav><a href="/">Home</a> <a href="/topics">Topics A-Z</a></nav></header><main><div class="row"><div class="col">${sections.map(section).join("")}</div></div></main><footer>Contact us</footer></body></html>`;
    expect(textOf(html)).toBe(sections.map(([heading, paragraphs]) => `${heading}\n\n${paragraphs.map((p) => `- ${p}`).join("\n")}`).join("\n\n"));
  });

  it("takes the whole of a landing page (a service's sections of headings and pitches), not only its FAQ", () => {
    const features: Array<[string, string]> = [
      ["Plan every project, from the first idea to its launch day", "Roadmaps and timelines."],
      ["Automate the busywork that slows your whole team down", "Rules that move tasks."],
      ["See at once who is overloaded and who has room to spare", "Workload at a glance."],
      ["Report in real time to managers, clients and the board", "Live dashboards."],
      ["Connect the tools your team already uses every day", "Email, chat, calendars."],
      ["Keep your data safe with controls your auditors accept", "Single sign-on, logs."],
      ["Work from anywhere, on any device, online or offline", "Phone, tablet, desktop."],
      ["Start from one of two hundred ready-made templates", "For every department."],
      ["Bring clients and freelancers in as guests, for free", "Guest access."],
      ["Get an answer from our support team, day or night", "Chat, 24/7."],
    ];
    const quotes = ["“We shipped our launch two weeks early.” Maria, Acme", "“Our Monday meeting now takes ten minutes.” Jon, Globex"];
    const faq: Array<[string, string]> = [
      ["How long does it take to set up?", "Most teams, small or large, are up and running within a day, because the templates, the imports, from spreadsheets, CSV files, or other tools, and the guided tour cover, step by step, the usual projects, and our support team answers, by chat, e-mail, or phone, within an hour."],
      ["Can I cancel at any time?", "Yes. Plans, for teams of any size, are billed monthly, or yearly, you can upgrade, downgrade, pause, or cancel, at any time, from the settings page, and we refund, in full, any unused months, or weeks, of a yearly plan."],
    ];
    // Sections each built its own way, in a page builder's wrappers.
    const card = ([heading, text]: [string, string]) => `<div class="card"><h2>${heading}</h2><div class="copy">${text}</div></div>`;
    const html = `<html><body><header><nav><a href="/">Home</a> <a href="/pricing">Pricing</a> <a href="/login">Log in</a></nav></header><div class="site">
      <section class="hero"><div class="container"><div class="inner"><div class="row"><div class="col"><h1>Work management for every team</h1><div class="lead">One platform for projects, processes and goals.</div></div></div></div></div></section>
      <section class="features"><div class="container"><div class="inner"><div class="grid">${features.map(card).join("")}</div></div></div></section>
      <section class="quotes"><div class="container"><div class="inner"><ul class="slider">${quotes.map((quote) => `<li><blockquote>${quote}</blockquote></li>`).join("")}</ul></div></div></section>
      <section class="faq"><div class="container"><div class="row"><div class="col"><h2>Frequently asked questions</h2>${faq.map(([q, a]) => `<div class="item"><h3>${q}</h3><p>${a}</p></div>`).join("")}</div></div></div></section>
      </div><footer><a href="/terms">Terms</a> <a href="/privacy">Privacy</a></footer></body></html>`;
    expect(textOf(html)).toBe([
      "Work management for every team", "One platform for projects, processes and goals.", ...features.flat(), quotes.map((quote) => `- ${quote}`).join("\n"), "Frequently asked questions", ...faq.flat(),
    ].join("\n\n"));
  });

  it("keeps a landing page's sections set beside icons that link nowhere, and drops its row of priced cards", () => {
    const sections: Array<[string, string]> = [
      ["Group chat that is all fun and games", "Talk, play and hang out with your friends in a space of your own, with voice, video and text in one place, on every device you use."],
      ["Stream like you are in the same room", "High quality and low latency streaming makes it feel as if you sat on the couch together, playing a game or watching a show."],
      ["Hop in when you are free, no need to call", "Join a voice channel with one click and leave it as easily, so that a chat lasts before, during and after your game session."],
      ["Always have something to do together", "Watch videos, play built-in games, listen to music, or just scroll together, all in the one group chat you already share."],
    ];
    // Each section's pitch is one paragraph beside three pictures: readability's gallery rule (more
    // images than twice the paragraphs) would take it for a gallery and leave the one section of prose.
    const safety = "Your servers are yours: you decide who joins, what they may see and say, and which bots may act for you, and our safety team, which works around the clock in every time zone, reviews every report of abuse, harassment or spam, and acts on it, often within the hour, so that a group stays a place where everyone wants to spend their evenings.";
    const icons = (i: number) => `<img src="/art/${i}-a.svg" alt=""><img src="/art/${i}-b.svg" alt=""><img src="/art/${i}-c.png" alt="">`;
    const section = ([heading, text]: [string, string], i: number) => `<div class="home-section"><div class="art">${icons(i)}</div><div class="copy"><h2>${heading}</h2><div class="text">${text}</div></div></div>`;
    const products = ["Blue Mug", "Red Mug", "Green Mug"].map((name, i) => `<div class="tile"><img src="/p${i}.jpg" alt=""><div class="name">${name}</div><div class="price">$1${i}.99</div></div>`).join("");
    const html = `<html><body><header><nav><a href="/">Home</a> <a href="/download">Download</a></nav></header><main><div class="page">${sections.map(section).join("")}<div class="home-section"><h2>Safe by design</h2><p>${safety}</p></div>
      <div class="row">${products}</div></div></main><footer><a href="/terms">Terms</a></footer></body></html>`;
    expect(textOf(html)).toBe([...sections.flat(), "Safe by design", safety].join("\n\n"));
  });

  it("keeps a thread's short replies beside their posters' linked avatar and badges", () => {
    const question = "After the 2.4 update my dashboard stays blank, and the log shows nothing at all. Anyone else seeing this since Monday?";
    const replies = ["Same here, the update broke my setup too.", "Rolling back to 2.3 fixed it for me, thanks!", "Did you clear the cache after updating?", "Yes, no change. I filed a bug report.", "The fix is in 2.4.1, out today."];
    // Three linked pictures and no paragraph per post: readability's gallery rule, read as in an
    // article, would take each post for a gallery and leave the question alone.
    const post = (text: string, i: number) => `<div class="post" id="p${i}"><div class="post-side"><a href="/u/${i}"><img src="/avatar/${i}.png" alt=""></a><a href="/badges/${i}"><img src="/b1.png" alt=""></a><a href="/badges/${i}"><img src="/b2.png" alt=""></a><span class="poster">user${i}</span></div><div class="post-body">${text}</div></div>`;
    const html = `<html><head><title>Update broke my setup</title></head><body><nav><a href="/">Forum</a></nav><main><h1>Update broke my setup</h1><div class="thread"><p>${question}</p>${replies.map(post).join("")}</div></main></body></html>`;
    expect(textOf(html)).toBe([question, ...replies].join("\n\n"));
  });

  it("keeps a product page's section whose class says 'media' beside its copy, and drops such a block, and a row of linked pictures, from an article", () => {
    const description = "Brewed in small batches from rice grown on our own terraces, this junmai sake is dry, clean and light, with notes of pear and melon, and it is best served chilled in a small glass, with sushi, grilled fish or a plate of salted edamame beans.";
    const story = "Founded in 1743 in the Nada district of Kobe, our brewery has made sake from the same spring water for nearly three hundred years, and its masters still taste every batch before it leaves the cellar.";
    const serving = "Keep the bottle in the fridge once it is open and finish it within a month: the flavour fades as the air reaches it.";
    // "media" lowers a block's score (readability's negative class words): read outside an article,
    // it would drop the story as a widget.
    const media = (cls: string, heading: string, text: string) => `<section class="${cls}"><div class="copy"><h2>${heading}</h2><p>${text}</p></div><div class="media-holder"><img src="/m.jpg" alt=""></div></section>`;
    const product = `<html><head><title>Junmai Sake 720 ml</title></head><body><nav><a href="/">Shop</a> <a href="/sake">Sake</a></nav><main><div class="product"><h1>Junmai Sake 720 ml</h1><div class="description"><p>${description}</p></div>${media("copy-with-media", "Our story", story)}<div class="serving"><h2>Serving</h2><p>${serving}</p></div></div></main><footer><a href="/terms">Terms</a></footer></body></html>`;
    expect(textOf(product)).toBe([description, "Our story", story, "Serving", serving].join("\n\n"));
    // Three paragraphs of an article's length make an article, where such a block is a widget beside
    // the text, and pictures that link elsewhere are other stories' teasers.
    const stories = `<div class="row">${[1, 2, 3].map((i) => `<div class="tile"><a href="/story/${i}"><img src="/s${i}.jpg" alt=""></a><div class="blurb">Story number ${i}</div></div>`).join("")}</div>`;
    const report = (n: number) => `Paragraph ${n} of the report: the council met on Monday and agreed, after a long debate, to fund the new bridge over the river, whose old one, built in 1904, has been closed to lorries since the spring, and the works, which will take two years, start in March, the mayor said, with a budget of twelve million euros, of which the region pays half.`;
    const article = `<html><head><title>Council funds new bridge</title></head><body><main><article><h1>Council funds new bridge</h1><p>${report(1)}</p><p>${report(2)}</p><p>${report(3)}</p>${stories}${media("video-media", "Watch: the old bridge", "A video of the old bridge from the air, filmed by our reporter last week, before it closed to lorries.")}</article></main></body></html>`;
    expect(textOf(article)).toBe([report(1), report(2), report(3)].join("\n\n"));
  });

  it("gives a section that the page holds twice (its mobile and its desktop copy) once, and keeps a paragraph its author repeats", () => {
    const section = `<h2>Tomaten im Herbst</h2><p>${FORUM_POSTS[0]}</p><p>${FORUM_POSTS[1]}</p>`;
    const refrain = `${PROSE} ${GERMAN_PROSE}`;
    const html = `<html><body><main><div class="mobile-content">${section}</div><div class="desktop-content">${section}</div><p>${refrain}</p><p>${refrain}</p></main></body></html>`;
    expect(textOf(html)).toBe(["Tomaten im Herbst", FORUM_POSTS[0], FORUM_POSTS[1], refrain, refrain].join("\n\n"));
  });

  it("takes every text block of an article whose CMS set each one as a page of its own (<html><body> inside the article)", () => {
    const blocks = [FORUM_POSTS[0]!, `${PROSE} ${GERMAN_PROSE}`, FORUM_POSTS[2]!];
    const block = (text: string) => `<html><head><title>Block</title></head><body><div class="block-text"><p>${text}</p></div></body></html>`;
    const html = `<html><body><nav><a href="/">Home</a></nav><main><div class="grid"><div class="article-content"><h1>Tomaten im Herbst</h1>${blocks.map(block).join("")}</div>
      <aside><a href="/a">Mehr Gartentipps</a></aside></div></main></body></html>`;
    expect(textOf(html)).toBe(["Tomaten im Herbst", ...blocks].join("\n\n"));
  });

  it("takes every section of an article whose sections' ids are their headings' slugs (a cloud vendor's explainer), not only the best one", () => {
    const sections: Array<[string, string]> = [
      ["What is cloud computing?", "Cloud computing is the on-demand availability of computing resources, such as storage and infrastructure, as services over the internet."],
      ["How cloud computing works", "Instead of buying, owning and maintaining their own data centers, companies rent storage, compute, databases and networks, as they need them, from a provider, pay for what they use, and scale up, or down, within minutes, which spares them, at the start, the cost of servers, buildings, power and staff."],
      ["Types of cloud deployment", "A public cloud is run by a provider and shared by its customers, and a private cloud serves one organization alone behind its own walls."],
      ["Benefits of cloud computing", "The cloud lets teams deliver new applications faster, cut the cost of their infrastructure and reach customers in every region of the world."],
    ];
    const slug = (heading: string) => heading.toLowerCase().replace(/[^a-z]+/g, "-").replace(/-$/, "");
    const section = ([heading, text]: [string, string], i: number) =>
      `<section class="H8asR jump-section" id="${slug(heading)}"><div id="module-${2 * i + 2}"><div class="pdL7Ue"><div class="EAoy4b"><h2>${heading}</h2><p>${text}</p></div><div class="Ta0cpd"><img src="/s${i}.png" alt=""></div></div></div></section>`;
    const html = `<html><body><header><nav><a href="/">Home</a> <a href="/products">Products</a></nav></header><div class="page"><div class="UAquKe">${sections.map(section).join("")}</div></div><footer>Terms · Privacy</footer></body></html>`;
    expect(textOf(html)).toBe(sections.map(([heading, text]) => `${heading}\n\n${text}`).join("\n\n"));
  });

  it("takes the block whose id names the article's text when the best block is one of its rich-text modules, but not a theme's main-content column with lists of other posts", () => {
    const modules: Array<[string, string]> = [
      ["The waterfall model", "The waterfall model has a sequential approach, with phases, gates and sign-offs, that breaks the work into requirements, design, build, test and release, each of which starts, by rule, only when the one before it ends, so that a change late in the project is costly, slow and risky."],
      ["The iterative model", "The iterative model starts from a simplified set of features and functions and grows them in repeated cycles until the product is whole and ready"],
      ["The spiral model", "The spiral model is a risk-driven approach that joins the iterative model to the systematic control of the waterfall model"],
      ["The agile model", "The agile model takes the iterative model and makes it more adaptive and more oriented to what the customer needs from week to week"],
      ["Choosing a model", "Choosing the right model for a company and a project depends on the size of the team and on how well the requirements are known"],
    ];
    const module = ([heading, text]: [string, string]) => `<section class="BlogSection_x"><div class="Container_x"><div class="Wrapper_x"><h2>${heading}</h2><div class="RichText_x"><p>${text}</p><p>${text.replace("approach", "method")}</p></div></div></div></section>`;
    const blog = `<html><body><nav><a href="/">Home</a></nav><div class="ArticlePage_main"><div id="blog-main-content">${modules.map(module).join("")}</div></div></body></html>`;
    expect(textOf(blog)).toBe(modules.map(([heading, text]) => [heading, text, text.replace("approach", "method")].join("\n\n")).join("\n\n"));
    const teaser = (i: number) => `<div class="post-list"><span>Dec ${i}, 2025</span><h3><a href="/post-${i}">Another story about travel number ${i}</a></h3><p>A short blurb of the other story, which the reader could open next if the headline above caught the eye.</p></div>`;
    const theme = `<html><body><div id="main-content"><div id="body-content">${modules.map(([, text]) => `<p>${text}</p>`).join("")}</div><div class="more">${[1, 2, 3, 4, 5, 6].map(teaser).join("")}</div></div></body></html>`;
    expect(textOf(theme)).toBe(modules.map(([, text]) => text).join("\n\n"));
  });

  it("drops links set as buttons (a job ad's 'Jetzt bewerben', a shop's 'Zum Angebot') and keeps the links in its prose", () => {
    const prose = `Senden Sie Ihre Bewerbung mit frühestem Eintrittstermin bis zum 31. Januar über <a href="/jobs/123">unser Portal</a> oder per Post an die Personalabteilung.`;
    const html = `<html><body><div class="job-content"><p>${GERMAN_PROSE}</p><p>${prose}</p><a class="btn btn-primary" href="/apply/123">Jetzt bewerben</a> <a class="cta" href="/go">Zum Angebot</a> <span class="button"><a href="/x">Merken</a></span></div></body></html>`;
    expect(textOf(html)).toBe(`${GERMAN_PROSE}\n\n${prose.replace(/<[^>]+>/g, "")}`);
  });

  it("drops short paragraphs that are nearly all link, and keeps prose with a link in it", () => {
    const linked = `The council published <a href="/report">its full report on the bridge</a> on Monday, with the costs of each option.`;
    const html = `<html><body><article>
      <p>${PROSE}</p>
      <p>Lesen Sie auch: <a href="/a">Neue Radwege für die Altstadt beschlossen</a></p>
      <p>${linked}</p>
      <p><a href="/b">Read more: River otters return to the Thames after fifty years</a></p>
      <p>${PROSE}</p>
    </article></body></html>`;
    // The first is 41 characters of link in 56 (link density 0.73), the second all link; the
    // prose has 29 characters of link in 93 (0.31).
    expect(textOf(html)).toBe([PROSE, linked.replace(/<[^>]+>/g, ""), PROSE].join("\n\n"));
  });

  it("keeps a paragraph that ends in a link written out (a source the author cites), though it is nearly all link", () => {
    const cited = ["Zur Petition: <a href=\"http://www.openpetition.de/p/1\">http://www.openpetition.de</a>", "<a href=\"https://example.org/report.pdf\">https://example.org/report.pdf</a>", "[1] <a href=\"https://www.example.com/a\">www.example.com/a</a>"];
    const html = `<html><body><article><p>${PROSE}</p>${cited.map((c) => `<p>${c}</p>`).join("")}<p><a href="/b">Read more: River otters return to the Thames</a></p><p>${PROSE}</p></article></body></html>`;
    expect(textOf(html)).toBe([PROSE, ...cited.map((c) => c.replace(/<[^>]+>/g, "")), PROSE].join("\n\n"));
  });

  it("renders line breaks, data tables and nested lists", () => {
    const html = `<html><body><article>
      <p>${PROSE}</p>
      <p>first line<br>second line<br><br>new paragraph</p>
      <table><tr><td>a</td><td>b</td><td></td><td>c</td></tr><tr><td>one cell<br>two lines</td></tr><tr><td>Gewi<span>cht</span></td><td><b>14,90</b>&nbsp;€</td><td>x<br>y</td></tr></table>
      <ul><li>one<ul><li>one point one</li></ul></li><li><p>two</p></li></ul>
    </article></body></html>`;
    // Inline tags inside a cell do not split its words; a line break does.
    expect(textOf(html)).toBe(`${PROSE}\n\nfirst line\nsecond line\n\nnew paragraph\n\na | b | c\none cell\ntwo lines\nGewicht | 14,90 € | x y\n\n- one\n- one point one\n- two`);
  });

  it("numbers ordered lists as a browser does: start, reversed, value, nested bullets", () => {
    const html = `<html><body><article>
      <p>${PROSE}</p>
      <ol><li>mix<ul><li>flour</li><li>water</li></ul></li><li><p>knead</p></li><li>bake</li></ol>
      <ol start="7"><li>seven</li><li value="10">ten</li><li>eleven</li></ol>
      <ol reversed><li>three</li><li>two</li><li>one</li></ol>
      <ol reversed start="5"><li>five</li><li>four</li></ol>
      <ol start="x"><li>alpha beta</li><li>gamma delta</li></ol>
      <p>${PROSE}</p>
    </article></body></html>`;
    expect(textOf(html)).toBe(
      [
        PROSE,
        "1. mix\n- flour\n- water\n2. knead\n3. bake",
        "7. seven\n10. ten\n11. eleven",
        "3. three\n2. two\n1. one",
        "5. five\n4. four",
        "1. alpha beta\n2. gamma delta",
        PROSE,
      ].join("\n\n"),
    );
  });

  it("reads a layout table's cells as blocks, not as one row", () => {
    const html = `<html><body><table><tr><td><a href="/">Home</a></td><td><p>${PROSE}</p><p>${PROSE}</p></td></tr></table></body></html>`;
    expect(textOf(html)).toBe(`${PROSE}\n\n${PROSE}`);
  });

  it("writes its text and title in NFC: decomposed letters (u + combining diaeresis) are composed", () => {
    const decomposed = "Die Stadt Mu\u0308nchen baut bis zum Herbst einen neuen Radweg entlang der Isar, der die Altstadt mit dem Su\u0308den verbindet.";
    const result = extractMainText(`<html><head><title>Mu\u0308nchen</title></head><body><article><p>${decomposed}</p></article></body></html>`);
    expect(result).toMatchObject({ ok: true, title: "M\u00fcnchen", text: "Die Stadt M\u00fcnchen baut bis zum Herbst einen neuen Radweg entlang der Isar, der die Altstadt mit dem S\u00fcden verbindet." });
  });

  it("drops soft hyphens, which only say where a long word may break (Klima&shy;schutz), from the text and the title", () => {
    const html = `<html><head><title>Klima&shy;schutz</title></head><body><article><p>Die Bundes&shy;regierung hat ein neues Klima\u00adschutz&shy;programm beschlossen, das bis 2030 gilt und die Kommunen einbezieht.</p></article></body></html>`;
    expect(extractMainText(html)).toMatchObject({ ok: true, title: "Klimaschutz", text: "Die Bundesregierung hat ein neues Klimaschutzprogramm beschlossen, das bis 2030 gilt und die Kommunen einbezieht." });
  });

  it("decodes entities and keeps hidden elements out", () => {
    const html = `<html><body><div><p>Caf&eacute; &amp; bar &#8212; ${PROSE}</p><p hidden>secret one</p><p style="display: none">secret two</p><p aria-hidden="true">secret three</p></div></body></html>`;
    expect(textOf(html)).toBe(`Café & bar — ${PROSE}`);
  });

  it("keeps the segments React streams hidden after the page's shell (<div hidden id=\"S:0\">), and drops other hidden blocks", () => {
    const html = `<html><body><nav><a href="/">Home</a></nav><main><template id="B:0"></template><div class="skeleton"></div></main>
      <div hidden id="S:0"><article><h1>Scalable interpretability</h1><p>${PROSE}</p><p>${PROSE}</p></article></div><script>$RC("B:0","S:0")</script>
      <div hidden id="promo"><p>${GERMAN_PROSE}</p></div></body></html>`;
    expect(textOf(html)).toBe(`Scalable interpretability\n\n${PROSE}\n\n${PROSE}`);
    // React numbers its segments in hexadecimal: the 27th is S:1a.
    expect(textOf(html.replaceAll("S:0", "S:1a"))).toBe(`Scalable interpretability\n\n${PROSE}\n\n${PROSE}`);
  });

  it("keeps an article whose page wrapper a dialog's script marked aria-hidden (a cookie banner open when the page was saved)", () => {
    const html = `<html><body><div id="app" aria-hidden="true"><header><a href="/">Stadt</a></header><main><article><p>${GERMAN_PROSE}</p><p>${PROSE}</p>
      <span aria-hidden="true">secret icon text</span></article></main></div><div role="dialog" aria-modal="true"><p>Wir verwenden Cookies.</p></div></body></html>`;
    expect(textOf(html)).toBe(`${GERMAN_PROSE}\n\n${PROSE}`);
  });

  it("keeps a page its scripts keep hidden until they load (visibility:hidden on the app's root), and drops a hidden block inside it", () => {
    const paragraphs = [...FORUM_POSTS, GERMAN_PROSE];
    const body = `<div class="article-content"><h1>Tomaten</h1>${paragraphs.map((p) => `<p>${p}</p>`).join("")}<div style="display: none"><p>${PROSE}</p></div></div>`;
    const html = `<html><body><div id="__next"><div style="visibility:hidden;background:#fff"><div class="nav"><a href="/">Home</a></div>${body}</div></div></body></html>`;
    expect(textOf(html)).toBe(["Tomaten", ...paragraphs].join("\n\n"));
  });

  it("keeps an FAQ's answers that stay hidden until their question's button opens them (aria-controls), and drops other hidden blocks", () => {
    const faq: Array<[string, string]> = [
      ["Wie lange dauert die Bearbeitung?", "In der Regel drei bis vier Wochen, in der Ferienzeit kann es länger dauern, weil dann mehr Anträge eingehen."],
      ["Was kostet der Ausweis?", "Für Antragstellende ab 24 Jahren 37 Euro, für jüngere 22,80 Euro; die Gebühr wird bei der Antragstellung fällig."],
      ["Brauche ich einen Termin?", "Ja, ohne Termin können wir Sie leider nicht bedienen. Termine vergeben wir online und am Telefon."],
    ];
    // The answers hidden by the hidden attribute with the button before them, by aria-hidden with the
    // button after, or by an inline style (display:none) with the button before.
    const item = ([question, answer]: [string, string], i: number) =>
      i === 0
        ? `<div class="faq-item"><h3><button aria-expanded="false" aria-controls="faq-${i}">${question}</button></h3><div id="faq-${i}" class="faq-panel" hidden><p>${answer}</p></div></div>`
        : i === 1
          ? `<div class="faq-item"><div id="faq-${i}" class="faq-panel" aria-hidden="true"><p>${answer}</p></div><h3><a href="#faq-${i}" role="button" aria-controls="faq-${i} other">${question}</a></h3></div>`
          : `<div class="faq-item"><a id="faq-${i}-header" role="button" tabindex="0" aria-controls="faq-${i}">${question}</a><div id="faq-${i}" style="display:none;" role="region" aria-labelledby="faq-${i}-header"><p>${answer}</p></div></div>`;
    // A newsletter form opens the same way; its class words still drop it.
    const signup = `<div><button aria-controls="signup">Newsletter</button><div id="signup" class="newsletter-signup" hidden><p>${PROSE}</p></div></div>`;
    const html = `<html><body><main><h1>Häufige Fragen</h1><p>${GERMAN_PROSE}</p>${faq.map(item).join("")}<div id="promo" hidden><p>${PROSE}</p></div><div id="later" style="display: none"><p>${PROSE}</p></div>${signup}</main></body></html>`;
    const text = textOf(html);
    for (const [, answer] of faq) expect(text).toContain(answer);
    expect(text).not.toContain(PROSE);
  });

  it("drops boxes of recommended and most-read articles named in German, French and Polish inside the article", () => {
    const teaser = (text: string) => `<h3>Neue Radwege für die Innenstadt</h3><p>${text}</p>`;
    const boxes = [
      `<div class="artikel-empfehlungen">${teaser("Die Stadt plant bis 2026 zwölf Kilometer neue Radwege, die meisten davon auf bisherigen Parkstreifen.")}</div>`,
      `<div class="box-meistgelesen">${teaser("Nach dem Sturm bleiben viele Schulen geschlossen, weil Dächer beschädigt wurden und Bäume auf Wegen liegen.")}</div>`,
      `<div class="articles-recommandes">${teaser("La ville prévoit douze kilomètres de nouvelles pistes cyclables, pour la plupart sur des places de parking.")}</div>`,
      `<section class="polecane-artykuly">${teaser("Miasto planuje dwanaście kilometrów nowych dróg rowerowych, głównie w miejscu dotychczasowych parkingów.")}</section>`,
      `<div class="sur-le-meme-sujet">${teaser("Le conseil municipal a voté mardi le nouveau plan de circulation pour le centre historique de la ville.")}</div>`,
    ];
    const html = `<html><body><article><h1>Rheinbrücke bleibt gesperrt</h1><p>${GERMAN_PROSE}</p>${boxes.slice(0, 2).join("")}<p>${PROSE}</p>${boxes.slice(2).join("")}</article></body></html>`;
    expect(textOf(html)).toBe(["Rheinbrücke bleibt gesperrt", GERMAN_PROSE, PROSE].join("\n\n"));
  });

  it("reads a code block's line breaks as HTML does (CR LF and a lone CR are LF), and gives no line to a block of zero-width characters", () => {
    const html = `<html><body><article><p>${PROSE}</p><p>\u200d</p><p>&zwj;&#8203;</p><pre>let a = 1;\r\nlet b = 2;\rlet c = a + b;</pre><p>${PROSE}</p></article></body></html>`;
    expect(textOf(html)).toBe(`${PROSE}\n\nlet a = 1;\nlet b = 2;\nlet c = a + b;\n\n${PROSE}`);
  });

  it("keeps a code block's comments, whose highlighter classes say 'comment'", () => {
    const code = `<pre><code class="language-js"><span class="hljs-keyword">const</span> total = items.length;\n<span class="hljs-comment">// count the items once, not per row</span>\n<span class="token comment">/* then render */</span></code></pre>`;
    const html = `<html><body><article><p>${PROSE}</p>${code}<p>${PROSE}</p><div class="comments"><p>${GERMAN_PROSE}</p></div></article></body></html>`;
    const text = textOf(html);
    expect(text).toContain("// count the items once, not per row");
    expect(text).toContain("/* then render */");
    expect(text).not.toContain(GERMAN_PROSE);
  });

  it("keeps a product page's tab panes and FAQ answers that a script shows on a click, and drops a hidden dialog and a collapsed menu", () => {
    const description = "Crafted with tear-resistant fabric and reinforced stitching, this 40-litre backpack is built for rugged trails and long days.";
    const specs = "Weight: 1.2 kg. Volume: 40 litres. Frame: aluminium, removable. Rain cover included in the lid pocket.";
    const answer = "Yes. Every pack carries a lifetime warranty against defects in materials and workmanship, with free repairs.";
    const html = `<html><body><nav><div class="navbar-collapse collapse" style="display:none"><a href="/">Shop</a> <a href="/packs">Packs</a></div></nav><main><h1>Trail 40 Backpack</h1><p>${PROSE}</p>
      <div class="tabs"><div class="tab-pane active"><p>${description}</p></div><div class="tab-pane" role="tabpanel" style="display:none"><p>${specs}</p></div></div>
      <div class="faq"><h3>Is it covered by a warranty?</h3><div class="faq-answer" style="display: none"><p>${answer}</p></div></div>
      <div class="modal-dialog" style="display:none"><p>${GERMAN_PROSE}</p></div></main></body></html>`;
    expect(textOf(html)).toBe(["Trail 40 Backpack", PROSE, description, specs, "Is it covered by a warranty?", answer].join("\n\n"));
  });

  it("drops a product's customer reviews, by the classes shops and review widgets give them, and keeps an editor's review cards", () => {
    const description = "Crafted with tear-resistant fabric and reinforced stitching, this 40-litre backpack is built for rugged trails and long days.";
    const specs = "Weight: 1.2 kg. Volume: 40 litres. Frame: aluminium, removable. Rain cover included in the lid pocket.";
    const care = "Wash by hand in lukewarm water with a mild soap, let it dry in the shade, and store it loosely packed in a dry place.";
    const reviews = [
      "I took this pack on a two-week trek through the Alps, and it held up perfectly, even in heavy rain on the last three days of the trip.",
      "Comfortable straps, lots of pockets, and the frame makes a real difference on long climbs. My old pack gave me back pain, this one does not.",
      "Bought it for my daughter, who uses it every weekend. After a year of hard use the zips still run smoothly and nothing has torn at all.",
      "The rain cover is a great idea, but it is a little small when the side pockets are full. Otherwise a very well made backpack for the price.",
    ];
    // A shop's menu, which makes the reviews less than half the page's text, as on real product pages.
    const menu = ["Backpacks", "Tents", "Sleeping bags", "Jackets", "Boots", "Climbing", "Cycling", "Running", "Kids", "Sale", "Brands", "Gift cards"]
      .map((item) => `<li><a href="/${item}">${item}: all products, new arrivals and best sellers</a></li>`).join("");
    const product = (wrapper: (items: string) => string) => `<html><body><nav><ul>${menu}</ul></nav><main><h1>Trail 40 Backpack</h1><div class="product-description"><p>${description}</p><p>${specs}</p><p>${care}</p></div>
      ${wrapper(reviews.map((review, i) => `<div class="review"><b>Hiker ${i + 1}</b><span>★★★★★</span><p>${review}</p></div>`).join(""))}</main></body></html>`;
    const wrappers = [
      (items: string) => `<section class="customer-reviews"><h2>Customer reviews</h2>${items}</section>`,
      (items: string) => `<div id="product-reviews"><h2>Bewertungen</h2>${items}</div>`,
      (items: string) => `<div class="yotpo yotpo-main-widget">${items}</div>`,
      (items: string) => `<div class="jdgm-widget jdgm-review-widget">${items}</div>`,
      (items: string) => `<div data-bv-show="reviews" class="bv_main_container">${items}</div>`,
      (items: string) => `<div class="trustpilot-widget">${items}</div>`,
      (items: string) => `<section class="produkt-kundenbewertungen"><h2>Kundenbewertungen</h2>${items}</section>`,
      (items: string) => `<div class="bloc-avis-clients"><h2>Avis clients</h2>${items}</div>`,
    ];
    for (const wrapper of wrappers) expect(textOf(product(wrapper))).toBe(["Trail 40 Backpack", description, specs, care].join("\n\n"));
    // An editor's review of one product, in a card of a roundup ("product-review-card"), is the article.
    const cards = reviews.map((review, i) => `<div class="wp-block-group product-review-card"><h2>Pack ${i + 1}</h2><p>${review}</p></div>`).join("");
    expect(textOf(`<html><body><article><h1>The best hiking packs</h1>${cards}</article></body></html>`)).toBe(
      ["The best hiking packs", ...reviews.flatMap((review, i) => [`Pack ${i + 1}`, review])].join("\n\n"),
    );
  });

  it("drops elements a class hides (d-none, hidden, hide, is-hidden), but not those shown from some screen width (d-none d-lg-block)", () => {
    const hidden = ['<div class="d-none d-print-block">Citation: printed only</div>', '<p class="hidden">secret one</p>', '<div class="box hide">secret two</div>', '<span class="is-hidden">secret three</span>'];
    const shown = `<div class="d-none d-lg-block"><p>${GERMAN_PROSE}</p></div><p>${FORUM_POSTS[0]}</p>`;
    const html = `<html><body><article><p>${PROSE}</p>${hidden.join("")}${shown}</article></body></html>`;
    expect(textOf(html)).toBe(`${PROSE}\n\n${GERMAN_PROSE}\n\n${FORUM_POSTS[0]}`);
    // A utility class that hides only the overflow ("overflow_hidden", "overflow-hidden") hides nothing.
    const sections = FORUM_POSTS.map((post) => `<section class="vds-box vds-flex_column vds-overflow_hidden"><div class="rich-text"><p>${post}</p></div></section>`).join("");
    expect(textOf(`<html><body><main><h1>Tomaten</h1>${sections}</main></body></html>`)).toBe(["Tomaten", ...FORUM_POSTS].join("\n\n"));
  });

  it("reads a script app's page from its <noscript> text when nothing else is there (a Discourse forum's view for readers without JavaScript)", () => {
    const posts = [
      "As software development keeps changing, I wanted to start a discussion about the practices that teams actually apply this year.",
      "Test-driven development has helped me most: it makes the code stable from the start, and the tests document what the code is for.",
    ];
    const app = `<html><body><div id="app"><div class="spinner"></div></div><script src="/app.js"></script>
      <noscript><header><a href="/">Example Forum</a></header><div id="main-outlet" role="main"><h1>Best practices</h1>
      ${posts.map((p, i) => `<div id="post_${i + 1}" class="topic-body crawler-post"><div class="post" itemprop="text"><p>${p}</p></div></div>`).join("")}</div></noscript></body></html>`;
    expect(textOf(app)).toBe(posts.join("\n\n"));
    // A page with text of its own does not read its <noscript> (a tracking pixel, a "please enable JavaScript" line).
    const page = `<html><body><article><p>${PROSE}</p><p>${PROSE}</p></article><noscript><p>Please enable JavaScript to view the comments powered by our partner, which load in a frame below.</p></noscript></body></html>`;
    expect(textOf(page)).toBe(`${PROSE}\n\n${PROSE}`);
  });

  it("keeps documentation sections whose ids are their headings' slugs (Sphinx, pandoc, GitHub), though the slug holds a boilerplate word", () => {
    const sections: Array<[string, string]> = [
      ["Sharing with a single developer", GERMAN_PROSE],
      ["Related work", FORUM_POSTS[0]!],
      ["Social_media and advertising", FORUM_POSTS[1]!],
      ["Use interleaved replies in email discussions", PROSE.replace("This", "That")],
      ["Sign up for the service and get a key", GERMAN_PROSE.replace("Die", "Eine")],
    ];
    const slug = (title: string) => title.toLowerCase().replace(/ /g, "-");
    // Sphinx's <div class="section">, pandoc's <section>, and a heading that carries the id itself.
    const body = [
      `<div class="section" id="${slug(sections[0]![0])}"><h2>${sections[0]![0]}<a class="headerlink" href="#${slug(sections[0]![0])}">¶</a></h2><p>${sections[0]![1]}</p></div>`,
      `<section id="${slug(sections[1]![0])}" class="level2"><h2>${sections[1]![0]}</h2><p>${sections[1]![1]}</p></section>`,
      `<h2 id="${sections[2]![0].replace(/ /g, "_")}">${sections[2]![0]}</h2><p>${sections[2]![1]}</p>`,
      // The heading after an empty anchor; the heading inside wrappers, and the id the slug with a suffix.
      `<section id="${slug(sections[3]![0])}"><span id="replies"></span><h2>${sections[3]![0]}</h2><p>${sections[3]![1]}</p></section>`,
      `<section id="${slug(sections[4]![0])}-section-indexable"><div class="box"><div class="box"><h2>${sections[4]![0]}</h2></div><p>${sections[4]![1]}</p></div></section>`,
    ].join("");
    // A one-word id is the layout's name even when a heading says the same; so is an id that is not the heading's.
    const comments = `<div id="comments"><h3>Comments</h3><p>${FORUM_POSTS[2]}</p></div><div id="related-posts"><h3>Read on</h3><p>${PROSE}</p></div>`;
    const html = `<html><body><div class="body" role="main"><h1>Guide</h1><p>${PROSE.replace("This", "The")}</p>${body}</div>${comments}</body></html>`;
    expect(textOf(html)).toBe(["Guide", PROSE.replace("This", "The"), ...sections.flat()].join("\n\n"));
  });

  it("writes formulas as TeX: a KaTeX or LaTeXML annotation, Wikipedia's alttext beside its picture, the MathML converted, or a picture's TeX alt text; a display formula is its own paragraph", () => {
    // Wikipedia: the MathML sits in a display:none span next to an image of the formula.
    const wikipedia = `<span class="mwe-math-element"><span class="mwe-math-mathml-inline mwe-math-mathml-a11y" style="display: none;"><math xmlns="http://www.w3.org/1998/Math/MathML" alttext="{\\displaystyle A^{\\mathsf {H}}}"><semantics><mrow><msup><mi>A</mi><mi>H</mi></msup></mrow></semantics></math></span><img src="a.svg" class="mwe-math-fallback-image-inline" aria-hidden="true" alt="{\\displaystyle A^{\\mathsf {H}}}"></span>`;
    // KaTeX: the TeX as an annotation, and a rendering for the eye that screen readers skip.
    const katex = `<span class="katex"><span class="katex-mathml"><math><semantics><mrow><msqrt><mi>x</mi></msqrt></mrow><annotation encoding="application/x-tex">\\sqrt{x}</annotation></semantics></math></span><span class="katex-html" aria-hidden="true"><span class="mord sqrt">√x</span></span></span>`;
    // Hand-written MathML: the markup itself is converted.
    const quadratic = `<math display="block"><mi>x</mi><mo>=</mo><mfrac><mrow><mo>−</mo><mi>b</mi><mo>±</mo><msqrt><msup><mi>b</mi><mn>2</mn></msup><mo>−</mo><mn>4</mn><mi>a</mi><mi>c</mi></msqrt></mrow><mrow><mn>2</mn><mi>a</mi></mrow></mfrac></math>`;
    const rest = `<math><mover><mi>v</mi><mo>→</mo></mover><mo>∈</mo><msubsup><mi>ℝ</mi><mi>i</mi><mi>n</mi></msubsup><mo>,</mo><mi>sin</mi><mo>&#x2061;</mo><mi>α</mi><mo>≤</mo><mrow><mo>(</mo><mtable><mtr><mtd><mn>1</mn></mtd><mtd><mn>0</mn></mtd></mtr><mtr><mtd><mn>0</mn></mtd><mtd><mn>1</mn></mtd></mtr></mtable><mo>)</mo></mrow></math>`;
    const html = `<html><body><article><p>${PROSE}</p><p>The conjugate transpose ${wikipedia} of a matrix, and the root ${katex} of a number.</p>
      <p>The roots of the quadratic are ${quadratic} which are real when the discriminant is not negative.</p><p>Then ${rest} holds, as ${GERMAN_PROSE}</p></article></body></html>`;
    expect(textOf(html)).toBe(
      [
        PROSE,
        "The conjugate transpose $A^{\\mathsf {H}}$ of a matrix, and the root $\\sqrt{x}$ of a number.",
        "The roots of the quadratic are",
        "$$x=\\frac{-b\\pm\\sqrt{b^2-4ac}}{2a}$$",
        "which are real when the discriminant is not negative.",
        `Then $\\vec{v}\\in\\mathbb{R}_i^n,\\sin\\alpha\\leq(\\begin{matrix}1 & 0 \\\\ 0 & 1\\end{matrix})$ holds, as ${GERMAN_PROSE}`,
      ].join("\n\n"),
    );
    // Pictures of formulas with their TeX as alt text: WordPress's, and MediaWiki's without MathML beside them.
    const pictures = `<article><p>${PROSE}</p><p>Let <img src="https://s0.wp.com/latex.php?latex=x%5E2" alt="x^2" class="latex"> be a square, and <img class="tex" alt="\\sqrt{2}" src="a.png"> a root.</p>
      <dl><dd><img class="mwe-math-fallback-image-display" alt="{\\displaystyle E=mc^{2}}" src="b.svg"></dd></dl><p>An <img src="c.png" alt="x^2" class="photo"> is a photo.</p></article>`;
    expect(textOf(`<html><body>${pictures}</body></html>`)).toBe([PROSE, "Let $x^2$ be a square, and $\\sqrt{2}$ a root.", "$$E=mc^{2}$$", "An is a photo."].join("\n\n"));
  });

  it("keeps the rest of a story that a 'Read more' button unfolds, and drops the button and a 'read more' list of teasers", () => {
    const [first, ...rest] = FORUM_POSTS;
    const folded = `<div id="read-more"><div id="read-more-link"><a href="">Read more</a></div><div class="ad-block"></div><div id="read-more-content">${rest.map((p) => `<p>${p}</p>`).join("")}<p>${GERMAN_PROSE}</p></div></div>`;
    const teasers = `<div class="read-more-box"><h3>More from the site</h3><ul>${["Tomaten im Winter", "Gurken richtig gießen", "Der beste Dünger"].map((t) => `<li><a href="/a">${t}</a></li>`).join("")}</ul></div>`;
    const html = `<html><body><nav><a href="/">Home</a> <a href="/garden">Garden</a></nav><article class="story"><h1>Braunfäule</h1><p>${first}</p><p>${PROSE}</p>${folded}${teasers}</article></body></html>`;
    expect(textOf(html)).toBe(["Braunfäule", first, PROSE, ...rest, GERMAN_PROSE].join("\n\n"));
  });

  it("keeps a newsletter's issue published as the page, though its blocks are named 'newsletter'", () => {
    const issue = [...FORUM_POSTS, GERMAN_PROSE, PROSE, PROSE.replace("This", "That")];
    // A sidebar with more text than the issue: the issue is not kept for holding most of the page's text.
    const sidebar = issue.map((p) => `<p>${p.replace(/\./g, "!")}</p><p>${p.replace(/,/g, ";")}</p>`).join("");
    // The signup box as such sites set it, its class naming only its colours.
    const signup = `<section class="section u-bg-blue"><h2>Join 800,000 readers</h2><p>${PROSE.replace("This", "Each")}</p><p>${GERMAN_PROSE.replace("Die", "Eine")}</p><p>You will also receive a curated collection of our most read issues, with the complete toolkit.</p><form><input type="email"><button>Subscribe</button></form></section>`;
    const html = `<html><body><main><section class="section-hero cc-newsletter"><div class="newsletter-wrapper"><article class="newsletter-content">
      <div class="rich-text-newsletter"><h2>Issue 94: Fitness</h2>${issue.map((p) => `<p>${p}</p>`).join("")}</div></article></div></section>${signup}</main><aside>${sidebar}</aside></body></html>`;
    expect(textOf(html)).toBe(["Issue 94: Fitness", ...issue].join("\n\n"));
  });

  it("ends the article at a 'Recommended for you' heading that a header block wraps, and drops the stream of teasers after it, however long", () => {
    const story = [...FORUM_POSTS, GERMAN_PROSE];
    const teasers = Array.from({ length: 8 }, (_, i) => `<li><a href="/s${i}" aria-hidden="true"><img src="t.gif"></a><div><h3><a href="/s${i}">Headline number ${i} of another story</a></h3>
      <p>${PROSE.replace("This", `Blurb ${i}: this`)} It goes on for a while, as blurbs do, with more words, and more commas.</p></div><span class="Source">Daily News</span></li>`).join("");
    const stream = `<div class="applet"><div class="App-Hd"><div class="view-header"><h2 class="HeaderBar">Recommended for You</h2></div></div><div class="App-Bd"><ul id="Stream">${teasers}</ul></div></div>`;
    const html = `<html><body><div class="Col2"><main><section class="story"><div class="body">${story.map((p) => `<p>${p}</p>`).join("")}</div></section>${stream}</main></div></body></html>`;
    expect(textOf(html)).toBe(story.join("\n\n"));
  });

  it("keeps a story's first paragraphs that each sit in a wrapper of their own beside the block holding the rest (div.firstPar > p), and not a lone wrapped notice", () => {
    const lead = [FORUM_POSTS[0]!, GERMAN_PROSE, PROSE];
    const rest = [FORUM_POSTS[1]!, FORUM_POSTS[2]!, PROSE.replace("This", "That"), GERMAN_PROSE.replace("Die Stadt", "Der Kreis"), PROSE.replace("This", "Each")];
    const related = `<div class="related_links_inline"><h2>Related Articles</h2><ul>${["Tomaten im Winter", "Gurken richtig gießen"].map((t) => `<li><p><a href="/a">${t}</a></p><span>05 Oct 2011</span></li>`).join("")}</ul></div>`;
    const notice = `<div class="notice"><p>Join our forums to keep talking gardening, and if you have a news tip or a correction, let us know by mail.</p></div>`;
    const wrapped = lead.map((p, i) => `<div class="${["first", "second", "third"][i]}Par"><p>${p}</p></div>`).join("");
    const html = `<html><body><div id="mainBodyArea">${wrapped}${related}<div class="body">${rest.map((p) => `<p>${p}</p>`).join("")}</div></div></body></html>`;
    expect(textOf(html)).toBe([...lead, ...rest].join("\n\n"));
    const withNotice = `<html><body><div id="mainBodyArea"><div class="body">${rest.map((p) => `<p>${p}</p>`).join("")}</div>${notice}</div></body></html>`;
    expect(textOf(withNotice)).toBe(rest.join("\n\n"));
  });

  it("keeps a story's first paragraphs set in a section of their own above an ad, though the next section holds most of the story", () => {
    const lead = [FORUM_POSTS[0]!, GERMAN_PROSE];
    const rest = [FORUM_POSTS[1]!, FORUM_POSTS[2]!, ...Array.from({ length: 16 }, (_, i) => PROSE.replace("This", `Part ${i + 1} of the story: this`))];
    // Each section's wrappers are named for its own layout, so they are not repeats of one kind, and a rail column for ads sits beside the text.
    const section = (paragraphs: string[], layout: string) => `<section class="row row--story"><div class="container layout--${layout}"><div class="column column--${layout}"><div class="story-text">${paragraphs.map((p) => `<p>${p}</p>`).join("")}</div></div><div class="column column--rail"><div class="ad-slot"></div></div></div></section>`;
    const ad = `<div class="ad" aria-label="Advertisement"><div class="ad-slot"></div></div>`;
    const sidebar = `<aside><h2>Most read</h2><ul>${["Tomaten im Winter", "Gurken richtig gießen", "Der beste Dünger"].map((t) => `<li><a href="/a">${t}</a></li>`).join("")}</ul></aside>`;
    const html = `<html><body><header><nav><a href="/">Home</a> <a href="/politics">Politics</a></nav></header><main>${section(lead, "lead")}${ad}${section(rest, "story")}</main>${sidebar}</body></html>`;
    expect(textOf(html)).toBe([...lead, ...rest].join("\n\n"));
  });

  it("keeps a story's first paragraphs set apart by a video, without markup naming the article, and not a sidebar", () => {
    const lead = [FORUM_POSTS[0]!, GERMAN_PROSE];
    const rest = [FORUM_POSTS[1]!, FORUM_POSTS[2]!, ...Array.from({ length: 16 }, (_, i) => PROSE.replace("This", `Part ${i + 1} of the story: this`))];
    const video = `<div class="video-player"><iframe src="https://player.example.com/v/42"></iframe></div>`;
    const story = `<div class="story"><div class="intro-wrap"><div class="intro-text">${lead.map((p) => `<p>${p}</p>`).join("")}</div></div>${video}<div class="body-wrap"><div class="rail"></div><div class="body-text">${rest.map((p) => `<p>${p}</p>`).join("")}</div></div></div>`;
    const sidebar = `<div class="sidebar"><h2>Most read</h2><ul>${["Tomaten im Winter", "Gurken richtig gießen", "Der beste Dünger"].map((t) => `<li><a href="/a">${t}</a></li>`).join("")}</ul></div>`;
    const html = `<html><body><div class="nav"><a href="/">Home</a> <a href="/politics">Politics</a></div><div class="page">${story}${sidebar}</div></body></html>`;
    expect(textOf(html)).toBe([...lead, ...rest].join("\n\n"));
  });

  it("reads an old table layout's article cell, though a short cell with a class naming the body and a copyright row beside it score well", () => {
    const story = ["像许多日本女性一样，顺子一直等到三十岁出头才结婚。在决定结婚后，顺子便把精力放在建立新家庭上，夫妇二人结婚已经十五年了。", "据英国《卫报》报道，目前每年平均有两百名日本女性到东京郊区的一家诊所寻求帮助，所长在接受采访时介绍了她们的情况。", "专家认为，工作压力和生活节奏是造成这一现象的主要原因，许多夫妇在孩子出生以后就不再交流，彼此变成了室友。", "一位五十岁的妻子说，她和丈夫每天只在早餐时说几句话，晚上丈夫很晚才下班，周末也常常加班或者和同事打高尔夫。", "诊所为这些夫妇提供咨询服务，建议他们每周安排一个晚上单独相处，重新学习如何表达对彼此的关心和感情。", "调查还发现，年轻一代对婚姻的看法正在改变，越来越多的人认为夫妻之间的交流比物质条件更加重要。"];
    const related = `<table><tr><td><b>相关新闻</b><ul>${Array.from({ length: 6 }, (_, i) => `<li><a href="/n${i}">关于日本社会与家庭生活的第${i + 1}篇相关报道标题文字</a></li>`).join("")}</ul></td></tr></table>`;
    const copyright = "雅虎中国的所有内容均由其内容合作方根据协议提供，除著作权人声明不得转载、摘编的以外，我们有权转载或摘编已在报刊上刊登或者网络上传播的作品，并按照规定向著作权人支付稿酬、注明出处，如果您发现本网站转载了您拥有著作权的作品，并对稿酬有疑议，请您发送电子邮件，我们将尽快处理，谢谢。";
    const html = `<html><body><center><table width="750"><tr><td><a href="/">新闻首页</a> - <a href="/s">社会</a></td></tr></table>
      <table width="750"><tr valign="top"><td width="580"><b>日本无性婚姻问题严重</b>${story.map((p) => `<p>${p}`).join("")}${related}</td><td width="170"><a href="/a">滚动</a> <a href="/b">国内</a></td></tr></table>
      <table width="750"><tr><td class="sbody"><hr><b>新闻中心著作权声明</b></td></tr><tr><td class="sbody">${copyright}</td></tr><tr><td class="sbody"><b>新闻中心传输内容声明</b></td></tr><tr><td class="sbody">${copyright.replace("雅虎中国", "本网站")}</td></tr></table></center></body></html>`;
    expect(textOf(html)).toBe(["日本无性婚姻问题严重", ...story].join("\n\n"));
  });

  it("takes the whole of a block whose class names the article in German, French or Polish (artikel-inhalt, contenu_article, tresc-artykulu), though its sections each score alone", () => {
    const sections = [[FORUM_POSTS[0]!, GERMAN_PROSE], [FORUM_POSTS[1]!, PROSE], [FORUM_POSTS[2]!, GERMAN_PROSE.replace("Die Stadt", "Der Kreis")]];
    // Each section a module of another kind, so they are not repeats of one shape.
    const kinds = ["textbild", "zitat", "liste"];
    const body = sections.map((ps, i) => `<div class="modul modul-${kinds[i]}"><div class="${kinds[i]}-inner"><h2>Abschnitt ${i + 1}</h2>${ps.map((p) => `<p>${p}</p>`).join("")}</div></div>`).join("");
    const teasers = `<div class="teaser-spalte"><h2>Meistgelesen</h2><ul>${["Tomaten im Winter", "Gurken richtig gießen", "Der beste Dünger"].map((t) => `<li><a href="/a">${t}</a></li>`).join("")}</ul></div>`;
    for (const name of ["artikel-inhalt", "contenu_article", "tresc-artykulu"]) {
      const html = `<html><body><div class="seite"><div class="${name}">${body}</div>${teasers}</div></body></html>`;
      expect(textOf(html)).toBe(sections.flatMap((ps, i) => [`Abschnitt ${i + 1}`, ...ps]).join("\n\n"));
    }
  });

  it("drops an Arabic article's date lines (in Arabic-Indic digits too), its 'read also' pointer and its source line, and keeps its paragraphs", () => {
    const paragraphs = [
      "افتتحت البلدية يوم الثلاثاء مكتبة عامة جديدة في وسط المدينة، تضم أكثر من عشرين ألف كتاب باللغتين العربية والإنجليزية، إضافة إلى قاعة للمطالعة.",
      "وقال رئيس البلدية في كلمة خلال حفل الافتتاح إن المشروع استغرق ثلاث سنوات، وإن المكتبة ستفتح أبوابها يوميا من التاسعة صباحا حتى التاسعة مساء.",
      "وأعرب عدد من السكان عن سعادتهم بهذا المشروع، مؤكدين أن المدينة كانت بحاجة إلى مكان هادئ للقراءة والدراسة.",
    ];
    const html = `<html lang="ar" dir="rtl"><body><div class="article"><h1>افتتاح مكتبة جديدة</h1><div class="date">نشر في: 12 مارس 2024 - 14:23</div><div>آخر تحديث: 12/03/2024 15:00</div><div>١٢ أيار ٢٠٢٤</div>
      <p>${paragraphs[0]}</p><p>${paragraphs[1]}</p><p>اقرأ أيضا: <a href="/x">افتتاح متحف جديد للفنون</a></p><p>${paragraphs[2]}</p><p>المصدر: وكالة الأنباء</p></div></body></html>`;
    expect(textOf(html)).toBe(["افتتاح مكتبة جديدة", ...paragraphs].join("\n\n"));
    // A "read also" label longer than its link: still a pointer, in German or Polish too.
    const pointers = [`<p>Lesen Sie auch: <a href="/a">Radwege</a></p>`, `<p>Czytaj także: <a href="/b">Nowy most</a></p>`];
    expect(textOf(`<html><body><article><p>${PROSE}</p>${pointers.join("")}<p>${GERMAN_PROSE}</p></article></body></html>`)).toBe([PROSE, GERMAN_PROSE].join("\n\n"));
  });

  it("drops a page with no main content as no_content", () => {
    expect(extractMainText(NO_CONTENT_PAGE)).toEqual({ ok: false, reason: "no_content" });
    expect(extractMainText("")).toEqual({ ok: false, reason: "no_content" });
  });
});

describe("extractMainText: links cited in prose, and a form's legal line", () => {
  const intro = "Dieses Dokument führt in die Grundlagen von Formularen ein und zeigt, wie das Framework sie verarbeitet.";
  const cited = `Mehr zu einzelnen Themen steht unter <a href="/api">Die Formular-API</a>, <a href="/felder">Formularfelder</a> und <a href="/validierung">Formular- und Feldvalidierung</a>.`;
  const body = [PROSE, GERMAN_PROSE, FORUM_POSTS[0]!, FORUM_POSTS[1]!];

  it("keeps a note whose sentence cites other pages as links (a documentation page's 'About this document' box)", () => {
    const page = `<html><body><article><h1>Arbeiten mit Formularen</h1><div class="admonition note"><p class="admonition-title">Über dieses Dokument</p><p>${intro} ${cited}</p></div>
${body.map((p) => `<p>${p}</p>`).join("")}</article></body></html>`;
    const citedText = "Mehr zu einzelnen Themen steht unter Die Formular-API, Formularfelder und Formular- und Feldvalidierung.";
    expect(textOf(page)).toBe(["Arbeiten mit Formularen", "Über dieses Dokument", `${intro} ${citedText}`, ...body].join("\n\n"));
  });

  it("drops a form's line of consent to the terms and the privacy policy, in English and German", () => {
    for (const line of [
      `By clicking “Post Your Answer”, you agree to our <a href="/tos">terms of service</a> and acknowledge you have read our <a href="/privacy">privacy policy</a>.`,
      `Mit der Anmeldung akzeptieren Sie unsere <a href="/agb">Nutzungsbedingungen</a> und die <a href="/datenschutz">Datenschutzerklärung</a>.`,
    ]) {
      const page = `<html><body><article>${body.map((p) => `<p>${p}</p>`).join("")}<div class="notice"><p>${line}</p></div></article></body></html>`;
      expect(textOf(page)).toBe(body.join("\n\n"));
    }
  });
});

describe("extractMainText: a box the class words made outscore the text", () => {
  const summary =
    "Dieses Sauerteigbrot ist würzig, saftig, knusprig, und völlig unkompliziert: kein Füttern, kein Kneten, kein Formen, kein Stress. Sie rühren den Teig an, lassen ihn ruhen, füllen ihn in die Form, lassen ihn gehen, und backen ihn, mehr ist nicht zu tun. Die Krume ist feucht, fein, elastisch, und die Kruste kräftig.";
  const steps = Array.from({ length: 10 }, (_, i) => `Schritt ${i + 1}: Den Teig nach Anleitung weiterverarbeiten und dabei auf die Temperatur achten, damit er gleichmäßig aufgeht.`);
  // The page's other blocks, so that the summary is under a sixteenth of its text.
  const other = (k: number) => Array.from({ length: 16 }, (_, i) => `<p>Backschule ${k}-${i}: Kurse, Termine, Rezepte, Tipps und Geschichten rund ums Backen, jeden Monat neu.</p>`).join("");
  // The summary's "content" class (+25) outscores the steps in a Drupal node "promoted" to the front page (-25).
  const recipe = (rest: string, comments = "") => `<html><body><div class="teaser-content"><p>${summary}</p></div>
<div class="node node--promoted"><div class="text">${steps.map((step) => `<p>${step}</p>`).join("")}</div>${comments}</div>${rest}</body></html>`;
  const others = `<aside>${other(0)}</aside><nav>${other(1)}</nav><footer>${other(2)}</footer>`;

  it("takes the retry without class words that finds four times the text, none of it in marked blocks (a recipe's steps under its summary)", () => {
    expect(textOf(recipe(others))).toBe([summary, ...steps].join("\n\n"));
  });

  it("keeps the summary when over a tenth of what the retry adds lies in blocks the class words mark (comments under the steps)", () => {
    const comments = Array.from({ length: 6 }, (_, i) => `<div class="comment"><p>${FORUM_POSTS[i % 3]} (${i + 1})</p></div>`).join("");
    expect(textOf(recipe(others, `<div class="comments">${comments}</div>`))).toBe(summary);
  });
});

describe("extractMainText: a sign-up box no class word marks", () => {
  const article = [
    "The tiny house sat on a gravel pad at the edge of the woods, and the first winter taught us more about insulation than any book had.",
    "We added a second layer of wool under the floor in January, sealed the gaps around the loft window, and moved the water tank inside.",
    "By March the little wood stove kept the whole place warm on a single armful of split oak a day, even on the coldest nights.",
  ];
  const box = `<div class="wp-block-group"><h3>Discover more from Tiny House Journal</h3><p>Subscribe to get the latest posts sent to your email.</p>
<form action="/subscribe"><input type="email" name="email" placeholder="Type your email…"><button type="submit">Subscribe</button></form></div>`;

  it("drops a heading and a line of pitch beside a form's e-mail field", () => {
    const page = `<html><body><div class="post">${article.map((p) => `<p>${p}</p>`).join("")}${box}</div></body></html>`;
    expect(textOf(page)).toBe(article.join("\n\n"));
  });

  it("keeps a short article whose block also holds a comment form's e-mail field", () => {
    const comment = `<form action="/comment"><p>Leave a reply</p><input type="text" name="author"><input type="email" name="email"><textarea></textarea></form>`;
    const page = `<html><body><nav><a href="/">Home</a> <a href="/about">About</a></nav><div class="post"><p>${article[0]}</p><p>${article[1]}</p>${comment}</div></body></html>`;
    expect(textOf(page)).toBe([article[0], article[1]].join("\n\n"));
  });
});

describe("extractMainText: a gallery whose text is its article's header", () => {
  const lead =
    "Sie können ironisch, lustig und überraschend sein, aber auch klassisch und traditionell, doch das Wichtigste ist, dass sie gemütlich sind und Spaß machen: Weihnachtspullover! Die Tradition ist recht jung, erst in den Achtzigern entstanden, und gerade deshalb so persönlich. Wir zeigen die liebsten Pullover der Redaktion";
  const captions = ["Anna Berger, Redakteurin", "Jonas Keller, Fotograf", "Mira Lang, Volontärin", "Paul Roth, Grafiker"];
  const gallery = `<div class="article-gallery"><ul>${captions.map((caption, i) => `<li><figure><a href="/bild/${i}"><img src="/${i}.jpg" alt=""></a><figcaption><p>${caption}</p></figcaption></figure></li>`).join("")}</ul></div>`;
  const page = (header: string) => `<html><head><title>Die Redaktion zeigt ihre Weihnachtspullover</title></head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/mode">Mode</a></li></ul></nav>
<article class="content-bg">${header}${gallery}
<div class="recommendation"><h3>Lese-Empfehlung</h3><ul><li><a href="/x">Die schönsten Mäntel des Winters</a></li><li><a href="/y">Stiefel für jedes Wetter</a></li></ul></div>
</article>
<footer><a href="/impressum">Impressum</a> <a href="/datenschutz">Datenschutz</a></footer></body></html>`;

  it("reads the lead under the heading in the article's <header> when nothing else is found (the retry without class words)", () => {
    const header = `<header class="article-header"><h1>Die Redaktion zeigt ihre Weihnachtspullover</h1><div><strong>24. Dezember 2014</strong>
${lead}
<ul class="social"><li><a href="https://twitter.com/share">Twittern</a></li></ul></div></header>`;
    expect(textOf(page(header))).toBe(`24. Dezember 2014 ${lead}`);
  });
});

describe("extractMainText: listing pages", () => {
  const teaser = (href: string, headline: string, blurb: string) => `<div class="teaser"><a href="${href}"><h2>${headline}</h2><p>${blurb}</p></a></div>`;
  const TEASERS: [string, string][] = [
    ["Neuer Radweg am Fluss wird im Herbst eröffnet", "Die Stadt verbindet die Altstadt mit den Neubaugebieten im Osten."],
    ["Fahrradstraße in der Südstadt bleibt umstritten", "Anwohner fürchten um ihre Parkplätze, der Gemeinderat berät im Mai."],
    ["Mehr Stellplätze am Hauptbahnhof", "Bis Jahresende entstehen 800 neue Abstellplätze für Fahrräder."],
  ];

  it("keeps a topic page's teasers, each a linked headline over its blurb, where no article is found", () => {
    const page = `<html><head><title>Radverkehr – Stadtanzeiger</title></head><body>
<nav><ul><li><a href="/">Start</a></li><li><a href="/politik">Politik</a></li><li><a href="/sport">Sport</a></li></ul></nav>
<main><h1>Radverkehr</h1><div class="teasers">${TEASERS.map(([headline, blurb], i) => teaser(`/a${i}`, headline, blurb)).join("\n")}</div></main>
<footer><a href="/impressum">Impressum</a> <a href="/datenschutz">Datenschutz</a></footer></body></html>`;
    expect(textOf(page)).toBe(TEASERS.flat().join("\n\n"));
  });

  it("keeps a shop category's products, each a linked name over its price", () => {
    const products = [
      "Gusseisenpfanne mit Holzgriff, 28 cm", "Emaillierter Bräter, oval, 5 Liter", "Edelstahl-Schneebesen für Sahne und Eischnee",
      "Pfeffermühle aus Olivenholz, 20 cm", "Schneidebrett aus Eichenholz mit Saftrille", "Gewürzregal für zwölf Gläser, Buche",
    ];
    const tile = (name: string, i: number) =>
      `<div class="product-tile"><a href="/p${i}"><img src="/p${i}.jpg" alt=""></a><a class="name" href="/p${i}">${name}</a><div class="price">${19 + i},99 €</div></div>`;
    const page = `<html><body><div class="shop"><h1>Küche</h1><div class="grid">${products.map(tile).join("")}</div></div></body></html>`;
    expect(textOf(page)).toBe(products.map((name, i) => `${name}\n\n${19 + i},99 €`).join("\n\n"));
  });

  describe("a shop's category with a buying guide", () => {
    const models = [
      "Klassikgitarre 4/4, Fichte massiv", "Konzertgitarre mit Tonabnehmer, Zeder", "Kindergitarre 1/2 mit Tasche", "Westerngitarre Dreadnought, Mahagoni",
      "Flamencogitarre, Zypresse und Fichte", "Reisegitarre 3/4, Sapele", "Linkshändergitarre 4/4, Zeder massiv", "Jazzgitarre mit Cutaway, Ahorn",
    ];
    // A category's grid dwarfs its prose: three series of each model.
    const products = ["Serie A", "Serie B", "Serie C"].flatMap((series) => models.map((model) => `${model}, ${series}`));
    const tile = (name: string, i: number) =>
      `<div class="product-tile"><a href="/p${i}"><img src="/p${i}.jpg" alt=""></a><a class="name" href="/p${i}">${name}</a><div class="price">${129 + 10 * i},00 €</div></div>`;
    const guide =
      "Eine Konzertgitarre ist das richtige Instrument für den Einstieg: Nylonsaiten schonen die Finger, und eine massive Decke klingt mit den Jahren voller.";
    const page = (count: number, footer = "") => `<html><head><title>Konzertgitarren</title></head><body>
<nav><ul><li><a href="/">Start</a></li><li><a href="/gitarren">Gitarren</a></li><li><a href="/service">Service</a></li></ul></nav>
<main><div class="grid">${products.slice(0, count).map(tile).join("")}</div><div class="category-text"><p>${guide}</p></div></main>
<footer><a href="/impressum">Impressum</a> <a href="/agb">AGB</a>${footer}</footer></body></html>`;
    const cards = (count: number) => products.slice(0, count).map((name, i) => `${name}\n\n${129 + 10 * i},00 €`);

    it("gives the grid of products before the category's prose", () => {
      expect(textOf(page(24))).toBe([...cards(24), guide].join("\n\n"));
    });

    // A footer's links: text enough that the page is six times the prose's, in any of the cases below.
    const links = `<ul>${Array.from({ length: 120 }, (_, i) => `<li><a href="/info/${i}">Informationen zu Versand und Rückgabe, Teil ${i}</a></li>`).join("")}</ul>`;

    it("gives the prose alone beside fewer than six priced cards (a product page's 'you may also like')", () => {
      const special = page(5, links).replace(/(<a class="name" href="\/p\d+">[^<]*)</g, "$1 Sonderedition mit Tasche<");
      expect(textOf(special)).toBe(guide);
    });

    it("gives the prose alone when the cards hold less than twice its text", () => {
      const longer = Array.from({ length: 6 }, () => guide).join(" ");
      expect(textOf(page(24, links).replace(guide, longer))).toBe(longer);
    });

    it("does not look for a grid on a page whose text is under six times the prose's", () => {
      expect(textOf(page(8))).toBe(guide);
    });
  });

  it("keeps what the article rules found (the page's heading and introduction) before the cards", () => {
    const page = `<html><body><main><h1>Radverkehr</h1><p>Alles zum Radverkehr in der Stadt</p>
<div class="teasers">${TEASERS.map(([headline, blurb], i) => teaser(`/a${i}`, headline, blurb)).join("")}</div></main></body></html>`;
    expect(textOf(page)).toBe(["Radverkehr", "Alles zum Radverkehr in der Stadt", ...TEASERS.flat()].join("\n\n"));
  });

  it("adds the cards to a result without prose when they hold twice its text, keeping its short heading that a headline holds", () => {
    const dates = [
      "Mo., 3. März: Sperrung der Brücke am Wehr für Radfahrer", "Di., 4. März: Sitzung des Verkehrsausschusses im Rathaus",
      "Mi., 5. März: Fahrradflohmarkt auf dem Marktplatz", "Do., 6. März: Kostenloser Fahrrad-Check am Bahnhof", "Fr., 7. März: Critical Mass, Treffpunkt am Theater",
    ];
    const teasers: [string, string][] = [
      ...TEASERS,
      ["Lastenräder werden weiter gefördert", "Die Stadt zahlt auch im nächsten Jahr bis zu 1.000 Euro Zuschuss."],
      ["Radfahrerin an Kreuzung schwer verletzt", "Ein abbiegender Lastwagen hatte die 34-Jährige übersehen."],
      ["Neue Leihräder am Stadtrand", "Der Verkehrsverbund stellt 200 weitere Räder an zwölf Stationen auf."],
      ["Radwegebau kostet mehr als geplant", "Der Stadtrat muss im Juni über zusätzliche 2,4 Millionen Euro entscheiden."],
    ];
    // The article rules take the dates (over 250 characters, no sentence); the cards hold more than twice as much.
    const page = `<html><body><main><h1>Radverkehr</h1><div class="termine"><h3>Radwege</h3><ul>${dates.map((date) => `<li>${date}</li>`).join("")}</ul></div>
<div class="teasers">${teasers.map(([headline, blurb], i) => teaser(`/a${i}`, headline, blurb)).join("")}</div></main></body></html>`;
    expect(textOf(page)).toBe(["Radwege", dates.map((date) => `- ${date}`).join("\n"), ...teasers.flat()].join("\n\n"));
  });

  it("does not repeat a card that the article rules found on their own", () => {
    // The article rules find the first product, the one with a description; the cards hold it again.
    const description = "Unser Bestseller seit 1990, in Handarbeit gegossen, eingebrannt, und für jeden Herd geeignet, auch für Induktion";
    const products = ["Gusseisenpfanne mit Holzgriff, 28 cm", "Emaillierter Bräter, oval, 5 Liter", "Edelstahl-Schneebesen für Sahne und Eischnee", "Pfeffermühle aus Olivenholz, 20 cm"];
    const tile = (name: string, i: number) =>
      `<div class="product-tile"><a class="name" href="/p${i}">${name}</a>${i === 0 ? `<p>${description}</p>` : ""}<div class="price">${19 + i},99 €</div></div>`;
    const page = `<html><body><div class="grid">${products.map(tile).join("")}</div></body></html>`;
    const paragraphs = products.flatMap((name, i) => (i === 0 ? [name, description] : [name]).concat(`${19 + i},99 €`));
    expect(textOf(page)).toBe(paragraphs.join("\n\n"));
  });

  describe("a short introduction over teasers (a catalogue of courses, a documentation section's index)", () => {
    const intro = "Our evening courses run for twelve weeks, are taught by working professionals, and end with a project you can show to employers.";
    const COURSES: [string, string][] = [
      ["Data analysis with Python", "Learn to clean, explore and chart real data sets, from spreadsheets to databases, in weekly hands-on sessions."],
      ["Web design basics", "Build accessible, responsive pages with HTML and CSS, and learn how designers plan a site before they write code."],
      ["Project management", "Plan budgets, schedules and risks for projects of every size, with the methods that certification exams expect."],
      ["Technical writing", "Write manuals, release notes and help pages that readers understand, and learn to test them with real users."],
    ];
    // Each card one link, as a card is whose whole face is clickable: the article rules take no such block.
    const course = ([name, blurb]: [string, string], i: number) => `<div class="course-card"><a href="/c${i}"><h3>${name}</h3><p>${blurb}</p></a></div>`;
    const page = (cards: string) => `<html><head><title>Evening courses</title></head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/courses">Courses</a></li><li><a href="/contact">Contact</a></li></ul></nav>
<main><h1>Evening courses</h1><div class="intro"><p>${intro}</p></div><div class="course-grid">${cards}</div></main>
<footer><a href="/imprint">Imprint</a> <a href="/privacy">Privacy</a></footer></body></html>`;

    it("keeps the teasers after the introduction", () => {
      expect(textOf(page(COURSES.map(course).join("\n")))).toBe([intro, ...COURSES.flat()].join("\n\n"));
    });

    it("keeps the introduction alone over cards without prose (a news brief over its site's latest headlines, with bylines and dates)", () => {
      const headline = ([name]: [string, string], i: number) => `<div class="course-card"><a href="/c${i}"><h3>${name}</h3></a><ul><li>By Staff Reporter</li><li>11/20/2019 01:14 PM</li></ul></div>`;
      const many = [...COURSES, ...COURSES, ...COURSES].map(([name], i): [string, string] => [`${name}, part ${i + 1}`, ""]);
      expect(textOf(page(many.map(headline).join("\n")))).toBe(intro);
    });

    it("keeps the introduction alone when the cards are long sections, not teasers (a brand's text over its products)", () => {
      const products = Array.from({ length: 24 }, (_, i) => `<li><a href="/m${i}">Model ${i + 1} with a longer name for its series</a> $${100 + i}.99</li>`).join("");
      const section = ([name, blurb]: [string, string], i: number) => `<div class="course-card"><a href="/c${i}"><h3>${name}</h3><p>${blurb}</p></a><ul>${products}</ul></div>`;
      expect(textOf(page(COURSES.map(section).join("\n")))).toBe(intro);
    });
  });

  it("looks for the cards again without class words when those removed them (a best-seller list in a 'widget')", () => {
    const books: [string, string][] = [
      ["Der Gesang der Flusskrebse", "Delia Owens"], ["Die Mitternachtsbibliothek", "Matt Haig"], ["Eine Frage der Chemie", "Bonnie Garmus"],
      ["Das Café am Rande der Welt", "John Strelecky"], ["Die Hälfte der Welt gehört uns", "Alice Hasters"],
    ];
    const item = ([title, author]: [string, string], i: number) =>
      `<li class="rank-item"><span class="rank">#${i + 1}</span><a href="/b${i}"><div class="title">${title}</div></a><div class="author">${author}</div><div class="price">${12 + i},00 €</div></li>`;
    const page = `<html><body><h1>Bestseller</h1><div class="celwidget"><ol class="grid-row">${books.map(item).join("")}</ol></div></body></html>`;
    expect(textOf(page)).toBe(books.map(([title, author], i) => `#${i + 1}\n\n${title}\n\n${author}\n\n${12 + i},00 €`).join("\n\n"));
  });

  it("takes no box of other pages for a listing in that second look (related videos under a description that is cut off)", () => {
    const description = "In einem Video bitten die Eltern um Unterstützung, denn zwei Zwillingspaare kommen zwölf Wochen zu früh zur Welt, und";
    const headlines = [
      "Buschbrände: Behörden rufen den Notstand aus", "Frau bekommt ihr Kind unerwartet im Flugzeug", "Puma auf der Autobahn in Kalifornien überfahren",
      "Drei Opfer des Flugzeugabsturzes identifiziert", "Massenkarambolage auf der Autobahn bei Schneefall", "Chor covert einen Sommerhit",
    ];
    const other = (headline: string) => `<div class="item"><a href="/v"><h3>${headline}</h3></a><span class="source">Nachrichtenagentur</span></div>`;
    const page = `<html><body><main><div class="description"><p>${description}</p></div><div id="relatedVideos">${headlines.map(other).join("")}</div></main></body></html>`;
    expect(textOf(page)).toBe(description);
  });

  it("reads a card's <header> and its link hidden from screen readers (the blurb that repeats the headline's link)", () => {
    const river = (href: string, headline: string, blurb: string) =>
      `<article class="river-item"><a href="${href}" aria-hidden="true" tabindex="-1"><img src="${href}.jpg" alt=""></a><header><h2><a href="${href}">${headline}</a></h2>` +
      `<p class="desc"><a href="${href}" aria-hidden="true" tabindex="-1">${blurb}</a></p></header><time>vor 2 Tagen</time></article>`;
    const page = `<html><body><main><section>${TEASERS.map(([headline, blurb], i) => river(`/a${i}`, headline, blurb)).join("\n")}</section></main></body></html>`;
    expect(textOf(page)).toBe(TEASERS.map(([headline, blurb]) => `${headline}\n\n${blurb}\n\nvor 2 Tagen`).join("\n\n"));
  });

  it("finds no listing in rows of short links (a sitemap outside any <footer>): the page has no content", () => {
    const row = (links: string[]) => `<div class="col"><p>${links.map((link) => `<a href="/${link}">${link}</a>`).join(" · ")}</p></div>`;
    const page = `<html><body><div class="sitemap">${[
      ["Startseite", "Über uns", "Kontakt", "Jobs", "Presse", "Mediadaten"],
      ["Politik", "Wirtschaft", "Sport", "Kultur", "Wetter", "Verkehr"],
      ["Impressum", "Datenschutz", "AGB", "Cookies", "Barrierefreiheit", "Hilfe"],
      ["Abo", "E-Paper", "Newsletter", "Podcasts", "Videos", "Archiv"],
      ["Leserbriefe", "Gewinnspiele", "Veranstaltungen", "Anzeigen", "Immobilien", "Stellenmarkt"],
    ].map(row).join("")}</div></body></html>`;
    expect(extractMainText(page)).toEqual({ ok: false, reason: "no_content" });
  });

  it("keeps a short article of its own without the list of other pages beside it", () => {
    const description = "In einem Video bitten die Eltern um Unterstützung, denn zwei Zwillingspaare kommen zwölf Wochen zu früh zur Welt.";
    const other = (headline: string) => `<div class="item"><a href="/welt">Welt</a><a href="/v"><h3>${headline}</h3></a></div>`;
    const headlines = [
      "Buschbrände: Behörden rufen den Notstand aus", "Frau bekommt ihr Kind unerwartet im Flugzeug", "Puma auf der Autobahn in Kalifornien überfahren",
      "Drei Opfer des Flugzeugabsturzes identifiziert", "Massenkarambolage auf der Autobahn bei Schneefall", "Chor covert einen Sommerhit",
    ];
    const page = `<html><body><main><div class="description"><p>${description}</p></div><div class="more">${headlines.map(other).join("")}</div></main></body></html>`;
    expect(textOf(page)).toBe(description);
  });
});

describe("extractMainText: guards", () => {
  it("drops a 50 MB page as too_large without parsing it", () => {
    const page = `<html><body><p>${"x".repeat(50_000_000)}</p></body></html>`;
    // With a budget of one unit, any parsing would end as work_limit instead.
    expect(extractMainText(page, { maxWork: 1 })).toEqual({ ok: false, reason: "too_large" });
  });

  it("counts maxBytes in UTF-8 bytes: just under keeps, just over drops", () => {
    const page = `<p>${"é".repeat(100)} ${PROSE}</p>`; // each é is 2 bytes
    const bytes = Buffer.byteLength(page, "utf8");
    expect(bytes).toBe(page.length + 100);
    expect(extractMainText(page, { maxBytes: bytes }).ok).toBe(true);
    expect(extractMainText(page, { maxBytes: bytes - 1 })).toEqual({ ok: false, reason: "too_large" });
  });

  it("stops a page at its work budget, at the same point on every run: reason work_limit", () => {
    const page = `<html><body>${`<div><p>${PROSE}</p></div>`.repeat(2_000)}</body></html>`;
    // Counted, not timed: this page costs exactly 32,015 units (parser events and scoring steps:
    // 28,014, and one for each of the 4,001 kept elements the search for repeated blocks visits,
    // the body, its 2,000 <div>s and their paragraphs), so one unit less stops it on every run,
    // whatever else the machine is doing.
    for (let run = 0; run < 3; run++) {
      expect(extractMainText(page, { maxWork: 32_014 })).toEqual({ ok: false, reason: "work_limit" });
      expect(extractMainText(page, { maxWork: 32_015 })).toEqual(extractMainText(page, { timeoutMs: 0 }));
    }
    expect(extractMainText(page).ok).toBe(true);
  });

  it("keeps a wall-clock limit only as a last resort, under its own reason", () => {
    const page = `<html><body>${`<div><p>${PROSE}</p></div>`.repeat(2_000)}</body></html>`;
    // A deadline a picosecond away has passed by the first check (after 4,096 units).
    expect(extractMainText(page, { timeoutMs: 1e-9 })).toEqual({ ok: false, reason: "wall_clock_timeout" });
    expect(extractMainText(page, { timeoutMs: 0 }).ok).toBe(true);
  });

  it("flattens elements nested deeper than maxDepth, keeping their text and line breaks", () => {
    const html = `<html><body>${Array.from({ length: 12 }, (_, i) => `<div><p>level ${i}</p>`).join("")}${"</div>".repeat(12)}</body></html>`;
    const expected = Array.from({ length: 12 }, (_, i) => `level ${i}`);
    const render = (maxDepth: number) => renderText([parseHtml(html, { budget: unlimitedWork(), maxDepth }).root]).split(/\n+/);
    expect(render(256)).toEqual(expected);
    expect(render(8)).toEqual(expected);
    // depth of the deepest element: #root > html > body > 12 divs with a p in each
    const depthOf = (maxDepth: number) => {
      let depth = 0;
      for (let el = parseHtml(html, { budget: unlimitedWork(), maxDepth }).root; ; depth++) {
        const next = el.children.find((c) => typeof c !== "string" && c.tag !== "br" && c.tag !== "p");
        if (!next || typeof next === "string") return depth;
        el = next;
      }
    };
    expect(depthOf(256)).toBe(14);
    expect(depthOf(8)).toBe(8); // html is depth 1: nothing is created below depth 8
  });

  it("keeps the text of 100k nested divs, closed or not, in linear work (under one unit per character)", () => {
    for (const closed of [true, false]) {
      const html = deeplyNested(100_000, closed);
      expect(extractMainText(html, { maxWork: html.length, timeoutMs: 0 }), `closed: ${closed}`).toEqual({ ok: true, text: DEEP_TEXT, title: "", lang: "" });
    }
  });

  it("keeps the text of 100k nested inline elements, and of 100k unclosed paragraphs in a list", () => {
    const spans = `<html><body><div>${"<span>".repeat(100_000)}${PROSE}</div></body></html>`;
    expect(textOf(spans)).toBe(PROSE);
    // Each <li> closes the one before, each <p> the paragraph before: 2 elements deep, not 20k.
    const items = `<html><body><article><ul>${Array.from({ length: 10_000 }, (_, i) => `<li><p>item ${i} ${PROSE}`).join("")}</ul></article></body></html>`;
    const lines = textOf(items).split("\n");
    expect(lines).toHaveLength(10_000);
    expect(lines[9_999]).toBe(`- item 9999 ${PROSE}`);
  });

  it("keeps the text of a 10k-deep page", () => {
    expect(textOf(deeplyNested(10_000, true))).toBe(DEEP_TEXT);
  });
});
