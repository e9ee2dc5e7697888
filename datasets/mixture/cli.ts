/**
 * `kiln mix <mixture.yaml> --out <dir> [--report] [--llmc]`: mixed, tokenized Arrow shards.
 * `kiln mix --report <dir>`: prints realised vs requested shares of an existing output.
 */
import { stat } from "node:fs/promises";
import path from "node:path";
import { defineCommand } from "citty";
import { KilnError } from "../../core/index.js";
import { exportLlmcBin } from "../shards/export.js";
import { readManifest } from "../shards/manifest.js";
import { openTokenShards } from "../shards/reader.js";
import { runMixture } from "./mix.js";
import { formatMixReport } from "./report.js";
import { loadMixtureFile } from "./spec.js";

export const mixCommand = defineCommand({
  meta: { name: "mix", description: "mix sources by token weights into tokenized Arrow shards (train/ and val/) with manifest.json" },
  args: {
    mixture: { type: "positional", description: "mixture YAML (or, with --report alone, an output folder)", required: true },
    out: { type: "string", description: "output folder for shards and manifest.json" },
    report: { type: "boolean", description: "print realised vs requested token shares", default: false },
    llmc: { type: "boolean", description: "also export llm.c / nanoGPT .bin files (uint16 vocab only) into <out>/llmc/", default: false },
  },
  async run({ args }) {
    const target = String(args.mixture);
    const isFolder = await stat(target).then((s) => s.isDirectory(), () => false);
    if (args.report && isFolder) {
      process.stdout.write(formatMixReport(await readManifest(target)));
      return;
    }
    if (!args.out) throw new KilnError("usage", "kiln mix needs --out <dir> (or --report <dir> for an existing output)");
    const mixture = await loadMixtureFile(target);
    const progress = (line: string) => process.stderr.write(`${line}\n`);
    const manifest = await runMixture(mixture, { out: args.out, log: progress });
    if (args.llmc) {
      const shards = await openTokenShards(args.out);
      for (const split of ["train", "val"] as const) {
        if (shards.select({ split }).length === 0) continue;
        const tokens = await exportLlmcBin(shards, { split }, path.join(args.out, "llmc", `${split}.bin`));
        progress(`llm.c export: ${split}.bin, ${tokens} tokens`);
      }
    }
    if (args.report) process.stdout.write(formatMixReport(manifest));
    else progress(`wrote ${manifest.shards.length} shard(s) and manifest.json to ${args.out}`);
  },
});
