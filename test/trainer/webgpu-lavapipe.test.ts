/** The webgpu suite (webgpu-suite.ts) on lavapipe, Mesa's CPU Vulkan driver. */
import { skipLavapipe } from "./lavapipe-env.js";
import { webgpuSuite } from "./webgpu-suite.js";

webgpuSuite("lavapipe", /mesa .*llvmpipe/, skipLavapipe);
