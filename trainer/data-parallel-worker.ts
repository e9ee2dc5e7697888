/**
 * A data-parallel gradient worker (data-parallel.ts): loads the main thread's backend and model,
 * then for each request sets the weights it is sent and returns Σ weight·∇loss of its slices
 * with respect to what the step trains (every weight, or the LoRA adapters).
 */
import { parentPort, workerData } from "node:worker_threads";
import { selectBackend } from "./backend.js";
import { loadWeights, replicaState, weightedSliceGradients, type ReplicaInit, type ReplicaReply, type ReplicaRequest } from "./data-parallel.js";
import { initParams } from "./model.js";

const init = workerData as ReplicaInit;
await selectBackend(init.backend);
// The values are overwritten by every request; only the shapes matter here.
const state = replicaState(init, initParams(init.model, 0));

parentPort!.on("message", (request: ReplicaRequest) => {
  let reply: ReplicaReply;
  try {
    if (request.base) loadWeights(state.params, request.base);
    loadWeights(state.trainable, request.trainable);
    reply = weightedSliceGradients(state, request.trainable.names, request.slices);
  } catch (error) {
    reply = { loss: NaN, grads: [], error: error instanceof Error ? error.message : String(error) };
  }
  parentPort!.postMessage(reply, reply.grads.map((g) => g.buffer as ArrayBuffer));
});
parentPort!.postMessage("ready");
