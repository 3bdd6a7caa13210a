/**
 * The test settings every workspace package shares; each package's vitest.config.ts uses them.
 * The JSON report feeds .ci/run's "N passed, N failed" line.
 */
export const sharedTestConfig = {
  include: ["test/**/*.test.ts"],
  // A safety net, not a speed check. `pnpm test` runs the packages' suites side by side on two
  // cores; on a slower machine of that kind, tests that take ~9 s alone took 45-70 s so (2026-12-01).
  testTimeout: 180_000,
  hookTimeout: 180_000,
  // Option, Either and Exit compared by their contents (vitest.setup.ts).
  setupFiles: [new URL("./vitest.setup.ts", import.meta.url).pathname],
  reporters: ["default", "json"],
  outputFile: { json: "test-results.json" }
}
