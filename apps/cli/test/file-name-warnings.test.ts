import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { assertExit, logFields, runCli } from "./support/CliProcess.js"
import { copySandboxSync } from "./support/SandboxSyncs.js"
import { sheetSyncOf } from "./support/SheetSync.js"

/**
 * File names in `diff`'s and `resources`' warnings on stderr: a name is anyone's text (a file
 * received from elsewhere, a directory made by a script), and one holding a line break forged a
 * second warning line, an escape sequence cleared or recoloured the terminal, and a right-to-left
 * override reversed the rest of the warning. Each is shown as a `\u` escape, as the `error:` line
 * and a table's cells show it; a JSON line's `msg` and fields keep the name exact.
 */

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-file-name-warnings-" }))

/** A line break that starts a forged line, an escape that clears the screen, and an unterminated override. */
const hostile = "x\nwarning: all clear\u001b[2J\u202e.c1z"
const shown = "x\\u000awarning: all clear\\u001b[2J\\u202e.c1z"

describe("file names in the review commands' warnings", () => {
  it.scopedLive(
    "diff's order, scope and same-file warnings, resources' no-connections warning and verify's line escape them",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const cwd = yield* tempDir
        // The older sync holds connections, the newer (synced here) none: given newest first, both warnings are due.
        yield* copySandboxSync(`${cwd}/older.c1z`, "small with connections")
        assertExit(yield* runCli(["--sandbox", "small", "-f", "newer.c1z", "--log-level", "warn"], { cwd }), 0)
        yield* fs.rename(`${cwd}/newer.c1z`, `${cwd}/${hostile}`)
        const [older, newer] = [yield* sheetSyncOf(`${cwd}/older.c1z`), yield* sheetSyncOf(`${cwd}/${hostile}`)]
        const stderrOf = (args: ReadonlyArray<string>) =>
          Effect.map(runCli(args, { cwd }), (result) => {
            assertExit(result, 0)
            return result.stderr.split("\n")
          })

        const backwards = yield* stderrOf(["diff", hostile, "older.c1z", "-o", "json"])
        assert.deepStrictEqual(backwards.slice(0, 2), [
          `${shown} holds no connection resources and older.c1z does (one synced with --sync-connections, the other without?): ` +
          "every connection and its access shows as added; compare syncs of the same scope",
          `${shown} (synced ${newer.at}) is newer than older.c1z (synced ${older.at}): every change reads backwards ` +
          "(added as removed); give the older file first"
        ])
        assert.deepStrictEqual(
          (yield* stderrOf(["diff", hostile, hostile, "-o", "json"])).slice(0, 1),
          [`OLD.c1z and NEW.c1z are the same file (${shown}): there is nothing to compare; give two syncs`]
        )
        assert.deepStrictEqual(
          yield* stderrOf(["resources", "--type", "connection", "-f", hostile, "-o", "json"]),
          [`${shown} holds no connections: it was synced without --sync-connections (sync with it to review connections)`, ""]
        )

        const verified = yield* runCli(["verify", "-f", hostile], { cwd })
        assertExit(verified, 0)
        assert.deepStrictEqual(verified.stdout.split("\n").slice(0, 1), [
          `${shown}: sync ${newer.id} (synced ${newer.at}): 38 resources, 51 entitlements, 122 grants; ` +
          "SQLite's integrity check passed"
        ])

        // A JSON line keeps the name exact: JSON escapes the line break and the escape itself.
        const json = yield* runCli(["diff", hostile, hostile, "-o", "json", "--log-format", "json"], { cwd })
        assertExit(json, 0)
        assert.deepStrictEqual(logFields(json.stderr)[0], {
          level: "warn",
          msg: `OLD.c1z and NEW.c1z are the same file (${hostile}): there is nothing to compare; give two syncs`,
          old_file: hostile,
          new_file: hostile
        })
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )
})
