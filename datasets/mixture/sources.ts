/**
 * Reading one mixture source: its files, its records rendered to tokens, and a spill file that
 * holds the tokenized training documents on disk (memory keeps only offsets and ids), so the
 * mixer can revisit any document in any order, for as many epochs as allowed.
 */
import { createWriteStream, type WriteStream } from "node:fs";
import { open, stat, type FileHandle } from "node:fs/promises";
import { once } from "node:events";
import { toDoc } from "../../pipeline/index.js";
import { lines, listFiles, openRead, readText, errorMessage, KilnError, systemError } from "../../core/index.js";
import type { Tokenizer } from "../tokenizer/types.js";
import { renderChat, toMessages } from "./chat.js";
import type { SourceSpec } from "./spec.js";

export interface RenderedDocument {
  id: string;
  tokens: number[];
  mask: number[] | null;
}

/** The files of a source: a folder means every .jsonl(.gz|.zst) / .json under it. */
export async function sourceFiles(name: string, source: SourceSpec): Promise<string[]> {
  const isFolder = await stat(source.path).then((s) => s.isDirectory(), () => false);
  const pattern = isFolder ? `${source.path.replace(/\/+$/, "")}/**/*.{jsonl,jsonl.gz,jsonl.zst,json}` : source.path;
  try {
    return await listFiles(pattern);
  } catch (error) {
    throw new KilnError("no_input", `source "${name}": ${errorMessage(error)}`);
  }
}

/** Raw records of one file: JSON arrays (`.json`) or one JSON value per line. */
async function* fileRecords(file: string): AsyncGenerator<{ value: unknown; where: string } | { skip: string }> {
  if (/\.json$/i.test(file)) {
    let value: unknown;
    try {
      value = JSON.parse(await readText(file));
    } catch (error) {
      throw new KilnError("bad_input", `${file}: not valid JSON: ${errorMessage(error)}`);
    }
    const items = Array.isArray(value) ? value : [value];
    for (let i = 0; i < items.length; i++) yield { value: items[i], where: `${file}#${i}` };
    return;
  }
  const stream = await openRead(file);
  stream.setEncoding("utf8");
  let lineNumber = 0;
  for await (const line of lines(stream as AsyncIterable<string>, { file })) {
    lineNumber++;
    if (line.trim() === "") continue;
    try {
      yield { value: JSON.parse(line), where: `${file}:${lineNumber}` };
    } catch {
      yield { skip: "bad_json" };
    }
  }
}

/** Every record of a source rendered to tokens (and a mask for instruction formats), or a skip reason. */
export async function* renderSource(name: string, source: SourceSpec, tokenizer: Tokenizer): AsyncGenerator<RenderedDocument | string> {
  for (const file of await sourceFiles(name, source)) {
    for await (const record of fileRecords(file)) {
      if ("skip" in record) {
        yield record.skip;
        continue;
      }
      if (source.format === "text") {
        const doc = toDoc(record.value, record.where);
        if (typeof doc === "string") {
          yield doc;
          continue;
        }
        const tokens = tokenizer.encode(doc.text);
        tokens.push(tokenizer.eos);
        yield { id: doc.id, tokens, mask: null };
        continue;
      }
      const messages = toMessages(record.value, source.format);
      if (typeof messages === "string") {
        yield messages;
        continue;
      }
      const id = (record.value as { id?: unknown }).id;
      const { tokens, mask } = renderChat(messages, source.template, tokenizer);
      yield { id: typeof id === "string" || typeof id === "number" ? String(id) : record.where, tokens, mask };
    }
  }
}

/** Tokenized documents of one source on disk: uint32 tokens, then the mask bytes when there is one. */
export class SpillStore {
  private readonly offsets: number[] = [];
  private readonly lengths: number[] = [];
  private readonly masked: boolean[] = [];
  readonly ids: string[] = [];
  tokens = 0;
  private bytes = 0;
  private writer: WriteStream | undefined;
  private reader: FileHandle | undefined;
  /** A write that failed (disk full): reported by the next append or by seal, naming the file. */
  private failure: Error | undefined;

  constructor(readonly file: string) {}

  get documents(): number {
    return this.lengths.length;
  }

  lengthOf(index: number): number {
    return this.lengths[index]!;
  }

  async append(doc: RenderedDocument): Promise<void> {
    this.throwIfFailed();
    if (!this.writer) {
      this.writer = createWriteStream(this.file);
      this.writer.on("error", (error) => (this.failure ??= error));
    }
    const tokens = Uint32Array.from(doc.tokens);
    this.offsets.push(this.bytes);
    this.lengths.push(tokens.length);
    this.masked.push(doc.mask !== null);
    this.ids.push(doc.id);
    this.tokens += tokens.length;
    let ok = this.writer.write(new Uint8Array(tokens.buffer));
    this.bytes += tokens.byteLength;
    if (doc.mask) {
      ok = this.writer.write(Uint8Array.from(doc.mask));
      this.bytes += doc.mask.length;
    }
    if (!ok) {
      // Stop listening for the event that did not come: listeners left behind pile up per wait.
      const done = new AbortController();
      const { signal } = done;
      await Promise.race([once(this.writer, "drain", { signal }), once(this.writer, "close", { signal })]).finally(() => done.abort());
    }
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure) throw systemError(this.failure, this.file) ?? this.failure;
  }

  /** Ends writing; reads may start. */
  async seal(): Promise<void> {
    if (this.writer) {
      this.writer.end();
      if (!this.writer.closed) await once(this.writer, "close");
      this.throwIfFailed();
      this.reader = await open(this.file, "r");
    }
  }

  async read(index: number): Promise<{ tokens: Uint32Array; mask: Uint8Array | null; id: string }> {
    const length = this.lengths[index]!;
    const size = length * 4 + (this.masked[index] ? length : 0);
    const buffer = new Uint8Array(size);
    await this.reader!.read(buffer, 0, size, this.offsets[index]!);
    return {
      tokens: new Uint32Array(buffer.buffer, 0, length),
      mask: this.masked[index] ? buffer.subarray(length * 4) : null,
      id: this.ids[index]!,
    };
  }

  async close(): Promise<void> {
    await this.reader?.close();
    this.reader = undefined;
  }
}
