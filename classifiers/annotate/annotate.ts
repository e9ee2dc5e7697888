/**
 * `kiln classifier annotate`: labels documents with an LLM. Up to `concurrency` requests are in
 * flight; each reply is cached on disk under sha256(model, prompt template, request settings,
 * document), so a rerun of the same documents costs no request; rows are appended to the output
 * as they finish, and a rerun skips ids already in it (resumable after a kill). A request that
 * still fails after its retries writes no row, so the next run tries it again.
 *
 * Output row: { id, text, score, reason?, reply, model, prompt, cached, promptTokens, completionTokens }
 * with score null and a reason when the reply could not be parsed.
 */
import { createHash } from "node:crypto";
import { mkdir, open, readFile, rename, truncate, writeFile } from "node:fs/promises";
import path from "node:path";
import { chatComplete, ChatError, type ChatConfig } from "./client.js";
import { parseScore } from "./parse.js";
import { renderPrompt, truncateDocument, type PromptTemplate } from "./prompts.js";

export interface AnnotateOptions {
  docs: AsyncIterable<{ id: string; text: string }>;
  out: string;
  prompt: PromptTemplate;
  /** Values for placeholders other than {{document}} (e.g. domain). */
  vars?: Record<string, string>;
  chat: ChatConfig;
  concurrency: number;
  /** Reply cache folder; none when undefined. */
  cacheDir?: string;
  /** Characters of a document sent to the model. */
  maxChars: number;
  maxScore: number;
  /** US dollars per million prompt / completion tokens, for the cost tally. */
  inputPricePerMillion: number;
  outputPricePerMillion: number;
  onEvent?(message: string): void;
}

export interface AnnotateTally {
  documents: number;
  /** Already in the output from an earlier run, or an id repeated in the input. */
  resumed: number;
  requests: number;
  retries: number;
  cacheHits: number;
  parsed: number;
  unparseable: number;
  /** Requests that failed after their retries (no row written). */
  failed: number;
  failures: Record<string, number>;
  unparseableReasons: Record<string, number>;
  promptTokens: number;
  completionTokens: number;
  /** Tokens a cache hit did not pay for again. */
  cachedTokens: number;
  costUsd: number;
}

interface CachedReply {
  content: string;
  finishReason?: string;
  promptTokens: number;
  completionTokens: number;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

export function cacheKey(chat: ChatConfig, template: string, document: string): string {
  return sha256(JSON.stringify([chat.model, sha256(template), chat.temperature, chat.maxTokens, sha256(document)]));
}

async function readCache(dir: string, key: string): Promise<CachedReply | undefined> {
  try {
    return JSON.parse(await readFile(path.join(dir, key.slice(0, 2), `${key}.json`), "utf8")) as CachedReply;
  } catch {
    return undefined;
  }
}

async function writeCache(dir: string, key: string, reply: CachedReply): Promise<void> {
  const folder = path.join(dir, key.slice(0, 2));
  await mkdir(folder, { recursive: true });
  const file = path.join(folder, `${key}.json`);
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(temporary, JSON.stringify(reply));
  await rename(temporary, file);
}

/** Ids already written; a torn last line (a killed run) is cut off so appends start on a new line. */
export async function completedIds(file: string): Promise<Set<string>> {
  const done = new Set<string>();
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return done;
  }
  const end = text.lastIndexOf("\n") + 1;
  if (end < text.length) await truncate(file, Buffer.byteLength(text.slice(0, end)));
  for (const line of text.slice(0, end).split("\n")) {
    if (!line.trim()) continue;
    try {
      const id = (JSON.parse(line) as { id?: unknown }).id;
      if (typeof id === "string") done.add(id);
    } catch {
      // A corrupt line is not a completed row; its document is annotated again.
    }
  }
  return done;
}

function newTally(): AnnotateTally {
  return { documents: 0, resumed: 0, requests: 0, retries: 0, cacheHits: 0, parsed: 0, unparseable: 0, failed: 0, failures: {}, unparseableReasons: {}, promptTokens: 0, completionTokens: 0, cachedTokens: 0, costUsd: 0 };
}

export async function annotate(options: AnnotateOptions): Promise<AnnotateTally> {
  const { chat, prompt } = options;
  const tally = newTally();
  const done = await completedIds(options.out);
  await mkdir(path.dirname(path.resolve(options.out)), { recursive: true });
  const output = await open(options.out, "a");
  let writing = Promise.resolve();
  const append = (row: object) => (writing = writing.then(() => output.write(JSON.stringify(row) + "\n").then(() => undefined)));
  const emit = options.onEvent ?? (() => {});

  async function one(doc: { id: string; text: string }): Promise<void> {
    const document = truncateDocument(doc.text, options.maxChars);
    const key = cacheKey(chat, prompt.template, document);
    let reply = options.cacheDir ? await readCache(options.cacheDir, key) : undefined;
    const cached = reply !== undefined;
    if (reply) {
      tally.cacheHits++;
      tally.cachedTokens += reply.promptTokens + reply.completionTokens;
    } else {
      try {
        const answer = await chatComplete(chat, renderPrompt(prompt.template, document, options.vars), (reason, delay) => {
          tally.retries++;
          tally.requests++;
          emit(`${doc.id}: ${reason}, retrying in ${Math.round(delay)} ms`);
        });
        tally.requests++;
        reply = { content: answer.content, finishReason: answer.finishReason, promptTokens: answer.promptTokens, completionTokens: answer.completionTokens };
      } catch (error) {
        if (!(error instanceof ChatError)) throw error;
        tally.requests++;
        if (error.reason !== "bad_response") {
          tally.failed++;
          tally.failures[error.reason] = (tally.failures[error.reason] ?? 0) + 1;
          emit(`${doc.id}: failed: ${error.message}`);
          return;
        }
        // A 200 that is not a chat completion is recorded (not cached): a reply we could not read.
        reply = { content: "", promptTokens: 0, completionTokens: 0 };
        await record(doc, reply, { score: null, reason: "bad_response" }, false);
        return;
      }
      tally.promptTokens += reply.promptTokens;
      tally.completionTokens += reply.completionTokens;
      tally.costUsd += (reply.promptTokens * options.inputPricePerMillion + reply.completionTokens * options.outputPricePerMillion) / 1e6;
      if (options.cacheDir) await writeCache(options.cacheDir, key, reply);
    }
    await record(doc, reply, parseScore(reply.content, options.maxScore, reply.finishReason), cached);
  }

  async function record(doc: { id: string; text: string }, reply: CachedReply, parsed: { score: number } | { score: null; reason: string }, cached: boolean): Promise<void> {
    if (parsed.score === null) {
      tally.unparseable++;
      tally.unparseableReasons[parsed.reason] = (tally.unparseableReasons[parsed.reason] ?? 0) + 1;
    } else tally.parsed++;
    const row = {
      id: doc.id,
      text: doc.text,
      score: parsed.score,
      ...(parsed.score === null ? { reason: parsed.reason } : {}),
      reply: reply.content,
      model: chat.model,
      prompt: prompt.name,
      cached,
      promptTokens: reply.promptTokens,
      completionTokens: reply.completionTokens,
    };
    await append(row);
  }

  const iterator = options.docs[Symbol.asyncIterator]();
  const seenIds = new Set<string>();
  async function worker(): Promise<void> {
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      tally.documents++;
      const doc = next.value;
      if (done.has(doc.id) || seenIds.has(doc.id)) {
        tally.resumed++;
        continue;
      }
      seenIds.add(doc.id);
      await one(doc);
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  } finally {
    await writing;
    await output.close();
  }
  return tally;
}

