import { openC1z } from "@baton-fivetran/c1z"
import { NodeContext } from "@effect/platform-node"
import { FileSystem } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Random, Stream } from "effect"
import { spawn } from "node:child_process"
import { readdir, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { assertExit, binPath, logFields, runCli } from "./support/CliProcess.js"

/**
 * SIGKILL of the CLI at seeded random points of a `medium` sync: before any work, while the sync
 * database fills, and while (or after) the compressed file is written and renamed. Whatever the
 * moment, `--file` is either the previous file, byte for byte, or a complete new sync file, never
 * a partial one; and the next run removes the scratch files the killed one left.
 */

type Moment = "before the sync" | "during the sync" | "during the file write"

const scratch = (names: ReadonlyArray<string>, ext: string) => names.some((name) => name.startsWith(".sync.c1z.") && name.endsWith(ext))

/** Starts a medium sync into `file`, waits for `moment` (plus a seeded random delay), and kills it. */
const killDuring = (file: string, dir: string, moment: Moment, extraMillis: number) =>
  Effect.async<{ readonly killedAt: string; readonly code: number | null }>((resume) => {
    const child = spawn(process.execPath, [binPath, "--sandbox", "medium", "-f", file, "--log-format", "json"], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      stdio: "ignore"
    })
    let killedAt = "not killed: it finished first"
    const kill = (at: string) => {
      killedAt = at
      child.kill("SIGKILL")
    }
    const watch = setInterval(async () => {
      const names = await readdir(dir).catch(() => [] as Array<string>)
      if (moment === "during the sync" && scratch(names, ".db")) {
        clearInterval(watch)
        setTimeout(() => kill("the sync database was being filled"), extraMillis)
      }
      if (moment === "during the file write" && scratch(names, ".tmp")) {
        clearInterval(watch)
        kill("the compressed file was being written")
      }
    }, 5)
    if (moment === "before the sync") {
      clearInterval(watch)
      setTimeout(() => kill("start-up"), extraMillis)
    }
    child.on("exit", (code) => {
      clearInterval(watch)
      resume(Effect.succeed({ killedAt, code }))
    })
    return Effect.sync(() => {
      clearInterval(watch)
      child.kill("SIGKILL")
    })
  })

describe("crash safety", () => {
  it.scopedLive(
    "SIGKILL at random points of a medium sync never leaves a partial --file; the next run cleans up",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-crash-" })
        const file = join(dir, "sync.c1z")
        const previous = Buffer.from("C1ZF\u0000the previous sync file\n")
        const moments: ReadonlyArray<Moment> = ["before the sync", "during the sync", "during the sync", "during the file write"]
        const outcomes: Array<string> = []
        let leftBehind = 0
        for (const moment of moments) {
          yield* Effect.promise(() => writeFile(file, previous))
          const extra = yield* Random.nextIntBetween(0, 1500)
          const { code, killedAt } = yield* killDuring(file, dir, moment, extra).pipe(Effect.timeout("180 seconds"))
          const after = yield* Effect.promise(() => readFile(file))
          const left = (yield* Effect.promise(() => readdir(dir))).filter((name) => name !== "sync.c1z")
          leftBehind += left.length
          if (after.equals(previous)) {
            outcomes.push(`${moment} (+${extra} ms): killed at ${killedAt}; previous file intact`)
          } else {
            // Killed only after the rename (or not at all): then it is the whole new sync.
            assert.strictEqual(code, 0, `${moment}: --file changed although the run was killed (${killedAt})`)
            const reader = yield* openC1z(file)
            assert.isAbove(yield* Stream.runCount(reader.resources()), 100, `${moment}: the new file is a whole sync`)
            outcomes.push(`${moment}: finished before the kill; --file is the complete new sync`)
          }
        }
        yield* Effect.logWarning(
          `crash safety: ${leftBehind} scratch files left by kills, all removed by the next runs\n  ${outcomes.join("\n  ")}`
        )
        assert.isTrue(outcomes.some((line) => line.includes("previous file intact")))

        // The next run removes what the killed ones left, and writes the file.
        const leftovers = (yield* Effect.promise(() => readdir(dir))).filter((name) => name !== "sync.c1z")
        const next = yield* runCli(["--sandbox", "small", "-f", file, "--log-format", "json"])
        assertExit(next, 0)
        assert.deepStrictEqual(yield* Effect.promise(() => readdir(dir)), ["sync.c1z"])
        // A kill during the sync always leaves its database behind; each next run removed what it found.
        assert.isAbove(leftBehind, 0)
        if (leftovers.length > 0) {
          const removed = logFields(next.stderr).find((line) => line["msg"] === "removed the scratch files a killed run left")
          assert.strictEqual((removed?.["removed_files"] as ReadonlyArray<string> | undefined)?.length, leftovers.length)
        }
      }).pipe(Effect.withRandom(Random.make(12)), Effect.provide(NodeContext.layer)),
    600_000
  )
})
