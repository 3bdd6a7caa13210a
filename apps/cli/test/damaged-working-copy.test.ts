import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import { readdirSync, truncateSync } from "node:fs"
import { assertExit, binPath, runCli } from "./support/CliProcess.js"
import { copySandboxSync } from "./support/SandboxSyncs.js"

/**
 * A sync file's working copy (its database, decompressed into the temporary directory) cut short
 * while `export` reads it, by a tmp cleaner or a failing disk. The error said the .c1z was damaged
 * and to write it again, naming the .c1z (which was fine), and exited 2 as for a wrong file.
 */

interface Ended {
  readonly exitCode: number | null
  readonly stderr: string
  readonly copies: ReadonlyArray<string>
  readonly copiesLeft: ReadonlyArray<string>
}

/**
 * `export -f file` with `tmp` as its temporary directory, its stdout held after its first bytes (the
 * CLI waits for the pipe, its reader open) while the working copy's database is cut to one page.
 */
const exportWithCopyCut = (file: string, tmp: string) =>
  Effect.async<Ended>((resume) => {
    const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", TMPDIR: tmp, BATON_LOG_FORMAT: "console" }
    const child = spawn(process.execPath, [binPath, "export", "-f", file], { env, stdio: ["ignore", "pipe", "pipe"] })
    let stderr = ""
    let copies: ReadonlyArray<string> = []
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => stderr += chunk)
    child.stdout.once("data", () => {
      child.stdout.pause()
      copies = readdirSync(tmp)
      truncateSync(`${tmp}/${copies[0]}/db`, 4096)
      child.stdout.resume()
    })
    child.stdout.on("data", () => undefined)
    child.on("close", (exitCode) => resume(Effect.succeed({ exitCode, stderr, copies, copiesLeft: readdirSync(tmp) })))
    return Effect.sync(() => child.kill("SIGKILL"))
  })

describe("a working copy cut short under export", () => {
  it.scopedLive("says the working copy was damaged, naming it and the temporary directory, and exits 1", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-cli-copy-" })
      const file = `${dir}/sync.c1z`
      const tmp = `${dir}/tmp`
      yield* fs.makeDirectory(tmp)
      yield* copySandboxSync(file, "medium")

      const ended = yield* exportWithCopyCut(file, tmp)
      assert.strictEqual(ended.copies.length, 1)
      assert.deepStrictEqual({ exitCode: ended.exitCode, stderr: ended.stderr, copiesLeft: ended.copiesLeft }, {
        exitCode: 1,
        stderr: `error: ${tmp}/${ended.copies[0]}/db: the working copy of ${file} was damaged while it was read ` +
          "(database disk image is malformed); the .c1z itself was checked when it was opened and is not the cause: " +
          `check the disk of ${tmp} and any tmp cleaner that removes or cuts files there, then read it again\n`,
        copiesLeft: []
      })
      // The file was fine all along: read again, it exports whole.
      assertExit(yield* runCli(["export", "-f", file], { env: { TMPDIR: tmp } }), 0)
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)
})
