import { Command, FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { binPath } from "./support/CliProcess.js"

/**
 * docs/deploy.md called the bundle a single file, and an operator copied bundle/baton-fivetran.js on
 * its own: it is the launcher of baton-fivetran.program.js beside it, and the copy ended in Node's
 * stack trace of a failed readFileSync. It now says in one line what to run or copy instead. The
 * bundle directory copied without node_modules failed its sync with Node's "Require stack" and
 * "(check the path, free disk space and permissions)": it now names the add-on and what to do, and
 * its `reason` is `internal` (the image), not `storage` (the volume).
 */

/** What a user's shell gives: no NODE_PATH (pnpm's, when the tests run under it, finds the add-ons anywhere). */
const userEnv = Command.env({ PATH: process.env.PATH, HOME: process.env.HOME }, { extendEnv: false })

const text = <E>(stream: Stream.Stream<Uint8Array, E>) => stream.pipe(Stream.decodeText(), Stream.mkString)

describe("the CLI's bundle copied away from its checkout", () => {
  it.scopedLive("exits 1 with one line naming the missing program and what to copy", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-lone-launcher-" })
      yield* fs.copyFile(binPath, `${dir}/baton-fivetran.js`)
      const child = yield* Command.start(Command.make(process.execPath, `${dir}/baton-fivetran.js`, "--version").pipe(userEnv))
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

  it.scopedLive("a bundle directory without node_modules fails its sync naming the add-on, in one line", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-lone-bundle-" })
      for (const name of ["baton-fivetran.js", "baton-fivetran.program.js", "baton-fivetran.code-cache"]) {
        yield* fs.copyFile(binPath.replace(/baton-fivetran\.js$/, name), `${dir}/${name}`)
      }
      const child = yield* Command.start(
        Command.make(process.execPath, `${dir}/baton-fivetran.js`, "--sandbox", "-f", `${dir}/sync.c1z`, "--log-format", "console").pipe(
          Command.workingDirectory(dir),
          userEnv
        )
      )
      const [stdout, stderr, exitCode] = yield* Effect.all([text(child.stdout), text(child.stderr), child.exitCode], {
        concurrency: "unbounded"
      })
      const failure = stderr.split("\n").filter((line) => line.includes("could not"))
      assert.deepStrictEqual([exitCode, stdout, failure.length], [1, "", 1])
      assert.match(
        failure[0]!,
        new RegExp(
          `could not write the sync output: ${dir}/\\.sync\\.c1z\\.[0-9a-f.]+\\.db: could not create the sync database: ` +
            "the native add-on better-sqlite3 is not installed where this program runs: run it from a checkout set up with " +
            "pnpm install, which builds its add-ons for this Node \\(docs/deploy\\.md, The image\\)$"
        )
      )
      assert.notInclude(stderr, "Require stack")
      // As a JSON line, its reason is the installation's (internal), not the storage's: it was paged to the volume's owner.
      const json = yield* Command.start(
        Command.make(process.execPath, `${dir}/baton-fivetran.js`, "--sandbox", "-f", `${dir}/sync.c1z`).pipe(
          Command.workingDirectory(dir),
          userEnv
        )
      )
      const [jsonErr, jsonExit] = yield* Effect.all([text(json.stderr), json.exitCode], { concurrency: "unbounded" })
      const errorLine = jsonErr.trimEnd().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>)
        .find((line) => line["level"] === "error")
      assert.deepStrictEqual([jsonExit, errorLine?.["reason"], errorLine?.["exit_code"]], [1, "internal", 1])
      assert.deepStrictEqual(yield* fs.readDirectory(dir).pipe(Effect.map((names) => [...names].sort())), [
        "baton-fivetran.code-cache",
        "baton-fivetran.js",
        "baton-fivetran.program.js"
      ])
    }).pipe(Effect.provide(NodeContext.layer)))
})
