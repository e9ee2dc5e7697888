/**
 * The sample corpus generator: plans pages block by block, renders each to HTML (or a PNG/PDF),
 * wraps it in a request and a response record, and streams them to the WARC files and the ground
 * truth to truth.jsonl. Same options, same bytes: all randomness comes from one seeded Rng and all
 * dates from the seed and the page index.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { AtomicFileWriter } from "./atomic-file.js";
import { samplePdf, samplePng } from "./binary.js";
import { composeTitle, countWords } from "./compose.js";
import { LAYOUTS, slugify, type CommentRef, type LayoutName, type LinkRef, type PageFrame } from "./html-parts.js";
import { renderPage } from "./html.js";
import { BLOCK_PAGES, planBlock, SITES_PER_LANGUAGE, type PagePlan, type PlanContext } from "./plan.js";
import { Rng } from "./rng.js";
import { LANGUAGE_CODES, LANGUAGE_PACKS, TOPICS, type LanguageCode, type LanguagePack, type SiteSpec } from "./text/index.js";
import type { GenerateSampleOptions, GenerateSampleResult, SampleTruth } from "./truth.js";
import {
  formatHttpDate, formatWarcDate, httpRequestBlock, httpResponseBlock, serializeWarcRecord, warcFieldsBlock,
  WarcGzipWriter, warcRecordId, type WarcField, type WarcRecordInput,
} from "./warc-writer.js";

const DAY_MS = 86_400_000;
const PAGE_INTERVAL_MS = 41_000;
const USER_AGENT = "KilnSampleBot/0.1 (synthetic sample corpus; no network)";
const SERVERS = ["nginx/1.24.0", "Apache/2.4.58 (Debian)", "cloudflare", "LiteSpeed", "Microsoft-IIS/10.0"];
const SPAM_SITES: readonly SiteSpec[] = [
  { name: "Best Deals 4U", host: "best-deals-4u.biz" },
  { name: "Cheap Offers Online", host: "cheap-offers-online.top" },
  { name: "Win Big Now", host: "win-big-now.xyz" },
  { name: "Super Bonus Club", host: "super-bonus-club.info" },
];
const REGIONAL_LANG: Readonly<Record<LanguageCode, string>> = {
  en: "en-GB", de: "de-DE", fr: "fr-FR", es: "es-ES", it: "it-IT", nl: "nl-NL", pt: "pt-BR", ru: "ru-RU",
};

interface BuiltPage {
  request: Buffer;
  response: Buffer;
  truth: Omit<SampleTruth, "file" | "offset" | "length">;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`generateSample: ${name} must be a positive integer, got ${value}`);
  return value;
}

/** The `lang` attribute: usually right, sometimes regional, sometimes missing or a CMS default of "en". */
function htmlLangFor(code: LanguageCode, rng: Rng): string | null {
  const r = rng.next();
  if (r < 0.04) return null;
  if (r < 0.09 && code !== "en") return "en";
  if (r < 0.25) return REGIONAL_LANG[code];
  return code;
}

function pageUrl(layout: LayoutName, host: string, plan: PagePlan, index: number, published: string): string {
  const slug = slugify(plan.title);
  const topic = plan.pack ? slugify(plan.pack.ui.topics[plan.topic]) : plan.topic;
  switch (layout) {
    case "blog": return `https://${host}/${published.slice(0, 4)}/${published.slice(5, 7)}/${slug}-${index}/`;
    case "news": return `https://${host}/${topic}/${slug}-${index}.html`;
    case "soup": return `http://${host}/index.php?id=${index}&cat=${plan.topic}`;
    case "docs": return `https://${host}/docs/${topic}/${slug}-${index}`;
    case "magazine": return `https://${host}/a/${slug}-${index.toString(36)}`;
  }
}

function buildFrame(plan: PagePlan, pack: LanguagePack, index: number, dateMs: number, rng: Rng): PageFrame {
  const spam = plan.kind === "spam";
  const site = spam ? rng.pick(SPAM_SITES) : (pack.sites[plan.siteIndex % pack.sites.length] ?? rng.pick(pack.sites));
  const layout: LayoutName = spam
    ? rng.pick(["soup", "blog"] as const)
    : (LAYOUTS[(plan.siteIndex + LANGUAGE_CODES.indexOf(pack.code)) % LAYOUTS.length] ?? "blog");
  const published = formatWarcDate(dateMs - rng.range(1, 900) * DAY_MS).slice(0, 10);
  const comments: CommentRef[] = [];
  if (plan.main?.kind === "article") {
    for (let i = rng.range(0, 6); i > 0; i--) {
      const first = (rng.pick(pack.names).split(" ")[0] ?? "user").toLowerCase();
      comments.push({ author: `${first}${rng.range(1, 99)}`, date: published, text: rng.pick(pack.ui.commentBodies) });
    }
  }
  const related: LinkRef[] = [];
  for (let i = rng.range(3, 5); i > 0; i--) {
    const title = composeTitle(pack, rng.pick(TOPICS), rng);
    related.push({ title, url: `https://${site.host}/${slugify(title)}-${rng.range(100, 99999)}/` });
  }
  return {
    pack, layout, published, comments, related,
    siteName: site.name,
    host: site.host,
    url: pageUrl(layout, site.host, plan, index, published),
    htmlLang: htmlLangFor(pack.code, rng),
    title: plan.title,
    author: rng.pick(pack.names),
    topic: plan.topic,
  };
}

function quality(plan: PagePlan): SampleTruth["quality"] {
  if (plan.kind === "article" || plan.kind === "near_duplicate" || plan.kind === "exact_duplicate") return "high";
  if (plan.kind === "spam" || plan.kind === "boilerplate" || plan.kind === "short") return "low";
  return null;
}

function buildPage(plan: PagePlan, index: number, dateMs: number, warcinfoId: string, rng: Rng): BuiltPage {
  const warcDate = formatWarcDate(dateMs);
  let url: string;
  let body: Buffer;
  let mime: string;
  let htmlLang: string | null = null;
  let layout: string | null = null;
  if (plan.pack === null || plan.main === null) {
    const pack = LANGUAGE_PACKS[rng.pick(LANGUAGE_CODES)];
    const host = (pack.sites[plan.siteIndex % SITES_PER_LANGUAGE] ?? rng.pick(pack.sites)).host;
    if (plan.binary === "pdf") {
      url = `https://${host}/files/report-${index}.pdf`;
      body = samplePdf(`Annual report ${rng.range(2005, 2023)}, page ${rng.range(1, 40)}`);
      mime = "application/pdf";
    } else {
      url = `https://${host}/media/figure-${index}.png`;
      body = samplePng(rng);
      mime = "image/png";
    }
  } else {
    const frame = buildFrame(plan, plan.pack, index, dateMs, rng);
    url = frame.url;
    htmlLang = frame.htmlLang;
    layout = frame.layout;
    body = Buffer.from(renderPage(frame, plan.main, rng, new Date(dateMs).getUTCFullYear()), "utf8");
    mime = "text/html";
  }
  const contentType = mime === "text/html" ? "text/html; charset=UTF-8" : mime;
  const ip = `192.0.2.${rng.range(1, 254)}`;
  const target = new URL(url);

  const requestId = warcRecordId(plan.requestUuid);
  const request = serializeWarcRecord({
    type: "request",
    recordId: requestId,
    date: warcDate,
    contentType: "application/http; msgtype=request",
    fields: [["WARC-Warcinfo-ID", warcinfoId], ["WARC-IP-Address", ip]],
    targetUri: url,
    block: httpRequestBlock(`GET ${target.pathname}${target.search} HTTP/1.1`, [
      ["Host", target.host],
      ["User-Agent", USER_AGENT],
      ["Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"],
      ["Accept-Language", `${plan.pack?.code ?? "en"},en;q=0.5`],
      ["Accept-Encoding", "br,gzip"],
      ["Connection", "Keep-Alive"],
    ]),
  });

  const malformation = plan.malformation;
  const statusLine = malformation === "bad_http_status" ? rng.pick(["HTTP/1.1 2OO OK", "HTTP/1.1 OK"]) : "HTTP/1.1 200 OK";
  const stored = malformation === "warc_truncated" ? body.subarray(0, Math.floor(body.length * 0.4)) : body;
  const httpHeaders: WarcField[] = [
    ["Date", formatHttpDate(dateMs)],
    ["Server", rng.pick(SERVERS)],
    ["Content-Type", contentType],
    ["Content-Length", String(body.length)],
  ];
  if (mime === "text/html") httpHeaders.push(["Cache-Control", "max-age=600"], ["Vary", "Accept-Encoding"]);
  const { block, payload } = httpResponseBlock(statusLine, httpHeaders, stored);
  const fields: WarcField[] = [["WARC-Warcinfo-ID", warcinfoId], ["WARC-Concurrent-To", requestId], ["WARC-IP-Address", ip]];
  if (malformation === "warc_truncated") fields.push(["WARC-Truncated", "length"]);
  fields.push(["WARC-Identified-Payload-Type", mime]);
  let faults: WarcRecordInput["faults"];
  // 40 bytes: the closing CRLF CRLF and the first 36 bytes of the next record's header.
  if (malformation === "content_length_overrun") faults = { contentLength: block.length + 40 };
  if (malformation === "garbage_header") faults = { rawHeaderLines: ["\u0001\u0002garbage header line without a colon ~~ \u00ff"] };
  const response = serializeWarcRecord({
    type: "response",
    recordId: warcRecordId(plan.responseUuid),
    date: warcDate,
    contentType: "application/http; msgtype=response",
    fields,
    targetUri: url,
    block,
    payload,
    faults,
  });

  return {
    request,
    response,
    truth: {
      index,
      id: warcRecordId(plan.responseUuid),
      url,
      kind: plan.kind,
      language: plan.pack?.code ?? null,
      htmlLang,
      cluster: plan.cluster,
      jaccard: plan.jaccard,
      targetJaccard: plan.targetJaccard,
      duplicateOf: plan.duplicateOfUuid === null ? null : warcRecordId(plan.duplicateOfUuid),
      quality: quality(plan),
      title: plan.title,
      mainText: plan.mainText,
      words: countWords(plan.mainText),
      topic: plan.pack === null ? null : plan.topic,
      layout,
      contentType,
      malformation,
      spamStyle: plan.spamStyle,
    },
  };
}

function warcinfoRecord(recordId: string, date: string, filename: string, seed: number): Buffer {
  return serializeWarcRecord({
    type: "warcinfo",
    recordId,
    date,
    contentType: "application/warc-fields",
    fields: [["WARC-Filename", filename]],
    block: warcFieldsBlock([
      ["software", "kiln-sample/0.1"],
      ["format", "WARC File Format 1.0"],
      ["conformsTo", "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.0/"],
      ["isPartOf", `kiln-sample-seed-${seed}`],
      ["description", "Synthetic web pages with planted duplicates, spam and malformed records; ground truth in truth.jsonl"],
      ["robots", "classic"],
    ]),
  });
}

/**
 * Writes `<outDir>/warc/sample-NNNNN.warc.gz` (`files` of them, page i in file i % files) and
 * `<outDir>/truth.jsonl` (one {@link SampleTruth} per page, in page order).
 */
export async function generateSample(options: GenerateSampleOptions): Promise<GenerateSampleResult> {
  const seed = options.seed ?? 1;
  if (!Number.isInteger(seed)) throw new RangeError(`generateSample: seed must be an integer, got ${seed}`);
  const pages = positiveInteger("pages", options.pages ?? 600);
  const files = positiveInteger("files", options.files ?? 4);
  const warcDir = join(options.outDir, "warc");
  await mkdir(warcDir, { recursive: true });

  const rng = new Rng(seed);
  const baseMs = Date.UTC(2024, 0, 1) + ((seed >>> 0) % 365) * DAY_MS;
  const names = Array.from({ length: files }, (_, i) => `sample-${String(i).padStart(5, "0")}.warc.gz`);
  const writers = names.map((name) => new WarcGzipWriter(join(warcDir, name)));
  const truthFile = join(options.outDir, "truth.jsonl");
  const truth = new AtomicFileWriter(truthFile);
  try {
    const warcinfoIds: string[] = [];
    for (const [i, writer] of writers.entries()) {
      const id = warcRecordId(rng.uuid());
      warcinfoIds.push(id);
      await writer.write(warcinfoRecord(id, formatWarcDate(baseMs), names[i] ?? "", seed));
    }
    const ctx: PlanContext = { rng, nearClusters: 0, exactClusters: 0, targetsUsed: 0, malformedUsed: 0 };
    for (let start = 0; start < pages; start += BLOCK_PAGES) {
      const plans = planBlock(ctx, Math.min(BLOCK_PAGES, pages - start));
      for (const [k, plan] of plans.entries()) {
        const index = start + k;
        const fileIndex = index % files;
        // An overrun needs a following record in the same file to run into.
        if (plan.malformation === "content_length_overrun" && index + files >= pages) plan.malformation = "warc_truncated";
        const page = buildPage(plan, index, baseMs + index * PAGE_INTERVAL_MS, warcinfoIds[fileIndex] ?? "", rng);
        const writer = writers[fileIndex] as WarcGzipWriter;
        await writer.write(page.request);
        const at = await writer.write(page.response);
        const line: SampleTruth = { ...page.truth, file: names[fileIndex] ?? "", offset: at.offset, length: at.length };
        await truth.write(`${JSON.stringify(line, TRUTH_KEYS)}\n`);
      }
    }
    for (const writer of writers) await writer.close();
    await truth.close();
  } catch (err) {
    await Promise.all([...writers.map((w) => w.abort()), truth.abort()]);
    throw err;
  }
  return { warcFiles: names.map((name) => join(warcDir, name)), truthFile, pages };
}

/** Key order of a truth line. */
const TRUTH_KEYS: (keyof SampleTruth)[] = [
  "index", "id", "url", "file", "offset", "length", "kind", "language", "htmlLang", "cluster", "jaccard",
  "targetJaccard", "duplicateOf", "quality", "title", "mainText", "words", "topic", "layout", "contentType",
  "malformation", "spamStyle",
];
