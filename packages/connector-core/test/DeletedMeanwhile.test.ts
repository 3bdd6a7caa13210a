import { FivetranClient } from "@baton-fivetran/fivetran-client"
import { generatePreset, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Ref } from "effect"
import { SyncEngine, type SyncRow } from "../src/index.js"
import { clientLayer, collectingSink, READ_ALL, withSystemKey } from "./support/Harness.js"

/**
 * A user, team or destination deleted in Fivetran while a sync reads the account: its own lists
 * then answer 404. The sync left the whole account unsynced for that one deletion (an offboarding
 * during a large account's hour-long sync); it now leaves the deleted item out, as the next sync
 * will see it, with a warning naming it. The real client against the sandbox over loopback, the
 * deletion made through the API between the sync's listing of the item and its read of the item's lists.
 */

const { credential, snapshot } = withSystemKey(generatePreset("small"), READ_ALL)
/** The preset's own key, the administrator's, that makes the deletions: the sync's key only reads. */
const adminKey = snapshot.credentials.find((key) => key._tag === "UserKey")!

const deletedUser =
  snapshot.users.find((user) => user.id !== adminKey.user_id && snapshot.team_users.some((row) => row.user_id === user.id))!.id
const deletedTeam = snapshot.teams[1]!.id
const deletedGroup = snapshot.groups[2]!.id

/** A sync with connections during which `remove` runs once, when the sync first asks for `path`. */
const syncDeletingAt = (path: string, remove: (client: typeof FivetranClient.Service) => Effect.Effect<void, unknown>) =>
  Effect.gen(function*() {
    const sandbox = yield* Sandbox
    const done = yield* Ref.make(false)
    yield* sandbox.setRequestHook((request) =>
      Effect.gen(function*() {
        if (request.method !== "GET" || request.path !== path || (yield* Ref.getAndSet(done, true))) return
        yield* Effect.orDie(
          Effect.flatMap(FivetranClient, remove).pipe(Effect.provide(clientLayer(adminKey)), Effect.provideService(Sandbox, sandbox))
        )
      })
    )
    const sink = yield* collectingSink
    const engine = yield* SyncEngine
    const summary = yield* engine.run({ syncConnections: true, concurrency: 4 }).pipe(Effect.provide(sink.layer))
    assert.isTrue(yield* Ref.get(done), `the sync never asked for ${path}`)
    return { summary, rows: yield* sink.rows }
  }).pipe(
    Effect.provide(
      SyncEngine.layer.pipe(
        Layer.provideMerge(clientLayer(credential)),
        Layer.provideMerge(Sandbox.layer({ snapshot, port: 0 }))
      )
    )
  )

const resourceIds = (rows: ReadonlyArray<SyncRow>) =>
  rows.flatMap((row) => row._tag === "ResourceRow" ? [`${row.value.id.resourceType}:${row.value.id.resource}`] : [])

const grantIds = (rows: ReadonlyArray<SyncRow>) => rows.flatMap((row) => row._tag === "GrantRow" ? [row.value.id] : [])

/** Grants the principal holds itself (no GrantImmutable: not derived through a team). */
const directGrantIds = (rows: ReadonlyArray<SyncRow>) =>
  rows.flatMap((row) =>
    row._tag === "GrantRow" && !row.value.annotations.some((annotation) => annotation._tag === "GrantImmutable") ? [row.value.id] : []
  )

const gone = (kind: string, id: string, endpoint: string, code: string) =>
  `${kind} ${id} was deleted while the sync read the account (${endpoint} answered 404 ${code}); ` +
  "it is left out of the sync file, as the next sync will see it"

describe("items deleted while a sync reads them", () => {
  it.live("a user deleted before its connections are read: left out, the sync succeeds", () =>
    Effect.gen(function*() {
      const { rows, summary } = yield* syncDeletingAt(`/v1/users/${deletedUser}/connections`, (client) => client.deleteUser(deletedUser))
      const warning = gone("user", deletedUser, `GET /v1/users/${deletedUser}/connections`, "NotFound")
      assert.isTrue(summary.warnings.includes(warning), summary.warnings.join("\n"))
      assert.isFalse(resourceIds(rows).includes(`user:${deletedUser}`))
      // Its own connection grants are not written; those its teams reach it by still are (the teams phase
      // read them before it went), and the .c1z sink leaves them out, as every grant of a principal it lacks.
      assert.deepStrictEqual(
        directGrantIds(rows).filter((id) => id.startsWith("connection:") && id.endsWith(`:user:${deletedUser}`)),
        []
      )
    }))

  it.live("a team deleted before its users are read: left out with its grants, none derived from it", () =>
    Effect.gen(function*() {
      const { rows, summary } = yield* syncDeletingAt(`/v1/teams/${deletedTeam}/users`, (client) => client.deleteTeam(deletedTeam))
      assert.isTrue(
        summary.warnings.includes(gone("team", deletedTeam, `GET /v1/teams/${deletedTeam}/users`, "NotFound_Team")),
        summary.warnings.join("\n")
      )
      assert.isFalse(resourceIds(rows).includes(`team:${deletedTeam}`))
      const naming = rows.flatMap((row) =>
        row._tag === "GrantRow" && (row.value.id.endsWith(`:team:${deletedTeam}`) || row.value.id.startsWith(`team:${deletedTeam}:`) ||
            Object.keys(row.value.sources ?? {}).includes(`team:${deletedTeam}:member`))
          ? [row.value.id]
          : []
      )
      assert.deepStrictEqual(naming, [])
    }))

  it.live("a destination deleted before its users are read: left out with its grants", () =>
    Effect.gen(function*() {
      const { rows, summary } = yield* syncDeletingAt(`/v1/groups/${deletedGroup}/users`, (client) => client.deleteGroup(deletedGroup))
      assert.isTrue(
        summary.warnings.includes(gone("group", deletedGroup, `GET /v1/groups/${deletedGroup}/users`, "NotFound_Group")),
        summary.warnings.join("\n")
      )
      assert.isFalse(resourceIds(rows).includes(`group:${deletedGroup}`))
      assert.deepStrictEqual(grantIds(rows).filter((id) => id.startsWith(`group:${deletedGroup}:`)), [])
      // Its team memberships were read before it went: they are not reported as naming an unlisted group.
      assert.isFalse(
        summary.warnings.some((text) => text.startsWith("some team group memberships name groups")),
        summary.warnings.join("\n")
      )
    }))
})
