/** A uniform sample of a stream of scores in bounded memory, and the top-p% cut-off taken from it. */

/** Vitter's algorithm R: after n additions each score is in the sample with probability capacity / n. */
export class ScoreReservoir {
  private readonly sample: Float64Array;
  private size = 0;
  seen = 0;

  constructor(
    readonly capacity: number,
    private readonly random: () => number,
  ) {
    this.sample = new Float64Array(capacity);
  }

  add(score: number): void {
    this.seen++;
    if (this.size < this.capacity) this.sample[this.size++] = score;
    else {
      const slot = Math.floor(this.random() * this.seen);
      if (slot < this.capacity) this.sample[slot] = score;
    }
  }

  /** The sampled scores, sorted ascending (a copy). */
  sorted(): Float64Array {
    return this.sample.slice(0, this.size).sort();
  }
}

/**
 * The smallest score a document needs to be in the top `percent`% of `sortedScores` (ascending):
 * the value at rank floor(n * (1 - percent/100)). With distinct scores exactly that share of the
 * sample is >= it; tied scores at the cut-off are all kept. Infinity (keep nothing) for an empty sample.
 */
export function topPercentCutoff(sortedScores: ArrayLike<number>, percent: number): number {
  const n = sortedScores.length;
  if (n === 0) return Infinity;
  if (percent >= 100) return -Infinity;
  const rank = Math.min(n - 1, Math.floor(n * (1 - percent / 100)));
  return sortedScores[rank]!;
}
