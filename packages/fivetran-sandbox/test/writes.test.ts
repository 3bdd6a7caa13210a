import { FivetranClient, type FivetranError } from "@baton-fivetran/fivetran-client"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { Sandbox } from "../src/Sandbox.js"
import type { AccountSnapshot } from "../src/state/AccountSnapshot.js"
import { fixture, keys } from "./fixture.js"
import { provideSandbox, raw } from "./harness.js"

const collect = <A, E, R>(stream: Stream.Stream<A, E, R>) => Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

/** `_tag code` of a failed call, e.g. `Conflict Conflict`. */
const failure = <A>(call: Effect.Effect<A, FivetranError>) =>
  Effect.map(Effect.flip(call), (e) => `${e._tag} ${"code" in e ? e.code : ""}`.trim())

/** The TestClock starts at 0, so everything created in a test is stamped with this instant. */
const EPOCH = "1970-01-01T00:00:00.000000Z"

const groupUserRoles = (groupId: string) =>
  Effect.flatMap(
    FivetranClient,
    (client) => Effect.map(collect(client.listGroupUsers(groupId)), (users) => users.map((u) => [u.id, u.role]))
  )

describe("users", () => {
  it.effect("an invitation creates a pending user; its email is unique", () =>
    Effect.gen(function*() {
      const client = yield* FivetranClient
      const user = yield* client.inviteUser({
        email: "eve.lee@acme.test",
        given_name: "Eve",
        family_name: "Lee",
        role: "Account Analyst"
      })
      assert.deepStrictEqual({ ...user, id: "" }, {
        id: "",
        email: "eve.lee@acme.test",
        given_name: "Eve",
        family_name: "Lee",
        verified: false,
        invited: true,
        picture: null,
        phone: null,
        role: "Account Analyst",
        logged_in_at: null,
        created_at: EPOCH,
        active: true,
        user_type: "REGULAR_USER"
      })
      assert.match(user.id, /^[a-z]+_[a-z]+(_[a-z]+)?$/)
      assert.deepStrictEqual(yield* client.getUser(user.id), user)
      const ids = (yield* collect(client.listUsers)).map((u) => u.id)
      assert.deepStrictEqual(ids, ["quiet_harbor", "bright_otter", "calm_willow", "dapper_heron", user.id])
      const again = { email: "EVE.LEE@acme.test", given_name: "E", family_name: "L" }
      assert.strictEqual(yield* failure(client.inviteUser(again)), "Conflict Conflict")
    }).pipe(provideSandbox()))

  it.effect("a service account may have no email: null on the wire, \"\" through the client; a regular user needs one", () =>
    Effect.gen(function*() {
      const client = yield* FivetranClient
      const created = yield* raw("POST", "/v1/users", {
        body: JSON.stringify({ given_name: "Deploy", family_name: "Bot", user_type: "SERVICE_ACCOUNT" })
      })
      assert.strictEqual(created.status, 201)
      const data = (created.json as { data: Record<string, unknown> }).data
      assert.deepStrictEqual([data["email"], data["invited"], data["user_type"]], [null, false, "SERVICE_ACCOUNT"])
      const id = String(data["id"])
      const listed = (yield* collect(client.listUsers)).find((u) => u.id === id)
      assert.deepStrictEqual([listed?.email, listed?.given_name], ["", "Deploy"])
      const second = yield* client.inviteUser({ given_name: "Other", family_name: "Bot", user_type: "SERVICE_ACCOUNT" })
      assert.strictEqual(second.email, "")
      const regular = yield* raw("POST", "/v1/users", { body: JSON.stringify({ given_name: "X", family_name: "Y" }) })
      assert.deepStrictEqual([regular.status, regular.json], [400, {
        code: "InvalidInput",
        message: "Invalid field 'email': is missing"
      }])
    }).pipe(provideSandbox()))

  const administeredByServiceAccount: AccountSnapshot = {
    ...fixture,
    users: fixture.users.map((user) => user.id === "quiet_harbor" ? { ...user, user_type: "SERVICE_ACCOUNT" as const } : user)
  }

  it.effect("a service account's key creates users but not another service account (403)", () =>
    Effect.gen(function*() {
      const refused = yield* raw("POST", "/v1/users", {
        body: JSON.stringify({ given_name: "Deploy", family_name: "Bot", user_type: "SERVICE_ACCOUNT" })
      })
      assert.deepStrictEqual([refused.status, refused.json], [403, {
        code: "Forbidden",
        message: "User 'quiet_harbor' is a service account; a service account cannot create another service account"
      }])
      const regular = yield* raw("POST", "/v1/users", {
        body: JSON.stringify({ email: "eve@acme.test", given_name: "Eve", family_name: "Lee" })
      })
      assert.strictEqual(regular.status, 201)
      const types = (yield* collect((yield* FivetranClient).listUsers)).map((user) => user.user_type ?? "REGULAR_USER")
      assert.deepStrictEqual(types, ["SERVICE_ACCOUNT", "REGULAR_USER", "REGULAR_USER", "REGULAR_USER", "REGULAR_USER"])
    }).pipe(provideSandbox({ snapshot: administeredByServiceAccount })))

  it.effect("role names are checked against the catalog and the ACCOUNT scope", () =>
    Effect.gen(function*() {
      const client = yield* FivetranClient
      const wrong = yield* Effect.flip(
        client.inviteUser({ email: "x@acme.test", given_name: "X", family_name: "Y", role: "View Destination" })
      )
      assert.strictEqual(wrong._tag, "BadRequest")
      assert.include(wrong.message, "'View Destination' is not a role of scope ACCOUNT; valid ACCOUNT roles: ")
      assert.include(wrong.message, "Account Administrator, Account Billing, Account Analyst, Account Reviewer")
      assert.strictEqual(
        yield* failure(client.updateUser("calm_willow", { role: "No Such Role" })),
        "BadRequest InvalidInput"
      )
      const missing = yield* raw("POST", "/v1/users", { body: JSON.stringify({ email: "x@acme.test", given_name: "X" }) })
      assert.deepStrictEqual([missing.status, missing.json], [400, {
        code: "InvalidInput",
        message: "Invalid field 'family_name': is missing"
      }])
    }).pipe(provideSandbox()))

  it.effect("PATCH changes only the given fields; null clears phone", () =>
    Effect.gen(function*() {
      const client = yield* FivetranClient
      yield* client.updateUser("calm_willow", { phone: "+34 600 000 000" })
      const updated = yield* client.updateUser("calm_willow", { given_name: "Carlota", role: "Billing Auditor" })
      assert.deepStrictEqual(
        [updated.given_name, updated.family_name, updated.role, updated.phone],
        ["Carlota", "Diaz", "Billing Auditor", "+34 600 000 000"]
      )
      const cleared = yield* client.updateUser("calm_willow", { phone: null })
      assert.strictEqual(cleared.phone, null)
    }).pipe(provideSandbox()))

  it.effect("deleting a user removes it, its memberships everywhere and its API key", () =>
    Effect.gen(function*() {
      const client = yield* FivetranClient
      yield* client.deleteUser("calm_willow")
      assert.strictEqual(yield* failure(client.getUser("calm_willow")), "NotFound NotFound")
      assert.deepStrictEqual(yield* groupUserRoles("amber_falcon"), [
        ["quiet_harbor", null],
        ["bright_otter", "Manage Destination"]
      ])
      assert.deepStrictEqual((yield* collect(client.listTeamUsers("noble_quill"))).map((m) => m.user_id), [
        "bright_otter"
      ])
      const snapshot = yield* Effect.flatMap(Sandbox, (s) => s.snapshot)
      assert.deepStrictEqual(snapshot.user_connections, [])
      assert.isFalse(snapshot.credentials.some((c) => c.key === keys.noRole.key))
      assert.strictEqual((yield* raw("GET", "/v1/account/info", { key: keys.noRole })).status, 401)
      assert.strictEqual(yield* failure(client.deleteUser("calm_willow")), "NotFound NotFound")
    }).pipe(provideSandbox()))

  it.effect("removing an account role takes the user out of the group lists it was only in by role", () =>
    Effect.gen(function*() {
      const client = yield* FivetranClient
      yield* client.deleteUserRole("bright_otter")
      assert.strictEqual((yield* client.getUser("bright_otter")).role, null)
      assert.deepStrictEqual(yield* groupUserRoles("golden_ridge"), [["quiet_harbor", null]])
    }).pipe(provideSandbox()))

  it.effect("the last Account Administrator cannot be removed (409)", () =>
    Effect.gen(function*() {
      const client = yield* FivetranClient
      assert.strictEqual(yield* failure(client.deleteUser("quiet_harbor")), "Conflict Conflict")
      assert.strictEqual(yield* failure(client.deleteUserRole("quiet_harbor")), "Conflict Conflict")
      assert.strictEqual(
        yield* failure(client.updateUser("quiet_harbor", { role: "Account Reviewer" })),
        "Conflict Conflict"
      )
      yield* client.updateUser("bright_otter", { role: "Account Administrator" })
      yield* client.deleteUserRole("quiet_harbor")
      const snapshot = yield* Effect.flatMap(Sandbox, (s) => s.snapshot)
      assert.strictEqual(snapshot.users.find((u) => u.id === "quiet_harbor")?.role, null)
      // Without an account role its own key may no longer read users.
      assert.strictEqual(yield* failure(client.getUser("quiet_harbor")), "Forbidden Forbidden")
    }).pipe(provideSandbox()))
})

describe("groups", () => {
  it.effect("creating a group makes the user key's user a Manage Destination member", () =>
    Effect.gen(function*() {
      const client = yield* FivetranClient
      const group = yield* client.createGroup({ name: "Lakehouse_APAC" })
      assert.deepStrictEqual({ ...group, id: "" }, { id: "", name: "Lakehouse_APAC", created_at: EPOCH })
      assert.deepStrictEqual(yield* client.getGroup(group.id), group)
      assert.deepStrictEqual(yield* client.userGroups.get("quiet_harbor", group.id), {
        id: group.id,
        role: "Manage Destination",
        created_at: EPOCH
      })
      assert.deepStrictEqual(yield* groupUserRoles(group.id), [
        ["quiet_harbor", "Manage Destination"],
        ["bright_otter", null]
      ])
      assert.strictEqual(
        yield* failure(client.createGroup({ name: "9 bad name" })),
        "BadRequest InvalidInput"
      )
    }).pipe(provideSandbox()))

  it.effect("a group created with a system key has no member", () =>
    Effect.gen(function*() {
      const client = yield* FivetranClient
      const group = yield* client.createGroup({ name: "Lake" })
      const snapshot = yield* Effect.flatMap(Sandbox, (s) => s.snapshot)
      assert.deepStrictEqual(snapshot.user_groups.filter((row) => row.group_id === group.id), [])
    }).pipe(provideSandbox({}, keys.system)))

  it.effect("a rename shows everywhere; a delete removes the group, its connections and memberships", () =>
    Effect.gen(function*() {
      const client = yield* FivetranClient
      const renamed = yield* client.updateGroup("golden_ridge", { name: "Warehouse_NA" })
      assert.strictEqual(renamed.name, "Warehouse_NA")
      assert.strictEqual((yield* client.getGroup("golden_ridge")).name, "Warehouse_NA")
      assert.deepStrictEqual((yield* collect(client.listGroups)).map((g) => g.name), ["Warehouse_EU", "Warehouse_NA"])
      yield* client.deleteGroup("golden_ridge")
      assert.strictEqual(yield* failure(client.getGroup("golden_ridge")), "NotFound NotFound_Group")
      assert.deepStrictEqual(yield* collect(client.teamGroups.list("noble_quill")), [])
      assert.deepStrictEqual(yield* collect(client.teamConnections.list("noble_quill")), [])
      assert.deepStrictEqual((yield* collect(client.listConnections())).map((c) => c.id), ["keen_raven"])
      assert.strictEqual(yield* failure(client.deleteGroup("golden_ridge")), "NotFound NotFound_Group")
    }).pipe(provideSandbox()))

  it.effect("adding a user by email: 200 without data, visible from both sides, once", () =>
    Effect.gen(function*() {
      const client = yield* FivetranClient
      const added = yield* raw("POST", "/v1/groups/golden_ridge/users", {
        body: JSON.stringify({ email: "Carla.Diaz@acme.test", role: "View Destination" })
      })
      assert.deepStrictEqual([added.status, added.json], [200, {
        code: "Success",
        message: "User has been added to the group"
      }])
      assert.deepStrictEqual(yield* groupUserRoles("golden_ridge"), [
        ["quiet_harbor", null],
        ["bright_otter", null],
        ["calm_willow", "View Destination"]
      ])
      assert.deepStrictEqual((yield* collect(client.userGroups.list("calm_willow"))).map((m) => [m.id, m.role]), [
        ["amber_falcon", "View Destination"],
        ["golden_ridge", "View Destination"]
      ])
      const twice = client.addGroupUser("golden_ridge", { email: "carla.diaz@acme.test", role: "Edit Destination" })
      assert.strictEqual(yield* failure(twice), "Conflict Conflict")
      const stranger = client.addGroupUser("golden_ridge", { email: "nobody@acme.test", role: "View Destination" })
      assert.strictEqual(yield* failure(stranger), "NotFound NotFound")
      const wrongScope = client.addGroupUser("golden_ridge", { email: "dev.shah@acme.test", role: "Team Member" })
      assert.strictEqual(yield* failure(wrongScope), "BadRequest InvalidInput")
    }).pipe(provideSandbox()))

  it.effect("removing a group user: members go, account-role-only users are 404 NotFound", () =>
    Effect.gen(function*() {
      const client = yield* FivetranClient
      const removed = yield* raw("DELETE", "/v1/groups/amber_falcon/users/calm_willow")
      assert.deepStrictEqual([removed.status, removed.json], [200, {
        code: "Success",
        message: "User with id 'calm_willow' has been removed from the group"
      }])
      assert.deepStrictEqual(yield* collect(client.userGroups.list("calm_willow")), [])
      const notMember = yield* raw("DELETE", "/v1/groups/amber_falcon/users/quiet_harbor")
      assert.deepStrictEqual([notMember.status, (notMember.json as { code: string }).code], [404, "NotFound"])
      assert.strictEqual(yield* failure(client.removeGroupUser("no_such", "calm_willow")), "NotFound NotFound_Group")
    }).pipe(provideSandbox()))
})

describe("memberships", () => {
  it.effect("user → group via /users/U/groups is the same grant as /groups/G/users", () =>
    Effect.gen(function*() {
      const client = yield* FivetranClient
      const added = yield* client.userGroups.add("dapper_heron", { id: "golden_ridge", role: "Destination Reviewer" })
      assert.deepStrictEqual(added, { id: "golden_ridge", role: "Destination Reviewer", created_at: EPOCH })
      assert.deepStrictEqual(yield* groupUserRoles("golden_ridge"), [
        ["quiet_harbor", null],
        ["bright_otter", null],
        ["dapper_heron", "Destination Reviewer"]
      ])
      yield* client.userGroups.update("dapper_heron", "golden_ridge", { role: "Edit Destination" })
      assert.deepStrictEqual((yield* groupUserRoles("golden_ridge"))[2], ["dapper_heron", "Edit Destination"])
      const twice = client.userGroups.add("dapper_heron", { id: "golden_ridge", role: "View Destination" })
      assert.strictEqual(yield* failure(twice), "Conflict Conflict")
      const wrongScope = client.userGroups.add("dapper_heron", { id: "amber_falcon", role: "Manage Connection" })
      assert.strictEqual(yield* failure(wrongScope), "BadRequest InvalidInput")
      yield* client.userGroups.remove("dapper_heron", "golden_ridge")
      assert.deepStrictEqual(yield* groupUserRoles("golden_ridge"), [["quiet_harbor", null], ["bright_otter", null]])
      assert.strictEqual(yield* failure(client.userGroups.remove("dapper_heron", "golden_ridge")), "NotFound NotFound")
    }).pipe(provideSandbox()))

  it.effect("user → connection: add, update, remove, CONNECTOR roles only", () =>
    Effect.gen(function*() {
      const client = yield* FivetranClient
      const added = yield* client.userConnections.add("bright_otter", { id: "open_delta", role: "Manage Connection" })
      assert.deepStrictEqual(added, { id: "open_delta", role: "Manage Connection", created_at: EPOCH })
      yield* client.userConnections.update("bright_otter", "open_delta", { role: "Connector Reviewer" })
      assert.strictEqual((yield* client.userConnections.get("bright_otter", "open_delta")).role, "Connector Reviewer")
      assert.strictEqual(
        yield* failure(client.userConnections.update("bright_otter", "open_delta", { role: "View Destination" })),
        "BadRequest InvalidInput"
      )
      yield* client.userConnections.remove("bright_otter", "open_delta")
      assert.deepStrictEqual(yield* collect(client.userConnections.list("bright_otter")), [])
      const missing = client.userConnections.add("bright_otter", { id: "no_such", role: "Manage Connection" })
      assert.strictEqual(yield* failure(missing), "NotFound NotFound_Connection")
    }).pipe(provideSandbox()))

  it.effect("team → group and team → connection memberships", () =>
    Effect.gen(function*() {
      const client = yield* FivetranClient
      yield* client.teamGroups.add("misty_fjord", { id: "amber_falcon", role: "View Destination" })
      yield* client.teamGroups.update("misty_fjord", "amber_falcon", { role: "Manage Destination" })
      assert.deepStrictEqual(yield* collect(client.teamGroups.list("misty_fjord")), [
        { id: "amber_falcon", role: "Manage Destination", created_at: EPOCH }
      ])
      yield* client.teamConnections.add("misty_fjord", { id: "keen_raven", role: "Edit Connection" })
      assert.deepStrictEqual(yield* client.teamConnections.get("misty_fjord", "keen_raven"), {
        id: "keen_raven",
        role: "Edit Connection",
        created_at: EPOCH
      })
      yield* client.teamGroups.remove("misty_fjord", "amber_falcon")
      yield* client.teamConnections.remove("misty_fjord", "keen_raven")
      assert.deepStrictEqual(yield* collect(client.teamGroups.list("misty_fjord")), [])
      assert.deepStrictEqual(yield* collect(client.teamConnections.list("misty_fjord")), [])
    }).pipe(provideSandbox()))

  it.effect("a repeated add (409) and a missing membership (404) name the member first, then the group, connection or team", () =>
    Effect.gen(function*() {
      const post = (path: string, body: object) => raw("POST", path, { body: JSON.stringify(body) })
      const answers = [
        yield* post("/v1/users/calm_willow/groups", { id: "amber_falcon", role: "Manage Destination" }),
        yield* raw("DELETE", "/v1/users/dapper_heron/groups/amber_falcon"),
        yield* raw("DELETE", "/v1/groups/amber_falcon/users/dapper_heron"),
        yield* post("/v1/users/calm_willow/connections", { id: "keen_raven", role: "View Connection" }),
        yield* raw("GET", "/v1/users/dapper_heron/connections/keen_raven"),
        yield* post("/v1/teams/noble_quill/groups", { id: "golden_ridge", role: "View Destination" }),
        yield* raw("PATCH", "/v1/teams/misty_fjord/groups/golden_ridge", { body: JSON.stringify({ role: "View Destination" }) }),
        yield* post("/v1/teams/noble_quill/connections", { id: "open_delta", role: "Edit Connection" }),
        yield* raw("DELETE", "/v1/teams/misty_fjord/connections/open_delta"),
        yield* post("/v1/teams/noble_quill/users", { user_id: "calm_willow", role: "Team Manager" }),
        yield* raw("DELETE", "/v1/teams/noble_quill/users/dapper_heron"),
        yield* raw("GET", "/v1/teams/misty_fjord/users/calm_willow")
      ]
      assert.deepStrictEqual(answers.map((answer) => [answer.status, answer.json]), [
        [409, { code: "Conflict", message: "'calm_willow' already has role 'View Destination' in 'amber_falcon'; change it with PATCH" }],
        [404, { code: "NotFound", message: "'dapper_heron' has no membership in 'amber_falcon'" }],
        [404, { code: "NotFound", message: "'dapper_heron' has no membership in 'amber_falcon'" }],
        [409, { code: "Conflict", message: "'calm_willow' already has role 'Edit Connection' in 'keen_raven'; change it with PATCH" }],
        [404, { code: "NotFound", message: "'dapper_heron' has no membership in 'keen_raven'" }],
        [409, { code: "Conflict", message: "'noble_quill' already has role 'Edit Destination' in 'golden_ridge'; change it with PATCH" }],
        [404, { code: "NotFound", message: "'misty_fjord' has no membership in 'golden_ridge'" }],
        [409, { code: "Conflict", message: "'noble_quill' already has role 'View Connection' in 'open_delta'; change it with PATCH" }],
        [404, { code: "NotFound", message: "'misty_fjord' has no membership in 'open_delta'" }],
        [409, { code: "Conflict", message: "'calm_willow' already has role 'Team Member' in 'noble_quill'; change it with PATCH" }],
        [404, { code: "NotFound", message: "'dapper_heron' has no membership in 'noble_quill'" }],
        [404, { code: "NotFound", message: "'calm_willow' has no membership in 'misty_fjord'" }]
      ])
    }).pipe(provideSandbox()))
})

describe("teams", () => {
  it.effect("create needs name and role; update, remove role, delete", () =>
    Effect.gen(function*() {
      const client = yield* FivetranClient
      const team = yield* client.createTeam({ name: "Finance", role: "Account Billing" })
      assert.deepStrictEqual({ ...team, id: "" }, { id: "", name: "Finance", description: null, role: "Account Billing" })
      const noRole = yield* raw("POST", "/v1/teams", { body: JSON.stringify({ name: "Finance" }) })
      assert.deepStrictEqual([noRole.status, noRole.json], [400, {
        code: "InvalidInput",
        message: "Invalid field 'role': is missing"
      }])
      const wrongRole = client.createTeam({ name: "Finance", role: "Team Manager" })
      assert.strictEqual(yield* failure(wrongRole), "BadRequest InvalidInput")
      const updated = yield* client.updateTeam(team.id, { description: "Budgets" })
      assert.deepStrictEqual(updated, { ...team, description: "Budgets" })
      yield* client.deleteTeamRole(team.id)
      assert.strictEqual((yield* client.getTeam(team.id)).role, null)
      yield* client.deleteTeam(team.id)
      assert.strictEqual(yield* failure(client.getTeam(team.id)), "NotFound NotFound_Team")
    }).pipe(provideSandbox()))

  it.effect("team users: add, update, remove, TEAM roles only; deleting a team drops its memberships", () =>
    Effect.gen(function*() {
      const client = yield* FivetranClient
      const added = yield* client.addTeamUser("misty_fjord", { user_id: "dapper_heron", role: "Team Member" })
      assert.deepStrictEqual(added, { user_id: "dapper_heron", role: "Team Member", created_at: EPOCH })
      yield* client.updateTeamUser("misty_fjord", "dapper_heron", { role: "Team Manager" })
      assert.strictEqual((yield* client.getTeamUser("misty_fjord", "dapper_heron")).role, "Team Manager")
      const wrong = client.addTeamUser("misty_fjord", { user_id: "calm_willow", role: "Manage Destination" })
      assert.strictEqual(yield* failure(wrong), "BadRequest InvalidInput")
      const twice = client.addTeamUser("misty_fjord", { user_id: "dapper_heron", role: "Team Member" })
      assert.strictEqual(yield* failure(twice), "Conflict Conflict")
      yield* client.removeTeamUser("misty_fjord", "dapper_heron")
      assert.deepStrictEqual(yield* collect(client.listTeamUsers("misty_fjord")), [])

      yield* client.deleteTeam("noble_quill")
      assert.strictEqual(yield* failure(collect(client.listTeamUsers("noble_quill"))), "NotFound NotFound_Team")
      const snapshot = yield* Effect.flatMap(Sandbox, (s) => s.snapshot)
      assert.deepStrictEqual(
        [snapshot.team_users.length, snapshot.team_groups.length, snapshot.team_connections.length],
        [0, 0, 0]
      )
    }).pipe(provideSandbox()))
})
