// `pnpm lint [--fix] [paths]`: ESLint over the workspace (eslint.config.mjs), printed as ESLint prints it, plus
// lint-results.json at the root so that .ci/summarize.mjs counts a lint failure in its "N passed, N failed" line.
import { ESLint } from "eslint"
import { writeFileSync } from "node:fs"

const args = process.argv.slice(2)
const fix = args.includes("--fix")
const paths = args.filter((arg) => arg !== "--fix")

const record = (files, errorCount, warningCount) =>
  writeFileSync("lint-results.json", JSON.stringify({ files, errorCount, warningCount }) + "\n")

try {
  // No cache: with --fix, ESLint caches the fixed result under the unfixed content's hash, so the same
  // unformatted file (e.g. back after a rebase) would pass unchecked later.
  const eslint = new ESLint({ fix })
  const results = await eslint.lintFiles(paths.length > 0 ? paths : ["."])
  if (fix) await ESLint.outputFixes(results)
  const report = await (await eslint.loadFormatter("stylish")).format(results)
  if (report !== "") process.stdout.write(report)
  const errorCount = results.reduce((sum, result) => sum + result.errorCount, 0)
  const warningCount = results.reduce((sum, result) => sum + result.warningCount, 0)
  record(results.length, errorCount, warningCount)
  if (errorCount === 0) process.stdout.write(`lint: ${results.length} files, no errors\n`)
  process.exitCode = errorCount > 0 ? 1 : 0
} catch (error) {
  // A broken configuration is a failed lint too, not a missing one.
  record(0, 1, 0)
  throw error
}
