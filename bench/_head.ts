import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../trainer/backend.js";
import { simdKernels } from "../trainer/kernels.js";
import { maskedLoss } from "../trainer/model.js";
await selectBackend("wasm");
const k = simdKernels;
for (const [N, d, V] of [[1024, 128, 2048], [1024, 256, 8192]]) {
  const x = tf.variable(tf.randomNormal([N, d]));
  const wte = tf.variable(tf.randomNormal([V, d], 0, 0.02));
  const targets = tf.tensor1d(Int32Array.from({ length: N }, (_, i) => (i * 7919) % V), "int32");
  const mask = tf.ones([N]) as tf.Tensor1D;
  const old = () => maskedLoss(k.tiedLogits(x, wte), targets, mask, k);
  const fused = () => k.headLoss(x, wte, targets, tf.div(mask, tf.maximum(tf.sum(mask), 1)) as tf.Tensor1D, { tied: true, headGradient: true });
  const time = (f: () => tf.Scalar) => {
    const t0 = process.cpuUsage();
    for (let i = 0; i < 10; i++) {
      const { value, grads } = tf.variableGrads(f, [x, wte]);
      value.dataSync();
      tf.dispose([value, ...Object.values(grads)]);
    }
    const u = process.cpuUsage(t0);
    return (u.user + u.system) / 1000 / 10;
  };
  time(old); time(fused);
  const a: number[] = [], b: number[] = [];
  for (let r = 0; r < 5; r++) { a.push(time(old)); b.push(time(fused)); }
  a.sort((p, q) => p - q); b.sort((p, q) => p - q);
  console.log(`N${N} d${d} V${V}: unfused ${a[2]!.toFixed(1)} ms CPU, fused ${b[2]!.toFixed(1)} ms CPU (all: ${a.map((v) => v.toFixed(0))} / ${b.map((v) => v.toFixed(0))})`);
}
