import { describe, expect, it } from "vitest";
import { emptyStageStats, formatStepStats, type StepStats } from "../../pipeline/stats.js";

const step = (stages: StepStats["stages"], counters?: Record<string, number>): StepStats => ({ step: "s", world: 3, ranks: 3, files: 3, wallMs: 0, stages, ...(counters ? { counters } : {}) });

describe("the run report", () => {
  it("says what its time column is: seconds inside each stage, summed over the step's tasks", () => {
    const read = { ...emptyStageStats("read:warc"), docsOut: 10, bytesOut: 2_000_000, wallMs: 1500, skipped: { non_html: 2 } };
    const filter = { ...emptyStageStats("url_filter"), docsIn: 10, docsOut: 9, bytesIn: 2_000_000, bytesOut: 1_500_000, wallMs: 250, dropped: { "url:domain": 1 } };
    expect(formatStepStats(step([read, filter])).split("\n")).toEqual([
      "stage       docs in  docs out  MB in  MB out  seconds*  dropped / skipped",
      "read:warc         0        10   0.00    2.00      1.50  skip:non_html=2",
      "url_filter       10         9   2.00    1.50      0.25  url:domain=1",
      "* time inside each stage, summed over the step's 3 task(s), which run in parallel",
    ]);
  });

  it("reports what a whole-step task counted instead of a row of zeros", () => {
    const task = { ...emptyStageStats("task:minhash_clusters"), wallMs: 4200 };
    expect(formatStepStats(step([task], { clusters: 12, documentsToRemove: 30 }))).toBe("minhash_clusters: clusters 12, documents to remove 30; 4.20 s summed over 3 task(s)");
  });
});
