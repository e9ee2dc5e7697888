/**
 * Connected components of a graph too large for memory, as sorted edge files: the alternating
 * large-star / small-star algorithm of Kiveris et al., "Connected Components in MapReduce and
 * Beyond" (SoCC 2014). Each half-round is one external sort of the edge list plus one streaming
 * pass over it; the rounds needed grow with log(component size), not with the corpus.
 *
 * A node is 3 words, (quality key, rank, position), and nodes are compared word by word, so the
 * smallest node of a component is its representative: the highest quality, then the lowest
 * (rank, position). At the fixed point every component is a star centred on that node.
 *
 * Edges are kept in both directions, sorted by (node, neighbour), so a node's smallest neighbour is
 * the first record of its group: no group is ever held in memory, however large.
 */
import { compareWords, type RecordSorter } from "./sort.js";

export const NODE_WORDS = 3;
export const EDGE_WORDS = 2 * NODE_WORDS;

/**
 * The first node word: float32 quality bits mapped so that a higher quality sorts first; no
 * quality (NaN bits) sorts last, after every number.
 */
export function qualityKey(bits: number): number {
  const b = bits >>> 0;
  if ((b & 0x7f800000) === 0x7f800000 && (b & 0x007fffff) !== 0) return 0xffffffff;
  const positive = b === 0x80000000 ? 0 : b; // -0 ranks as 0
  const ascending = positive & 0x80000000 ? ~positive >>> 0 : (positive | 0x80000000) >>> 0;
  return ~ascending >>> 0;
}

const forward = new Uint32Array(EDGE_WORDS);
const backward = new Uint32Array(EDGE_WORDS);

/** Adds the undirected edge {x, y} as (x, y) and (y, x); a promise only when the sorter spilled. */
export function addEdge(sorter: RecordSorter, x: ArrayLike<number>, xi: number, y: ArrayLike<number>, yi: number): void | Promise<void> {
  for (let k = 0; k < NODE_WORDS; k++) {
    forward[k] = backward[NODE_WORDS + k] = x[xi + k]!;
    forward[NODE_WORDS + k] = backward[k] = y[yi + k]!;
  }
  const first = sorter.add(forward);
  if (first) return first.then(() => sorter.add(backward));
  return sorter.add(backward);
}

/**
 * Walks a sorted edge list group by group, skipping repeated edges. `visit(u, v, first)` gets the
 * group's node u (in `node`), the neighbour v at words[at..], and whether v is u's smallest neighbour.
 */
async function forEachEdge(
  input: RecordSorter,
  visit: (node: Uint32Array, words: Uint32Array, at: number, first: boolean) => void | Promise<void>,
  groupEnd?: (node: Uint32Array) => void | Promise<void>,
): Promise<void> {
  const previous = new Uint32Array(EDGE_WORDS);
  const node = new Uint32Array(NODE_WORDS);
  let any = false;
  await input.forEachSorted((w, at) => {
    if (any && compareWords(w, at, previous, 0, EDGE_WORDS) === 0) return;
    const first = !any || compareWords(w, at, previous, 0, NODE_WORDS) !== 0;
    let pending: void | Promise<void> = undefined;
    if (first && any && groupEnd) pending = groupEnd(node);
    previous.set(w.subarray(at, at + EDGE_WORDS));
    const run = () => {
      if (first) node.set(previous.subarray(0, NODE_WORDS));
      return visit(node, previous, NODE_WORDS, first);
    };
    any = true;
    return pending ? pending.then(run) : run();
  });
  if (any && groupEnd) await groupEnd(node);
}

/** m(u): u or its smallest neighbour, whichever is smaller. */
function minOf(node: Uint32Array, words: Uint32Array, at: number, into: Uint32Array): void {
  into.set(compareWords(words, at, node, 0, NODE_WORDS) < 0 ? words.subarray(at, at + NODE_WORDS) : node);
}

/** Large-star: every neighbour v > u is linked to m(u). Returns the number of edges that moved. */
export async function largeStar(input: RecordSorter, output: RecordSorter): Promise<number> {
  const smallest = new Uint32Array(NODE_WORDS);
  let isOwnMin = true;
  let moved = 0;
  await forEachEdge(input, (node, w, at, first) => {
    if (first) {
      minOf(node, w, at, smallest);
      isOwnMin = compareWords(smallest, 0, node, 0, NODE_WORDS) === 0;
    }
    if (compareWords(w, at, node, 0, NODE_WORDS) <= 0) return;
    if (!isOwnMin) moved++;
    return addEdge(output, w, at, smallest, 0);
  });
  return moved;
}

/** Small-star: u and every neighbour v < u are linked to m(u). Returns the number of edges that moved. */
export async function smallStar(input: RecordSorter, output: RecordSorter): Promise<number> {
  const smallest = new Uint32Array(NODE_WORDS);
  let moved = 0;
  await forEachEdge(input, (node, w, at, first) => {
    if (first) minOf(node, w, at, smallest);
    if (compareWords(w, at, node, 0, NODE_WORDS) >= 0) return;
    // The group's first neighbour below u is m(u) itself: keep the edge (u, m(u)) once.
    if (first) return addEdge(output, node, 0, smallest, 0);
    moved++;
    return addEdge(output, w, at, smallest, 0);
  });
  return moved;
}

/**
 * Alternates large-star and small-star until neither moves an edge: then every component is a star
 * whose centre is its smallest node. `input` holds the edges in both directions; `nextSorter`
 * makes an empty sorter for each half-round. Returns the star forest (both directions).
 */
export async function starForest(
  input: RecordSorter,
  nextSorter: (label: string) => RecordSorter,
  log: (message: string) => void,
): Promise<{ forest: RecordSorter; rounds: number }> {
  let current = input;
  for (let round = 1; ; round++) {
    const large = nextSorter(`r${round}l`);
    const movedLarge = await largeStar(current, large);
    current = large;
    const small = nextSorter(`r${round}s`);
    const movedSmall = await smallStar(current, small);
    current = small;
    log(`components round ${round}: ${current.added / 2} edges, ${movedLarge} moved by large-star, ${movedSmall} by small-star`);
    if (movedLarge === 0 && movedSmall === 0) return { forest: current, rounds: round };
  }
}

/**
 * Reads a star forest: `leaf(node, centre)` for every node but the centres, `centre(node, size)`
 * for every centre with the size of its component.
 */
export async function readStars(
  forest: RecordSorter,
  leaf: (node: Uint32Array, centre: Uint32Array, at: number) => void | Promise<void>,
  centre: (node: Uint32Array, size: number) => void | Promise<void>,
): Promise<void> {
  let isLeaf = false;
  let size = 0;
  await forEachEdge(
    forest,
    (node, w, at, first) => {
      if (first) {
        isLeaf = compareWords(w, at, node, 0, NODE_WORDS) < 0;
        size = 1;
        if (isLeaf) return leaf(node, w, at);
      }
      if (isLeaf) throw new Error("components: not a star forest (a leaf with two neighbours)");
      size++;
    },
    (node) => (isLeaf ? undefined : centre(node, size)),
  );
}
