/**
 * Texts for tokenizer training, streamed: JSONL documents (`.jsonl`, `.jsonl.gz`, `.jsonl.zst`,
 * the `text` field) or plain text files (any other name, read in line groups). Bad JSON lines are
 * counted, not fatal.
 */
import { parseDocLine } from "../../pipeline/index.js";
import { lines, listFiles, openRead } from "../../core/index.js";

export interface CorpusStats {
  files: number;
  documents: number;
  skipped: Record<string, number>;
}

const isJsonl = (path: string) => /\.jsonl(\.gz|\.zst)?$/i.test(path);
/** Plain text is handed on in pieces of about this many characters, so no file is held whole. */
const TEXT_PIECE = 1 << 20;

export async function* readCorpusTexts(patterns: string[], stats: CorpusStats): AsyncGenerator<string> {
  for await (const doc of readCorpusDocs(patterns, stats)) yield doc.text;
}

/** The documents of `patterns` (plain text files give pieces with empty meta), streamed. */
export async function* readCorpusDocs(patterns: string[], stats: CorpusStats): AsyncGenerator<{ text: string; meta: Record<string, unknown> }> {
  for (const path of await listFiles(patterns)) {
    stats.files++;
    const stream = await openRead(path);
    stream.setEncoding("utf8");
    let lineNumber = 0;
    let piece = "";
    for await (const line of lines(stream as AsyncIterable<string>, { file: path })) {
      lineNumber++;
      if (!isJsonl(path)) {
        piece += line + "\n";
        if (piece.length >= TEXT_PIECE) {
          stats.documents++;
          yield { text: piece, meta: {} };
          piece = "";
        }
        continue;
      }
      if (line.trim() === "") continue;
      const doc = parseDocLine(line, `${path}:${lineNumber}`);
      if (typeof doc === "string") {
        stats.skipped[doc] = (stats.skipped[doc] ?? 0) + 1;
        continue;
      }
      stats.documents++;
      yield { text: doc.text, meta: doc.meta };
    }
    if (piece.length > 0) {
      stats.documents++;
      yield { text: piece, meta: {} };
    }
  }
}
