/**
 * The evaluation task registry: a YAML file naming tasks, each a JSONL file of items in one of
 * three shapes. `kiln eval --tasks` scores a checkpoint on them (trainer/tasks.ts), and the
 * `decontaminate` stage drops or marks training documents that share n-grams with their items.
 *
 *   tasks:
 *     - name: science-quiz
 *       kind: multiple_choice          # items {context, choices: [...], answer: <index>}
 *       path: quiz.jsonl
 *       fewshot: { path: quiz-train.jsonl, k: 3, seed: 1 }
 *     - name: held-out-wiki
 *       kind: language_modeling        # items {text}: bits per byte
 *       path: wiki.jsonl
 *     - name: capitals
 *       kind: generation               # items {prompt, answer: "..." | ["...", ...]}: exact match
 *       path: capitals.jsonl
 *       stop: ["\n"]
 *
 * Paths are relative to the YAML file. Unknown keys, and items of the wrong shape, are errors that
 * name the file, the line and the field.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { loadYamlFile } from "./config.js";
import { KilnError, formatZodError } from "./errors.js";

const multipleChoiceItem = z
  .object({
    id: z.string().optional(),
    context: z.string().describe("the text before the answer (the question)"),
    choices: z.array(z.string()).min(2).describe("the candidate continuations, each scored after the context"),
    answer: z.number().int().min(0).describe("index of the right choice"),
  })
  .strict()
  .refine((item) => item.answer < item.choices.length, { message: "answer is not an index of choices", path: ["answer"] });

const languageModelingItem = z.object({ id: z.string().optional(), text: z.string().min(1) }).strict();

const generationItem = z
  .object({
    id: z.string().optional(),
    prompt: z.string(),
    answer: z.union([z.string(), z.array(z.string()).min(1)]).describe("the right answer, or several accepted ones"),
  })
  .strict();

export type MultipleChoiceItem = z.output<typeof multipleChoiceItem>;
export type LanguageModelingItem = z.output<typeof languageModelingItem>;
export type GenerationItem = z.output<typeof generationItem>;

const fewshot = z
  .object({
    path: z.string().describe("JSONL of items to draw the examples from (a split apart from the scored items)"),
    k: z.number().int().min(0).describe("examples before each item"),
    seed: z.number().int().default(0).describe("which examples are drawn"),
  })
  .strict();

const taskEntry = z.discriminatedUnion("kind", [
  z
    .object({
      name: z.string().min(1),
      kind: z.literal("multiple_choice"),
      path: z.string(),
      fewshot: fewshot.optional(),
      separator: z.string().default("\n\n").describe("between few-shot examples and the item"),
    })
    .strict(),
  z.object({ name: z.string().min(1), kind: z.literal("language_modeling"), path: z.string() }).strict(),
  z
    .object({
      name: z.string().min(1),
      kind: z.literal("generation"),
      path: z.string(),
      fewshot: fewshot.optional(),
      separator: z.string().default("\n\n"),
      stop: z.array(z.string().min(1)).default(["\n"]).describe("generation ends at the first of these (and at the end-of-text token)"),
      maxTokens: z.number().int().positive().default(32),
    })
    .strict(),
]);

const registryFile = z.object({ tasks: z.array(taskEntry).min(1) }).strict();

export type EvalTaskSpec = z.output<typeof taskEntry>;

export type EvalTask =
  | (Extract<EvalTaskSpec, { kind: "multiple_choice" }> & { items: MultipleChoiceItem[]; examples: MultipleChoiceItem[] })
  | (Extract<EvalTaskSpec, { kind: "language_modeling" }> & { items: LanguageModelingItem[] })
  | (Extract<EvalTaskSpec, { kind: "generation" }> & { items: GenerationItem[]; examples: GenerationItem[] });

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    throw new KilnError("bad_config", `${file}: cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** The items of a JSONL file, each checked against `schema`; an error names the file, line and field. */
async function readItems<T>(file: string, schema: z.ZodType<T>): Promise<T[]> {
  const items: T[] = [];
  for (const [index, line] of (await readText(file)).split("\n").entries()) {
    if (line.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new KilnError("bad_data", `${file}:${index + 1}: not a JSON object`);
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new KilnError("bad_data", `${file}:${index + 1}: ${formatZodError(parsed.error)}`);
    items.push(parsed.data);
  }
  if (items.length === 0) throw new KilnError("bad_data", `${file}: no items`);
  return items;
}

/** Reads a registry and every task's items (and few-shot examples). */
export async function loadEvalTasks(file: string): Promise<EvalTask[]> {
  const registry = await loadYamlFile(file, registryFile);
  const names = new Set<string>();
  const base = path.dirname(file);
  const tasks: EvalTask[] = [];
  for (const spec of registry.tasks) {
    if (names.has(spec.name)) throw new KilnError("bad_config", `${file}: task "${spec.name}" is named twice`);
    names.add(spec.name);
    const at = (p: string) => path.resolve(base, p);
    if (spec.kind === "language_modeling") tasks.push({ ...spec, items: await readItems(at(spec.path), languageModelingItem) });
    else if (spec.kind === "multiple_choice") {
      const items = await readItems(at(spec.path), multipleChoiceItem);
      const examples = spec.fewshot && spec.fewshot.k > 0 ? await readItems(at(spec.fewshot.path), multipleChoiceItem) : [];
      tasks.push({ ...spec, items, examples });
    } else {
      const items = await readItems(at(spec.path), generationItem);
      const examples = spec.fewshot && spec.fewshot.k > 0 ? await readItems(at(spec.fewshot.path), generationItem) : [];
      tasks.push({ ...spec, items, examples });
    }
  }
  return tasks;
}

/** The texts of a task's items that training data must not contain (what decontamination indexes). */
export function itemTexts(task: EvalTask): string[] {
  if (task.kind === "language_modeling") return task.items.map((item) => item.text);
  if (task.kind === "multiple_choice") return task.items.map((item) => `${item.context}${item.choices[item.answer]}`);
  return task.items.map((item) => `${item.prompt} ${Array.isArray(item.answer) ? item.answer[0] : item.answer}`);
}
