import { configDefaults, defineConfig } from "vitest/config"
import { sharedModulesTestConfig, sharedTestConfig } from "../../vitest.shared.js"

// AtomicFile's test mocks node:crypto, so it runs isolated; the others share their workers'
// modules, sparing each file the import of Effect and the platform (vitest.shared.ts).
const isolatedFiles = ["test/AtomicFile.test.ts"]

// Each project names its files: a project extending the root would add its own include to the root's.
const { include, ...rootTestConfig } = sharedTestConfig

export default defineConfig({
  test: {
    ...rootTestConfig,
    projects: [
      {
        extends: true,
        test: {
          name: "shared-modules",
          include,
          exclude: [...configDefaults.exclude, ...isolatedFiles],
          isolate: sharedModulesTestConfig.isolate
        }
      },
      { extends: true, test: { name: "isolated", include: isolatedFiles } }
    ]
  }
})
