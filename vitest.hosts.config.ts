import { defineConfig } from "vitest/config";
import { servicesTierOptions } from "./test/servicesTier";

/**
 * The real-engine Python program (npm run test:hosts): needs Pulumi's language hosts, built from a
 * copy of Pulumi's sources (S3LS_PULUMI_SOURCE) by scripts/services/pulumi-language-hosts.sh.
 */
export default defineConfig({
  test: {
    ...servicesTierOptions,
    reporters: [...servicesTierOptions.reporters],
    include: ["test/hosts/**/*.test.ts"],
    hookTimeout: 1_800_000,
    testTimeout: 600_000,
  },
});
