/**
 * Evaluation of a quality classifier: confusion matrix, macro F1 (the early-stopping metric),
 * binary F1 at a threshold (FineWeb-Edu reports F1 of "score >= 3"), and calibration of the
 * continuous score against the true labels.
 */

/** counts[true][predicted] for labels 0..classes-1; labels outside the range are clamped. */
export function confusionMatrix(trueLabels: ArrayLike<number>, predictedLabels: ArrayLike<number>, classes: number): number[][] {
  const counts = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  const clamp = (x: number) => Math.min(classes - 1, Math.max(0, Math.round(x)));
  for (let i = 0; i < trueLabels.length; i++) counts[clamp(trueLabels[i]!)]![clamp(predictedLabels[i]!)]! += 1;
  return counts;
}

export interface ClassScores {
  label: number;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** Per-class precision, recall and F1; a ratio with a zero denominator is 0 (sklearn's zero_division=0). */
export function perClass(matrix: number[][]): ClassScores[] {
  const k = matrix.length;
  const out: ClassScores[] = [];
  for (let c = 0; c < k; c++) {
    const tp = matrix[c]![c]!;
    let support = 0;
    let predicted = 0;
    for (let j = 0; j < k; j++) {
      support += matrix[c]![j]!;
      predicted += matrix[j]![c]!;
    }
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = support + predicted ? (2 * tp) / (support + predicted) : 0;
    out.push({ label: c, precision, recall, f1, support });
  }
  return out;
}

/**
 * Unweighted mean of per-class F1 over the classes that occur in the truth or in the predictions
 * (sklearn's default label set), so an unused label of a 0–5 scale does not count as a zero.
 */
export function macroF1(matrix: number[][]): number {
  const scores = perClass(matrix);
  const used = scores.filter((s, c) => s.support > 0 || matrix.some((row) => row[c]! > 0));
  if (used.length === 0) return 0;
  return used.reduce((sum, s) => sum + s.f1, 0) / used.length;
}

export function accuracy(matrix: number[][]): number {
  let right = 0;
  let total = 0;
  matrix.forEach((row, i) => row.forEach((n, j) => ((total += n), i === j && (right += n))));
  return total ? right / total : 0;
}

/** F1 of the positive class "label >= threshold" (0 when there are no positives at all). */
export function binaryF1(trueLabels: ArrayLike<number>, predictedLabels: ArrayLike<number>, threshold: number): { f1: number; precision: number; recall: number } {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < trueLabels.length; i++) {
    const actual = trueLabels[i]! >= threshold;
    const predicted = predictedLabels[i]! >= threshold;
    if (actual && predicted) tp++;
    else if (predicted) fp++;
    else if (actual) fn++;
  }
  return {
    f1: 2 * tp + fp + fn ? (2 * tp) / (2 * tp + fp + fn) : 0,
    precision: tp + fp ? tp / (tp + fp) : 0,
    recall: tp + fn ? tp / (tp + fn) : 0,
  };
}

/**
 * A warning when the model predicts the positive class ("label >= threshold") for far fewer
 * documents than are labelled so (under a quarter, with at least 5 labelled): the sign of a
 * model that learned the majority class of imbalanced labels. Undefined when it does not.
 */
export function collapseWarning(trueLabels: ArrayLike<number>, predictedLabels: ArrayLike<number>, threshold: number): string | undefined {
  let actual = 0;
  let predicted = 0;
  for (let i = 0; i < trueLabels.length; i++) {
    if (trueLabels[i]! >= threshold) actual++;
    if (predictedLabels[i]! >= threshold) predicted++;
  }
  if (actual < 5 || predicted * 4 >= actual) return undefined;
  return `the model predicts label >= ${threshold} for ${predicted} of ${trueLabels.length} documents, but ${actual} are labelled so: ` +
    "it has mostly learned the majority class (try --class-weights balanced, more positive examples, or --decision-threshold auto)";
}

export interface CalibrationBin {
  from: number;
  to: number;
  count: number;
  meanScore: number;
  meanLabel: number;
}

/**
 * Reliability table: the score range [0, maxLabel] cut into `bins` equal bins; in each, the mean
 * predicted score against the mean true label. For a binary model the score is P(positive) and
 * the mean label is the observed positive rate. The expected calibration error is the
 * count-weighted mean gap.
 */
export function calibration(scores: ArrayLike<number>, trueLabels: ArrayLike<number>, maxLabel: number, bins = 10): { bins: CalibrationBin[]; expectedError: number } {
  const width = maxLabel / bins;
  const table: CalibrationBin[] = Array.from({ length: bins }, (_, b) => ({ from: b * width, to: (b + 1) * width, count: 0, meanScore: 0, meanLabel: 0 }));
  for (let i = 0; i < scores.length; i++) {
    const b = Math.min(bins - 1, Math.max(0, Math.floor(scores[i]! / width)));
    const bin = table[b]!;
    bin.count++;
    bin.meanScore += scores[i]!;
    bin.meanLabel += trueLabels[i]!;
  }
  let gap = 0;
  for (const bin of table) {
    if (!bin.count) continue;
    bin.meanScore /= bin.count;
    bin.meanLabel /= bin.count;
    gap += bin.count * Math.abs(bin.meanScore - bin.meanLabel);
  }
  return { bins: table, expectedError: scores.length ? gap / scores.length : 0 };
}

export interface EvaluationReport {
  documents: number;
  macroF1: number;
  accuracy: number;
  binaryThreshold: number;
  binaryF1: number;
  binaryPrecision: number;
  binaryRecall: number;
  confusion: number[][];
  perClass: ClassScores[];
  calibrationError: number;
  calibration: CalibrationBin[];
}

export function evaluate(scores: ArrayLike<number>, predicted: ArrayLike<number>, trueLabels: ArrayLike<number>, classes: number, binaryThreshold: number): EvaluationReport {
  const matrix = confusionMatrix(trueLabels, predicted, classes);
  const binary = binaryF1(trueLabels, predicted, binaryThreshold);
  const cal = calibration(scores, trueLabels, classes - 1);
  return {
    documents: trueLabels.length,
    macroF1: macroF1(matrix),
    accuracy: accuracy(matrix),
    binaryThreshold,
    binaryF1: binary.f1,
    binaryPrecision: binary.precision,
    binaryRecall: binary.recall,
    confusion: matrix,
    perClass: perClass(matrix),
    calibrationError: cal.expectedError,
    calibration: cal.bins,
  };
}

export interface GroupReport {
  group: string;
  documents: number;
  /** Documents labelled, and predicted, >= the binary threshold. */
  labelledPositive: number;
  predictedPositive: number;
  binaryF1: number;
  binaryPrecision: number;
  binaryRecall: number;
  macroF1: number;
}

/** `evaluate`'s headline numbers per group (e.g. language), largest group first. */
export function evaluateByGroup(groups: readonly string[], predicted: ArrayLike<number>, trueLabels: ArrayLike<number>, classes: number, binaryThreshold: number): GroupReport[] {
  const members = new Map<string, number[]>();
  groups.forEach((group, i) => {
    const list = members.get(group);
    if (list) list.push(i);
    else members.set(group, [i]);
  });
  return [...members]
    .map(([group, ids]) => {
      const truth = ids.map((i) => trueLabels[i]!);
      const guess = ids.map((i) => predicted[i]!);
      const binary = binaryF1(truth, guess, binaryThreshold);
      return {
        group,
        documents: ids.length,
        labelledPositive: truth.filter((x) => x >= binaryThreshold).length,
        predictedPositive: guess.filter((x) => x >= binaryThreshold).length,
        binaryF1: binary.f1,
        binaryPrecision: binary.precision,
        binaryRecall: binary.recall,
        macroF1: macroF1(confusionMatrix(truth, guess, classes)),
      };
    })
    .sort((a, b) => b.documents - a.documents || (a.group < b.group ? -1 : 1));
}

const f = (x: number) => x.toFixed(4);

/** The per-group table `kiln classifier eval` prints under the report. */
export function formatGroups(groups: readonly GroupReport[], title: string, binaryLabel: string): string {
  const lines = [
    `${title.padEnd(10)} docs  labelled >= ${binaryLabel}  predicted >= ${binaryLabel}  precision  recall     F1      macro F1`,
    ...groups.map((g) => `  ${g.group.padEnd(8)} ${String(g.documents).padStart(5)}  ${String(g.labelledPositive).padStart(12 + binaryLabel.length)}  ${String(g.predictedPositive).padStart(13 + binaryLabel.length)}  ${f(g.binaryPrecision)}     ${f(g.binaryRecall)}     ${f(g.binaryF1)}  ${f(g.macroF1)}`),
  ];
  return lines.join("\n") + "\n";
}

/** The text `kiln classifier eval` prints. */
export function formatReport(report: EvaluationReport, labelNames?: string[]): string {
  const name = (c: number) => labelNames?.[c] ?? String(c);
  const width = Math.max(8, ...report.confusion.map((_, c) => name(c).length + 2));
  const lines = [
    `documents          ${report.documents}`,
    `macro F1           ${f(report.macroF1)}`,
    `accuracy           ${f(report.accuracy)}`,
    `binary F1 (>= ${name(report.binaryThreshold)})  ${f(report.binaryF1)}  (precision ${f(report.binaryPrecision)}, recall ${f(report.binaryRecall)})`,
    "",
    "per class          precision  recall     F1      support",
    ...report.perClass.map((c) => `  ${name(c.label).padEnd(16)} ${f(c.precision)}     ${f(c.recall)}     ${f(c.f1)}  ${c.support}`),
    "",
    "confusion matrix (rows: true label, columns: predicted)",
    " ".repeat(width) + report.confusion.map((_, c) => name(c).padStart(width)).join(""),
    ...report.confusion.map((row, r) => name(r).padStart(width) + row.map((n) => String(n).padStart(width)).join("")),
    "",
    `calibration (expected calibration error ${f(report.calibrationError)})`,
    "  score bin       docs  mean score  mean label",
    ...report.calibration
      .filter((b) => b.count > 0)
      .map((b) => `  [${b.from.toFixed(2)}, ${b.to.toFixed(2)})  ${String(b.count).padStart(6)}  ${f(b.meanScore).padStart(10)}  ${f(b.meanLabel).padStart(10)}`),
  ];
  return lines.join("\n") + "\n";
}
