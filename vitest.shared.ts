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

/**
 * For a suite whose files may share their worker's modules instead of importing Effect, the
 * platform and the package afresh for each file: that import was most of such a suite's CPU (user
 * and system seconds, each suite alone, 2026-12-03: fivetran-client 68 -> 12-16, connector-core
 * 81 -> 30-32, c1z 52 -> 14-15, fivetran-sandbox 68 -> 41-43, e2e 88 -> 50-54), and `pnpm test`
 * runs every suite at once on two cores. A test in such a suite may not rely on a fresh module:
 * process-wide state (Effect's metrics) is judged by what the test added.
 * Settings' AtomicFile test, the HTTP service's files its vitest.config.ts does not list and the
 * CLI's review files stay isolated: they read the service's metrics from zero, build layers with
 * @effect/vitest's `excludeTestServices` (after which TestClock stops working in that module graph),
 * or mock a module.
 */
export const sharedModulesTestConfig = { ...sharedTestConfig, isolate: false }

/**
 * A suite's settings as two projects: the files of `isolatedFiles` run isolated, the others share
 * their workers' modules (sharedModulesTestConfig). `defaultExclude` is vitest's
 * `configDefaults.exclude`, which the shared project's own `exclude` would otherwise drop (vitest is
 * the packages' dependency, not the root's, so this file cannot import it).
 */
export const sharedModulesExcept = (isolatedFiles: ReadonlyArray<string>, defaultExclude: ReadonlyArray<string>) => {
  // Each project names its files: a project extending the root would add its own include to the root's.
  const { include, ...rootTestConfig } = sharedTestConfig
  return {
    ...rootTestConfig,
    projects: [
      {
        extends: true as const,
        test: {
          name: "shared-modules",
          include,
          exclude: [...defaultExclude, ...isolatedFiles],
          isolate: sharedModulesTestConfig.isolate
        }
      },
      { extends: true as const, test: { name: "isolated", include: [...isolatedFiles] } }
    ]
  }
}
