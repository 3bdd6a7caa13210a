import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import { closeSync, openSync } from "node:fs"
import { binPath } from "./support/CliProcess.js"
import { copySandboxSync } from "./support/SandboxSyncs.js"

/**
 * Every command's stdout, when it cannot be written: `> review.csv` on a full disk (here
 * /dev/full), a descriptor not open for writing (EBADF), and a reader gone (`| head`). Help,
 * --version, a provisioning outcome and the sandbox's banner printed through Console.log, which
 * dropped the failure: exit 0 with nothing written; the rows said `could not write the output:
 * ENOSPC: no space left on device, write`.
 */

const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", BATON_LOG_FORMAT: "console" }

interface Ended {
  readonly exitCode: number | null
  readonly stderr: string
}

const runWithStdout = (args: ReadonlyArray<string>, stdout: number | "pipe") =>
  Effect.async<Ended>((resume) => {
    const child = spawn(process.execPath, [binPath, ...args], { env, stdio: ["ignore", stdout, "pipe"] })
    // Closed before the CLI has even loaded: its first write finds no reader.
    child.stdout?.destroy()
    let stderr = ""
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => stderr += chunk)
    child.on("close", (exitCode) => resume(Effect.succeed({ exitCode, stderr })))
    return Effect.sync(() => child.kill("SIGKILL"))
  })

/** The CLI with stdout on `path` opened with `flags` ("w" on /dev/full: ENOSPC; "r": EBADF). */
const runInto = (path: string, flags: string) => (args: ReadonlyArray<string>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => openSync(path, flags)),
    (fd) => runWithStdout(args, fd),
    (fd) => Effect.sync(() => closeSync(fd))
  )

const intoFullDisk = runInto("/dev/full", "w")
const intoReadOnly = runInto("/dev/null", "r")
const unread = (args: ReadonlyArray<string>) => runWithStdout(args, "pipe")

const grant = [
  "-p",
  "--sandbox",
  "small",
  "--log-level",
  "warn",
  "--grant-entitlement",
  "group:exact_creek:View Destination",
  "--grant-principal",
  "wise_cactus",
  "--grant-principal-type",
  "user"
]

const failed = (reason: string): Ended => ({ exitCode: 1, stderr: `error: could not write the output to standard output: ${reason}\n` })

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-cli-stdout-" }))

describe("stdout that cannot be written", () => {
  it.scopedLive(
    "on a full disk every command exits 1 with one line saying so; a descriptor not open for writing too",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* tempDir
        const file = `${dir}/sync.c1z`
        yield* copySandboxSync(file, "small")
        yield* fs.copyFile(file, `${dir}/copy.c1z`)
        const commands: ReadonlyArray<ReadonlyArray<string>> = [
          ["export", "-f", file],
          ["resources", "-f", file, "-o", "table", "--log-level", "warn"],
          ["diff", "-o", "csv", "--log-level", "warn", file, `${dir}/copy.c1z`],
          ["capabilities"],
          ["--help"],
          ["--version"],
          ["resources", "--help"],
          grant,
          ["sandbox", "--port", "0", "--log-level", "warn"]
        ]
        for (const args of commands) {
          assert.deepStrictEqual(yield* intoFullDisk(args), failed("no space left on device (ENOSPC)"), args.join(" "))
        }
        for (const args of [["export", "-f", file], ["--version"], grant]) {
          assert.deepStrictEqual(yield* intoReadOnly(args), failed("bad file descriptor (EBADF)"), args.join(" "))
        }
      }).pipe(Effect.provide(NodeContext.layer)),
    180_000
  )

  it.live(
    "a reader gone before the first write ends help, --version and a provisioning outcome quietly, exit 0",
    () =>
      Effect.gen(function*() {
        for (const args of [["--help"], ["--version"], ["capabilities"], grant]) {
          assert.deepStrictEqual(yield* unread(args), { exitCode: 0, stderr: "" }, args.join(" "))
        }
      }),
    60_000
  )
})
