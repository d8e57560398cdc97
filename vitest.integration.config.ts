import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/integration/**/*.test.ts"],
    environment: "node",
    globalSetup: ["test/integration/globalSetup.ts"],
    testTimeout: 300_000,
    hookTimeout: 600_000,
    // One Elasticsearch node per version and one emulator: scenarios run one after another.
    pool: "forks",
    fileParallelism: false,
    // Each scenario is named when it starts and timed when it ends (they run for up to ~90 s).
    reporters: ["default", "./test/integration/progressReporter.ts"],
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
});
