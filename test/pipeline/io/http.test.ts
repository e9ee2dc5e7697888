import type { IncomingMessage, ServerResponse } from "node:http";
import { buffer } from "node:stream/consumers";
import { gzipSync } from "node:zlib";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openRanged, openRead, readText, setRetryPolicy } from "../../../core/io/index.js";
import { sampleBytes, startServer, type LoopbackServer } from "./helpers.js";

interface Seen {
  url: string;
  range: string | undefined;
}

/** A loopback server answering the n-th request (0-based) with `answers[n]`, the last one after that. */
async function serve(
  ...answers: ((request: IncomingMessage, response: ServerResponse) => void)[]
): Promise<{ server: LoopbackServer; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = await startServer((request, response) => {
    seen.push({ url: request.url ?? "", range: request.headers.range });
    const answer = answers[Math.min(seen.length, answers.length) - 1];
    answer?.(request, response);
  });
  servers.push(server);
  return { server, seen };
}

const servers: LoopbackServer[] = [];

function status(code: number, headers: Record<string, string> = {}) {
  return (_request: IncomingMessage, response: ServerResponse) => {
    response.writeHead(code, headers).end(`status ${code}`);
  };
}

/** Sends the first `cut` bytes of `body` with a full Content-Length, then drops the connection. */
function cutOff(body: Buffer, cut: number, headers: Record<string, string> = {}) {
  return (_request: IncomingMessage, response: ServerResponse) => {
    response.writeHead(200, { "content-length": String(body.length), ...headers });
    response.write(body.subarray(0, cut), () => response.socket?.destroy());
  };
}

function ranged(body: Buffer) {
  return (request: IncomingMessage, response: ServerResponse) => {
    const start = Number(/^bytes=(\d+)-$/.exec(request.headers.range ?? "")?.[1] ?? 0);
    response.writeHead(206, {
      "content-range": `bytes ${start}-${body.length - 1}/${body.length}`,
      "content-length": String(body.length - start),
    });
    response.end(body.subarray(start));
  };
}

beforeAll(() => setRetryPolicy({ retries: 5, baseDelayMs: 1, maxDelayMs: 10 }));
afterAll(() => setRetryPolicy({}));
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

describe("openRead over http", () => {
  it("retries 503, 503, then 429 with Retry-After: 0, and returns the 200 body", async () => {
    const { server, seen } = await serve(
      status(503),
      status(503),
      status(429, { "retry-after": "0" }),
      status(200),
    );
    expect(await readText(`${server.url}/doc.txt`)).toBe("status 200");
    expect(seen).toHaveLength(4);
  });

  it("fails at once on 404", async () => {
    const { server, seen } = await serve(status(404));
    await expect(readText(`${server.url}/missing.txt`)).rejects.toMatchObject({
      code: "http_error",
      message: `${server.url}/missing.txt: HTTP 404 Not Found`,
    });
    expect(seen).toHaveLength(1);
  });

  it("gives up after the configured retries", async () => {
    setRetryPolicy({ retries: 2, baseDelayMs: 1, maxDelayMs: 10 });
    try {
      const { server, seen } = await serve(status(500));
      await expect(readText(`${server.url}/x`)).rejects.toMatchObject({
        code: "http_error",
        message: `${server.url}/x: HTTP 500 Internal Server Error`,
      });
      expect(seen).toHaveLength(3);
    } finally {
      setRetryPolicy({ retries: 5, baseDelayMs: 1, maxDelayMs: 10 });
    }
  });

  it("retries a connection dropped before any answer", async () => {
    const { server, seen } = await serve((request) => request.socket.destroy(), status(200));
    expect(await readText(`${server.url}/doc.txt`)).toBe("status 200");
    expect(seen).toHaveLength(2);
  });

  it("resumes a body cut off midway with a Range request", async () => {
    const body = sampleBytes(300_000, 3);
    const cut = 123_457;
    const { server, seen } = await serve(cutOff(body, cut, { "accept-ranges": "bytes" }), ranged(body));
    const received = await buffer(await openRead(`${server.url}/big.warc`));
    expect(received.length).toBe(body.length);
    expect(received.equals(body)).toBe(true);
    expect(seen.map((request) => request.range)).toEqual([undefined, `bytes=${cut}-`]);
  });

  it("resumes a body only from the same version of the file: another ETag or Last-Modified is an error", async () => {
    const body = sampleBytes(300_000, 6);
    const changed = sampleBytes(300_000, 7);
    const versioned = (bytes: Buffer, headers: Record<string, string>) => (request: IncomingMessage, response: ServerResponse) => {
      const start = Number(/^bytes=(\d+)-$/.exec(request.headers.range ?? "")?.[1] ?? 0);
      response.writeHead(206, { "content-range": `bytes ${start}-${bytes.length - 1}/${bytes.length}`, "content-length": String(bytes.length - start), ...headers });
      response.end(bytes.subarray(start));
    };
    const same = await serve(cutOff(body, 100_000, { "accept-ranges": "bytes", etag: '"v1"' }), versioned(body, { etag: '"v1"' }));
    expect((await buffer(await openRead(`${same.server.url}/big.warc`))).equals(body)).toBe(true);
    for (const [before, after] of [
      [{ etag: '"v1"' }, { etag: '"v2"' }],
      [{ "last-modified": "Mon, 01 Dec 2025 10:00:00 GMT" }, { "last-modified": "Tue, 02 Dec 2025 10:00:00 GMT" }],
    ]) {
      const other = await serve(cutOff(body, 100_000, { "accept-ranges": "bytes", ...before }), versioned(changed, after!));
      await expect(buffer(await openRead(`${other.server.url}/big.warc`))).rejects.toThrow(/big\.warc: the file changed while it was read/);
      expect(other.seen).toHaveLength(2);
    }
  });

  it("reads ranges only of the version it opened: a file replaced between two ranged reads is an error", async () => {
    for (const [name, validator, condition] of [["etag", '"v1"', "if-match"], ["last-modified", "Mon, 01 Dec 2025 10:00:00 GMT", "if-unmodified-since"]] as const) {
      let current = sampleBytes(100_000, 13);
      let currentValidator: string = validator;
      const conditions: (string | undefined)[] = [];
      const { server } = await serve((request, response) => {
        conditions.push(request.headers[condition] as string | undefined);
        if (request.method === "HEAD") return response.writeHead(200, { "content-length": String(current.length), [name]: currentValidator }).end();
        if (request.headers[condition] !== currentValidator) return response.writeHead(412).end();
        const [start, end] = /^bytes=(\d+)-(\d+)$/.exec(request.headers.range!)!.slice(1).map(Number) as [number, number];
        response.writeHead(206, { "content-range": `bytes ${start}-${end}/${current.length}`, "content-length": String(end - start + 1), [name]: currentValidator });
        response.end(current.subarray(start, end + 1));
      });
      const file = await openRanged(`${server.url}/data.parquet`);
      expect(Buffer.from(await file.read(0, 1000)).equals(current.subarray(0, 1000))).toBe(true);
      [current, currentValidator] = [sampleBytes(100_000, 14), name === "etag" ? '"v2"' : "Tue, 02 Dec 2025 10:00:00 GMT"];
      await expect(file.read(50_000, 60_000)).rejects.toThrow(/data\.parquet: the file changed while it was read/);
      expect(conditions).toEqual([undefined, validator, validator]);
    }
  });

  it("skips the bytes already delivered when the server ignores Range", async () => {
    const body = sampleBytes(200_000, 4);
    const full = (_request: IncomingMessage, response: ServerResponse) => response.end(body);
    const { server, seen } = await serve(cutOff(body, 70_001, { "accept-ranges": "bytes" }), full);
    const received = await buffer(await openRead(`${server.url}/big.warc`));
    expect(received.equals(body)).toBe(true);
    expect(seen.map((request) => request.range)).toEqual([undefined, "bytes=70001-"]);
  });

  it("restarts without Range when the server never offered ranges", async () => {
    const body = sampleBytes(200_000, 5);
    const full = (_request: IncomingMessage, response: ServerResponse) => response.end(body);
    const { server, seen } = await serve(cutOff(body, 50_000), full);
    const received = await buffer(await openRead(`${server.url}/big.warc`));
    expect(received.equals(body)).toBe(true);
    expect(seen.map((request) => request.range)).toEqual([undefined, undefined]);
  });

  it("decompresses by the URL's extension, ignoring its query string", async () => {
    const text = "a line of crawl\n".repeat(5000);
    const { server, seen } = await serve((_request, response) => response.end(gzipSync(text)));
    expect(await readText(`${server.url}/part.jsonl.gz?signature=abc`)).toBe(text);
    expect(seen[0]?.url).toBe("/part.jsonl.gz?signature=abc");
  });

  it("stops the download when the reader stops early", async () => {
    const body = Buffer.alloc(4 * 1024 * 1024, 120);
    let closed = false;
    const { server } = await serve((_request, response) => {
      response.on("close", () => (closed = true));
      response.end(body);
    });
    const stream = await openRead(`${server.url}/big.warc`);
    for await (const chunk of stream) {
      expect((chunk as Buffer).length).toBeGreaterThan(0);
      break;
    }
    await expect.poll(() => closed).toBe(true);
  });

  it("stops with an AbortError when the caller's signal fires", async () => {
    const { server, seen } = await serve((_request, response) => {
      response.writeHead(200);
      response.write("first part ");
      // Never ends: only the abort can finish this read.
    });
    const controller = new AbortController();
    const stream = await openRead(`${server.url}/slow.txt`, { signal: controller.signal });
    const reading = buffer(stream);
    stream.once("data", () => controller.abort());
    await expect(reading).rejects.toMatchObject({ name: "AbortError" });
    expect(seen).toHaveLength(1);
  });
});
