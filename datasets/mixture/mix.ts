/**
 * `kiln mix`: sources → tokens → held-out validation → token-weighted blend per phase → shards.
 *
 * 1. Each used source is read once and tokenized; a seeded hash of (seed, source, index) holds out
 *    `validation.fraction` of its documents (written straight to val shards), the rest go to a
 *    spill file. So validation tokens never reach training, whatever the phases do.
 * 2. Each phase wants `tokens × weight` tokens of each source. Before anything is written, the
 *    sum over phases is checked against `available × maxEpochs`; a source that cannot supply it
 *    stops the run with an error naming it.
 * 3. Documents are drawn one at a time: the source is picked with probability proportional to the
 *    tokens it still owes the phase, its next document comes from a seeded per-epoch shuffle.
 *    A source's cursor carries over between phases, so replay in a later phase continues with
 *    documents not yet seen. Realised shares miss the weights by at most one document per source.
 */
import { mkdir, readdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { KilnError, writeFileAtomic, seededRandom, shuffle, hash32 } from "../../core/index.js";
import { dtypeFor, MANIFEST_FORMAT, MANIFEST_NAME, MANIFEST_VERSION, type Manifest, type PhaseTotals, type SourceTotals } from "../shards/manifest.js";
import { ShardWriter } from "../shards/writer.js";
import { loadTokenizer } from "../tokenizer/load.js";
import type { Tokenizer } from "../tokenizer/types.js";
import { checkTemplate } from "./chat.js";
import { renderSource, SpillStore } from "./sources.js";
import type { ResolvedMixture } from "./spec.js";

export interface MixOptions {
  out: string;
  /** Progress lines (one per source read and per phase written). */
  log?: (line: string) => void;
  /** Already loaded tokenizer (tests, the demo); default: load `mixture.tokenizer`. */
  tokenizer?: Tokenizer;
  /** Tokens per Arrow record batch. */
  batchTokens?: number;
}

export { seededRandom };

/** Walks a source's documents epoch after epoch, each epoch in its own seeded order. */
class SourceCursor {
  epoch = 0;
  private order = new Int32Array(0);
  private position = 0;
  consumedTokens = 0;
  consumedDocuments = 0;

  constructor(
    readonly name: string,
    readonly store: SpillStore,
    private readonly seed: number,
    private readonly maxEpochs: number,
  ) {
    this.shuffle();
  }

  private shuffle(): void {
    const random = seededRandom(hash32(`${this.seed}\0${this.name}\0epoch${this.epoch}`));
    this.order = shuffle(Int32Array.from({ length: this.store.documents }, (_, i) => i), random);
    this.position = 0;
  }

  /** The next document's index; a new epoch starts only while maxEpochs allows it. */
  next(phase: string): number {
    if (this.consumedTokens >= this.maxEpochs * this.store.tokens) {
      throw new KilnError("source_exhausted", `source "${this.name}" ran out in phase "${phase}": it has ${this.store.tokens} train tokens and maxEpochs ${this.maxEpochs} allows ${Math.floor(this.maxEpochs * this.store.tokens)}; lower the phase tokens or weight, or raise maxEpochs`);
    }
    if (this.position === this.order.length) {
      this.epoch++;
      this.shuffle();
    }
    const index = this.order[this.position++]!;
    this.consumedTokens += this.store.lengthOf(index);
    this.consumedDocuments++;
    return index;
  }
}

function emptyTotals(): SourceTotals {
  return { documents: 0, tokens: 0, valDocuments: 0, valTokens: 0, trainDocuments: 0, trainTokens: 0, epochs: 0, skipped: {} };
}

/** What a mixture run holds open while it writes: closed (or aborted) as one when it ends. */
interface MixRun {
  mixture: ResolvedMixture;
  tokenizer: Tokenizer;
  staging: string;
  shard: { root: string; dtype: Manifest["dtype"]; targetTokens: number; batchTokens?: number };
  writers: ShardWriter[];
  stores: Map<string, SpillStore>;
  log: (line: string) => void;
}

export async function runMixture(mixture: ResolvedMixture, options: MixOptions): Promise<Manifest> {
  const log = options.log ?? (() => undefined);
  const tokenizer = options.tokenizer ?? (await loadTokenizer(mixture.tokenizer));
  const used = usedSources(mixture, tokenizer, log);
  // The new mixture is written beside the folder and swapped in whole: a run that fails part-way
  // leaves an earlier mixture in `out` exactly as it was.
  const out = path.resolve(options.out);
  await checkReplaceable(out);
  const staging = `${out}.partial-${process.pid}`;
  await removeAbandoned(out);
  const spillDir = path.join(staging, ".spill");
  await mkdir(spillDir, { recursive: true });
  const run: MixRun = {
    mixture, tokenizer, staging, log,
    shard: { root: staging, dtype: dtypeFor(tokenizer.vocabSize), targetTokens: mixture.spec.shardTokens, batchTokens: options.batchTokens },
    writers: [],
    stores: new Map(),
  };
  let manifest: Manifest;
  try {
    const sources = await readSources(run, used, spillDir);
    const targets = planTargets(mixture, run.stores);
    const cursors = new Map(used.map((name) => [name, new SourceCursor(name, run.stores.get(name)!, mixture.spec.seed, mixture.sources[name]!.maxEpochs)]));
    const phases: PhaseTotals[] = [];
    for (const [index, phase] of mixture.phases.entries()) phases.push(await writePhase(run, phase, targets[index]!, cursors));
    for (const writer of run.writers) await writer.finish();
    for (const [name, cursor] of cursors) {
      const totals = sources[name]!;
      totals.trainDocuments = cursor.consumedDocuments;
      totals.trainTokens = cursor.consumedTokens;
      totals.epochs = cursor.consumedTokens / run.stores.get(name)!.tokens;
    }
    manifest = manifestOf(run, sources, phases);
    await writeFileAtomic(path.join(staging, MANIFEST_NAME), JSON.stringify(manifest, null, 1) + "\n");
  } catch (error) {
    for (const writer of run.writers) await writer.abort();
    for (const store of run.stores.values()) await store.close();
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  for (const store of run.stores.values()) await store.close();
  await rm(spillDir, { recursive: true, force: true });
  await swapIn(staging, out);
  return manifest;
}

/** The sources some phase draws from, sorted; their chat templates are checked against the tokenizer. */
function usedSources(mixture: ResolvedMixture, tokenizer: Tokenizer, log: (line: string) => void): string[] {
  const used = [...new Set(mixture.phases.flatMap((p) => Object.keys(p.weights)))].sort();
  for (const name of used) {
    const source = mixture.sources[name]!;
    if (source.format !== "text") checkTemplate(source.template, tokenizer, `${mixture.file}: sources.${name}`);
  }
  for (const name of Object.keys(mixture.sources)) if (!used.includes(name)) log(`source "${name}" is in no phase: not read`);
  return used;
}

/** Step 1: reads and tokenizes each used source once, holding out validation documents and spilling the rest. */
async function readSources(run: MixRun, used: string[], spillDir: string): Promise<Record<string, SourceTotals>> {
  const { spec } = run.mixture;
  const sources: Record<string, SourceTotals> = {};
  const sharedVal = spec.validation.perSource ? undefined : new ShardWriter({ ...run.shard, folder: "val", split: "val" });
  if (sharedVal) run.writers.push(sharedVal);
  for (const name of used) {
    const totals = (sources[name] = emptyTotals());
    const store = new SpillStore(path.join(spillDir, `${name}.bin`));
    run.stores.set(name, store);
    let val = sharedVal;
    if (!val && spec.validation.fraction > 0) {
      val = new ShardWriter({ ...run.shard, folder: `val/${name}`, split: "val", source: name });
      run.writers.push(val);
    }
    let index = 0;
    for await (const doc of renderSource(name, run.mixture.sources[name]!, run.tokenizer)) {
      if (typeof doc === "string") {
        totals.skipped[doc] = (totals.skipped[doc] ?? 0) + 1;
        continue;
      }
      totals.documents++;
      totals.tokens += doc.tokens.length;
      const heldOut = spec.validation.fraction > 0 && hash32(`${spec.seed}\0${name}\0${index++}`) / 2 ** 32 < spec.validation.fraction;
      if (heldOut) {
        totals.valDocuments++;
        totals.valTokens += doc.tokens.length;
        await val!.add({ ...doc, source: name });
      } else await store.append(doc);
    }
    await store.seal();
    run.log(`read source "${name}": ${totals.documents} documents, ${totals.tokens} tokens (${totals.valTokens} held out for validation)`);
    if (store.tokens === 0) throw new KilnError("source_exhausted", `source "${name}" has no training documents (path ${run.mixture.sources[name]!.path})`);
  }
  return sources;
}

/** Step 3: one phase's documents, each from a source drawn in proportion to the tokens it still owes. */
async function writePhase(run: MixRun, phase: ResolvedMixture["phases"][number], want: Record<string, number>, cursors: Map<string, SourceCursor>): Promise<PhaseTotals> {
  const writer = new ShardWriter({ ...run.shard, folder: `train/${phase.name}`, split: "train", phase: phase.name });
  run.writers.push(writer);
  const realised: Record<string, number> = Object.fromEntries(Object.keys(want).map((s) => [s, 0]));
  const random = seededRandom(hash32(`${run.mixture.spec.seed}\0phase\0${phase.name}`));
  let documents = 0;
  for (;;) {
    let owed = 0;
    for (const [name, target] of Object.entries(want)) owed += Math.max(0, target - realised[name]!);
    if (owed <= 0) break;
    let pick = random() * owed;
    let chosen = "";
    for (const [name, target] of Object.entries(want)) {
      const debt = Math.max(0, target - realised[name]!);
      if (debt <= 0) continue;
      chosen = name;
      if ((pick -= debt) < 0) break;
    }
    const doc = await run.stores.get(chosen)!.read(cursors.get(chosen)!.next(phase.name));
    await writer.add({ tokens: doc.tokens, mask: doc.mask, source: chosen, id: doc.id });
    realised[chosen]! += doc.tokens.length;
    documents++;
  }
  await writer.finish();
  const tokens = Object.values(realised).reduce((a, b) => a + b, 0);
  run.log(`phase "${phase.name}": ${tokens} tokens in ${documents} documents, ${writer.shards.length} shard(s)`);
  return { name: phase.name, requestedTokens: Math.round(Object.values(want).reduce((a, b) => a + b, 0)), tokens, documents, weights: phase.weights, sourceTokens: realised };
}

function manifestOf(run: MixRun, sources: Record<string, SourceTotals>, phases: PhaseTotals[]): Manifest {
  const { tokenizer, writers } = run;
  return {
    format: MANIFEST_FORMAT, version: MANIFEST_VERSION,
    tokenizer: { name: tokenizer.name, vocabSize: tokenizer.vocabSize, eos: tokenizer.eos, specialTokens: Object.fromEntries(tokenizer.specialTokens) },
    dtype: run.shard.dtype, seed: run.mixture.spec.seed, sources, phases,
    // Train shards in phase order (the order a trainer reads them), then validation.
    shards: [...writers.filter((w) => w.split === "train"), ...writers.filter((w) => w.split === "val")].flatMap((w) => w.shards),
    mixture: run.mixture.spec,
  };
}

/** `out` may be replaced: it does not exist, is empty, or holds a mixture (its manifest.json). */
async function checkReplaceable(out: string): Promise<void> {
  const entries = await readdir(out).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [] as string[];
    throw error;
  });
  if (entries.length > 0 && !entries.includes(MANIFEST_NAME)) {
    throw new KilnError("usage", `${out}: not empty and not a kiln mix output (no ${MANIFEST_NAME}); choose another --out`);
  }
}

/**
 * Cleans up after runs into `out` that were killed: their `.partial-<pid>` folders are removed; an
 * `.old-<pid>` folder is the earlier mixture, put back if the swap stopped before the new one was in.
 */
async function removeAbandoned(out: string): Promise<void> {
  const prefix = `${path.basename(out)}.`;
  const siblings = await readdir(path.dirname(out)).catch(() => [] as string[]);
  for (const name of siblings.sort()) {
    const match = /^(partial|old)-(\d+)$/.exec(name.startsWith(prefix) ? name.slice(prefix.length) : "");
    if (!match) continue;
    const pid = Number(match[2]);
    if (pid !== process.pid && isRunning(pid)) continue;
    const folder = path.join(path.dirname(out), name);
    const restored = match[1] === "old" && (await rename(folder, out).then(() => true, () => false));
    if (!restored) await rm(folder, { recursive: true, force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Renames `staging` to `out`, first moving an earlier `out` aside and then removing it. */
async function swapIn(staging: string, out: string): Promise<void> {
  await mkdir(path.dirname(out), { recursive: true });
  const old = `${out}.old-${process.pid}`;
  const hadOld = await rename(out, old).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return false;
      throw error;
    },
  );
  await rename(staging, out);
  if (hadOld) await rm(old, { recursive: true, force: true });
}

/** Tokens wanted from each source in each phase; checks maxEpochs before anything is written. */
function planTargets(mixture: ResolvedMixture, stores: Map<string, SpillStore>): Record<string, number>[] {
  const capOf = (name: string) => Math.floor(stores.get(name)!.tokens * mixture.sources[name]!.maxEpochs);
  const targets = mixture.phases.map((phase) => {
    // Without a token count (single phase), take all that the tightest source allows.
    const total = phase.tokens ?? Math.min(...Object.entries(phase.weights).map(([name, w]) => capOf(name) / w));
    // Whole tokens, and never above a cap because of rounding (that would ask for one more document).
    return Object.fromEntries(Object.entries(phase.weights).map(([name, w]) => [name, Math.min(Math.round(total * w), phase.tokens === undefined ? capOf(name) : Infinity)]));
  });
  const need = new Map<string, number>();
  for (const target of targets) for (const [name, tokens] of Object.entries(target)) need.set(name, (need.get(name) ?? 0) + tokens);
  for (const [name, tokens] of need) {
    const store = stores.get(name)!;
    const maxEpochs = mixture.sources[name]!.maxEpochs;
    if (tokens > capOf(name)) {
      throw new KilnError("source_exhausted", `source "${name}" is too small: the phases need ${Math.ceil(tokens)} of its tokens but it has ${store.tokens} train tokens x maxEpochs ${maxEpochs} = ${capOf(name)}; lower the tokens or its weight, or raise maxEpochs`);
    }
  }
  return targets;
}
