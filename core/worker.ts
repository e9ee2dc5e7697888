import { Worker } from "node:worker_threads";

/**
 * Starts a worker thread on the module `entry` (a name without extension) beside the module whose
 * `import.meta.url` is `caller`. From compiled JavaScript that is `<entry>.js`; when Kiln runs from
 * its TypeScript sources (tests, benchmarks) the worker registers tsx first so it can load them.
 */
export function startWorker(caller: string, entry: string, workerData: unknown): Worker {
  if (caller.endsWith(".ts")) {
    const tsx = import.meta.resolve("tsx/esm/api");
    const url = new URL(`./${entry}.ts`, caller).href;
    const code = `import { register } from ${JSON.stringify(tsx)}; register(); await import(${JSON.stringify(url)});`;
    return new Worker(code, { eval: true, workerData });
  }
  return new Worker(new URL(`./${entry}.js`, caller), { workerData });
}
