// Sums the vitest JSON reports of every workspace package into one plain line for CI; `pnpm lint`,
// `pnpm cycles` and `pnpm typecheck-workspace` count as one more check each (lint-results.json,
// cycles-results.json and typecheck-results.json, from scripts/), failed when lint found any error, dpdm
// any import cycle or tsc any type error.
import { existsSync, readFileSync, readdirSync } from "node:fs"
import { join, relative } from "node:path"

// CI keeps only the end of its output: each failure is named there, one line each, with the first
// line of its message, above the count; so are the slowest tests, whose creep toward their timeouts
// (a safety net set per test) is otherwise seen only once one fails.
const failures = []
const durations = []
const firstLine = (message) => (message ?? "").split("\n").find((line) => line.trim() !== "")?.trim().slice(0, 300) ?? ""
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
    )
    failed += failedFiles.length
    for (const result of report.testResults) {
      const where = relative(process.cwd(), result.name)
      for (const test of result.assertionResults) {
        if (typeof test.duration === "number") durations.push({ seconds: test.duration / 1000, name: `${where} > ${test.fullName}` })
        if (test.status === "failed") failures.push(`FAILED ${where} > ${test.fullName}: ${firstLine(test.failureMessages?.[0])}`)
      }
    }
    for (const result of failedFiles) {
      failures.push(`FAILED ${relative(process.cwd(), result.name)} (outside its tests): ${firstLine(result.message)}`)
    }
    if (report.success === false && report.numFailedTests + failedFiles.length === 0) {
      failed += 1
      failures.push(`FAILED ${file}: vitest reported a failure outside every file (an unhandled error)`)
    }
    skipped += report.numPendingTests + report.numTodoTests
  }
}
if (existsSync("lint-results.json")) {
  const lint = JSON.parse(readFileSync("lint-results.json", "utf8"))
  if (lint.errorCount > 0) {
    failed += 1
    failures.push(`FAILED lint: ${lint.errorCount} errors`)
  } else passed += 1
}
for (const file of ["cycles-results.json", "typecheck-results.json"]) {
  if (!existsSync(file)) continue
  if (JSON.parse(readFileSync(file, "utf8")).failed) {
    failed += 1
    failures.push(`FAILED ${file}`)
  } else passed += 1
}
// The last line is exactly "N passed, N failed", what CI reads; skipped tests are said on the line before.
for (const slow of durations.sort((a, b) => b.seconds - a.seconds).slice(0, 5)) {
  console.log(`slowest: ${slow.seconds.toFixed(0)} s ${slow.name.slice(0, 160)}`)
}
for (const failure of failures) console.log(failure)
if (skipped > 0) console.log(`${skipped} skipped`)
console.log(`${passed} passed, ${failed} failed`)
