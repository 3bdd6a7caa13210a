import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { Version } from "../src/index.js"
import { json, startServer } from "./support/ScriptedServer.js"
import { clientFor, TestApiKey, TestApiSecret } from "./support/TestClient.js"

const group = (id: string) => ({ id, name: `Warehouse_${id}`, created_at: "2024-03-02T09:14:22.118203Z" })

describe("requests", () => {
  it.scopedLive("a list follows next_cursor page by page with limit=1000 and stops on null", () =>
    Effect.gen(function*() {
      const pages = [
        { items: [group("a1"), group("a2")], next_cursor: "eyJza2lwIjoyfQ" },
        { items: [group("b1")], next_cursor: "eyJza2lwIjozfQ" },
        { items: [group("c1"), group("c2")], next_cursor: null }
      ]
      const server = yield* startServer((_, index) => json(200, { code: "Success", data: pages[index] }))
      const client = yield* clientFor(server.baseUrl)

      const groups = yield* Stream.runCollect(client.listGroups)

      assert.deepStrictEqual(Chunk.toArray(groups).map((g) => g.id), ["a1", "a2", "b1", "c1", "c2"])
      const seen = yield* server.requests
      assert.deepStrictEqual(
        seen.map((r) => [r.method, r.path, r.query]),
        [
          ["GET", "/v1/groups", { limit: "1000" }],
          ["GET", "/v1/groups", { limit: "1000", cursor: "eyJza2lwIjoyfQ" }],
          ["GET", "/v1/groups", { limit: "1000", cursor: "eyJza2lwIjozfQ" }]
        ]
      )
    }))

  it.scopedLive("a list stops when next_cursor is absent, and fetches only the pages consumed", () =>
    Effect.gen(function*() {
      const server = yield* startServer((request) =>
        json(200, {
          code: "Success",
          data: request.query["cursor"] === undefined
            ? { items: [group("a1"), group("a2")], next_cursor: "next" }
            : { items: [group("b1")] }
        })
      )
      const client = yield* clientFor(server.baseUrl)

      const firstTwo = yield* Stream.runCollect(Stream.take(client.listGroups, 2))
      assert.deepStrictEqual(Chunk.toArray(firstTwo).map((g) => g.id), ["a1", "a2"])
      assert.strictEqual((yield* server.requests).length, 1)

      const all = yield* Stream.runCollect(client.listGroups)
      assert.deepStrictEqual(Chunk.toArray(all).map((g) => g.id), ["a1", "a2", "b1"])
      assert.deepStrictEqual((yield* server.requests).map((r) => r.query["cursor"]), [undefined, undefined, "next"])
    }))

  it.scopedLive("sends Basic auth, JSON headers and the User-Agent; Content-Type only with a body", () =>
    Effect.gen(function*() {
      const server = yield* startServer((request) =>
        request.method === "POST"
          ? json(201, {
            code: "Success",
            message: "Team has been created",
            data: { id: "bright_otter", name: "Analysts", description: null, role: "Account Reviewer" }
          })
          : json(200, {
            code: "Success",
            data: { account_id: "lunar_meadow", account_name: "Acme", user_id: null, system_key_id: "sk_1" }
          })
      )
      const client = yield* clientFor(`${server.baseUrl}/`)

      yield* client.accountInfo
      const team = yield* client.createTeam({ name: "Analysts", role: "Account Reviewer" })

      assert.strictEqual(team.id, "bright_otter")
      const [get, post] = yield* server.requests
      const basic = `Basic ${Buffer.from(`${TestApiKey}:${TestApiSecret}`).toString("base64")}`
      assert.strictEqual(get!.path, "/v1/account/info")
      assert.strictEqual(get!.headers["authorization"], basic)
      assert.strictEqual(get!.headers["accept"], "application/json")
      assert.strictEqual(get!.headers["user-agent"], `baton-fivetran/${Version}`)
      assert.strictEqual(get!.headers["content-type"], undefined)
      assert.strictEqual(get!.headers["traceparent"], undefined)
      assert.strictEqual(post!.method, "POST")
      assert.strictEqual(post!.path, "/v1/teams")
      assert.strictEqual(post!.headers["authorization"], basic)
      assert.strictEqual(post!.headers["content-type"], "application/json")
      assert.deepStrictEqual(JSON.parse(post!.body), { name: "Analysts", role: "Account Reviewer" })
    }))

  it.scopedLive("ids are URL-encoded in paths; PATCH sends null to clear a field; filters go in the query", () =>
    Effect.gen(function*() {
      const user = {
        id: "a/b c",
        email: "ana.ruiz@example.com",
        given_name: "Ana",
        family_name: "Ruiz",
        verified: true,
        invited: false,
        picture: null,
        phone: null,
        role: null,
        logged_in_at: null,
        created_at: "2024-11-30T16:02:44.905117Z",
        active: true
      }
      const server = yield* startServer((request) =>
        request.path.startsWith("/v1/connections")
          ? json(200, { code: "Success", data: { items: [], next_cursor: null } })
          : request.method === "DELETE"
          ? json(200, { code: "Success", message: "User has been removed from the team" })
          : json(200, { code: "Success", data: user })
      )
      const client = yield* clientFor(server.baseUrl)

      yield* client.updateUser("a/b c", { phone: null })
      yield* client.teamGroups.remove("team?x", "grp#1")
      yield* Stream.runDrain(client.listConnections({ group_id: "amber_falcon" }))

      const seen = yield* server.requests
      assert.deepStrictEqual(seen.map((r) => `${r.method} ${r.path}`), [
        "PATCH /v1/users/a%2Fb%20c",
        "DELETE /v1/teams/team%3Fx/groups/grp%231",
        "GET /v1/connections"
      ])
      assert.deepStrictEqual(JSON.parse(seen[0]!.body), { phone: null })
      assert.deepStrictEqual(seen[2]!.query, { group_id: "amber_falcon", limit: "1000" })
    }))
})
