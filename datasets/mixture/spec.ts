/** The mixture YAML: what to mix, in which token proportions, in which phases. Validated before any work. */
import path from "node:path";
import { z } from "zod";
import { PATH_SAFE_NAME, pathSafeName, readYamlFile, KilnError, formatZodIssue } from "../../core/index.js";
import { isPretrainedName } from "../tokenizer/pretrained.js";

const SUFFIX: Record<string, number> = { "": 1, K: 1e3, M: 1e6, B: 1e9, G: 1e9, T: 1e12 };

/** `200M`, `1.5B`, `50000` or a number, as a whole token count. */
export function parseTokenCount(value: string | number): number {
  if (typeof value === "number") return Math.round(value);
  const match = /^\s*(\d+(?:\.\d+)?)\s*([KMBGT]?)\s*$/i.exec(value);
  if (!match) return Number.NaN;
  return Math.round(Number(match[1]) * SUFFIX[match[2]!.toUpperCase()]!);
}

const tokenCount = z
  .union([z.number(), z.string()])
  .transform((v) => parseTokenCount(v))
  .refine((n) => Number.isFinite(n) && n > 0, { message: "must be a positive token count such as 50000, 200M or 1.5B" });

export const SOURCE_FORMATS = ["text", "alpaca", "sharegpt", "messages", "prompt_response"] as const;
export const CHAT_TEMPLATES = ["chatml", "llama3", "plain"] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];
export type ChatTemplate = (typeof CHAT_TEMPLATES)[number];

const sourceSchema = z
  .object({
    path: z.string().min(1).describe("a file, a glob, or a folder of .jsonl(.gz|.zst) / .json files"),
    weight: z.number().positive().optional().describe("share of tokens in a single-phase mixture"),
    maxEpochs: z.number().positive().default(1).describe("most passes over this source before the run stops"),
    format: z.enum(SOURCE_FORMATS).default("text").describe("text documents or an instruction format"),
    template: z.enum(CHAT_TEMPLATES).default("chatml").describe("chat template for instruction formats"),
  })
  .strict();

const phaseSchema = z
  .object({
    name: pathSafeName,
    tokens: tokenCount,
    weights: z.record(z.string(), z.number().positive()),
  })
  .strict();

export const mixtureSchema = z
  .object({
    tokenizer: z.string().min(1).describe("pretrained name (gpt2, cl100k_base, o200k_base) or tokenizer.json path"),
    sources: z.record(z.string(), sourceSchema).superRefine((sources, ctx) => {
      // Checked here rather than as the record's key schema, so the message names the key.
      for (const name of Object.keys(sources)) if (!PATH_SAFE_NAME.test(name)) ctx.addIssue({ code: "custom", path: [name], message: pathSafeName.safeParse(name).error!.issues[0]!.message });
    }),
    phases: z.array(phaseSchema).min(1).optional(),
    tokens: tokenCount.optional().describe("total train tokens of a single-phase mixture; default: all the sources allow"),
    validation: z
      .object({
        fraction: z.number().min(0).max(0.5).default(0).describe("share of each source's documents held out"),
        perSource: z.boolean().default(true).describe("write one val folder per source"),
      })
      .strict()
      .default({ fraction: 0, perSource: true }),
    seed: z.number().int().default(0),
    shardTokens: tokenCount.default(100_000_000).describe("a shard is closed once it holds this many tokens"),
  })
  .strict();

export type MixtureSpec = z.infer<typeof mixtureSchema>;
export type SourceSpec = z.infer<typeof sourceSchema>;

export interface ResolvedPhase {
  name: string;
  /** Train tokens wanted; undefined = as many as the sources' maxEpochs allow. */
  tokens: number | undefined;
  /** Normalised to sum to 1. */
  weights: Record<string, number>;
}

export interface ResolvedMixture {
  file: string;
  spec: MixtureSpec;
  /** Sources with paths resolved against the YAML's folder. */
  sources: Record<string, SourceSpec>;
  tokenizer: string;
  phases: ResolvedPhase[];
}

function normalise(weights: Record<string, number>): Record<string, number> {
  const total = Object.values(weights).reduce((a, b) => a + b, 0);
  return Object.fromEntries(Object.entries(weights).map(([k, v]) => [k, v / total]));
}

/** Validates a parsed mixture; `file` names it in errors and anchors relative paths. */
export function resolveMixture(raw: unknown, file: string): ResolvedMixture {
  const parsed = mixtureSchema.safeParse(raw);
  if (!parsed.success) {
    throw new KilnError("bad_config", `${file}: ${formatZodIssue(parsed.error.issues[0]!)}`);
  }
  const spec = parsed.data;
  const base = path.dirname(path.resolve(file));
  const anchor = (p: string) => (/^[a-z][a-z0-9+.-]*:\/\//i.test(p) || path.isAbsolute(p) ? p : path.join(base, p));
  const sources = Object.fromEntries(Object.entries(spec.sources).map(([name, s]) => [name, { ...s, path: anchor(s.path) }]));
  if (Object.keys(sources).length === 0) throw new KilnError("bad_config", `${file}: sources: name at least one source`);
  let phases: ResolvedPhase[];
  if (spec.phases) {
    if (spec.tokens !== undefined) throw new KilnError("bad_config", `${file}: tokens: give tokens per phase when there are phases`);
    const names = new Set<string>();
    phases = spec.phases.map((phase, i) => {
      if (names.has(phase.name)) throw new KilnError("bad_config", `${file}: phases.${i}.name: "${phase.name}" is used twice`);
      names.add(phase.name);
      for (const source of Object.keys(phase.weights)) {
        if (!sources[source]) throw new KilnError("bad_config", `${file}: phases.${i}.weights.${source}: no source named "${source}"`);
      }
      if (Object.keys(phase.weights).length === 0) throw new KilnError("bad_config", `${file}: phases.${i}.weights: name at least one source`);
      return { name: phase.name, tokens: phase.tokens, weights: normalise(phase.weights) };
    });
  } else {
    const weights: Record<string, number> = {};
    for (const [name, source] of Object.entries(sources)) {
      if (source.weight === undefined) throw new KilnError("bad_config", `${file}: sources.${name}.weight: required when there are no phases`);
      weights[name] = source.weight;
    }
    phases = [{ name: "main", tokens: spec.tokens, weights: normalise(weights) }];
  }
  const tokenizer = isPretrainedName(spec.tokenizer) ? spec.tokenizer : anchor(spec.tokenizer);
  return { file, spec, sources, tokenizer, phases };
}

export async function loadMixtureFile(file: string): Promise<ResolvedMixture> {
  return resolveMixture(await readYamlFile(file), file);
}
