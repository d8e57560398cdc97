import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/unit/**/*.test.ts", "test/fault/**/*.test.ts", "test/infra/**/*.test.ts"],
    environment: "node",
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Pulumi's runtime keeps global state (mocks, config); every test file gets its own process.
    pool: "forks",
  },
});
