/**
 * Points Dawn at lavapipe (scripts/lavapipe.sh installs it), Mesa's CPU Vulkan driver, whose
 * adapter has shader-f16 where SwiftShader's has not: the half-precision tests run on it, and the
 * webgpu suite runs on it as on SwiftShader. Import before anything loads the `webgpu` package:
 * the Vulkan loader reads VK_ICD_FILENAMES when Dawn starts.
 */
import { existsSync } from "node:fs";

const ICD = "/opt/lavapipe/lvp_icd.json";

export const lavapipeIcd = process.env.KILN_LAVAPIPE_ICD ?? (existsSync(ICD) ? ICD : undefined);
if (lavapipeIcd) process.env.VK_ICD_FILENAMES = lavapipeIcd;

/** CI sets KILN_REQUIRE_WEBGPU=1: a missing lavapipe is then a failure, not a skip. */
export const skipLavapipe = !lavapipeIcd && !process.env.KILN_REQUIRE_WEBGPU;
