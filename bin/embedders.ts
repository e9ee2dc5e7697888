/**
 * The text embedders the quality classifier can use as features, registered here because only
 * the composition root may join classifiers/ and trainer/:
 *
 *   gpt       mean-pooled hidden states (after ln_f) of a Kiln-trained GPT checkpoint
 *   encoder   the same of a Kiln-trained masked-LM encoder (`model.kind: encoder`)
 *
 * bin/kiln.ts lists this module in `builtinModules`, so it is imported by the CLI process and by
 * every worker thread and Slurm task that runs stages. The trainer (and tfjs) is imported only
 * when a model asks for GPT features, so the CLI and the workers start as fast as before.
 */
import { registerEmbedder } from "../classifiers/index.js";

registerEmbedder("gpt", async (checkpoint) => {
  const { loadCheckpointEmbedder } = await import("../trainer/embed.js");
  return loadCheckpointEmbedder(checkpoint, { kind: "gpt" });
});

registerEmbedder("encoder", async (checkpoint) => {
  const { loadCheckpointEmbedder } = await import("../trainer/embed.js");
  return loadCheckpointEmbedder(checkpoint, { kind: "encoder" });
});
