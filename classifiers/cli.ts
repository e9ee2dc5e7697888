/** `kiln classifier annotate | train | eval`. */
import { defineCommand } from "citty";
import { numberFlag, enumFlag, KilnError, listFlagFiles, openRead, lines } from "../core/index.js";
import { parseDocLine } from "../pipeline/index.js";
import { annotate } from "./annotate/annotate.js";
import { DEFAULT_CHAT } from "./annotate/client.js";
import { embedderKinds } from "./embedder.js";
import { BUILTIN_PROMPTS, loadPrompt } from "./annotate/prompts.js";
import { DEFAULT_FEATURES } from "./features.js";
import { DEFAULT_HEAD, trainClassifier } from "./fit.js";
import { loadModel, scorerFor } from "./folder.js";
import { readClassifierData, type ClassifierData } from "./labels.js";
import { collapseWarning, evaluate, evaluateByGroup, formatGroups, formatReport } from "./metrics.js";
import type { DocumentScorer, Prediction } from "./model.js";
import { DEFAULT_TRAIN, type Example } from "./train.js";
import { annotateLanguage, getDetector, languageParams } from "../stages/index.js";


async function* readDocs(paths: string[], textKey: string): AsyncGenerator<{ id: string; text: string }> {
  for (const file of paths) {
    const stream = await openRead(file);
    stream.setEncoding("utf8");
    let n = 0;
    for await (const line of lines(stream, { file })) {
      n++;
      if (!line.trim()) continue;
      const doc = parseDocLine(line, `${file}:${n}`, { textKey, idKey: "id" });
      if (typeof doc === "string") process.stderr.write(`kiln: ${file}:${n}: skipped: ${doc}\n`);
      else yield { id: doc.id, text: doc.text };
    }
  }
}

/** Each example's language: the one its row gives, else the default detector's guess. */
async function languagesOf(examples: readonly Example[]): Promise<string[]> {
  if (examples.every((e) => e.language !== undefined)) return examples.map((e) => e.language!);
  // As the language stage does with its defaults.
  const { detector: name, maxChars } = languageParams.parse({});
  const detector = await getDetector(name);
  return examples.map((e) => e.language ?? annotateLanguage(detector, e.text, maxChars).language);
}

/** Documents per scoring call: a GPT-feature model embeds each call's documents in batches. */
const SCORE_CHUNK = 256;

function predictAll(scorer: DocumentScorer, texts: string[]): Prediction[] {
  const out: Prediction[] = [];
  for (let at = 0; at < texts.length; at += SCORE_CHUNK) out.push(...scorer.predictBatch(texts.slice(at, at + SCORE_CHUNK)));
  return out;
}

const dataArgs = {
  labels: { type: "string", description: "labelled JSONL (comma-separated paths or globs): text and a 0..classes-1 label per row" },
  positive: { type: "string", description: "binary training (DCLM style): JSONL documents of the positive class" },
  negative: { type: "string", description: "binary training: JSONL documents of the negative class" },
  "text-key": { type: "string", description: "field holding the text", default: "text" },
  "label-key": { type: "string", description: "field holding the label", default: "score" },
  "language-key": { type: "string", description: "field (or meta field) holding a row's language, for per-language metrics", default: "language" },
} as const;

type DataFlags = { labels?: string; positive?: string; negative?: string; "label-key": string; "language-key": string };

/** The labelled documents the data flags name: --labels, or --positive and --negative. */
async function dataFlags(args: DataFlags, classes: () => number): Promise<ClassifierData> {
  if (args.labels && (args.positive || args.negative)) throw new KilnError("usage", "give either --labels or --positive and --negative");
  if (args.labels) return { labels: await listFlagFiles("labels", args.labels), classes: classes(), labelKey: args["label-key"], languageKey: args["language-key"] };
  if (!args.positive || !args.negative) throw new KilnError("usage", "give --labels, or both --positive and --negative");
  return { positive: await listFlagFiles("positive", args.positive), negative: await listFlagFiles("negative", args.negative) };
}

const annotateCommand = defineCommand({
  meta: { name: "annotate", description: "label documents with an LLM behind an OpenAI-compatible chat-completions endpoint" },
  args: {
    docs: { type: "string", description: "JSONL documents (comma-separated paths or globs)" },
    out: { type: "string", description: "labels JSONL, appended to and resumed" },
    prompt: { type: "string", description: `built-in prompt (${Object.keys(BUILTIN_PROMPTS).join(", ")}) or a template file with {{document}}`, default: "fineweb-edu" },
    "print-prompt": { type: "boolean", description: "print the prompt template and exit (to copy and edit it)" },
    domain: { type: "string", description: "value of {{domain}} in the custom-domain prompt" },
    "base-url": { type: "string", description: "endpoint base URL, e.g. http://localhost:8000/v1", default: process.env.KILN_LLM_BASE_URL ?? "http://localhost:8000/v1" },
    model: { type: "string", description: "model name sent to the endpoint" },
    "api-key-env": { type: "string", description: "environment variable holding the API key (none sent when unset)", default: "OPENAI_API_KEY" },
    concurrency: { type: "string", description: "requests in flight at once", default: "8" },
    timeout: { type: "string", description: "seconds before a request is abandoned and retried", default: String(DEFAULT_CHAT.timeoutMs / 1000) },
    retries: { type: "string", description: "retries on 429, 5xx, timeouts and network errors", default: String(DEFAULT_CHAT.retries) },
    cache: { type: "string", description: "reply cache folder (default <out>.cache; 'none' disables)" },
    "max-chars": { type: "string", description: "characters of each document sent", default: "10000" },
    "max-tokens": { type: "string", description: "completion token limit per reply", default: String(DEFAULT_CHAT.maxTokens) },
    "max-score": { type: "string", description: "highest score the prompt allows", default: "5" },
    "text-key": { type: "string", description: "field holding the text", default: "text" },
    "input-price": { type: "string", description: "USD per million prompt tokens, for the cost tally", default: "0" },
    "output-price": { type: "string", description: "USD per million completion tokens", default: "0" },
  },
  async run({ args }) {
    const prompt = await loadPrompt(args.prompt);
    if (args["print-prompt"]) {
      process.stdout.write(prompt.template + "\n");
      return;
    }
    if (!args.docs || !args.out || !args.model) throw new KilnError("usage", "annotate needs --docs, --out and --model");
    const apiKey = process.env[args["api-key-env"]];
    const cacheDir = args.cache === "none" ? undefined : (args.cache ?? `${args.out}.cache`);
    const tally = await annotate({
      docs: readDocs(await listFlagFiles("docs", args.docs), args["text-key"]),
      out: args.out,
      prompt,
      vars: args.domain ? { domain: args.domain } : {},
      chat: {
        ...DEFAULT_CHAT,
        baseUrl: args["base-url"],
        model: args.model,
        apiKey,
        timeoutMs: numberFlag("timeout", args.timeout, { min: 0.001 }) * 1000,
        retries: numberFlag("retries", args.retries, { integer: true, min: 0 }),
        maxTokens: numberFlag("max-tokens", args["max-tokens"], { integer: true, min: 1 }),
      },
      concurrency: numberFlag("concurrency", args.concurrency, { integer: true, min: 1 }),
      cacheDir,
      maxChars: numberFlag("max-chars", args["max-chars"], { integer: true, min: 1 }),
      maxScore: numberFlag("max-score", args["max-score"], { integer: true, min: 1 }),
      inputPricePerMillion: numberFlag("input-price", args["input-price"], { min: 0 }),
      outputPricePerMillion: numberFlag("output-price", args["output-price"], { min: 0 }),
      onEvent: (message) => process.stderr.write(`annotate: ${message}\n`),
    });
    process.stdout.write(JSON.stringify(tally, null, 2) + "\n");
    if (tally.failed > 0) throw new KilnError("annotate_failed", `${tally.failed} documents got no reply (${JSON.stringify(tally.failures)}); rerun the same command to retry them`);
  },
});

const trainCommand = defineCommand({
  meta: { name: "train", description: "train a classifier (hashed word/bigram or GPT features) on 0–5 labels or on positive/negative corpora" },
  args: {
    ...dataArgs,
    out: { type: "string", description: "model folder to write" },
    features: { type: "string", description: "hashed (word and bigram buckets), gpt (mean-pooled hidden states of the --checkpoint GPT) or encoder (the same of a --checkpoint masked-LM encoder)", default: "hashed" },
    checkpoint: { type: "string", description: "checkpoint folder of a Kiln-trained GPT (<run>/checkpoint), for --features gpt" },
    classes: { type: "string", description: "labels are 0..classes-1 (ignored for --positive/--negative: 2)", default: "6" },
    objective: enumFlag("what the labels are: classes, or a score", ["classification", "regression"], "classification"),
    head: enumFlag("the model on top of the features", ["linear", "mlp"], DEFAULT_HEAD.head),
    hidden: { type: "string", description: "hidden width of the mlp head", default: String(DEFAULT_HEAD.hidden) },
    buckets: { type: "string", description: "hashed feature rows (hashed features)", default: String(DEFAULT_FEATURES.buckets) },
    "word-ngrams": { type: "string", description: "1: words; 2: words and word bigrams", default: "2" },
    "max-words": { type: "string", description: "words read per document", default: String(DEFAULT_FEATURES.maxWords) },
    epochs: { type: "string", description: "most passes over the data", default: String(DEFAULT_TRAIN.epochs) },
    lr: { type: "string", description: "initial learning rate (decays linearly to 0)", default: String(DEFAULT_TRAIN.learningRate) },
    validation: { type: "string", description: "held-out share for early stopping and metrics", default: String(DEFAULT_TRAIN.validationFraction) },
    patience: { type: "string", description: "epochs without a better validation macro F1 before stopping", default: String(DEFAULT_TRAIN.patience) },
    seed: { type: "string", description: "seed of the split, shuffles and initialisation", default: String(DEFAULT_TRAIN.seed) },
    "class-weights": enumFlag("auto: balanced for classification, none for regression", ["auto", "none", "balanced"], "auto"),
    "decision-threshold": { type: "string", description: "two classes: auto (the P(positive) cut-off with the best positive F1 on the validation split), argmax, or a probability", default: "auto" },
    "text-statistics": { type: "boolean", description: "add tokens for the text's form (repetition, word length, punctuation, sentence-like lines) to the hashed features; --no-text-statistics leaves words and pairs only", default: true },
    "binary-threshold": { type: "string", description: "label from which a document is positive in binary F1 (default 3; 1 for binary)" },
  },
  async run({ args }) {
    if (!args.out) throw new KilnError("usage", "train needs --out <model folder>");
    const kind = args.features;
    if (kind === "hashed" && args.checkpoint) throw new KilnError("usage", `--checkpoint is for embedding features (--features ${embedderKinds().join(" | ") || "gpt"}), not hashed ones`);
    if (kind !== "hashed" && !args.checkpoint) throw new KilnError("usage", `--features ${kind} needs --checkpoint <folder>`);
    const { saved, data, warning } = await trainClassifier({
      out: args.out,
      textKey: args["text-key"],
      features:
        kind === "hashed"
          ? {
              buckets: numberFlag("buckets", args.buckets, { integer: true, min: 1, max: 2 ** 26 }),
              wordNgrams: numberFlag("word-ngrams", args["word-ngrams"], { integer: true, min: 1, max: 2 }) as 1 | 2,
              maxWords: numberFlag("max-words", args["max-words"], { integer: true, min: 1 }),
              textStatistics: args["text-statistics"],
            }
          : { embedder: kind, checkpoint: args.checkpoint!, onProgress: (done, total) => process.stderr.write(`embedded ${done}/${total} documents\n`) },
      head: args.head,
      hidden: numberFlag("hidden", args.hidden, { integer: true, min: 1 }),
      objective: args.objective,
      binaryThreshold: args["binary-threshold"] ? numberFlag("binary-threshold", args["binary-threshold"], { min: 0 }) : undefined,
      train: {
        epochs: numberFlag("epochs", args.epochs, { integer: true, min: 1 }),
        learningRate: numberFlag("lr", args.lr, { min: 0 }),
        validationFraction: numberFlag("validation", args.validation, { min: 0, max: 0.9 }),
        patience: numberFlag("patience", args.patience, { integer: true, min: 1 }),
        seed: numberFlag("seed", args.seed, { integer: true }),
        classWeights: args["class-weights"],
        decisionThreshold: ["auto", "argmax"].includes(args["decision-threshold"]) ? (args["decision-threshold"] as "auto" | "argmax") : numberFlag("decision-threshold", args["decision-threshold"], { min: 0, max: 1 }),
        onEpoch: (e) => process.stderr.write(`epoch ${e.epoch}: train loss ${e.trainLoss.toFixed(4)}, validation macro F1 ${e.validationMacroF1.toFixed(4)} (${e.seconds.toFixed(1)} s)\n`),
      },
      // Last: every flag is checked before any file is listed.
      data: await dataFlags(args, () => numberFlag("classes", args.classes, { integer: true, min: 2 })),
    });
    const v = saved.validation;
    const features = saved.embedder ? `${kind} features of ${saved.embedder.checkpoint} (dim ${saved.embedder.dim}, id ${saved.embedder.id.slice(0, 24)}…), ` : "";
    process.stdout.write(
      `${args.out}: ${features}${data.examples.length} documents (skipped ${JSON.stringify(data.skipped)}), best epoch ${saved.training.bestEpoch}, ` +
        `validation macro F1 ${v.macroF1.toFixed(4)}, binary F1 ${v.binaryF1.toFixed(4)}, data sha256 ${data.dataHash.slice(0, 16)}…\n`,
    );
    const decision = saved.decision;
    if (decision) {
      const how = decision.chosenOn === "validation" ? `chosen on the validation split, where label 1 has F1 ${decision.validationF1!.toFixed(4)}` : "given";
      process.stdout.write(`decision threshold: label 1 when P(label 1) >= ${decision.threshold} (${how})\n`);
    }
    if (warning) process.stderr.write(`kiln: warning: ${warning}\n`);
  },
});

const evalCommand = defineCommand({
  meta: { name: "eval", description: "macro F1, binary F1, confusion matrix and calibration of a model on labelled data" },
  args: {
    model: { type: "string", description: "model folder" },
    ...dataArgs,
    json: { type: "boolean", description: "print the report as JSON" },
    "by-language": { type: "boolean", description: "metrics per language: from --language-key, else detected (Kiln's default detector); --no-by-language skips them", default: true },
  },
  async run({ args }) {
    if (!args.model) throw new KilnError("usage", "eval needs --model <folder>");
    const model = await loadModel(args.model);
    const { shape } = model.record;
    const data = await readClassifierData(await dataFlags(args, () => shape.classes), args["text-key"], shape.objective === "classification");
    const predictions = predictAll(scorerFor(model), data.examples.map((e) => e.text));
    const scores = Float64Array.from(predictions, (p) => p.score);
    const predicted = Int32Array.from(predictions, (p) => p.label);
    const truth = Float64Array.from(data.examples, (e) => e.label);
    const { binaryThreshold, labelNames } = model.record;
    const report = evaluate(scores, predicted, truth, shape.classes, binaryThreshold);
    const byLanguage = args["by-language"] ? evaluateByGroup(await languagesOf(data.examples), predicted, truth, shape.classes, binaryThreshold) : undefined;
    if (args.json) process.stdout.write(JSON.stringify({ ...report, byLanguage }, null, 2) + "\n");
    else {
      process.stdout.write(formatReport(report, labelNames));
      if (byLanguage) process.stdout.write("\n" + formatGroups(byLanguage, "language", labelNames[binaryThreshold] ?? String(binaryThreshold)));
    }
    const warning = collapseWarning(truth, predicted, binaryThreshold);
    if (warning) process.stderr.write(`kiln: warning: ${warning}\n`);
  },
});

export const classifierCommand = defineCommand({
  meta: { name: "classifier", description: "FineWeb-Edu / DCLM-style quality classifier: annotate with an LLM, train, evaluate" },
  subCommands: { annotate: annotateCommand, train: trainCommand, eval: evalCommand },
});
