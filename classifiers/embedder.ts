/**
 * Dense "text embedders": documents to fixed-size vectors, the classifier's alternative to hashed
 * n-grams. classifiers/ may not import the trainer, so it names only this structural interface and
 * keeps a registry of loaders by kind; the composition root (bin/embedders.ts) registers "gpt",
 * the mean-pooled hidden states of a Kiln checkpoint. A model folder records the kind, the
 * checkpoint and its id, and is scored with whatever loader is registered under that kind.
 */
import { KilnError } from "../core/index.js";

export interface TextEmbedder {
  /** Identifies the exact weights; a model folder trained on other weights is refused. */
  readonly id: string;
  /** Length of every vector. */
  readonly dim: number;
  /** One vector per text, in order; several texts at once so the embedder can batch them. */
  embed(texts: string[]): Float32Array[];
}

/** Loads the embedder of a checkpoint folder (once per model load; models are cached per thread). */
export type EmbedderLoader = (checkpoint: string) => Promise<TextEmbedder>;

const loaders = new Map<string, EmbedderLoader>();

export function registerEmbedder(kind: string, loader: EmbedderLoader): void {
  if (kind === "hashed") throw new Error(`"hashed" names the built-in n-gram features, not an embedder`);
  loaders.set(kind, loader);
}

export function embedderKinds(): string[] {
  return [...loaders.keys()].sort();
}

export async function loadEmbedder(kind: string, checkpoint: string): Promise<TextEmbedder> {
  const loader = loaders.get(kind);
  if (!loader) {
    const known = embedderKinds();
    throw new KilnError("no_embedder", `features "${kind}" need a text embedder, and none is registered under that name (registered: ${known.length ? known.join(", ") : "none"}; the kiln CLI registers "gpt" and "encoder" in bin/embedders.ts)`);
  }
  return loader(checkpoint);
}

/** Texts per `embed` call: progress is reported between calls and a call's vectors are short-lived. */
const EMBED_CHUNK = 256;

/** Every text's vector, row after row in one array (n x dim). */
export function embedAll(embedder: TextEmbedder, texts: readonly string[], onProgress?: (done: number) => void): Float32Array {
  const out = new Float32Array(texts.length * embedder.dim);
  for (let at = 0; at < texts.length; at += EMBED_CHUNK) {
    const vectors = embedder.embed(texts.slice(at, at + EMBED_CHUNK));
    vectors.forEach((vector, i) => {
      if (vector.length !== embedder.dim) throw new Error(`embedder ${embedder.id} returned a vector of ${vector.length} values, expected ${embedder.dim}`);
      out.set(vector, (at + i) * embedder.dim);
    });
    onProgress?.(Math.min(texts.length, at + EMBED_CHUNK));
  }
  return out;
}
