import { KilnError } from "../errors.js";

// Internal: glob matching for object-store keys, where there is no file system to walk.
// Node 20's path.matchesGlob is experimental and prints a warning, hence this small helper.

const GLOB_CHARS = /[*?[\]{}\\]/;

export function hasGlobChars(pattern: string): boolean {
  return GLOB_CHARS.test(pattern);
}

/** The part before the first glob character: the listing prefix that can contain every match. */
export function literalPrefix(pattern: string): string {
  const index = pattern.search(GLOB_CHARS);
  return index < 0 ? pattern : pattern.slice(0, index);
}

/**
 * `*` and `?` stay within one path segment, `**` spans segments (including none), `[abc]`,
 * `[!abc]` and `{a,b}` as in shells and tinyglobby, `\` escapes the next character.
 */
export function globToRegExp(pattern: string): RegExp {
  let source = "";
  let braceDepth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] as string;
    if (char === "*" && pattern[i + 1] === "*") {
      const wholeSegment = (i === 0 || pattern[i - 1] === "/") && pattern[i + 2] === "/";
      source += wholeSegment ? "(?:[^/]*/)*" : ".*";
      i += wholeSegment ? 2 : 1;
    } else if (char === "*") {
      source += "[^/]*";
    } else if (char === "?") {
      source += "[^/]";
    } else if (char === "[" && pattern.indexOf("]", i + 2) > i) {
      const end = pattern.indexOf("]", i + 2);
      source += characterClass(pattern.slice(i + 1, end));
      i = end;
    } else if (char === "{") {
      braceDepth += 1;
      source += "(?:";
    } else if (char === "}" && braceDepth > 0) {
      braceDepth -= 1;
      source += ")";
    } else if (char === "," && braceDepth > 0) {
      source += "|";
    } else if (char === "\\" && i + 1 < pattern.length) {
      i += 1;
      source += escapeRegExp(pattern[i] as string);
    } else {
      source += escapeRegExp(char);
    }
  }
  if (braceDepth > 0) throw new KilnError("bad_glob", `unclosed "{" in ${pattern}`);
  return new RegExp(`^${source}$`, "s");
}

function characterClass(body: string): string {
  const negated = body.startsWith("!") || body.startsWith("^");
  const members = (negated ? body.slice(1) : body).replace(/[\\\]^]/g, "\\$&");
  // A negated class must not match "/" either, or it would cross a segment.
  return negated ? `[^/${members}]` : `[${members}]`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
