/**
 * Reverse-mode gradients over tfjs's tape that free memory as the backward pass goes: the
 * drop-in for `tf.variableGrads` every training step uses.
 *
 * tfjs-core's own backward pass (engine.gradients, tape.backpropagateGradients) keeps every
 * intermediate gradient, every tensor the forward pass saved for the backward, and every partial
 * gradient it summed, until the whole backward pass ends. A GPT block's backward pass therefore
 * holds all of its gradients at once on top of all the forward pass kept; for GPT-2 small that
 * is about 3 GB per 1,024-token sequence, and batch 64 did not fit in an H200's 141 GB.
 *
 * This walks the same tape in the same order and calls the same gradient functions with the same
 * inputs, so the gradients are the same bits, but it releases each node's saved tensors and the
 * gradient of each node's outputs once the node is done (no node before it in the tape reads
 * them), frees a partial gradient once it is summed, and runs each node's gradient in its own
 * scope, so what a gradient function made on the side is gone before the next node. What is left
 * at any moment is what the forward pass saved for the nodes still to come, plus the gradients of
 * the tensors those nodes will read.
 */
import * as tf from "@tensorflow/tfjs";

/** The parts of a tfjs tape node this walk reads (tfjs-core tape.ts's TapeNode). */
interface TapeNode {
  id: number;
  kernelName: string;
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  saved?: tf.Tensor[];
  gradient?: (dys: (tf.Tensor | null)[]) => Record<string, () => tf.Tensor>;
}

/** The engine's tape controls (tfjs-core engine.ts; at run time they are plain methods and fields). */
interface TapeEngine {
  scopedRun<T>(start: () => void, end: () => void, f: () => T): T;
  startTape(): void;
  endTape(): void;
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
}

/**
 * The nodes on a path from one of `xs` to `y`, in tape order, each with only the inputs that
 * depend on some x (the others need no gradient).
 */
function nodesFromXsToY(tape: TapeNode[], xs: tf.Tensor[], y: tf.Tensor): TapeNode[] {
  const fromX = new Set(xs.map((x) => x.id));
  const nodesFromX = new Set<number>();
  for (const node of tape) {
    if (Object.values(node.inputs).some((input) => fromX.has(input.id))) {
      nodesFromX.add(node.id);
      for (const output of node.outputs) fromX.add(output.id);
    }
  }
  const toY = new Set([y.id]);
  const nodesToY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i]!;
    if (!node.outputs.some((output) => toY.has(output.id))) continue;
    nodesToY.add(node.id);
    for (const input of Object.values(node.inputs)) toY.add(input.id);
  }
  return tape
    .filter((node) => nodesFromX.has(node.id) && nodesToY.has(node.id))
    .map((node) => ({ ...node, inputs: Object.fromEntries(Object.entries(node.inputs).filter(([, input]) => fromX.has(input.id))) }));
}

/**
 * Gradients of y = f() with respect to `variables` (the trainable ones), and y: the contract of
 * `tf.variableGrads`, with the memory behaviour described above. The caller owns the returned
 * tensors; a variable that y does not depend on gets no entry.
 */
export function variableGrads(f: () => tf.Scalar, variables: tf.Variable[]): { value: tf.Scalar; grads: Record<string, tf.Tensor> } {
  const xs = variables.filter((v) => v.trainable);
  if (xs.length === 0) throw new Error(`variableGrads: none of the ${variables.length} variables is trainable`);
  const engine = tf.engine() as unknown as TapeEngine;
  const nested = engine.state.gradientDepth > 0;
  const y = engine.scopedRun(() => engine.startTape(), () => engine.endTape(), () => tf.tidy("forward", f));
  const tape = engine.state.activeTape!;
  try {
    if (!(y instanceof tf.Tensor) || y.rank !== 0) throw new Error("variableGrads: f must return a scalar tensor");
    const nodes = nodesFromXsToY(tape, xs, y);
    if (nodes.length === 0) throw new Error("variableGrads: the result does not depend on any of the variables");
    return { value: y, grads: backward(nodes, y, xs, nested) };
  } catch (error) {
    tf.dispose(y);
    throw error;
  } finally {
    if (!nested) {
      for (const node of tape) for (const saved of node.saved ?? []) saved.dispose();
      engine.state.activeTape = null;
    }
  }
}

/** The walk itself: the gradients of y with respect to xs, keyed by variable name. */
function backward(nodes: TapeNode[], y: tf.Scalar, xs: tf.Variable[], nested: boolean): Record<string, tf.Tensor> {
  return tf.tidy("backward", () => {
    // Tensor id → the gradient summed so far; one entry per tensor whose gradient a node still needs.
    const accumulated = new Map<number, tf.Tensor>([[y.id, tf.onesLike(y)]]);
    /** Disposes a gradient no entry of `accumulated` still holds (a gradient function may pass dy on as dx). */
    const release = (gradient: tf.Tensor) => {
      for (const held of accumulated.values()) if (held === gradient) return;
      gradient.dispose();
    };
    for (let i = nodes.length - 1; i >= 0; i--) {
      const node = nodes[i]!;
      if (!node.gradient) throw new Error(`variableGrads: no gradient for ${node.kernelName}`);
      const dys = node.outputs.map((output) => accumulated.get(output.id) ?? null);
      const names = Object.keys(node.inputs);
      const dxs = tf.tidy(() => {
        const gradients = node.gradient!(dys);
        return names.map((name) => {
          const input = node.inputs[name]!;
          if (!(name in gradients)) throw new Error(`variableGrads: ${node.kernelName} has no gradient for its input ${name}`);
          const dx = gradients[name]!();
          if (dx.dtype !== "float32") throw new Error(`variableGrads: ${node.kernelName}'s gradient of ${name} is ${dx.dtype}, not float32`);
          if (!tf.util.arraysEqual(dx.shape, input.shape)) throw new Error(`variableGrads: ${node.kernelName}'s gradient of ${name} has shape [${dx.shape}], its input [${input.shape}]`);
          return dx;
        });
      });
      // The outputs' gradients and the saved tensors have no reader left in the tape.
      for (const output of node.outputs) {
        const dy = accumulated.get(output.id);
        if (dy === undefined) continue;
        accumulated.delete(output.id);
        if (!dxs.includes(dy)) release(dy);
      }
      if (!nested) for (const saved of node.saved ?? []) saved.dispose();
      names.forEach((name, k) => {
        const input = node.inputs[name]!;
        const dx = dxs[k]!;
        const previous = accumulated.get(input.id);
        if (previous === undefined) {
          accumulated.set(input.id, dx);
          return;
        }
        accumulated.set(input.id, tf.add(previous, dx));
        const later = dxs.slice(k + 1);
        if (!later.includes(previous)) release(previous);
        if (!later.includes(dx)) release(dx);
      });
    }
    const out: Record<string, tf.Tensor> = {};
    for (const x of xs) {
      const g = accumulated.get(x.id);
      if (g !== undefined) out[x.name] = g;
    }
    return out;
  });
}
