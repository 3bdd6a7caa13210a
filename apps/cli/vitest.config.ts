import { configDefaults, defineConfig } from "vitest/config"
import { sharedModulesTestConfig, sharedTestConfig } from "../../vitest.shared.js"

// These build their sync with @effect/vitest's `layer(..., { excludeTestServices })`, which puts
// its own `it.effect` in place for every later file of the module graph (progress-log.test.ts's
// TestClock then fails): they run isolated, the other files share their workers' modules.
const layerFiles = ["test/review.test.ts", "test/review-account-roles.test.ts"]

// Each project names its files: a project extending the root would add its own include to the root's.
const { include, ...rootTestConfig } = sharedTestConfig

export default defineConfig({
  test: {
    ...rootTestConfig,
    globalSetup: ["test/support/SharedSyncDirectory.ts"],
    projects: [
      {
        extends: true,
        test: {
          name: "shared-modules",
          include,
          isolate: sharedModulesTestConfig.isolate,
          exclude: [...configDefaults.exclude, ...layerFiles]
        }
      },
      { extends: true, test: { name: "isolated", include: layerFiles } }
    ]
  }
})
