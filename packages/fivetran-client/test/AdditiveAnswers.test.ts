import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { Roles_6, User_2_2 } from "./fixtures/ApiExamples.js"
import { json, startServer } from "./support/ScriptedServer.js"
import { clientFor } from "./support/TestClient.js"

/**
 * Fivetran changes its API without a new version when the change is additive: a new role scope
 * (connectors became connections in 2024), a new user type, new fields and objects. One such value
 * in one answer failed the decoding of the whole list, so every sync and every provisioning call of
 * the account, until a release. The real client against a loopback server answering as Fivetran
 * would the day after.
 */

const once = { maxAttempts: 1 }

const [reviewer] = Roles_6.data.items
const user = User_2_2.data

/** Fields Fivetran may add to any object: a scalar, a new object, a list of objects. */
const added = { created_by: "quiet_harbor", settings: { sso: { enforced: true } }, permissions: [{ resource: "ACCOUNT", level: "READ" }] }

const page = (items: ReadonlyArray<unknown>) => ({ code: "Success", request_id: "r-1", data: { items, next_cursor: null } })

const collect = <A, E>(stream: Stream.Stream<A, E>) => Effect.map(Stream.runCollect(stream), Chunk.toArray)

describe("answers with what Fivetran may add", () => {
  it.scopedLive("a role of a scope this client does not know decodes, its scopes as sent; fields added are dropped", () =>
    Effect.gen(function*() {
      const organizationOwner = { ...reviewer, name: "Organization Owner", scope: ["ORGANIZATION"] }
      const connectionAdmin = { ...reviewer, name: "Connection Admin", scope: ["CONNECTOR", "CONNECTION"] }
      const server = yield* startServer(() =>
        json(200, page([{ ...reviewer, ...added }, { ...organizationOwner, ...added }, { ...connectionAdmin, ...added }]))
      )
      const client = yield* clientFor(server.baseUrl, once)
      assert.deepStrictEqual<ReadonlyArray<unknown>>(yield* collect(client.listRoles), [reviewer, organizationOwner, connectionAdmin])
    }))

  it.scopedLive("a user of a user_type this client does not know decodes, as the user lists and the user reads give it", () =>
    Effect.gen(function*() {
      const agent = { ...user, id: "lone_kestrel", user_type: "AGENT_ACCOUNT" }
      const server = yield* startServer((request) =>
        request.path === "/v1/users"
          ? json(200, page([{ ...agent, ...added }]))
          : json(200, { code: "Success", data: { ...agent, ...added } })
      )
      const client = yield* clientFor(server.baseUrl, once)
      assert.deepStrictEqual<ReadonlyArray<unknown>>(yield* collect(client.listUsers), [agent])
      assert.deepStrictEqual<unknown>(yield* client.getUser("lone_kestrel"), agent)
      assert.deepStrictEqual<unknown>(yield* client.updateUser("lone_kestrel", { given_name: "Ana" }), agent)
    }))

  it.scopedLive("what is no addition still fails, naming the field: a scope that is no list, a user_type that is no string", () =>
    Effect.gen(function*() {
      const server = yield* startServer((request) =>
        request.path === "/v1/roles"
          ? json(200, page([reviewer, { ...reviewer, scope: "ACCOUNT" }]))
          : json(200, page([{ ...user, user_type: 2 }]))
      )
      const client = yield* clientFor(server.baseUrl, once)
      const roles = yield* Effect.flip(Stream.runDrain(client.listRoles))
      const users = yield* Effect.flip(Stream.runDrain(client.listUsers))
      assert.deepStrictEqual(
        [roles, users].map((error) => error._tag === "InvalidResponse" ? [error.endpoint, error.field] : [error._tag]),
        [["GET /v1/roles", "data.items[1].scope"], ["GET /v1/users", "data.items[0].user_type"]]
      )
    }))
})
