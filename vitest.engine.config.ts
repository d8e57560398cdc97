import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/engine/**/*.test.ts"],
    environment: "node",
    // The first run builds the Pulumi CLI from source (10–20 min on 2 cores); later runs reuse it.
    hookTimeout: 1_800_000,
    testTimeout: 600_000,
    pool: "forks",
    fileParallelism: false,
    reporters: ["default", "./test/integration/progressReporter.ts"],
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
});
