/**
 * A demo-like token-shard folder made in the test: English articles from the sample corpus's
 * sentence templates plus the sample instruction set (alpaca, chatml), a BPE trained on them,
 * mixed 90/10 by `runMixture` with 5% of each source held out per source, as `kiln demo` does.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { blocksToText, composeArticle } from "../../datasets/sample/compose.js";
import { SAMPLE_INSTRUCTIONS, type AlpacaRecord } from "../../datasets/sample/instructions.js";
import { Rng } from "../../datasets/sample/rng.js";
import { LANGUAGE_PACKS, TOPICS } from "../../datasets/sample/text/index.js";
import { runMixture } from "../../datasets/mixture/mix.js";
import { resolveMixture } from "../../datasets/mixture/spec.js";
import { saveTokenizerJson } from "../../datasets/tokenizer/hf-json.js";
import { PretokenCounter, trainBpe } from "../../datasets/tokenizer/train.js";

export interface DemoLikeShards {
  shards: string;
  tokenizer: string;
}

export async function writeDemoLikeShards(dir: string, options: { articles?: number; vocabSize?: number; seed?: number; shardTokens?: number; instructions?: readonly AlpacaRecord[] } = {}): Promise<DemoLikeShards> {
  const pairs = options.instructions ?? SAMPLE_INSTRUCTIONS;
  const rng = new Rng(options.seed ?? 1);
  const texts = Array.from({ length: options.articles ?? 300 }, (_, i) => {
    const article = composeArticle(LANGUAGE_PACKS.en, TOPICS[i % TOPICS.length]!, rng, 120);
    return `${article.title}\n\n${blocksToText(article.blocks)}`;
  });
  const web = path.join(dir, "web");
  await mkdir(web, { recursive: true });
  await writeFile(path.join(web, "pages.jsonl"), texts.map((text, i) => JSON.stringify({ id: `page-${i}`, text, meta: {} })).join("\n") + "\n");
  const instructions = path.join(dir, "instructions.json");
  await writeFile(instructions, JSON.stringify(pairs));

  const counter = new PretokenCounter();
  for (const text of texts) counter.add(text);
  for (const r of pairs) counter.add(`${r.instruction}\n${r.input}\n${r.output}`);
  const tokenizerFile = path.join(dir, "tokenizer.json");
  const { tokenizer } = trainBpe(counter.counts, { vocabSize: options.vocabSize ?? 2048, name: `kiln-bpe:${tokenizerFile}` });
  await saveTokenizerJson(tokenizer.model, tokenizerFile);

  const mixture = resolveMixture(
    {
      tokenizer: tokenizerFile,
      sources: {
        web: { path: web, weight: 0.9 },
        sft: { path: instructions, format: "alpaca", template: "chatml", weight: 0.1, maxEpochs: 30 },
      },
      validation: { fraction: 0.05, perSource: true },
      seed: 1,
      ...(options.shardTokens ? { shardTokens: options.shardTokens } : {}),
    },
    path.join(dir, "mixture.yaml"),
  );
  const shards = path.join(dir, "shards");
  await runMixture(mixture, { out: shards, tokenizer });
  return { shards, tokenizer: tokenizerFile };
}
