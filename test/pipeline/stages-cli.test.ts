import { describe, expect, it } from "vitest";
import { z } from "zod";
import { describeParams } from "../../pipeline/cli/stages.js";
import { filterStage } from "../../pipeline/registry.js";

describe("kiln stages", () => {
  it("reads each parameter's name, type, default and description off the zod schema", () => {
    const spec = filterStage({
      name: "example",
      description: "an example",
      params: z.object({
        minWords: z.number().int().default(50).describe("fewest words"),
        ratio: z.number().nullable().default(0.3).describe("a ratio; null disables"),
        mode: z.enum(["fast", "exact"]).default("fast").describe("how"),
        words: z.array(z.string()).default(["the", "of"]).describe("stop words"),
        path: z.string().optional().describe("a file"),
      }),
      keep: () => true,
    });
    expect(describeParams(spec)).toEqual([
      { name: "minWords", type: "integer", default: "50", description: "fewest words" },
      { name: "ratio", type: "number|null", default: "0.3", description: "a ratio; null disables" },
      { name: "mode", type: "fast|exact", default: '"fast"', description: "how" },
      { name: "words", type: "string[]", default: '["the","of"]', description: "stop words" },
      { name: "path", type: "string", default: "-", description: "a file" },
    ]);
  });
});
