// Sums the vitest JSON reports of every workspace package into one plain line for CI; `pnpm lint`,
// `pnpm cycles` and `pnpm typecheck-workspace` count as one more check each (lint-results.json,
// cycles-results.json and typecheck-results.json, from scripts/), failed when lint found any error, dpdm
// any import cycle or tsc any type error.
import { existsSync, readFileSync, readdirSync } from "node:fs"
import { join } from "node:path"

let passed = 0
let failed = 0
let skipped = 0
for (const root of ["packages", "apps", "e2e"]) {
  const dirs = root === "e2e" ? ["."] : readdirSync(root)
  for (const dir of dirs) {
    const file = join(root, dir, "test-results.json")
    if (!existsSync(file)) continue
    const report = JSON.parse(readFileSync(file, "utf8"))
    passed += report.numPassedTests
    failed += report.numFailedTests
    // A file that failed outside its tests (a hook, its teardown, its import) has no failed test of
    // its own, and an unhandled error belongs to no file; vitest exits 1 for both, so each counts.
    const failedFiles = report.testResults.filter(
      (result) => result.status === "failed" && !result.assertionResults.some((test) => test.status === "failed")
    ).length
    failed += failedFiles
    if (report.success === false && report.numFailedTests + failedFiles === 0) failed += 1
    skipped += report.numPendingTests + report.numTodoTests
  }
}
if (existsSync("lint-results.json")) {
  const lint = JSON.parse(readFileSync("lint-results.json", "utf8"))
  if (lint.errorCount > 0) failed += 1
  else passed += 1
}
for (const file of ["cycles-results.json", "typecheck-results.json"]) {
  if (!existsSync(file)) continue
  if (JSON.parse(readFileSync(file, "utf8")).failed) failed += 1
  else passed += 1
}
// The last line is exactly "N passed, N failed", what CI reads; skipped tests are said on the line before.
if (skipped > 0) console.log(`${skipped} skipped`)
console.log(`${passed} passed, ${failed} failed`)
