/**
 * The fault matrix at any size: runs e2e's fault-matrix test with FAULT_MATRIX_RUNS set, which
 * prints the tally (runs, faults injected, identical rows, clean failures, by fault and preset).
 *
 *   npx tsx src/fault-matrix.ts 500
 */
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"

const runs = Number(process.argv[2] ?? "500")
if (!Number.isInteger(runs) || runs < 1) {
  process.stderr.write(`error: the number of runs must be a whole number of at least 1, got ${JSON.stringify(process.argv[2])}\n`)
  process.exit(2)
}
const e2e = fileURLToPath(new URL("../../e2e", import.meta.url))
const started = Date.now()
const result = spawnSync("npx", ["vitest", "run", "test/fault-matrix.test.ts", "--reporter", "default"], {
  cwd: e2e,
  env: { ...process.env, FAULT_MATRIX_RUNS: String(runs) },
  stdio: "inherit"
})
process.stdout.write(`fault matrix: ${runs} runs in ${((Date.now() - started) / 1000).toFixed(1)} s, exit ${result.status}\n`)
process.exit(result.status ?? 1)
