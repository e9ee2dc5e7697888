/**
 * The inspector's page: one HTML document with its styles and script inline (no CDN, nothing
 * fetched but the server's own API). `kiln report --html` writes the same page with the summary
 * and training data embedded, where the views that need the server say so instead of loading.
 */

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1b1b1b;background:#fafafa}
header{background:#2d2a26;color:#f4efe8;padding:10px 18px;display:flex;gap:18px;align-items:baseline;flex-wrap:wrap}
header h1{font-size:17px;margin:0}header code{color:#e8c9a0}
nav button{background:none;border:0;color:#f4efe8;font:inherit;padding:4px 8px;cursor:pointer;border-radius:4px}
nav button.on{background:#b8572a}
main{padding:14px 18px;max-width:1200px}
table{border-collapse:collapse;margin:6px 0 14px}td,th{padding:3px 8px;border-bottom:1px solid #e3ded6;text-align:left;vertical-align:top}
th{font-weight:600;background:#f0ebe3}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.bar{display:flex;align-items:center;gap:8px;cursor:pointer;margin:2px 0}.bar:hover{background:#f3e4d8}
.bar span.fill{display:inline-block;height:12px;background:#b8572a;border-radius:2px}
.bar .label{min-width:260px}
.muted{color:#777}.err{color:#a11}
pre.text{white-space:pre-wrap;background:#fff;border:1px solid #e3ded6;padding:10px;max-height:600px;overflow:auto}
.m-dup-line{background:#ffe1a8}.m-dup-para{background:#ffc98a}.m-top-2gram{text-decoration:underline 2px #2b7bb9}
.m-top-3gram{text-decoration:underline 2px #2b7bb9;background:#d8ecfb}.m-top-4gram{background:#b9dcf7}.m-pii{background:#e6c8f5;outline:1px solid #9b59b6}
.member.representative{border:2px solid #1d7a35}.pass{color:#1d7a35}.fail{color:#b3261e;font-weight:600}
tr.click{cursor:pointer}tr.click:hover{background:#f3e4d8}
.row{display:flex;gap:24px;flex-wrap:wrap}.card{background:#fff;border:1px solid #e3ded6;border-radius:6px;padding:10px 14px;margin:0 0 14px}
label{margin-right:10px}input[type=range]{width:320px;vertical-align:middle}
`;

const SCRIPT = String.raw`
const STATIC = window.KILN_STATIC || null;
const $ = (s, el = document) => el.querySelector(s);
const h = (tag, attrs = {}, ...kids) => {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "onclick" || k === "oninput" || k === "onchange") el[k] = v;
    else if (v !== undefined && v !== null && v !== false) el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const kid of kids.flat()) if (kid !== null && kid !== undefined) el.append(kid instanceof Node ? kid : String(kid));
  return el;
};
const fmt = (n) => (n === null || n === undefined ? "–" : typeof n === "number" ? (Number.isInteger(n) ? n.toLocaleString("en") : n.toPrecision(4)) : String(n));
async function api(path) {
  if (STATIC) {
    if (path.startsWith("/api/summary")) return STATIC.summary;
    if (path.startsWith("/api/training")) return STATIC.training;
    throw new Error("this static report has no documents: open the run with kiln inspect");
  }
  const res = await fetch(path);
  const body = await res.json();
  if (!res.ok) throw new Error(body.error || res.statusText);
  return body;
}
let S = null;
const state = { list: { step: "", dropped: "", stage: "", reason: "", language: "", offset: 0 } };
const view = () => $("#view");
function show(name) {
  for (const b of document.querySelectorAll("nav button")) b.classList.toggle("on", b.dataset.tab === name);
  view().replaceChildren();
  ({ flow, documents: docs, whatif, clusters, compare, training })[name]().catch((e) => view().append(h("p", { class: "err" }, e.message)));
}

async function flow() {
  for (const [i, step] of S.summary.steps.entries()) {
    const card = h("div", { class: "card step", "data-step": step.name }, h("h2", {}, step.name));
    if (step.stages.length) {
      card.append(h("table", {}, h("tr", {}, ["stage", "docs in", "docs out", "bytes in", "bytes out", "dropped", "skipped"].map((t, k) => h("th", { class: k ? "num" : "" }, t))),
        step.stages.map((s) => h("tr", {}, h("td", {}, s.name), [s.docsIn, s.docsOut, s.bytesIn, s.bytesOut, Object.values(s.dropped).reduce((a, b) => a + b, 0), Object.values(s.skipped).reduce((a, b) => a + b, 0)].map((v) => h("td", { class: "num" }, fmt(v)))))));
    }
    const reasons = Object.entries(step.dropped).flatMap(([stage, byReason]) => Object.entries(byReason).map(([reason, t]) => ({ stage, reason, ...t })));
    const kept = step.kept;
    card.append(h("p", {}, "kept: ", h("b", { class: "kept-docs" }, fmt(kept.docs)), " documents, ", fmt(kept.bytes), " bytes", kept.tokens === null ? "" : ", " + fmt(kept.tokens) + " tokens", " ",
      h("a", { href: "#", onclick: (e) => { e.preventDefault(); openList({ step: String(i), dropped: "0" }); } }, "read them")));
    if (reasons.length) {
      const max = Math.max(...reasons.map((r) => r.docs));
      card.append(h("h3", {}, "dropped, by reason (click to read)"));
      for (const r of reasons.sort((a, b) => b.docs - a.docs)) {
        card.append(h("div", { class: "bar reason-bar", "data-step": step.name, "data-reason": r.reason, onclick: () => openList({ step: String(i), dropped: "1", stage: r.stage, reason: r.reason }) },
          h("span", { class: "label" }, r.stage + " · " + r.reason), h("span", { class: "fill", style: "width:" + Math.max(2, (300 * r.docs) / max) + "px" }), h("span", { class: "count" }, fmt(r.docs) + " docs, " + fmt(r.bytes) + " bytes" + (r.tokens === null ? "" : ", " + fmt(r.tokens) + " tokens"))));
      }
    }
    if (step.unreadable) card.append(h("p", { class: "err" }, fmt(step.unreadable) + " lines of this step's output are not documents (damaged); they are counted here and not listed"));
    if (!reasons.length && !step.keepsExcluded) card.append(h("p", { class: "muted" }, "this step did not keep its dropped documents (keepExcluded: false)"));
    const langs = Object.entries(step.languages).sort((a, b) => b[1].kept + b[1].dropped - a[1].kept - a[1].dropped);
    if (langs.length) card.append(h("h3", {}, "by language"), h("table", {}, h("tr", {}, h("th", {}, "language"), h("th", { class: "num" }, "kept"), h("th", { class: "num" }, "dropped")),
      langs.slice(0, 30).map(([l, c]) => h("tr", { class: "click", onclick: () => openList({ step: String(i), language: l }) }, h("td", {}, l), h("td", { class: "num" }, fmt(c.kept)), h("td", { class: "num" }, fmt(c.dropped))))));
    view().append(card);
  }
}

function openList(filter) {
  state.list = { step: "", dropped: "", stage: "", reason: "", language: "", ...filter, offset: 0 };
  show("documents");
}

async function docs() {
  const f = state.list;
  const select = (name, options) => h("select", { name, onchange: (e) => { f[name] = e.target.value; f.offset = 0; show("documents"); } },
    options.map(([v, label]) => h("option", { value: v, selected: String(f[name]) === String(v) }, label)));
  view().append(h("div", { class: "card filters" },
    h("label", {}, "step ", select("step", [["", "any"], ...S.summary.steps.map((s, i) => [String(i), s.name])])),
    h("label", {}, "fate ", select("dropped", [["", "any"], ["0", "kept"], ["1", "dropped"]])),
    h("label", {}, "stage ", select("stage", [["", "any"], ...S.summary.stages.map((s) => [s, s])])),
    h("label", {}, "reason ", select("reason", [["", "any"], ...S.summary.reasons.map((s) => [s, s])])),
    h("label", {}, "language ", select("language", [["", "any"], ...S.summary.languages.map((s) => [s, s])]))));
  const q = new URLSearchParams({ ...f, limit: "25" });
  const page = await api("/api/docs?" + q);
  const nav = h("p", { class: "pager" }, "documents ", h("b", { id: "list-range" }, page.total ? (page.offset + 1) + "–" + (page.offset + page.docs.length) : "0"), " of ", h("b", { id: "list-total" }, fmt(page.total)), " ",
    h("button", { disabled: page.offset === 0, onclick: () => { f.offset = Math.max(0, f.offset - 25); show("documents"); } }, "previous"),
    h("button", { id: "next-page", disabled: page.offset + page.docs.length >= page.total, onclick: () => { f.offset += 25; show("documents"); } }, "next"));
  view().append(nav, docTable(page.docs), h("div", { id: "doc-view" }));
}

/** Document rows; extra columns [heading, field]; verdict: whether to show the run's own verdict column. */
function docTable(rows, extra = [], verdict = true) {
  return h("table", { id: "doc-list" }, h("tr", {}, ["#", "id", "language", "chars", ...(verdict ? ["verdict"] : []), ...extra.map((e) => e[0]), "start of text"].map((t) => h("th", {}, t))),
    rows.map((d) => h("tr", { class: "click", "data-n": d.n, onclick: () => openDoc(d.n) }, h("td", {}, d.n), h("td", {}, d.url ? h("span", { title: d.url }, d.id) : d.id), h("td", {}, d.language), h("td", { class: "num" }, fmt(d.chars)),
      verdict ? h("td", {}, d.dropped ? d.stage + ": " + d.reason : "kept (" + d.step + ")") : null, extra.map((e) => h("td", {}, d[e[1]])), h("td", { class: "muted" }, d.preview))));
}

async function openDoc(n) {
  const d = await api("/api/doc?n=" + n);
  let target = $("#doc-view");
  if (!target) { target = h("div", { id: "doc-view" }); view().append(target); }
  const legend = [["m-dup-line", "repeated line"], ["m-dup-para", "repeated paragraph"], ["m-top-2gram", "top 2-gram"], ["m-top-3gram", "top 3-gram"], ["m-top-4gram", "top 4-gram"], ["m-pii", "PII placeholder"]];
  target.replaceChildren(h("div", { class: "card doc", "data-n": d.n },
    h("h2", {}, "document " + d.n), h("p", {}, h("b", {}, d.id), d.url ? " · " + d.url : "", " · ", d.language, " · ", fmt(d.chars), " chars · ",
      h("span", { class: d.dropped ? "fail verdict" : "pass verdict" }, d.dropped ? "dropped by " + d.stage + ": " + d.reason : "kept in " + d.step)),
    d.signals.some((s) => s.value !== null) ? h("table", { class: "signals" }, h("tr", {}, ["stage", "threshold", "signal", "value", "rule", ""].map((t) => h("th", {}, t))),
      d.signals.filter((s) => s.value !== null).map((s) => h("tr", {}, h("td", {}, s.stage), h("td", {}, s.param), h("td", {}, s.signal), h("td", { class: "num" }, fmt(s.value)), h("td", {}, "keep if " + s.keeps + " " + fmt(s.threshold)),
        h("td", { class: s.passes === null ? "muted" : s.passes ? "pass" : "fail" }, s.passes === null ? "–" : s.passes ? "passes" : "fails")))) : null,
    h("p", {}, legend.map(([c, t]) => h("span", { class: c, style: "margin-right:8px;padding:0 3px" }, t))),
    h("pre", { class: "text" }, d.segments.map((s) => (s.marks.length ? h("span", { class: s.marks.map((m) => "m-" + m).join(" ") }, s.text) : s.text))),
    h("details", {}, h("summary", {}, "meta"), h("pre", {}, JSON.stringify(d.meta, null, 1)))));
  target.scrollIntoView();
}

async function whatif() {
  const options = [];
  S.summary.steps.forEach((step, i) => step.params.forEach((st) => { if (S.knobs[st.name]) options.push({ step: i, stage: st.name, params: st.params, label: step.name + " · " + st.name }); }));
  if (!options.length) { view().append(h("p", { class: "muted" }, "no stage in this run has a threshold to move")); return; }
  const pick = h("select", { id: "whatif-stage", onchange: () => draw() }, options.map((o, k) => h("option", { value: k }, o.label)));
  const controls = h("div", { id: "whatif-controls" });
  const out = h("div", { id: "whatif-result" });
  view().append(h("div", { class: "card" }, h("label", {}, "stage ", pick), controls), out);
  let timer = null;
  function draw() {
    const o = options[Number(pick.value)];
    controls.replaceChildren(...S.knobs[o.stage].map((k) => {
      const ranges = k.signals.map((s) => S.summary.signalRanges[S.summary.signals.indexOf(s)]).filter(Boolean);
      const current = o.params[k.param];
      const lo = Math.min(...ranges.map((r) => r.min), typeof current === "number" ? current : Infinity);
      const hi = Math.max(...ranges.map((r) => r.max), typeof current === "number" ? current : -Infinity);
      const step = hi > lo ? (hi - lo) / 200 : 1;
      const number = h("input", { type: "number", "data-param": k.param, value: current ?? "", step: "any", oninput: () => { slider.value = number.value; schedule(); } });
      const slider = h("input", { type: "range", min: isFinite(lo) ? lo : 0, max: isFinite(hi) ? hi : 1, step, value: current ?? 0, oninput: () => { number.value = slider.value; schedule(); } });
      return h("p", {}, h("label", {}, k.param + " (keep if " + k.signals.join(", ") + " " + k.keeps + ")"), slider, " ", number, h("span", { class: "muted" }, " now " + fmt(current)));
    }));
    out.replaceChildren();
  }
  function schedule() { clearTimeout(timer); timer = setTimeout(run, 250); }
  async function run() {
    const o = options[Number(pick.value)];
    const q = new URLSearchParams({ step: o.step, stage: o.stage });
    for (const input of controls.querySelectorAll("input[type=number]")) if (input.value !== "" && Number(input.value) !== o.params[input.dataset.param]) q.set("p." + input.dataset.param, input.value);
    if ([...q.keys()].length === 2) { out.replaceChildren(h("p", { class: "muted" }, "move a threshold")); return; }
    try {
      const r = await api("/api/whatif?" + q);
      const tally = (t) => fmt(t.docs) + " docs, " + fmt(t.bytes) + " bytes" + (t.tokens === null ? "" : ", " + fmt(t.tokens) + " tokens");
      out.replaceChildren(h("div", { class: "card" },
        h("p", {}, "reached ", o.stage, ": ", tally(r.reached)),
        h("p", {}, "passed now: ", h("b", { id: "whatif-passed-before" }, fmt(r.passedBefore.docs)), " (" + tally(r.passedBefore) + ")"),
        h("p", {}, "would pass: ", h("b", { id: "whatif-passed-after" }, fmt(r.passedAfter.docs)), " (" + tally(r.passedAfter) + ")"),
        h("p", {}, "newly dropped ", h("b", { id: "whatif-newly-dropped" }, fmt(r.newlyDroppedCount)), ", newly kept ", h("b", { id: "whatif-newly-kept" }, fmt(r.newlyKeptCount)), h("span", { class: "muted" }, " (" + fmt(r.redecided) + " decided again)")),
        h("table", {}, h("tr", {}, ["language", "reached", "pass now", "would pass"].map((t) => h("th", {}, t))), Object.entries(r.languages).sort((a, b) => b[1].reached - a[1].reached).slice(0, 30).map(([l, c]) => h("tr", {}, h("td", {}, l), [c.reached, c.before, c.after].map((v) => h("td", { class: "num" }, fmt(v)))))),
        h("h3", {}, "config"), h("pre", { id: "whatif-snippet" }, r.snippet),
        r.newlyDropped.length ? [h("h3", {}, "would be dropped"), docTable(r.newlyDropped, [["now", "before"], ["would be", "after"]], false)] : null,
        r.newlyKept.length ? [h("h3", {}, "would pass " + o.stage), docTable(r.newlyKept, [["now", "before"], ["would be", "after"]], false)] : null,
        h("div", { id: "doc-view" })));
    } catch (e) { out.replaceChildren(h("p", { class: "err" }, e.message)); }
  }
  draw();
}

async function clusters() {
  const steps = S.summary.steps.map((s, i) => ({ ...s, i })).filter((s) => s.clustered > 0);
  if (!steps.length) { view().append(h("p", { class: "muted" }, "no MinHash clusters in this run (minhash_filter with keepExcluded shows them)")); return; }
  const pick = h("select", { id: "cluster-step", onchange: () => load(0) }, steps.map((s) => h("option", { value: s.i }, s.name)));
  const list = h("div", { id: "cluster-list" });
  const members = h("div", { id: "cluster-members" });
  view().append(h("div", { class: "card" }, h("label", {}, "step ", pick)), list, members);
  async function load(offset) {
    const page = await api("/api/clusters?step=" + pick.value + "&limit=25&offset=" + offset);
    list.replaceChildren(h("p", {}, fmt(page.total) + " clusters ",
      h("button", { disabled: offset === 0, onclick: () => load(Math.max(0, offset - 25)) }, "previous"), h("button", { disabled: offset + page.clusters.length >= page.total, onclick: () => load(offset + 25) }, "next")),
      h("table", {}, h("tr", {}, ["cluster", "members", "representative"].map((t) => h("th", {}, t))),
        page.clusters.map((c) => h("tr", { class: "click cluster-row", "data-key": c.key, onclick: () => open(c.key) }, h("td", {}, c.key), h("td", { class: "num" }, fmt(c.members)), h("td", { class: "muted" }, c.preview ?? "(not in this step)")))));
  }
  async function open(key) {
    const c = await api("/api/cluster?step=" + pick.value + "&key=" + encodeURIComponent(key));
    members.replaceChildren(h("h3", {}, "cluster " + key + ": " + c.total + " members" + (c.params ? " · " + c.params.bands + "×" + c.params.rows + " MinHash over " + c.params.size + "-" + c.params.unit + " shingles" : "")),
      h("div", { class: "row members" }, c.members.map((m) => h("div", { class: "card member" + (m.representative ? " representative" : ""), "data-n": m.n, style: "flex:1 1 340px;max-width:560px" },
        h("p", {}, h("b", {}, m.representative ? "representative (kept)" : "duplicate (" + m.reason + ")"), " · ", m.id, " · est. Jaccard ", h("b", { class: "jaccard" }, m.jaccard === null ? "–" : m.jaccard.toFixed(3))),
        h("pre", { class: "text" }, m.text)))));
  }
  await load(0);
}

async function compare() {
  if (!S.compare) { view().append(h("p", { class: "muted" }, "start kiln inspect with --compare <other run> to compare two runs")); return; }
  const c = await api("/api/compare?limit=50");
  const b = new Map(c.b.steps.flatMap((s) => s.stages.map((st) => [s.step + "/" + st.name, st])));
  view().append(h("div", { class: "card" }, h("p", {}, "A: ", h("code", {}, c.a.run), " · B: ", h("code", {}, c.b.run)),
    h("table", { id: "compare-stages" }, h("tr", {}, ["step", "stage", "A in", "A out", "B in", "B out"].map((t) => h("th", {}, t))),
      c.a.steps.flatMap((s) => s.stages.map((st) => { const o = b.get(s.step + "/" + st.name) || {}; return h("tr", {}, h("td", {}, s.step), h("td", {}, st.name), [st.docsIn, st.docsOut, o.docsIn, o.docsOut].map((v) => h("td", { class: "num" }, fmt(v)))); }))),
    h("p", {}, "same fate: " + fmt(c.same) + " · changed: ", h("b", { id: "compare-changed" }, fmt(c.changed)), " · only in A: " + fmt(c.onlyA) + " · only in B: " + fmt(c.onlyB))),
    docTable(c.docs, [["in A", "before"], ["in B", "after"]], false), h("div", { id: "doc-view" }));
}

function chart(series, w = 640, hgt = 220) {
  const pts = series.flatMap((s) => s.points);
  if (!pts.length) return h("p", { class: "muted" }, "no points");
  const xs = pts.map((p) => p[0]), ys = pts.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const sx = (x) => 40 + ((x - x0) / (x1 - x0 || 1)) * (w - 50), sy = (y) => hgt - 20 - ((y - y0) / (y1 - y0 || 1)) * (hgt - 30);
  const colors = ["#b8572a", "#2b7bb9", "#1d7a35", "#9b59b6", "#c0392b", "#7f8c8d"];
  const svg = ['<svg xmlns="http://www.w3.org/2000/svg" width="' + w + '" height="' + hgt + '"><rect width="100%" height="100%" fill="#fff"/>',
    '<text x="2" y="12" font-size="10">' + y1.toPrecision(3) + '</text><text x="2" y="' + (hgt - 20) + '" font-size="10">' + y0.toPrecision(3) + '</text><text x="' + (w - 60) + '" y="' + (hgt - 4) + '" font-size="10">step ' + x1 + '</text>'];
  series.forEach((s, k) => {
    svg.push('<polyline fill="none" stroke="' + colors[k % colors.length] + '" stroke-width="1.5" points="' + s.points.map((p) => sx(p[0]).toFixed(1) + "," + sy(p[1]).toFixed(1)).join(" ") + '"/>');
    svg.push('<text x="' + (50 + 120 * k) + '" y="12" font-size="11" fill="' + colors[k % colors.length] + '">' + s.name.replace(/[<&]/g, "") + '</text>');
  });
  const box = h("div", { class: "chart" });
  box.innerHTML = svg.join("") + "</svg>";
  return box;
}

async function training() {
  const t = await api("/api/training");
  if (!t.metrics.length && !t.classifiers.length && !t.manifests.length) view().append(h("p", { class: "muted" }, "no training outputs in this run"));
  for (const m of t.metrics) {
    const series = new Map();
    for (const r of m.rows) {
      if (typeof r.step !== "number") continue;
      const push = (name, v) => { if (typeof v === "number" && isFinite(v)) { if (!series.has(name)) series.set(name, []); series.get(name).push([r.step, v]); } };
      push((r.kind || "loss") + " loss", r.loss);
      if (r.sources && typeof r.sources === "object") for (const [src, v] of Object.entries(r.sources)) push("val " + src, typeof v === "number" ? v : v && v.loss);
    }
    view().append(h("div", { class: "card metrics" }, h("h3", {}, m.path), chart([...series].map(([name, points]) => ({ name, points })))));
  }
  for (const c of t.classifiers) {
    const v = c.validation || {};
    view().append(h("div", { class: "card classifier" }, h("h3", {}, c.path),
      h("p", {}, "validation: ", fmt(v.documents), " docs · macro F1 ", fmt(v.macroF1), " · accuracy ", fmt(v.accuracy), v.binaryF1 === undefined ? "" : " · positive-class F1 " + fmt(v.binaryF1), " · calibration error ", fmt(v.calibrationError), c.decision ? " · decision threshold " + fmt(c.decision.threshold) + " (" + c.decision.chosenOn + ")" : ""),
      v.confusion ? h("table", { class: "confusion" }, h("tr", {}, h("th", {}, "true \\ predicted"), (c.labelNames || v.confusion.map((_, k) => k)).map((n) => h("th", {}, n))),
        v.confusion.map((row, k) => h("tr", {}, h("th", {}, (c.labelNames || [])[k] ?? k), row.map((x) => h("td", { class: "num" }, fmt(x)))))) : null));
  }
  for (const m of t.manifests) {
    view().append(h("div", { class: "card mixture" }, h("h3", {}, m.path), (m.phases || []).map((p) => {
      const total = Object.values(p.sourceTokens || {}).reduce((a, b) => a + b, 0) || 1;
      return h("table", {}, h("tr", {}, ["phase " + p.name, "weight", "realised share", "tokens"].map((x) => h("th", {}, x))),
        Object.entries(p.sourceTokens || {}).map(([s, n]) => h("tr", {}, h("td", {}, s), h("td", { class: "num" }, fmt((p.weights || {})[s])), h("td", { class: "num" }, (100 * n / total).toFixed(1) + "%"), h("td", { class: "num" }, fmt(n)))));
    })));
  }
}

(async () => {
  try {
    S = await api("/api/summary");
    S.knobs = STATIC ? STATIC.knobs : S.knobs;
    $("#run").textContent = S.run;
    for (const b of document.querySelectorAll("nav button")) b.onclick = () => show(b.dataset.tab);
    show("flow");
    document.body.dataset.ready = "1";
  } catch (e) {
    view().append(h("p", { class: "err" }, e.message));
  }
})();
`;

/** The page; `embedded` (kiln report --html) carries the summary and training data inline. */
export function pageHtml(embedded?: unknown): string {
  const data = embedded === undefined ? "" : `<script>window.KILN_STATIC=${JSON.stringify(embedded).replace(/</g, "\\u003c")};</script>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>kiln inspect</title><style>${STYLE}</style></head>
<body><header><h1>kiln inspect</h1><code id="run"></code>
<nav>${["flow", "documents", "whatif", "clusters", "compare", "training"].map((t) => `<button data-tab="${t}" id="tab-${t}">${t === "whatif" ? "what-if" : t}</button>`).join("")}</nav></header>
<main id="view"></main>${data}<script>${SCRIPT}</script></body></html>`;
}
