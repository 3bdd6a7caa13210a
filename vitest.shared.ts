/**
 * The test settings every workspace package shares; each package's vitest.config.ts uses them.
 * The JSON report feeds .ci/run's "N passed, N failed" line.
 */
export const sharedTestConfig = {
  include: ["test/**/*.test.ts"],
  testTimeout: 60_000,
  hookTimeout: 60_000,
  reporters: ["default", "json"],
  outputFile: { json: "test-results.json" }
}
