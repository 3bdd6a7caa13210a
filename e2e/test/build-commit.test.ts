import { assert, describe, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import { cliBundle, httpBundle } from "./support/AppProcess.js"

/**
 * Each bundle's `--version` names the commit it was built from (scripts/bundle-app.mjs), so that an
 * operator can tell which of docs/upgrading.md's entries apply to the build that runs. The build may
 * be one turbo replayed from its cache, made at an earlier commit with the same code: the commit is
 * checked to be one of this repository's, not HEAD.
 */

const git = (...args: ReadonlyArray<string>) =>
  execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 60_000 }).trim()

const isCommit = (hash: string) => {
  try {
    return git("cat-file", "-t", hash) === "commit"
  } catch {
    return false
  }
}

describe("--version", () => {
  for (const [name, bundle] of [["baton-fivetran", cliBundle], ["baton-fivetran-http", httpBundle]] as const) {
    it(`${name}'s names the version and the commit it was built from`, () => {
      const printed = execFileSync(process.execPath, [bundle, "--version"], { encoding: "utf8", timeout: 60_000 }).trim()
      const line = /^0\.1\.0 \(commit ([0-9a-f]{12})(-dirty)?\)$/.exec(printed)
      assert.isNotNull(line, printed)
      assert.isTrue(isCommit(line![1]!), `${line![1]} is no commit of this repository`)
    })
  }
})
