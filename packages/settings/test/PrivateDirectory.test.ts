import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { makePrivateDirectory } from "../src/PrivateDirectory.js"

const modeOf = (path: string) => Effect.flatMap(FileSystem.FileSystem, (fs) => fs.stat(path)).pipe(Effect.map((info) => info.mode & 0o777))

describe("makePrivateDirectory", () => {
  it.scopedLive("makes the directory and its missing parents owner-only (0700) under umask 022; an existing one keeps its mode", () =>
    Effect.gen(function*() {
      const saved = process.umask(0o022)
      yield* Effect.addFinalizer(() => Effect.sync(() => process.umask(saved)))
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-private-" })
      yield* makePrivateDirectory(`${dir}/data/tmp`)
      assert.deepStrictEqual([yield* modeOf(`${dir}/data`), yield* modeOf(`${dir}/data/tmp`)], [0o700, 0o700])

      yield* fs.makeDirectory(`${dir}/volume`, { mode: 0o755 })
      yield* makePrivateDirectory(`${dir}/volume`)
      assert.strictEqual(yield* modeOf(`${dir}/volume`), 0o755)
    }).pipe(Effect.provide(NodeContext.layer)))
})
