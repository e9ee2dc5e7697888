/** A stage that passes every document on unchanged: the engine's own cost, nothing else. */
import { z } from "zod";
import { register } from "../pipeline/registry.js";

register({
  kind: "stage",
  name: "passthrough",
  description: "passes documents on unchanged (benchmarks)",
  params: z.object({}),
  create: () => ({
    name: "passthrough",
    async *run(docs) {
      yield* docs;
    },
  }),
});
