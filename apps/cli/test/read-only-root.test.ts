import type { AccountSnapshot } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { assertExit, runCli, runCommand } from "./support/CliProcess.js"
import { readOnlyRootCommand, readOnlyRootSuite, readOnlyRootUnavailable } from "./support/ReadOnlyRoot.js"
import { connectionFlags, sandboxLayer, smallAccount } from "./support/Sandboxes.js"

/** The pod's uid (Kubernetes' runAsUser) and another one, which owns what the pod may not read. */
const podUid = 64_123
const otherUid = 64_124

/**
 * A scheduled sync in a hardened container: a read-only root file system but for its data volume,
 * no TMPDIR (docs/deploy.md, "A hardened deployment").
 */

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-cli-ro-root-" }))

/** A temporary directory any uid may search, and in it `data`, the pod's data volume: owned by `podUid` once `prepare` ran. */
const podDirectories = (prepare: (data: string) => Effect.Effect<void, unknown, FileSystem.FileSystem>) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const dir = yield* tempDir
    yield* fs.chmod(dir, 0o755)
    const data = `${dir}/data`
    yield* fs.makeDirectory(data)
    yield* prepare(data)
    yield* fs.chown(data, podUid, podUid)
    return { dir, data }
  })

/**
 * The small account and 20,000 more users in one group, with ids of 1,000 characters (Fivetran's
 * are short; ids up to 1,024 bytes are taken): their index keys pass SQLite's 16 MiB in-memory sort,
 * as a large account's do, in a sync of seconds.
 */
const longIdAccount = (): AccountSnapshot => {
  const [user] = smallAccount.users
  const [membership] = smallAccount.user_groups
  const added = Array.from({ length: 20_000 }, (_, index) => ({
    ...user!,
    id: `u${index}_${"x".repeat(1_000 - 2 - String(index).length)}`,
    email: `user${index}@example.com`
  }))
  return {
    ...smallAccount,
    users: [...smallAccount.users, ...added],
    user_groups: [...smallAccount.user_groups, ...added.map(({ id }) => ({ ...membership!, user_id: id }))]
  }
}

describe(readOnlyRootSuite("a sync in a read-only root file system"), () => {
  it.scopedLive.skipIf(readOnlyRootUnavailable !== undefined)(
    "a large sync without TMPDIR writes its .c1z and summary, owner-only, in its data directory and nothing else",
    () => {
      const account = longIdAccount()
      return Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const data = `${yield* tempDir}/data`
        yield* fs.makeDirectory(data)
        const { flags } = yield* connectionFlags
        // SQLite spilled the index builds' sort to /var/tmp, /tmp or the working directory, all read-only
        // here: the sync failed after its whole run, "could not index the sync rows: disk I/O error".
        const result = yield* runCommand(readOnlyRootCommand(
          [...flags, "-f", `${data}/acme.c1z`, "--summary-file", `${data}/acme.summary.json`, "--log-format", "json"],
          { writable: data }
        ))
        assertExit(result, 0)
        assert.deepStrictEqual((yield* fs.readDirectory(data)).sort(), ["acme.c1z", "acme.summary.json"])
        const modes = yield* Effect.forEach(
          ["acme.c1z", "acme.summary.json"],
          (name) => Effect.map(fs.stat(`${data}/${name}`), (info) => info.mode & 0o777)
        )
        assert.deepStrictEqual(modes, [0o600, 0o600])
        const summary = JSON.parse(yield* fs.readFileString(`${data}/acme.summary.json`)) as {
          readonly resources: Record<string, number>
        }
        assert.strictEqual(summary.resources["user"], account.users.length)
        const verified = yield* runCli(["verify", "-f", `${data}/acme.c1z`])
        assertExit(verified, 0)
        const resources = Object.values(summary.resources).reduce((sum, count) => sum + count, 0)
        assert.include(verified.stdout, `: ${resources} resources, `)
      }).pipe(Effect.provide(sandboxLayer(account)), Effect.provide(NodeContext.layer))
    },
    { timeout: 180_000 }
  )

  it.scopedLive.skipIf(readOnlyRootUnavailable !== undefined)(
    "a review command without TMPDIR makes its working copy beside the .c1z and removes it; with neither writable it names TMPDIR",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* tempDir
        const data = `${dir}/data`
        const elsewhere = `${dir}/elsewhere`
        yield* Effect.forEach([data, elsewhere], (path) => fs.makeDirectory(path))
        const synced = yield* runCommand(readOnlyRootCommand(["--sandbox", "small", "-f", `${data}/acme.c1z`], { writable: data }))
        assertExit(synced, 0)
        const resources = ["resources", "-f", `${data}/acme.c1z`, "-o", "csv"]
        const expected = yield* runCli(resources)
        assertExit(expected, 0)
        assert.strictEqual(expected.stdout.split("\r\n").length - 2, 38)
        // Was exit 1: `could not create the working copy's directory in /tmp: EROFS: read-only file system`.
        const beside = yield* runCommand(readOnlyRootCommand(resources, { writable: data }))
        assert.deepStrictEqual([beside.exitCode, beside.stdout, beside.stderr], [0, expected.stdout, ""])
        assert.deepStrictEqual(yield* fs.readDirectory(data), ["acme.c1z"])

        const neither = yield* runCommand(
          readOnlyRootCommand(resources, { writable: elsewhere, env: { BATON_LOG_FORMAT: "console" } })
        )
        assert.deepStrictEqual([neither.exitCode, neither.stdout, neither.stderr], [
          1,
          "",
          `error: ${data}/acme.c1z: could not create the working copy's directory in /tmp: it is not writable, nor is the .c1z's ` +
          `directory ${data}: set TMPDIR to a writable directory with room for the copy (the reader copies the decompressed sync ` +
          "there: check that the directory exists, is writable and has free space)\n"
        ])
        assert.deepStrictEqual(yield* fs.readDirectory(data), ["acme.c1z"])
      }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scopedLive.skipIf(readOnlyRootUnavailable !== undefined)(
    "a config file mounted as a Kubernetes Secret (..data links) is read as a non-root uid; one it may not read says who may, not EACCES",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const { data, dir } = yield* podDirectories(() => Effect.void)
        // As the kubelet lays out a Secret volume: the files in a timestamped directory, reached through ..data.
        const secret = `${dir}/secret`
        yield* fs.makeDirectory(`${secret}/..2026_12_05_18_00_00.1`, { recursive: true })
        yield* Effect.forEach([secret, `${secret}/..2026_12_05_18_00_00.1`], (path) => fs.chmod(path, 0o755))
        const config = `${secret}/..2026_12_05_18_00_00.1/baton.yaml`
        yield* fs.writeFileString(config, `sandbox: small\nfile: ${data}/acme.c1z\n`)
        yield* fs.symlink("..2026_12_05_18_00_00.1", `${secret}/..data`)
        yield* fs.symlink("..data/baton.yaml", `${secret}/baton.yaml`)
        yield* fs.chmod(config, 0o400)
        const sync = (configPath: string) =>
          runCommand(readOnlyRootCommand([], {
            writable: data,
            uid: podUid,
            env: { BATON_CONFIG_PATH: configPath, BATON_LOG_FORMAT: "console", BATON_LOG_LEVEL: "warn" }
          }))

        yield* fs.chown(config, podUid, 0)
        const readable = yield* sync(`${secret}/baton.yaml`)
        assertExit(readable, 0)
        assert.deepStrictEqual(yield* fs.readDirectory(data), ["acme.c1z"])

        yield* fs.chown(config, otherUid, 0)
        yield* fs.makeDirectory(`${dir}/private`, { mode: 0o700 })
        yield* fs.chown(`${dir}/private`, otherUid, otherUid)
        yield* fs.writeFileString(`${dir}/private/baton.yaml`, "sandbox: small\n")
        const [notItsFile, notItsDirectory] = yield* Effect.all([sync(`${secret}/baton.yaml`), sync(`${dir}/private/baton.yaml`)])
        const remedy = "make it readable to this process (in Kubernetes: mount the Secret with defaultMode: 0440 and set the pod's " +
          "securityContext.fsGroup, or run as the file's owner)"
        // Were `... could not be read (EACCES: permission denied, open ...)` and `BATON_CONFIG_PATH names "...", which does not exist`.
        assert.deepStrictEqual([notItsFile, notItsDirectory].map((result) => [result.exitCode, result.stderr]), [
          [
            2,
            `error: ${secret}/baton.yaml could not be read: permission denied (this process runs as uid ${podUid}, gid ${podUid}, ` +
            `and the file is owned by uid ${otherUid}, gid 0, mode 0400): ${remedy}\n`
          ],
          [
            2,
            `error: ${dir}/private/baton.yaml could not be read: permission denied (this process runs as uid ${podUid}, gid ${podUid}, ` +
            `and may not search a directory on its path): ${remedy}\n`
          ]
        ])
        assert.deepStrictEqual(yield* fs.readDirectory(data), ["acme.c1z"])
      }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scopedLive.skipIf(readOnlyRootUnavailable !== undefined)(
    "a CronJob moved to a non-root uid over the .c1z and summary its root runs wrote is refused saying who owns them, and leaves them",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        // The previous runs' files, as root left them: owner-only, uid 0.
        const previous = "C1ZF\u0000the previous sync"
        const { data } = yield* podDirectories((data) =>
          Effect.zipRight(
            fs.writeFileString(`${data}/acme.c1z`, previous, { mode: 0o600 }),
            fs.writeFileString(`${data}/acme.summary.json`, "{}", { mode: 0o600 })
          )
        )
        const sync = (args: ReadonlyArray<string>) =>
          runCommand(readOnlyRootCommand(["--sandbox", "small", ...args], {
            writable: data,
            uid: podUid,
            env: { BATON_LOG_FORMAT: "console" }
          }))
        const [file, summary] = yield* Effect.all([
          sync(["-f", `${data}/acme.c1z`]),
          sync(["-f", `${data}/new.c1z`, "--summary-file", `${data}/acme.summary.json`])
        ])
        const denied = `permission denied (this process runs as uid ${podUid}, gid ${podUid}, and the file is owned by uid 0, gid 0, ` +
          "mode 0600); a run as another user wrote it: give it to this uid (chown), or remove it"
        // Were `... the sync may replace`, and no more: neither the cause nor the remedy.
        assert.deepStrictEqual([file, summary].map((result) => [result.exitCode, result.stderr]), [
          [2, `error: --file ${data}/acme.c1z: cannot read it to check that it is a .c1z sync file the sync may replace: ${denied}\n`],
          [
            2,
            `error: --summary-file ${data}/acme.summary.json: cannot read it to check that it is a summary the sync may replace: ${denied}\n`
          ]
        ])
        assert.deepStrictEqual((yield* fs.readDirectory(data)).sort(), ["acme.c1z", "acme.summary.json"])
        assert.strictEqual(yield* fs.readFileString(`${data}/acme.c1z`), previous)
      }).pipe(Effect.provide(NodeContext.layer))
  )
})
