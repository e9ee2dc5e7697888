import { readFile, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { bandHash, estimatedJaccard, MinHasher } from "../../../stages/dedup/hash.js";
import { BucketVerifier, MAX_ANCHORS, type SignatureValues } from "../../../stages/dedup/values.js";
import { tempDir } from "../../pipeline/helpers.js";
import { rng, variant, words, writeDocs, type TestDoc } from "./corpus.js";
import { fingerprint, minhashSteps, runSteps } from "./run-helpers.js";

/** The corpus the golden fingerprints below were taken from, with the code as it was before verification and index existed. */
function goldenCorpus(): TestDoc[][] {
  const random = rng(41);
  const bases = Array.from({ length: 6 }, () => words(random, 300));
  return Array.from({ length: 3 }, (_, f) =>
    Array.from({ length: 12 }, (_, d) => {
      const pick = (f * 12 + d) % 3 === 0 ? bases[(f + d) % bases.length]! : null;
      const text = pick ? variant(pick, 1 + ((f + d) % 4), random) : words(random, 200);
      return { id: `f${f}-${d}`, text: text.join(" "), meta: d % 5 === 0 ? { quality: d / 10 } : {} };
    }),
  );
}

// sha256 prefixes of the step data files, recorded before the options were added (3 bucket tasks, 1 cluster task, --workers 2).
const GOLDEN = {
  "buckets/data/00000.pairs": "045ef74d3c41b33c",
  "buckets/data/00001.pairs": "89df9a8136294709",
  "buckets/data/00002.pairs": "0f495c3f03bad8cf",
  "clusters/data/00000.clusters": "3026638283d6184e",
  "signatures/data/00000.minhash.sig": "b578ccd8ea133352",
  "signatures/data/00001.minhash.sig": "6701c4bbcc914da0",
  "signatures/data/00002.minhash.sig": "a74a0c91d93cc4a5",
};
const binaryData = (relative: string) => /^(signatures|buckets|clusters)\/data\//.test(relative) && !relative.endsWith(".values");

const PARAMS = { bands: 14, rows: 8, seed: 1, unit: "word" as const, size: 5 };
const K = PARAMS.bands * PARAMS.rows;

/**
 * 14 planted pairs, original in file 0 and copy in file 1, with 3..16 of 300 words replaced
 * (exact Jaccard of word 5-grams about 0.90 down to 0.57), among unrelated documents. Each pair's
 * estimate and whether LSH makes it a candidate are computed here with the plain-JS signature.
 */
function plantedPairs() {
  const random = rng(77);
  const hasher = new MinHasher(PARAMS, { simd: false });
  const originals: TestDoc[] = [];
  const copies: TestDoc[] = [];
  const pairs: { copy: string; estimate: number; candidate: boolean }[] = [];
  for (let i = 0; i < 14; i++) {
    const base = words(random, 300);
    const edited = variant(base, 3 + i, random);
    originals.push({ id: `o${i}`, text: base.join(" "), meta: {} });
    copies.push({ id: `c${i}`, text: edited.join(" "), meta: {} });
    const x = new Uint32Array(K);
    const y = new Uint32Array(K);
    hasher.signatureScalar(base.join(" "), x);
    hasher.signatureScalar(edited.join(" "), y);
    let candidate = false;
    for (let band = 0; band < PARAMS.bands; band++) candidate ||= bandHash(x, band, PARAMS.rows).join() === bandHash(y, band, PARAMS.rows).join();
    pairs.push({ copy: `c${i}`, estimate: estimatedJaccard(x, y), candidate });
  }
  const unique = (id: string): TestDoc => ({ id, text: words(random, 250).join(" "), meta: {} });
  return { files: [[...originals, unique("u0")], [unique("u1"), ...copies]], pairs };
}

describe("verification of candidate pairs (verifyThreshold)", () => {
  it("off (the default), signature, pair and cluster files are byte-identical to those before the option existed", async () => {
    const dir = await tempDir();
    const inputs = await writeDocs(dir, goldenCorpus());
    const plain = await runSteps(dir, "plain", minhashSteps(inputs).slice(0, 3));
    expect(await fingerprint(plain.output, binaryData)).toEqual(GOLDEN);
    // full signatures written but not used: the side files change nothing the next steps write
    const full = await runSteps(dir, "full", minhashSteps(inputs, { signatures: { fullSignatures: true } }).slice(0, 3));
    const fullPrints = await fingerprint(full.output, binaryData);
    expect(Object.entries(fullPrints).filter(([name]) => !name.startsWith("signatures/"))).toEqual(Object.entries(GOLDEN).filter(([name]) => !name.startsWith("signatures/")));
    expect((await readdir(path.join(full.output, "signatures", "data"))).filter((f) => f.endsWith(".values"))).toEqual(["00000.minhash.values", "00001.minhash.values", "00002.minhash.values"]);
    // 36 documents x (112 values + 1 check word) x 4 bytes, plus framing
    const values = await readFile(path.join(full.output, "signatures", "data", "00000.minhash.values"));
    expect(values.length).toBeGreaterThan(12 * 113 * 4);
    // verification at threshold 0 accepts every pair against the bucket's first document: the same clusters
    const zero = await runSteps(dir, "zero", minhashSteps(inputs, { signatures: { fullSignatures: true }, buckets: { verifyThreshold: 0 } }).slice(0, 3));
    expect((await fingerprint(zero.output, binaryData))["clusters/data/00000.clusters"]).toBe(GOLDEN["clusters/data/00000.clusters"]);
  });

  it("keeps a pair whose estimate equals the threshold, drops it just above, as the independently computed estimates say", async () => {
    const dir = await tempDir();
    const { files, pairs } = plantedPairs();
    const inputs = await writeDocs(dir, files);
    const candidates = pairs.filter((p) => p.candidate).sort((a, b) => a.estimate - b.estimate);
    // the corpus must exercise both sides: candidates below and at/above the threshold
    expect(candidates.length).toBeGreaterThanOrEqual(6);
    const pivot = candidates[Math.floor(candidates.length / 2)]!;
    expect(candidates[0]!.estimate).toBeLessThan(pivot.estimate);
    const expectedRemoved = (threshold: number) => pairs.filter((p) => p.candidate && p.estimate >= threshold).map((p) => p.copy).sort();
    const allIds = [...files.flat().map((d) => d.id)];
    for (const [name, threshold] of [["at", pivot.estimate], ["above", pivot.estimate + 0.5 / K]] as const) {
      const run = await runSteps(dir, name, minhashSteps(inputs, { signatures: { fullSignatures: true }, buckets: { verifyThreshold: threshold } }));
      const removed = allIds.filter((id) => !run.kept.some((d) => d.id === id)).sort();
      expect(removed).toEqual(expectedRemoved(threshold));
      expect(removed.includes(pivot.copy)).toBe(name === "at");
      const counters = run.step("buckets").counters!;
      // every band in which a pair collides compares it once
      expect(counters.pairsBelowThreshold).toBeGreaterThan(0);
      expect(counters.pairsCompared).toBeGreaterThan(counters.pairsBelowThreshold!);
    }
    // without verification every candidate is removed
    const off = await runSteps(dir, "off", minhashSteps(inputs));
    expect(allIds.filter((id) => !off.kept.some((d) => d.id === id)).sort()).toEqual(candidates.map((p) => p.copy).sort());
  });

  it("refuses to verify without full signatures, and a corrupt values record, naming the file", async () => {
    const dir = await tempDir();
    const { files, pairs } = plantedPairs();
    const inputs = await writeDocs(dir, files);
    const steps = minhashSteps(inputs, { buckets: { verifyThreshold: 0.8 } });
    await expect(runSteps(dir, "nofull", steps.slice(0, 2))).rejects.toThrow(/00000\.minhash\.sig: written without full signatures.*fullSignatures: true/);

    const full = minhashSteps(inputs, { signatures: { fullSignatures: true }, buckets: { verifyThreshold: 0.8 } });
    const { output } = await runSteps(dir, "corrupt", full.slice(0, 1));
    // a copy whose pair is a candidate sits in file 1 at position 1 + its index
    const copyPosition = 1 + pairs.findIndex((p) => p.candidate);
    const file = path.join(output, "signatures", "data", "00001.minhash.values");
    const bytes = await readFile(file);
    const headerLength = 12 + bytes.readUInt32LE(8);
    bytes[headerLength + copyPosition * (K + 1) * 4 + 17]! ^= 0x40;
    await writeFile(file, bytes);
    // same folder, one more step: the engine refuses a changed config, so the saved one goes
    await rm(path.join(output, "config.json"));
    await expect(runSteps(dir, "corrupt", full.slice(0, 2))).rejects.toThrow(new RegExp(`00001\\.minhash\\.values: check word mismatch at position ${copyPosition}`));
  });
});

/** Stand-in values: signature i of source s is given directly. */
function fakeSources(signatures: Uint32Array[][]): SignatureValues[] {
  return signatures.map((list) => ({ read: (position: number, out: Uint32Array) => out.set(list[position]!) }) as unknown as SignatureValues);
}

/** A signature of 10 values sharing `shared` leading values with `base`. */
const near = (base: number[], shared: number, salt: number) => Uint32Array.from(base.map((v, i) => (i < shared ? v : v + 1000 * salt)));

describe("BucketVerifier", () => {
  it("links a document to the first anchor it verifies against; misfits become anchors so two of them still meet", () => {
    const base = Array.from({ length: 10 }, (_, i) => i + 1);
    const x = Uint32Array.from(base);
    const y = near(base, 5, 1); // 0.5 with x
    const z = Uint32Array.from(y.map((v, i) => (i === 9 ? v + 7 : v))); // 0.9 with y, 0.5 with x
    const w = near(base, 8, 3); // 0.8 with x
    const verifier = new BucketVerifier(fakeSources([[x, y, z, w]]), 10, 0.8);
    verifier.start(0, 0, 0);
    expect(verifier.match(0, 1, 0)).toBe(-1); // y: 0.5 with x, becomes anchor 1
    expect(verifier.match(0, 2, 0)).toBe(1); // z: 0.5 with x, 0.9 with y
    expect([...verifier.anchor(1)]).toEqual([0, 1, 0]);
    expect(verifier.match(0, 3, 0)).toBe(0); // w: exactly 0.8 with x: kept
    expect([verifier.compared, verifier.belowThreshold]).toEqual([4, 2]);
  });

  it("holds at most MAX_ANCHORS anchors; later misfits stay unlinked", () => {
    const signatures = Array.from({ length: MAX_ANCHORS + 2 }, (_, i) => Uint32Array.from({ length: 10 }, (_, j) => i * 100 + j));
    signatures.push(Uint32Array.from(signatures[MAX_ANCHORS]!)); // a copy of the first misfit that found no room
    const verifier = new BucketVerifier(fakeSources([signatures]), 10, 0.5);
    verifier.start(0, 0, 0);
    for (let i = 1; i < signatures.length - 1; i++) expect(verifier.match(0, i, 0)).toBe(-1);
    expect(verifier.match(0, signatures.length - 1, 0)).toBe(-1);
    // a copy of an anchor finds it
    signatures.push(Uint32Array.from(signatures[3]!));
    expect(verifier.match(0, signatures.length - 1, 0)).toBe(3);
  });
});
