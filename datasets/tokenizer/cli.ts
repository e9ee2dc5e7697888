/** `kiln tokenizer train --vocab 8192 --out tok.json <docs...>`: a byte-level BPE in tokenizer.json form. */
import { defineCommand } from "citty";
import { enumFlag, positiveIntegerFlag } from "../../core/index.js";
import { buildTokenizer } from "./build.js";
import { PRETOKENIZERS, type PretokenizerName } from "./pretokenize.js";

export const tokenizerTrainCommand = defineCommand({
  meta: { name: "train", description: "train a byte-level BPE tokenizer on documents and save it as a Hugging Face tokenizer.json" },
  args: {
    vocab: { type: "string", description: "vocabulary size, special tokens included", default: "8192" },
    out: { type: "string", description: "where to write tokenizer.json", default: "tokenizer.json" },
    pretokenizer: enumFlag("split pattern", Object.keys(PRETOKENIZERS) as PretokenizerName[], "cl100k"),
    "max-pretokens": { type: "string", description: "most distinct pre-tokens held in memory before pruning the rarest", default: "2000000" },
    "min-frequency": { type: "string", description: "never merge a pair seen fewer times", default: "2" },
    special: { type: "string", description: "extra special tokens, comma separated (added after the defaults)" },
    encoder: { type: "boolean", description: "add an encoder's special tokens: [CLS] [SEP] [MASK] [PAD] [UNK]" },
  },
  async run({ args }) {
    const started = performance.now();
    const built = await buildTokenizer(args._.map(String), {
      vocabSize: positiveIntegerFlag("vocab", args.vocab)!,
      out: args.out,
      pretokenizer: args.pretokenizer,
      maxPretokens: positiveIntegerFlag("max-pretokens", args["max-pretokens"])!,
      minFrequency: positiveIntegerFlag("min-frequency", args["min-frequency"])!,
      special: (args.special ?? "").split(",").map((s) => s.trim()).filter(Boolean),
      encoder: args.encoder,
    });
    const seconds = (performance.now() - started) / 1000;
    process.stderr.write(
      `${args.out}: vocab ${built.vocabSize} (${built.merges}/${built.requestedMerges} merges) from ${built.corpus.documents} documents, ` +
        `${built.megabytes.toFixed(1)} MB in ${seconds.toFixed(1)} s (${(built.megabytes / seconds).toFixed(2)} MB/s); ` +
        `${built.distinctPretokens} distinct pre-tokens, ${built.prunes} prunes, skipped ${JSON.stringify(built.corpus.skipped)}\n`,
    );
  },
});

export const tokenizerCommand = defineCommand({
  meta: { name: "tokenizer", description: "byte-level BPE tokenizers" },
  subCommands: { train: tokenizerTrainCommand },
});
