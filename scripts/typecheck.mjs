// `pnpm typecheck-workspace`: one tsc program over every package's sources and tests
// (tsconfig.typecheck.json), then the explorer page's, plus typecheck-results.json at the root so that
// .ci/summarize.mjs counts a type error in its "N passed, N failed" line: no suite runs tsc, so without
// it a type error failed `pnpm test` while the line said "0 failed".
import { spawnSync } from "node:child_process"
import { writeFileSync } from "node:fs"

const programs = ["tsconfig.typecheck.json", "apps/http/web/tsconfig.json"]
const failed = programs.map((project) => spawnSync("tsc", ["-p", project], { stdio: "inherit" }).status !== 0)
  .some(Boolean)
writeFileSync("typecheck-results.json", JSON.stringify({ failed }) + "\n")
process.exitCode = failed ? 1 : 0
