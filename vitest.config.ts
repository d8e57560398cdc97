import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/unit/**/*.test.ts", "test/fault/**/*.test.ts", "test/infra/**/*.test.ts"],
    environment: "node",
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Pulumi's runtime keeps global state (mocks, config); every test file gets its own process.
    pool: "forks",
    // The AWS SDK's notice that its 2027 releases need Node 22 says nothing a test run can act on
    // (docs/development.md "Node.js versions" does); it would print in every test process.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
});
