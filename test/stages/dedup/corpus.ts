/** Texts with known overlaps for the dedup tests: random word salad, and variants with a few words replaced. */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";

export { seededRandom as rng } from "../../../core/random.js";

const syllables = ["ka", "lo", "mi", "te", "ra", "sun", "ber", "gol", "in", "tri", "an", "de", "vo", "ple", "xis", "or", "ma", "qua", "zen", "ti"];

export function words(random: () => number, n: number): string[] {
  return Array.from({ length: n }, () => Array.from({ length: 2 + Math.floor(random() * 3) }, () => syllables[Math.floor(random() * syllables.length)]).join(""));
}

/** `base` with `edits` words replaced by fresh ones, spread out so each breaks its own shingles. */
export function variant(base: string[], edits: number, random: () => number): string[] {
  const copy = [...base];
  for (let e = 0; e < edits; e++) copy[Math.floor(((e + 0.5) / edits) * copy.length)] = "zz" + words(random, 1)[0];
  return copy;
}

export interface TestDoc {
  id: string;
  text: string;
  url?: string;
  meta: Record<string, unknown>;
}

export async function writeDocs(dir: string, files: TestDoc[][]): Promise<string> {
  for (const [i, docs] of files.entries()) {
    await writeFile(path.join(dir, `input-${String(i).padStart(3, "0")}.jsonl.gz`), gzipSync(docs.map((d) => JSON.stringify(d)).join("\n") + "\n"));
  }
  return path.join(dir, "input-*.jsonl.gz");
}
