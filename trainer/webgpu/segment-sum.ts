/**
 * UnsortedSegmentSum on the webgpu backend with a fixed order of additions: the gradient of every
 * embedding lookup (tf.gather's gradient is this sum of rows by token id).
 *
 * tfjs-webgpu's own kernel adds each row into its segment with a compare-and-swap loop, so the
 * order of the additions, and with it the rounding of the result, follows the GPU's scheduling:
 * the same batch gave different embedding gradients from run to run. Here the rows are first
 * grouped by segment, in position order, and each segment's rows are then summed in that order:
 * the result depends only on the input (and equals the cpu backend's, which adds in position
 * order too). Only integer counts are computed with more than one thread per value, and those
 * without atomics:
 *   1. ranks: per chunk of 256 positions, each position's rank among the chunk's earlier positions
 *      of its segment, and the chunk's count of each segment (written by its last position);
 *   2. bases: per segment, the chunks' counts turned into running totals, and the segment's size;
 *   3. starts: the sizes turned into offsets (one workgroup);
 *   4. place: every position written to its slot, start + chunk base + rank;
 *   5. sum: per segment, its rows added in position order.
 * Segment ids outside [0, numSegments) are skipped, as tfjs does. float32 only; other dtypes go
 * to tfjs's kernel.
 */
import * as tf from "@tensorflow/tfjs";
import { bindings, dispatch, outputTensor, paramsStruct, WORKGROUP_INDEX } from "./dispatch.js";

const CHUNK = 256;
const SIZES = paramsStruct([["N", "i32"], ["V", "i32"], ["W", "i32"], ["C", "i32"]]);
const ENTRY = "@compute @workgroup_size(256)\nfn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32)";
const INT = { ids: "i32", rank: "i32", counts: "i32", starts: "i32", order: "i32" };

const ZERO = `${SIZES}
${bindings(["counts"], ["counts"], INT)}
${ENTRY} {
  let i = ${WORKGROUP_INDEX} * 256u + li;
  if (i < u32(params.C) * u32(params.V)) { counts[i] = 0; }
}`;

const RANKS = `${SIZES}
${bindings(["ids", "rank", "counts"], ["rank", "counts"], INT)}
var<workgroup> chunk: array<i32, ${CHUNK}>;
${ENTRY} {
  let c = ${WORKGROUP_INDEX};
  if (c >= u32(params.C)) { return; }
  let p = c * ${CHUNK}u + li;
  var id = -1;
  if (p < u32(params.N)) { id = ids[p]; }
  chunk[li] = id;
  workgroupBarrier();
  if (id < 0 || id >= params.V) { return; }
  var r = 0;
  var last = true;
  for (var q = 0u; q < ${CHUNK}u; q++) {
    if (chunk[q] == id) {
      if (q < li) { r++; } else if (q > li) { last = false; }
    }
  }
  rank[p] = r;
  if (last) { counts[c * u32(params.V) + u32(id)] = r + 1; }
}`;

const BASES = `${SIZES}
${bindings(["counts", "starts"], ["counts", "starts"], INT)}
${ENTRY} {
  let v = ${WORKGROUP_INDEX} * 256u + li;
  let V = u32(params.V);
  if (v >= V) { return; }
  var total = 0;
  for (var c = 0u; c < u32(params.C); c++) {
    let n = counts[c * V + v];
    counts[c * V + v] = total;
    total += n;
  }
  starts[v] = total;
}`;

const STARTS = `${SIZES}
${bindings(["starts"], ["starts"], INT)}
var<workgroup> sums: array<i32, 256>;
${ENTRY} {
  let V = u32(params.V);
  let per = (V + 255u) / 256u;
  let begin = min(V, li * per);
  let end = min(V, begin + per);
  var own = 0;
  for (var i = begin; i < end; i++) { own += starts[i]; }
  sums[li] = own;
  workgroupBarrier();
  for (var offset = 1u; offset < 256u; offset *= 2u) {
    var before = 0;
    if (li >= offset) { before = sums[li - offset]; }
    workgroupBarrier();
    sums[li] += before;
    workgroupBarrier();
  }
  var running = sums[li] - own;
  for (var i = begin; i < end; i++) {
    let n = starts[i];
    starts[i] = running;
    running += n;
  }
  if (li == 255u) { starts[V] = sums[255]; }
}`;

const PLACE = `${SIZES}
${bindings(["ids", "rank", "counts", "starts", "order"], ["order"], INT)}
${ENTRY} {
  let p = ${WORKGROUP_INDEX} * 256u + li;
  if (p >= u32(params.N)) { return; }
  let id = ids[p];
  if (id < 0 || id >= params.V) { return; }
  let c = p / ${CHUNK}u;
  order[starts[id] + counts[c * u32(params.V) + u32(id)] + rank[p]] = i32(p);
}`;

const SUM = `${SIZES}
${bindings(["x", "starts", "order", "out"], ["out"], INT)}
${ENTRY} {
  let v = ${WORKGROUP_INDEX};
  if (v >= u32(params.V)) { return; }
  let W = u32(params.W);
  let begin = starts[v];
  let end = starts[v + 1u];
  for (var col = li; col < W; col += 256u) {
    var total = 0.0;
    for (var i = begin; i < end; i++) { total += x[u32(order[i]) * W + col]; }
    out[v * W + col] = total;
  }
}`;

const KERNEL = "UnsortedSegmentSum";
let registered = false;

/** Replaces tfjs-webgpu's UnsortedSegmentSum with the ordered one for float32 (once). */
export function registerSegmentSumKernel(): void {
  if (registered) return;
  const original = tf.getKernel(KERNEL, "webgpu");
  if (!original) return;
  registered = true;
  tf.unregisterKernel(KERNEL, "webgpu");
  tf.registerKernel({
    kernelName: KERNEL,
    backendName: "webgpu",
    kernelFunc: (args) => {
      const { x, segmentIds } = args.inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
      if (x.dtype !== "float32" || segmentIds.shape.length !== 1) return original.kernelFunc(args);
      const { numSegments } = args.attrs as unknown as { numSegments: number };
      return segmentSum(x, segmentIds, numSegments, args.backend as unknown as { disposeData(dataId: object): void });
    },
  });
}

function segmentSum(x: tf.TensorInfo, ids: tf.TensorInfo, V: number, backend: { disposeData(dataId: object): void }): tf.TensorInfo {
  const N = x.shape[0]!;
  const W = x.shape.slice(1).reduce((a, b) => a * b, 1);
  const C = Math.ceil(N / CHUNK);
  const sizes: [["i32", number], ["i32", number], ["i32", number], ["i32", number]] = [["i32", N], ["i32", V], ["i32", W], ["i32", C]];
  const rank = outputTensor([Math.max(N, 1)], "int32");
  const counts = outputTensor([Math.max(C * V, 1)], "int32");
  const starts = outputTensor([V + 1], "int32");
  const order = outputTensor([Math.max(N, 1)], "int32");
  const out = outputTensor([V, ...x.shape.slice(1)]);
  const threads = (n: number) => Math.ceil(n / 256);
  dispatch({ label: "segment-sum-zero", code: ZERO, buffers: [counts], uniforms: sizes, workgroups: threads(C * V) });
  dispatch({ label: "segment-sum-ranks", code: RANKS, buffers: [ids, rank, counts], uniforms: sizes, workgroups: C });
  dispatch({ label: "segment-sum-bases", code: BASES, buffers: [counts, starts], uniforms: sizes, workgroups: threads(V) });
  dispatch({ label: "segment-sum-starts", code: STARTS, buffers: [starts], uniforms: sizes, workgroups: 1 });
  dispatch({ label: "segment-sum-place", code: PLACE, buffers: [ids, rank, counts, starts, order], uniforms: sizes, workgroups: threads(N) });
  dispatch({ label: "segment-sum", code: SUM, buffers: [x, starts, order, out], uniforms: sizes, workgroups: V });
  for (const t of [rank, counts, starts, order]) backend.disposeData(t.dataId);
  return out;
}
