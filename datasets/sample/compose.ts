/**
 * Article text for the sample corpus: sentences from a language's bank with their slots filled,
 * arranged into blocks (paragraphs, headings, lists, tables, code), and the plain-text form of
 * those blocks that the ground truth records as `mainText`.
 */
import type { Rng } from "./rng.js";
import { TOPICS, type LanguagePack, type Topic } from "./text/index.js";

export type Block =
  | { kind: "p"; sentences: string[] }
  | { kind: "h2"; text: string }
  | { kind: "ul"; items: string[] }
  | { kind: "table"; header: readonly string[]; rows: string[][] }
  | { kind: "code"; code: string };

export interface ComposedText {
  title: string;
  blocks: Block[];
}

const CODE_SNIPPETS: readonly string[] = [
  [
    "const threshold = {num};",
    "const readings = [{a}, {b}, {c}];",
    "const average = readings.reduce((sum, r) => sum + r, 0) / readings.length;",
    "if (average < threshold && readings.length > 0) {",
    '  console.log("below threshold");',
    "}",
  ].join("\n"),
  [
    "def moving_average(values, window={n}):",
    "    out = []",
    "    for i in range(len(values) - window + 1):",
    "        out.append(sum(values[i:i + window]) / window)",
    "    return out",
  ].join("\n"),
  [
    "SELECT city, AVG(value) AS mean_value",
    "FROM measurements",
    "WHERE year >= {year} AND value < {num}",
    "GROUP BY city;",
  ].join("\n"),
  '$ curl -s "https://api.example.org/v1/readings?limit={num}&sort=desc" | jq \'.items[0]\'',
];

function slotValue(slot: string, pack: LanguagePack, rng: Rng): string {
  switch (slot) {
    case "name": return rng.pick(pack.names);
    case "city": return rng.pick(pack.cities);
    case "n": return String(rng.range(3, 12));
    case "num": return String(10 * rng.range(2, 18));
    case "year": return String(rng.range(1650, 2021));
    case "pct": return String(rng.range(5, 95));
    case "a": case "b": case "c": return String(rng.range(1, 99));
    default: throw new Error(`unknown slot {${slot}}`);
  }
}

function fillValues(template: string, pack: LanguagePack, rng: Rng): string {
  return template.replace(/\{(name|city|n|num|year|pct|a|b|c)\}/g, (_, slot: string) => slotValue(slot, pack, rng));
}

/** Picks one of each [a|b|c] group, then fills the {slots}. */
export function fillSlots(template: string, pack: LanguagePack, rng: Rng): string {
  const chosen = template.replace(/\[([^\][]*\|[^\][]*)\]/g, (_, group: string) => rng.pick(group.split("|")));
  return fillValues(chosen, pack, rng);
}

/**
 * Hands out filled sentences for one article: a few from its own topic first, then the rest of
 * the bank in random order. Two articles on one topic thus share only some templates, and
 * templates rarely repeat within an article.
 */
export class SentenceSource {
  private queue: string[] = [];

  constructor(
    private readonly pack: LanguagePack,
    private readonly topic: Topic,
    private readonly rng: Rng,
  ) {}

  next(): string {
    if (this.queue.length === 0) this.refill();
    return fillSlots(this.queue.pop() ?? "", this.pack, this.rng);
  }

  private refill(): void {
    const own = this.rng.shuffle([...this.pack.sentences[this.topic]]);
    const lead = own.splice(0, this.rng.range(3, 5));
    const rest = [...own];
    for (const topic of TOPICS) if (topic !== this.topic) rest.push(...this.pack.sentences[topic]);
    // The queue is consumed from its end.
    this.queue = [...this.rng.shuffle(rest), ...lead];
  }
}

export function countWords(text: string): number {
  let count = 0;
  for (const token of text.split(/\s+/)) if (token !== "") count++;
  return count;
}

export function blockText(block: Block): string {
  switch (block.kind) {
    case "p": return block.sentences.join(" ");
    case "h2": return block.text;
    case "ul": return block.items.join("\n");
    case "table": return [block.header, ...block.rows].map((row) => row.join(" | ")).join("\n");
    case "code": return block.code;
  }
}

/** Plain text of the blocks: blocks separated by a blank line, list items and table rows one per line. */
export function blocksToText(blocks: readonly Block[]): string {
  return blocks.map(blockText).join("\n\n");
}

export function composeTitle(pack: LanguagePack, topic: Topic, rng: Rng): string {
  return fillSlots(rng.pick(pack.titles[topic]), pack, rng);
}

function paragraph(source: SentenceSource, rng: Rng, min: number, max: number): Block {
  const sentences: string[] = [];
  const count = rng.range(min, max);
  for (let i = 0; i < count; i++) sentences.push(source.next());
  return { kind: "p", sentences };
}

/** An article of at least `targetWords` words (it stops at the first block past the target). */
export function composeArticle(pack: LanguagePack, topic: Topic, rng: Rng, targetWords: number): ComposedText {
  const title = composeTitle(pack, topic, rng);
  const source = new SentenceSource(pack, topic, rng);
  const blocks: Block[] = [paragraph(source, rng, 2, 4)];
  let words = countWords(blockText(blocks[0] as Block));
  const used = { list: false, table: false, code: false };
  const codeChance = topic === "technology" ? 0.35 : 0.06;
  while (words < targetWords) {
    const r = rng.next();
    const last = blocks[blocks.length - 1];
    let block: Block;
    if (r < 0.12 && last?.kind === "p" && words > 60) {
      block = { kind: "h2", text: rng.pick(pack.headings) };
    } else if (r < 0.2 && !used.list) {
      used.list = true;
      const items: string[] = [];
      for (let i = rng.range(3, 5); i > 0; i--) items.push(source.next());
      block = { kind: "ul", items };
    } else if (r < 0.26 && !used.table) {
      used.table = true;
      const cities = rng.shuffle([...pack.cities]).slice(0, rng.range(3, 6));
      const rows = cities.map((city) => [city, String(rng.range(1900, 2023)), String(rng.range(12, 980))]);
      block = { kind: "table", header: pack.tableHeader, rows };
    } else if (r < 0.26 + codeChance && !used.code) {
      used.code = true;
      block = { kind: "code", code: fillValues(rng.pick(CODE_SNIPPETS), pack, rng) };
    } else {
      block = paragraph(source, rng, 2, 5);
    }
    blocks.push(block);
    words += countWords(blockText(block));
  }
  if (blocks[blocks.length - 1]?.kind === "h2") blocks.push(paragraph(source, rng, 2, 3));
  return { title, blocks };
}

/** One or two sentences: too little text to be worth keeping. */
export function composeShort(pack: LanguagePack, topic: Topic, rng: Rng): ComposedText {
  const source = new SentenceSource(pack, topic, rng);
  return { title: composeTitle(pack, topic, rng), blocks: [paragraph(source, rng, 1, 2)] };
}

/** Spam in one of three styles: one line repeated, keyword stuffing, one sentence repeated. */
export function composeSpam(pack: LanguagePack, rng: Rng): ComposedText & { style: string } {
  const keywords = pack.spam.keywords;
  const title = `${rng.pick(keywords)} ${rng.pick(keywords)} ${rng.pick(keywords)} | ${rng.pick(keywords)}`;
  const style = rng.pick(["repeated_line", "keyword_stuffing", "repeated_sentence"] as const);
  const blocks: Block[] = [];
  if (style === "repeated_line") {
    const line = rng.pick(pack.spam.lines);
    for (let i = rng.range(25, 70); i > 0; i--) blocks.push({ kind: "p", sentences: [line] });
  } else if (style === "keyword_stuffing") {
    for (let p = rng.range(3, 6); p > 0; p--) {
      const words: string[] = [];
      for (let i = rng.range(40, 90); i > 0; i--) {
        words.push(rng.chance(0.15) ? rng.pick(pack.cities) : rng.pick(keywords));
      }
      blocks.push({ kind: "p", sentences: [words.join(" ")] });
    }
  } else {
    const sentence = fillSlots(rng.pick(pack.sentences[rng.pick(TOPICS)]), pack, rng);
    const repeats = rng.range(8, 15);
    for (let p = rng.range(4, 6); p > 0; p--) blocks.push({ kind: "p", sentences: Array(repeats).fill(sentence) });
  }
  return { title, blocks, style };
}
