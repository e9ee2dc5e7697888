import path from "node:path";
import { z } from "zod";
import { type Doc, type TaskContext, parseDocLine, type DocFields, register } from "../../pipeline/index.js";
import { lines } from "../../core/index.js";
import { openTextInput } from "./open.js";

const params = z.object({
  textKey: z.string().default("text").describe("field that holds the text"),
  idKey: z.string().default("id").describe("field that holds the id; missing ids become <file>:<line>"),
  source: z.string().optional().describe("set doc.source on every document"),
});

export async function* readJsonl(file: string, ctx: TaskContext, fields: DocFields): AsyncGenerator<Doc> {
  const stream = await openTextInput(file, "jsonl", ctx);
  const name = path.basename(file);
  let lineNumber = 0;
  const onTooLong = (line: number, chars: number) => {
    ctx.skip("jsonl", "line_too_long");
    ctx.log(`jsonl: ${file}:${line}: skipped: line_too_long: ${chars} characters`);
  };
  for await (const line of lines(stream, { file, onTooLong })) {
    lineNumber++;
    if (line.length === 0 || line === "\r") continue;
    const doc = parseDocLine(line, `${name}:${lineNumber}`, fields);
    if (typeof doc === "string") {
      ctx.skip("jsonl", doc);
      ctx.log(`jsonl: ${file}:${lineNumber}: skipped: ${doc === "missing_text" ? `no string field "${fields.textKey}"` : doc}`);
      continue;
    }
    yield doc;
  }
}

register({
  kind: "reader",
  name: "jsonl",
  description: "JSON Lines documents (.jsonl, .jsonl.gz, .jsonl.zst), one Doc per line",
  params,
  create: (p) => ({ name: "jsonl", read: (file, ctx) => readJsonl(file, ctx, p) }),
});
