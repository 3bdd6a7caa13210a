import { openC1z } from "@baton-fivetran/c1z"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { assertExit, runCli } from "./support/CliProcess.js"
import { connectionFlags, sandboxLayer, smallAccount } from "./support/Sandboxes.js"

/**
 * The sync file's Timestamps (google.protobuf.Timestamp: seconds since 1970) hold the instant
 * Fivetran gave, whatever its year: JavaScript's Date.UTC reads years 0-99 as 1900-1999.
 */

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-cli-" }))

const [first, ...others] = smallAccount.users
const early = { ...first!, created_at: "0050-06-01T12:00:00Z", logged_in_at: "0099-12-31T23:59:59.5Z" }
const account = { ...smallAccount, users: [early, ...others] }

describe("sync timestamps", () => {
  it.scopedLive("a user created in year 50 and last seen in year 99 keeps those years in the .c1z", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const { flags } = yield* connectionFlags
      const file = `${dir}/out.c1z`
      assertExit(yield* runCli([...flags, "-f", file]), 0)
      const user = yield* Effect.scoped(Effect.flatMap(
        openC1z(file),
        (reader) => reader.getResource({ resourceType: "user", resource: early.id })
      ))
      const trait = Option.getOrThrow(user).annotations.find((annotation) => annotation._tag === "UserTrait")
      assert.deepStrictEqual(
        [Option.getOrThrow(user).createdAt, trait?._tag === "UserTrait" ? [trait.createdAt, trait.lastLogin] : undefined],
        ["0050-06-01T12:00:00Z", ["0050-06-01T12:00:00Z", "0099-12-31T23:59:59.500Z"]]
      )
    }).pipe(Effect.provide(sandboxLayer(account)), Effect.provide(NodeContext.layer)))
})
