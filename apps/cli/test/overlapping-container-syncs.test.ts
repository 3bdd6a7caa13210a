import { Command, FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Schedule, Stream } from "effect"
import { spawnSync } from "node:child_process"
import { statSync } from "node:fs"
import { assertExit, binPath, logFields, runCli, runCommand } from "./support/CliProcess.js"
import { connectionFlags, sandboxLayer } from "./support/Sandboxes.js"

/**
 * A CronJob whose run outlasts its schedule, or a job started by hand beside the scheduled one: two
 * containers write one --file on a shared volume at once, and in each the CLI is pid 1. The second's
 * start took the first's scratch database (`.sync.c1z.1.<hex>.db`, its pid its own, not in its own
 * list of files in use) for a killed run's, removed it, and said so; the first then failed at its
 * end, exit 1, `could not open the sync database: ENOENT`, its sync lost. Each process now renews
 * the files it has in use, and an own-pid file renewed lately is kept (c1z's ScratchOwners.ts).
 */

/** Why this machine cannot run the CLI in a pid namespace of its own (a test skips, saying so), or undefined. */
const pidNamespaceUnavailable: string | undefined = process.getuid?.() !== 0
  ? "needs root, to run the CLI as pid 1 in a pid namespace of its own"
  : spawnSync("unshare", ["--pid", "--fork", "--mount-proc", "true"], { stdio: "ignore" }).status === 0
  ? undefined
  : "this machine does not let root make a pid namespace (unshare --pid)"

const suite = pidNamespaceUnavailable === undefined
  ? "two syncs into one file from two containers"
  : `two syncs into one file from two containers (skipped: ${pidNamespaceUnavailable})`

/** The CLI as pid 1 of a pid namespace of its own, as a container's entrypoint, with JSON logs. */
const asContainer = (args: ReadonlyArray<string>) =>
  Command.make("unshare", "--pid", "--fork", "--mount-proc", process.execPath, binPath, ...args).pipe(
    Command.env({ PATH: process.env.PATH, HOME: process.env.HOME, BATON_LOG_FORMAT: "json" }, { extendEnv: false })
  )

const text = <E>(stream: Stream.Stream<Uint8Array, E>) => stream.pipe(Stream.decodeText(), Stream.mkString)

describe.skipIf(pidNamespaceUnavailable !== undefined)(suite, () => {
  it.scopedLive(
    "the later one leaves the earlier one's scratch database alone; both finish, and the file is the later-finishing one",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const sandbox = yield* Sandbox
        const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-cli-overlap-" })
        const file = `${dir}/sync.c1z`
        const { flags } = yield* connectionFlags
        // The first run's group lists (its last phase) wait until the second run has come and gone:
        // it is mid-sync meanwhile, its rows so far in its scratch database.
        const held = yield* Deferred.make<void>()
        const release = yield* Deferred.make<void>()
        yield* sandbox.setRequestHook(({ path }) =>
          path.startsWith("/v1/groups") ? Effect.zipRight(Deferred.succeed(held, undefined), Deferred.await(release)) : Effect.void
        )
        const first = yield* Command.start(asContainer([...flags, "-f", file]))
        const firstOutput = yield* Effect.fork(Effect.all([text(first.stderr), first.exitCode], { concurrency: "unbounded" }))
        yield* Deferred.await(held).pipe(
          Effect.raceFirst(
            Effect.flatMap(first.exitCode, (code) => Effect.dieMessage(`the first sync exited ${code} before its group lists`))
          )
        )
        const scratch = yield* fs.readDirectory(dir).pipe(
          Effect.map((names) => names.filter((name) => /^\.sync\.c1z\.1\.[0-9a-f]{12}\.db$/.test(name))),
          Effect.filterOrFail((names) => names.length === 1),
          Effect.retry(Schedule.spaced("50 millis"))
        )

        // The second container syncs an embedded sandbox of its own: only the file is shared.
        const second = yield* runCommand(asContainer(["--sandbox", "small", "-f", file]))
        assertExit(second, 0)
        // Before: "removed the scratch files a killed run left", the first run's database.
        assert.deepStrictEqual(logFields(second.stderr).filter((line) => String(line["msg"]).startsWith("removed ")), [])
        assert.deepStrictEqual(yield* fs.readDirectory(dir), [...scratch, "sync.c1z"].sort())
        const secondWrittenAt = new Date(statSync(file).mtimeMs).toISOString()

        yield* Deferred.succeed(release, undefined)
        const [firstStderr, firstExit] = yield* Fiber.join(firstOutput)
        assertExit({ exitCode: firstExit, stdout: "", stderr: firstStderr }, 0)
        const firstSyncId = logFields(firstStderr).find((line) => line["msg"] === "sync complete")?.["c1z_sync_id"]
        assert.match(String(firstSyncId), /^[0-9A-Za-z]{27}$/)
        // The overlap is said by the run whose rename replaced the other's file, naming when that was written.
        const overlap = (stderr: string) => logFields(stderr).filter((line) => line["level"] === "warn")
        assert.deepStrictEqual(overlap(second.stderr), [])
        assert.deepStrictEqual(overlap(firstStderr), [{
          level: "warn",
          msg: "the sync file was replaced by another writer while this sync ran (runs into one file overlap); it now holds this sync",
          file,
          replaced_file_written_at: secondWrittenAt,
          c1z_sync_id: firstSyncId
        }])
        const verified = yield* runCli(["verify", "-f", file, "-o", "json"])
        assertExit(verified, 0)
        assert.strictEqual((JSON.parse(verified.stdout) as { sync_id: string }).sync_id, firstSyncId)
        assert.deepStrictEqual(yield* fs.readDirectory(dir), ["sync.c1z"])
      }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)),
    90_000
  )
})
