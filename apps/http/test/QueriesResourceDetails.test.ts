import { generatePreset } from "@baton-fivetran/fivetran-sandbox"
import { NotFound } from "@baton-fivetran/http-api"
import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { harness, Harness, runSync, TestToken } from "./Harness.js"
import { servedContract } from "./ServedContract.js"

/**
 * `GET /v1/resources/{type}/{id}`: one resource of the latest sync, its parent's name, its holders'
 * count and a connection's destination's, which the explorer's connection view reads instead of
 * searching for the connection and reading the destination's whole sheet. The real service over a
 * sync (connections included) of the small sandbox; each answer checked against the served document.
 */

const answer = (method: "GET" | "DELETE", path: string) =>
  Effect.gen(function*() {
    const { request } = yield* Harness
    const response = yield* request(method, path, { token: TestToken })
    const body = yield* Effect.orDie(response.text)
    const contract = yield* servedContract
    assert.deepStrictEqual(contract.problems(method, path, { status: response.status, headers: response.headers, body }), [], path)
    return { status: response.status, body: JSON.parse(body) as unknown }
  })

/** How many users and teams a resource's sheet names: what its `holders` must count. */
const sheetPrincipals = (resource: string) =>
  Effect.gen(function*() {
    const { request } = yield* Harness
    const response = yield* request("GET", `/v1/export?format=jsonl&resource=${encodeURIComponent(resource)}`, { token: TestToken })
    const lines = (yield* Effect.orDie(response.text)).split("\n").filter((line) => line !== "")
    return new Set(lines.map((line) => (JSON.parse(line) as { principal: string }).principal)).size
  })

layer(harness({ snapshot: generatePreset("small"), syncConnections: true, provisioning: true }), {
  excludeTestServices: true,
  timeout: 120_000
})("one resource's details over HTTP", (it) => {
  it.effect("a connection, its destination, a role, a team and a user; 404 for an id not in the sync, 400 for a bad type", () =>
    Effect.gen(function*() {
      const { client } = yield* Harness
      assert.deepStrictEqual(
        yield* answer("GET", "/v1/resources/connection/flying_panther"),
        {
          status: 404,
          body: { error: "NotFound", message: "no sync has finished yet; start one with POST /v1/syncs and wait for it to succeed" }
        }
      )
      const sync = yield* runSync
      assert.strictEqual(sync.status, "succeeded")

      // The resource is the one the listing has; the counts are its sheet's principals, and its destination's.
      const listed = yield* Effect.orDie(client.queries.resources({ urlParams: { q: "connection:flying_panther" } }))
      assert.deepStrictEqual(listed.items.map((item) => item.id.resource), ["flying_panther"])
      const connection = yield* Effect.orDie(client.queries.resourceDetails({ path: { type: "connection", id: "flying_panther" } }))
      assert.deepStrictEqual(connection, {
        sync_id: sync.id,
        resource: listed.items[0]!,
        parent_name: "events_archive",
        holders: 1,
        destination: { id: "group:trusty_inlet", name: "events_archive", holders: 16 }
      })
      assert.deepStrictEqual(connection.resource.parentResourceId, { resourceType: "group", resource: "trusty_inlet" })
      assert.deepStrictEqual(
        [yield* sheetPrincipals("connection:flying_panther"), yield* sheetPrincipals("group:trusty_inlet")],
        [1, 16]
      )

      const destination = yield* answer("GET", "/v1/resources/group/trusty_inlet")
      assert.strictEqual(destination.status, 200)
      assert.deepStrictEqual(
        (({ destination, holders, parent_name, sync_id }) => ({ sync_id, parent_name, holders, destination }))(
          destination.body as { sync_id: string; parent_name: string | null; holders: number; destination: unknown }
        ),
        { sync_id: sync.id, parent_name: null, holders: 16, destination: null }
      )

      // A role's id has spaces (URL-encoded in the path); a team is held by its members; a user holds, and is held by no one.
      const counts = yield* Effect.forEach(
        ["role/Account%20Administrator", "role/Account%20Reviewer", "team/sunny_barley", "user/early_mist"],
        (path) =>
          Effect.map(answer("GET", `/v1/resources/${path}`), ({ body, status }) => {
            const details = body as { resource: { id: { resourceType: string; resource: string } }; holders: number }
            return [status, `${details.resource.id.resourceType}:${details.resource.id.resource}`, details.holders]
          })
      )
      assert.deepStrictEqual(counts, [
        [200, "role:Account Administrator", 1],
        [200, "role:Account Reviewer", 15],
        [200, "team:sunny_barley", 5],
        [200, "user:early_mist", 0]
      ])

      assert.deepStrictEqual(yield* answer("GET", "/v1/resources/connection/no_such_connection"), {
        status: 404,
        body: { error: "NotFound", message: `connection no_such_connection is not in the latest sync (${sync.id})` }
      })
      // Another type's id is not found under this one.
      assert.deepStrictEqual(
        yield* Effect.flip(client.queries.resourceDetails({ path: { type: "group", id: "flying_panther" } })),
        new NotFound({ message: `group flying_panther is not in the latest sync (${sync.id})` })
      )
      assert.deepStrictEqual(yield* answer("GET", "/v1/resources/robot/flying_panther"), {
        status: 400,
        body: { error: "InvalidRequest", message: "type: must be one of user, role, group, team, connection", field: "type" }
      })
      assert.deepStrictEqual(yield* answer("GET", "/v1/resources/connection/flying_panther?holders=all"), {
        status: 400,
        body: {
          error: "InvalidRequest",
          message: "holders is not a field of this request (it takes no query parameters)",
          field: "holders"
        }
      })

      // The same path still deletes a user (provisioning), its GET beside it.
      assert.deepStrictEqual(yield* answer("DELETE", "/v1/resources/user/early_mist"), {
        status: 200,
        body: { status: "deleted", resource: { resourceType: "user", resource: "early_mist" }, message: "deleted user:early_mist" }
      })
    }))
})
