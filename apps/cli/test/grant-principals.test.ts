import { openC1z } from "@baton-fivetran/c1z"
import { Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Ref, Stream } from "effect"
import { assertExit, jsonLines, runCli } from "./support/CliProcess.js"
import { connectionFlags, sandboxLayer, smallAccount } from "./support/Sandboxes.js"

/**
 * The baton CLI (baton-sdk v0.7.27) lists grants by looking up each grant's principal and
 * entitlement resource among the file's resources (baton `cmd/baton/grants.go`, `storecache`):
 * one it cannot find fails the whole listing. A sync must not write a grant whose principal it
 * did not list, however the account changed while it was read.
 */

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-cli-" }))

/** A request of another admin's, to the sandbox. */
interface AdminRequest {
  readonly method: string
  readonly path: string
  readonly body?: unknown
}

/** Another admin's request, made (once) the first time `at` (`METHOD /path`) reaches the sandbox. */
const meanwhile = (at: string, requests: ReadonlyArray<AdminRequest>) =>
  Effect.gen(function*() {
    const sandbox = yield* Sandbox
    const { key } = yield* connectionFlags
    const authorization = `Basic ${Buffer.from(`${key.key}:${key.secret}`).toString("base64")}`
    const fired = yield* Ref.make(false)
    const statuses = yield* Ref.make<ReadonlyArray<number>>([])
    const send = Effect.forEach(requests, ({ body, method, path }) =>
      Effect.promise(() =>
        fetch(`${sandbox.baseUrl}${path}`, {
          method,
          headers: { authorization, "content-type": "application/json" },
          ...(body === undefined ? {} : { body: JSON.stringify(body) })
        })
      ).pipe(Effect.flatMap((response) => Ref.update(statuses, (all) => [...all, response.status]))))
    yield* sandbox.setRequestHook(({ method, path }) =>
      `${method} ${path}` !== at ? Effect.void : Effect.flatMap(Ref.getAndSet(fired, true), (done) => done ? Effect.void : send)
    )
    return Ref.get(statuses)
  })

/**
 * A sync to a fresh file (`args` added) while another admin's `requests` are made the first time
 * `at` reaches the sandbox: it exits 0. Gives the file, the CLI's stderr and the requests' statuses.
 */
const syncWhile = (
  at: string,
  requests: ReadonlyArray<AdminRequest>,
  args: ReadonlyArray<string> = []
) =>
  Effect.gen(function*() {
    const dir = yield* tempDir
    const { flags } = yield* connectionFlags
    const other = yield* meanwhile(at, requests)
    const file = `${dir}/out.c1z`
    const result = yield* runCli([...flags, "-f", file, ...args, "--log-format", "json"])
    assertExit(result, 0)
    return { file, stderr: result.stderr, statuses: yield* other }
  })

/** Team 0, and a member of it who may be deleted (not an Account Administrator: the last of those cannot be). */
const team = smallAccount.teams[0]!.id
const administrators = new Set(smallAccount.users.filter((u) => u.role === "Account Administrator").map((u) => u.id))
const gone = smallAccount.team_users.find((row) => row.team_id === team && !administrators.has(row.user_id))!.user_id

/** The principals of the file's grants that are not among its resources, as `type:id`, each once. */
const unlistedPrincipals = (path: string) =>
  Effect.scoped(Effect.gen(function*() {
    const reader = yield* openC1z(path)
    const resources = yield* reader.resources().pipe(
      Stream.runFold(new Set<string>(), (ids, { value }) => ids.add(`${value.id.resourceType}:${value.id.resource}`))
    )
    return yield* reader.grants().pipe(
      Stream.map(({ value }) => `${value.principal.id.resourceType}:${value.principal.id.resource}`),
      Stream.filter((principal) => !resources.has(principal)),
      Stream.runFold(new Set<string>(), (ids, id) => ids.add(id)),
      Effect.map((ids) => [...ids])
    )
  }))

const grantsOf = (path: string, principal: string) =>
  Effect.scoped(Effect.gen(function*() {
    const reader = yield* openC1z(path)
    const [resourceType, resource] = principal.split(":") as [string, string]
    return yield* reader.grants({ principal: { resourceType, resource } }).pipe(
      Stream.map(({ value }) => value.id),
      Stream.runCollect,
      Effect.map((ids) => [...ids])
    )
  }))

/** The parents the file's resources name that are not among its resources, as `type:id`, each once. */
const unlistedParents = (path: string) =>
  Effect.scoped(Effect.gen(function*() {
    const reader = yield* openC1z(path)
    const all = Chunk.toArray(yield* Stream.runCollect(reader.resources())).map(({ value }) => value)
    const ids = new Set(all.map((r) => `${r.id.resourceType}:${r.id.resource}`))
    return [
      ...new Set(
        all.flatMap((r) => r.parentResourceId === undefined ? [] : [`${r.parentResourceId.resourceType}:${r.parentResourceId.resource}`])
      )
    ]
      .filter((parent) => !ids.has(parent))
  }))

/** The ids of the file's connections, in file order. */
const connectionsIn = (path: string) =>
  Effect.scoped(Effect.gen(function*() {
    const reader = yield* openC1z(path)
    return Chunk.toArray(yield* Stream.runCollect(reader.resources({ resourceType: "connection" }))).map(({ value }) => value.id.resource)
  }))

/** The number of grants in the file, as its reader lists them. */
const grantCount = (path: string) => Effect.scoped(Effect.flatMap(openC1z(path), (reader) => Stream.runCount(reader.grants())))

const changed = "which the sync did not list (the account changed while it was read)"

/** The warning for grants of a user a team's or destination's members named and the user list did not. */
const leftOutGrants = (grants: string, principal: string) =>
  `${grants} ${principal}, which GET /v1/users did not list though a team's or destination's members did ` +
  "(the account changed while it was read); " +
  "left out of the sync file: baton's grant listings fail on a grant whose principal is not among its resources"

/** The summary's warnings and its grant total, which must be the file's. */
const summaryOf = (stderr: string) => {
  const summary = jsonLines(stderr).find((line) => line.msg === "sync complete") as
    | { readonly warning_messages: ReadonlyArray<string>; readonly grants: number }
    | undefined
  assert.isDefined(summary)
  return { warnings: summary!.warning_messages, grants: summary!.grants }
}

describe("grant principals", () => {
  it.scopedLive("a team member deleted after the team's members were read: none of its grants is written", () =>
    Effect.gen(function*() {
      // At concurrency 1 the user list is read only once the last team's lists have started: team
      // 0's groups are asked for after its members and before any user is listed.
      const { file, statuses, stderr } = yield* syncWhile(`GET /v1/teams/${team}/groups`, [
        { method: "DELETE", path: `/v1/users/${gone}` }
      ], ["--concurrency", "1"])
      assert.deepStrictEqual(statuses, [200])
      assert.deepStrictEqual(yield* unlistedPrincipals(file), [])
      assert.deepStrictEqual(yield* grantsOf(file, `user:${gone}`), [])
      // Team 0's member and Team Member grants, and the two group roles the user reached through the team.
      assert.deepStrictEqual(summaryOf(stderr), {
        warnings: [leftOutGrants("4 grants name", `user:${gone}`)],
        grants: yield* grantCount(file)
      })
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("a team member deleted before its own connections are read: its grants are reported as the deleted user's", () =>
    Effect.gen(function*() {
      // The teams' lists are read before the users': the team named the user before it went.
      const { file, statuses, stderr } = yield* syncWhile(`GET /v1/users/${gone}/connections`, [
        { method: "DELETE", path: `/v1/users/${gone}` }
      ], ["--sync-connections", "--concurrency", "1"])
      assert.deepStrictEqual(statuses, [200])
      assert.deepStrictEqual(yield* unlistedPrincipals(file), [])
      assert.deepStrictEqual(yield* grantsOf(file, `user:${gone}`), [])
      // Team 0's member and Team Member grants, and the two group roles and the connection role the user reached through the team.
      assert.deepStrictEqual(summaryOf(stderr), {
        warnings: [
          `user ${gone} was deleted while the sync read the account (GET /v1/users/${gone}/connections answered 404 NotFound); ` +
          "it is left out of the sync file, as the next sync will see it",
          `5 grants name user:${gone}, which was deleted while the sync read the account (see its own warning); ` +
          "left out of the sync file with it, as the next sync will see it: lists read before it went named it"
        ],
        grants: yield* grantCount(file)
      })
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("a user invited and added to a group while the groups are read: the grant is not written", () =>
    Effect.gen(function*() {
      const group = smallAccount.groups[0]!.id
      const role = smallAccount.user_groups.find((row) => row.group_id === group)!.role
      const email = "late.arrival@example.com"
      const { file, statuses, stderr } = yield* syncWhile(`GET /v1/groups/${group}/users`, [
        { method: "POST", path: "/v1/users", body: { email, given_name: "Late", family_name: "Arrival" } },
        { method: "POST", path: `/v1/groups/${group}/users`, body: { email, role } }
      ])
      assert.deepStrictEqual(statuses, [201, 200])
      assert.deepStrictEqual(yield* unlistedPrincipals(file), [])
      const late = (yield* (yield* Sandbox).snapshot).users.find((user) => user.email === email)!.id
      assert.deepStrictEqual(summaryOf(stderr), {
        warnings: [leftOutGrants("1 grant names", `user:${late}`)],
        grants: yield* grantCount(file)
      })
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("a group deleted before its users are read: its connections are reported as the deleted group's", () =>
    Effect.gen(function*() {
      const group = smallAccount.connections[0]!.group_id
      const { file, statuses, stderr } = yield* syncWhile(`GET /v1/groups/${group}/users`, [
        { method: "DELETE", path: `/v1/groups/${group}` }
      ], ["--sync-connections"])
      assert.deepStrictEqual(statuses, [200])
      assert.deepStrictEqual(yield* unlistedParents(file), [])
      const connections = smallAccount.connections.filter((c) => c.group_id === group).map((c) => `connection:${c.id}`)
      assert.deepStrictEqual(summaryOf(stderr), {
        warnings: [
          `group ${group} was deleted while the sync read the account (GET /v1/groups/${group}/users answered 404 NotFound_Group); ` +
          "it is left out of the sync file, as the next sync will see it",
          `${connections.length} resources name as parent group:${group}, which was deleted while the sync read the account ` +
          `(see its own warning); left out of the sync file with their entitlements and grants (${connections.join(", ")}), ` +
          "as the next sync will see it"
        ],
        grants: yield* grantCount(file)
      })
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("a group deleted with its connections after the connections were listed: no connection names it as parent", () =>
    Effect.gen(function*() {
      const group = smallAccount.connections[0]!.group_id
      // Connections are listed with the roles, before the teams; groups last.
      const { file, statuses, stderr } = yield* syncWhile("GET /v1/teams", [{ method: "DELETE", path: `/v1/groups/${group}` }], [
        "--sync-connections"
      ])
      assert.deepStrictEqual(statuses, [200])
      assert.deepStrictEqual(yield* unlistedParents(file), [])
      const connections = smallAccount.connections.filter((c) => c.group_id === group).map((c) => `connection:${c.id}`)
      assert.deepStrictEqual(yield* connectionsIn(file), smallAccount.connections.filter((c) => c.group_id !== group).map((c) => c.id))
      assert.deepStrictEqual(summaryOf(stderr), {
        warnings: [
          `${connections.length} resources name as parent group:${group}, ${changed}; left out of the sync file with their ` +
          `entitlements and grants (${connections.join(", ")}): baton's resource listings fail on a parent they cannot find`
        ],
        grants: yield* grantCount(file)
      })
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))
})
