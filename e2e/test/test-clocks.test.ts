import { assert, describe, it } from "@effect/vitest"
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"

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

const root = join(import.meta.dirname, "..", "..")

const skipped = new Set(["node_modules", "dist", "bundle", "public", "data", "fixtures"])

const testFilesUnder = (dir: string): Array<string> =>
  existsSync(dir)
    ? readdirSync(dir).flatMap((name) => {
      const path = join(dir, name)
      if (statSync(path).isDirectory()) return skipped.has(name) ? [] : testFilesUnder(path)
      return name.endsWith(".test.ts") ? [path] : []
    })
    : []

const workspaceTests = (): Array<string> =>
  [
    join(root, "e2e", "test"),
    ...["packages", "apps"].flatMap((parent) => readdirSync(join(root, parent)).map((name) => join(root, parent, name, "test")))
  ].flatMap(testFilesUnder)

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
      .map((file) => relative(root, file))
    assert.deepStrictEqual(frozenForNothing, [], "use it.live / it.scopedLive in these files (they never move the TestClock)")
  })
})
