/**
 * The strict reader of an annotation reply: the last non-empty line must be `Score: <n>` (the
 * label FineWeb-Edu used, "Educational score:", is accepted too), n an integer in [0, maxScore].
 * Markdown bold around the line is tolerated; anything else is recorded with its reason, never
 * guessed from numbers elsewhere in the reply.
 */
export type ParsedScore = { score: number } | { score: null; reason: ParseFailure };

export type ParseFailure = "empty_reply" | "truncated_reply" | "no_score_line" | "score_not_integer" | "score_out_of_range";

const SCORE_LINE = /^(?:educational\s+)?score\s*:\s*(.+)$/i;

export function parseScore(reply: string, maxScore: number, finishReason?: string): ParsedScore {
  const lines = reply.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const last = lines[lines.length - 1];
  // A reply cut by the token limit may end in a number that is not the verdict.
  if (finishReason === "length") return { score: null, reason: "truncated_reply" };
  if (last === undefined) return { score: null, reason: "empty_reply" };
  const match = SCORE_LINE.exec(last.replace(/^[*_]+|[*_]+$/g, "").trim());
  if (!match) return { score: null, reason: "no_score_line" };
  const value = match[1]!.replace(/^[*_]+|[*_]+$/g, "").trim();
  if (!/^\d+$/.test(value)) return { score: null, reason: "score_not_integer" };
  const score = Number(value);
  if (score > maxScore) return { score: null, reason: "score_out_of_range" };
  return { score };
}
