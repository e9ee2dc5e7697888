import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable, type Transform } from "node:stream";
import { buffer } from "node:stream/consumers";
import { pipeline } from "node:stream/promises";

/**
 * Deterministic text-like bytes: words from a small vocabulary with some random bytes mixed in,
 * so compressors have real work to do and a wrong byte anywhere shows up.
 */
export function sampleBytes(size: number, seed = 1): Buffer {
  const words = ["kiln", "crawl", "token", "shard", "the", "of", "web", "data", "é", "日本", "\n"];
  let state = seed >>> 0 || 1;
  const next = () => {
    // xorshift32
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const parts: Buffer[] = [];
  let length = 0;
  while (length < size) {
    const part =
      next() < 0.1
        ? Buffer.from([Math.floor(next() * 256)])
        : Buffer.from(`${words[Math.floor(next() * words.length)] ?? ""} `);
    parts.push(part);
    length += part.length;
  }
  return Buffer.concat(parts).subarray(0, size);
}

/** Pushes `input` through `transform` in chunks of `chunkSize` bytes and collects the output. */
export async function through(transform: Transform, input: Uint8Array, chunkSize = 64 * 1024): Promise<Buffer> {
  const chunks = function* () {
    for (let offset = 0; offset < input.length; offset += chunkSize) {
      yield input.subarray(offset, offset + chunkSize);
    }
  };
  const [, output] = await Promise.all([
    pipeline(Readable.from(chunks(), { objectMode: false }), transform),
    buffer(transform),
  ]);
  return output;
}

export interface LoopbackServer {
  url: string;
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 at a free port; tests never reach further than this. */
export async function startServer(
  handler: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<LoopbackServer> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
