import { parentPort, workerData } from "node:worker_threads";
import type { ResolvedPipeline } from "../config.js";
import { errorMessage } from "../../core/index.js";
import { runTask, type StepPlan } from "../runner.js";

/** One worker thread of the local executor: imports the stage modules, then runs tasks it is sent. */
export interface WorkerInit {
  pipeline: ResolvedPipeline;
  modules: string[];
}
export type ToWorker = { type: "task"; step: number; rank: number; plan: StepPlan };
export type FromWorker =
  | { type: "progress"; rank: number; docs: number; bytes: number }
  | { type: "done"; rank: number }
  | { type: "failed"; rank: number; error: string };

const { pipeline, modules } = workerData as WorkerInit;
for (const module of modules) await import(module);
const port = parentPort!;

port.on("message", async (message: ToWorker) => {
  const step = pipeline.steps[message.step]!;
  const post = (reply: FromWorker) => port.postMessage(reply);
  try {
    await runTask({
      pipeline,
      step,
      plan: message.plan,
      rank: message.rank,
      onProgress: (p) => post({ type: "progress", rank: p.rank, docs: p.docs, bytes: p.bytes }),
    });
    post({ type: "done", rank: message.rank });
  } catch (error) {
    post({ type: "failed", rank: message.rank, error: errorMessage(error) });
  }
});
port.postMessage({ type: "ready" });
