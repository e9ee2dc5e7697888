import { readdir } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { addEdge, EDGE_WORDS, qualityKey, readStars, starForest } from "../../../stages/dedup/components.js";
import { RecordSorter } from "../../../stages/dedup/sort.js";
import { tempDir } from "../../pipeline/helpers.js";
import { rng } from "./corpus.js";

const bits = (x: number) => new Uint32Array(new Float32Array([x]).buffer)[0]!;

describe("qualityKey", () => {
  it("sorts higher quality first, every number before no quality, -0 as 0", () => {
    const values = [Infinity, 3.5, 1, 0.5, 0, -0.25, -1, -Infinity];
    const keys = values.map((v) => qualityKey(bits(v)));
    for (let i = 1; i < keys.length; i++) expect(keys[i]!).toBeGreaterThan(keys[i - 1]!);
    expect(qualityKey(0x7fc00000)).toBe(0xffffffff);
    expect(qualityKey(0x7fc00000)).toBeGreaterThan(keys.at(-1)!);
    expect(qualityKey(bits(-0))).toBe(qualityKey(bits(0)));
  });
});

interface Node {
  quality: number;
  rank: number;
  position: number;
}

/** Independent answer: components by BFS; representative by (quality desc, no quality last, rank, position). */
function expected(nodes: Node[], edges: [number, number][]) {
  const adjacent = nodes.map(() => [] as number[]);
  for (const [a, b] of edges) {
    adjacent[a]!.push(b);
    adjacent[b]!.push(a);
  }
  const better = (x: Node, y: Node) => {
    const qx = Number.isNaN(x.quality) ? -Infinity : x.quality;
    const qy = Number.isNaN(y.quality) ? -Infinity : y.quality;
    if (qx !== qy) return qx > qy;
    if (Number.isNaN(x.quality) !== Number.isNaN(y.quality)) return !Number.isNaN(x.quality);
    return x.rank !== y.rank ? x.rank < y.rank : x.position < y.position;
  };
  const representative = new Map<string, { rep: string; size: number }>();
  const seen = new Set<number>();
  for (let start = 0; start < nodes.length; start++) {
    if (seen.has(start) || adjacent[start]!.length === 0) continue;
    const component = [start];
    seen.add(start);
    for (let i = 0; i < component.length; i++) {
      for (const next of adjacent[component[i]!]!) {
        if (seen.has(next)) continue;
        seen.add(next);
        component.push(next);
      }
    }
    let best = component[0]!;
    for (const c of component) if (better(nodes[c]!, nodes[best]!)) best = c;
    const key = (n: number) => `${nodes[n]!.rank}-${nodes[n]!.position}`;
    for (const c of component) representative.set(key(c), { rep: key(best), size: component.length });
  }
  return representative;
}

async function components(dir: string, nodes: Node[], edges: [number, number][], buffer: number) {
  let sorters = 0;
  const make = (label: string) => new RecordSorter(path.join(dir, `00000.tmp-${label}-${sorters++}`), { words: EDGE_WORDS, maxRecords: buffer });
  const input = make("in");
  const word = (n: Node) => [qualityKey(bits(n.quality)), n.rank, n.position];
  for (const [a, b] of edges) {
    const pending = addEdge(input, word(nodes[a]!), 0, word(nodes[b]!), 0);
    if (pending) await pending;
  }
  const { forest, rounds } = await starForest(input, make, () => undefined);
  const found = new Map<string, { rep: string; size: number }>();
  const sizes = new Map<string, number>();
  const leaves: [string, string][] = [];
  await readStars(
    forest,
    (node, centre, at) => void leaves.push([`${node[1]}-${node[2]}`, `${centre[at + 1]}-${centre[at + 2]}`]),
    (node, size) => void sizes.set(`${node[1]}-${node[2]}`, size),
  );
  for (const [leaf, centre] of leaves) found.set(leaf, { rep: centre, size: sizes.get(centre)! });
  for (const [centre, size] of sizes) found.set(centre, { rep: centre, size });
  return { found, rounds };
}

describe("RecordSorter", () => {
  it("sorts 3-word records word by word, with > 64 spilled runs merged in groups, like Array.sort", async () => {
    const random = rng(5);
    const records = Array.from({ length: 7000 }, () => [Math.floor(random() * 3), Math.floor(random() * 2 ** 32), Math.floor(random() * 70000)]);
    const sorter = new RecordSorter(path.join(await tempDir(), "00000.tmp-t"), { words: 3, maxRecords: 100 });
    for (const r of records) await sorter.add(r);
    const out: number[][] = [];
    await sorter.forEachSorted((w, at) => void out.push([w[at]!, w[at + 1]!, w[at + 2]!]));
    records.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!);
    expect(out).toEqual(records);
  });
});

describe("external connected components (large-star / small-star)", () => {
  it("matches BFS on a random graph with chains, stars and qualities, in memory and spilled to disk", async () => {
    const random = rng(11);
    const nodes: Node[] = Array.from({ length: 3000 }, (_, i) => ({
      quality: random() < 0.3 ? Math.round(random() * 20) / 4 : Number.NaN,
      rank: Math.floor(random() * 5),
      position: i,
    }));
    const edges: [number, number][] = [];
    // a 400-node path (many rounds for label propagation), a 300-leaf star, and random sparse edges
    for (let i = 0; i < 399; i++) edges.push([i, i + 1]);
    for (let i = 401; i < 701; i++) edges.push([400, i]);
    for (let i = 0; i < 1500; i++) {
      const a = 800 + Math.floor(random() * 2200);
      const b = 800 + Math.floor(random() * 2200);
      if (a !== b) edges.push([a, b]);
    }
    const clean = [...edges];
    // the same pair repeated (as by several bands) changes nothing
    clean.push(...clean.slice(0, 100));
    const truth = expected(nodes, clean);
    const dir = await tempDir();
    const inMemory = await components(dir, nodes, clean, 1_000_000);
    const spilled = await components(dir, nodes, clean, 100);
    expect(inMemory.found.size).toBe(truth.size);
    expect(Object.fromEntries(inMemory.found)).toEqual(Object.fromEntries(truth));
    expect(Object.fromEntries(spilled.found)).toEqual(Object.fromEntries(truth));
    expect(inMemory.rounds).toBeLessThan(20);
    // every run file was removed
    expect((await readdir(dir)).filter((f) => f.includes("-run"))).toEqual([]);
  });

  it("a graph without edges gives no clusters", async () => {
    const { found, rounds } = await components(await tempDir(), [], [], 100);
    expect(found.size).toBe(0);
    expect(rounds).toBe(1);
  });
});
