/**
 * Seeded randomness: mulberry32, a small, fast 32-bit generator whose whole state is one uint32,
 * so a checkpoint can store it and a resumed run draws exactly the numbers the uninterrupted run
 * would have drawn. Everything in Kiln that must be reproducible from a seed (data order,
 * sampling, initialisation, hash coefficients) draws from it.
 */
export class Rng {
  constructor(public state: number) {
    this.state = state >>> 0;
  }

  /** Uniform in [0, 2^32). */
  uint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 2 ** 32;
  }

  /** A fresh 31-bit seed for tfjs ops that take one (dropout). */
  seed(): number {
    return Math.floor(this.next() * 2 ** 31);
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

/** Uniform uint32s from a seed. */
export function mulberry32(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.uint32();
}

/** Uniform floats in [0, 1) from a seed. */
export function seededRandom(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.next();
}

/** Fisher–Yates, in place, drawing from `random` (uniform in [0, 1)); returns the same array. */
export function shuffle<A extends { length: number; [i: number]: unknown }>(items: A, random: () => number): A {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
  return items;
}

/** A permutation of 0..n-1 from a seed; the data order of one epoch. */
export function seededPermutation(n: number, seed: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return shuffle(order, seededRandom(seed));
}

/**
 * One 32-bit seed from several integers (murmur3's finaliser folded over them), so orders keyed
 * by (seed, epoch) and (seed, epoch, shard) do not collide the way `seed + epoch` sums would.
 */
export function mixSeed(...values: number[]): number {
  let hash = 0x9e3779b9;
  for (const value of values) {
    hash = Math.imul(hash ^ (value >>> 0), 0x85ebca6b);
    hash ^= hash >>> 13;
    hash = Math.imul(hash, 0xc2b2ae35);
    hash ^= hash >>> 16;
  }
  return hash >>> 0;
}
