/**
 * `kiln inspect <run>` serves the inspector; `kiln report <run> --html <file>` writes its overview
 * as one static page. Both build the run's index first (run-index.ts) when it is missing or stale.
 * The composition root passes `countTokens` when the run has a tokenizer, so drops are also
 * counted in tokens.
 */
import { defineCommand } from "citty";
import { numberFlag, writeFileAtomic } from "../../core/index.js";
import { knobsByStage } from "./knobs.js";
import { pageHtml } from "./page.js";
import { RunIndex, type IndexOptions } from "./run-index.js";
import { startInspectServer, trainingData } from "./server.js";

export type TokenCounter = (run: string) => Promise<IndexOptions["countTokens"]>;

export function inspectCommand(tokenCounter: TokenCounter) {
  return defineCommand({
    meta: { name: "inspect", description: "a local web page over a run: what each filter removed and why, documents, what-if thresholds, run diffs, training curves" },
    args: {
      run: { type: "positional", required: true, description: "the run folder (a pipeline's output)" },
      port: { type: "string", default: "0", description: "port to listen on (0: any free one)" },
      host: { type: "string", default: "127.0.0.1", description: "address to listen on" },
      compare: { type: "string", description: "another run of the same input, to diff against" },
      rebuild: { type: "boolean", default: false, description: "rebuild the index even when it is up to date" },
      open: { type: "boolean", default: false, description: "open the page in the default browser" },
    },
    async run({ args }) {
      const port = numberFlag("port", args.port, { integer: true, min: 0, max: 65535 });
      const index = await RunIndex.open(args.run, { countTokens: await tokenCounter(args.run), rebuild: args.rebuild });
      const compare = args.compare ? await RunIndex.open(args.compare, { countTokens: await tokenCounter(args.compare), rebuild: args.rebuild }) : undefined;
      const server = await startInspectServer(index, { port, host: args.host, compare });
      process.stdout.write(`kiln inspect: ${index.summary.docs.toLocaleString("en")} documents indexed; serving ${server.url} (Ctrl-C stops)\n`);
      if (args.open) {
        const { spawn } = await import("node:child_process");
        const opener = process.platform === "darwin" ? "open" : process.platform === "win32" ? "start" : "xdg-open";
        spawn(opener, [server.url], { stdio: "ignore", detached: true }).on("error", () => process.stderr.write(`kiln inspect: could not run ${opener}; open ${server.url} yourself\n`)).unref();
      }
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      await server.close();
      await index.close();
      await compare?.close();
    },
  });
}

/** The report page for a run: the inspector's overview with its data inline. */
export async function reportHtml(run: string, options: IndexOptions = {}): Promise<string> {
  const index = await RunIndex.open(run, options);
  try {
    return pageHtml({ summary: { run: index.run, summary: index.summary, compare: null }, training: await trainingData(index), knobs: knobsByStage() });
  } finally {
    await index.close();
  }
}

export function reportCommand(tokenCounter: TokenCounter) {
  return defineCommand({
    meta: { name: "report", description: "a run's overview (flow, drops by reason and language, training) as one static HTML file to share" },
    args: {
      run: { type: "positional", required: true, description: "the run folder" },
      html: { type: "string", required: true, description: "the HTML file to write" },
    },
    async run({ args }) {
      await writeFileAtomic(args.html, await reportHtml(args.run, { countTokens: await tokenCounter(args.run) }));
      process.stdout.write(`kiln report: wrote ${args.html}\n`);
    },
  });
}
