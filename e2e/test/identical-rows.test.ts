import { C1zSink, Tables } from "@baton-fivetran/c1z"
import { SyncEngine } from "@baton-fivetran/connector-core"
import {
  FivetranClient,
  FivetranClientConfig,
  type FivetranClientShape,
  makeFivetranClient,
  type MembershipApi
} from "@baton-fivetran/fivetran-client"
import { type AccountSnapshot, generatePreset, readSnapshot, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Layer, Option, Redacted, Stream } from "effect"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { openRawC1z } from "./support/RawC1z.js"

/**
 * The sync's fast paths must give exactly the rows the plain ones gave:
 *   - the narrowed group-member listing (listGroupMembers: rows without a group role dropped
 *     before parsing, members decoded as {id, role}) against every user of each group's list
 *     decoded as a whole User, then filtered on its role, as the sync did before;
 *   - the collected per-owner lists (`…All`, a loop over the pages) against running each list's
 *     stream to the end.
 * Both run in the same test against the same sandbox, and every row of every table of the two
 * .c1z files is compared, column by column, byte for byte (all but the per-run sync_id and
 * discovered_at), in file order.
 */

const collected = <A, E>(list: Stream.Stream<A, E>): Effect.Effect<ReadonlyArray<A>, E> =>
  Effect.map(Stream.runCollect(list), Chunk.toReadonlyArray)

/** Each membership list collected from its stream. */
const streamed = (api: MembershipApi): MembershipApi => ({ ...api, listAll: (ownerId) => collected(api.list(ownerId)) })

/** The client as the sync used it before: group members from the fully decoded user list, every list a stream. */
const plain = (client: FivetranClientShape): FivetranClientShape => {
  const listGroupMembers = (groupId: string) =>
    client.listGroupUsers(groupId).pipe(
      Stream.filterMap((user) => user.role === null || user.role === "" ? Option.none() : Option.some({ id: user.id, role: user.role }))
    )
  return {
    ...client,
    listGroupMembers,
    listGroupMembersAll: (groupId) => collected(listGroupMembers(groupId)),
    listTeamUsersAll: (teamId) => collected(client.listTeamUsers(teamId)),
    userGroups: streamed(client.userGroups),
    userConnections: streamed(client.userConnections),
    teamGroups: streamed(client.teamGroups),
    teamConnections: streamed(client.teamConnections)
  }
}

const perRunColumns = new Set(["sync_id", "discovered_at"])

/** Every loaded row of the SQLite file inside the .c1z, read without the package's reader. */
const tableRows = (c1zPath: string) =>
  Effect.scoped(Effect.map(openRawC1z(c1zPath), (db) =>
    Object.fromEntries(
      [Tables.resourceTypes, Tables.resources, Tables.entitlements, Tables.grants].map((table) => {
        const rows = (db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all() as Array<Record<string, unknown>>)
          .map((row) => Object.fromEntries(Object.entries(row).filter(([column]) => !perRunColumns.has(column))))
        return [table, rows]
      })
    )))

const syncedRows = (snapshot: AccountSnapshot, adapt: (client: FivetranClientShape) => FivetranClientShape) =>
  Effect.gen(function*() {
    const dir = yield* Effect.acquireRelease(
      Effect.promise(() => mkdtemp(join(tmpdir(), "e2e-identical-"))),
      (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
    )
    const path = join(dir, "sync.c1z")
    const sandbox = yield* Sandbox
    const key = snapshot.credentials[0]!
    const client = Layer.effect(
      FivetranClient,
      Effect.map(
        makeFivetranClient(FivetranClientConfig.make({
          apiKey: Redacted.make(key.key),
          apiSecret: Redacted.make(key.secret),
          baseUrl: sandbox.baseUrl
        })),
        adapt
      )
    )
    yield* Effect.flatMap(SyncEngine, (engine) => engine.run({ syncConnections: true, concurrency: 8 })).pipe(
      Effect.provide(Layer.mergeAll(SyncEngine.layer.pipe(Layer.provide(client)), C1zSink.layer(path)))
    )
    return yield* tableRows(path)
  })

const accounts: Record<string, { readonly account: Effect.Effect<AccountSnapshot, unknown>; readonly grants: number }> = {
  "medium preset (seed 1)": { account: Effect.sync(() => generatePreset("medium", 1)), grants: 8816 },
  "edge-case fixture": {
    account: readSnapshot(join(import.meta.dirname, "fixtures", "edge-cases.json")).pipe(Effect.provide(NodeContext.layer)),
    grants: 29
  }
}

describe("the narrowed group-member decoding and the collected lists write the same rows as the plain paths", () => {
  for (const [name, { account, grants }] of Object.entries(accounts)) {
    it.scopedLive(`${name}, connections on: every row of every table`, () =>
      Effect.gen(function*() {
        const snapshot = yield* account
        const [narrowed, full] = yield* Effect.all([
          syncedRows(snapshot, (client) => client),
          syncedRows(snapshot, plain)
        ]).pipe(Effect.provide(Sandbox.layer({ snapshot, port: 0 })))
        assert.strictEqual(narrowed[Tables.grants]!.length, grants)
        for (const table of Object.keys(full)) {
          assert.strictEqual(narrowed[table]!.length, full[table]!.length, `${table} rows`)
          full[table]!.forEach((row, i) => assert.deepStrictEqual(narrowed[table]![i], row, `${table} row ${i + 1}`))
        }
      }), 600_000)
  }
})
