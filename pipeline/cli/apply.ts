import { once } from "node:events";
import { defineCommand } from "citty";
import { parse as parseYaml } from "yaml";
import type { Doc, TaskContext } from "../doc.js";
import { unknownParameter, KilnError, formatZodIssue, lines } from "../../core/index.js";
import { parseDocLine, serializeDoc } from "../jsonl.js";
import { getSpec } from "../registry.js";
import { addCount } from "../stats.js";

/** `--set a.b=1 --set langs=[en,de]` -> { a: { b: 1 }, langs: ["en", "de"] }; values are YAML scalars. */
export function parseSetArgs(rawArgs: string[]): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (let i = 0; i < rawArgs.length; i++) {
    const arg = rawArgs[i]!;
    let assignment: string | undefined;
    if (arg === "--set") assignment = rawArgs[++i];
    else if (arg.startsWith("--set=")) assignment = arg.slice(6);
    else continue;
    const eq = assignment?.indexOf("=") ?? -1;
    if (!assignment || eq <= 0) throw new KilnError("usage", `--set ${assignment ?? ""}: expected key=value`);
    const keys = assignment.slice(0, eq).split(".");
    let target = params;
    for (const k of keys.slice(0, -1)) target = (target[k] ??= {}) as Record<string, unknown>;
    target[keys.at(-1)!] = parseYaml(assignment.slice(eq + 1));
  }
  return params;
}

async function* stdinDocs(input: NodeJS.ReadableStream, skipped: Record<string, number>): AsyncGenerator<Doc> {
  input.setEncoding("utf8");
  let lineNumber = 0;
  const onTooLong = (line: number, chars: number) => {
    addCount(skipped, "line_too_long");
    process.stderr.write(`kiln apply: stdin:${line}: skipped: line_too_long: ${chars} characters\n`);
  };
  for await (const line of lines(input as AsyncIterable<string>, { file: "stdin", onTooLong })) {
    lineNumber++;
    if (line.trim() === "") continue;
    const doc = parseDocLine(line, `stdin:${lineNumber}`);
    if (typeof doc === "string") {
      addCount(skipped, doc);
      process.stderr.write(`kiln apply: stdin:${lineNumber}: skipped: ${doc}\n`);
      continue;
    }
    yield doc;
  }
}

/** Runs one stage over JSONL documents from stdin to stdout; a summary goes to stderr. */
export async function applyStage(name: string, params: Record<string, unknown>, input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Promise<void> {
  const spec = getSpec("stage", name);
  const unknown = unknownParameter(spec.params, params);
  if (unknown) throw new KilnError("bad_config", `${name}: --set ${unknown}`);
  const parsed = spec.params.safeParse(params);
  if (!parsed.success) {
    throw new KilnError("bad_config", `${name}: --set ${formatZodIssue(parsed.error.issues[0]!)}`);
  }
  const stage = spec.create(parsed.data);
  const dropped: Record<string, number> = {};
  const skipped: Record<string, number> = {};
  const ctx: TaskContext = {
    rank: 0,
    world: 1,
    step: "apply",
    stepDataDir: (step) => {
      throw new KilnError("usage", `${name} reads the output of step "${step}": run it in a pipeline, not with kiln apply`);
    },
    skip: (_stage, reason, n = 1) => addCount(skipped, reason, n),
    drop: (_doc, _stage, reason) => addCount(dropped, reason),
    log: (message) => process.stderr.write(`kiln apply: ${message}\n`),
  };
  let docsIn = 0;
  let docsOut = 0;
  async function* countIn() {
    for await (const doc of stdinDocs(input, skipped)) {
      docsIn++;
      yield doc;
    }
  }
  for await (const doc of stage.run(countIn(), ctx)) {
    docsOut++;
    if (!output.write(serializeDoc(doc) + "\n")) await once(output, "drain");
  }
  const reasons = Object.entries({ ...dropped, ...skipped }).map(([k, v]) => `${k}=${v}`).join(" ");
  process.stderr.write(`kiln apply ${name}: ${docsIn} in, ${docsOut} out${reasons ? `; ${reasons}` : ""}\n`);
}

export const applyCommand = defineCommand({
  meta: { name: "apply", description: "run one stage over JSONL documents, stdin to stdout" },
  args: {
    stage: { type: "positional", description: "stage name (see kiln stages)", required: true },
    set: { type: "string", description: "a parameter, key=value (repeatable)" },
  },
  async run({ args, rawArgs }) {
    await applyStage(args.stage, parseSetArgs(rawArgs), process.stdin, process.stdout);
  },
});
