/**
 * `kiln ablate` end to end on variants we write: one variant is text of the held-out kind (a small
 * set of sentences, repeated with variations), the other is the same sentences scrambled into
 * random letter strings. The first must score better on the held-out sentences, the report must
 * carry every metric, and a second run must reuse every finished piece.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAblation } from "../../bin/ablate.js";
import { seededRandom } from "../../core/random.js";
import { selectBackend } from "../../trainer/backend.js";

let dir: string;
beforeAll(async () => {
  await selectBackend("cpu");
  dir = await mkdtemp(path.join(os.tmpdir(), "kiln-ablate-"));
  const random = seededRandom(5);
  const subjects = ["the cat", "a dog", "my neighbour", "the old farmer", "our teacher"];
  const verbs = ["walks to", "looks at", "paints", "builds", "remembers"];
  const objects = ["the river", "a small house", "the market", "a red boat", "the garden"];
  const pick = (list: string[]) => list[Math.floor(random() * list.length)]!;
  const sentence = () => `${pick(subjects)} ${pick(verbs)} ${pick(objects)}.`;
  const doc = (n: number) => Array.from({ length: n }, sentence).join(" ");
  const scramble = (text: string) => text.replace(/[a-z]/g, () => String.fromCharCode(97 + Math.floor(random() * 26)));
  const jsonl = (texts: string[]) => texts.map((text, i) => JSON.stringify({ id: String(i), text, meta: { language: "en" } })).join("\n") + "\n";
  await writeFile(path.join(dir, "clean.jsonl"), jsonl(Array.from({ length: 60 }, () => doc(12))));
  await writeFile(path.join(dir, "noisy.jsonl"), jsonl(Array.from({ length: 60 }, () => scramble(doc(12)))));
  await writeFile(path.join(dir, "heldout.jsonl"), jsonl(Array.from({ length: 10 }, () => doc(8))));
  await writeFile(
    path.join(dir, "ablation.yaml"),
    [
      "out: out",
      "variants:",
      "  - { name: noisy, documents: noisy.jsonl }",
      "  - { name: clean, documents: clean.jsonl }",
      "tokenizer: { vocabSize: 300 }",
      "tokens: 12000",
      "model: { layers: 1, heads: 2, width: 32, blockSize: 32 }",
      "train: { batchSize: 8, lr: 0.01, warmup: 5, evaluations: 4 }",
      "seeds: [1, 2]",
      "eval: { heldOut: { sentences: heldout.jsonl } }",
      "",
    ].join("\n"),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("kiln ablate", () => {
  it("trains each variant with each seed and reports the difference with its interval", async () => {
    const lines: string[] = [];
    const { report, json } = await runAblation(path.join(dir, "ablation.yaml"), [], (line) => lines.push(line));
    expect(lines.filter((l) => l.startsWith("training "))).toHaveLength(4);
    const metrics = (json as { metrics: Record<string, Record<string, { mean: number; values: number[] } & { difference?: number; interval?: [number, number]; p?: number }>> }).metrics;
    const bpb = metrics["bits per byte: sentences"]!;
    expect(bpb.clean!.values).toHaveLength(2);
    const difference = bpb["clean - noisy"] as unknown as { difference: number; interval: [number, number]; p: number };
    expect(difference.difference).toBeLessThan(0);
    expect(difference.interval[0]).toBeLessThanOrEqual(difference.difference);
    expect(difference.interval[1]).toBeGreaterThanOrEqual(difference.difference);
    expect(Object.keys(metrics)).toEqual(["validation loss (all held-out)", "bits per byte: sentences", expect.stringMatching(/^tokens to reach validation loss/)]);
    expect(report).toMatch(/\| clean \| \d+ \| 12000 \| en \d+ \|/);
    const out = path.join(dir, "out");
    for (const file of ["report.md", "report.json", "loss.svg"]) await stat(path.join(out, file));
    expect((await readFile(path.join(out, "loss.svg"), "utf8")).match(/<polyline/g)).toHaveLength(4);
  });

  it("reuses every finished piece when run again", async () => {
    const lines: string[] = [];
    const before = (await stat(path.join(dir, "out", "runs", "clean-s1", "result.json"))).mtimeMs;
    const { json } = await runAblation(path.join(dir, "ablation.yaml"), [], (line) => lines.push(line));
    expect(lines.filter((l) => l.startsWith("training ") || l.startsWith("tokenizer:"))).toEqual([]);
    expect((await stat(path.join(dir, "out", "runs", "clean-s1", "result.json"))).mtimeMs).toBe(before);
    expect((json as { metrics: object }).metrics).toHaveProperty(["bits per byte: sentences"]);
  });

  it("refuses unknown keys and a single variant", async () => {
    await writeFile(path.join(dir, "bad.yaml"), "out: o\nvariants: [{ name: a, documents: clean.jsonl }]\ntokens: 10\neval: { heldOut: { s: heldout.jsonl } }\n");
    await expect(runAblation(path.join(dir, "bad.yaml"), [], () => {})).rejects.toThrow(/variants/);
    await writeFile(path.join(dir, "bad2.yaml"), "out: o\nvariants: [{ name: a, documents: x }, { name: b, documents: y }]\ntokens: 10\nepochs: 2\neval: { heldOut: { s: heldout.jsonl } }\n");
    await expect(runAblation(path.join(dir, "bad2.yaml"), [], () => {})).rejects.toThrow(/epochs/);
  });
});
