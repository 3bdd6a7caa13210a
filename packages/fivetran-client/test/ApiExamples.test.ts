import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import * as Examples from "./fixtures/ApiExamples.js"
import { json, startServer } from "./support/ScriptedServer.js"
import { clientFor } from "./support/TestClient.js"

/** Serves each example at the endpoint that returns it. */
const routes: Record<string, readonly [number, unknown]> = {
  "GET /v1/groups": [200, Examples.Pagination_1_6],
  "GET /v1/teams/bright_otter": [404, Examples.NotFound_1_5],
  "GET /v1/users/quiet_harbor": [200, Examples.User_2_2],
  "POST /v1/groups/amber_falcon/users": [200, Examples.AddGroupUser_3_2],
  "POST /v1/users/quiet_harbor/groups": [201, Examples.MembershipCreated_5_3],
  "GET /v1/roles": [200, Examples.Roles_6],
  "GET /v1/account/info": [200, Examples.AccountInfo_7],
  "GET /v1/groups/amber_falcon/users": [200, Examples.GroupUsers_3_2],
  "POST /v1/users": [201, Examples.Invited_2_1],
  "POST /v1/teams": [201, Examples.Team_4_1],
  "GET /v1/teams/bright_otter/users": [200, Examples.TeamUsers_4_2],
  "GET /v1/connections": [200, Examples.Connections_12],
  "DELETE /v1/teams/bright_otter": [200, Examples.Deleted]
}

const collect = <A, E>(stream: Stream.Stream<A, E>) => Effect.map(Stream.runCollect(stream), Chunk.toArray)

/**
 * The body with fields Fivetran may add (a scalar, an object, a list of objects) in every object,
 * the envelope and each nested one included: the API adds fields without a new version.
 */
const withAddedFields = (body: unknown): unknown =>
  Array.isArray(body)
    ? body.map(withAddedFields)
    : typeof body === "object" && body !== null
    ? {
      ...Object.fromEntries(Object.entries(body).map(([key, value]) => [key, withAddedFields(value)])),
      added_note: "new",
      added_settings: { sso: { enforced: true }, role: null },
      added_grants: [{ scope: "ORGANIZATION", role: "Owner" }]
    }
    : body

describe("docs/fivetran-api.md examples decode", () => {
  it.scopedLive.each(
    [["as documented", (body: unknown) => body], ["with fields Fivetran may add in every object", withAddedFields]] as const
  )(
    "every example body decodes to the expected values: %s",
    ([, answer]) =>
      Effect.gen(function*() {
        const server = yield* startServer((request) => {
          const [status, body] = routes[`${request.method} ${request.path}`] ?? [500, { code: "NoRoute" }]
          // The pagination example has a next page: answer it with an empty last page.
          return request.query["cursor"] === undefined
            ? json(status, answer(body))
            : json(200, { code: "Success", data: { items: [], next_cursor: null } })
        })
        const client = yield* clientFor(server.baseUrl, { maxAttempts: 1 })

        assert.deepStrictEqual(yield* collect(client.listGroups), Examples.Pagination_1_6.data.items)
        const missing = yield* Effect.flip(client.getTeam("bright_otter"))
        assert.strictEqual(missing._tag === "NotFound" ? missing.code : missing._tag, "NotFound_Team")
        assert.deepStrictEqual(yield* client.getUser("quiet_harbor"), Examples.User_2_2.data)
        yield* client.addGroupUser("amber_falcon", { email: "ana.ruiz@example.com", role: "View Destination" })
        assert.deepStrictEqual(
          yield* client.userGroups.add("quiet_harbor", { id: "amber_falcon", role: "Manage Destination" }),
          Examples.MembershipCreated_5_3.data
        )
        assert.deepStrictEqual<ReadonlyArray<unknown>>(yield* collect(client.listRoles), Examples.Roles_6.data.items)
        assert.deepStrictEqual(yield* client.accountInfo, Examples.AccountInfo_7.data)
        const groupUsers = yield* collect(client.listGroupUsers("amber_falcon"))
        assert.deepStrictEqual(groupUsers.map((u) => [u.id, u.role]), [["quiet_harbor", "View Destination"], [
          "slate_heron",
          null
        ]])
        const invited = yield* client.inviteUser({ email: "ana.ruiz@example.com", given_name: "Ana", family_name: "Ruiz" })
        assert.deepStrictEqual([invited.invited, invited.verified, invited.logged_in_at, invited.user_type], [
          true,
          false,
          null,
          "REGULAR_USER"
        ])
        assert.isFalse("some_future_field" in invited)
        assert.deepStrictEqual(
          yield* client.createTeam({ name: "Analysts", description: "BI team", role: "Account Reviewer" }),
          Examples.Team_4_1.data
        )
        assert.deepStrictEqual(yield* collect(client.listTeamUsers("bright_otter")), Examples.TeamUsers_4_2.data.items)
        const [connection] = yield* collect(client.listConnections())
        assert.deepStrictEqual(connection, {
          id: "iodine_wreck",
          group_id: "amber_falcon",
          service: "salesforce",
          schema: "salesforce_prod",
          connected_by: "quiet_harbor",
          created_at: "2024-06-01T10:00:00.000000Z",
          paused: false,
          status: { setup_state: "connected", sync_state: "scheduled" }
        })
        yield* client.deleteTeam("bright_otter")

        const seen = yield* server.requests
        assert.strictEqual(seen.length, 14)
        assert.deepStrictEqual(seen.filter((r) => !(`${r.method} ${r.path}` in routes)), [])
      })
  )
})
