import { assert, describe, it } from "@effect/vitest"
import { existsSync, readFileSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"
import { filesUnder, repositoryRoot, workspaceDirs } from "./support/RepositoryFiles.js"

/**
 * @effect/vitest's `it.effect` and `it.scoped` run the test on the TestClock, whose time moves only
 * when the test moves it. Under it, every wait a test did not plan for never ends: the identical-rows
 * sync over loopback hung for the whole 10-minute timeout in a CI run when two of its requests
 * failed once (a loaded machine) and their retries waited on the frozen clock, and no request
 * timeout could fire either. A test that never moves the TestClock gains nothing from it, so it runs
 * on the live clock (`it.live`, `it.scopedLive`): an unplanned wait is then a short delay, or a
 * timeout that fails the test. Only a file that moves or reads the TestClock, itself or through a
 * helper it imports (ScratchWatch.ts), may use the frozen one; so may one whose tests' `layer`
 * leaves the test services out (`excludeTestServices: true`).
 */

const workspaceTests = (): Array<string> =>
  [join(repositoryRoot, "e2e", "test"), ...[...workspaceDirs("packages"), ...workspaceDirs("apps")].map((dir) => join(dir, "test"))]
    .flatMap((dir) => filesUnder(dir, /\.test\.ts$/))

/** A test on the TestClock: `it.effect(`, `it.scoped(`, and their `.each`, `.skip`, `.only`, ... forms. */
const onTestClock = /\bit\.(effect|scoped)(\.\w+)?\(/

/**
 * What a file that drives the TestClock names; or it runs its tests in an @effect/vitest `layer` that
 * leaves the test services (the TestClock among them) out.
 */
const drivesTestClock = /\bTestClock\b|\bTestServices\b|\bTestContext\b|excludeTestServices: true/

/** `./ScratchWatch.js`, `./support/TestClient.js`: the test's own helpers, as files. */
const localImport = /from "(\.{1,2}\/[^"]+)\.js"/g

/** Whether the file, or one of the helpers it imports, drives the TestClock. */
const drives = (file: string, text: string): boolean =>
  drivesTestClock.test(text) ||
  [...text.matchAll(localImport)].some(([, helper]) => {
    const path = resolve(dirname(file), `${helper}.ts`)
    return existsSync(path) && drivesTestClock.test(readFileSync(path, "utf8"))
  })

describe("test clocks", () => {
  it("a test file runs on the TestClock only if it, or a helper it imports, moves or reads it", () => {
    const files = workspaceTests()
    assert.isAbove(files.length, 300)
    const frozenForNothing = files
      .filter((file) => {
        const text = readFileSync(file, "utf8")
        return onTestClock.test(text) && !drives(file, text)
      })
      .map((file) => relative(repositoryRoot, file))
    assert.deepStrictEqual(frozenForNothing, [], "use it.live / it.scopedLive in these files (they never move the TestClock)")
  })
})
