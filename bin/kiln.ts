#!/usr/bin/env node
/**
 * The composition root: the one place that knows every folder. It names the modules that register
 * built-in stages (worker threads import the same list) and assembles the CLI verbs.
 */
import { fileURLToPath } from "node:url";
import { applyCommand, defineCommand, runCli, runCommandDef, stagesCommand, statusCommand, taskCommandDef } from "../pipeline/index.js";

const extension = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
export const builtinModules = ["../stages/index", "../classifiers/stages", "./embedders"].map((m) => new URL(m + extension, import.meta.url).href);
/** How a Slurm task starts this CLI: compiled JavaScript, or the sources through tsx. */
const cliCommand = [process.execPath, ...(extension === ".ts" ? ["--import", "tsx"] : []), fileURLToPath(import.meta.url)];

export const kiln = defineCommand({
  meta: { name: "kiln", version: "0.1.0", description: "raw web crawl to a trained language model" },
  subCommands: {
    // Loaded on use, so `kiln run` inside a Slurm task does not load the demo's corpus generator.
    demo: () => import("./demo.js").then((m) => m.demoCommand(builtinModules)),
    ablate: () => import("./ablate.js").then((m) => m.ablateCommand(builtinModules, cliCommand)),
    run: runCommandDef(builtinModules, cliCommand),
    status: statusCommand,
    task: taskCommandDef(builtinModules),
    apply: applyCommand,
    stages: stagesCommand,
    dedup: () => import("../stages/dedup/cli.js").then((m) => m.dedupCommand),
    calibrate: () => import("../stages/calibrate.js").then((m) => m.calibrateCommand),
    classifier: () => import("../classifiers/cli.js").then((m) => m.classifierCommand),
    tokenizer: () => import("../datasets/tokenizer/cli.js").then((m) => m.tokenizerCommand),
    mix: () => import("../datasets/mixture/cli.js").then((m) => m.mixCommand),
    train: () => import("../trainer/cli.js").then((m) => m.trainCommand),
    finetune: () => import("./finetune.js").then((m) => m.finetuneWithTasks),
    generate: () => import("../trainer/cli.js").then((m) => m.generateCommand),
    eval: () => import("../trainer/cli.js").then((m) => m.evalCommand),
    export: () => import("../trainer/cli.js").then((m) => m.exportCommand),
    sweep: () => import("./sweep.js").then((m) => m.sweepCommand(cliCommand)),
    distill: () => import("../trainer/distill.js").then((m) => m.distillCommand),
    inspect: () => import("./inspect.js").then((m) => m.inspect),
    report: () => import("./inspect.js").then((m) => m.report),
  },
});

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
// The built-in stages are registered in this thread too, for `apply`, `stages` and config validation.
for (const module of builtinModules) await import(module);
await runCli(kiln);
