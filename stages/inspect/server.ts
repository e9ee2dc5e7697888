/**
 * `kiln inspect`'s HTTP server: the page and a JSON API over a run's index (run-index.ts). It
 * reads only the index and the training files the index lists; no request names a path, so none
 * can leave the run folder. Listening on 127.0.0.1 unless told otherwise.
 *
 *   GET /                    the page (page.ts; no network, no CDN)
 *   GET /api/summary         the run's summary (and the compared run's)
 *   GET /api/docs?step&dropped&stage&reason&language&offset&limit   a page of document rows
 *   GET /api/doc?n           one document: text cut into marked segments, signals by threshold
 *   GET /api/whatif?step&stage&p.<param>=<value>                    what-if.ts
 *   GET /api/compare?offset&limit   per-stage counts of both runs, documents whose fate changed
 *   GET /api/clusters?step&offset&limit   a step's MinHash clusters, largest first
 *   GET /api/cluster?step&key        one cluster's members with their estimated Jaccard (clusters.ts)
 *   GET /api/training        loss curves, classifier validation, mixture shares
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { readFile } from "node:fs/promises";
import { KilnError } from "../../core/index.js";
import { segments, signalRows } from "./highlight.js";
import { clusterMembers, listClusters, type ClusterRow } from "./clusters.js";
import { knobsByStage } from "./knobs.js";
import { pageHtml } from "./page.js";
import { NONE16, type DocRecord, type RunIndex } from "./run-index.js";
import { whatIf } from "./what-if.js";

export interface InspectServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

const MAX_LIMIT = 500;

/** The filter a document list is asked for; undefined fields match anything. */
interface ListQuery {
  step?: number;
  dropped?: boolean;
  stage?: number;
  reason?: number;
  language?: number;
}

function intParam(url: URL, name: string, fallback?: number): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === "") return fallback;
  if (!/^\d+$/.test(raw)) throw new KilnError("usage", `${name}: ${raw} is not a whole number`);
  return Number(raw);
}

/** A name looked up in one of the index's tables, as its number (undefined when not asked). */
function named(url: URL, param: string, table: string[]): number | undefined {
  const raw = url.searchParams.get(param);
  if (raw === null || raw === "") return undefined;
  const i = table.indexOf(raw);
  return i < 0 ? -1 : i;
}

const matches = (r: DocRecord, q: ListQuery) =>
  (q.step === undefined || r.step === q.step) &&
  (q.dropped === undefined || r.dropped === q.dropped) &&
  (q.stage === undefined || r.stage === q.stage) &&
  (q.reason === undefined || r.reason === q.reason) &&
  (q.language === undefined || r.language === q.language);

/** Per run: the last record of each document id (a dropped document goes no further), by id hash. */
async function finalFates(index: RunIndex): Promise<{ hi: number; lo: number; n: number }[]> {
  const ids = await index.ids();
  const out: { hi: number; lo: number; n: number }[] = [];
  for (let i = 0; i < ids.length; i += 3) {
    const [hi, lo, n] = [ids[i]!, ids[i + 1]!, ids[i + 2]!];
    const last = out.at(-1);
    // Sorted by hash then document number, and documents are numbered in step order: the later wins.
    if (last && last.hi === hi && last.lo === lo) last.n = n;
    else out.push({ hi, lo, n });
  }
  return out;
}

/** Loss curves (at most 2,000 points each), classifier validation and mixture shares from the run's training outputs. */
export async function trainingData(index: RunIndex): Promise<unknown> {
const { summary } = index;
  const read = async (rel: string) => readFile(path.join(index.run, rel), "utf8");
  const metrics = [];
  for (const rel of summary.training.metrics) {
    const rows = (await read(rel))
      .split("\n")
      .filter((l) => l.trim())
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
    // At most 2,000 points a curve: every k-th row, and the last.
    const every = Math.max(1, Math.ceil(rows.length / 2000));
    metrics.push({ path: rel, rows: rows.filter((_, k) => k % every === 0 || k === rows.length - 1) });
  }
  const classifiers = [];
  for (const rel of summary.training.classifiers) {
    const model = JSON.parse(await read(rel)) as Record<string, unknown>;
    classifiers.push({ path: rel, labelNames: model.labelNames, validation: model.validation, decision: model.decision });
  }
  const manifests = [];
  for (const rel of summary.training.manifests) {
    const m = JSON.parse(await read(rel)) as Record<string, unknown>;
    manifests.push({ path: rel, sources: m.sources, phases: m.phases });
  }
  return { metrics, classifiers, manifests };
}

export async function startInspectServer(index: RunIndex, options: { port?: number; host?: string; compare?: RunIndex } = {}): Promise<InspectServer> {
  const { summary } = index;
  let cached: { key: string; docs: Uint32Array } | undefined;
  let cachedClusters: { step: number; rows: ClusterRow[] } | undefined;

  async function list(q: ListQuery): Promise<Uint32Array> {
    const key = JSON.stringify(q);
    if (cached?.key === key) return cached.docs;
    let found = new Uint32Array(1024);
    let count = 0;
    for await (const r of index.records()) {
      if (!matches(r, q)) continue;
      if (count === found.length) {
        const grown = new Uint32Array(found.length * 2);
        grown.set(found);
        found = grown;
      }
      found[count++] = r.n;
    }
    cached = { key, docs: found.slice(0, count) };
    return cached.docs;
  }

  const row = async (r: DocRecord, run: RunIndex = index) => {
    const doc = await run.doc(r);
    const s = run.summary;
    return {
      n: r.n,
      id: doc.id,
      url: doc.url ?? null,
      step: s.steps[r.step]?.name,
      dropped: r.dropped,
      stage: r.stage === NONE16 ? null : s.stages[r.stage],
      reason: r.reason === NONE16 ? null : s.reasons[r.reason],
      language: s.languages[r.language],
      chars: r.chars,
      bytes: r.bytes,
      tokens: r.tokens,
      preview: doc.text.slice(0, 160),
    };
  };

  async function compare(url: URL): Promise<unknown> {
    const other = options.compare;
    if (!other) throw new KilnError("not_found", "no run to compare with: start with --compare <run>");
    const offset = intParam(url, "offset", 0)!;
    const limit = Math.min(intParam(url, "limit", 50)!, MAX_LIMIT);
    const [a, b] = [await finalFates(index), await finalFates(other)];
    const fate = async (run: RunIndex, n: number) => {
      const r = await run.record(n);
      return { record: r, verdict: r.dropped ? `${run.summary.stages[r.stage]}: ${run.summary.reasons[r.reason]}` : `kept (${run.summary.steps[r.step]?.name})` };
    };
    const changed: { a: number; b: number }[] = [];
    let onlyA = 0;
    let onlyB = 0;
    let same = 0;
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
      const x = a[i];
      const y = b[j];
      const order = !x ? 1 : !y ? -1 : x.hi - y.hi || x.lo - y.lo;
      if (order < 0) {
        onlyA++;
        i++;
      } else if (order > 0) {
        onlyB++;
        j++;
      } else {
        const [ra, rb] = [await index.record(x!.n), await other.record(y!.n)];
        const va = ra.dropped ? `${summary.stages[ra.stage]}:${summary.reasons[ra.reason]}` : "kept";
        const vb = rb.dropped ? `${other.summary.stages[rb.stage]}:${other.summary.reasons[rb.reason]}` : "kept";
        if (va === vb) same++;
        else changed.push({ a: x!.n, b: y!.n });
        i++;
        j++;
      }
    }
    const docs = [];
    for (const c of changed.slice(offset, offset + limit)) {
      const [fa, fb] = [await fate(index, c.a), await fate(other, c.b)];
      docs.push({ ...(await row(fa.record)), before: fa.verdict, after: fb.verdict });
    }
    const stages = (s: RunIndex["summary"]) => s.steps.map((st) => ({ step: st.name, stages: st.stages.map(({ name, docsIn, docsOut }) => ({ name, docsIn, docsOut })) }));
    return { a: { run: index.run, steps: stages(summary) }, b: { run: other.run, steps: stages(other.summary) }, same, onlyA, onlyB, changed: changed.length, offset, docs };
  }

  async function route(url: URL): Promise<{ type: string; body: string }> {
    const json = (value: unknown) => ({ type: "application/json", body: JSON.stringify(value) });
    switch (url.pathname) {
      case "/":
        return { type: "text/html; charset=utf-8", body: pageHtml() };
      case "/api/summary":
        return json({ run: index.run, summary, knobs: knobsByStage(), compare: options.compare ? { run: options.compare.run, summary: options.compare.summary } : null });
      case "/api/docs": {
        const dropped = url.searchParams.get("dropped");
        const q: ListQuery = {
          step: intParam(url, "step"),
          dropped: dropped === null || dropped === "" ? undefined : dropped === "1" || dropped === "true",
          stage: named(url, "stage", summary.stages),
          reason: named(url, "reason", summary.reasons),
          language: named(url, "language", summary.languages),
        };
        const offset = intParam(url, "offset", 0)!;
        const limit = Math.min(intParam(url, "limit", 50)!, MAX_LIMIT);
        const found = await list(q);
        const docs = [];
        for (const n of found.subarray(offset, offset + limit)) docs.push(await row(await index.record(n)));
        return json({ total: found.length, offset, docs });
      }
      case "/api/doc": {
        const n = intParam(url, "n");
        if (n === undefined) throw new KilnError("usage", "n: missing");
        const record = await index.record(n);
        const doc = await index.doc(record);
        const step = summary.steps[record.step]!;
        const pii = step.params.find((s) => s.name === "pii")?.params ?? {};
        const placeholders = ["emailReplacement", "ipv4Replacement", "ipv6Replacement"].map((k) => pii[k]).filter((v): v is string => typeof v === "string");
        return json({ ...(await row(record)), meta: doc.meta, segments: segments(doc.text, placeholders), signals: signalRows(doc.meta, step.params) });
      }
      case "/api/whatif": {
        const step = intParam(url, "step");
        const stage = url.searchParams.get("stage");
        if (step === undefined || !stage) throw new KilnError("usage", "step and stage are required");
        const params: Record<string, number> = {};
        for (const [key, value] of url.searchParams) {
          if (!key.startsWith("p.")) continue;
          const v = Number(value);
          if (value.trim() === "" || !Number.isFinite(v)) throw new KilnError("usage", `${key}: ${value} is not a number`);
          params[key.slice(2)] = v;
        }
        return json(await whatIf(index, { step, stage, params }));
      }
      case "/api/clusters": {
        const step = intParam(url, "step");
        if (step === undefined) throw new KilnError("usage", "step: missing");
        if (cachedClusters?.step !== step) cachedClusters = { step, rows: await listClusters(index, step) };
        const offset = intParam(url, "offset", 0)!;
        const limit = Math.min(intParam(url, "limit", 50)!, MAX_LIMIT);
        const clusters = [];
        for (const c of cachedClusters.rows.slice(offset, offset + limit)) {
          clusters.push({ ...c, preview: c.representative === null ? null : (await row(await index.record(c.representative))).preview });
        }
        return json({ total: cachedClusters.rows.length, offset, clusters });
      }
      case "/api/cluster": {
        const step = intParam(url, "step");
        const key = url.searchParams.get("key");
        if (step === undefined || !key) throw new KilnError("usage", "step and key are required");
        const { params, members } = await clusterMembers(index, step, key);
        const out = [];
        for (const m of members.slice(0, MAX_LIMIT)) out.push({ ...(await row(m.record)), representative: m.representative, jaccard: m.jaccard, text: m.text.slice(0, 20_000) });
        return json({ key, params, members: out, total: members.length });
      }
      case "/api/compare":
        return json(await compare(url));
      case "/api/training":
        return json(await trainingData(index));
      default:
        throw new KilnError("not_found", `${url.pathname}: no such page`);
    }
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    try {
      if (req.method !== "GET" && req.method !== "HEAD") throw new KilnError("usage", `${req.method}: the inspector is read-only`);
      // The raw target, before URL normalisation: a path with dot segments is refused, not resolved.
      const target = req.url ?? "/";
      if (/(^|\/|%2f)(\.|%2e){2}(\/|%2f|$|\?)/i.test(target) || target.includes("\\")) throw new KilnError("usage", `${target}: paths cannot leave the run folder`);
      const { type, body } = await route(new URL(target, "http://inspect"));
      res.writeHead(200, { "content-type": type, "cache-control": "no-store" });
      res.end(req.method === "HEAD" ? undefined : body);
    } catch (error) {
      const known = error instanceof KilnError;
      const status = known && error.code === "not_found" ? 404 : known ? 400 : 500;
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: known ? `${error.code}: ${error.message}` : String(error) }));
    }
  };

  const server = createServer((req, res) => void handle(req, res));
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}/`,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
