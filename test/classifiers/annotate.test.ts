import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { annotate, cacheKey } from "../../classifiers/annotate/annotate.js";
import { chatComplete, DEFAULT_CHAT, type ChatConfig } from "../../classifiers/annotate/client.js";
import { parseScore } from "../../classifiers/annotate/parse.js";
import { FINEWEB_EDU_PROMPT, renderPrompt, truncateDocument } from "../../classifiers/annotate/prompts.js";
import { tempDir } from "../pipeline/helpers.js";

/**
 * A fake OpenAI-compatible server. The document inside the prompt says how to behave:
 * "points=N" -> "Score: N"; RATE-LIMIT -> one 429 first; FAIL-500 -> two 500s first; SLOW -> no
 * reply to the first request at all, so the client's timeout ends it; MALFORMED -> no score line;
 * BROKEN-JSON -> a 200 that is not JSON; ALWAYS-500 -> 500 forever.
 */
let server: Server;
let baseUrl: string;
let inFlight = 0;
let maxInFlight = 0;
const requestsByMarker = new Map<string, number>();
let totalRequests = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      totalRequests++;
      // In flight until answered or until the client closes the connection (a timed-out request
      // it abandoned): the cap is on what the client has open, not on work the server keeps doing.
      let open = true;
      const settle = () => {
        if (open) inFlight--;
        open = false;
      };
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      res.on("close", settle);
      const request = JSON.parse(body) as { model: string; messages: { content: string }[] };
      const prompt = request.messages[0]!.content;
      const id = /id=(\w+)/.exec(prompt)?.[1] ?? "?";
      const n = (requestsByMarker.get(id) ?? 0) + 1;
      requestsByMarker.set(id, n);
      const finish = (status: number, payload: string, headers: Record<string, string> = {}, delay = 20) =>
        setTimeout(() => {
          settle();
          if (!res.destroyed) res.writeHead(status, { "content-type": "application/json", ...headers }).end(payload);
        }, delay);
      const reply = (content: string) => JSON.stringify({ choices: [{ message: { role: "assistant", content }, finish_reason: "stop" }], usage: { prompt_tokens: 100, completion_tokens: 10 } });
      if (req.headers.authorization !== "Bearer sk-test") return finish(401, "{}");
      if (prompt.includes("ECHO-")) return finish(prompt.includes("ECHO-500") ? 500 : 400, JSON.stringify({ error: "bad request", echo: { headers: req.headers, apiKey: "sk-test" } }));
      if (prompt.includes("RATE-LIMIT") && n === 1) return finish(429, "{}", { "retry-after": "0" });
      if (prompt.includes("FAIL-500") && n <= 2) return finish(500, "{}");
      if (prompt.includes("ALWAYS-500")) return finish(503, "{}");
      if (prompt.includes("SLOW") && n === 1) return; // never answered
      if (prompt.includes("MALFORMED")) return finish(200, reply("A fine page, maybe a 4 out of 5."));
      if (prompt.includes("BROKEN-JSON")) return finish(200, "<html>oops</html>");
      const points = /points=(\d)/.exec(prompt)?.[1] ?? "0";
      return finish(200, reply(`Clear and useful.\nScore: ${points}`));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  inFlight = 0;
  maxInFlight = 0;
  totalRequests = 0;
  requestsByMarker.clear();
});

const chat = (): ChatConfig => ({ ...DEFAULT_CHAT, baseUrl, model: "fake-model", apiKey: "sk-test", timeoutMs: 2000, retries: 2, baseDelayMs: 5, maxDelayMs: 20 });

async function* docsOf(texts: [string, string][]) {
  for (const [id, text] of texts) yield { id, text };
}

async function run(docs: [string, string][], out: string, cacheDir: string | undefined, concurrency = 4) {
  return annotate({
    docs: docsOf(docs),
    out,
    prompt: { name: "fineweb-edu", template: FINEWEB_EDU_PROMPT },
    chat: chat(),
    concurrency,
    cacheDir,
    maxChars: 10_000,
    maxScore: 5,
    inputPricePerMillion: 2,
    outputPricePerMillion: 10,
  });
}

async function rows(file: string) {
  return (await readFile(file, "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { id: string; score: number | null; reason?: string; cached: boolean; text: string });
}

describe("annotate against an OpenAI-compatible server", () => {
  it("never has more than `concurrency` requests in flight", async () => {
    const dir = await tempDir();
    const docs = Array.from({ length: 24 }, (_, i): [string, string] => [`d${i}`, `id=d${i} points=${i % 6}`]);
    const tally = await run(docs, path.join(dir, "labels.jsonl"), undefined, 3);
    expect(maxInFlight).toBe(3);
    expect(tally.parsed).toBe(24);
    const byId = new Map((await rows(path.join(dir, "labels.jsonl"))).map((r) => [r.id, r.score]));
    expect(byId.get("d7")).toBe(1);
    expect(byId.get("d11")).toBe(5);
  });

  it("retries 429, 5xx and timeouts, records unparseable replies, caches, and resumes", async () => {
    const dir = await tempDir();
    const out = path.join(dir, "labels.jsonl");
    const cache = path.join(dir, "cache");
    const docs: [string, string][] = [
      ["ok", "id=ok points=3"],
      ["rate", "id=rate RATE-LIMIT points=2"],
      ["fail", "id=fail FAIL-500 points=4"],
      ["slow", "id=slow SLOW points=5"],
      ["malformed", "id=malformed MALFORMED"],
      ["broken", "id=broken BROKEN-JSON"],
      ["down", "id=down ALWAYS-500"],
    ];
    const tally = await run(docs, out, cache);
    expect(requestsByMarker.get("rate")).toBe(2);
    expect(requestsByMarker.get("fail")).toBe(3);
    expect(requestsByMarker.get("slow")).toBe(2);
    expect(requestsByMarker.get("down")).toBe(3); // first try + 2 retries
    expect(tally).toMatchObject({ documents: 7, parsed: 4, unparseable: 2, failed: 1, failures: { http_503: 1 }, unparseableReasons: { no_score_line: 1, bad_response: 1 }, retries: 1 + 2 + 1 + 2 });
    expect(tally.requests).toBe(totalRequests);
    // Tokens of the 5 chat completions that arrived (4 scored + 1 malformed): 100 in, 10 out each.
    expect(tally.promptTokens).toBe(500);
    expect(tally.completionTokens).toBe(50);
    expect(tally.costUsd).toBeCloseTo((500 * 2 + 50 * 10) / 1e6, 12);
    const written = new Map((await rows(out)).map((r) => [r.id, r]));
    expect([...written.keys()].sort()).toEqual(["broken", "fail", "malformed", "ok", "rate", "slow"]);
    expect(written.get("slow")!.score).toBe(5);
    expect(written.get("malformed")).toMatchObject({ score: null, reason: "no_score_line" });
    expect(written.get("ok")!.text).toBe("id=ok points=3");

    // Rerun, same output: only the failed document is tried again.
    requestsByMarker.clear();
    totalRequests = 0;
    const resumed = await run(docs, out, cache);
    expect(resumed.resumed).toBe(6);
    expect([...requestsByMarker.keys()]).toEqual(["down"]);

    // Fresh output, same cache: every reply that was read comes from the cache, at no cost.
    requestsByMarker.clear();
    totalRequests = 0;
    const again = await run(docs.filter(([id]) => id !== "down" && id !== "broken"), path.join(dir, "labels2.jsonl"), cache);
    expect(totalRequests).toBe(0);
    expect(again).toMatchObject({ cacheHits: 5, parsed: 4, unparseable: 1, promptTokens: 0, costUsd: 0, cachedTokens: 550 });
    expect((await rows(path.join(dir, "labels2.jsonl"))).every((r) => r.cached)).toBe(true);
  });

  it("repairs a torn last line left by a killed run and annotates that document again", async () => {
    const dir = await tempDir();
    const out = path.join(dir, "labels.jsonl");
    await writeFile(out, JSON.stringify({ id: "a", score: 1 }) + "\n" + '{"id":"b","sco');
    const tally = await run([["a", "id=a points=1"], ["b", "id=b points=2"]], out, undefined);
    expect(tally).toMatchObject({ resumed: 1, parsed: 1 });
    const written = await rows(out);
    expect(written.map((r) => [r.id, r.score])).toEqual([["a", 1], ["b", 2]]);
  });
});

describe("score parser and prompts", () => {
  it("reads only a final score line", () => {
    expect(parseScore("Good.\nScore: 3", 5)).toEqual({ score: 3 });
    expect(parseScore("Good.\n**Educational score: 4**\n", 5)).toEqual({ score: 4 });
    expect(parseScore("Score: 3\nbut on reflection it is weak", 5)).toEqual({ score: null, reason: "no_score_line" });
    expect(parseScore("Score: 3.5", 5)).toEqual({ score: null, reason: "score_not_integer" });
    expect(parseScore("Score: 6", 5)).toEqual({ score: null, reason: "score_out_of_range" });
    expect(parseScore("   \n", 5)).toEqual({ score: null, reason: "empty_reply" });
    expect(parseScore("Score: 2", 5, "length")).toEqual({ score: null, reason: "truncated_reply" });
  });

  it("renders templates literally and keys the cache on model, prompt and document", () => {
    expect(renderPrompt("A {{domain}} B {{document}}", "cost $& {{domain}}", { domain: "law" })).toBe("A law B cost $& {{domain}}");
    expect(() => renderPrompt("{{domain}} {{document}}", "x")).toThrow(/--domain/);
    expect(truncateDocument("aaaa bbbb cccc", 11)).toBe("aaaa bbbb");
    const base = chat();
    expect(cacheKey(base, "t", "d")).toBe(cacheKey({ ...base }, "t", "d"));
    expect(cacheKey(base, "t", "d")).not.toBe(cacheKey({ ...base, model: "other" }, "t", "d"));
    expect(cacheKey(base, "t", "d")).not.toBe(cacheKey(base, "t2", "d"));
    expect(cacheKey(base, "t", "d")).not.toBe(cacheKey(base, "t", "d2"));
  });
});

describe("secrets", () => {
  it("never prints the API key or an authorization value from a server that echoes the request", async () => {
    for (const marker of ["ECHO-400", "ECHO-500"]) {
      const error = await chatComplete(chat(), `id=${marker} ${marker}`).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error?.message, marker).toMatch(/^HTTP (400|500): /);
      expect(error!.message).not.toContain("sk-test");
      expect(error!.message).toContain("[redacted]");
    }
  });
});
