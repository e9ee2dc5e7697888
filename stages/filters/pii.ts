/**
 * PII scrubbing, as FineWeb's last step (datatrove's `PIIFormatter`): e-mail addresses and
 * public IPv4/IPv6 addresses are replaced by placeholders; private, loopback, link-local,
 * documentation, multicast and reserved addresses are kept (they identify no one). The default
 * placeholders are themselves non-public addresses, so scrubbing twice changes nothing.
 * Counts go to `meta.pii` and to the stage's stats (`skip:pii:email`, `skip:pii:ipv4`, ...).
 */
import { z } from "zod";
import { type Doc, type TaskContext, docStage, register } from "../../pipeline/index.js";

export const piiParams = z.object({
  replaceEmails: z.boolean().default(true).describe("replace e-mail addresses"),
  replaceIps: z.boolean().default(true).describe("replace public IPv4 and IPv6 addresses"),
  emailReplacement: z.string().default("email@example.com").describe("what an e-mail address becomes (datatrove's default)"),
  ipv4Replacement: z.string().default("192.0.2.1").describe("what a public IPv4 address becomes (a documentation address)"),
  ipv6Replacement: z.string().default("2001:db8::1").describe("what a public IPv6 address becomes (a documentation address)"),
});
export type PiiParams = z.output<typeof piiParams>;

export interface PiiCounts {
  emails: number;
  ipv4: number;
  ipv6: number;
}

const LOCAL_PART_CHAR = /[A-Za-z0-9._%+-]/;
const DOMAIN_AFTER_AT = /(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}(?![A-Za-z0-9-])/y;
const IPV4 = /(?<![0-9.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![0-9]|\.[0-9])/g;
const IPV6_CANDIDATE = /(?<![0-9A-Za-z:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?(?![0-9A-Za-z:])/g;

/** IPv4 blocks that are not publicly routable (RFC 6890): kept as they are. */
const NON_PUBLIC_V4: ReadonlyArray<readonly [number, number]> = [
  [0x00000000, 8], [0x0a000000, 8], [0x64400000, 10], [0x7f000000, 8], [0xa9fe0000, 16], [0xac100000, 12],
  [0xc0000000, 24], [0xc0000200, 24], [0xc0a80000, 16], [0xc6120000, 15], [0xc6336400, 24], [0xcb007100, 24],
  [0xe0000000, 4], [0xf0000000, 4],
];

export function isPublicIpv4(address: string): boolean {
  const parts = address.split(".").map(Number);
  const value = ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
  for (const [base, bits] of NON_PUBLIC_V4) if (value >>> (32 - bits) === base >>> (32 - bits)) return false;
  return true;
}

/** The eight 16-bit groups of an IPv6 address, or undefined when it is not one. */
export function parseIpv6(address: string): number[] | undefined {
  const halves = address.split("::");
  if (halves.length > 2) return undefined;
  const parseGroups = (part: string): number[] | undefined => {
    if (part === "") return [];
    const groups: number[] = [];
    const pieces = part.split(":");
    for (const [i, piece] of pieces.entries()) {
      if (i === pieces.length - 1 && piece.includes(".")) {
        if (!/^(?:\d{1,3}\.){3}\d{1,3}$/.test(piece)) return undefined;
        const octets = piece.split(".").map(Number);
        if (octets.some((o) => o > 255)) return undefined;
        groups.push((octets[0]! << 8) | octets[1]!, (octets[2]! << 8) | octets[3]!);
      } else if (/^[0-9A-Fa-f]{1,4}$/.test(piece)) groups.push(parseInt(piece, 16));
      else return undefined;
    }
    return groups;
  };
  const head = parseGroups(halves[0]!);
  const tail = halves.length === 2 ? parseGroups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  if (head.length + tail.length > 7) return undefined;
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}

/** Global unicast (2000::/3) outside the documentation and IETF-protocol blocks. */
export function isPublicIpv6(groups: readonly number[]): boolean {
  const first = groups[0]!;
  const second = groups[1]!;
  if (first < 0x2000 || first > 0x3fff) return false;
  if (first === 0x2001 && (second === 0x0db8 || second < 0x0200)) return false;
  return true;
}

function replaceEmails(text: string, replacement: string): { text: string; count: number } {
  let at = text.indexOf("@");
  if (at < 0) return { text, count: 0 };
  let out = "";
  let copied = 0;
  let count = 0;
  for (; at >= 0; at = text.indexOf("@", at + 1)) {
    // Scan the local part backwards from "@" (at most 64 characters, RFC 5321), never before
    // what was already copied; anchoring at "@" keeps this linear on long runs of word characters.
    let start = at;
    while (start > copied && at - start < 64 && LOCAL_PART_CHAR.test(text[start - 1]!)) start--;
    while (start < at && text[start] === ".") start++;
    if (start === at) continue;
    DOMAIN_AFTER_AT.lastIndex = at + 1;
    const domain = DOMAIN_AFTER_AT.exec(text);
    // The placeholder is itself an address: leave it, so scrubbing twice counts nothing new.
    if (!domain || text.slice(start, DOMAIN_AFTER_AT.lastIndex) === replacement) continue;
    out += text.slice(copied, start) + replacement;
    copied = DOMAIN_AFTER_AT.lastIndex;
    at = copied - 1;
    count++;
  }
  return count === 0 ? { text, count } : { text: out + text.slice(copied), count };
}

/** Replaces PII in `text`; a pure function of (text, params). */
export function scrubPii(text: string, p: PiiParams): { text: string; counts: PiiCounts } {
  const counts: PiiCounts = { emails: 0, ipv4: 0, ipv6: 0 };
  if (p.replaceEmails) {
    const result = replaceEmails(text, p.emailReplacement);
    text = result.text;
    counts.emails = result.count;
  }
  if (p.replaceIps) {
    text = text.replace(IPV4, (ip) => {
      if (!isPublicIpv4(ip)) return ip;
      counts.ipv4++;
      return p.ipv4Replacement;
    });
    if (text.includes(":")) {
      text = text.replace(IPV6_CANDIDATE, (candidate) => {
        const groups = parseIpv6(candidate);
        if (!groups || !isPublicIpv6(groups)) return candidate;
        counts.ipv6++;
        return p.ipv6Replacement;
      });
    }
  }
  return { text, counts };
}

/** The stage as a pure function of (doc, params): the scrubbed copy of the document. */
export function piiFilter(doc: Doc, params: PiiParams): Doc {
  const { text, counts } = scrubPii(doc.text, params);
  return { ...doc, text, meta: { ...doc.meta, pii: counts } };
}

export const pii = docStage({
  name: "pii",
  description: "replace e-mail addresses and public IPv4/IPv6 addresses with placeholders (private ranges kept); counts in meta.pii",
  params: piiParams,
  setup: (params) => (doc: Doc, ctx: TaskContext) => {
    const { text, counts } = scrubPii(doc.text, params);
    if (counts.emails) ctx.skip("pii", "pii:email", counts.emails);
    if (counts.ipv4) ctx.skip("pii", "pii:ipv4", counts.ipv4);
    if (counts.ipv6) ctx.skip("pii", "pii:ipv6", counts.ipv6);
    doc.text = text;
    doc.meta.pii = counts;
    return doc;
  },
});

register(pii);
