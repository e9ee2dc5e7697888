import { describe, expect, it } from "vitest";
import { parseDocLine, serializeDoc } from "../../pipeline/jsonl.js";
import { lines, type LineOptions } from "../../core/lines.js";

async function collect(chunks: string[], options: LineOptions = {}): Promise<string[]> {
  const out: string[] = [];
  for await (const line of lines((async function* () { yield* chunks; })(), options)) out.push(line);
  return out;
}

describe("JSONL doc codec", () => {
  it("splits lines across chunk boundaries", async () => {
    expect(await collect(["a\nb", "c\n", "", "d", "e\nf"])).toEqual(["a", "bc", "de", "f"]);
    expect(await collect(["\n\n"])).toEqual(["", ""]);
  });

  it("reads past a line over the limit, in any chunking, and reports it by number and length", async () => {
    const heard: [number, number][] = [];
    const onTooLong = (line: number, chars: number) => heard.push([line, chars]);
    // Line 2 has 12 characters; the limit is 5.
    for (const chunks of [["ab\nabcdefghijkl\ncd\n"], ["ab\nabc", "def", "ghijkl", "\ncd"], ["ab\n", "abcdefghijkl"]]) {
      heard.length = 0;
      const out = await collect(chunks, { maxChars: 5, onTooLong });
      expect(out.slice(0, 2)).toEqual(["ab", ""]);
      expect(heard).toEqual([[2, 12]]);
    }
    expect(await collect(["abcde\n"], { maxChars: 5, onTooLong })).toEqual(["abcde"]);
    await expect(collect(["ok\n0123456789\n"], { maxChars: 5, file: "x.jsonl" })).rejects.toMatchObject({
      code: "line_too_long",
      message: "x.jsonl:2: line of 10 characters is over the 5-character limit",
    });
  });

  it("parses documents and says why a line is not one", () => {
    expect(parseDocLine('{"id":"x","text":"t","meta":{"a":1}}', "f:1")).toEqual({ id: "x", text: "t", meta: { a: 1 } });
    expect(parseDocLine('{"text":"t"}', "f:7")).toEqual({ id: "f:7", text: "t", meta: {} });
    expect(parseDocLine('{"id":3,"content":"t"}', "f:1", { textKey: "content", idKey: "id" })).toEqual({ id: "3", text: "t", meta: {} });
    expect(parseDocLine("{oops", "f:1")).toBe("bad_json");
    expect(parseDocLine("[1]", "f:1")).toBe("not_an_object");
    expect(parseDocLine('{"id":"x"}', "f:1")).toBe("missing_text");
  });

  it("serialises only the Doc fields, in a fixed order", () => {
    const doc = { meta: { b: 1 }, text: "t", id: "i", source: "s", extra: 5 } as never;
    expect(serializeDoc(doc)).toBe('{"id":"i","text":"t","source":"s","meta":{"b":1}}');
  });
});
