import { PassThrough, Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import "../../stages/index.js";
import { applyStage, parseSetArgs } from "../../pipeline/cli/apply.js";
import { KilnError } from "../../core/errors.js";

async function apply(stage: string, params: Record<string, unknown>, input: string): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (c: Buffer) => chunks.push(c));
  await applyStage(stage, params, Readable.from([input]), out);
  return Buffer.concat(chunks).toString("utf8");
}

describe("kiln apply", () => {
  it("parses --set values as YAML scalars, with dotted keys", () => {
    expect(parseSetArgs(["x", "--set", "minChars=10", "--set=langs=[en, de]", "--set", "a.b=true", "--set", "name=hello"])).toEqual({
      minChars: 10,
      langs: ["en", "de"],
      a: { b: true },
      name: "hello",
    });
    expect(() => parseSetArgs(["--set", "novalue"])).toThrow(KilnError);
  });

  it("runs one stage over stdin JSONL and writes what it keeps", async () => {
    const input = [
      { id: "a", text: "short", meta: {} },
      { id: "b", text: "this one is long enough", meta: { k: 1 } },
      "not json",
      { id: "c", text: "another long enough text", url: "http://x" },
    ]
      .map((x) => (typeof x === "string" ? x : JSON.stringify(x)))
      .join("\n");
    const out = await apply("text_length", { minChars: 10 }, input);
    expect(out).toBe(
      JSON.stringify({ id: "b", text: "this one is long enough", meta: { k: 1 } }) +
        "\n" +
        JSON.stringify({ id: "c", text: "another long enough text", url: "http://x", meta: {} }) +
        "\n",
    );
  });

  it("rejects a bad parameter with its name", async () => {
    await expect(apply("text_length", { minChars: -1 }, "")).rejects.toThrow(/text_length: --set minChars: /);
    await expect(apply("text_length", { minChar: 5 }, "")).rejects.toThrow("text_length: --set minChar: unknown parameter (did you mean minChars?)");
  });
});
