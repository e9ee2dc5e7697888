import { describe, expect, it } from "vitest";
import { lossCurveSvg } from "../../trainer/metrics.js";
import { cpuPeak, gpuPeak } from "../../trainer/peak.js";

describe("loss curve", () => {
  it("draws train and validation series with a dot per point, on axes scaled to the data", () => {
    const svg = lossCurveSvg(
      [
        { kind: "train", step: 0, loss: 4 },
        { kind: "train", step: 100, loss: 2 },
        { kind: "val", step: 100, loss: 3 },
      ],
      640,
      360,
    );
    // x: 48 + 544 * step / 100; y: 312 - 264 * (loss - 2) / 2
    expect(svg).toContain('points="48.0,48.0 592.0,312.0"');
    expect(svg).toContain('<circle cx="592.0" cy="180.0" r="2.5" fill="#ff7f0e"/>');
    expect(svg.match(/<circle /g)).toHaveLength(3);
    expect(svg).toContain(">4.00</text>");
    expect(svg).toContain(">2.00</text>");
    expect(svg).toContain("step 100");
  });
});

describe("the hardware's peak", () => {
  const cpuinfo = (vendor: string, flags: string, mhz = "2096.008") => `processor\t: 0\nvendor_id\t: ${vendor}\ncpu MHz\t\t: ${mhz}\nflags\t\t: fpu sse sse2 ${flags}\n`;

  it("is cores × f32 FLOPs per cycle × clock on a CPU, from its vector extensions", () => {
    // 2 cores × 2 FMA pipes × 8 lanes × 2 FLOPs × 2.096008 GHz
    expect(cpuPeak(cpuinfo("AuthenticAMD", "avx avx2 fma"), 2)).toEqual({ flops: 2 * 32 * 2096.008 * 1e6, source: "2 cores × 32 f32 FLOP/cycle (AVX2 FMA) × 2.10 GHz = 134.1 GFLOP/s" });
    expect(cpuPeak(cpuinfo("GenuineIntel", "avx avx2 fma avx512f"), 4)?.flops).toBe(4 * 64 * 2096.008 * 1e6);
    // AMD's AVX-512 runs on 256-bit pipes: no more FLOPs per cycle than AVX2.
    expect(cpuPeak(cpuinfo("AuthenticAMD", "avx avx2 fma avx512f"), 1)?.flops).toBe(32 * 2096.008 * 1e6);
    expect(cpuPeak(cpuinfo("GenuineIntel", ""), 1)?.flops).toBe(8 * 2096.008 * 1e6);
    expect(cpuPeak("", 2)).toBeUndefined();
  });

  it("is the datasheet figure on a known GPU", () => {
    expect(gpuPeak("NVIDIA H200")).toEqual({ flops: 67e12, source: "H200 datasheet f32 67 TFLOP/s" });
    expect(gpuPeak("nvidia NVIDIA A100-SXM4-80GB", "bf16")?.flops).toBe(312e12);
    expect(gpuPeak("SwiftShader Device")).toBeUndefined();
  });
});
