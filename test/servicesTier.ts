/** What the tiers that run real services (integration, engine) share: one service set, scenarios one after another, each named and timed. */
export const servicesTierOptions = {
  environment: "node",
  pool: "forks",
  // One Elasticsearch node per version and one emulator: scenarios run one after another.
  fileParallelism: false,
  // Each scenario is named when it starts and timed when it ends (they run for up to ~90 s).
  reporters: ["default", "./test/integration/progressReporter.ts"],
  env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
} as const;
