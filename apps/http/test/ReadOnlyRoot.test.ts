import { Command, FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { runCommand } from "../../cli/test/support/CliProcess.js"
import { readOnlyRootArgv, readOnlyRootUnavailable } from "../../cli/test/support/ReadOnlyRoot.js"
import { serviceBundle } from "./ServiceProcess.js"

/** The service started in a hardened container: a read-only root file system but for one volume. */
const startInReadOnlyRoot = (args: ReadonlyArray<string>, writable: string) => {
  const [program, ...rest] = readOnlyRootArgv([process.execPath, serviceBundle, ...args], { writable })
  return runCommand(
    Command.make(program!, ...rest).pipe(
      Command.env({ PATH: process.env.PATH, BATON_HTTP_TOKENS: "token-for-the-read-only-root-test" }, { extendEnv: false })
    )
  )
}

describe("the service in a read-only root file system", () => {
  it.skipIf(readOnlyRootUnavailable === undefined)(`skipped: ${readOnlyRootUnavailable}`, () => {})

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
})
