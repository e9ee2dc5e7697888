#!/usr/bin/env node
/**
 * The composition root: the one place that knows every folder. It names the modules that register
 * built-in stages (worker threads import the same list) and assembles the CLI verbs.
 */
import { applyCommand, defineCommand, runCli, runCommandDef, stagesCommand } from "../pipeline/index.js";

const extension = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
export const builtinModules = ["../stages/index"].map((m) => new URL(m + extension, import.meta.url).href);

export const kiln = defineCommand({
  meta: { name: "kiln", version: "0.1.0", description: "raw web crawl to a trained language model" },
  subCommands: {
    // Loaded on use, so `kiln run` inside a Slurm task does not load the demo's corpus generator.
    demo: () => import("./demo.js").then((m) => m.demoCommand(builtinModules)),
    run: runCommandDef(builtinModules),
    apply: applyCommand,
    stages: stagesCommand,
    dedup: () => import("../stages/dedup/cli.js").then((m) => m.dedupCommand),
  },
});

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
// The built-in stages are registered in this thread too, for `apply`, `stages` and config validation.
for (const module of builtinModules) await import(module);
await runCli(kiln);
