import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { hostOf, UrlBlocklist, urlFilterParams } from "../../../stages/filters/url.js";
import { doc, makeStage, recordingContext, runStage } from "./helpers.js";

const list = new UrlBlocklist({ domains: ["example.com", "*.ads.net"], exactDomains: ["exact.org"], urlSubstrings: ["casino", "xx", "/porn/"] });

describe("url blocklist", () => {
  it("blocks a listed domain and its subdomains, not look-alikes", () => {
    expect(list.check("https://example.com/a")).toBe("url:domain");
    expect(list.check("http://www.shop.EXAMPLE.com:8080/x")).toBe("url:domain");
    expect(list.check("https://notexample.com/")).toBe(true);
    expect(list.check("https://example.com.evil.io/")).toBe(true);
    expect(list.check("https://cdn.ads.net/")).toBe("url:domain");
  });
  it("blocks an exact host only", () => {
    expect(list.check("https://exact.org/page")).toBe("url:exact_domain");
    expect(list.check("https://sub.exact.org/page")).toBe(true);
  });
  it("blocks URL substrings, short and long, case-insensitively", () => {
    expect(list.check("https://fun.io/best-CASINO-deals")).toBe("url:substring");
    expect(list.check("https://fun.io/a/porn/b")).toBe("url:substring");
    expect(list.check("https://fun.io/xx")).toBe("url:substring");
    expect(list.check("https://fun.io/cas-ino")).toBe(true);
  });
  it("parses hosts with credentials, ports and IPv6 literals", () => {
    expect(hostOf("https://user:pw@Host.Example.com:443/p?q#f")).toBe("host.example.com");
    expect(hostOf("http://[2001:db8::1]:80/")).toBe("2001:db8::1");
  });
});

describe("url_filter stage", () => {
  it("reads list files (comments, blank lines, gzip) and keeps documents without a URL", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "kiln-url-"));
    await writeFile(path.join(dir, "domains.txt"), "# adult\nbad.com\n\nworse.org\n");
    await writeFile(path.join(dir, "urls.txt.gz"), gzipSync("/banned/\n"));
    const stage = makeStage("url_filter", { domainFiles: [path.join(dir, "domains.txt")], urlSubstringFiles: [path.join(dir, "urls.txt.gz")] });
    const ctx = recordingContext();
    const docs = [
      doc("a", { id: "1", url: "https://m.bad.com/x" }),
      doc("b", { id: "2", url: "https://good.com/banned/x" }),
      doc("c", { id: "3", url: "https://good.com/fine" }),
      doc("d", { id: "4" }),
    ];
    const kept = await runStage(stage, docs, ctx);
    await rm(dir, { recursive: true, force: true });
    expect(kept.map((d) => d.id)).toEqual(["3", "4"]);
    expect(ctx.drops).toEqual([["1", "url:domain"], ["2", "url:substring"]]);
  });
  it("fails once, clearly, when a list file is missing", () => {
    expect(() => makeStage("url_filter", { domainFiles: ["/nonexistent/list.txt"] })).toThrow(/cannot read blocklist \/nonexistent\/list.txt/);
  });
  it("has empty lists by default", () => {
    expect(urlFilterParams.parse({})).toMatchObject({ domainFiles: [], exactDomainFiles: [], urlSubstringFiles: [] });
  });
});
