import { describe, expect, it } from "vitest";
import type { Doc, TaskContext } from "../../../pipeline/doc.js";
import { getSpec } from "../../../pipeline/registry.js";
import "../../../stages/extract/index.js";
import { NEWS_ARTICLE, NEWS_ARTICLE_TEXT, NO_CONTENT_PAGE } from "./fixtures.js";

async function runExtract(docs: Doc[], params: Record<string, unknown> = {}) {
  const spec = getSpec("stage", "extract");
  const stage = spec.create(spec.params.parse(params));
  const drops: { id: string; reason: string }[] = [];
  const ctx: TaskContext = {
    rank: 0, world: 1, step: "test",
    stepDataDir: (step) => `/nonexistent/${step}`,
    skip: () => {},
    drop: (doc, _stage, reason) => drops.push({ id: doc.id, reason }),
    log: () => {},
  };
  async function* input() {
    yield* docs;
  }
  const kept: Doc[] = [];
  for await (const doc of stage.run(input(), ctx)) kept.push(doc);
  return { kept, drops };
}

describe("extract stage", () => {
  it("publishes its defaults", () => {
    expect(getSpec("stage", "extract").params.parse({})).toEqual({ maxBytes: 10_000_000, maxWork: 10_000_000, timeoutMs: 0, maxDepth: 256 });
  });

  it("replaces HTML with text, writes title and htmlLang, keeps the rest of meta", async () => {
    const { kept, drops } = await runExtract([{ id: "a", url: "https://example.org/otters", text: NEWS_ARTICLE, meta: { crawl: "CC-MAIN-2024-22" } }]);
    expect(drops).toEqual([]);
    expect(kept).toEqual([
      {
        id: "a", url: "https://example.org/otters", text: NEWS_ARTICLE_TEXT,
        meta: { crawl: "CC-MAIN-2024-22", extracted: "html", title: "River Otters Return | Daily Example", htmlLang: "en-GB" },
      },
    ]);
  });

  it("passes WET documents through unchanged", async () => {
    const wet: Doc = { id: "w", text: "Already plain text.\n<p>not HTML to parse</p>", meta: { extracted: "wet" } };
    const { kept } = await runExtract([wet]);
    expect(kept).toEqual([wet]);
  });

  it("counts drops by reason: no_content, too_large", async () => {
    const { kept, drops } = await runExtract(
      [
        { id: "empty", text: NO_CONTENT_PAGE, meta: {} },
        { id: "big", text: NEWS_ARTICLE, meta: {} },
        { id: "ok", text: "<p>A short page, but a page with one real sentence of text in it.</p>", meta: {} },
      ],
      { maxBytes: 1000 },
    );
    expect(drops).toEqual([{ id: "empty", reason: "no_content" }, { id: "big", reason: "too_large" }]);
    expect(kept.map((d) => [d.id, d.text])).toEqual([["ok", "A short page, but a page with one real sentence of text in it."]]);
  });
});
