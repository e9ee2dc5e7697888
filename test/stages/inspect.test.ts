/**
 * `kiln inspect` and `kiln report`: the index, the HTTP API on 127.0.0.1 (pagination, documents,
 * what-if, compare, training, refused paths) and the page in a real headless Chromium (Debian's
 * `chromium`; CI installs it and sets KILN_REQUIRE_BROWSER, elsewhere the browser tests skip
 * without it). Every expected count is computed here from the run's own JSONL files.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { request } from "node:http";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPipelineFile } from "../../pipeline/cli/run.js";
import { createReporter } from "../../pipeline/progress.js";
import { reportHtml, RunIndex, startInspectServer, type InspectServer } from "../../stages/inspect/index.js";
import { builtinModules, parseLines, readStepData, repoRoot, tempDir, writeConfig } from "../pipeline/helpers.js";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
const skipBrowser = !CHROMIUM && !process.env.KILN_REQUIRE_BROWSER;
/** Screenshots for a person to look at. */
const SHOTS = path.join(repoRoot, "test-results", "inspect");

const WORDS = ["the", "river", "and", "a", "garden", "of", "to", "green", "stone", "bridge", "with", "quiet", "morning", "light", "over", "town"];
/** A clean English text of exactly n words (every Gopher quality rule but the word count passes). */
const textOf = (n: number, seed: number) => Array.from({ length: n }, (_, i) => WORDS[(i * 7 + seed) % WORDS.length]).join(" ") + ".";

interface Line {
  id: string;
  text: string;
  meta: Record<string, unknown> & { excluded?: { stage: string; reason: string }; gopherQuality?: { nonSymbolWords: number } };
}

let dir: string;
let runA: string;
let runB: string;
let index: RunIndex;
let other: RunIndex;
let server: InspectServer;

async function runPipeline(name: string, minDocWords: number): Promise<string> {
  const output = path.join(dir, name);
  const config = await writeConfig(
    dir,
    {
      output,
      steps: [
        {
          name: "filter",
          read: { paths: path.join(dir, "input", "*.jsonl") },
          stages: [{ text_length: { minChars: 40 } }, { gopher_quality: { minDocWords } }],
          write: { format: "jsonl" },
          keepExcluded: true,
        },
      ],
    },
    `${name}.yaml`,
  );
  await runPipelineFile(config, { builtinModules, workers: 2, reporter: createReporter(process.stderr, true) });
  return output;
}

/** Every document line the step wrote, kept (data/) and dropped (excluded/). */
async function lines(run: string): Promise<{ kept: Line[]; dropped: Line[] }> {
  const read = async (sub: string) => {
    const out: Line[] = [];
    for (const f of ["00000.jsonl.gz", "00001.jsonl.gz"]) {
      const file = path.join(run, "filter", sub, f);
      if (!existsSync(file)) continue;
      out.push(...gunzipSync(await readFile(file)).toString("utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Line));
    }
    return out;
  };
  return { kept: await read("data"), dropped: await read("excluded") };
}

const get = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

/** A raw request, so the path reaches the server exactly as written (fetch would normalise it). */
const rawGet = (base: string, target: string) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const { hostname, port } = new URL(base);
    const req = request({ host: hostname, port, path: target, method: "GET" }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });

beforeAll(async () => {
  dir = await tempDir("kiln-inspect-");
  await mkdir(path.join(dir, "input"));
  // 80 documents: word counts 5..100 (short ones under 40 characters go to text_length first), two languages.
  for (const file of [0, 1]) {
    const docs = Array.from({ length: 40 }, (_, i) => {
      const k = file * 40 + i;
      const words = k % 10 === 9 ? 3 : 5 + ((k * 37) % 96);
      return JSON.stringify({ id: `doc-${k}`, text: textOf(words, k), url: `https://example.org/${k}`, meta: { language: k % 3 === 0 ? "de" : "en" } });
    });
    await writeFile(path.join(dir, "input", `part-${file}.jsonl`), docs.join("\n") + "\n");
  }
  runA = await runPipeline("run-a", 50);
  runB = await runPipeline("run-b", 30);
  await mkdir(path.join(runA, "model"));
  await writeFile(path.join(runA, "model", "metrics.jsonl"), [1, 2, 3].map((s) => JSON.stringify({ kind: "train", step: s * 10, loss: 5 - s })).join("\n") + "\n");
  index = await RunIndex.open(runA);
  other = await RunIndex.open(runB);
  server = await startInspectServer(index, { compare: other });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await index?.close();
  await other?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("the run index", () => {
  it("counts what the step kept and dropped, by stage, reason and language, as the JSONL files say", async () => {
    const { kept, dropped } = await lines(runA);
    const s = index.summary;
    expect(s.docs).toBe(kept.length + dropped.length);
    const step = s.steps[0]!;
    expect(step.name).toBe("filter");
    expect(step.kept.docs).toBe(kept.length);
    expect(step.kept.bytes).toBe(kept.reduce((a, d) => a + Buffer.byteLength(d.text), 0));
    const byReason: Record<string, number> = {};
    for (const d of dropped) byReason[`${d.meta.excluded!.stage}/${d.meta.excluded!.reason}`] = (byReason[`${d.meta.excluded!.stage}/${d.meta.excluded!.reason}`] ?? 0) + 1;
    const indexed = Object.fromEntries(Object.entries(step.dropped).flatMap(([stage, reasons]) => Object.entries(reasons).map(([reason, t]) => [`${stage}/${reason}`, t.docs])));
    expect(indexed).toEqual(byReason);
    const short = Array.from({ length: 80 }, (_, k) => textOf(k % 10 === 9 ? 3 : 5 + ((k * 37) % 96), k)).filter((t) => t.length < 40).length;
    expect(short).toBeGreaterThan(0);
    expect(byReason["text_length/too_short"]).toBe(short);
    // The stats the run wrote agree too.
    expect(step.stages.find((x) => x.name === "gopher_quality")!.dropped).toEqual({ "gopher_quality:short_doc": byReason["gopher_quality/gopher_quality:short_doc"] });
    const de = [...kept, ...dropped].filter((d) => d.meta.language === "de");
    expect(step.languages.de).toEqual({ kept: de.filter((d) => !d.meta.excluded).length, dropped: de.filter((d) => d.meta.excluded).length });
  });

  it("is reused while the run is unchanged and rebuilt when a source file changes", async () => {
    const summaryFile = path.join(runA, ".inspect", "summary.json");
    const before = (await stat(summaryFile)).mtimeMs;
    const again = await RunIndex.open(runA);
    await again.close();
    expect((await stat(summaryFile)).mtimeMs).toBe(before);
    const copy = path.join(dir, "run-copy");
    await runPipeline("run-copy", 50);
    const first = await RunIndex.open(copy);
    const n = first.summary.docs;
    await first.close();
    // One kept document less in a data file: the index notices and counts again.
    const file = path.join(copy, "filter", "data", "00000.jsonl.gz");
    const { gzipSync } = await import("node:zlib");
    const kept = gunzipSync(await readFile(file)).toString("utf8").split("\n").filter(Boolean);
    await writeFile(file, gzipSync(kept.slice(1).join("\n") + "\n"));
    const second = await RunIndex.open(copy);
    expect(second.summary.docs).toBe(n - 1);
    await second.close();
  });
});

describe("the inspect server on 127.0.0.1", () => {
  it("listens on the loopback address only by default", () => {
    expect(new URL(server.url).hostname).toBe("127.0.0.1");
  });

  it("pages through the documents of one reason: the pages together are exactly that reason's documents", async () => {
    const { dropped } = await lines(runA);
    const expected = dropped.filter((d) => d.meta.excluded!.reason === "gopher_quality:short_doc").map((d) => d.id).sort();
    const seen: string[] = [];
    let total = -1;
    for (let offset = 0; ; offset += 4) {
      const { status, body } = await get(`${server.url}api/docs?step=0&dropped=1&stage=gopher_quality&reason=gopher_quality:short_doc&offset=${offset}&limit=4`);
      expect(status).toBe(200);
      total = body.total as number;
      const docs = body.docs as { id: string; reason: string }[];
      if (docs.length === 0) break;
      expect(docs.length).toBeLessThanOrEqual(4);
      for (const d of docs) expect(d.reason).toBe("gopher_quality:short_doc");
      seen.push(...docs.map((d) => d.id));
    }
    expect(total).toBe(expected.length);
    expect(seen.sort()).toEqual(expected);
  });

  it("shows a document: its text in marked segments and each signal against its threshold", async () => {
    const { body: page } = await get(`${server.url}api/docs?dropped=1&reason=gopher_quality:short_doc&limit=1`);
    const n = (page.docs as { n: number }[])[0]!.n;
    const { body } = await get(`${server.url}api/doc?n=${n}`);
    const { dropped } = await lines(runA);
    const original = dropped.find((d) => d.id === body.id)!;
    expect((body.segments as { text: string }[]).map((s) => s.text).join("")).toBe(original.text);
    const words = original.meta.gopherQuality!.nonSymbolWords;
    const row = (body.signals as { param: string; value: number; threshold: number; passes: boolean }[]).find((r) => r.param === "minDocWords")!;
    expect(row).toMatchObject({ value: words, threshold: 50, passes: false });
    // The repeated word pattern is marked as the top n-grams.
    expect((body.segments as { marks: string[] }[]).some((s) => s.marks.includes("top-2gram"))).toBe(true);
  });

  it("what-if: the documents a new minDocWords keeps equal a recount from the JSONL, both ways", async () => {
    const { kept, dropped } = await lines(runA);
    // The documents that reached gopher_quality: kept, or dropped by it (text_length came before).
    const reached = [...kept, ...dropped.filter((d) => d.meta.excluded!.stage === "gopher_quality")];
    for (const threshold of [30, 70]) {
      const { status, body } = await get(`${server.url}api/whatif?step=0&stage=gopher_quality&p.minDocWords=${threshold}`);
      expect(status).toBe(200);
      const passing = reached.filter((d) => d.meta.gopherQuality!.nonSymbolWords >= threshold);
      expect((body.reached as { docs: number }).docs).toBe(reached.length);
      expect((body.passedBefore as { docs: number }).docs).toBe(kept.length);
      expect((body.passedAfter as { docs: number; bytes: number }).docs).toBe(passing.length);
      expect((body.passedAfter as { bytes: number }).bytes).toBe(passing.reduce((a, d) => a + Buffer.byteLength(d.text), 0));
      const languages = body.languages as Record<string, { after: number }>;
      expect(languages.de!.after).toBe(passing.filter((d) => d.meta.language === "de").length);
      const keptIds = new Set(kept.map((d) => d.id));
      expect(body.newlyKeptCount).toBe(passing.filter((d) => !keptIds.has(d.id)).length);
      expect(body.newlyDroppedCount).toBe(kept.filter((d) => d.meta.gopherQuality!.nonSymbolWords < threshold).length);
      expect(body.snippet).toBe(`- gopher_quality:\n    minDocWords: ${threshold}\n`);
    }
  });

  it("what-if refuses a parameter it cannot move and a stage the step does not have", async () => {
    expect((await get(`${server.url}api/whatif?step=0&stage=gopher_quality&p.words=3`)).status).toBe(400);
    expect((await get(`${server.url}api/whatif?step=0&stage=c4_quality&p.minWords=3`)).status).toBe(404);
  });

  it("compares two runs: the documents whose fate changed are those with 30 to 49 words", async () => {
    const { kept, dropped } = await lines(runA);
    const changed = [...kept, ...dropped].filter((d) => d.meta.gopherQuality && d.meta.gopherQuality.nonSymbolWords >= 30 && d.meta.gopherQuality.nonSymbolWords < 50);
    const { status, body } = await get(`${server.url}api/compare?limit=500`);
    expect(status).toBe(200);
    expect(body.changed).toBe(changed.length);
    expect(body.onlyA).toBe(0);
    expect(body.onlyB).toBe(0);
    const docs = body.docs as { id: string; before: string; after: string }[];
    expect(docs.map((d) => d.id).sort()).toEqual(changed.map((d) => d.id).sort());
    for (const d of docs) expect([d.before, d.after]).toEqual(["gopher_quality: gopher_quality:short_doc", "kept (filter)"]);
  });

  it("serves the training curves it found", async () => {
    const { body } = await get(`${server.url}api/training`);
    const metrics = body.metrics as { path: string; rows: { loss: number }[] }[];
    expect(metrics.map((m) => m.path)).toEqual([path.join("model", "metrics.jsonl")]);
    expect(metrics[0]!.rows.map((r) => r.loss)).toEqual([4, 3, 2]);
  });

  it("refuses paths that try to leave the run folder, and anything but GET", async () => {
    for (const target of ["/../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/api/../../config.json", "/..%2f..%2fetc%2fpasswd", "/filter/data/00000.jsonl.gz", "/.inspect/summary.json"]) {
      const { status, body } = await rawGet(server.url, target);
      expect(status, target).toBeGreaterThanOrEqual(400);
      expect(body).not.toContain("root:");
      expect(body).not.toContain('"steps"');
    }
    expect((await get(`${server.url}api/doc?n=../../x`)).status).toBe(400);
    expect((await get(`${server.url}api/doc?n=99999`)).status).toBe(404);
    expect((await fetch(`${server.url}api/summary`, { method: "POST" })).status).toBe(400);
  });
});

describe("MinHash clusters", () => {
  /** Word 5-gram sets, as the dedup shingles this ASCII text (lower case, punctuation dropped). */
  const shingles = (text: string) => {
    const words = text.toLowerCase().replace(/[^a-z0-9\s]/g, "").split(/\s+/).filter(Boolean);
    return new Set(words.slice(0, -4).map((_, i) => words.slice(i, i + 5).join(" ")));
  };
  const jaccard = (a: Set<string>, b: Set<string>) => [...a].filter((x) => b.has(x)).length / new Set([...a, ...b]).size;

  it("lists each cluster with its members, the kept representative first, and their estimated Jaccard near the true one", async () => {
    const cdir = path.join(dir, "clusters");
    await mkdir(cdir, { recursive: true });
    const vocabulary = Array.from({ length: 400 }, (_, i) => `w${i.toString(36)}x`);
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) % vocabulary.length;
    const docs: { id: string; text: string }[] = [];
    for (let g = 0; g < 4; g++) {
      const base = Array.from({ length: 120 }, () => vocabulary[next()]!);
      docs.push({ id: `g${g}-0`, text: base.join(" ") });
      for (let v = 1; v <= g + 1; v++) {
        const copy = [...base];
        copy[10 * v + 3] = vocabulary[next()]!;
        docs.push({ id: `g${g}-${v}`, text: copy.join(" ") });
      }
    }
    for (let u = 0; u < 5; u++) docs.push({ id: `u${u}`, text: Array.from({ length: 120 }, () => vocabulary[next()]!).join(" ") });
    await writeFile(path.join(cdir, "docs.jsonl"), docs.map((d) => JSON.stringify(d)).join("\n") + "\n");
    const { minhashSteps, runSteps } = await import("./dedup/run-helpers.js");
    const steps = minhashSteps(path.join(cdir, "docs.jsonl"));
    steps.at(-1)!.keepExcluded = true;
    const { output } = await runSteps(cdir, "run", steps, 1);
    const run = await RunIndex.open(output);
    const clusterServer = await startInspectServer(run);
    try {
      const step = run.summary.steps.findIndex((s) => s.name === "deduped");
      // The groups, as the run's own output says: every document that carries a cluster, by cluster.
      const written = [...(await readStepData(output, "deduped")).values()].flatMap(parseLines);
      const excluded = gunzipSync(await readFile(path.join(output, "deduped", "excluded", "00000.jsonl.gz"))).toString("utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Line);
      const byCluster = new Map<string, string[]>();
      for (const d of [...written, ...excluded]) {
        const key = d.meta.minhashCluster as string | undefined;
        if (key) byCluster.set(key, [...(byCluster.get(key) ?? []), d.id]);
      }
      expect([...byCluster.values()].map((ids) => ids.length).sort()).toEqual([2, 3, 4, 5]);
      const { body } = await get(`${clusterServer.url}api/clusters?step=${step}`);
      expect(body.total).toBe(4);
      const rows = body.clusters as { key: string; members: number }[];
      expect(rows.map((r) => r.members)).toEqual([5, 4, 3, 2]);
      for (const r of rows) {
        const { body: c } = await get(`${clusterServer.url}api/cluster?step=${step}&key=${r.key}`);
        const members = c.members as { id: string; representative: boolean; dropped: boolean; jaccard: number; text: string }[];
        expect(members.map((m) => m.id).sort()).toEqual([...byCluster.get(r.key)!].sort());
        expect(members[0]).toMatchObject({ representative: true, dropped: false, jaccard: 1 });
        expect(members.slice(1).every((m) => !m.representative && m.dropped)).toBe(true);
        const rep = shingles(members[0]!.text);
        for (const m of members.slice(1)) expect(Math.abs(m.jaccard - jaccard(rep, shingles(m.text)))).toBeLessThan(0.15);
      }
    } finally {
      await clusterServer.close();
      await run.close();
    }
  }, 120_000);
});

describe.skipIf(skipBrowser)("the page in headless Chromium", () => {
  it("shows the flow, reads a dropped document, moves a threshold, and the static report renders", async () => {
    const { default: puppeteer } = await import("puppeteer-core");
    await mkdir(SHOTS, { recursive: true });
    const browser = await puppeteer.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--headless=new"] });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      await page.setViewport({ width: 1200, height: 900 });
      await page.goto(server.url);
      await page.waitForSelector("body[data-ready]");
      const { kept, dropped } = await lines(runA);
      expect(await page.$eval(".kept-docs", (el) => el.textContent)).toBe(String(kept.length));
      await page.screenshot({ path: path.join(SHOTS, "flow.png") });

      await page.click('.reason-bar[data-reason="gopher_quality:short_doc"]');
      await page.waitForSelector("#doc-list tr[data-n]");
      const short = dropped.filter((d) => d.meta.excluded!.reason === "gopher_quality:short_doc");
      expect(await page.$eval("#list-total", (el) => el.textContent)).toBe(String(short.length));
      await page.click("#doc-list tr[data-n]");
      await page.waitForSelector(".card.doc");
      expect(await page.$eval(".card.doc .verdict", (el) => el.textContent)).toBe("dropped by gopher_quality: gopher_quality:short_doc");
      await page.screenshot({ path: path.join(SHOTS, "document.png"), fullPage: true });

      await page.click("#tab-whatif");
      await page.waitForSelector("#whatif-stage");
      const option = await page.$$eval("#whatif-stage option", (os) => os.find((o) => o.textContent === "filter · gopher_quality")!.getAttribute("value")!);
      await page.select("#whatif-stage", option);
      const input = await page.waitForSelector('input[data-param="minDocWords"]');
      await input!.click({ count: 3 });
      await input!.type("30");
      await page.waitForSelector("#whatif-passed-after");
      const reached = [...kept, ...dropped.filter((d) => d.meta.excluded!.stage === "gopher_quality")];
      expect(await page.$eval("#whatif-passed-after", (el) => el.textContent)).toBe(String(reached.filter((d) => d.meta.gopherQuality!.nonSymbolWords >= 30).length));
      expect(await page.$eval("#whatif-snippet", (el) => el.textContent)).toContain("minDocWords: 30");
      await page.screenshot({ path: path.join(SHOTS, "what-if.png"), fullPage: true });

      await page.click("#tab-compare");
      await page.waitForSelector("#compare-changed");
      await page.screenshot({ path: path.join(SHOTS, "compare.png"), fullPage: true });

      const report = path.join(dir, "report.html");
      await writeFile(report, await reportHtml(runA));
      await page.goto(`file://${report}`);
      await page.waitForSelector("body[data-ready]");
      expect(await page.$eval(".kept-docs", (el) => el.textContent)).toBe(String(kept.length));
      await page.click("#tab-training");
      await page.waitForSelector(".card.metrics svg polyline");
      await page.screenshot({ path: path.join(SHOTS, "report-training.png") });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
