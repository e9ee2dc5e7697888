/**
 * Bits per byte: Σ nll (nats) over the tokens that stand for text, over ln 2 · their UTF-8 bytes.
 * A model with every weight zero gives uniform logits, so each token's nll is ln V and the
 * expected value follows by hand from the byte lengths alone.
 */
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { PretokenCounter, trainBpe } from "../../datasets/tokenizer/train.js";
import type { TokenDataset } from "../../trainer/data.js";
import { evaluationSet } from "../../trainer/evaluation.js";
import { initParams, plainKernels, disposeParams } from "../../trainer/model.js";
import { byteTokenizer, fromDatasetTokenizer, tokenByteLengths } from "../../trainer/tokenizer.js";
import { bitsPerByte, validate } from "../../trainer/train.js";
import { tinyModel } from "./helpers.js";

describe("bits per byte", () => {
  it("equals a hand computation with a uniform model", async () => {
    const V = tinyModel.vocabSize; // 11
    const params = initParams(tinyModel, 5);
    for (const v of params.values()) v.assign(tf.zerosLike(v));
    // Id 0 is special (0 bytes); id k stands for k bytes otherwise.
    const lengths = Uint32Array.from({ length: V }, (_, id) => id);
    const web = Uint32Array.from([1, 2, 0, 3, 4, 5, 0, 6, 7, 8, 9, 10, 1]);
    const code = Uint32Array.from([2, 2, 2, 0, 7, 7, 7]);
    const data: TokenDataset = { vocabSize: V, documents: () => [{ tokens: web, source: "web" }, { tokens: code, source: "code" }] };
    const set = await evaluationSet(data, tinyModel.blockSize, 2, Infinity);
    const result = await validate({ config: tinyModel, params, kernels: plainKernels }, set, lengths);
    disposeParams(params);

    // Every token after the first of the stream is a target; its source is its own document's.
    const targets = [...web, ...code].slice(1);
    const sources = [...Array<string>(web.length).fill("web"), ...Array<string>(code.length).fill("code")].slice(1);
    const expected = (source?: string) => {
      let text = 0;
      let bytes = 0;
      targets.forEach((t, i) => {
        if ((source === undefined || sources[i] === source) && t > 0) {
          text++;
          bytes += t;
        }
      });
      return (text * Math.log(V)) / Math.LN2 / bytes;
    };
    expect(result.loss).toBeCloseTo(Math.log(V), 5);
    expect(result.bitsPerByte).toBeCloseTo(expected(), 5);
    expect(result.perSource.web!.bitsPerByte).toBeCloseTo(expected("web"), 5);
    expect(result.perSource.code!.bitsPerByte).toBeCloseTo(expected("code"), 5);
    expect(result.perSource.code!.bytes).toBe(2 + 2 + 2 + 7 + 7 + 7);
  });

  it("is NaN without bytes, and absent without byte lengths", async () => {
    expect(bitsPerByte(1, 0)).toBeNaN();
    const params = initParams(tinyModel, 5);
    const data: TokenDataset = { vocabSize: 11, documents: () => [{ tokens: Uint32Array.from([1, 2, 3, 4]), source: "web" }] };
    const result = await validate({ config: tinyModel, params, kernels: plainKernels }, await evaluationSet(data, tinyModel.blockSize, 2, Infinity));
    disposeParams(params);
    expect(result.bitsPerByte).toBeUndefined();
  });

  it("takes token byte lengths from the tokenizer: raw bytes per id, 0 for special tokens", () => {
    expect(byteTokenizer.byteLength(65)).toBe(1);
    expect(byteTokenizer.byteLength(256)).toBe(0);
    const counter = new PretokenCounter();
    counter.add("Grüße aus Köln, ça va? Grüße, grüße, ça va bien. 日本語の文章です。");
    const { tokenizer } = trainBpe(counter.counts, { vocabSize: 300 });
    const lengths = tokenByteLengths(fromDatasetTokenizer(tokenizer));
    for (const id of tokenizer.specialTokens.values()) expect(lengths[id]).toBe(0);
    // A text's bytes are the sum of its tokens' byte lengths.
    for (const text of ["Grüße aus Köln", "日本語の文章", "ça va"]) {
      const ids = tokenizer.encode(text);
      expect(ids.reduce((sum, id) => sum + lengths[id]!, 0)).toBe(Buffer.byteLength(text));
    }
  });
});
