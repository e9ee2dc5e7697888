import path from "node:path";
import { pathToFileURL } from "node:url";
import type { z } from "zod";
import type { Doc, Reader, Stage, StepTask, TaskContext, Writer } from "./doc.js";
import { KilnError, errorMessage } from "../core/index.js";

export type SpecKind = "reader" | "stage" | "writer" | "task";

interface BaseSpec<P extends z.ZodType> {
  name: string;
  description: string;
  /** zod schema of the parameters; every field has a default or is required, and a `.describe()`. */
  params: P;
  /**
   * A line the run prints once, at its start, when the component runs with these params, for a
   * setting that is valid but almost surely not what the user meant (a filter with nothing to
   * filter by).
   */
  note?(params: z.output<P>): string | undefined;
}
export interface ReaderSpec<P extends z.ZodType = z.ZodType> extends BaseSpec<P> {
  kind: "reader";
  create(params: z.output<P>): Reader;
  /**
   * For readers that know their own input (a Common Crawl crawl by name): the files to read when
   * the step gives no `paths`. Called once, when the step is planned.
   */
  inputs?(params: z.output<P>): Promise<string[]>;
}
export interface StageSpec<P extends z.ZodType = z.ZodType> extends BaseSpec<P> {
  kind: "stage";
  create(params: z.output<P>): Stage;
}
export interface WriterSpec<P extends z.ZodType = z.ZodType> extends BaseSpec<P> {
  kind: "writer";
  create(params: z.output<P>): Writer;
}
/** A whole-step task: for steps that need a global view rather than a stream of documents. */
export interface TaskSpec<P extends z.ZodType = z.ZodType> extends BaseSpec<P> {
  kind: "task";
  create(params: z.output<P>): StepTask;
}
export type AnySpec = ReaderSpec | StageSpec | WriterSpec | TaskSpec;

const specs = new Map<string, AnySpec>();
const key = (kind: SpecKind, name: string) => `${kind}:${name}`;

export function register<P extends z.ZodType>(spec: ReaderSpec<P> | StageSpec<P> | WriterSpec<P> | TaskSpec<P>): void {
  const k = key(spec.kind, spec.name);
  const existing = specs.get(k);
  // Modules can be imported twice (source and compiled); the first registration wins.
  if (existing) return;
  specs.set(k, spec as unknown as AnySpec);
}

export function getSpec(kind: "reader", name: string): ReaderSpec;
export function getSpec(kind: "stage", name: string): StageSpec;
export function getSpec(kind: "writer", name: string): WriterSpec;
export function getSpec(kind: "task", name: string): TaskSpec;
export function getSpec(kind: SpecKind, name: string): AnySpec {
  const spec = specs.get(key(kind, name));
  if (!spec) {
    const known = listSpecs(kind).map((s) => s.name).join(", ");
    throw new KilnError(`unknown_${kind}`, `unknown ${kind} "${name}" (known: ${known || "none"})`);
  }
  return spec;
}

export function listSpecs(kind?: SpecKind): AnySpec[] {
  return [...specs.values()]
    .filter((s) => !kind || s.kind === kind)
    .sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
}

/** What a per-document function may return: the (possibly changed) document, or a drop reason. */
export type DocResult = Doc | string;

/**
 * A stage made of one function per document. A throw on one document drops that document
 * with reason `error:<stage>` and logs the message; the run goes on.
 */
export function docStage<P extends z.ZodType>(options: {
  name: string;
  description: string;
  params: P;
  note?(params: z.output<P>): string | undefined;
  /** Called once per task with the parsed params; returns the per-document function. */
  setup(params: z.output<P>): (doc: Doc, ctx: TaskContext) => DocResult | Promise<DocResult>;
}): StageSpec<P> {
  return {
    kind: "stage",
    name: options.name,
    description: options.description,
    params: options.params,
    ...(options.note ? { note: options.note } : {}),
    create(params) {
      const process = options.setup(params);
      const name = options.name;
      return {
        name,
        async *run(docs, ctx) {
          for await (const doc of docs) {
            let result: DocResult;
            try {
              result = await process(doc, ctx);
            } catch (error) {
              ctx.log(`${name}: document ${doc.id}: ${errorMessage(error)}`);
              ctx.drop(doc, name, `error:${name}`);
              continue;
            }
            if (typeof result === "string") ctx.drop(doc, name, result);
            else yield result;
          }
        },
      };
    },
  };
}

/**
 * A filter: one pure function `(doc, params) => true | "reason"`. It decides; it never changes
 * the document (annotating stages write `doc.meta`, filters read it).
 */
export function filterStage<P extends z.ZodType>(options: {
  name: string;
  description: string;
  params: P;
  keep(doc: Doc, params: z.output<P>): true | string;
}): StageSpec<P> {
  return docStage({
    name: options.name,
    description: options.description,
    params: options.params,
    setup: (params) => (doc) => {
      const verdict = options.keep(doc, params);
      return verdict === true ? doc : verdict;
    },
  });
}

/** Imports modules that register stages: the built-in ones and those a config names. */
export async function importModules(urls: string[]): Promise<void> {
  for (const url of urls) await import(url);
}

/** A module a config names, as an importable URL: a URL as given, a path made absolute. */
export const toModuleUrl = (p: string) => (/^[a-z]+:/i.test(p) && !/^[a-z]:[\\/]/i.test(p) ? p : pathToFileURL(path.resolve(p)).href);
