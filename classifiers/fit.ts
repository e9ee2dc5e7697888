/** Train, evaluate on the held-out split, and write the model folder: what `kiln classifier train` does. */
import { KilnError } from "../pipeline/errors.js";
import { saveModel, type ModelRecord } from "./folder.js";
import type { LabelledData } from "./labels.js";
import { evaluate } from "./metrics.js";
import type { ModelShape } from "./model.js";
import { train, type TrainOptions } from "./train.js";

/** Held-out scores kept in model.json for the top-p% cut-off; a sorted sample bounds its size. */
const CALIBRATION_SAMPLE = 10_000;

export interface FitOptions {
  data: LabelledData;
  sources: string[];
  shape: ModelShape;
  train: TrainOptions;
  labelNames: string[];
  binaryThreshold: number;
  /** Model folder; nothing is written when absent. */
  out?: string;
}

export async function fitClassifier(options: FitOptions): Promise<{ record: Omit<ModelRecord, "weights" | "format" | "version" | "featureHash">; saved?: ModelRecord; weights: ReturnType<typeof train>["weights"] }> {
  const { data, shape } = options;
  if (data.examples.length < 2) throw new KilnError("no_training_data", `need at least 2 labelled documents, got ${data.examples.length} (skipped: ${JSON.stringify(data.skipped)})`);
  const result = train(data.examples, shape, options.train);
  const { labels, scores, predicted } = result.validation;
  const { calibration: _calibration, perClass: _perClass, ...validation } = evaluate(scores, predicted, labels, shape.classes, options.binaryThreshold);
  const sorted = Array.from(scores).sort((a, b) => a - b);
  const stride = Math.max(1, sorted.length / CALIBRATION_SAMPLE);
  const calibrationScores: number[] = [];
  for (let i = 0; i < sorted.length; i += stride) calibrationScores.push(Number(sorted[Math.floor(i)]!.toFixed(6)));
  const { onEpoch: _onEpoch, ...trainOptions } = options.train;
  const record = {
    shape,
    labelNames: options.labelNames,
    binaryThreshold: options.binaryThreshold,
    training: {
      dataHash: data.dataHash,
      sources: options.sources,
      documents: data.examples.length,
      trainDocuments: result.trainCount,
      validationDocuments: labels.length,
      skipped: data.skipped,
      options: trainOptions,
      bestEpoch: result.bestEpoch,
      history: result.history,
      seconds: result.seconds,
    },
    validation,
    calibrationScores,
  };
  const saved = options.out ? await saveModel(options.out, record, result.weights) : undefined;
  return { record, saved, weights: result.weights };
}
