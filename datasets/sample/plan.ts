/**
 * What each page will be. Pages are planned in blocks of 100: each block gets its share of every
 * kind, duplicate clusters live inside one block (spread over files, since page i goes to file
 * i % files), and the block is shuffled. Only one block is held in memory at a time.
 */
import { blocksToText, composeArticle, composeShort, composeSpam, composeTitle, type Block } from "./compose.js";
import type { PageMain } from "./html.js";
import { deriveVariant, JACCARD_TARGETS } from "./near-dup.js";
import type { Rng } from "./rng.js";
import { LANGUAGE_PACKS, TOPICS, type LanguageCode, type LanguagePack, type Topic } from "./text/index.js";
import type { SampleKind, SampleMalformation } from "./truth.js";

export const BLOCK_PAGES = 100;
export const SITES_PER_LANGUAGE = 6;

/** Share of each kind per block; clean articles (cluster originals included) take the rest. */
const KIND_SHARES = {
  near_duplicate: 0.1,
  exact_duplicate: 0.03,
  spam: 0.08,
  boilerplate: 0.06,
  short: 0.08,
  non_html: 0.02,
  malformed: 0.01,
} as const;

const LANGUAGE_WEIGHTS: Readonly<Record<LanguageCode, number>> = {
  en: 0.4, de: 0.6 / 7, fr: 0.6 / 7, es: 0.6 / 7, it: 0.6 / 7, nl: 0.6 / 7, pt: 0.6 / 7, ru: 0.6 / 7,
};

const MALFORMATIONS: readonly SampleMalformation[] = ["content_length_overrun", "garbage_header", "bad_http_status", "warc_truncated"];

export interface PagePlan {
  kind: SampleKind;
  requestUuid: string;
  responseUuid: string;
  pack: LanguagePack | null;
  topic: Topic;
  title: string;
  /** null for non-HTML responses. */
  main: PageMain | null;
  mainText: string;
  cluster: string | null;
  jaccard: number | null;
  targetJaccard: number | null;
  /** Response uuid of the cluster original. */
  duplicateOfUuid: string | null;
  /** Which of the language's sites publishes the page (duplicates never share the original's). */
  siteIndex: number;
  malformation: SampleMalformation | null;
  binary: "png" | "pdf" | null;
  spamStyle: string | null;
}

export interface PlanContext {
  rng: Rng;
  nearClusters: number;
  exactClusters: number;
  targetsUsed: number;
  malformedUsed: number;
}

function basePlan(ctx: PlanContext, kind: SampleKind, pack: LanguagePack | null, topic: Topic): PagePlan {
  return {
    kind, pack, topic,
    requestUuid: ctx.rng.uuid(),
    responseUuid: ctx.rng.uuid(),
    title: "", main: null, mainText: "",
    cluster: null, jaccard: null, targetJaccard: null, duplicateOfUuid: null,
    siteIndex: ctx.rng.int(SITES_PER_LANGUAGE),
    malformation: null, binary: null, spamStyle: null,
  };
}

function pickLanguage(rng: Rng): LanguagePack {
  return LANGUAGE_PACKS[rng.weighted(LANGUAGE_WEIGHTS)];
}

function withBlocks(plan: PagePlan, title: string, blocks: Block[]): PagePlan {
  plan.title = title;
  plan.main = { kind: "article", blocks };
  plan.mainText = blocksToText(blocks);
  return plan;
}

/** A clean article of 150–900 words (skewed towards shorter ones); `minWords` for cluster originals. */
function articlePlan(ctx: PlanContext, kind: SampleKind = "article", minWords = 150): PagePlan {
  const { rng } = ctx;
  const pack = pickLanguage(rng);
  const topic = rng.pick(TOPICS);
  const targetWords = minWords + Math.floor((780 - minWords) * rng.next() ** 1.7);
  const { title, blocks } = composeArticle(pack, topic, rng, targetWords);
  return withBlocks(basePlan(ctx, kind, pack, topic), title, blocks);
}

function nearDuplicatePlan(ctx: PlanContext, original: PagePlan, target: number): PagePlan {
  const { rng } = ctx;
  const pack = original.pack as LanguagePack;
  const blocks = original.main?.kind === "article" ? original.main.blocks : [];
  const variant = deriveVariant(blocks, target, pack, original.topic, rng);
  const title = rng.chance(0.5) ? original.title : composeTitle(pack, original.topic, rng);
  const plan = withBlocks(basePlan(ctx, "near_duplicate", pack, original.topic), title, variant.blocks);
  plan.cluster = original.cluster;
  plan.jaccard = Math.round(variant.jaccard * 10000) / 10000;
  plan.targetJaccard = target;
  plan.duplicateOfUuid = original.responseUuid;
  plan.siteIndex = otherSite(ctx.rng, original);
  return plan;
}

function otherSite(rng: Rng, original: PagePlan): number {
  return (original.siteIndex + 1 + rng.int(SITES_PER_LANGUAGE - 1)) % SITES_PER_LANGUAGE;
}

function exactDuplicatePlan(ctx: PlanContext, original: PagePlan): PagePlan {
  const blocks = original.main?.kind === "article" ? [...original.main.blocks] : [];
  const plan = withBlocks(basePlan(ctx, "exact_duplicate", original.pack, original.topic), original.title, blocks);
  plan.cluster = original.cluster;
  plan.jaccard = 1;
  plan.targetJaccard = 1;
  plan.duplicateOfUuid = original.responseUuid;
  plan.siteIndex = otherSite(ctx.rng, original);
  return plan;
}

function spamPlan(ctx: PlanContext): PagePlan {
  const pack = pickLanguage(ctx.rng);
  const plan = basePlan(ctx, "spam", pack, ctx.rng.pick(TOPICS));
  const spam = composeSpam(pack, ctx.rng);
  plan.spamStyle = spam.style;
  return withBlocks(plan, spam.title, spam.blocks);
}

function shortPlan(ctx: PlanContext): PagePlan {
  const pack = pickLanguage(ctx.rng);
  const plan = basePlan(ctx, "short", pack, ctx.rng.pick(TOPICS));
  const { title, blocks } = composeShort(pack, plan.topic, ctx.rng);
  return withBlocks(plan, title, blocks);
}

/** Navigation, footer and a list of links or a "page not found" message, no article. */
function boilerplatePlan(ctx: PlanContext): PagePlan {
  const { rng } = ctx;
  const pack = pickLanguage(rng);
  const plan = basePlan(ctx, "boilerplate", pack, rng.pick(TOPICS));
  if (rng.chance(0.6)) {
    const items = [];
    for (let i = rng.range(6, 12); i > 0; i--) {
      const title = composeTitle(pack, rng.pick(TOPICS), rng);
      const month = String(rng.range(1, 12)).padStart(2, "0");
      items.push({ title, url: `/${rng.range(2015, 2023)}/${month}/${rng.range(1000, 99999)}/` });
    }
    plan.title = rng.chance(0.5) ? pack.ui.topics[plan.topic] : pack.ui.latest;
    plan.main = { kind: "listing", items };
  } else {
    plan.title = pack.ui.notFoundTitle;
    plan.main = { kind: "not_found" };
  }
  return plan;
}

function nonHtmlPlan(ctx: PlanContext): PagePlan {
  const plan = basePlan(ctx, "non_html", null, ctx.rng.pick(TOPICS));
  plan.binary = ctx.rng.chance(0.5) ? "png" : "pdf";
  return plan;
}

function malformedPlan(ctx: PlanContext): PagePlan {
  const plan = articlePlan(ctx, "malformed");
  plan.malformation = MALFORMATIONS[ctx.malformedUsed++ % MALFORMATIONS.length] ?? "garbage_header";
  return plan;
}

function kindCount(size: number, kind: keyof typeof KIND_SHARES): number {
  return Math.round(size * KIND_SHARES[kind]);
}

/** The pages of one block, shuffled. */
export function planBlock(ctx: PlanContext, size: number): PagePlan[] {
  const { rng } = ctx;
  const singles: [number, () => PagePlan][] = [
    [kindCount(size, "spam"), () => spamPlan(ctx)],
    [kindCount(size, "boilerplate"), () => boilerplatePlan(ctx)],
    [kindCount(size, "short"), () => shortPlan(ctx)],
    [kindCount(size, "non_html"), () => nonHtmlPlan(ctx)],
    [kindCount(size, "malformed"), () => malformedPlan(ctx)],
  ];
  const capacity = size - singles.reduce((sum, [count]) => sum + count, 0);
  const plans: PagePlan[] = [];

  for (let left = kindCount(size, "near_duplicate"); left > 0; ) {
    const variants = Math.min(left, rng.range(1, 3));
    if (plans.length + variants + 1 > capacity) break;
    const original = articlePlan(ctx, "article", 320);
    original.cluster = `nd-${String(++ctx.nearClusters).padStart(4, "0")}`;
    original.jaccard = 1;
    plans.push(original);
    for (let v = 0; v < variants; v++) {
      const target = JACCARD_TARGETS[ctx.targetsUsed++ % JACCARD_TARGETS.length] ?? 0.8;
      const variant = nearDuplicatePlan(ctx, original, target);
      plans.push(variant);
    }
    left -= variants;
  }
  for (let left = kindCount(size, "exact_duplicate"); left > 0; ) {
    const copies = left >= 2 && rng.chance(0.3) ? 2 : 1;
    if (plans.length + copies + 1 > capacity) break;
    const original = articlePlan(ctx);
    original.cluster = `ex-${String(++ctx.exactClusters).padStart(4, "0")}`;
    original.jaccard = 1;
    plans.push(original);
    for (let c = 0; c < copies; c++) plans.push(exactDuplicatePlan(ctx, original));
    left -= copies;
  }
  for (const [count, make] of singles) for (let i = 0; i < count; i++) plans.push(make());
  while (plans.length < size) plans.push(articlePlan(ctx));
  return rng.shuffle(plans);
}
