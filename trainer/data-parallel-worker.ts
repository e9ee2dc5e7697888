/**
 * A data-parallel gradient worker (data-parallel.ts): loads the main thread's backend and model,
 * then for each request sets the weights it is sent and returns Σ weight·∇loss of its slices
 * with respect to what the step trains (every weight, or the LoRA adapters).
 */
import { parentPort, workerData } from "node:worker_threads";
import { selectBackend } from "./backend.js";
import { loadWeights, replicaState, replicaStep, sharedViews, type ReplicaInit, type ReplicaReply, type ReplicaRequest, type SharedViews } from "./data-parallel.js";
import { initParams } from "./model.js";

const init = workerData as ReplicaInit;
await selectBackend(init.backend);
// The values are overwritten by every request; only the shapes matter here.
const state = replicaState(init, initParams(init.model, 0));
let views: SharedViews | undefined;

parentPort!.on("message", (request: ReplicaRequest) => {
  let reply: ReplicaReply;
  try {
    if (request.base) loadWeights(state.params, request.base);
    if (request.shared) views = sharedViews(state, request.shared);
    if (!views) throw new Error("no shared buffers were sent");
    reply = replicaStep(state, views, request.slices);
  } catch (error) {
    reply = { loss: NaN, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort!.postMessage(reply);
});
parentPort!.postMessage("ready");
