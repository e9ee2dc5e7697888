/**
 * Points Dawn at SwiftShader (scripts/swiftshader.sh installs it) so the WebGPU tests run on a
 * machine without a GPU. Import before anything loads the `webgpu` package: the Vulkan loader
 * reads VK_ICD_FILENAMES when Dawn starts.
 */
import { existsSync } from "node:fs";

const CANDIDATES = ["/usr/lib/chromium/vk_swiftshader_icd.json", "/opt/swiftshader/usr/lib/chromium/vk_swiftshader_icd.json"];

export const swiftshaderIcd = process.env.VK_ICD_FILENAMES ?? CANDIDATES.find((file) => existsSync(file));
if (swiftshaderIcd) process.env.VK_ICD_FILENAMES = swiftshaderIcd;

/** CI sets KILN_REQUIRE_WEBGPU=1: a missing SwiftShader is then a failure, not a skip. */
export const skipWebGpu = !swiftshaderIcd && !process.env.KILN_REQUIRE_WEBGPU;
