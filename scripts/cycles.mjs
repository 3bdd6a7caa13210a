// `pnpm cycles`: dpdm over packages/*/src and apps/*/src, failing on any import cycle (type-only imports
// count too), plus cycles-results.json at the root so that .ci/summarize.mjs counts it as one check.
import { spawnSync } from "node:child_process"
import { writeFileSync } from "node:fs"

const result = spawnSync(
  "dpdm",
  [
    "--no-tree",
    "--no-warning",
    "--no-progress",
    "--exit-code",
    "circular:1",
    "--exclude",
    "/(node_modules|dist|bundle)/",
    "packages/*/src/**/*.ts",
    "apps/*/src/**/*.ts"
  ],
  { stdio: "inherit" }
)
const failed = result.status !== 0
writeFileSync("cycles-results.json", JSON.stringify({ failed }) + "\n")
process.exitCode = failed ? 1 : 0
