import { defineConfig } from "vitest/config";
import { servicesTierOptions } from "./test/servicesTier";

export default defineConfig({
  test: {
    ...servicesTierOptions,
    reporters: [...servicesTierOptions.reporters],
    include: ["test/engine/**/*.test.ts", "test/package/*.test.ts"],
    // The first run builds the Pulumi CLI from source (5–20 min on 2 cores); later runs reuse it.
    hookTimeout: 1_800_000,
    testTimeout: 600_000,
  },
});
