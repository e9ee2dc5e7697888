import { describe, expect, it } from "vitest";
import { lossCurveSvg } from "../../trainer/metrics.js";

describe("loss curve", () => {
  it("draws train and validation series with a dot per point, on axes scaled to the data", () => {
    const svg = lossCurveSvg(
      [
        { kind: "train", step: 0, loss: 4 },
        { kind: "train", step: 100, loss: 2 },
        { kind: "val", step: 100, loss: 3 },
      ],
      640,
      360,
    );
    // x: 48 + 544 * step / 100; y: 312 - 264 * (loss - 2) / 2
    expect(svg).toContain('points="48.0,48.0 592.0,312.0"');
    expect(svg).toContain('<circle cx="592.0" cy="180.0" r="2.5" fill="#ff7f0e"/>');
    expect(svg.match(/<circle /g)).toHaveLength(3);
    expect(svg).toContain(">4.00</text>");
    expect(svg).toContain(">2.00</text>");
    expect(svg).toContain("step 100");
  });
});
