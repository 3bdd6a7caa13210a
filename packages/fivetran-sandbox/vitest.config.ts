import { defineConfig } from "vitest/config"
import { sharedModulesTestConfig } from "../../vitest.shared.js"

export default defineConfig({ test: sharedModulesTestConfig })
