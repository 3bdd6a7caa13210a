import { availableParallelism } from "node:os"
import { configDefaults, defineConfig } from "vitest/config"
import { sharedModulesExcept } from "../../vitest.shared.js"

// These build their sync with @effect/vitest's `layer(..., { excludeTestServices })`, which puts
// its own `it.effect` in place for every later file of the module graph (progress-log.test.ts's
// TestClock then fails): they run isolated, the other files share their workers' modules.
const layerFiles = ["test/review.test.ts", "test/review-account-roles.test.ts"]

export default defineConfig({
  test: {
    ...sharedModulesExcept(layerFiles, configDefaults.exclude),
    globalSetup: ["test/support/SharedSyncDirectory.ts"],
    // Two files at once even on two cores (vitest's default there is one): a file mostly waits on the
    // CLI and sandbox processes it starts, so one worker kept a core idle once the other suites of
    // `pnpm test` had ended. Each worker makes its own shared syncs (SandboxSyncs.ts).
    maxWorkers: Math.max(2, availableParallelism() - 1)
  }
})
