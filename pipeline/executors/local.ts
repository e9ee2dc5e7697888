import os from "node:os";
import type { Worker } from "node:worker_threads";
import { startWorker, KilnError } from "../../core/index.js";
import type { ResolvedPipeline } from "../config.js";
import type { Reporter } from "../progress.js";
import { isComplete, mergeStepStats, planStep } from "../runner.js";
import type { StepStats } from "../stats.js";
import type { FromWorker, ToWorker, WorkerInit } from "./worker.js";

export interface LocalOptions {
  /** Worker threads; default: the number of cores. */
  workers?: number;
  /** Module URLs that register the stages the pipeline names; each worker imports them. */
  modules: string[];
  reporter: Reporter;
}

/** Runs every step of a pipeline in order on local worker threads; returns each step's merged stats. */
export async function runLocal(pipeline: ResolvedPipeline, options: LocalOptions): Promise<StepStats[]> {
  const workerCount = Math.max(1, options.workers ?? os.availableParallelism());
  const results: StepStats[] = [];
  let pool: Worker[] = [];
  try {
    for (const [stepIndex, step] of pipeline.steps.entries()) {
      const plan = await planStep(pipeline, step);
      const ranks = Array.from({ length: plan.world }, (_, r) => r);
      const done = await Promise.all(ranks.map((r) => isComplete(pipeline, step.name, r)));
      const pending = ranks.filter((r) => !done[r]);
      if (pending.length > 0) {
        if (pool.length === 0) {
          pool = Array.from({ length: Math.min(workerCount, pending.length) }, () =>
            startWorker(import.meta.url, "worker", { pipeline, modules: options.modules } satisfies WorkerInit),
          );
        }
        await runStep(pool, stepIndex, plan, pending, plan.world - pending.length, options.reporter);
      } else {
        options.reporter.line(`${step.name}: all ${plan.world} tasks already complete`);
      }
      results.push(await mergeStepStats(pipeline, step.name, plan.world));
    }
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return results;
}

function runStep(
  pool: Worker[],
  stepIndex: number,
  plan: { step: string; world: number; files: string[] },
  pending: number[],
  alreadyDone: number,
  reporter: Reporter,
): Promise<void> {
  const started = performance.now();
  const queue = [...pending];
  const live = new Map<number, { docs: number; bytes: number }>();
  const failed: { rank: number; error: string }[] = [];
  let finished = 0;
  let finishedDocs = 0;
  let finishedBytes = 0;
  const event = (name: "step_start" | "progress" | "step_done") => {
    let docs = finishedDocs;
    let bytes = finishedBytes;
    for (const p of live.values()) {
      docs += p.docs;
      bytes += p.bytes;
    }
    reporter.report({
      event: name,
      step: plan.step,
      ranksDone: alreadyDone + finished,
      ranks: plan.world,
      docs,
      bytes,
      elapsedS: (performance.now() - started) / 1000,
    });
  };
  event("step_start");
  const ticker = setInterval(() => event("progress"), 1000);
  ticker.unref();

  return new Promise<void>((resolve, reject) => {
    let running = 0;
    const cleanup = () => {
      clearInterval(ticker);
      for (const worker of pool) {
        worker.removeAllListeners("message");
        worker.removeAllListeners("error");
      }
    };
    const finish = () => {
      cleanup();
      event("step_done");
      if (failed.length === 0) return resolve();
      const list = failed.map((f) => `${f.rank} (${f.error})`).join("; ");
      reject(new KilnError("task_failed", `step ${plan.step}: ${failed.length} task(s) failed: ${list}; logs in ${plan.step}/logs/`));
    };
    const dispatch = (worker: Worker) => {
      const rank = queue.shift();
      if (rank === undefined) {
        if (running === 0) finish();
        return;
      }
      running++;
      live.set(rank, { docs: 0, bytes: 0 });
      worker.postMessage({ type: "task", step: stepIndex, rank, plan } satisfies ToWorker);
    };
    const settle = (worker: Worker, rank: number) => {
      const p = live.get(rank);
      live.delete(rank);
      finishedDocs += p?.docs ?? 0;
      finishedBytes += p?.bytes ?? 0;
      finished++;
      running--;
      dispatch(worker);
    };
    for (const worker of pool) {
      worker.on("message", (message: FromWorker | { type: "ready" }) => {
        if (message.type === "ready") return;
        if (message.type === "progress") {
          live.set(message.rank, { docs: message.docs, bytes: message.bytes });
        } else if (message.type === "done") {
          settle(worker, message.rank);
        } else {
          failed.push({ rank: message.rank, error: message.error });
          settle(worker, message.rank);
        }
      });
      worker.on("error", (error) => {
        cleanup();
        reject(new KilnError("worker_crashed", `step ${plan.step}: a worker thread crashed: ${error.message}`));
      });
    }
    for (const worker of pool) dispatch(worker);
  });
}
