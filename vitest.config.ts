import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    // Hang guards only, never timing checks: the suite must pass on a machine with load average 15.
    testTimeout: 30 * 60_000,
    hookTimeout: 30 * 60_000,
  },
});
