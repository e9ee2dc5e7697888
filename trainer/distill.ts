/**
 * `kiln distill`: a smaller model learns from a larger one.
 *
 * - Token-level (`kiln distill train.yaml --teacher <ckpt>`): the training run of `train.yaml`
 *   with `distill: { teacher, alpha, temperature }` — on the same windows the student is trained
 *   on α·T²·KL(teacher_T ‖ student_T) + (1 − α)·CE, the teacher's logits computed on the fly by
 *   the frozen teacher (step.ts `distillationLoss`). Teacher and student share a tokenizer.
 * - Sequence-level (`kiln distill --teacher <ckpt> --prompts p.jsonl --out r.jsonl`, Kim & Rush
 *   2016): the teacher answers each prompt in a chat template; the answers are written as
 *   `{prompt, response}` rows, an instruction source `kiln mix` reads (`format: prompt_response`),
 *   on which the student is fine-tuned with the loss on the responses only. Prompt i is sampled
 *   with seed mix(seed, i), so the file is the same however often the run was interrupted: each
 *   answer is appended to `<out>.partial` as it is made, a rerun continues after the last complete
 *   row, and the finished file is renamed into place. The sampling settings are recorded in
 *   `<out>.meta.json`.
 */
import { appendFile, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { defineCommand } from "citty";
import { checkTemplate, renderGenerationPrompt, CHAT_TEMPLATES, type ChatTemplate } from "../datasets/index.js";
import { numberFlag, enumFlag, KilnError, fileExists, writeFileAtomic, mixSeed } from "../core/index.js";
import { backendFlag, describeSelection, selectBackend } from "./backend.js";
import { loadFrozenModel } from "./checkpoint.js";
import { loadTrainConfig } from "./config.js";
import { generate, type SamplingOptions } from "./generate.js";
import { kernelsFor } from "./kernels.js";
import { loadDatasetTokenizer, loadTextTokenizer, nearbyDirs } from "./tokenizer.js";
import { disposeResult, train } from "./train.js";
import { openRunData } from "./cli.js";

export interface ResponseOptions extends SamplingOptions {
  teacher: string;
  prompts: string;
  out: string;
  template: ChatTemplate;
  maxTokens: number;
  seed: number;
  log?: (line: string) => void;
}

/** The prompt of one row: `prompt`, or alpaca's `instruction` (with its `input`); else the reason it is skipped. */
function promptOf(line: string): string | { skip: string } {
  let row: unknown;
  try {
    row = JSON.parse(line);
  } catch {
    return { skip: "bad_json" };
  }
  if (typeof row !== "object" || row === null) return { skip: "not_an_object" };
  const r = row as Record<string, unknown>;
  if (typeof r.prompt === "string" && r.prompt.trim()) return r.prompt;
  if (typeof r.instruction === "string" && r.instruction.trim()) return typeof r.input === "string" && r.input.trim() ? `${r.instruction}\n\n${r.input}` : r.instruction;
  return { skip: "no_prompt" };
}

/** Sequence-level distillation data: the teacher's answer to each prompt (see the file comment). */
export async function distillResponses(options: ResponseOptions): Promise<{ rows: number; skipped: Record<string, number> }> {
  const log = options.log ?? (() => {});
  const teacher = await loadFrozenModel(options.teacher);
  const { meta: loaded, params, adapters } = teacher;
  const model = loaded.model;
  try {
    if (model.kind === "encoder") throw new KilnError("usage", `${options.teacher} is an encoder: it does not generate`);
    if (!loaded.tokenizerId) throw new KilnError("no_tokenizer", `${options.teacher}: the checkpoint names no tokenizer`);
    const searchDirs = nearbyDirs(options.teacher);
    const tokenizer = await loadTextTokenizer(loaded.tokenizerId, searchDirs);
    const chat = await loadDatasetTokenizer(loaded.tokenizerId, searchDirs);
    checkTemplate(options.template, chat, "--chat");
    const settings = { teacher: path.resolve(options.teacher), tokenizer: loaded.tokenizerId, template: options.template, maxTokens: options.maxTokens, temperature: options.temperature, topK: options.topK, topP: options.topP, seed: options.seed };
    const metaFile = `${options.out}.meta.json`;
    const partial = `${options.out}.partial`;
    const previous = await readFile(metaFile, "utf8").catch(() => undefined);
    if (previous !== undefined && (await fileExists(partial)) && previous !== JSON.stringify(settings, null, 1) + "\n") {
      throw new KilnError("config_changed", `${partial} was made with other settings (${metaFile}); remove both to start over`);
    }
    await writeFileAtomic(metaFile, JSON.stringify(settings, null, 1) + "\n");
    // Rows already answered: the complete lines of the partial file.
    const done = (await readFile(partial, "utf8").catch(() => "")).split("\n");
    const complete = done.slice(0, -1);
    await writeFile(partial, complete.map((l) => l + "\n").join(""));
    const skipped: Record<string, number> = {};
    const lines = (await readFile(options.prompts, "utf8")).split("\n").filter((l) => l.trim());
    const kernels = kernelsFor();
    let rows = 0;
    for (const [i, line] of lines.entries()) {
      const prompt = promptOf(line);
      if (typeof prompt !== "string") {
        skipped[prompt.skip] = (skipped[prompt.skip] ?? 0) + 1;
        continue;
      }
      if (rows++ < complete.length) continue;
      const rendered = renderGenerationPrompt([{ role: "user", content: prompt }], options.template, chat);
      const ids = await generate(model, params, rendered.tokens, {
        maxNewTokens: options.maxTokens,
        temperature: options.temperature,
        topK: options.topK,
        topP: options.topP,
        seed: mixSeed(options.seed, i),
        eosId: loaded.eosId ?? tokenizer.eosId,
        stopIds: [rendered.stop],
        adapters,
        kernels,
      });
      const answer = ids.at(-1) === rendered.stop || ids.at(-1) === (loaded.eosId ?? tokenizer.eosId) ? ids.slice(0, -1) : ids;
      await appendFile(partial, JSON.stringify({ prompt, response: tokenizer.decode(answer) }) + "\n");
      if (rows % 50 === 0) log(`${rows} prompts answered`);
    }
    await rename(partial, options.out);
    log(`${options.out}: ${rows} responses by ${options.teacher} (${options.template}; settings in ${metaFile})${Object.keys(skipped).length ? `; skipped ${JSON.stringify(skipped)}` : ""}`);
    return { rows, skipped };
  } finally {
    teacher.dispose();
  }
}

export const distillCommand = defineCommand({
  meta: { name: "distill", description: "knowledge distillation: train.yaml's student on a teacher's softened distribution (token-level), or the teacher's answers to prompts as fine-tuning data (--prompts, sequence-level)" },
  args: {
    config: { type: "positional", description: "train.yaml of the student (token-level)", required: false },
    teacher: { type: "string", description: "teacher checkpoint", required: true },
    alpha: { type: "string", description: "token-level: weight of the distillation term", default: "0.5" },
    temperature: { type: "string", description: "token-level: softening temperature T (the term is scaled by T²)", default: "1" },
    steps: { type: "string", description: "token-level: override steps" },
    restart: { type: "boolean", description: "token-level: start the run over" },
    prompts: { type: "string", description: "sequence-level: JSONL of prompts ({prompt} or alpaca's {instruction, input})" },
    out: { type: "string", description: "sequence-level: the {prompt, response} JSONL to write" },
    chat: enumFlag("sequence-level: chat template the teacher answers in", CHAT_TEMPLATES, "chatml"),
    "max-tokens": { type: "string", description: "sequence-level: longest answer", default: "256" },
    "sample-temperature": { type: "string", description: "sequence-level: sampling temperature (0: greedy)", default: "0.7" },
    "top-k": { type: "string", default: "0" },
    "top-p": { type: "string", default: "0.9" },
    seed: { type: "string", default: "1" },
    backend: backendFlag,
  },
  async run({ args }) {
    const log = (line: string) => process.stderr.write(line + "\n");
    log(describeSelection(await selectBackend(args.backend)));
    if (args.prompts !== undefined) {
      if (!args.out) throw new KilnError("usage", "--prompts needs --out <responses.jsonl>");
      await distillResponses({
        teacher: args.teacher, prompts: args.prompts, out: args.out, template: args.chat, maxTokens: numberFlag("max-tokens", args["max-tokens"]),
        temperature: numberFlag("sample-temperature", args["sample-temperature"]), topK: numberFlag("top-k", args["top-k"]), topP: numberFlag("top-p", args["top-p"]), seed: numberFlag("seed", args.seed), log,
      });
      return;
    }
    if (!args.config) throw new KilnError("usage", "give the student's train.yaml (token-level) or --prompts (sequence-level)");
    const overrides: Record<string, unknown> = { distill: { teacher: args.teacher, alpha: numberFlag("alpha", args.alpha), temperature: numberFlag("temperature", args.temperature) } };
    if (args.steps) overrides.steps = numberFlag("steps", args.steps);
    const config = await loadTrainConfig(args.config, overrides);
    disposeResult(await train(config, { ...(await openRunData(config)), log, restart: args.restart }));
  },
});
