/**
 * Quality classifiers (FineWeb-Edu / DCLM style). Importing this module registers the `quality`
 * and `quality_filter` stages.
 */
import "./stages.js";

export { qualityStage, qualityFilterStage, annotateQuality, type QualityFilterParams } from "./stages.js";
export { classifierCommand } from "./cli.js";
export { fitClassifier, trainClassifier, DEFAULT_HEAD, type FitOptions, type TrainClassifierOptions, type TrainedClassifier } from "./fit.js";
export { loadModel, loadModelCached, saveModel, scorerFor, type ModelRecord, type LoadedModel, type EmbedderRecord } from "./folder.js";
export { registerEmbedder, loadEmbedder, embedderKinds, embedAll, type TextEmbedder, type EmbedderLoader } from "./embedder.js";
export { readLabelled, readCorpora, readClassifierData, type LabelledData, type ClassifierData } from "./labels.js";
export { train, DEFAULT_TRAIN, type Example, type TrainOptions } from "./train.js";
export { TextScorer, EmbeddingScorer, type DocumentScorer, type ModelShape, type DenseInput, type Standardization, type Prediction } from "./model.js";
export { extractFeatures, FeatureBuffer, DEFAULT_FEATURES, type FeatureConfig } from "./features.js";
export { evaluate, formatReport, macroF1, confusionMatrix, binaryF1, calibration } from "./metrics.js";
export { ScoreReservoir, topPercentCutoff } from "./reservoir.js";
export { annotate, type AnnotateTally } from "./annotate/annotate.js";
export { loadPrompt, BUILTIN_PROMPTS } from "./annotate/prompts.js";
