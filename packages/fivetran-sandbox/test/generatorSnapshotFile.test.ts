import { FileSystem, Path } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { execFileSync } from "node:child_process"
import type { AccountSnapshot } from "../src/index.js"
import {
  findIntegrityViolation,
  generatePreset,
  isSnapshotInputError,
  readSnapshot,
  SnapshotFileLimit,
  writeSnapshot
} from "../src/index.js"

const small = generatePreset("small")

/** A scratch directory removed when the test's scope closes. */
const scratch = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const dir = yield* fs.makeTempDirectoryScoped({ prefix: "sandbox-generator-" })
  return { fs, dir, file: (name: string) => path.join(dir, name) }
})

/** Writes arbitrary JSON (a hand-edited snapshot) and reads it back through readSnapshot. */
const readEdited = (edit: (json: Record<string, Array<Record<string, unknown>>>) => void) =>
  Effect.gen(function*() {
    const { file, fs } = yield* scratch
    const json = JSON.parse(JSON.stringify(small))
    edit(json)
    yield* fs.writeFileString(file("edited.json"), JSON.stringify(json))
    return yield* readSnapshot(file("edited.json")).pipe(Effect.flip)
  })

describe("snapshot files", () => {
  it.scopedLive("write then read gives back an equal snapshot, pretty or compact", () =>
    Effect.gen(function*() {
      const { file, fs } = yield* scratch
      yield* writeSnapshot(file("pretty.json"), small)
      yield* writeSnapshot(file("compact.json"), small, { pretty: false })
      assert.deepStrictEqual(yield* readSnapshot(file("pretty.json")), small)
      assert.deepStrictEqual(yield* readSnapshot(file("compact.json")), small)
      const pretty = yield* fs.readFileString(file("pretty.json"))
      assert.strictEqual(pretty, `${JSON.stringify(small, null, 2)}\n`)
      assert.strictEqual(yield* fs.readFileString(file("compact.json")), `${JSON.stringify(small)}\n`)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("rewriting a loaded snapshot gives the same bytes and leaves no temporary file", () =>
    Effect.gen(function*() {
      const { dir, file, fs } = yield* scratch
      yield* writeSnapshot(file("a.json"), small)
      yield* writeSnapshot(file("b.json"), yield* readSnapshot(file("a.json")))
      assert.strictEqual(yield* fs.readFileString(file("b.json")), yield* fs.readFileString(file("a.json")))
      yield* writeSnapshot(file("a.json"), generatePreset("small", 99))
      assert.strictEqual((yield* readSnapshot(file("a.json"))).account.account_id, generatePreset("small", 99).account.account_id)
      assert.deepStrictEqual((yield* fs.readDirectory(dir)).sort(), ["a.json", "b.json"])
      // Owner-only, whatever the umask lets through (022 here, the common one).
      const saved = process.umask(0o022)
      yield* writeSnapshot(file("a.json"), small).pipe(Effect.ensuring(Effect.sync(() => process.umask(saved))))
      assert.strictEqual((yield* fs.stat(file("a.json"))).mode & 0o777, 0o600)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("writing into a missing directory fails with SnapshotWriteError and writes nothing", () =>
    Effect.gen(function*() {
      const { dir, file } = yield* scratch
      const fs = yield* FileSystem.FileSystem
      const error = yield* writeSnapshot(file("missing/account.json"), small).pipe(Effect.flip)
      assert.strictEqual(error._tag, "SnapshotWriteError")
      assert.include(error.message, "missing/account.json")
      assert.deepStrictEqual(yield* fs.readDirectory(dir), [])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("a missing file, a directory, a named pipe or text that is not JSON is refused in plain words, saying how to make one", () =>
    Effect.gen(function*() {
      const { file, fs } = yield* scratch
      yield* fs.makeDirectory(file("dir.json"))
      execFileSync("mkfifo", [file("pipe.json")])
      yield* fs.writeFileString(file("broken.json"), "nope\n")
      const errors = yield* Effect.forEach(
        ["absent.json", "dir.json", "pipe.json", "broken.json"],
        (name) => readSnapshot(file(name)).pipe(Effect.flip)
      )
      const howToMake = "a snapshot is written by writeSnapshot of @baton-fivetran/fivetran-sandbox (e.g. of generatePreset(\"small\")); " +
        "or serve a generated account with --preset instead"
      assert.deepStrictEqual(errors.map((error) => [error._tag, error.message]), [
        ["SnapshotFileUnusable", `Snapshot file ${file("absent.json")}: no such file; ${howToMake}`],
        ["SnapshotFileUnusable", `Snapshot file ${file("dir.json")}: is a directory, not a JSON file`],
        ["SnapshotFileUnusable", `Snapshot file ${file("pipe.json")}: is a named pipe (FIFO), not a JSON file`],
        [
          "SnapshotParseError",
          `Snapshot file ${file("broken.json")} is not JSON (Unexpected token 'o', "nope\n" is not valid JSON); ${howToMake}`
        ]
      ])
      assert.isTrue(errors.every(isSnapshotInputError))
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("a file over 128 MiB is refused naming its size and the limit, without being read", () =>
    Effect.gen(function*() {
      const { file } = yield* scratch
      // Sparse: a disk image's size to the file system, nothing on the disk.
      execFileSync("truncate", ["-s", "3G", file("image.json")])
      execFileSync("truncate", ["-s", String(SnapshotFileLimit + 1), file("over.json")])
      const errors = yield* Effect.forEach(["image.json", "over.json"], (name) => readSnapshot(file(name)).pipe(Effect.flip))
      assert.deepStrictEqual(errors.map((error) => [error._tag, error.message]), [
        [
          "SnapshotFileUnusable",
          `Snapshot file ${
            file("image.json")
          }: is 3221225472 bytes (3 GiB), over the limit of 134217728 bytes (128 MiB) for a snapshot file`
        ],
        [
          "SnapshotFileUnusable",
          `Snapshot file ${
            file("over.json")
          }: is 134217729 bytes (128 MiB), over the limit of 134217728 bytes (128 MiB) for a snapshot file`
        ]
      ])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("the large preset, written pretty, is a quarter of the limit or less", () =>
    Effect.gen(function*() {
      const { file, fs } = yield* scratch
      yield* writeSnapshot(file("large.json"), generatePreset("large"))
      const size = Number((yield* fs.stat(file("large.json"))).size)
      assert.isAtMost(size * 4, SnapshotFileLimit)
      assert.strictEqual((yield* readSnapshot(file("large.json"))).users.length, 10_000)
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)

  it.scopedLive("a field of the wrong type fails with SnapshotInvalidError naming the file and the field", () =>
    Effect.gen(function*() {
      const error = yield* readEdited((json) => {
        json["users"]![3]!["email"] = 42
      })
      assert.strictEqual(error._tag, "SnapshotInvalidError")
      if (error._tag !== "SnapshotInvalidError") return
      assert.strictEqual(error.field, "users[3].email")
      assert.include(error.message, "edited.json")
      assert.include(error.message, "users[3].email")
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("a missing top-level table is named", () =>
    Effect.gen(function*() {
      const error = yield* readEdited((json) => {
        delete json["team_users"]
      })
      assert.strictEqual(error._tag === "SnapshotInvalidError" ? error.field : error._tag, "team_users")
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("dangling references and wrong-scope roles are named by field", () =>
    Effect.gen(function*() {
      const dangling = yield* readEdited((json) => {
        json["user_groups"]![0]!["group_id"] = "no_such_group"
      })
      assert.deepStrictEqual(
        dangling._tag === "SnapshotInvalidError" ? [dangling.field, dangling.detail] : [dangling._tag],
        ["user_groups[0].group_id", "no group \"no_such_group\""]
      )
      const wrongScope = yield* readEdited((json) => {
        json["team_users"]![1]!["role"] = "View Destination"
      })
      assert.deepStrictEqual(
        wrongScope._tag === "SnapshotInvalidError" ? [wrongScope.field, wrongScope.detail] : [wrongScope._tag],
        ["team_users[1].role", "role \"View Destination\" has scope DESTINATION, not TEAM"]
      )
    }).pipe(Effect.provide(NodeContext.layer)))
})

describe("findIntegrityViolation", () => {
  const violation = (edit: (snapshot: AccountSnapshot) => AccountSnapshot) => findIntegrityViolation(edit(small))
  it("accepts generated accounts", () => {
    assert.isUndefined(findIntegrityViolation(small))
    assert.isUndefined(findIntegrityViolation(generatePreset("medium", 5)))
  })
  it("names duplicate ids, duplicate emails, unknown roles, double memberships and orphan keys", () => {
    const [first, second] = small.users
    assert.deepStrictEqual(
      violation((s) => ({ ...s, groups: [...s.groups, { ...s.groups[0]!, id: first!.id }] })),
      { field: `groups[${small.groups.length}].id`, detail: `duplicate id "${first!.id}" (also users[0].id)` }
    )
    assert.deepStrictEqual(
      violation((s) => ({ ...s, users: [first!, { ...second!, email: first!.email }, ...s.users.slice(2)] })),
      { field: "users[1].email", detail: `duplicate email "${first!.email}"` }
    )
    assert.deepStrictEqual(
      violation((s) => ({ ...s, teams: [{ ...s.teams[0]!, role: "Account Owner" }, ...s.teams.slice(1)] })),
      { field: "teams[0].role", detail: "unknown role \"Account Owner\"" }
    )
    assert.strictEqual(
      violation((s) => ({ ...s, team_groups: [...s.team_groups, s.team_groups[0]!] }))?.field,
      `team_groups[${small.team_groups.length}].group_id`
    )
    assert.deepStrictEqual(
      violation((s) => ({ ...s, credentials: [{ _tag: "UserKey", key: "k", secret: "s", user_id: "gone_user" }] })),
      { field: "credentials[0].user_id", detail: "no user \"gone_user\"" }
    )
  })
})
