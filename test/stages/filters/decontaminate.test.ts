/**
 * Decontamination on planted overlaps: documents of random words from a 600-word vocabulary (a
 * chance 13-word match is out of reach), some carrying a 13-word span of an evaluation item
 * (recased, punctuated, split over lines), some a 12-word span (too short to count). Every
 * planted document is found, with the right task, and no other.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Doc } from "../../../pipeline/doc.js";
import { seededRandom } from "../../../core/random.js";
import "../../../stages/filters/index.js";
import { buildContaminationIndex, contaminationHits } from "../../../stages/filters/decontaminate.js";
import { makeStage, recordingContext, runStage } from "./helpers.js";

const random = seededRandom(11);
const syllables = ["ka", "lo", "mi", "ren", "tu", "sa", "vor", "el", "qui", "dan", "po", "zi"];
const vocabulary = Array.from({ length: 600 }, (_, i) => syllables[i % 12]! + syllables[Math.floor(i / 12) % 12]! + syllables[Math.floor(i / 144)]!);
const words = (count: number) => Array.from({ length: count }, () => vocabulary[Math.floor(random() * vocabulary.length)]!);

// Two tasks of 15 items of 30 words; a third item set of short items.
const quiz = Array.from({ length: 15 }, () => words(30));
const capitals = Array.from({ length: 15 }, () => words(30));

/** A span as a document might carry it: mixed case, punctuation between words, a line break. */
const disguise = (span: string[]) => span.map((w, i) => (i % 3 === 0 ? w.toUpperCase() : w) + (i % 4 === 1 ? "," : "") + (i === 6 ? "\n" : "")).join(" ");

let dir: string;
let registry: string;
const planted13 = new Map<string, string>();
const planted12 = new Set<string>();
const docs: Doc[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "kiln-decont-"));
  const mc = quiz.map((w) => ({ context: w.slice(0, 25).join(" ") + "?", choices: [" " + w.slice(25).join(" "), " wrong answer here"], answer: 0 }));
  const gen = capitals.map((w) => ({ prompt: w.slice(0, 20).join(" "), answer: w.slice(20).join(" ") }));
  const short = [{ text: "alpha beta gamma delta epsilon zeta eta theta iota" }, { text: "too short to index" }];
  await writeFile(path.join(dir, "quiz.jsonl"), mc.map((x) => JSON.stringify(x)).join("\n"));
  await writeFile(path.join(dir, "capitals.jsonl"), gen.map((x) => JSON.stringify(x)).join("\n"));
  await writeFile(path.join(dir, "short.jsonl"), short.map((x) => JSON.stringify(x)).join("\n"));
  registry = path.join(dir, "tasks.yaml");
  await writeFile(
    registry,
    "tasks:\n  - { name: quiz, kind: multiple_choice, path: quiz.jsonl }\n  - { name: capitals, kind: generation, path: capitals.jsonl }\n  - { name: short, kind: language_modeling, path: short.jsonl }\n",
  );
  for (let i = 0; i < 200; i++) {
    const body = words(300);
    const id = `doc-${i}`;
    if (i % 5 === 0) {
      // A 13-word span of an item, across the context/answer seam for the quiz items.
      const task = i % 10 === 0 ? "quiz" : "capitals";
      const item = (task === "quiz" ? quiz : capitals)[i % 15]!;
      const start = task === "quiz" ? 15 : (i * 7) % 17;
      body.splice(100, 0, disguise(item.slice(start, start + 13)));
      planted13.set(id, task);
    } else if (i % 5 === 1) {
      const item = quiz[i % 15]!;
      body.splice(50, 0, item.slice(3, 15).join(" "), "unrelated", item.slice(16, 28).join(" "));
      planted12.add(id);
    } else if (i === 7) {
      body.splice(10, 0, "Alpha, beta; gamma delta EPSILON zeta eta theta iota!");
      planted13.set(id, "short");
    }
    docs.push({ id, text: body.join(" "), meta: {} });
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("decontaminate", () => {
  it("marks every document with a planted 13-gram, by task, and no other", async () => {
    const ctx = recordingContext();
    const out = await runStage(makeStage("decontaminate", { tasks: registry, action: "mark" }), docs, ctx);
    expect(out).toHaveLength(docs.length);
    const marked = new Map(out.filter((d) => d.meta.contamination).map((d) => [d.id, Object.keys(d.meta.contamination as object)]));
    expect(new Set(marked.keys())).toEqual(new Set(planted13.keys()));
    for (const [id, task] of planted13) expect(marked.get(id)).toEqual([task]);
    for (const id of planted12) expect(marked.has(id)).toBe(false);
    expect(ctx.skips["marked:quiz"]).toBe(20);
    expect(ctx.skips["marked:capitals"]).toBe(20);
    expect(ctx.skips["marked:short"]).toBe(1);
    expect(ctx.skips["item_too_short:short"]).toBe(1);
  });

  it("drops them with the task in the reason", async () => {
    const ctx = recordingContext();
    const out = await runStage(makeStage("decontaminate", { tasks: registry }), docs, ctx);
    expect(out).toHaveLength(docs.length - planted13.size);
    expect(new Map(ctx.drops)).toEqual(new Map([...planted13].map(([id, task]) => [id, `decontaminate:${task}`])));
  });

  it("counts each matching window: a span of 13 + k words is k + 1 n-grams", () => {
    const item = words(40);
    const built = buildContaminationIndex([{ name: "t", texts: [item.join(" ")] }], 13, 8);
    expect(contaminationHits(`x y ${item.slice(5, 20).join(" ")} z`, built)).toEqual(new Map([[0, 3]]));
    expect(contaminationHits(item.slice(5, 17).join(" "), built).size).toBe(0);
  });

  it("matches across case (folded: ß = SS), punctuation, spacing, and per character in scripts without spaces", () => {
    const built = buildContaminationIndex([{ name: "t", texts: ["Die Straße nach Köln ist im Winter oft gesperrt, sagt man", "我们今天去北京大学看看"] }], 10, 8);
    expect(contaminationHits("...DIE STRASSE nach köln — ist im\nWINTER oft gesperrt!! SAGT", built)).toEqual(new Map([[0, 1]]));
    expect(contaminationHits("他说我们今天去北京大学看看吧", built)).toEqual(new Map([[0, 2]]));
    expect(contaminationHits("Die Strasse nach Bonn ist im Winter oft gesperrt", built).size).toBe(0);
  });

  it("refuses a registry with nothing long enough to match", async () => {
    await writeFile(path.join(dir, "tiny.jsonl"), JSON.stringify({ text: "two words" }));
    await writeFile(path.join(dir, "tiny.yaml"), "tasks:\n  - { name: tiny, kind: language_modeling, path: tiny.jsonl }\n");
    await expect(runStage(makeStage("decontaminate", { tasks: path.join(dir, "tiny.yaml") }), docs.slice(0, 1), recordingContext())).rejects.toThrow(/nothing to match/);
  });
});
