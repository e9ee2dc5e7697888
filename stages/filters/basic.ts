import { createHash } from "node:crypto";
import { z } from "zod";
import { filterStage, register } from "../../pipeline/index.js";

/** Keeps a seeded, reproducible fraction of documents, decided by a hash of the id (datatrove's SamplerFilter). */
export const sampler = filterStage({
  name: "sampler",
  description: "keep a reproducible fraction of documents, chosen by a hash of (seed, id)",
  params: z.object({
    rate: z.number().min(0).max(1).default(0.5).describe("fraction of documents kept"),
    seed: z.number().int().default(1).describe("changes which documents are kept"),
  }),
  keep(doc, p) {
    const digest = createHash("sha1").update(`${p.seed}\0${doc.id}`).digest();
    return digest.readUInt32BE(0) / 2 ** 32 < p.rate ? true : "sampled_out";
  },
});

/** Bounds the length of the text in characters (code points). */
export const textLength = filterStage({
  name: "text_length",
  description: "drop documents whose text is shorter or longer than the bounds, in characters",
  params: z.object({
    minChars: z.number().int().min(0).default(1).describe("fewest characters kept"),
    maxChars: z.number().int().positive().default(10_000_000).describe("most characters kept"),
  }),
  keep(doc, p) {
    if (doc.text.length < p.minChars) return "too_short";
    if (doc.text.length > p.maxChars) return "too_long";
    return true;
  },
});

register(sampler);
register(textLength);
