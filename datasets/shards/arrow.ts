/**
 * The Arrow schema of a token shard and the conversion between record batches and documents.
 * Columns: `tokens` List<Uint16|Uint32>, `mask` List<Uint8> (null for plain text: train on
 * every token), `source` Utf8, `id` Utf8.
 */
import { Field, List, makeData, RecordBatch, Schema, Struct, Uint16, Uint32, Uint8, Utf8, type Data } from "apache-arrow";
import type { TokenDtype } from "./manifest.js";

export interface TokenDocument {
  tokens: Uint16Array | Uint32Array;
  /** 1 where the loss counts (assistant tokens); null means every token counts. */
  mask: Uint8Array | null;
  source: string;
  id: string;
}

export function shardSchema(dtype: TokenDtype): Schema {
  const tokenType = dtype === "uint16" ? new Uint16() : new Uint32();
  return new Schema([
    new Field("tokens", new List(new Field("item", tokenType, false)), false),
    new Field("mask", new List(new Field("item", new Uint8(), false)), true),
    new Field("source", new Utf8(), false),
    new Field("id", new Utf8(), false),
  ]);
}

const utf8 = new TextEncoder();

function utf8Column(values: string[]): Data<Utf8> {
  const encoded = values.map((v) => utf8.encode(v));
  const offsets = new Int32Array(values.length + 1);
  encoded.forEach((bytes, i) => (offsets[i + 1] = offsets[i]! + bytes.length));
  const data = new Uint8Array(offsets[values.length]!);
  encoded.forEach((bytes, i) => data.set(bytes, offsets[i]!));
  return makeData({ type: new Utf8(), length: values.length, valueOffsets: offsets, data });
}

/** One record batch from whole documents; token arrays are copied into one buffer per column. */
export function documentsToBatch(docs: { tokens: ArrayLike<number>; mask: ArrayLike<number> | null; source: string; id: string }[], dtype: TokenDtype): RecordBatch {
  const schema = shardSchema(dtype);
  const offsets = new Int32Array(docs.length + 1);
  docs.forEach((doc, i) => (offsets[i + 1] = offsets[i]! + doc.tokens.length));
  const total = offsets[docs.length]!;
  const tokens = dtype === "uint16" ? new Uint16Array(total) : new Uint32Array(total);
  docs.forEach((doc, i) => tokens.set(doc.tokens, offsets[i]!));

  const maskOffsets = new Int32Array(docs.length + 1);
  const validity = new Uint8Array(Math.ceil(docs.length / 8));
  let nullCount = 0;
  docs.forEach((doc, i) => {
    if (doc.mask) validity[i >> 3]! |= 1 << (i & 7);
    else nullCount++;
    maskOffsets[i + 1] = maskOffsets[i]! + (doc.mask ? doc.mask.length : 0);
  });
  const maskValues = new Uint8Array(maskOffsets[docs.length]!);
  docs.forEach((doc, i) => doc.mask && maskValues.set(doc.mask, maskOffsets[i]!));

  const [tokensField, maskField] = schema.fields as [Field<List<Uint16 | Uint32>>, Field<List<Uint8>>];
  const tokensData = makeData({
    type: tokensField.type, length: docs.length, nullCount: 0, valueOffsets: offsets,
    child: makeData({ type: tokensField.type.children[0]!.type, length: total, data: tokens }),
  });
  const maskData = makeData({
    type: maskField.type, length: docs.length, nullCount, nullBitmap: nullCount > 0 ? validity : null, valueOffsets: maskOffsets,
    child: makeData({ type: new Uint8(), length: maskValues.length, data: maskValues }),
  });
  const columns = [tokensData, maskData, utf8Column(docs.map((d) => d.source)), utf8Column(docs.map((d) => d.id))];
  const struct = makeData({ type: new Struct(schema.fields), length: docs.length, nullCount: 0, children: columns });
  return new RecordBatch(schema, struct);
}

/** Zero-copy views of one batch's documents. */
export function batchDocuments(batch: RecordBatch): TokenDocument[] {
  const tokensData = batch.getChild("tokens")!.data[0]!;
  const maskData = batch.getChild("mask")!.data[0]!;
  const sources = batch.getChild("source")!;
  const ids = batch.getChild("id")!;
  const tokenValues = tokensData.children[0]!.values as Uint16Array | Uint32Array;
  const tokenOffsets = tokensData.valueOffsets as Int32Array;
  const maskValues = maskData.children[0]!.values as Uint8Array;
  const maskOffsets = maskData.valueOffsets as Int32Array;
  const docs: TokenDocument[] = [];
  for (let i = 0; i < batch.numRows; i++) {
    const start = tokenOffsets[i]!;
    const end = tokenOffsets[i + 1]!;
    docs.push({
      tokens: tokenValues.subarray(start, end),
      mask: maskData.getValid(i) ? maskValues.subarray(maskOffsets[i]!, maskOffsets[i + 1]!) : null,
      source: sources.get(i) as string,
      id: ids.get(i) as string,
    });
  }
  return docs;
}
