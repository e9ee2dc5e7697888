import { parseDocument } from "htmlparser2";
import type { ChildNode } from "domhandler";
import { describe, expect, it } from "vitest";
import { IN_PAGE_HREF, KEPT_ATTRIBUTES, SKIPPED, VISIBLE_FIELD, parseHtml, unlimitedWork, WorkBudget, type El } from "../../../stages/extract/dom.js";

const parse = (html: string, maxDepth = 10_000) => parseHtml(html, { budget: unlimitedWork(), maxDepth });

/** Text in quotes with whitespace collapsed; whitespace-only text left out. */
const quote = (text: string) => (/\S/.test(text) ? JSON.stringify(text.replace(/\s+/g, " ").trim()) : "");

/** A compact form of a subtree: `tag[attr=v](children)`, text as `quote` gives it. */
/** An element as a string: its tag, the attributes from the markup (not the builder's own `kiln:` marks, which no other parser sets) and its children. */
function show(el: El): string {
  const attrs = Object.entries(el.attrs).filter(([k]) => !k.startsWith("kiln:")).map(([k, v]) => `${k}=${v}`).join(",");
  const inner = el.children.map((c) => (typeof c === "string" ? quote(c) : show(c))).filter(Boolean).join(" ");
  return `${el.tag}${attrs ? `[${attrs}]` : ""}(${inner})`;
}
const body = (html: string) => show(parse(html).root).replace(/^#root\(/, "").replace(/\)$/, "");

describe("parseHtml: implied end tags", () => {
  it.each([
    ["<p>a<p>b", 'p("a") p("b")'],
    ["<div><p>a<div>b</div>c</div>", 'div(p("a") div("b") "c")'],
    ["<p>a<ul><li>b</ul>", 'p("a") ul(li("b"))'],
    ["<ul><li>a<li>b<ul><li>c</ul><li>d</ul>", 'ul(li("a") li("b" ul(li("c"))) li("d"))'],
    ["<table><tr><td>a<td>b<tr><th>c<td>d</table>after", 'table(tr(td("a") td("b")) tr(th("c") td("d"))) "after"'],
    ["<table><thead><tr><td>h<tbody><tr><td>b</table>", 'table(thead(tr(td("h"))) tbody(tr(td("b"))))'],
    ["<dl><dt>a<dd>b<dt>c<dd>d</dl>", 'dl(dt("a") dd("b") dt("c") dd("d"))'],
    ["<h1>a<h2>b</h2>", 'h1("a") h2("b")'],
    ["<a id=1>x<a id=2>y</a>", 'a[id=1]("x") a[id=2]("y")'],
    ["<ruby>k<rt>a<rp>(<rt>b</ruby>", 'ruby("k" rt("a") rp("(") rt("b"))'],
    // option/select content is skipped, but the end tags must still land right for what follows.
    ["<div><select><option>a<option>b<optgroup><option>c</select>after</div>", 'div("after")'],
    ["<div><span>a</div>b", 'div(span("a")) "b"'],
    ["</p>x</br>y", 'p() "x" br() "y"'],
    ["<div>a</span>b</div>", 'div("ab")'],
  ])("%s", (html, expected) => {
    expect(body(html)).toBe(expected);
  });

  it("closes an open <li>, <dd>/<dt> or <p> past the inline elements and paragraphs left open inside it", () => {
    expect(body("<ul><li><p>a<li><p>b</ul>")).toBe('ul(li(p("a")) li(p("b")))');
    expect(body("<ul><li><a id=x>a<li>b</ul>")).toBe('ul(li(a[id=x]("a")) li("b"))');
    expect(body("<dl><dt><b>t<dd><i>d<dt>u</dl>")).toBe('dl(dt(b("t")) dd(i("d")) dt("u"))');
    expect(body("<p><b>bold<div>block</div>")).toBe('p(b("bold")) div("block")');
    expect(body("<p><span>a<ul><li>b</ul>")).toBe('p(span("a")) ul(li("b"))');
  });

  it("does not close across a nested list, a table cell or a button, nor look further than 64 elements", () => {
    expect(body("<ul><li>a<ul><li>b<li>c</ul></ul>")).toBe('ul(li("a" ul(li("b") li("c"))))');
    expect(body("<p>a<table><tr><td><div>b</div></table>")).toBe('p("a") table(tr(td(div("b"))))');
    expect(body("<p>a<marquee><div>b</div></marquee>c")).toBe('p("a" marquee(div("b")) "c")');
    expect(body(`<ul><li>a${"<span>".repeat(63)}<li>b</ul>`)).toMatch(/^ul\(li\("a" (span\(){63}\)+ li\("b"\)\)$/);
    expect(body(`<ul><li>a${"<span>".repeat(64)}<li>b</ul>`)).toMatch(/^ul\(li\("a" (span\(){64}li\("b"\)/);
  });

  it("ignores a form inside a form, and the slash of <x/> outside SVG", () => {
    expect(body("<form><form id=inner><p>in</p></form>out")).toBe('form(p("in")) "out"');
    expect(body("<div/>a<br/>b")).toBe('div("a" br() "b")');
  });

  it("reads a second <html> or <body> as no element, and </body> or </html> as closing nothing, as browsers do", () => {
    // A CMS's text blocks, each a document of its own, inside one article; and text after the page's end.
    const page = '<html><body><div id=a><p>one</p><html><head><title>x</title></head><body class=inner><p>two</p></body></html><p>three</p></div></body></html><p>four</p>';
    expect(body(page)).toBe('html(body(div[id=a](p("one") p("two") p("three")) p("four")))');
  });

  it("skips SVG, reads MathML as one formula in TeX, in both of which <x/> closes itself, and keeps what follows", () => {
    expect(body('<svg/><p>after svg</p>')).toBe('p("after svg")');
    expect(body('<svg viewBox="0 0 1 1"><path d="M0"/><g><circle r="1"/></g><title>icon</title></svg><p>x</p>')).toBe('p("x")');
    // Had <mi/> not closed itself, the text would be the identifier's ("$m$").
    expect(body("<math><mi/><mtext><b>m</b></mtext></math><p>y</p>")).toBe('math("$\\\\text{m}$") p("y")');
    expect(body("<math/><p>z</p>")).toBe('math() p("z")');
  });

  it("ends SVG and MathML that a page never closes at the next HTML block or inline tag, as browsers do, not at the end of the page", () => {
    expect(body('<svg viewBox="0 0 1 1"><path d="M0"><p>after an open svg</p>')).toBe('p("after an open svg")');
    expect(body("<p>Let <math><mi>x</mi><mo>=</mo><mn>1</mn> <b>hold</b>, always.</p>")).toBe('p("Let" math("$x=1$") b("hold") ", always.")');
    // Inside an integration point (<mtext>, <foreignObject>) HTML is content: nothing ends.
    expect(body("<math><mtext><b>m</b></mtext><mi>y</mi></math>")).toBe('math("$\\\\text{m}y$")');
  });

  it("reads <![CDATA[ in HTML content as a comment the next > ends, as browsers do, and as CDATA up to ]]> inside SVG", () => {
    // A stray opener after <body> must not hide the page up to a "]]>" that never comes.
    expect(body("<body><![CDATA[\n<div id=top></div><p>a</p>")).toBe('body(p("a"))');
    expect(body("<p>a<![CDATA[b]]>c</p>")).toBe('p("ac")');
    // Inside SVG the section runs to "]]>": the "</svg>" in it closes nothing.
    expect(body("<svg><![CDATA[ a > </svg> ]]></svg><p>x</p>")).toBe('p("x")');
  });

  it("reads the attributes extraction uses (names lower-cased, first one wins, entities decoded), the title and the lang", () => {
    const page = parse('<html LANG=" de "><head><title>T &amp;  x</title><meta charset=utf-8></head><body><DIV Class="a&amp;b" class=c data-x ROLE=main hidden srcset="a.png 1x">t</DIV>');
    expect(page.title).toBe("T & x");
    expect(parse("<title>A &amp B &lt;&#65;&gt</title>").title).toBe("A & B <A>");
    expect(page.lang).toBe("de");
    expect(show(page.root)).toBe('#root(html[lang= de ](body(div[class=a&b,role=main,hidden=]("t"))))');
    // A title inside the body (or an SVG) does not replace the first one.
    expect(parse("<title>first</title><body><svg><title>icon</title></svg><title>second</title>").title).toBe("first");
  });

  it("reads the page's description from the first <meta> that gives one, in any attribute order, and keeps no <meta> attributes", () => {
    const head = '<meta name="viewport" content="width=device-width"><meta content="Erst &amp;  dann" property="og:description"><meta name="description" content="second">';
    const page = parse(`<html><head>${head}</head><body><p>t</p><meta itemprop="x" name="description" content="in the body"></body></html>`);
    expect(page.description).toBe("Erst & dann");
    expect(show(page.root)).toBe('#root(html(body(p("t") meta[itemprop=x]())))');
    expect(parse('<META NAME="Twitter:Description" CONTENT=" a  b ">').description).toBe("a b");
    expect(parse("<p>none</p>").description).toBe("");
  });

  it("lower-cases tag and attribute names in any case, custom elements' too; attribute names by ASCII letters only, as HTML's tokenizer does", () => {
    expect(body('<DiV><Td-Card CLASS="x" Id=y><SPAN>t</SPAN></Td-Card><my-Widget ItemProp=articleBody>u</my-Widget></DiV>')).toBe(
      'div(td-card[class=x,id=y](span("t")) my-widget[itemprop=articleBody]("u"))',
    );
    // "İd" (U+0130) and "ſtyle" (U+017F) are other names; String.prototype.toLowerCase would read
    // "\u212Aeep" (the Kelvin sign) as "keep", HTML does not.
    expect(body('<p \u0130d=a \u017Ftyle=b id=c>t</p>')).toBe('p[id=c]("t")');
    // Names that share a length and a first letter with read ones are not read.
    expect(body('<p clazz=a rolf=b alter=c ROLE=d>t</p>')).toBe('p[role=d]("t")');
  });
});

/**
 * The same tree built independently, from htmlparser2's Parser and DOM (whose tree-construction
 * rules the builder follows where they agree with browsers), with skipped elements left out and
 * adjacent text merged. The fixtures avoid the cases where the builder closes more than
 * htmlparser2 does (tested above).
 */
function reference(html: string): string {
  const walk = (nodes: ChildNode[]): string => {
    const parts: string[] = [];
    let text = "";
    const flush = () => {
      if (/\S/.test(text)) parts.push(quote(text));
      text = "";
    };
    for (const node of nodes) {
      if (node.type === "text") text += node.data;
      else if (node.type === "tag" || node.type === "script" || node.type === "style") {
        if (SKIPPED.has(node.name)) continue;
        flush();
        const kept = Object.entries(node.attribs).filter(([k]) => KEPT_ATTRIBUTES.has(k) || (k === "href" && node.name === "a"));
        // A link's href is kept only as whether it points within the page.
        const attrs = kept.map(([k, v]) => `${k}=${k === "href" ? (v.length > 1 && v.startsWith("#") ? IN_PAGE_HREF : "") : v}`).join(",");
        parts.push(`${node.name}${attrs ? `[${attrs}]` : ""}(${walk(node.children)})`);
      }
    }
    flush();
    return parts.join(" ");
  };
  return walk(parseDocument(html).children);
}

describe("parseHtml: the same tree as htmlparser2's Parser", () => {
  const messy = [
    `<!doctype html><html lang=en><head><title>x</title><script>if (a < b) document.write("<div>")</script><style>p{}</style></head>
     <body class=home><div id=wrap><header><nav><ul><li><a href="/">Home</a><li><a href="/a">A</a></ul></nav></header>
     <main><article><h1>Title</h1><p>One &amp; two<p>Three<br>four<img src=x alt="y"><p>Five <b>bold <i>both</b> italic</i>
     <table><tr><td>a<td>b<tr><td colspan=2>c</table><ul><li>x<li>y<ol><li>z</ol></ul></article>
     <aside><form><input name=q><button>Go</button></form></aside></main><!-- comment --><footer>&copy; 2024</div>`,
    "<p>a<div>b<p>c<span>d</span>e</div>f</p>g",
    "<ul><li><p>one</p><li><p>two</ul><dl><dt>t<dd><p>d</p><dt>u</dl>",
    "<div><noscript><p>enable js</p></noscript><template><p>t</p></template><p>after</p></div>",
    "<body><div><div><div>unclosed<p>para<table><tr><td>cell",
    // Entities in text (legacy names without ';' too) and in kept attributes (where a legacy name
    // before '=' or a letter stays as written), a '<' that starts no tag, and text up to the end.
    `<p class="x&copy=y &amp; &lt;z&#x41;" id='a&quot;b'>AT&T &copy 2020 &ampx &#x41;&#128512;&#0; &notit; &notin; a < b &amp;c</p>tail &amp; end`,
    // Script bodies with '<', an end tag split in a string, and quoted attribute values holding '>' and quotes.
    `<script>var s = "</scr" + "ipt>"; if (a<b && c < "</p>") {}</script><div class="a>b" id='c"d' role=main>t<style>a>b{}</style></div>`,
    // Links within the page and elsewhere, after other elements' hrefs: only a link's href is kept, as "#" or "".
    `<head><link rel=stylesheet href="x.css"><base href="/b/"></head><body><p><a href="#top">top</a> <a href=#>here</a> <a href="/a#b">away</a> <a>none</a> <a href="#c" href="/d">twice</a></p>`,
  ];
  it.each(messy.map((html, i) => [i, html]))("fixture %i", (_, html) => {
    expect(show(parse(html).root).replace(/^#root\(/, "").replace(/\)$/, "")).toBe(reference(html));
  });
});

describe("parseHtml: forms with a field a reader sees", () => {
  const forms = (html: string): El[] => {
    const found: El[] = [];
    const walk = (el: El) => {
      if (el.tag === "form") found.push(el);
      for (const child of el.children) if (typeof child !== "string") walk(child);
    };
    walk(parse(html).root);
    return found;
  };
  it("marks a form with a text field, a text area, a list or a button, and not one whose fields are hidden inputs or inside a box its style hides", () => {
    const marked = (html: string) => forms(html).map((form) => form.attrs[VISIBLE_FIELD] !== undefined);
    expect(marked('<form><input name="q"></form><form><textarea></textarea></form><form><select><option>a</select></form><form><button>Go</button></form>')).toEqual([true, true, true, true]);
    expect(marked('<form><input type="hidden" name="id"><p>text</p></form><form><div style="display: none"><textarea></textarea><button>save</button></div><p>text</p></form>')).toEqual([false, false]);
    // The field belongs to the innermost form; a hidden box inside the form, not outside it, hides it.
    expect(marked('<div style="display:none"><form><input name="q"></form></div><form><p>text</p><div hidden><input name="x"></div></form>')).toEqual([true, false]);
  });
});

describe("parseHtml: deep and hostile nesting in linear time", () => {
  const depthOf = (root: El) => {
    let depth = 0;
    const stack: [El, number][] = [[root, 0]];
    while (stack.length > 0) {
      const [el, d] = stack.pop()!;
      depth = Math.max(depth, d);
      for (const c of el.children) if (typeof c !== "string") stack.push([c, d + 1]);
    }
    return depth;
  };

  it("flattens 100k nested divs below maxDepth into two line breaks and the text", () => {
    for (const closed of [true, false]) {
      const html = `<div>${"<div>\n".repeat(100_000)}deep text${closed ? `${"</div>".repeat(100_001)}after` : ""}`;
      // Linear: the work counted (parser events) stays under one unit per input character.
      const budget = new WorkBudget(Infinity);
      const { root } = parseHtml(html, { budget, maxDepth: 256 });
      expect(budget.used).toBeLessThan(html.length);
      // The deepest div sits at depth 256 (maxDepth); only its <br> leaves are below it.
      expect(depthOf(root)).toBe(257);
      let el = root;
      for (let i = 0; i < 256; i++) el = el.children.find((c): c is El => typeof c !== "string" && c.tag === "div")!;
      // The deepest real div holds: two <br> (one paragraph break for 99,746 flattened divs) and the text.
      expect(show(el)).toBe('div(br() br() "deep text")');
      expect(root.children.at(-1)).toEqual(closed ? "after" : expect.objectContaining({ tag: "div" }));
    }
  });

  it("keeps a <br> inside a flattened element", () => {
    const { root } = parse("<div><div><div><span>a<br>b</span></div></div></div>", 2);
    // The third div starts a block (a line break); the <br> inside the span is kept too.
    expect(show(root)).toBe('#root(div(div(br() "a" br() "b")))');
  });

  it("handles 100k stray end tags over 100k open elements, and 100k nested forms, in linear work", () => {
    const cases = [
      `${"<b>".repeat(100_000)}x${"</span>".repeat(100_000)}y`,
      `${"<form>".repeat(100_000)}z${"</form>".repeat(100_000)}w`,
      `${"<p><span>".repeat(50_000)}q`,
    ];
    for (const html of cases) {
      const budget = new WorkBudget(Infinity);
      parseHtml(html, { budget, maxDepth: 256 });
      expect(budget.used, html.slice(0, 20)).toBeLessThan(html.length);
    }
    expect(body("<form><form><form>z</form>w")).toBe('form("z") "w"');
  });
});
