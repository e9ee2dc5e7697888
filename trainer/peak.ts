/**
 * The hardware's peak FLOP/s for the precision training uses: the denominator of MFU. A GPU's is
 * its datasheet figure; a CPU's is cores × f32 FLOPs per cycle per core (from its vector
 * extensions: two fused multiply-add pipes of the widest vector) × clock. A measured matmul rate
 * would flatter a slow backend, so it is only the fallback for hardware with no known figure,
 * and says so.
 */
import { readFileSync } from "node:fs";
import os from "node:os";
import * as tf from "@tensorflow/tfjs";
import { currentSelection, measurePeakFlops } from "./backend.js";

export interface HardwarePeak {
  /** FLOP/s. */
  flops: number;
  /** Where the figure comes from, for the log line printed at start. */
  source: string;
}

/** Dense datasheet peaks, FLOP/s (SXM parts; f32 without tensor cores, bf16 with). */
export const GPU_DATASHEET: { match: RegExp; name: string; f32: number; bf16: number }[] = [
  { match: /H200/i, name: "H200", f32: 67e12, bf16: 989e12 },
  { match: /H100/i, name: "H100", f32: 67e12, bf16: 989e12 },
  { match: /A100/i, name: "A100", f32: 19.5e12, bf16: 312e12 },
  { match: /L40S/i, name: "L40S", f32: 91.6e12, bf16: 362e12 },
  { match: /RTX 4090/i, name: "RTX 4090", f32: 82.6e12, bf16: 165e12 },
  { match: /\bL4\b/i, name: "L4", f32: 30.3e12, bf16: 121e12 },
];

/** A GPU's datasheet peak for `precision`, found by its name; undefined for one not in the table. */
export function gpuPeak(name: string, precision: "f32" | "bf16" = "f32"): HardwarePeak | undefined {
  const sheet = GPU_DATASHEET.find((d) => d.match.test(name));
  return sheet ? { flops: sheet[precision], source: `${sheet.name} datasheet ${precision} ${sheet[precision] / 1e12} TFLOP/s` } : undefined;
}

/**
 * f32 FLOPs per cycle per core from /proc/cpuinfo's flags, with the clock in GHz: two FMA pipes
 * (2 FLOPs each per lane) of 16 lanes (AVX-512 on Intel; AMD's Zen 4 runs it on 256-bit pipes),
 * 8 (AVX2 + FMA), or 4 lanes without FMA (two pipes of SSE / AVX adds and multiplies).
 */
export function cpuPeak(cpuinfo = readCpuinfo(), cores = os.availableParallelism()): HardwarePeak | undefined {
  const flags = new Set(/^flags\s*:\s*(.*)$/m.exec(cpuinfo)?.[1]?.split(/\s+/) ?? []);
  const vendor = /^vendor_id\s*:\s*(\S+)/m.exec(cpuinfo)?.[1] ?? "";
  const mhz = Number(/^cpu MHz\s*:\s*([\d.]+)/m.exec(cpuinfo)?.[1]);
  if (!Number.isFinite(mhz) || mhz <= 0 || flags.size === 0) return undefined;
  let perCycle: number;
  let unit: string;
  if (flags.has("avx512f") && vendor === "GenuineIntel") [perCycle, unit] = [64, "AVX-512 FMA"];
  else if (flags.has("avx2") && flags.has("fma")) [perCycle, unit] = [32, "AVX2 FMA"];
  else if (flags.has("avx")) [perCycle, unit] = [16, "AVX"];
  else [perCycle, unit] = [8, "SSE"];
  const flops = cores * perCycle * mhz * 1e6;
  return { flops, source: `${cores} cores × ${perCycle} f32 FLOP/cycle (${unit}) × ${(mhz / 1000).toFixed(2)} GHz = ${(flops / 1e9).toFixed(1)} GFLOP/s` };
}

function readCpuinfo(): string {
  try {
    return readFileSync("/proc/cpuinfo", "utf8");
  } catch {
    return "";
  }
}

/** The peak of the hardware the current tfjs backend runs on. */
export async function hardwarePeak(): Promise<HardwarePeak> {
  const adapter = currentSelection()?.adapter;
  const onGpu = tf.getBackend() === "webgpu" || tf.getBackend() === "tensorflow-gpu";
  const known = onGpu ? (adapter && !adapter.software ? gpuPeak(`${adapter.vendor} ${adapter.device} ${adapter.description}`) : undefined) : cpuPeak();
  if (known) return known;
  const measured = await measurePeakFlops();
  return { flops: measured, source: `measured matmul rate ${(measured / 1e9).toFixed(1)} GFLOP/s (no datasheet figure for this hardware)` };
}
