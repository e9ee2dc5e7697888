/**
 * `decontaminate`: drops (or marks) training documents that share a word n-gram with an item of
 * an evaluation task, so a benchmark's answers do not leak into the data a model learns from
 * (GPT-3's and datatrove's 13-gram rule).
 *
 * Words are runs of letters, marks and digits, case-folded ("Straße" = "STRASSE"), punctuation
 * and spacing ignored; in a
 * script written without spaces each character is a word. An item's text (multiple choice: the
 * context and the right choice; generation: the prompt and the answer; language modelling: the
 * text) gives every n-gram of its words; an item shorter than n words gives its whole word
 * sequence if it has at least `minItemWords`, and is left out (and counted) otherwise.
 *
 * The index holds hashes, not strings: each word hashes to 32 bits, and an n-gram to two 32-bit
 * polynomial hashes of its words (64 bits, updated in O(1) as the window slides), in an open-
 * addressing table with the tasks each n-gram came from. A document is read once; each window of
 * each indexed length is looked up.
 */
import { z } from "zod";
import { type Doc, type Stage, register } from "../../pipeline/index.js";
import { KilnError, itemTexts, loadEvalTasks, fmix32, FNV_OFFSET, FNV_PRIME } from "../../core/index.js";
import { wordCharKind } from "./text.js";

// Module-level copies: V8 folds a module's own constants into hot loops, not imported bindings.
const OFFSET = FNV_OFFSET;
const PRIME = FNV_PRIME;

export const decontaminateParams = z.object({
  tasks: z.string().describe("the evaluation task registry (tasks.yaml, as `kiln eval --tasks` reads it)"),
  n: z.number().int().min(1).default(13).describe("words per n-gram (13, as GPT-3 and datatrove)"),
  minItemWords: z.number().int().min(1).default(8).describe("an item shorter than n words is matched whole if it has at least this many words; shorter items are left out"),
  action: z.enum(["drop", "mark"]).default("drop").describe("drop contaminated documents (reason decontaminate:<task>), or keep them with meta.contamination = { task: matching n-grams }"),
});
export type DecontaminateParams = z.output<typeof decontaminateParams>;

const B1 = 0x9e3779b1;
const B2 = 0x85ebca77;

let foldTable: Uint16Array | undefined;
const multiUnitFolds = new Map<number, string>();

/**
 * Adds the case-folded form of one code unit to an FNV-1a hash: its lowercase after uppercasing,
 * so "ß" and "SS" both fold to "ss" and "ς" to "σ" (a table built once).
 */
function foldInto(hash: number, code: number): number {
  if (code < 128) return Math.imul(hash ^ (code >= 65 && code <= 90 ? code | 32 : code), PRIME);
  if (!foldTable) {
    foldTable = new Uint16Array(65536);
    for (let c = 0; c < 65536; c++) {
      const folded = c >= 0xd800 && c <= 0xdfff ? String.fromCharCode(c) : String.fromCharCode(c).toUpperCase().toLowerCase();
      if (folded.length === 1) foldTable[c] = folded.charCodeAt(0);
      else multiUnitFolds.set(c, folded);
    }
  }
  const folded = foldTable[code]!;
  if (folded !== 0 || code === 0) return Math.imul(hash ^ folded, PRIME);
  for (const unit of multiUnitFolds.get(code)!) hash = Math.imul(hash ^ unit.charCodeAt(0), PRIME);
  return hash;
}

/** Calls `visit` with the hash of each word of `text`, in order. */
export function forEachWordHash(text: string, visit: (hash: number) => void): void {
  const n = text.length;
  let hash = OFFSET;
  let inWord = false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    const kind = c < 128 ? ((c | 32) >= 97 && (c | 32) <= 122) || (c >= 48 && c <= 57) ? 1 : 0 : wordCharKind(c);
    if (kind === 1) {
      hash = foldInto(hash, c);
      inWord = true;
      continue;
    }
    if (inWord) {
      visit(fmix32(hash));
      hash = OFFSET;
      inWord = false;
    }
    if (kind === 2) visit(fmix32(foldInto(OFFSET, c)));
  }
  if (inWord) visit(fmix32(hash));
}

/** B^k mod 2^32, the factor that removes the word leaving a window of k words. */
function power(base: number, k: number): number {
  let p = 1;
  for (let i = 0; i < k; i++) p = Math.imul(p, base);
  return p;
}

/**
 * Rolling n-gram hashes over a stream of word hashes: after `push`, `full` says whether the last
 * `length` words make a window, and `h1`, `h2` are its hashes.
 */
class Window {
  private readonly ring: Uint32Array;
  private readonly drop1: number;
  private readonly drop2: number;
  private count = 0;
  h1 = 0;
  h2 = 0;
  constructor(readonly length: number) {
    this.ring = new Uint32Array(length);
    this.drop1 = power(B1, length);
    this.drop2 = power(B2, length);
  }
  reset(): void {
    this.count = 0;
    this.h1 = 0;
    this.h2 = 0;
  }
  push(word: number): boolean {
    const slot = this.count % this.length;
    const leaving = this.ring[slot]!;
    this.ring[slot] = word;
    this.h1 = (Math.imul(this.h1, B1) + word) | 0;
    this.h2 = (Math.imul(this.h2, B2) + (word ^ 0x5bd1e995)) | 0;
    if (this.count >= this.length) {
      this.h1 = (this.h1 - Math.imul(leaving, this.drop1)) | 0;
      this.h2 = (this.h2 - Math.imul(leaving ^ 0x5bd1e995, this.drop2)) | 0;
    }
    this.count++;
    return this.count >= this.length;
  }
}

/** An open-addressing set of 64-bit n-gram hashes, each with the tasks it came from. */
export class NGramIndex {
  private keys1: Int32Array;
  private keys2: Int32Array;
  /** Task index + 1 for one task; −(list + 1) for several (in `lists`); 0 empty. */
  private owners: Int32Array;
  private readonly lists: number[][] = [];
  size = 0;
  constructor(capacity = 1 << 16) {
    const slots = 1 << Math.ceil(Math.log2(Math.max(16, capacity * 2)));
    this.keys1 = new Int32Array(slots);
    this.keys2 = new Int32Array(slots);
    this.owners = new Int32Array(slots);
  }
  private slot(h1: number, h2: number): number {
    const mask = this.owners.length - 1;
    let at = fmix32(h1 ^ Math.imul(h2, 0x27d4eb2f)) & mask;
    while (this.owners[at] !== 0 && (this.keys1[at] !== h1 || this.keys2[at] !== h2)) at = (at + 1) & mask;
    return at;
  }
  add(h1: number, h2: number, task: number): void {
    if ((this.size + 1) * 2 > this.owners.length) this.grow();
    const at = this.slot(h1, h2);
    const owner = this.owners[at]!;
    if (owner === 0) {
      this.keys1[at] = h1;
      this.keys2[at] = h2;
      this.owners[at] = task + 1;
      this.size++;
    } else if (owner > 0 && owner !== task + 1) {
      this.lists.push([owner - 1, task]);
      this.owners[at] = -this.lists.length;
    } else if (owner < 0 && !this.lists[-owner - 1]!.includes(task)) this.lists[-owner - 1]!.push(task);
  }
  /** The tasks of an n-gram, or undefined when it is not indexed. */
  tasksOf(h1: number, h2: number): number | readonly number[] | undefined {
    const owner = this.owners[this.slot(h1, h2)]!;
    if (owner === 0) return undefined;
    return owner > 0 ? owner - 1 : this.lists[-owner - 1]!;
  }
  private grow(): void {
    const { keys1, keys2, owners } = this;
    this.keys1 = new Int32Array(owners.length * 2);
    this.keys2 = new Int32Array(owners.length * 2);
    this.owners = new Int32Array(owners.length * 2);
    for (let i = 0; i < owners.length; i++) {
      if (owners[i] === 0) continue;
      const at = this.slot(keys1[i]!, keys2[i]!);
      this.keys1[at] = keys1[i]!;
      this.keys2[at] = keys2[i]!;
      this.owners[at] = owners[i]!;
    }
  }
}

export interface ContaminationIndex {
  taskNames: string[];
  index: NGramIndex;
  /** The window lengths indexed: n, and the lengths of items shorter than n. */
  lengths: number[];
  /** Per task: items indexed, and items too short to index. */
  items: number[];
  tooShort: number[];
}

/** Builds the index of a registry's items (texts by task, in order). */
export function buildContaminationIndex(tasks: { name: string; texts: string[] }[], n: number, minItemWords: number): ContaminationIndex {
  const index = new NGramIndex();
  const lengths = new Set<number>();
  const items = tasks.map(() => 0);
  const tooShort = tasks.map(() => 0);
  tasks.forEach((task, t) => {
    for (const text of task.texts) {
      const words: number[] = [];
      forEachWordHash(text, (h) => words.push(h));
      const length = words.length >= n ? n : words.length >= minItemWords ? words.length : 0;
      if (length === 0) {
        tooShort[t]!++;
        continue;
      }
      items[t]!++;
      lengths.add(length);
      const window = new Window(length);
      for (const word of words) if (window.push(word)) index.add(window.h1, window.h2, t);
    }
  });
  return { taskNames: tasks.map((t) => t.name), index, lengths: [...lengths].sort((a, b) => b - a), items, tooShort };
}

/** Matching n-gram windows per task index in `text` (empty when clean). */
export function contaminationHits(text: string, index: ContaminationIndex, windows: Window[] = index.lengths.map((l) => new Window(l))): Map<number, number> {
  const hits = new Map<number, number>();
  for (const window of windows) window.reset();
  forEachWordHash(text, (word) => {
    for (const window of windows) {
      if (!window.push(word)) continue;
      const owners = index.index.tasksOf(window.h1, window.h2);
      if (owners === undefined) continue;
      if (typeof owners === "number") hits.set(owners, (hits.get(owners) ?? 0) + 1);
      else for (const t of owners) hits.set(t, (hits.get(t) ?? 0) + 1);
    }
  });
  return hits;
}

export function decontaminate(params: DecontaminateParams): Stage {
  return {
    name: "decontaminate",
    async *run(docs, ctx) {
      const tasks = await loadEvalTasks(params.tasks);
      const built = buildContaminationIndex(
        tasks.map((task) => ({ name: task.name, texts: itemTexts(task) })),
        params.n,
        params.minItemWords,
      );
      if (built.index.size === 0) throw new KilnError("bad_config", `decontaminate: ${params.tasks}: no item has ${params.minItemWords} words or more; nothing to match`);
      ctx.log(
        `decontaminate: ${built.index.size} n-grams from ` +
          built.taskNames.map((name, t) => `${name} (${built.items[t]} items${built.tooShort[t] ? `, ${built.tooShort[t]} under ${params.minItemWords} words left out` : ""})`).join(", "),
      );
      for (const [t, name] of built.taskNames.entries()) if (built.tooShort[t]) ctx.skip("decontaminate", `item_too_short:${name}`, built.tooShort[t]);
      const windows = built.lengths.map((l) => new Window(l));
      for await (const doc of docs) {
        const hits = contaminationHits(doc.text, built, windows);
        if (hits.size === 0) {
          yield doc;
          continue;
        }
        const byTask: Record<string, number> = {};
        let worst = -1;
        for (const [t, count] of [...hits].sort((a, b) => a[0] - b[0])) {
          byTask[built.taskNames[t]!] = count;
          if (worst < 0 || count > hits.get(worst)!) worst = t;
        }
        if (params.action === "drop") {
          ctx.drop({ ...doc, meta: { ...doc.meta, contamination: byTask } }, "decontaminate", `decontaminate:${built.taskNames[worst]}`);
          continue;
        }
        for (const name of Object.keys(byTask)) ctx.skip("decontaminate", `marked:${name}`);
        yield { ...doc, meta: { ...doc.meta, contamination: byTask } } satisfies Doc;
      }
    },
  };
}

register({
  kind: "stage",
  name: "decontaminate",
  description: "drops (or marks) documents sharing a word 13-gram with an item of the evaluation tasks in a registry (tasks.yaml); counts per task",
  params: decontaminateParams,
  create: decontaminate,
});
