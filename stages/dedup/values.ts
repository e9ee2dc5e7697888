/**
 * Full MinHash signatures, for verifying candidate pairs. The signature files hold one band hash
 * per band, which says whether two documents share a bucket but not how similar they are; with
 * `fullSignatures: true`, `minhash_signatures` also writes `<rank>.minhash.values`: one record per
 * document in stream order (record index = position), its `bands x rows` MinHash values and a
 * check word over (position, values). `minhash_buckets` with `verifyThreshold` reads two records
 * per candidate pair at random and keeps the pair only when the share of equal values (the
 * estimated Jaccard) reaches the threshold.
 *
 * Random reads skip the section checksum, so each record carries its own check word (a corrupt or
 * misplaced record is refused), and the signature file's header cites the side file's checksum
 * (a side file from another run, or rewritten since, is refused before any pair is read).
 */
import { readSync } from "node:fs";
import path from "node:path";
import { KilnError, fmix32 } from "../../core/index.js";
import { FORMAT_VERSION, RecordFile, RecordWriter } from "./format.js";

export const VALUES_KIND = "signature_values";

/** What a signature file's header says about its side file (absent when there is none). */
export interface ValuesLink {
  file: string;
  checksum: number;
}

/** `00003.minhash.sig` -> `00003.minhash.values`, in the same folder. */
export function valuesFileFor(signatureFile: string): string {
  return signatureFile.replace(/\.sig$/, "") + ".values";
}

/** The check word of one record: a chained hash of the position and every value. */
export function recordCheck(position: number, values: ArrayLike<number>, count: number): number {
  let h = fmix32(position ^ 0x5f3759df);
  for (let i = 0; i < count; i++) h = Math.imul((h << 7) | (h >>> 25), 0x9e3779b1) ^ values[i]!;
  return fmix32(h) >>> 0;
}

/** Writes the side file while the signature writer streams documents; `commit` returns the link for the signature header. */
export class ValuesWriter {
  private readonly writer: RecordWriter;
  private readonly record: Uint32Array;
  private position = 0;

  constructor(
    readonly file: string,
    private readonly permutations: number,
    header: { params: Record<string, unknown>; rank: number; world: number },
  ) {
    this.record = new Uint32Array(permutations + 1);
    this.writer = new RecordWriter(file, { kind: VALUES_KIND, version: FORMAT_VERSION, ...header, recordWords: permutations + 1 });
  }

  /** The next document's signature (every document gets a record, so record index = position). */
  push(signature: Uint32Array): void | Promise<void> {
    this.record.set(signature);
    this.record[this.permutations] = recordCheck(this.position++, signature, this.permutations);
    return this.writer.push(this.record);
  }

  async commit(): Promise<ValuesLink> {
    this.writer.endSection();
    await this.writer.commit();
    return { file: path.basename(this.file), checksum: this.writer.sectionChecksums[0]! };
  }

  abort(): Promise<void> {
    return this.writer.abort();
  }
}

/** Random access to one signature file's full values. */
export class SignatureValues {
  private readonly record: Uint32Array;
  private readonly bytes: Buffer;

  private constructor(
    private readonly values: RecordFile,
    readonly permutations: number,
    private readonly docCount: number,
  ) {
    this.record = new Uint32Array(permutations + 1);
    this.bytes = Buffer.from(this.record.buffer);
  }

  /** Opens the side file a signature file cites, checking that it belongs to it. */
  static async open(signatures: RecordFile): Promise<SignatureValues> {
    const header = signatures.header;
    const link = header.values as ValuesLink | undefined;
    if (header.dedup !== "minhash") {
      throw new KilnError("dedup_params", `${signatures.file}: holds ${String(header.dedup)} hashes; verifyThreshold applies to MinHash signatures only`);
    }
    if (!link) {
      throw new KilnError(
        "dedup_params",
        `${signatures.file}: written without full signatures, which verifyThreshold needs: set fullSignatures: true on minhash_signatures and rerun that step`,
      );
    }
    const file = path.join(path.dirname(signatures.file), link.file);
    const values = await RecordFile.open(file, VALUES_KIND, header.params);
    const docCount = header.docCount as number;
    const permutations = (header.params.bands as number) * (header.params.rows as number);
    const belongs =
      values.header.rank === header.rank &&
      values.header.world === header.world &&
      values.header.recordWords === permutations + 1 &&
      values.header.sections.length === 1 &&
      values.header.sections[0] === docCount &&
      values.checksums[0] === link.checksum;
    if (!belongs) {
      await values.close();
      throw new KilnError("dedup_mismatch", `${file}: does not belong to ${signatures.file} (other rank, document count or checksum); rerun the signatures step`);
    }
    return new SignatureValues(values, permutations, docCount);
  }

  /** Copies the signature of the document at `position` into `out`. */
  read(position: number, out: Uint32Array): void {
    if (position >= this.docCount) throw new KilnError("dedup_corrupt", `${this.values.file}: no document at position ${position} (${this.docCount} in the file)`);
    const n = this.bytes.length;
    const read = readSync(this.values.handle.fd, this.bytes, 0, n, this.values.recordOffset(0, position));
    if (read !== n) throw new KilnError("dedup_corrupt", `${this.values.file}: truncated at position ${position}`);
    if (this.record[this.permutations] !== recordCheck(position, this.record, this.permutations)) {
      throw new KilnError("dedup_corrupt", `${this.values.file}: check word mismatch at position ${position}: the file is corrupt`);
    }
    out.set(this.record.subarray(0, this.permutations));
  }

  close(): Promise<void> {
    return this.values.close();
  }
}

/** A bucket holds at most this many documents that verify against no earlier one; later misfits stay unlinked in this band. */
export const MAX_ANCHORS = 8;

/**
 * Verification inside one bucket. Without it every document links to the bucket's first; with
 * it a document links to the first anchor (in (source, position) order) whose estimated Jaccard
 * with it reaches the threshold, and a document that verifies against none becomes an anchor
 * itself, so two similar documents that both differ from the bucket's first still meet. At most
 * MAX_ANCHORS anchors per bucket bound the work on a huge bucket to MAX_ANCHORS reads per document.
 * Signatures are read lazily: most buckets hold one document and cost no read at all.
 */
export class BucketVerifier {
  private readonly anchorWords = new Uint32Array(MAX_ANCHORS * 3);
  private readonly anchorSignatures: Uint32Array;
  private readonly loaded: boolean[] = [];
  private readonly candidate: Uint32Array;
  private anchors = 0;
  /** Comparisons made, and those below the threshold. */
  compared = 0;
  belowThreshold = 0;

  constructor(
    private readonly sources: SignatureValues[],
    private readonly permutations: number,
    private readonly threshold: number,
  ) {
    this.anchorSignatures = new Uint32Array(MAX_ANCHORS * permutations);
    this.candidate = new Uint32Array(permutations);
  }

  /** Starts a bucket with its first document as the only anchor. */
  start(source: number, position: number, quality: number): void {
    this.anchors = 0;
    this.addAnchor(source, position, quality);
  }

  private addAnchor(source: number, position: number, quality: number): void {
    this.anchorWords.set([source, position, quality], this.anchors * 3);
    this.loaded[this.anchors] = false;
    this.anchors++;
  }

  /** The anchor's (source, position, quality bits). */
  anchor(i: number): Uint32Array {
    return this.anchorWords.subarray(i * 3, i * 3 + 3);
  }

  /** The index of the anchor this document links to, or -1 when it verifies against none. */
  match(source: number, position: number, quality: number): number {
    const k = this.permutations;
    this.sources[source]!.read(position, this.candidate);
    for (let i = 0; i < this.anchors; i++) {
      const own = this.anchorSignatures.subarray(i * k, (i + 1) * k);
      if (!this.loaded[i]) {
        this.sources[this.anchorWords[i * 3]!]!.read(this.anchorWords[i * 3 + 1]!, own);
        this.loaded[i] = true;
      }
      let same = 0;
      for (let j = 0; j < k; j++) if (own[j] === this.candidate[j]) same++;
      this.compared++;
      // The same division as estimatedJaccard, so a threshold equal to an estimate keeps the pair.
      if (same / k >= this.threshold) return i;
      this.belowThreshold++;
    }
    if (this.anchors < MAX_ANCHORS) {
      this.addAnchor(source, position, quality);
      this.anchorSignatures.set(this.candidate, (this.anchors - 1) * k);
      this.loaded[this.anchors - 1] = true;
    }
    return -1;
  }
}
