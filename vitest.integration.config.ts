import { defineConfig } from "vitest/config";
import { servicesTierOptions } from "./test/servicesTier";

export default defineConfig({
  test: {
    ...servicesTierOptions,
    reporters: [...servicesTierOptions.reporters],
    include: ["test/integration/**/*.test.ts"],
    globalSetup: ["test/integration/globalSetup.ts"],
    testTimeout: 300_000,
    hookTimeout: 600_000,
  },
});
