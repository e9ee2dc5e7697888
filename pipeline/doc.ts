/** One document in flight. JSONL on disk is exactly this object, one per line. */
export interface Doc {
  /** Stable: WARC-Record-ID, or source + line number. */
  id: string;
  /** HTML before `extract`, plain text after. */
  text: string;
  url?: string;
  /** Which input or mixture source the document came from. */
  source?: string;
  /** Annotations: language, scores, minhash cluster, ... */
  meta: Record<string, unknown>;
}

/** What a task knows about itself while a stage runs. */
export interface TaskContext {
  /** This task's index in [0, world). */
  rank: number;
  world: number;
  step: string;
  /** The data folder of a step of this run, for stages that read what an earlier step wrote. */
  stepDataDir(step: string): string;
  /**
   * Counts input that never became a document (a malformed WARC record, a non-HTML response),
   * by reason, in `stage`'s stats. Readers use it; nothing is lost without a count.
   */
  skip(stage: string, reason: string, n?: number): void;
  /**
   * Records that `stage` dropped `doc` for `reason`: counted in the stats by reason and, when the
   * step keeps them, written to `excluded/` with the reason in `meta`.
   */
  drop(doc: Doc, stage: string, reason: string): void;
  /** Writes one line to this rank's log file. */
  log(message: string): void;
}

/** A stage is an async generator over documents. */
export interface Stage {
  name: string;
  run(docs: AsyncIterable<Doc>, ctx: TaskContext): AsyncIterable<Doc>;
}

/** A reader turns one input file into documents. */
export interface Reader {
  name: string;
  read(file: string, ctx: TaskContext): AsyncIterable<Doc>;
}

/** A writer takes the documents a task keeps and writes them to one output file. */
export interface Writer {
  name: string;
  /** File extension the writer produces, e.g. ".jsonl.gz". */
  extension: string;
  write(docs: AsyncIterable<Doc>, file: string, ctx: TaskContext): Promise<void>;
}

/**
 * What a whole-step task sees. Steps that need a global view (MinHash buckets, clusters) are not
 * document streams: each task gets every input file of the step and takes its share (a band or
 * hash range) by rank.
 */
export interface StepTaskContext extends TaskContext {
  /** Every input file of the step (not only this rank's). */
  inputs: string[];
  /** Where this task writes: the step's `data` folder (`<output>/<step>/data` by default). Name files by rank and write them atomically. */
  outputDir: string;
  /** This rank's output file in `outputDir`: `<rank>` then `extension` (e.g. ".pairs"). */
  outputFile(extension: string): string;
  /** A path for this rank's scratch files in `outputDir`, marked temporary: removed if the task is killed, never read as data. */
  scratchFile(label: string): string;
  /** Adds to a counter in this task's stats (e.g. "pairs", "clusters"). */
  count(key: string, n?: number): void;
}

/** A task of a whole-step task step. */
export interface StepTask {
  name: string;
  run(ctx: StepTaskContext): Promise<void>;
}
