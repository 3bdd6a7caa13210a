import { openC1z } from "@baton-fivetran/c1z"
import type { Resource } from "@baton-fivetran/connector-core"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it, layer } from "@effect/vitest"
import { Chunk, Effect, Schema, Stream } from "effect"
import { join } from "node:path"
import { GrantPage, NotFound, ResourcePage } from "@baton-fivetran/http-api"
import { harness, Harness, runSync, TestToken } from "./Harness.js"

/** Every page of `type=user` listings with page_size 2, following the tokens. */
const allUserPages = Effect.gen(function*() {
  const { client } = yield* Harness
  const pages: Array<{ readonly ids: ReadonlyArray<string>; readonly token: string | null; readonly sync: string }> = []
  let token: string | undefined = undefined
  do {
    const page: { items: ReadonlyArray<Resource>; next_page_token: string | null; sync_id: string } = yield* client
      .queries.resources({ urlParams: { type: "user", page_size: 2, ...(token === undefined ? {} : { page_token: token }) } })
    pages.push({ ids: page.items.map((item) => item.id.resource), token: page.next_page_token, sync: page.sync_id })
    token = page.next_page_token ?? undefined
  } while (token !== undefined)
  return pages
})

layer(harness(), { excludeTestServices: true, timeout: 60_000 })("queries over the latest sync", (it) => {
  it.effect("page_size 2 over all users: every user exactly once, full pages, no token on the last", () =>
    Effect.gen(function*() {
      const { sandbox } = yield* Harness
      const snapshot = yield* sandbox.snapshot
      const job = yield* runSync
      const pages = yield* allUserPages
      const ids = pages.flatMap((page) => page.ids)
      assert.strictEqual(new Set(ids).size, ids.length)
      assert.deepStrictEqual([...ids].sort(), snapshot.users.map((user) => user.id).sort())
      assert.strictEqual(pages.length, Math.ceil(snapshot.users.length / 2))
      pages.slice(0, -1).forEach((page) => {
        assert.strictEqual(page.ids.length, 2)
        assert.isString(page.token)
      })
      assert.strictEqual(pages.at(-1)!.ids.length, snapshot.users.length % 2 === 0 ? 2 : 1)
      assert.isNull(pages.at(-1)!.token)
      assert.isTrue(pages.every((page) => page.sync === job.id))
    }).pipe(Effect.orDie))

  it.effect("one default page holds the small account; filters select by type, parent, resource, entitlement and principal", () =>
    Effect.gen(function*() {
      const { client, sandbox } = yield* Harness
      const snapshot = yield* sandbox.snapshot
      const everything = yield* client.queries.resources({ urlParams: {} })
      const expectedCount = snapshot.users.length + snapshot.groups.length + snapshot.teams.length
      assert.strictEqual(
        everything.items.filter((item) => item.id.resourceType !== "role").length,
        expectedCount
      )
      assert.strictEqual(everything.next_page_token, null)

      const team = snapshot.teams[0]!
      const entitlements = yield* client.queries.entitlements({ urlParams: { resource: `team:${team.id}` } })
      assert.isTrue(entitlements.items.every((e) => e.resource.id.resourceType === "team" && e.resource.id.resource === team.id))
      assert.include(entitlements.items.map((e) => e.id), `team:${team.id}:member`)
      // Without --exclusion-groups the file carries no annotation type baton-sdk v0.7.27 lacks.
      assert.isTrue(entitlements.items.every((e) => e.annotations.length === 0))

      const members = yield* client.queries.grants({ urlParams: { entitlement: `team:${team.id}:member`, page_size: 1000 } })
      assert.deepStrictEqual(
        members.items.map((grant) => grant.principal.id.resource).sort(),
        snapshot.team_users.filter((row) => row.team_id === team.id).map((row) => row.user_id).sort()
      )

      const user = snapshot.team_users.find((row) => row.team_id === team.id)!.user_id
      const held = yield* client.queries.grants({ urlParams: { principal: `user:${user}`, page_size: 1000 } })
      assert.isAbove(held.items.length, 0)
      assert.isTrue(held.items.every((grant) => grant.principal.id.resourceType === "user" && grant.principal.id.resource === user))
      assert.include(held.items.map((grant) => grant.id), `team:${team.id}:member:user:${user}`)

      // A group of the sync without connections synced: an empty page.
      const none = yield* client.queries.resources({ urlParams: { parent: `group:${snapshot.groups[0]!.id}` } })
      assert.deepStrictEqual(none.items, [])
      assert.strictEqual(none.next_page_token, null)
    }).pipe(Effect.orDie))

  it.effect("a team member's access shows the grants inherited through the team, with the team as source", () =>
    Effect.gen(function*() {
      const { client, sandbox } = yield* Harness
      const snapshot = yield* sandbox.snapshot
      // A team holding a group role, and one of its members.
      const teamGroup = snapshot.team_groups[0]!
      const member = snapshot.team_users.find((row) => row.team_id === teamGroup.team_id)!.user_id
      const access = yield* client.queries.access({ path: { type: "user", id: member } })
      assert.strictEqual(access.principal.id.resource, member)

      const inheritedId = `group:${teamGroup.group_id}:${teamGroup.role}:user:${member}`
      const inherited = access.grants.find((entry) => entry.grant.id === inheritedId)
      assert.isDefined(inherited, inheritedId)
      assert.deepStrictEqual(inherited!.sources, [
        { entitlement_id: `team:${teamGroup.team_id}:member`, resource: { resourceType: "team", resource: teamGroup.team_id } }
      ])
      const alsoDirect = snapshot.user_groups.some((row) =>
        row.user_id === member && row.group_id === teamGroup.group_id && row.role === teamGroup.role
      )
      assert.strictEqual(inherited!.direct, alsoDirect)

      const membership = access.grants.find((entry) => entry.grant.id === `team:${teamGroup.team_id}:member:user:${member}`)
      assert.isDefined(membership)
      assert.strictEqual(membership!.direct, true)
      assert.deepStrictEqual(membership!.sources, [])
      assert.isTrue(access.grants.every((entry) => entry.grant.principal.id.resource === member))
      assert.strictEqual(new Set(access.grants.map((entry) => entry.grant.id)).size, access.grants.length)
    }).pipe(Effect.orDie))

  it.effect("a team's access is what the team holds directly", () =>
    Effect.gen(function*() {
      const { client, sandbox } = yield* Harness
      const snapshot = yield* sandbox.snapshot
      const teamGroup = snapshot.team_groups[0]!
      const access = yield* client.queries.access({ path: { type: "team", id: teamGroup.team_id } })
      const held = access.grants.find((entry) =>
        entry.grant.id === `group:${teamGroup.group_id}:${teamGroup.role}:team:${teamGroup.team_id}`
      )
      assert.isDefined(held)
      assert.strictEqual(held!.direct, true)
      assert.deepStrictEqual(held!.sources, [])
    }).pipe(Effect.orDie))

  it.effect("an unknown principal is 404 naming it and the sync", () =>
    Effect.gen(function*() {
      const { client } = yield* Harness
      const latest = (yield* client.syncs.list()).items[0]!
      assert.deepStrictEqual(
        yield* Effect.flip(client.queries.access({ path: { type: "user", id: "nobody" } })),
        new NotFound({ message: `user nobody is not in the latest sync (${latest.id})` })
      )
    }).pipe(Effect.orDie))

  it.effect("a filter naming what the sync does not hold is a 404 naming it, not an empty page; a role as principal is a 400", () =>
    Effect.gen(function*() {
      const { client, request, sandbox } = yield* Harness
      const snapshot = yield* sandbox.snapshot
      const latest = (yield* client.syncs.list()).items[0]!
      const team = snapshot.teams[0]!.id
      const absent = [
        ["/v1/resources?parent=group:no-such-group", "group no-such-group"],
        ["/v1/entitlements?resource=team:no-such-team", "team no-such-team"],
        ["/v1/grants?principal=user:no-such-user", "user no-such-user"],
        ["/v1/grants?entitlement=team:no-such-team:member", "entitlement team:no-such-team:member"],
        [`/v1/grants?entitlement=team:${team}:member&principal=user:no-such-user`, "user no-such-user"]
      ] as const
      for (const [path, what] of absent) {
        const response = yield* request("GET", path, { token: TestToken })
        assert.deepStrictEqual([response.status, yield* response.json], [404, {
          error: "NotFound",
          message: `${what} is not in the latest sync (${latest.id})`
        }], path)
      }
      // Only users and teams hold grants: a role's "grants held" were an empty page, read as "nobody".
      const role = yield* request("GET", `/v1/grants?principal=${encodeURIComponent("role:Account Administrator")}`, { token: TestToken })
      assert.deepStrictEqual([role.status, yield* role.json], [400, {
        error: "InvalidRequest",
        field: "principal",
        message: "principal: expected user:<id> or team:<id> (only users and teams hold access; for the holders of a " +
          "role, group, team or connection give resource=<type:id> on the export, or entitlement=<entitlement id>, " +
          "listed by GET /v1/entitlements?resource=<type:id>), got \"role:Account Administrator\""
      }])
      // What the sync holds but that has nothing to list is still an empty page.
      const user = snapshot.users[0]!.id
      const nothing = yield* client.queries.entitlements({ urlParams: { resource: `user:${user}` } })
      assert.deepStrictEqual([nothing.items, nothing.next_page_token], [[], null])
    }).pipe(Effect.orDie))

  it.effect("a page's body is the Api Schema's encoding of the file's rows, byte for byte, and the same when repeated", () =>
    Effect.gen(function*() {
      const { client, dataDir, request } = yield* Harness
      const latest = (yield* client.syncs.list()).items[0]!
      const reader = yield* openC1z(join(dataDir, `${latest.id}.c1z`))
      const body = (path: string) =>
        Effect.flatMap(request("GET", path, { token: TestToken }), (response) => {
          assert.strictEqual(response.status, 200, path)
          assert.strictEqual(response.headers["content-type"], "application/json", path)
          return Effect.orDie(response.text)
        })
      const expect = <A, I>(path: string, schema: Schema.Schema<A, I>, items: (token: string | null) => A) =>
        Effect.gen(function*() {
          const first = yield* body(path)
          const token = (JSON.parse(first) as { next_page_token: string | null }).next_page_token
          assert.isString(token, path)
          assert.strictEqual(first, JSON.stringify(Schema.encodeSync(schema)(items(token))), path)
          assert.strictEqual(yield* body(path), first, `${path}, repeated`)
        })

      // By id, as the CLI's `grants` and `resources` list the same file.
      const grants = Chunk.toArray(yield* Stream.runCollect(Stream.take(reader.sorted.grants(), 3))).map((row) => row.value)
      yield* expect("/v1/grants?page_size=3", GrantPage, (token) => ({ sync_id: latest.id, items: grants, next_page_token: token }))
      const users = Chunk.toArray(yield* Stream.runCollect(Stream.take(reader.sorted.resources({ resourceType: "user" }), 2)))
        .map((row) => row.value)
      yield* expect(
        "/v1/resources?type=user&page_size=2",
        ResourcePage,
        (token) => ({ sync_id: latest.id, items: users, next_page_token: token })
      )
    }).pipe(Effect.scoped, Effect.orDie))

  it.effect("a listing stays on the sync it started on when a newer one finishes", () =>
    Effect.gen(function*() {
      const { client } = yield* Harness
      const first = yield* client.queries.resources({ urlParams: { type: "user", page_size: 2 } })
      const newer = yield* runSync
      assert.notStrictEqual(newer.id, first.sync_id)
      const next = yield* client.queries.resources({
        urlParams: { type: "user", page_size: 2, page_token: first.next_page_token! }
      })
      assert.strictEqual(next.sync_id, first.sync_id)
      const fresh = yield* client.queries.resources({ urlParams: { type: "user", page_size: 2 } })
      assert.strictEqual(fresh.sync_id, newer.id)
      assert.deepStrictEqual(fresh.items, first.items)
    }).pipe(Effect.orDie))

  it.effect("a page token continues only the listing and the filters it came from; anywhere else it is a 400 naming page_token", () =>
    Effect.gen(function*() {
      const { client, request, sandbox } = yield* Harness
      const snapshot = yield* sandbox.snapshot
      const [one, two] = snapshot.users
      const users = (yield* client.queries.resources({ urlParams: { type: "user", page_size: 2 } })).next_page_token!
      const entitlements = (yield* client.queries.entitlements({ urlParams: { page_size: 2 } })).next_page_token!
      const held = (yield* client.queries.grants({ urlParams: { principal: `user:${one!.id}`, page_size: 1 } })).next_page_token!
      const misused = [
        `/v1/resources?type=team&page_token=${users}`,
        `/v1/resources?page_token=${users}`,
        `/v1/resources?type=user&parent=group:${snapshot.groups[0]!.id}&page_token=${users}`,
        `/v1/entitlements?page_token=${users}`,
        `/v1/grants?page_token=${users}`,
        `/v1/resources?page_token=${entitlements}`,
        `/v1/entitlements?resource=team:${snapshot.teams[0]!.id}&page_token=${entitlements}`,
        `/v1/grants?principal=user:${two!.id}&page_token=${held}`,
        `/v1/grants?page_token=${held}`
      ]
      for (const path of misused) {
        const response = yield* request("GET", path, { token: TestToken })
        assert.deepStrictEqual({ status: response.status, body: yield* response.json }, {
          status: 400,
          body: {
            error: "InvalidRequest",
            field: "page_token",
            message: "page_token is not a token this service issued for this listing and these filters; " +
              "repeat the filters of the page it came from, or list again without page_token"
          }
        }, path)
      }
      // The same listing with the same filters resumes where it stopped, whatever the page size.
      const five = yield* client.queries.resources({ urlParams: { type: "user", page_size: 5 } })
      const resumed = yield* client.queries.resources({ urlParams: { type: "user", page_size: 3, page_token: users } })
      assert.deepStrictEqual(resumed.items, five.items.slice(2))
    }).pipe(Effect.orDie))

  it.effect("q searches ids, names and emails in any case, with type and across pages; blank q is a 400 naming q", () =>
    Effect.gen(function*() {
      const { client, request } = yield* Harness
      yield* runSync
      const ids = (page: { readonly items: ReadonlyArray<Resource> }) =>
        page.items.map((item) => `${item.id.resourceType}:${item.id.resource}`)
      const found = (urlParams: { readonly q: string; readonly type?: string }) =>
        Effect.map(client.queries.resources({ urlParams: { ...urlParams, page_size: 1000 } }), (page) => ids(page).sort())
      // The small preset's people, groups, teams and roles, by family name, group name, id, email and role name.
      assert.deepStrictEqual(yield* found({ q: "TANAKA" }), ["user:able_lotus", "user:vivid_orchard"])
      assert.deepStrictEqual(yield* found({ q: " Logistics " }), ["group:formal_birch", "team:bouncy_mist"])
      assert.deepStrictEqual(yield* found({ q: "logistics", type: "team" }), ["team:bouncy_mist"])
      assert.deepStrictEqual(yield* found({ q: "latam", type: "group" }), ["group:formal_birch", "group:hardy_ridge"])
      assert.deepStrictEqual(yield* found({ q: "sierra" }), ["user:formal_sierra"])
      assert.deepStrictEqual(yield* found({ q: "ERIK.SCHMIDT@" }), ["user:fair_fawn"])
      assert.deepStrictEqual(yield* found({ q: "security auditor" }), ["role:Security Auditor"])
      assert.deepStrictEqual(yield* found({ q: "nobody-is-called-this" }), [])

      // Every user's email holds the domain: 25 matches in pages of 10, in the listing's order.
      const users = ids(yield* client.queries.resources({ urlParams: { type: "user", page_size: 1000 } }))
      assert.strictEqual(users.length, 25)
      const pages: Array<ReadonlyArray<string>> = []
      let token: string | undefined = undefined
      let firstToken = ""
      do {
        const page: { items: ReadonlyArray<Resource>; next_page_token: string | null } = yield* client.queries.resources({
          urlParams: { q: "@acmedata.com", page_size: 10, ...(token === undefined ? {} : { page_token: token }) }
        })
        pages.push(ids(page))
        token = page.next_page_token ?? undefined
        if (firstToken === "") firstToken = token ?? ""
      } while (token !== undefined)
      assert.deepStrictEqual(pages.map((page) => page.length), [10, 10, 5])
      assert.deepStrictEqual(pages.flat(), users)

      // A search's token continues that search only.
      const other = yield* request("GET", `/v1/resources?q=tanaka&page_token=${firstToken}`, { token: TestToken })
      assert.deepStrictEqual([other.status, yield* other.json], [400, {
        error: "InvalidRequest",
        field: "page_token",
        message: "page_token is not a token this service issued for this listing and these filters; " +
          "repeat the filters of the page it came from, or list again without page_token"
      }])

      for (const blank of ["", "%20%20"]) {
        const response = yield* request("GET", `/v1/resources?q=${blank}`, { token: TestToken })
        assert.deepStrictEqual([response.status, yield* response.json], [400, {
          error: "InvalidRequest",
          field: "q",
          message: `q: expected a part of a name, email or id, not blank (leave q out to list every resource), got "${
            decodeURIComponent(blank)
          }"`
        }], blank)
      }
    }).pipe(Effect.orDie))

  it.effect("the principal search matches users and teams by the resource search's rule: trimmed, any case, type:id, name, email", () =>
    Effect.gen(function*() {
      const { client } = yield* Harness
      const refs = (items: ReadonlyArray<Resource>) => items.map((item) => `${item.id.resourceType}:${item.id.resource}`)
      const principals = (q: string) =>
        Effect.map(client.review.searchPrincipals({ urlParams: { q, limit: 100 } }), (page) => page.items.map((item) => item.id))
      const usersAndTeams = (q: string) =>
        Effect.map(
          client.queries.resources({ urlParams: { q, page_size: 1000 } }),
          (page) => refs(page.items.filter((item) => ["user", "team"].includes(item.id.resourceType))).sort()
        )
      const teams = refs((yield* client.queries.resources({ urlParams: { type: "team", page_size: 1000 } })).items).sort()
      const expected: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
        [" Logistics ", ["team:bouncy_mist"]],
        ["  TANAKA", ["user:able_lotus", "user:vivid_orchard"]],
        ["USER:FAIR_FAWN", ["user:fair_fawn"]],
        ["erik.schmidt@ ", ["user:fair_fawn"]],
        ["Team:", teams],
        ["nobody-is-called-this", []]
      ]
      for (const [q, ids] of expected) {
        assert.deepStrictEqual(yield* principals(q), ids, q)
        assert.deepStrictEqual(yield* usersAndTeams(q), ids, q)
      }
      assert.strictEqual(teams.length, 3)
    }).pipe(Effect.orDie))

  it.effect("a token the service did not issue is a 400 with one fixed message, its content not echoed; its own still pages", () =>
    Effect.gen(function*() {
      const { client, request } = yield* Harness
      const first = yield* client.queries.resources({ urlParams: { type: "user", page_size: 2 } })
      const token = first.next_page_token!
      const [payload, signature] = token.split(".") as [string, string]
      const position = JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>
      const rewritten = (changes: Record<string, unknown>) => Buffer.from(JSON.stringify({ ...position, ...changes })).toString("base64url")
      const forged = [
        `${rewritten({ a: 40 })}.${signature}`,
        `${rewritten({ s: "../x" })}.${signature}`,
        rewritten({ a: 40 }),
        payload,
        `${payload}.${signature.slice(0, -1)}`,
        `${payload}.${signature}A`,
        `${payload}.`,
        `.${signature}`
      ]
      for (const page_token of forged) {
        const response = yield* request("GET", `/v1/resources?type=user&page_size=2&page_token=${encodeURIComponent(page_token)}`, {
          token: TestToken
        })
        assert.deepStrictEqual([response.status, yield* response.json], [400, {
          error: "InvalidRequest",
          field: "page_token",
          message: "page_token is not a token this service issued; list again without page_token"
        }], page_token)
      }
      const four = yield* client.queries.resources({ urlParams: { type: "user", page_size: 4 } })
      const next = yield* client.queries.resources({ urlParams: { type: "user", page_size: 2, page_token: token } })
      assert.deepStrictEqual([next.sync_id, next.items], [first.sync_id, four.items.slice(2)])
    }).pipe(Effect.orDie))
})

describe("page tokens across restarts", () => {
  it.effect(
    "a token stays good after a restart over the same data directory (its key, made once, is kept there); another service's is refused",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dataDir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-http-" })
        const keyPath = join(dataDir, "page-token.key")
        const first = yield* Effect.gen(function*() {
          yield* runSync
          const { client } = yield* Harness
          return yield* client.queries.resources({ urlParams: { type: "user", page_size: 2 } })
        }).pipe(Effect.provide(harness({ dataDir })))
        const key = yield* fs.readFile(keyPath)
        assert.deepStrictEqual([key.byteLength, Number((yield* fs.stat(keyPath)).mode) & 0o777], [32, 0o600])

        const [resumed, four] = yield* Effect.gen(function*() {
          const { client } = yield* Harness
          return [
            yield* client.queries.resources({ urlParams: { type: "user", page_size: 2, page_token: first.next_page_token! } }),
            yield* client.queries.resources({ urlParams: { type: "user", page_size: 4 } })
          ] as const
        }).pipe(Effect.provide(harness({ dataDir })))
        assert.deepStrictEqual([resumed.sync_id, resumed.items], [first.sync_id, four.items.slice(2)])
        assert.deepStrictEqual(yield* fs.readFile(keyPath), key)

        const elsewhere = yield* Effect.gen(function*() {
          yield* runSync
          const { request } = yield* Harness
          const response = yield* request("GET", `/v1/resources?type=user&page_size=2&page_token=${first.next_page_token!}`, {
            token: TestToken
          })
          return [response.status, yield* response.json]
        }).pipe(Effect.provide(harness()))
        assert.deepStrictEqual(elsewhere, [400, {
          error: "InvalidRequest",
          field: "page_token",
          message: "page_token is not a token this service issued; list again without page_token"
        }])
      }).pipe(Effect.scoped, Effect.provide(NodeContext.layer), Effect.orDie),
    120_000
  )
})

layer(harness({ exclusionGroups: true }), { excludeTestServices: true, timeout: 60_000 })("--exclusion-groups", (it) => {
  it.effect("the synced entitlements carry their exclusion groups (they are left out by default)", () =>
    Effect.gen(function*() {
      const { client, sandbox } = yield* Harness
      const group = (yield* sandbox.snapshot).groups[0]!
      yield* runSync
      const entitlements = yield* client.queries.entitlements({ urlParams: { resource: `group:${group.id}` } })
      assert.isAbove(entitlements.items.length, 0)
      for (const entitlement of entitlements.items) {
        assert.deepStrictEqual(entitlement.annotations, [
          { _tag: "EntitlementExclusionGroup", exclusionGroupId: `group:${group.id}:role` }
        ])
      }
    }).pipe(Effect.orDie))
})
