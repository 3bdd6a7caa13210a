import { configDefaults, defineConfig } from "vitest/config"
import { sharedModulesExcept } from "../../vitest.shared.js"

// AtomicFile's test mocks node:crypto, so it runs isolated; the others share their workers'
// modules, sparing each file the import of Effect and the platform (vitest.shared.ts).
const isolatedFiles = ["test/AtomicFile.test.ts"]

export default defineConfig({ test: sharedModulesExcept(isolatedFiles, configDefaults.exclude) })
