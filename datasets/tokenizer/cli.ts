/** `kiln tokenizer train --vocab 8192 --out tok.json <docs...>`: a byte-level BPE in tokenizer.json form. */
import { defineCommand } from "citty";
import { positiveIntegerFlag, KilnError } from "../../core/index.js";
import { DEFAULT_SPECIAL_TOKENS, ENCODER_SPECIAL_TOKENS } from "./bpe.js";
import { saveTokenizerJson } from "./hf-json.js";
import { PRETOKENIZERS, type PretokenizerName } from "./pretokenize.js";
import { PretokenCounter, trainBpe } from "./train.js";
import { readCorpusTexts, type CorpusStats } from "./corpus.js";

export const tokenizerTrainCommand = defineCommand({
  meta: { name: "train", description: "train a byte-level BPE tokenizer on documents and save it as a Hugging Face tokenizer.json" },
  args: {
    vocab: { type: "string", description: "vocabulary size, special tokens included", default: "8192" },
    out: { type: "string", description: "where to write tokenizer.json", default: "tokenizer.json" },
    pretokenizer: { type: "string", description: "split pattern: cl100k or gpt2", default: "cl100k" },
    "max-pretokens": { type: "string", description: "most distinct pre-tokens held in memory before pruning the rarest", default: "2000000" },
    "min-frequency": { type: "string", description: "never merge a pair seen fewer times", default: "2" },
    special: { type: "string", description: "extra special tokens, comma separated (added after the defaults)" },
    encoder: { type: "boolean", description: "add an encoder's special tokens: [CLS] [SEP] [MASK] [PAD] [UNK]" },
  },
  async run({ args }) {
    const inputs = args._.map(String);
    if (inputs.length === 0) throw new KilnError("usage", "kiln tokenizer train needs at least one document file or glob");
    const pattern = PRETOKENIZERS[args.pretokenizer as PretokenizerName];
    if (!pattern) throw new KilnError("usage", `--pretokenizer must be one of ${Object.keys(PRETOKENIZERS).join(", ")}`);
    const vocabSize = positiveIntegerFlag("vocab", args.vocab)!;
    const counter = new PretokenCounter({ pattern, maxDistinctPretokens: positiveIntegerFlag("max-pretokens", args["max-pretokens"])! });
    const stats: CorpusStats = { files: 0, documents: 0, skipped: {} };
    const started = performance.now();
    for await (const text of readCorpusTexts(inputs, stats)) counter.add(text);
    const counted = performance.now();
    const extra = [...(args.encoder ? ENCODER_SPECIAL_TOKENS : []), ...(args.special ?? "").split(",").map((s) => s.trim()).filter(Boolean)];
    const result = trainBpe(counter.counts, {
      vocabSize, pattern, minFrequency: positiveIntegerFlag("min-frequency", args["min-frequency"])!,
      specialTokens: [...new Set([...DEFAULT_SPECIAL_TOKENS, ...extra])],
      name: `kiln-bpe:${args.out}`,
    });
    await saveTokenizerJson(result.tokenizer.model, args.out);
    const seconds = (performance.now() - started) / 1000;
    const megabytes = counter.bytesSeen / 1e6;
    process.stderr.write(
      `${args.out}: vocab ${result.tokenizer.vocabSize} (${result.merges}/${result.requestedMerges} merges) from ${stats.documents} documents, ` +
        `${megabytes.toFixed(1)} MB in ${seconds.toFixed(1)} s (${(megabytes / seconds).toFixed(2)} MB/s; counting ${((counted - started) / 1000).toFixed(1)} s); ` +
        `${counter.counts.size} distinct pre-tokens, ${counter.prunes} prunes, skipped ${JSON.stringify(stats.skipped)}\n`,
    );
  },
});

export const tokenizerCommand = defineCommand({
  meta: { name: "tokenizer", description: "byte-level BPE tokenizers" },
  subCommands: { train: tokenizerTrainCommand },
});
