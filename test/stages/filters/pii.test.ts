import { describe, expect, it } from "vitest";
import { isPublicIpv4, parseIpv6, piiParams, scrubPii } from "../../../stages/filters/pii.js";
import { doc, makeStage, recordingContext, runStage } from "./helpers.js";

const defaults = piiParams.parse({});

describe("pii", () => {
  it("replaces e-mails and public addresses, keeps private ones, counts each", () => {
    const text = "Mail john.doe@mail.example.org or 8.8.8.8, not 192.168.1.1 or 10.0.0.2; v6 2a00:1450:4001:82a::200e, fe80::1 and ::1.";
    const { text: out, counts } = scrubPii(text, defaults);
    expect(out).toBe("Mail email@example.com or 192.0.2.1, not 192.168.1.1 or 10.0.0.2; v6 2001:db8::1, fe80::1 and ::1.");
    expect(counts).toEqual({ emails: 1, ipv4: 1, ipv6: 1 });
    expect(scrubPii(out, defaults).counts).toEqual({ emails: 0, ipv4: 0, ipv6: 0 });
  });
  it("leaves version numbers, times and text around '@' alone", () => {
    const text = "Version 1.2.3.4.5 at 10:30:45, price @ 5 dollars, @handle, a@b, std::vector.";
    expect(scrubPii(text, defaults)).toEqual({ text, counts: { emails: 0, ipv4: 0, ipv6: 0 } });
  });
  it("handles several e-mails, in any script around them", () => {
    expect(scrubPii("Пишите: a.b@x.io, c+d@y.co.uk。", defaults).text).toBe("Пишите: email@example.com, email@example.com。");
  });
  it("knows which IPv4 ranges are not public", () => {
    for (const ip of ["10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.0.1", "127.0.0.1", "169.254.1.1", "100.64.0.1", "224.0.0.1", "255.255.255.255", "0.0.0.0"]) {
      expect([ip, isPublicIpv4(ip)]).toEqual([ip, false]);
    }
    for (const ip of ["8.8.8.8", "172.32.0.1", "1.1.1.1", "100.128.0.1"]) expect([ip, isPublicIpv4(ip)]).toEqual([ip, true]);
  });
  it("parses IPv6 forms", () => {
    expect(parseIpv6("2001:db8::1")).toEqual([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]);
    expect(parseIpv6("::ffff:1.2.3.4")).toEqual([0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304]);
    expect(parseIpv6("1:2:3")).toBeUndefined();
    expect(parseIpv6("1::2::3")).toBeUndefined();
  });
  it("counts replacements in the stage's stats and meta", async () => {
    const ctx = recordingContext();
    const [out] = await runStage(makeStage("pii"), [doc("x@example.net and y@example.net from 9.9.9.9")], ctx);
    expect(out!.text).toBe("email@example.com and email@example.com from 192.0.2.1");
    expect(out!.meta.pii).toEqual({ emails: 2, ipv4: 1, ipv6: 0 });
    expect(ctx.skips).toEqual({ "pii:email": 2, "pii:ipv4": 1 });
  });
});
