/**
 * Fused f32 kernels in WebAssembly SIMD, compiled by AssemblyScript (`npm run build:simd` writes
 * module.ts; a test recompiles this file and compares the bytes). The module imports the wasm
 * backend's own memory: every pointer below is a tensor's offset in tfjs-backend-wasm's heap, so
 * nothing is copied in or out. The module has no data, no globals and no allocator of its own.
 *
 * Layouts are row-major f32; `rows × cols` matrices, `n × T × T` attention scores. Every loop has
 * a 4-lane body and a scalar tail, so any width works.
 */

// Math.log from the host, once per row (the module keeps no tables of its own).
@external("env", "log")
declare function hostLog(x: f64): f64;

const LOG2E: f32 = 1.44269504088896341;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
const GELU_C: f32 = 0.7978845608028654; // √(2/π)
const GELU_A: f32 = 0.044715;

@inline function at(base: usize, i: i32): usize {
  return base + (<usize>i << 2);
}

/** e^x on 4 lanes: 2^k·e^r with r = x − k·ln 2 in [−ln2/2, ln2/2] and a degree-6 polynomial (Cephes expf). */
@inline function exp4(v: v128): v128 {
  const x0 = f32x4.max(f32x4.min(v, f32x4.splat(88.3762626647949)), f32x4.splat(-87.3365447504));
  const k = f32x4.nearest(f32x4.mul(x0, f32x4.splat(LOG2E)));
  const x = f32x4.sub(f32x4.sub(x0, f32x4.mul(k, f32x4.splat(LN2_HI))), f32x4.mul(k, f32x4.splat(LN2_LO)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, x), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, x), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, x), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, x), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, x), f32x4.splat(5.0000001201e-1));
  const y = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, x), x), x), f32x4.splat(1));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(k), i32x4.splat(127)), 23);
  return f32x4.mul(y, scale);
}

/** e^x on one lane, by the same formula (tails agree with bodies to the bit). */
@inline function exp1(x: f32): f32 {
  return f32x4.extract_lane(exp4(f32x4.splat(x)), 0);
}

/** tanh u = 1 − 2/(e^{2u} + 1). */
@inline function tanh4(u: v128): v128 {
  const e = exp4(f32x4.add(u, u));
  return f32x4.sub(f32x4.splat(1), f32x4.div(f32x4.splat(2), f32x4.add(e, f32x4.splat(1))));
}

@inline function sum4(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

@inline function max4(v: v128): f32 {
  return max(max(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), max(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
}

/** tanh(√(2/π)(x + 0.044715x³)) on 4 lanes. */
@inline function geluTanh4(x: v128): v128 {
  const inner = f32x4.mul(f32x4.splat(GELU_C), f32x4.add(x, f32x4.mul(f32x4.splat(GELU_A), f32x4.mul(x, f32x4.mul(x, x)))));
  return tanh4(inner);
}

/** GELU's value on 4 lanes: ½x(1 + t). */
@inline function gelu4(x: v128): v128 {
  return f32x4.mul(f32x4.mul(f32x4.splat(0.5), x), f32x4.add(f32x4.splat(1), geluTanh4(x)));
}

/** GELU's derivative on 4 lanes: ½(1 + t) + ½x(1 − t²)·c(1 + 3·0.044715x²). */
@inline function geluSlope4(x: v128): v128 {
  const t = geluTanh4(x);
  const du = f32x4.mul(f32x4.splat(GELU_C), f32x4.add(f32x4.splat(1), f32x4.mul(f32x4.splat(3 * GELU_A), f32x4.mul(x, x))));
  const left = f32x4.mul(f32x4.splat(0.5), f32x4.add(f32x4.splat(1), t));
  const right = f32x4.mul(f32x4.mul(f32x4.mul(f32x4.splat(0.5), x), f32x4.sub(f32x4.splat(1), f32x4.mul(t, t))), du);
  return f32x4.add(left, right);
}

/** y = gelu(x + bias) over rows × cols (bias per column; bias 0 means none). */
export function gelu(x: usize, bias: usize, y: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const xr = at(x, r * cols);
    const yr = at(y, r * cols);
    let c = 0;
    for (; c + 4 <= cols; c += 4) {
      let v = v128.load(at(xr, c));
      if (bias) v = f32x4.add(v, v128.load(at(bias, c)));
      v128.store(at(yr, c), gelu4(v));
    }
    for (; c < cols; c++) {
      let v = load<f32>(at(xr, c));
      if (bias) v += load<f32>(at(bias, c));
      store<f32>(at(yr, c), f32x4.extract_lane(gelu4(f32x4.splat(v)), 0));
    }
  }
}

/** dx = dy · gelu'(x + bias). */
export function geluGrad(x: usize, bias: usize, dy: usize, dx: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let c = 0;
    for (; c + 4 <= cols; c += 4) {
      let v = v128.load(at(x, base + c));
      if (bias) v = f32x4.add(v, v128.load(at(bias, c)));
      v128.store(at(dx, base + c), f32x4.mul(v128.load(at(dy, base + c)), geluSlope4(v)));
    }
    for (; c < cols; c++) {
      let v = load<f32>(at(x, base + c));
      if (bias) v += load<f32>(at(bias, c));
      store<f32>(at(dx, base + c), load<f32>(at(dy, base + c)) * f32x4.extract_lane(geluSlope4(f32x4.splat(v)), 0));
    }
  }
}

/** y[c] = Σ_r x[r, c] over rows × cols: a bias's gradient, one pass down the rows (row order fixed). */
export function columnSums(x: usize, y: usize, rows: i32, cols: i32): void {
  memory.fill(y, 0, <usize>cols << 2);
  for (let r = 0; r < rows; r++) {
    const xr = at(x, r * cols);
    let c = 0;
    for (; c + 4 <= cols; c += 4) v128.store(at(y, c), f32x4.add(v128.load(at(y, c)), v128.load(at(xr, c))));
    for (; c < cols; c++) store<f32>(at(y, c), load<f32>(at(y, c)) + load<f32>(at(xr, c)));
  }
}

/** Σ of a row. */
function rowSum(p: usize, cols: i32): f32 {
  let acc = f32x4.splat(0);
  let c = 0;
  for (; c + 4 <= cols; c += 4) acc = f32x4.add(acc, v128.load(at(p, c)));
  let s = sum4(acc);
  for (; c < cols; c++) s += load<f32>(at(p, c));
  return s;
}

/** Σ (x − mean)² of a row. */
function rowSquares(p: usize, cols: i32, mean: f32): f32 {
  const m = f32x4.splat(mean);
  let acc = f32x4.splat(0);
  let c = 0;
  for (; c + 4 <= cols; c += 4) {
    const d = f32x4.sub(v128.load(at(p, c)), m);
    acc = f32x4.add(acc, f32x4.mul(d, d));
  }
  let s = sum4(acc);
  for (; c < cols; c++) {
    const d = load<f32>(at(p, c)) - mean;
    s += d * d;
  }
  return s;
}

/** y = (x − mean)/√(var + ε) · gain + bias per row; writes each row's mean and 1/σ to stats[2r], stats[2r+1]. */
export function layerNorm(x: usize, gain: usize, bias: usize, y: usize, stats: usize, rows: i32, cols: i32, epsilon: f32): void {
  for (let r = 0; r < rows; r++) {
    const xr = at(x, r * cols);
    const yr = at(y, r * cols);
    const mean = rowSum(xr, cols) / <f32>cols;
    const rstd: f32 = 1 / Mathf.sqrt(rowSquares(xr, cols, mean) / <f32>cols + epsilon);
    store<f32>(at(stats, 2 * r), mean);
    store<f32>(at(stats, 2 * r + 1), rstd);
    const m = f32x4.splat(mean);
    const s = f32x4.splat(rstd);
    let c = 0;
    for (; c + 4 <= cols; c += 4) {
      const xhat = f32x4.mul(f32x4.sub(v128.load(at(xr, c)), m), s);
      v128.store(at(yr, c), f32x4.add(f32x4.mul(xhat, v128.load(at(gain, c))), v128.load(at(bias, c))));
    }
    for (; c < cols; c++) {
      const xhat = (load<f32>(at(xr, c)) - mean) * rstd;
      store<f32>(at(yr, c), xhat * load<f32>(at(gain, c)) + load<f32>(at(bias, c)));
    }
  }
}

/**
 * LayerNorm's backward pass from the saved stats: dx = 1/σ·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)) with
 * dx̂ = dy·gain; dGain = Σ_rows dy·x̂ and dBias = Σ_rows dy (both overwritten).
 */
export function layerNormGrad(x: usize, gain: usize, stats: usize, dy: usize, dx: usize, dGain: usize, dBias: usize, rows: i32, cols: i32): void {
  memory.fill(dGain, 0, <usize>cols << 2);
  memory.fill(dBias, 0, <usize>cols << 2);
  for (let r = 0; r < rows; r++) {
    const xr = at(x, r * cols);
    const dyr = at(dy, r * cols);
    const dxr = at(dx, r * cols);
    const mean = f32x4.splat(load<f32>(at(stats, 2 * r)));
    const rstdS = load<f32>(at(stats, 2 * r + 1));
    const rstd = f32x4.splat(rstdS);
    let a1 = f32x4.splat(0);
    let a2 = f32x4.splat(0);
    let c = 0;
    for (; c + 4 <= cols; c += 4) {
      const xhat = f32x4.mul(f32x4.sub(v128.load(at(xr, c)), mean), rstd);
      const g = v128.load(at(dyr, c));
      const dxhat = f32x4.mul(g, v128.load(at(gain, c)));
      a1 = f32x4.add(a1, dxhat);
      a2 = f32x4.add(a2, f32x4.mul(dxhat, xhat));
      v128.store(at(dGain, c), f32x4.add(v128.load(at(dGain, c)), f32x4.mul(g, xhat)));
      v128.store(at(dBias, c), f32x4.add(v128.load(at(dBias, c)), g));
    }
    let s1 = sum4(a1);
    let s2 = sum4(a2);
    const tail = c;
    const meanS = f32x4.extract_lane(mean, 0);
    for (; c < cols; c++) {
      const xhat = (load<f32>(at(xr, c)) - meanS) * rstdS;
      const g = load<f32>(at(dyr, c));
      const dxhat = g * load<f32>(at(gain, c));
      s1 += dxhat;
      s2 += dxhat * xhat;
      store<f32>(at(dGain, c), load<f32>(at(dGain, c)) + g * xhat);
      store<f32>(at(dBias, c), load<f32>(at(dBias, c)) + g);
    }
    const m1 = s1 / <f32>cols;
    const m2 = s2 / <f32>cols;
    const m1v = f32x4.splat(m1);
    const m2v = f32x4.splat(m2);
    c = 0;
    for (; c + 4 <= tail; c += 4) {
      const xhat = f32x4.mul(f32x4.sub(v128.load(at(xr, c)), mean), rstd);
      const dxhat = f32x4.mul(v128.load(at(dyr, c)), v128.load(at(gain, c)));
      v128.store(at(dxr, c), f32x4.mul(rstd, f32x4.sub(f32x4.sub(dxhat, m1v), f32x4.mul(xhat, m2v))));
    }
    for (; c < cols; c++) {
      const xhat = (load<f32>(at(xr, c)) - meanS) * rstdS;
      const dxhat = load<f32>(at(dyr, c)) * load<f32>(at(gain, c));
      store<f32>(at(dxr, c), rstdS * (dxhat - m1 - xhat * m2));
    }
  }
}

/** Max of a row. */
function rowMax(p: usize, cols: i32): f32 {
  let acc = f32x4.splat(-Infinity);
  let c = 0;
  for (; c + 4 <= cols; c += 4) acc = f32x4.max(acc, v128.load(at(p, c)));
  let m = max4(acc);
  for (; c < cols; c++) m = max(m, load<f32>(at(p, c)));
  return m;
}

/** Σ e^(x − shift) of a row. */
function rowExpSum(p: usize, cols: i32, shift: f32): f32 {
  const s = f32x4.splat(shift);
  let acc = f32x4.splat(0);
  let c = 0;
  for (; c + 4 <= cols; c += 4) acc = f32x4.add(acc, exp4(f32x4.sub(v128.load(at(p, c)), s)));
  let sum = sum4(acc);
  for (; c < cols; c++) sum += exp1(load<f32>(at(p, c)) - shift);
  return sum;
}

/** Per row: lse = log Σ e^x, loss = lse − x[target] (targets are i32 in [0, cols)). */
export function crossEntropy(logits: usize, targets: usize, losses: usize, lse: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const row = at(logits, r * cols);
    const m = rowMax(row, cols);
    const l = m + <f32>hostLog(<f64>rowExpSum(row, cols, m));
    store<f32>(at(lse, r), l);
    store<f32>(at(losses, r), l - load<f32>(at(row, load<i32>(at(targets, r)))));
  }
}

/** dlogits = (softmax(x) − onehot(target))·dy[row], softmax from the saved lse. */
export function crossEntropyGrad(logits: usize, targets: usize, lse: usize, dy: usize, dLogits: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const row = at(logits, r * cols);
    const out = at(dLogits, r * cols);
    const shiftS = load<f32>(at(lse, r));
    const gS = load<f32>(at(dy, r));
    const shift = f32x4.splat(shiftS);
    const g = f32x4.splat(gS);
    let c = 0;
    for (; c + 4 <= cols; c += 4) v128.store(at(out, c), f32x4.mul(exp4(f32x4.sub(v128.load(at(row, c)), shift)), g));
    for (; c < cols; c++) store<f32>(at(out, c), exp1(load<f32>(at(row, c)) - shiftS) * gS);
    const t = at(out, load<i32>(at(targets, r)));
    store<f32>(t, load<f32>(t) - gS);
  }
}

/**
 * Causal softmax of n × T × T attention scores: row i of each T × T block becomes
 * softmax(scale·s[0..i]) followed by zeros (the masked keys).
 */
export function causalSoftmax(scores: usize, probs: usize, n: i32, T: i32, scale: f32): void {
  const sv = f32x4.splat(scale);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < T; i++) {
      const row = at(scores, (b * T + i) * T);
      const out = at(probs, (b * T + i) * T);
      const len = i + 1;
      const m = rowMax(row, len) * scale; // scale > 0
      const mv = f32x4.splat(m);
      let acc = f32x4.splat(0);
      let c = 0;
      for (; c + 4 <= len; c += 4) {
        const e = exp4(f32x4.sub(f32x4.mul(v128.load(at(row, c)), sv), mv));
        v128.store(at(out, c), e);
        acc = f32x4.add(acc, e);
      }
      let sum = sum4(acc);
      for (; c < len; c++) {
        const e = exp1(load<f32>(at(row, c)) * scale - m);
        store<f32>(at(out, c), e);
        sum += e;
      }
      const inv = f32x4.splat(1 / sum);
      const invS: f32 = 1 / sum;
      c = 0;
      for (; c + 4 <= len; c += 4) v128.store(at(out, c), f32x4.mul(v128.load(at(out, c)), inv));
      for (; c < len; c++) store<f32>(at(out, c), load<f32>(at(out, c)) * invS);
      if (len < T) memory.fill(at(out, len), 0, <usize>(T - len) << 2);
    }
  }
}

/** dscores = scale · P ⊙ (dP − Σ_j dP·P) on the unmasked part of each row, 0 on the masked part. */
export function causalSoftmaxGrad(probs: usize, dProbs: usize, dScores: usize, n: i32, T: i32, scale: f32): void {
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < T; i++) {
      const base = (b * T + i) * T;
      const p = at(probs, base);
      const dp = at(dProbs, base);
      const out = at(dScores, base);
      const len = i + 1;
      let acc = f32x4.splat(0);
      let c = 0;
      for (; c + 4 <= len; c += 4) acc = f32x4.add(acc, f32x4.mul(v128.load(at(p, c)), v128.load(at(dp, c))));
      let dot = sum4(acc);
      for (; c < len; c++) dot += load<f32>(at(p, c)) * load<f32>(at(dp, c));
      const dv = f32x4.splat(dot);
      const sv = f32x4.splat(scale);
      c = 0;
      for (; c + 4 <= len; c += 4) v128.store(at(out, c), f32x4.mul(sv, f32x4.mul(v128.load(at(p, c)), f32x4.sub(v128.load(at(dp, c)), dv))));
      for (; c < len; c++) store<f32>(at(out, c), scale * load<f32>(at(p, c)) * (load<f32>(at(dp, c)) - dot));
      if (len < T) memory.fill(at(out, len), 0, <usize>(T - len) << 2);
    }
  }
}

// Blocks of TILE_ROWS × TILE_COLS of x. Inside a block the inner loop walks down x's rows, so each
// of y's rows is written in one contiguous run: with power-of-two widths (a [1024, 128] activation)
// the other order writes at a 4 KiB stride and runs 6× slower.
const TILE_ROWS = 64;
const TILE_COLS = 32;

/** Rows r..r+3, columns c..c+3 of a `cols`-wide x, written transposed into the `rows`-wide y. */
@inline function transpose4x4(x: usize, y: usize, r: i32, c: i32, rows: i32, cols: i32): void {
  const a = v128.load(at(x, r * cols + c));
  const b = v128.load(at(x, (r + 1) * cols + c));
  const e = v128.load(at(x, (r + 2) * cols + c));
  const d = v128.load(at(x, (r + 3) * cols + c));
  const ab0 = v128.shuffle<f32>(a, b, 0, 4, 1, 5);
  const ab1 = v128.shuffle<f32>(a, b, 2, 6, 3, 7);
  const ed0 = v128.shuffle<f32>(e, d, 0, 4, 1, 5);
  const ed1 = v128.shuffle<f32>(e, d, 2, 6, 3, 7);
  v128.store(at(y, c * rows + r), v128.shuffle<f32>(ab0, ed0, 0, 1, 4, 5));
  v128.store(at(y, (c + 1) * rows + r), v128.shuffle<f32>(ab0, ed0, 2, 3, 6, 7));
  v128.store(at(y, (c + 2) * rows + r), v128.shuffle<f32>(ab1, ed1, 0, 1, 4, 5));
  v128.store(at(y, (c + 3) * rows + r), v128.shuffle<f32>(ab1, ed1, 2, 3, 6, 7));
}

/** y[b] = x[b]ᵀ for n matrices of rows × cols: blocks of 4 × 4 SIMD transposes, scalar edges. */
export function transpose(x: usize, y: usize, n: i32, rows: i32, cols: i32): void {
  const rows4 = rows & ~3;
  const cols4 = cols & ~3;
  for (let b = 0; b < n; b++) {
    const xb = at(x, b * rows * cols);
    const yb = at(y, b * rows * cols);
    for (let r0 = 0; r0 < rows4; r0 += TILE_ROWS) {
      const r1 = min(r0 + TILE_ROWS, rows4);
      for (let c0 = 0; c0 < cols4; c0 += TILE_COLS) {
        const c1 = min(c0 + TILE_COLS, cols4);
        for (let c = c0; c < c1; c += 4) {
          for (let r = r0; r < r1; r += 4) transpose4x4(xb, yb, r, c, rows, cols);
        }
      }
    }
    // The right edge (columns past the last multiple of 4), then the bottom edge (rows likewise).
    for (let r = 0; r < rows; r++) {
      for (let c = r < rows4 ? cols4 : 0; c < cols; c++) store<f32>(at(yb, c * rows + r), load<f32>(at(xb, r * cols + c)));
    }
  }
}

/**
 * Attention's head layout: `packed` holds `parts` tensors side by side per row, [B·T, parts·H·hd]
 * (q, k, v from one projection); `split` is tensor number `part` of them as [B, H, T, hd].
 * `toHeads` copies packed → split, else split → packed; each copy is one head's hd values.
 */
export function heads(packed: usize, split: usize, B: i32, T: i32, H: i32, hd: i32, parts: i32, part: i32, toHeads: bool): void {
  const bytes = <usize>hd << 2;
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const row = ((b * T + t) * parts + part) * H * hd;
      for (let h = 0; h < H; h++) {
        const p = at(packed, row + h * hd);
        const q = at(split, ((b * H + h) * T + t) * hd);
        if (toHeads) memory.copy(q, p, bytes);
        else memory.copy(p, q, bytes);
      }
    }
  }
}

/**
 * AdamW on n values: g ← grad·scale[0]; m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g² in place;
 * pOut ← p·(1 − decay) − lr·(m/c1)/(√(v/c2) + ε). The same arithmetic, in the same order, as
 * optim.ts. The weight goes to a new buffer: XNNPACK keeps weights packed by tensor id.
 */
export function adamw(p: usize, pOut: usize, m: usize, v: usize, grad: usize, scale: usize, n: i32, lr: f32, beta1: f32, beta2: f32, epsilon: f32, decay: f32, c1: f32, c2: f32): void {
  const s = load<f32>(scale);
  const sv = f32x4.splat(s);
  const b1 = f32x4.splat(beta1);
  const b1c = f32x4.splat(1 - beta1);
  const b2 = f32x4.splat(beta2);
  const b2c = f32x4.splat(1 - beta2);
  const keep = f32x4.splat(1 - decay);
  const lrv = f32x4.splat(lr);
  const c1v = f32x4.splat(c1);
  const c2v = f32x4.splat(c2);
  const eps = f32x4.splat(epsilon);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const g = f32x4.mul(v128.load(at(grad, i)), sv);
    const mi = f32x4.add(f32x4.mul(v128.load(at(m, i)), b1), f32x4.mul(g, b1c));
    const vi = f32x4.add(f32x4.mul(v128.load(at(v, i)), b2), f32x4.mul(f32x4.mul(g, g), b2c));
    v128.store(at(m, i), mi);
    v128.store(at(v, i), vi);
    const update = f32x4.div(f32x4.div(mi, c1v), f32x4.add(f32x4.sqrt(f32x4.div(vi, c2v)), eps));
    v128.store(at(pOut, i), f32x4.sub(f32x4.mul(v128.load(at(p, i)), keep), f32x4.mul(update, lrv)));
  }
  for (; i < n; i++) {
    const g = load<f32>(at(grad, i)) * s;
    const mi = load<f32>(at(m, i)) * beta1 + g * (1 - beta1);
    const vi = load<f32>(at(v, i)) * beta2 + g * g * (1 - beta2);
    store<f32>(at(m, i), mi);
    store<f32>(at(v, i), vi);
    const update = mi / c1 / (Mathf.sqrt(vi / c2) + epsilon);
    store<f32>(at(pOut, i), load<f32>(at(p, i)) * (1 - decay) - update * lr);
  }
}

/**
 * Matrix products. c = a·b (+ bias per column) for a [M, K], b [K, N], over n batch entries
 * (b shared by all when `shareB`). For each entry, b is first copied into `packed` as panels of 8
 * columns (panel p holds b[k][8p..8p+8) for every k, zero-padded past N), so the inner loop reads
 * 8 consecutive floats per k. The inner loop keeps a 4 × 8 block of c in eight 4-lane registers
 * (more would spill: V8 leaves 15 vector registers on x64) and adds a[i][k]·b[k][j..j+8) to it
 * for each k: two vector loads of b, four broadcast loads of a, eight multiply-adds.
 *
 * Built with relaxed SIMD the multiply-add is one fused instruction (`f32x4.relaxed_madd`); V8
 * emits FMA where the CPU has it, which is every x86-64 since 2013 and every ARM64, and c then
 * rounds once per term instead of twice. The other build multiplies and adds.
 */
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

function packPanels(b: usize, packed: usize, K: i32, N: i32): void {
  const panels = (N + 7) >> 3;
  for (let p = 0; p < panels; p++) {
    const col = p << 3;
    const width = min(8, N - col);
    let out = packed + ((<usize>p * <usize>K) << 5);
    let row = at(b, col);
    const stride = <usize>N << 2;
    for (let k = 0; k < K; k++) {
      if (width == 8) {
        v128.store(out, v128.load(row));
        v128.store(out, v128.load(row, 16), 16);
      } else {
        for (let j = 0; j < 8; j++) store<f32>(out + (<usize>j << 2), j < width ? load<f32>(row + (<usize>j << 2)) : 0);
      }
      out += 32;
      row += stride;
    }
  }
}

/** Writes the first `width` lanes of lo|hi to out: a block's last columns. */
@inline function storeColumns(out: usize, lo: v128, hi: v128, width: i32): void {
  for (let j = 0; j < width; j++) {
    const v = j < 4 ? lo : hi;
    const lane = j & 3;
    store<f32>(out + (<usize>j << 2), lane == 0 ? f32x4.extract_lane(v, 0) : lane == 1 ? f32x4.extract_lane(v, 1) : lane == 2 ? f32x4.extract_lane(v, 2) : f32x4.extract_lane(v, 3));
  }
}

/** One row of a block, lo|hi: 8 columns, or the first `width` (a panel past N's last multiple of 8). */
@inline function storeRow(out: usize, lo: v128, hi: v128, width: i32): void {
  if (width == 8) {
    v128.store(out, lo);
    v128.store(out, hi, 16);
  } else storeColumns(out, lo, hi, width);
}

/** One entry: c [M, N] = a [M, K] · (packed b) + bias. */
function productPanels(a: usize, packed: usize, bias: usize, c: usize, M: i32, K: i32, N: i32): void {
  const panels = (N + 7) >> 3;
  const rowA = <usize>K << 2;
  const rowC = <usize>N << 2;
  for (let p = 0; p < panels; p++) {
    const col = p << 3;
    const width = min(8, N - col);
    const panel = packed + ((<usize>p * <usize>K) << 5);
    let lo = f32x4.splat(0);
    let hi = f32x4.splat(0);
    if (bias) {
      if (width == 8) {
        lo = v128.load(at(bias, col));
        hi = v128.load(at(bias, col), 16);
      } else {
        for (let j = 0; j < width; j++) {
          const value = load<f32>(at(bias, col + j));
          if (j == 0) lo = f32x4.replace_lane(lo, 0, value);
          else if (j == 1) lo = f32x4.replace_lane(lo, 1, value);
          else if (j == 2) lo = f32x4.replace_lane(lo, 2, value);
          else if (j == 3) lo = f32x4.replace_lane(lo, 3, value);
          else if (j == 4) hi = f32x4.replace_lane(hi, 0, value);
          else if (j == 5) hi = f32x4.replace_lane(hi, 1, value);
          else hi = f32x4.replace_lane(hi, 2, value);
        }
      }
    }
    let i = 0;
    for (; i + 4 <= M; i += 4) {
      let c00 = lo, c01 = hi, c10 = lo, c11 = hi, c20 = lo, c21 = hi, c30 = lo, c31 = hi;
      let x = a + <usize>i * rowA;
      let b = panel;
      for (let k = 0; k < K; k++) {
        const b0 = v128.load(b);
        const b1 = v128.load(b, 16);
        let s = v128.load32_splat(x);
        c00 = madd(s, b0, c00);
        c01 = madd(s, b1, c01);
        s = v128.load32_splat(x + rowA);
        c10 = madd(s, b0, c10);
        c11 = madd(s, b1, c11);
        s = v128.load32_splat(x + 2 * rowA);
        c20 = madd(s, b0, c20);
        c21 = madd(s, b1, c21);
        s = v128.load32_splat(x + 3 * rowA);
        c30 = madd(s, b0, c30);
        c31 = madd(s, b1, c31);
        x += 4;
        b += 32;
      }
      const out = c + <usize>i * rowC + (<usize>col << 2);
      storeRow(out, c00, c01, width);
      storeRow(out + rowC, c10, c11, width);
      storeRow(out + 2 * rowC, c20, c21, width);
      storeRow(out + 3 * rowC, c30, c31, width);
    }
    for (; i < M; i++) {
      let c00 = lo, c01 = hi;
      let x = a + <usize>i * rowA;
      let b = panel;
      for (let k = 0; k < K; k++) {
        const s = v128.load32_splat(x);
        c00 = madd(s, v128.load(b), c00);
        c01 = madd(s, v128.load(b, 16), c01);
        x += 4;
        b += 32;
      }
      storeRow(c + <usize>i * rowC + (<usize>col << 2), c00, c01, width);
    }
  }
}

/**
 * c[e] = a[e]·b[e or 0] + bias for e < n: a [n, M, K], b [n or 1, K, N], c [n, M, N], bias [N] or
 * 0. `packed` holds K·8·⌈N/8⌉ floats of scratch.
 */
export function matMul(a: usize, b: usize, bias: usize, c: usize, packed: usize, n: i32, M: i32, K: i32, N: i32, shareB: bool): void {
  for (let e = 0; e < n; e++) {
    if (e == 0 || !shareB) packPanels(b + <usize>e * <usize>K * <usize>N * 4, packed, K, N);
    productPanels(a + <usize>e * <usize>M * <usize>K * 4, packed, bias, c + <usize>e * <usize>M * <usize>N * 4, M, K, N);
  }
}
