import { FivetranClient } from "@baton-fivetran/fivetran-client"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { keys } from "./fixture.js"
import { provideSandbox, raw } from "./harness.js"

const collect = <A, E, R>(stream: Stream.Stream<A, E, R>) => Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

const json = (body: unknown) => ({ body: JSON.stringify(body), headers: { "content-type": "application/json" } })

describe("connections through the API", () => {
  // On the TestClock: the new connection's created_at is the clock's 0.
  it.effect("POST /v1/connections creates one in the group: 201 with the connection, listed everywhere", () =>
    Effect.gen(function*() {
      const created = yield* raw(
        "POST",
        "/v1/connections",
        json({
          service: "postgres",
          group_id: "amber_falcon",
          config: { schema: "pg_eu", host: "db.acme.test" },
          trust_certificates: true
        })
      )
      assert.strictEqual(created.status, 201)
      const body = created.json as { code: string; message: string; data: Record<string, unknown> }
      const id = body.data["id"] as string
      assert.match(id, /^[a-z]+_[a-z]+(_[a-z]+)?$/)
      assert.deepStrictEqual(body, {
        code: "Success",
        message: "Connection has been created",
        data: {
          id,
          group_id: "amber_falcon",
          service: "postgres",
          schema: "pg_eu",
          connected_by: "quiet_harbor",
          created_at: "1970-01-01T00:00:00.000000Z",
          paused: false,
          status: { setup_state: "incomplete", sync_state: "scheduled" }
        }
      })
      const client = yield* FivetranClient
      assert.deepStrictEqual((yield* collect(client.listConnections({ group_id: "amber_falcon" }))).map((c) => c.id), [
        "keen_raven",
        id
      ])
      const fetched = yield* raw("GET", `/v1/connections/${id}`)
      assert.deepStrictEqual((fetched.json as { data: unknown }).data, body.data)
      // A connection created this way takes memberships like any other.
      yield* client.userConnections.add("calm_willow", { id, role: "View Connection" })
      assert.deepStrictEqual(
        (yield* collect(client.userConnections.list("calm_willow"))).map((m) => m.id),
        ["keen_raven", id]
      )
    }).pipe(provideSandbox()))

  it.live("POST /v1/connections: unknown group 404 NotFound_Group, missing service 400, taken schema 409", () =>
    Effect.gen(function*() {
      const unknown = yield* raw("POST", "/v1/connections", json({ service: "postgres", group_id: "no_such_group" }))
      assert.deepStrictEqual([unknown.status, unknown.json], [404, {
        code: "NotFound_Group",
        message: "Group with id 'no_such_group' doesn't exist"
      }])
      const missing = yield* raw("POST", "/v1/connections", json({ group_id: "amber_falcon" }))
      assert.strictEqual(missing.status, 400)
      assert.strictEqual((missing.json as { code: string }).code, "InvalidInput")
      const taken = yield* raw(
        "POST",
        "/v1/connections",
        json({
          service: "salesforce",
          group_id: "amber_falcon",
          config: { schema: "salesforce_eu" }
        })
      )
      assert.deepStrictEqual([taken.status, (taken.json as { code: string }).code], [409, "Conflict"])
    }).pipe(provideSandbox()))

  it.live("DELETE /v1/connections/{id}: 200 with the id in the message; its user and team memberships go with it", () =>
    Effect.gen(function*() {
      const client = yield* FivetranClient
      assert.deepStrictEqual((yield* collect(client.teamConnections.list("noble_quill"))).map((m) => m.id), ["open_delta"])
      yield* client.userConnections.add("calm_willow", { id: "open_delta", role: "View Connection" })
      const deleted = yield* raw("DELETE", "/v1/connections/open_delta")
      assert.deepStrictEqual([deleted.status, deleted.json], [200, {
        code: "Success",
        message: "Connection with id 'open_delta' has been deleted"
      }])
      assert.deepStrictEqual(yield* collect(client.teamConnections.list("noble_quill")), [])
      assert.deepStrictEqual((yield* collect(client.userConnections.list("calm_willow"))).map((m) => m.id), ["keen_raven"])
      assert.deepStrictEqual((yield* collect(client.listConnections())).map((c) => c.id), ["keen_raven"])
      const again = yield* raw("DELETE", "/v1/connections/open_delta")
      assert.deepStrictEqual([again.status, (again.json as { code: string }).code], [404, "NotFound_Connection"])
    }).pipe(provideSandbox()))

  it.live("GET /v1/groups/{id}/connections pages like the other lists; 404 NotFound_Group for an unknown group", () =>
    Effect.gen(function*() {
      for (const schema of ["a_one", "a_two"]) {
        const created = yield* raw("POST", "/v1/connections", json({ service: "s3", group_id: "amber_falcon", config: { schema } }))
        assert.strictEqual(created.status, 201)
      }
      const first = yield* raw("GET", "/v1/groups/amber_falcon/connections?limit=2")
      const firstPage = (first.json as { data: { items: Array<{ schema: string }>; next_cursor: string } }).data
      assert.deepStrictEqual(firstPage.items.map((c) => c.schema), ["salesforce_eu", "a_one"])
      assert.isString(firstPage.next_cursor)
      const second = yield* raw("GET", `/v1/groups/amber_falcon/connections?limit=2&cursor=${firstPage.next_cursor}`)
      const secondPage = (second.json as { data: { items: Array<{ schema: string }>; next_cursor?: string } }).data
      assert.deepStrictEqual(secondPage.items.map((c) => c.schema), ["a_two"])
      assert.isFalse("next_cursor" in secondPage)
      const unknown = yield* raw("GET", "/v1/groups/no_such_group/connections")
      assert.deepStrictEqual([unknown.status, (unknown.json as { code: string }).code], [404, "NotFound_Group"])
    }).pipe(provideSandbox()))

  it.live("a user key whose owner may only read cannot create or delete connections (403)", () =>
    Effect.gen(function*() {
      const create = yield* raw("POST", "/v1/connections", {
        ...json({ service: "s3", group_id: "amber_falcon" }),
        key: keys.reviewer
      })
      const remove = yield* raw("DELETE", "/v1/connections/keen_raven", { key: keys.reviewer })
      assert.deepStrictEqual([create.status, remove.status], [403, 403])
      assert.strictEqual((yield* raw("GET", "/v1/connections/keen_raven")).status, 200)
    }).pipe(provideSandbox()))
})

describe("answers as Fivetran gives them", () => {
  it.live("GET /v1/groups carries a top-level message next to data.items and data.next_cursor", () =>
    Effect.gen(function*() {
      const page = yield* raw("GET", "/v1/groups?limit=1")
      const body = page.json as { code: string; message: string; data: { items: Array<{ id: string }>; next_cursor: string } }
      assert.deepStrictEqual([body.code, body.message], ["Success", "Operation performed."])
      assert.deepStrictEqual(body.data.items.map((g) => g.id), ["amber_falcon"])
      assert.isString(body.data.next_cursor)
    }).pipe(provideSandbox()))

  it.live("DELETE /v1/groups/{id} answers 200 with a message naming the group", () =>
    Effect.gen(function*() {
      const deleted = yield* raw("DELETE", "/v1/groups/golden_ridge")
      assert.deepStrictEqual([deleted.status, deleted.json], [200, {
        code: "Success",
        message: "Group with id 'golden_ridge' has been deleted"
      }])
    }).pipe(provideSandbox()))

  it.live("DELETE /v1/teams/{id}/users/{id} answers 200 'User has been removed from the team'", () =>
    Effect.gen(function*() {
      const removed = yield* raw("DELETE", "/v1/teams/noble_quill/users/calm_willow")
      assert.deepStrictEqual([removed.status, removed.json], [200, {
        code: "Success",
        message: "User has been removed from the team"
      }])
    }).pipe(provideSandbox()))

  it.live("every refusal has a JSON body: unknown path 404, wrong method 405, malformed escape 404", () =>
    Effect.gen(function*() {
      const answers = yield* Effect.all([
        raw("GET", "/v1/nothing_here"),
        raw("DELETE", "/v1/users"),
        raw("GET", "/v1/users/%zz"),
        raw("GET", "/v1/nothing_here", { key: null })
      ])
      assert.deepStrictEqual(answers.map((a) => [a.status, a.headers["content-type"], (a.json as { code: string }).code]), [
        [404, "application/json", "NotFound"],
        [405, "application/json", "MethodNotAllowed"],
        [404, "application/json", "NotFound"],
        [401, "application/json", "Unauthorized"]
      ])
    }).pipe(provideSandbox()))
})
