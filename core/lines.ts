import { KilnError } from "./errors.js";

/** The longest line `lines` returns by default: 64 Mi characters, far below V8's string limit. */
export const MAX_LINE_CHARS = 64 * 1024 * 1024;

export interface LineOptions {
  /** Longer lines are not returned (default MAX_LINE_CHARS). */
  maxChars?: number;
  /**
   * Hears of each over-long line (1-based number, characters); an empty line takes its place.
   * Without it, an over-long line is an error naming `file` and the line.
   */
  onTooLong?: (line: number, chars: number) => void;
  /** Names the input in errors. */
  file?: string;
}

/**
 * Splits decoded text chunks into lines, carrying partial lines across chunks. Memory is bounded
 * by `maxChars`: the rest of an over-long line is read past, not kept.
 */
export async function* lines(chunks: AsyncIterable<string>, options: LineOptions = {}): AsyncGenerator<string> {
  const maxChars = options.maxChars ?? MAX_LINE_CHARS;
  let rest = "";
  // Characters of the current line read past because it is too long; -1 while it is not.
  let dropped = -1;
  let lineNumber = 0;
  /** The line that ends with `piece`, or "" in place of one that is too long. */
  const take = (piece: string): string => {
    lineNumber++;
    const chars = (dropped >= 0 ? dropped : rest.length) + piece.length;
    const line = dropped < 0 && chars <= maxChars ? rest + piece : null;
    rest = "";
    dropped = -1;
    if (line !== null) return line;
    if (!options.onTooLong) {
      throw new KilnError("line_too_long", `${options.file ?? "input"}:${lineNumber}: line of ${chars} characters is over the ${maxChars}-character limit`);
    }
    options.onTooLong(lineNumber, chars);
    return "";
  };
  for await (const chunk of chunks) {
    let start = 0;
    let end: number;
    while ((end = chunk.indexOf("\n", start)) !== -1) {
      yield take(chunk.slice(start, end));
      start = end + 1;
    }
    const piece = start === 0 ? chunk : chunk.slice(start);
    if (dropped >= 0) dropped += piece.length;
    else if (rest.length + piece.length > maxChars) {
      dropped = rest.length + piece.length;
      rest = "";
    } else rest += piece;
  }
  if (rest.length > 0 || dropped > 0) yield take("");
}
