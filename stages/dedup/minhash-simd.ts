/**
 * The MinHash inner loop as a 128-bit SIMD WebAssembly function (source: minhash-simd.wat). It
 * computes exactly what MinHasher.signatureScalar computes; a test checks the two agree.
 */
const WASM_BASE64 =
  "AGFzbQEAAAABCQFgBX9/f39/AAMCAQAFAwEAAQcUAgZtZW1vcnkCAAdtaW5oYXNoAAAKhgIBgwICA38KeyADIARBA3RqIQcCQANAIAUgAk8NASAA/QAEACEIIAD9AAQQIQkgAP0ABCAhCiAA/QAEMCELIAD9AARAIQwgAP0ABFAhDf0M/////////////////////yEO/Qz/////////////////////IQ8gAyEGAkADQCAGIAdPDQEgBigCAP0RIRAgBigCBP0RIREgDiAQIAj9tQEgESAK/bUB/a4BIAz9rgH9twEhDiAPIBAgCf21ASARIAv9tQH9rgEgDf2uAf23ASEPIAZBCGohBgwACwsgASAO/QsEACABIA/9CwQQIAFBIGohASAAQeAAaiEAIAVBAWohBQwACwsL";

export interface SimdKernel {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  minhash(coef: number, sig: number, groups: number, shingles: number, n: number): void;
}

// The subset of the WebAssembly global this file uses (the Node typings here do not declare it).
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const WebAssembly = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let module: object | null | undefined;

/** A fresh kernel instance (own memory), or null where the runtime has no WebAssembly SIMD. */
export function createSimdKernel(): SimdKernel | null {
  if (module === undefined) {
    const bytes = Buffer.from(WASM_BASE64, "base64");
    module = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  }
  if (!module) return null;
  const instance = new WebAssembly.Instance(module, {});
  return instance.exports as unknown as SimdKernel;
}
