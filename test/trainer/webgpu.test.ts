/** The webgpu suite (webgpu-suite.ts) on SwiftShader, Chromium's CPU Vulkan driver. */
import { skipWebGpu } from "./webgpu-env.js";
import { webgpuSuite } from "./webgpu-suite.js";

webgpuSuite("SwiftShader", /google swiftshader/, skipWebGpu);
