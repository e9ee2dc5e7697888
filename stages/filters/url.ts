/**
 * URL blocklist filter: domain lists (a listed domain blocks itself and every subdomain, as the
 * UT1 lists mean it), exact-host lists (only that host), and URL-substring lists. Lists are plain
 * text, one entry per line; blank lines and lines starting with "#" are ignored; `.gz` files are
 * read decompressed. A document without a URL is kept (there is nothing to match).
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { z } from "zod";
import { type Doc, docStage, register } from "../../pipeline/index.js";
import { KilnError, errorMessage } from "../../core/index.js";
import type { Verdict } from "./signal-stage.js";

export const urlFilterParams = z.object({
  domainFiles: z.array(z.string()).default([]).describe("files of blocked domains, one a line; each blocks the domain and its subdomains"),
  exactDomainFiles: z.array(z.string()).default([]).describe("files of blocked hosts, one a line; each blocks only that exact host"),
  urlSubstringFiles: z.array(z.string()).default([]).describe("files of blocked URL substrings, one a line (matched case-insensitively)"),
  domains: z.array(z.string()).default([]).describe("blocked domains given inline (suffix match, like domainFiles)"),
  exactDomains: z.array(z.string()).default([]).describe("blocked hosts given inline (exact match)"),
  urlSubstrings: z.array(z.string()).default([]).describe("blocked URL substrings given inline"),
});
export type UrlFilterParams = z.output<typeof urlFilterParams>;

/** Substrings are indexed by their first few characters, so a URL costs one lookup per position. */
const KEY_LENGTH = 4;

export class UrlBlocklist {
  private readonly domains: Set<string>;
  private readonly exactDomains: Set<string>;
  private readonly substringsByPrefix = new Map<string, string[]>();
  private readonly shortSubstrings: string[] = [];

  constructor(lists: { domains: Iterable<string>; exactDomains: Iterable<string>; urlSubstrings: Iterable<string> }) {
    this.domains = new Set([...lists.domains].map(normalizeHost).filter(Boolean));
    this.exactDomains = new Set([...lists.exactDomains].map(normalizeHost).filter(Boolean));
    for (const raw of lists.urlSubstrings) {
      const s = raw.toLowerCase();
      if (!s) continue;
      if (s.length < KEY_LENGTH) this.shortSubstrings.push(s);
      else {
        const key = s.slice(0, KEY_LENGTH);
        const bucket = this.substringsByPrefix.get(key);
        if (bucket) bucket.push(s);
        else this.substringsByPrefix.set(key, [s]);
      }
    }
  }

  get size(): number {
    return this.domains.size + this.exactDomains.size + this.shortSubstrings.length + [...this.substringsByPrefix.values()].reduce((a, b) => a + b.length, 0);
  }

  /** The reason the URL is blocked, or true. */
  check(url: string): Verdict {
    const host = hostOf(url);
    if (host) {
      if (this.exactDomains.has(host)) return "url:exact_domain";
      // example.com blocks example.com, www.example.com and a.b.example.com.
      for (let at = 0; ; ) {
        if (this.domains.has(at === 0 ? host : host.slice(at))) return "url:domain";
        const dot = host.indexOf(".", at);
        if (dot < 0) break;
        at = dot + 1;
      }
    }
    const lower = url.toLowerCase();
    for (const s of this.shortSubstrings) if (lower.includes(s)) return "url:substring";
    if (this.substringsByPrefix.size > 0) {
      for (let i = 0; i + KEY_LENGTH <= lower.length; i++) {
        const bucket = this.substringsByPrefix.get(lower.slice(i, i + KEY_LENGTH));
        if (bucket) for (const s of bucket) if (lower.startsWith(s, i)) return "url:substring";
      }
    }
    return true;
  }
}

/** Lower case, no trailing dot, no "*." or "." prefix (list files write domains several ways). */
function normalizeHost(entry: string): string {
  let host = entry.trim().toLowerCase();
  if (host.startsWith("*.")) host = host.slice(2);
  else if (host.startsWith(".")) host = host.slice(1);
  if (host.endsWith(".")) host = host.slice(0, -1);
  return host;
}

/** The host of an absolute URL, lower case, without port or credentials; "" when there is none. */
export function hostOf(url: string): string {
  const scheme = url.indexOf("://");
  const start = scheme >= 0 ? scheme + 3 : url.startsWith("//") ? 2 : 0;
  let end = url.length;
  for (let i = start; i < url.length; i++) {
    const c = url[i];
    if (c === "/" || c === "?" || c === "#") {
      end = i;
      break;
    }
  }
  const authority = url.slice(start, end);
  const at = authority.lastIndexOf("@");
  let host = at >= 0 ? authority.slice(at + 1) : authority;
  if (host.startsWith("[")) return host.slice(1, host.indexOf("]") >= 0 ? host.indexOf("]") : undefined).toLowerCase();
  const colon = host.indexOf(":");
  if (colon >= 0) host = host.slice(0, colon);
  return normalizeHost(host);
}

/** Entries of a list file: one per line, blank lines and "#" comments skipped. */
export function readListFile(path: string): string[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
    if (path.endsWith(".gz")) bytes = gunzipSync(bytes);
  } catch (error) {
    throw new KilnError("url_filter", `cannot read blocklist ${path}: ${errorMessage(error)}`);
  }
  return bytes
    .toString("utf8")
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

export function loadUrlBlocklist(p: UrlFilterParams): UrlBlocklist {
  return new UrlBlocklist({
    domains: [...p.domains, ...p.domainFiles.flatMap(readListFile)],
    exactDomains: [...p.exactDomains, ...p.exactDomainFiles.flatMap(readListFile)],
    urlSubstrings: [...p.urlSubstrings, ...p.urlSubstringFiles.flatMap(readListFile)],
  });
}

/** One loaded blocklist per params object: the lists are read once per task, not once per document. */
const loaded = new WeakMap<UrlFilterParams, UrlBlocklist>();

/** The filter as a pure function of (doc, params) (the list files are read once and cached). */
export function urlFilter(doc: Doc, params: UrlFilterParams): Verdict {
  let blocklist = loaded.get(params);
  if (!blocklist) {
    blocklist = loadUrlBlocklist(params);
    loaded.set(params, blocklist);
  }
  return doc.url ? blocklist.check(doc.url) : true;
}

export const urlFilterStage = docStage({
  name: "url_filter",
  description: "drop documents whose URL is on a domain, exact-host or URL-substring blocklist (one entry a line)",
  params: urlFilterParams,
  note(params) {
    const empty = [params.domainFiles, params.exactDomainFiles, params.urlSubstringFiles, params.domains, params.exactDomains, params.urlSubstrings].every((list) => list.length === 0);
    return empty
      ? "url_filter has no blocklist, so it blocks nothing: give it domainFiles (FineWeb used the UT1 blacklist's adult category, CC BY-SA 4.0) or remove the stage"
      : undefined;
  },
  // Lists load when the task starts, so a missing file is one clear error, not a drop per document.
  setup(params) {
    const blocklist = loadUrlBlocklist(params);
    return (doc) => {
      const verdict = doc.url ? blocklist.check(doc.url) : true;
      return verdict === true ? doc : verdict;
    };
  },
});

register(urlFilterStage);
