import { Command, FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { runCommand } from "../../cli/test/support/CliProcess.js"
import { readOnlyRootArgv, readOnlyRootSuite, readOnlyRootUnavailable } from "../../cli/test/support/ReadOnlyRoot.js"
import { serviceBundle } from "./ServiceProcess.js"

/** The pod's uid, as Kubernetes' runAsUser. */
const podUid = 64_125

/** The service started in a hardened container: a read-only root file system but for one volume. */
const startInReadOnlyRoot = (args: ReadonlyArray<string>, writable: string, uid?: number) => {
  const [program, ...rest] = readOnlyRootArgv(
    [process.execPath, serviceBundle, ...args],
    uid === undefined ? { writable } : { writable, uid }
  )
  return runCommand(
    Command.make(program!, ...rest).pipe(
      Command.env({ PATH: process.env.PATH, BATON_HTTP_TOKENS: "token-for-the-read-only-root-test" }, { extendEnv: false })
    )
  )
}

describe(readOnlyRootSuite("the service in a read-only root file system"), () => {
  it.scopedLive.skipIf(readOnlyRootUnavailable !== undefined)(
    "a --data-dir it cannot make there, given or the default ./data in a read-only working directory, is refused saying EROFS, not ENOENT",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-http-ro-root-" })
        yield* fs.makeDirectory(`${dir}/volume`)
        // Node's recursive mkdir said ENOENT for both (nodejs/node#47098), as though a parent were missing.
        const [given, byDefault] = yield* Effect.all([
          startInReadOnlyRoot(["--sandbox", "--port", "0", "--data-dir", `${dir}/data`], `${dir}/volume`),
          startInReadOnlyRoot(["--sandbox", "--port", "0"], `${dir}/volume`)
        ])
        assert.deepStrictEqual([given, byDefault].map((result) => [result.exitCode, result.stderr]), [
          [2, `error: --data-dir "${dir}/data" cannot be created (EROFS)\n`],
          [2, `error: --data-dir "./data" cannot be created (EROFS)\n`]
        ])
        assert.deepStrictEqual(yield* fs.readDirectory(dir), ["volume"])
      }).pipe(Effect.provide(NodeContext.layer)),
    { timeout: 120_000 }
  )

  it.scopedLive.skipIf(readOnlyRootUnavailable !== undefined)(
    "a non-root start on a volume a root run wrote is refused with one line naming the files, their owner and chown, and changes nothing",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-http-ro-root-" })
        yield* fs.chmod(dir, 0o755)
        const volume = `${dir}/volume`
        yield* fs.makeDirectory(volume)
        // What the same Deployment left there while it ran as root: owner-only files of uid 0.
        const job = "{\"id\":\"20261205T185851Z-9d21\",\"status\":\"succeeded\"}"
        yield* fs.writeFileString(`${volume}/20261205T185851Z-9d21.json`, job, { mode: 0o600 })
        yield* fs.writeFile(`${volume}/page-token.key`, new Uint8Array(32).fill(7), { mode: 0o600 })
        yield* fs.makeDirectory(`${volume}/tmp`)
        yield* Effect.forEach([volume, `${volume}/tmp`], (path) => fs.chown(path, podUid, podUid))
        // Was `error: the page-token key .../page-token.key cannot be made or read: PermissionDenied: FileSystem.readFile ...: EACCES: ...`.
        const refused = yield* startInReadOnlyRoot(["--sandbox", "--port", "0", "--data-dir", volume], volume, podUid)
        assert.deepStrictEqual([refused.exitCode, refused.stderr], [
          2,
          `error: the data directory "${volume}" holds files this process (uid ${podUid}) may not read, owned by uid 0: ` +
          "20261205T185851Z-9d21.json, page-token.key (left by a run as another user, such as root before runAsNonRoot): " +
          `give them to this uid (chown -R ${podUid} ${volume}, by hand or in an initContainer), or run as their owner; ` +
          "fsGroup does not help, as they are owner-only\n"
        ])
        assert.deepStrictEqual((yield* fs.readDirectory(volume)).sort(), ["20261205T185851Z-9d21.json", "page-token.key", "tmp"])
        assert.strictEqual(yield* fs.readFileString(`${volume}/20261205T185851Z-9d21.json`), job)
      }).pipe(Effect.provide(NodeContext.layer)),
    { timeout: 120_000 }
  )
})
