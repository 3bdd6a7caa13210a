import { FivetranClient } from "@baton-fivetran/fivetran-client"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { fixture, keys } from "./fixture.js"
import { provideSandbox } from "./harness.js"

const collect = <A, E, R>(stream: Stream.Stream<A, E, R>) => Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

const fixtureUser = (id: string) => fixture.users.find((u) => u.id === id)!

describe("read endpoints through the real client", () => {
  it.live("account info names the user key's user", () =>
    Effect.gen(function*() {
      const client = yield* FivetranClient
      assert.deepStrictEqual(yield* client.accountInfo, {
        account_id: "lunar_meadow",
        account_name: "Acme Data",
        user_id: "quiet_harbor",
        system_key_id: null
      })
    }).pipe(provideSandbox()))

  it.live("account info names the system key", () =>
    Effect.gen(function*() {
      const client = yield* FivetranClient
      assert.deepStrictEqual(yield* client.accountInfo, {
        account_id: "lunar_meadow",
        account_name: "Acme Data",
        user_id: null,
        system_key_id: "system_one"
      })
    }).pipe(provideSandbox({}, keys.system)))

  it.live("roles, users, groups, teams and connections list the snapshot in order", () =>
    Effect.gen(function*() {
      const client = yield* FivetranClient
      assert.deepStrictEqual(yield* collect(client.listRoles), fixture.roles)
      assert.deepStrictEqual(yield* collect(client.listUsers), fixture.users)
      assert.deepStrictEqual(yield* collect(client.listGroups), fixture.groups)
      assert.deepStrictEqual(yield* collect(client.listTeams), fixture.teams)
      assert.deepStrictEqual(yield* collect(client.listConnections()), fixture.connections)
      assert.deepStrictEqual(
        (yield* collect(client.listConnections({ group_id: "golden_ridge" }))).map((c) => c.id),
        ["open_delta"]
      )
      assert.deepStrictEqual(
        (yield* collect(client.listConnections({ schema: "salesforce_eu" }))).map((c) => c.id),
        ["keen_raven"]
      )
    }).pipe(provideSandbox()))

  it.live("single entities by id", () =>
    Effect.gen(function*() {
      const client = yield* FivetranClient
      assert.deepStrictEqual(yield* client.getUser("calm_willow"), fixtureUser("calm_willow"))
      assert.deepStrictEqual(yield* client.getGroup("golden_ridge"), fixture.groups[1])
      assert.deepStrictEqual(yield* client.getTeam("misty_fjord"), fixture.teams[1])
    }).pipe(provideSandbox()))

  it.live("group users: members with their group role, account-role holders with role null", () =>
    Effect.gen(function*() {
      const client = yield* FivetranClient
      const amber = yield* collect(client.listGroupUsers("amber_falcon"))
      assert.deepStrictEqual(amber, [
        { ...fixtureUser("quiet_harbor"), role: null },
        { ...fixtureUser("bright_otter"), role: "Manage Destination" },
        { ...fixtureUser("calm_willow"), role: "View Destination" }
      ])
      const golden = yield* collect(client.listGroupUsers("golden_ridge"))
      assert.deepStrictEqual(golden.map((u) => [u.id, u.role]), [["quiet_harbor", null], ["bright_otter", null]])
    }).pipe(provideSandbox()))

  it.live("group users without account-role holders when groupUsersIncludeAccountRoles is false", () =>
    Effect.gen(function*() {
      const client = yield* FivetranClient
      const amber = yield* collect(client.listGroupUsers("amber_falcon"))
      assert.deepStrictEqual(amber.map((u) => [u.id, u.role]), [
        ["bright_otter", "Manage Destination"],
        ["calm_willow", "View Destination"]
      ])
      assert.deepStrictEqual(yield* collect(client.listGroupUsers("golden_ridge")), [])
    }).pipe(provideSandbox({ groupUsersIncludeAccountRoles: false })))

  it.live("user and team memberships", () =>
    Effect.gen(function*() {
      const client = yield* FivetranClient
      assert.deepStrictEqual(yield* collect(client.userGroups.list("calm_willow")), [
        { id: "amber_falcon", role: "View Destination", created_at: "2024-05-02T00:00:00.000000Z" }
      ])
      assert.deepStrictEqual(yield* client.userGroups.get("bright_otter", "amber_falcon"), {
        id: "amber_falcon",
        role: "Manage Destination",
        created_at: "2024-05-01T00:00:00.000000Z"
      })
      assert.deepStrictEqual(yield* collect(client.userConnections.list("calm_willow")), [
        { id: "keen_raven", role: "Edit Connection", created_at: "2024-05-03T00:00:00.000000Z" }
      ])
      assert.deepStrictEqual(yield* client.userConnections.get("calm_willow", "keen_raven"), {
        id: "keen_raven",
        role: "Edit Connection",
        created_at: "2024-05-03T00:00:00.000000Z"
      })
      assert.deepStrictEqual(yield* collect(client.listTeamUsers("noble_quill")), [
        { user_id: "calm_willow", role: "Team Member", created_at: "2024-05-04T00:00:00.000000Z" },
        { user_id: "bright_otter", role: "Team Manager", created_at: "2024-05-05T00:00:00.000000Z" }
      ])
      assert.deepStrictEqual(yield* client.getTeamUser("noble_quill", "bright_otter"), {
        user_id: "bright_otter",
        role: "Team Manager",
        created_at: "2024-05-05T00:00:00.000000Z"
      })
      assert.deepStrictEqual(yield* collect(client.teamGroups.list("noble_quill")), [
        { id: "golden_ridge", role: "Edit Destination", created_at: "2024-05-06T00:00:00.000000Z" }
      ])
      assert.deepStrictEqual(yield* client.teamGroups.get("noble_quill", "golden_ridge"), {
        id: "golden_ridge",
        role: "Edit Destination",
        created_at: "2024-05-06T00:00:00.000000Z"
      })
      assert.deepStrictEqual(yield* collect(client.teamConnections.list("noble_quill")), [
        { id: "open_delta", role: "View Connection", created_at: "2024-05-07T00:00:00.000000Z" }
      ])
      assert.deepStrictEqual(yield* client.teamConnections.get("noble_quill", "open_delta"), {
        id: "open_delta",
        role: "View Connection",
        created_at: "2024-05-07T00:00:00.000000Z"
      })
      assert.deepStrictEqual(yield* collect(client.userGroups.list("dapper_heron")), [])
      assert.deepStrictEqual(yield* collect(client.listTeamUsers("misty_fjord")), [])
    }).pipe(provideSandbox()))

  it.live("missing entities are 404 with Fivetran's codes", () =>
    Effect.gen(function*() {
      const client = yield* FivetranClient
      const codeOf = <A>(call: Effect.Effect<A, { readonly _tag: string; readonly code?: string }>) =>
        Effect.map(Effect.flip(call), (e) => `${e._tag} ${e.code ?? ""}`)
      assert.strictEqual(yield* codeOf(client.getUser("no_such")), "NotFound NotFound")
      assert.strictEqual(yield* codeOf(client.getGroup("no_such")), "NotFound NotFound_Group")
      assert.strictEqual(yield* codeOf(client.getTeam("no_such")), "NotFound NotFound_Team")
      assert.strictEqual(yield* codeOf(collect(client.listGroupUsers("no_such"))), "NotFound NotFound_Group")
      assert.strictEqual(yield* codeOf(collect(client.listTeamUsers("no_such"))), "NotFound NotFound_Team")
      assert.strictEqual(yield* codeOf(collect(client.teamGroups.list("no_such"))), "NotFound NotFound_Team")
      assert.strictEqual(yield* codeOf(collect(client.userGroups.list("no_such"))), "NotFound NotFound")
      assert.strictEqual(yield* codeOf(client.userConnections.get("calm_willow", "no_such")), "NotFound NotFound_Connection")
      assert.strictEqual(yield* codeOf(client.userGroups.get("calm_willow", "golden_ridge")), "NotFound NotFound")
    }).pipe(provideSandbox()))
})
