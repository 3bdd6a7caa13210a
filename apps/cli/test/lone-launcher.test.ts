import { Command, FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { binPath } from "./support/CliProcess.js"

/**
 * docs/deploy.md calls the bundle a single file, and an operator copied bundle/baton-fivetran.js on
 * its own: it is the launcher of baton-fivetran.program.js beside it, and the copy ended in Node's
 * stack trace of a failed readFileSync. It now says in one line what to run or copy instead.
 */

const text = <E>(stream: Stream.Stream<Uint8Array, E>) => stream.pipe(Stream.decodeText(), Stream.mkString)

describe("the CLI's launcher copied without its program", () => {
  it.scoped("exits 1 with one line naming the missing program and what to copy", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-lone-launcher-" })
      yield* fs.copyFile(binPath, `${dir}/baton-fivetran.js`)
      const child = yield* Command.start(Command.make(process.execPath, `${dir}/baton-fivetran.js`, "--version"))
      const [stdout, stderr, exitCode] = yield* Effect.all([text(child.stdout), text(child.stderr), child.exitCode], {
        concurrency: "unbounded"
      })
      assert.deepStrictEqual([exitCode, stdout, stderr], [
        1,
        "",
        `error: baton-fivetran.js cannot run without baton-fivetran.program.js beside it (ENOENT: ${dir}/baton-fivetran.program.js): ` +
        "run it where the build wrote it, in a checkout set up with pnpm install, or copy its whole bundle directory and " +
        "node_modules (docs/deploy.md, The image)\n"
      ])
    }).pipe(Effect.provide(NodeContext.layer)))
})
