import { availableParallelism } from "node:os"
import { configDefaults, defineConfig } from "vitest/config"
import { sharedModulesTestConfig, sharedTestConfig } from "../../vitest.shared.js"

// The files that only drive processes (the bundled service, a sandbox, Chromium) and read no
// process-wide state of their own worker: they share their workers' modules, which spares each
// the import of Effect, the platform and the sandbox (vitest.shared.ts). The others stay isolated
// (its comment says why); a new file is isolated until it is listed here.
const sharedModuleFiles = [
  "test/Explorer*.test.ts",
  "test/CallerIdentity.test.ts",
  "test/OpenApiErrorCodes.test.ts",
  "test/OutputClosed.test.ts",
  "test/ProvisioningHangingFivetran.test.ts",
  "test/ReadinessTimeout.test.ts",
  "test/ReadmeExamples.test.ts",
  "test/RequestTimeout.test.ts",
  "test/SlowRequests.test.ts",
  "test/SpanHeaders.test.ts",
  "test/TokenCharacters.test.ts",
  "test/UnreadBodies.test.ts",
  "test/Version.test.ts"
]

// Each project names its files: a project extending the root would add its own include to the root's.
const { include, ...rootTestConfig } = sharedTestConfig

export default defineConfig({
  test: {
    ...rootTestConfig,
    globalSetup: ["test/support/ChromiumServer.ts"],
    // Two files at once even on two cores (vitest's default there is one): most of a file's time is
    // spent waiting on the service, the sandbox or Chromium (the explorer's 5 s retries, lock
    // refreshes, request timeouts), and this suite is the last of `pnpm test` to end.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      {
        extends: true,
        test: { name: "shared-modules", include: sharedModuleFiles, isolate: sharedModulesTestConfig.isolate }
      },
      { extends: true, test: { name: "isolated", include, exclude: [...configDefaults.exclude, ...sharedModuleFiles] } }
    ]
  }
})
