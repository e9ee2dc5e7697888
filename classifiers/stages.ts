/**
 * `quality` annotates each document with the classifier's score; `quality_filter` decides from it,
 * by an absolute threshold (FineWeb-Edu keeps score >= 3) or by keeping the top p% (DCLM kept 10%).
 *
 *   meta.quality       the score: expected label (classification; P(positive) for a binary
 *                      model) or the clamped regression output, in [0, classes-1]
 *   meta.qualityLabel  the integer label: argmax class, or the rounded regression output
 *
 * Where the top-p% cut-off comes from (`cutoffFrom`), since tasks share nothing but files:
 *   task   each task keeps a reservoir sample of the scores it has seen, holds its first
 *          `warmupDocs` documents until the sample has that many scores, and then decides every
 *          document against the (1 - p) quantile of its sample, recomputed as the stream goes.
 *          Each task keeps ~p% of its own shard; the union keeps ~p% of the corpus when shards are
 *          alike (Common Crawl's WARC files are), not when shards differ systematically.
 *   model  the cut-off is the quantile of the held-out scores stored in the model folder at
 *          training time: identical on every task and needs no warm-up, but keeps p% only of
 *          data distributed like the training data.
 */
import { z } from "zod";
import { type Doc, type Stage, type TaskContext, register, type StageSpec } from "../pipeline/index.js";
import { loadModelCached, scorerFor, type LoadedModel } from "./folder.js";
import type { DocumentScorer, Prediction } from "./model.js";
import { ScoreReservoir, topPercentCutoff } from "./reservoir.js";
import { seededRandom } from "../core/index.js";

const modelParam = z.string().describe("model folder written by `kiln classifier train`");

export const qualityParams = z.object({
  model: modelParam.min(1),
  metaKey: z.string().default("quality").describe("meta field for the score; the label goes to <metaKey>Label"),
  batchSize: z.number().int().positive().default(32).describe("documents scored per call (a GPT-feature model embeds them in one batch)"),
});

/** Loads the model once per task and returns a scorer for `doc.text`. */
function lazyScorer(folder: string): () => Promise<{ model: LoadedModel; scorer: DocumentScorer }> {
  let ready: Promise<{ model: LoadedModel; scorer: DocumentScorer }> | undefined;
  return () => (ready ??= loadModelCached(folder).then((model) => ({ model, scorer: scorerFor(model) })));
}

function writeQuality(doc: Doc, { score, label }: Prediction, metaKey: string): Doc {
  doc.meta[metaKey] = Number(score.toFixed(6));
  doc.meta[`${metaKey}Label`] = label;
  return doc;
}

export function annotateQuality(doc: Doc, scorer: DocumentScorer, metaKey: string): Doc {
  return writeQuality(doc, scorer.predict(doc.text), metaKey);
}

const QUALITY = "quality";

/**
 * Scores `batchSize` documents per call, so a GPT-feature model runs them through one batched
 * forward pass, and yields them in input order. As with any document stage, a failure costs only
 * the documents it concerns: when a batch throws, its documents are retried one by one and the
 * one that still throws is dropped as `error:quality` (a model that cannot load drops them all).
 */
function qualityAnnotator(params: z.output<typeof qualityParams>): Stage {
  const get = lazyScorer(params.model);
  return {
    name: QUALITY,
    async *run(docs, ctx) {
      const fail = (doc: Doc, error: unknown) => {
        ctx.log(`${QUALITY}: document ${doc.id}: ${error instanceof Error ? error.message : String(error)}`);
        ctx.drop(doc, QUALITY, `error:${QUALITY}`);
      };
      const score = async (batch: Doc[]): Promise<Doc[]> => {
        let scorer: DocumentScorer;
        try {
          scorer = (await get()).scorer;
        } catch (error) {
          for (const doc of batch) fail(doc, error);
          return [];
        }
        try {
          const predictions = scorer.predictBatch(batch.map((doc) => doc.text));
          return batch.map((doc, i) => writeQuality(doc, predictions[i]!, params.metaKey));
        } catch {
          const kept: Doc[] = [];
          for (const doc of batch) {
            try {
              kept.push(annotateQuality(doc, scorer, params.metaKey));
            } catch (error) {
              fail(doc, error);
            }
          }
          return kept;
        }
      };
      let batch: Doc[] = [];
      for await (const doc of docs) {
        batch.push(doc);
        if (batch.length < params.batchSize) continue;
        yield* await score(batch);
        batch = [];
      }
      if (batch.length) yield* await score(batch);
    },
  };
}

export const qualityStage: StageSpec<typeof qualityParams> = {
  kind: "stage",
  name: QUALITY,
  description: "score each document with a quality classifier into meta.quality (score) and meta.qualityLabel (integer label)",
  params: qualityParams,
  create: qualityAnnotator,
};

export const qualityFilterParams = z.object({
  minScore: z.number().optional().describe("lowest meta.quality kept when topPercent is 0 (FineWeb-Edu: 3 on the 0–5 scale); default: a two-class model's decision threshold, else 3"),
  topPercent: z.number().min(0).max(100).default(0).describe("keep the top p% of documents by meta.quality (DCLM: 10); 0 uses minScore"),
  cutoffFrom: z.enum(["task", "model"]).default("task").describe("top-p% cut-off from each task's reservoir sample of scores, or from the held-out scores stored with the model"),
  model: modelParam.default("").describe("model folder: scores documents that lack meta.quality, and holds the scores for cutoffFrom: model"),
  metaKey: z.string().default("quality").describe("meta field holding the score"),
  reservoirSize: z.number().int().positive().default(10_000).describe("scores sampled per task for the top-p% cut-off (cutoffFrom: task)"),
  warmupDocs: z.number().int().positive().default(2_000).describe("documents a task holds in memory before its first top-p% decision (cutoffFrom: task)"),
});
export type QualityFilterParams = z.output<typeof qualityFilterParams>;

const NAME = "quality_filter";
/** FineWeb-Edu's cut-off on the 0–5 scale. */
const DEFAULT_MIN_SCORE = 3;

/** How often (in documents) a task re-sorts its reservoir for a fresh cut-off. */
const RECOMPUTE_EVERY = 1_000;

function qualityFilter(params: QualityFilterParams): Stage {
  const get = params.model ? lazyScorer(params.model) : undefined;

  async function scoreOf(doc: Doc, ctx: TaskContext): Promise<number | undefined> {
    const existing = doc.meta[params.metaKey];
    if (typeof existing === "number" && Number.isFinite(existing)) return existing;
    if (!get) {
      ctx.drop(doc, NAME, "quality_missing");
      return undefined;
    }
    annotateQuality(doc, (await get()).scorer, params.metaKey);
    return doc.meta[params.metaKey] as number;
  }

  return {
    name: NAME,
    async *run(docs, ctx) {
      const percentile = params.topPercent > 0;
      let cutoff = params.minScore ?? (get ? (await get()).model.record.shape.decisionThreshold : undefined) ?? DEFAULT_MIN_SCORE;
      if (percentile && params.cutoffFrom === "model") {
        if (!get) throw new Error(`${NAME}: cutoffFrom "model" needs the model parameter`);
        cutoff = topPercentCutoff((await get()).model.record.calibrationScores, params.topPercent);
        ctx.log(`${NAME}: top ${params.topPercent}% cut-off ${cutoff} from the model's held-out scores`);
      }
      const keep = (doc: Doc, score: number) => {
        if (score >= cutoff) return true;
        ctx.drop(doc, NAME, percentile ? "quality_top_percent" : "quality_below_min");
        return false;
      };
      if (!percentile || params.cutoffFrom === "model") {
        for await (const doc of docs) {
          const score = await scoreOf(doc, ctx);
          if (score !== undefined && keep(doc, score)) yield doc;
        }
        return;
      }
      // cutoffFrom "task": hold the first warmupDocs documents until the sample can set a cut-off.
      const reservoir = new ScoreReservoir(params.reservoirSize, seededRandom(0x5eed + ctx.rank));
      const recompute = () => {
        cutoff = topPercentCutoff(reservoir.sorted(), params.topPercent);
      };
      let held: { doc: Doc; score: number }[] | undefined = [];
      for await (const doc of docs) {
        const score = await scoreOf(doc, ctx);
        if (score === undefined) continue;
        reservoir.add(score);
        if (held) {
          held.push({ doc, score });
          if (held.length < params.warmupDocs) continue;
          recompute();
          ctx.log(`${NAME}: top ${params.topPercent}% cut-off ${cutoff} after ${reservoir.seen} scores`);
          for (const h of held) if (keep(h.doc, h.score)) yield h.doc;
          held = undefined;
          continue;
        }
        if (reservoir.seen % RECOMPUTE_EVERY === 0) recompute();
        if (keep(doc, score)) yield doc;
      }
      if (held) {
        // A shard smaller than the warm-up: its own scores set the cut-off.
        recompute();
        for (const h of held) if (keep(h.doc, h.score)) yield h.doc;
      }
    },
  };
}

export const qualityFilterStage: StageSpec<typeof qualityFilterParams> = {
  kind: "stage",
  name: NAME,
  description: "keep documents with meta.quality >= minScore, or the top topPercent% (cut-off from a per-task reservoir of scores or the model's held-out scores)",
  params: qualityFilterParams,
  create: qualityFilter,
};

register(qualityStage);
register(qualityFilterStage);
