/**
 * A seeded generator whose whole state is one uint32, so a checkpoint can store it and a resumed
 * run draws exactly the numbers the uninterrupted run would have drawn (mulberry32).
 */
export class Rng {
  constructor(public state: number) {
    this.state = state >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
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

/** Fisher–Yates permutation of 0..n-1 from a seed; the data order of one epoch. */
export function seededPermutation(n: number, seed: number): Uint32Array {
  const rng = new Rng(seed);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const tmp = order[i]!;
    order[i] = order[j]!;
    order[j] = tmp;
  }
  return order;
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
