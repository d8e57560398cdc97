import { defineConfig } from "vitest/config";
import { servicesTierOptions } from "./test/servicesTier";

export default defineConfig({
  test: {
    ...servicesTierOptions,
    reporters: [...servicesTierOptions.reporters],
    // test/memory measures peak memory: here, one file at a time, nothing else shares the cores.
    include: ["test/integration/**/*.test.ts", "test/memory/**/*.test.ts"],
    globalSetup: ["test/integration/globalSetup.ts"],
    testTimeout: 300_000,
    hookTimeout: 600_000,
  },
});
