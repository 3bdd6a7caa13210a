import { availableParallelism } from "node:os"
import { defineConfig } from "vitest/config"
import { sharedTestConfig } from "../../vitest.shared.js"

export default defineConfig({
  test: {
    ...sharedTestConfig,
    globalSetup: ["test/support/ChromiumServer.ts"],
    // Two files at once even on two cores (vitest's default there is one): most of a file's time is
    // spent waiting on the service, the sandbox or Chromium (the explorer's 5 s retries, lock
    // refreshes, request timeouts), and this suite is the last of `pnpm test` to end.
    maxWorkers: Math.max(2, availableParallelism() - 1)
  }
})
