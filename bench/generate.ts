/**
 * Generation speed with the KV cache against re-reading the whole window for every new token
 * (the baseline, measured in the same run), and the ratio. Greedy decoding from an 8-token prompt
 * until the block is full, on randomly initialised models of the demo's size and larger.
 *
 *   npm run bench -- generate [--runs 3] [--backend wasm] [--configs demo,1m,long]
 */
import { parseArgs } from "node:util";
import { selectBackend } from "../trainer/backend.js";
import { parameterCount, type ModelConfig } from "../trainer/config.js";
import { generate } from "../trainer/generate.js";
import { fastKernels } from "../trainer/kernels.js";
import { disposeParams, initParams } from "../trainer/model.js";
import { formatTable, median } from "./_report.js";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    backend: { type: "string", default: "wasm" },
    configs: { type: "string", default: "demo,1m,long" },
  },
});
const configs: Record<string, ModelConfig> = {
  demo: { vocabSize: 2048, blockSize: 64, layers: 2, heads: 4, width: 64, dropout: 0 },
  "1m": { vocabSize: 2048, blockSize: 128, layers: 4, heads: 4, width: 128, dropout: 0 },
  long: { vocabSize: 2048, blockSize: 512, layers: 4, heads: 4, width: 128, dropout: 0 },
};
const PROMPT = 8;

/** Median new tokens per second over `runs` generations of blockSize − PROMPT tokens. */
async function tokensPerSecond(config: ModelConfig, kvCache: boolean, runs: number): Promise<number> {
  const params = initParams(config, 1);
  const prompt = Array.from({ length: PROMPT }, (_, i) => (i * 31 + 7) % config.vocabSize);
  const maxNewTokens = config.blockSize - PROMPT;
  const options = { temperature: 0, topK: 0, topP: 1, seed: 1, maxNewTokens, kernels: fastKernels, kvCache };
  await generate(config, params, prompt, { ...options, maxNewTokens: 4 }); // warm-up
  const rates: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    const out = await generate(config, params, prompt, options);
    rates.push(out.length / ((performance.now() - start) / 1000));
  }
  disposeParams(params);
  return median(rates);
}

const selection = await selectBackend(values.backend);
const runs = Number(values.runs);
const rows = [["model", "parameters", "block", "re-read window tok/s (baseline)", "KV cache tok/s", "ratio"]];
for (const name of values.configs.split(",")) {
  const config = configs[name];
  if (!config) throw new Error(`unknown config ${name}; known: ${Object.keys(configs).join(", ")}`);
  const baseline = await tokensPerSecond(config, false, runs);
  const cached = await tokensPerSecond(config, true, runs);
  rows.push([name, `${(parameterCount(config) / 1e6).toFixed(2)}M`, String(config.blockSize), baseline.toFixed(1), cached.toFixed(1), `${(cached / baseline).toFixed(2)}x`]);
}
console.log(`generation, greedy, ${PROMPT}-token prompt to a full block; backend ${selection.name}; median of ${runs} runs`);
console.log(formatTable(rows));
