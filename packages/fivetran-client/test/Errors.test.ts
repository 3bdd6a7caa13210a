import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Stream, TestClock } from "effect"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { User_2_2 } from "./fixtures/ApiExamples.js"
import { json, startServer, text } from "./support/ScriptedServer.js"
import { awaitRequestsThenAdvance, clientFor, closedPort } from "./support/TestClient.js"

const user = User_2_2.data

/** One attempt only: these tests are about classification, retries have their own suite. */
const once = { maxAttempts: 1 }

describe("errors from real HTTP responses", () => {
  it.scoped("401 => Unauthorized", () =>
    Effect.gen(function*() {
      const server = yield* startServer(() => json(401, { code: "AuthFailed", message: "Invalid authorization credentials" }))
      const client = yield* clientFor(server.baseUrl, once)
      const error = yield* Effect.flip(client.accountInfo)
      assert.strictEqual(error._tag, "Unauthorized")
      assert.strictEqual(error.endpoint, "GET /v1/account/info")
      assert.include(error.message, "401 AuthFailed")
    }))

  it.scoped("a long id in the path is shown cut in the error, as ids are everywhere else", () =>
    Effect.gen(function*() {
      const server = yield* startServer(() => json(404, { code: "NotFound_User", message: "no such user" }))
      const client = yield* clientFor(server.baseUrl, once)
      const id = "x".repeat(8192)
      const error = yield* Effect.flip(client.getUser(id))
      const [request] = yield* server.requests
      assert.strictEqual(request?.path, `/v1/users/${id}`)
      assert.strictEqual(error.endpoint, `GET /v1/users/${"x".repeat(128)}…(8192 characters)`)
      assert.strictEqual(error.message, `GET /v1/users/${"x".repeat(128)}…(8192 characters): not found (404 NotFound_User): no such user`)
    }))

  it.scoped("403 => Forbidden naming the system-key permission", () =>
    Effect.gen(function*() {
      const server = yield* startServer(() => json(403, { code: "Forbidden", message: "no" }))
      const client = yield* clientFor(server.baseUrl, once)
      const read = yield* Effect.flip(Stream.runDrain(client.listTeams))
      assert.strictEqual(read._tag, "Forbidden")
      assert.strictEqual(
        read.message,
        "GET /v1/teams: the API key is not allowed to do this (403 Forbidden); it needs the TEAM:READ permission"
      )
      const write = yield* Effect.flip(client.userGroups.add("quiet_harbor", { id: "amber_falcon", role: "Manage Destination" }))
      assert.strictEqual(write._tag, "Forbidden")
      assert.include(write.message, "USER:MANAGE")
      assert.strictEqual(write.endpoint, "POST /v1/users/quiet_harbor/groups")
    }))

  it.scoped("404 => NotFound with Fivetran's code; a non-JSON 404 still maps", () =>
    Effect.gen(function*() {
      const server = yield* startServer((request) =>
        request.path === "/v1/teams/bright_otter"
          ? json(404, { code: "NotFound_Team", message: "Team with id 'bright_otter' doesn't exist" })
          : text(404, "<html>Not Found</html>", "text/html")
      )
      const client = yield* clientFor(server.baseUrl, once)
      const team = yield* Effect.flip(client.getTeam("bright_otter"))
      assert.strictEqual(team._tag, "NotFound")
      if (team._tag === "NotFound") {
        assert.strictEqual(team.code, "NotFound_Team")
        assert.strictEqual(team.detail, "Team with id 'bright_otter' doesn't exist")
        assert.strictEqual(team.endpoint, "GET /v1/teams/bright_otter")
      }
      const html = yield* Effect.flip(client.getUser("gone"))
      assert.strictEqual(html._tag, "NotFound")
      if (html._tag === "NotFound") assert.strictEqual(html.code, "NotFound")
    }))

  it.scoped("409 => Conflict, 400 and 415 => BadRequest", () =>
    Effect.gen(function*() {
      const server = yield* startServer((request) =>
        request.path.endsWith("/groups")
          ? json(409, { code: "Conflict", message: "duplicate role assignment" })
          : request.path === "/v1/users"
          ? json(400, { code: "InvalidInput", message: "email is required" })
          : json(415, { code: "UnsupportedMediaType", message: "use application/json" })
      )
      const client = yield* clientFor(server.baseUrl, once)
      const conflict = yield* Effect.flip(client.teamGroups.add("t1", { id: "g1", role: "Manage Destination" }))
      assert.strictEqual(conflict._tag, "Conflict")
      assert.include(conflict.message, "duplicate role assignment")
      const bad = yield* Effect.flip(client.inviteUser({ email: "", given_name: "A", family_name: "B" }))
      assert.strictEqual(bad._tag, "BadRequest")
      if (bad._tag === "BadRequest") {
        assert.strictEqual(bad.status, 400)
        assert.strictEqual(bad.code, "InvalidInput")
      }
      const media = yield* Effect.flip(client.updateGroup("g1", { name: "x" }))
      assert.strictEqual(media._tag, "BadRequest")
      if (media._tag === "BadRequest") assert.strictEqual(media.status, 415)
    }))

  it.scoped("429 => RateLimited carrying Retry-After", () =>
    Effect.gen(function*() {
      const server = yield* startServer(() => json(429, { code: "TooManyRequests", message: "slow down" }, { "Retry-After": "17" }))
      const client = yield* clientFor(server.baseUrl, once)
      const error = yield* Effect.flip(client.getTeam("t1"))
      assert.strictEqual(error._tag, "RateLimited")
      if (error._tag === "RateLimited") assert.strictEqual(error.retryAfterSeconds, 17)
    }))

  it.scoped("500, 502 and 503 => ServerError with the status; a non-JSON body is fine", () =>
    Effect.gen(function*() {
      const statuses = [500, 502, 503]
      const server = yield* startServer((_, index) => text(statuses[index]!, "upstream trouble"))
      const client = yield* clientFor(server.baseUrl, once)
      for (const status of statuses) {
        const error = yield* Effect.flip(client.getGroup("g1"))
        assert.strictEqual(error._tag, "ServerError")
        if (error._tag === "ServerError") assert.strictEqual(error.status, status)
      }
    }))

  it.scoped("connection refused => Transport (connectFailed)", () =>
    Effect.gen(function*() {
      const port = yield* closedPort
      const client = yield* clientFor(`http://127.0.0.1:${port}`, once)
      const error = yield* Effect.flip(client.accountInfo)
      assert.strictEqual(error._tag, "Transport")
      if (error._tag === "Transport") {
        assert.strictEqual(error.connectFailed, true)
        assert.include(error.reason, "ECONNREFUSED")
      }
    }))

  it.scoped("a body cut short by a broken connection => Transport", () =>
    Effect.gen(function*() {
      const node = createServer((_, response) => {
        response.writeHead(200, { "content-type": "application/json", "content-length": "1000" })
        response.write(`{"code":"Success","data":{"items":[`, () => response.socket?.destroy())
      })
      yield* Effect.acquireRelease(
        Effect.promise(() => new Promise<void>((resolve) => node.listen(0, "127.0.0.1", resolve))),
        () => Effect.sync(() => node.close())
      )
      const { port } = node.address() as AddressInfo
      const client = yield* clientFor(`http://127.0.0.1:${port}`, once)
      const error = yield* Effect.flip(Stream.runDrain(client.listUsers))
      assert.strictEqual(error._tag, "Transport")
      if (error._tag === "Transport") {
        assert.strictEqual(error.connectFailed, false)
        assert.include(error.reason, "the connection broke while reading the response")
      }
    }))

  it.scoped("no response within requestTimeoutSeconds => Transport naming its setting, request-timeout", () =>
    Effect.gen(function*() {
      const server = yield* startServer(() => Effect.never)
      const client = yield* clientFor(server.baseUrl, { ...once, requestTimeoutSeconds: 12 })
      const fiber = yield* Effect.fork(Effect.flip(client.getTeam("t1")))
      yield* awaitRequestsThenAdvance(server.requests, "12 seconds")
      const error = yield* fiber
      assert.strictEqual(error._tag, "Transport")
      assert.strictEqual(error.message, "GET /v1/teams/t1: could not reach Fivetran: no complete response within request-timeout (12.0s)")
    }))

  it.scoped("an answer still arriving at the timeout => Transport saying it was slow, with the bytes read", () =>
    Effect.gen(function*() {
      const bodyStarted = yield* Deferred.make<void>()
      const node = createServer((_, response) => {
        response.writeHead(200, { "content-type": "application/json", "content-length": "1000" })
        response.write(`{"code":"Success"`, () => Deferred.unsafeDone(bodyStarted, Exit.void))
      })
      yield* Effect.acquireRelease(
        Effect.promise(() => new Promise<void>((resolve) => node.listen(0, "127.0.0.1", resolve))),
        () =>
          Effect.sync(() => {
            node.closeAllConnections()
            node.close()
          })
      )
      const { port } = node.address() as AddressInfo
      const client = yield* clientFor(`http://127.0.0.1:${port}`, { ...once, requestTimeoutSeconds: 12 })
      const fiber = yield* Effect.fork(Effect.flip(client.getTeam("t1")))
      yield* Deferred.await(bodyStarted)
      // The client reads what was sent in its socket's callback; then the deadline passes.
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 200)))
      yield* TestClock.adjust("12 seconds")
      const error = yield* fiber
      assert.strictEqual(
        error.message,
        "GET /v1/teams/t1: Fivetran answered 200, but its answer did not arrive whole: no complete response within request-timeout (12.0s): " +
          "it was still arriving, 17 bytes in (a slow connection or server)"
      )
    }))

  it.scoped("malformed JSON => InvalidResponse with an empty field", () =>
    Effect.gen(function*() {
      const server = yield* startServer(() => text(200, `{"code":"Success","data":{"id":`, "application/json"))
      const client = yield* clientFor(server.baseUrl, once)
      const error = yield* Effect.flip(client.getUser("quiet_harbor"))
      assert.strictEqual(error._tag, "InvalidResponse")
      if (error._tag === "InvalidResponse") {
        assert.strictEqual(error.field, "")
        assert.strictEqual(error.endpoint, "GET /v1/users/quiet_harbor")
      }
    }))

  it.scoped("a wrong field type or a missing field => InvalidResponse naming the field path", () =>
    Effect.gen(function*() {
      const server = yield* startServer((request) =>
        request.path === "/v1/users"
          ? json(200, {
            code: "Success",
            data: { items: [user, { ...user, id: "second", active: "yes" }], next_cursor: null }
          })
          : json(200, { code: "Success", data: { account_id: "lunar_meadow", user_id: null, system_key_id: null } })
      )
      const client = yield* clientFor(server.baseUrl, once)
      const wrongType = yield* Effect.flip(Stream.runDrain(client.listUsers))
      assert.strictEqual(wrongType._tag, "InvalidResponse")
      if (wrongType._tag === "InvalidResponse") {
        assert.strictEqual(wrongType.field, "data.items[1].active")
        assert.include(wrongType.message, "GET /v1/users: unexpected response body at data.items[1].active")
      }
      const missing = yield* Effect.flip(client.accountInfo)
      assert.strictEqual(missing._tag, "InvalidResponse")
      if (missing._tag === "InvalidResponse") assert.strictEqual(missing.field, "data.account_name")
    }))

  it.scoped("a nested array element of the wrong type => InvalidResponse naming data.items[0].scope[1]", () =>
    Effect.gen(function*() {
      const role = {
        name: "Account Reviewer",
        description: "Read-only",
        is_custom: false,
        scope: ["ACCOUNT", 7],
        is_deprecated: null,
        replacement_role_name: null
      }
      const server = yield* startServer(() => json(200, { code: "Success", data: { items: [role], next_cursor: null } }))
      const client = yield* clientFor(server.baseUrl, once)
      const error = yield* Effect.flip(Stream.runDrain(client.listRoles))
      assert.strictEqual(error._tag === "InvalidResponse" ? error.field : error._tag, "data.items[0].scope[1]")
    }))

  it.scoped("control and bidi characters an upstream sends reach an error as \\u escapes, never raw to a terminal", () =>
    Effect.gen(function*() {
      const server = yield* startServer((request) =>
        request.path === "/v1/users"
          ? json(400, { code: "Invalid\u0007Input", message: "no\r\nerror: sync complete\u001b]0;owned\u0007 Team \u202Edelbane\u202C" })
          : text(200, "\u001b[2Jhello", "text/html")
      )
      const client = yield* clientFor(server.baseUrl, once)
      const refused = yield* Effect.flip(client.inviteUser({ email: "ada@example.com", given_name: "A", family_name: "B" }))
      assert.strictEqual(
        refused.message,
        "POST /v1/users: Fivetran refused the request (400 Invalid\\u0007Input): no\\u000d\\u000aerror: sync complete\\u001b]0;owned\\u0007 " +
          "Team \\u202edelbane\\u202c"
      )
      const notJson = yield* Effect.flip(client.getUser("quiet_harbor"))
      assert.strictEqual(
        notJson.message,
        "GET /v1/users/quiet_harbor: Fivetran answered 200, but its body is not JSON (9 bytes, starting '\\u001b[2Jhello'): a proxy " +
          "or gateway between may be rewriting answers; check the base URL and any proxy (HTTPS_PROXY, HTTP_PROXY) on the way"
      )
      for (const error of [refused, notJson]) assert.notMatch(error.message, /[\p{Cc}\u202a-\u202e]/u)
    }))

  it.scoped("a void call accepts an empty 204 but rejects a 200 body without code", () =>
    Effect.gen(function*() {
      const server = yield* startServer((_, index) => index === 0 ? text(204, "") : json(200, { message: "Team has been deleted" }))
      const client = yield* clientFor(server.baseUrl, once)
      yield* client.deleteTeam("t1")
      const error = yield* Effect.flip(client.deleteTeam("t1"))
      assert.strictEqual(error._tag, "InvalidResponse")
      if (error._tag === "InvalidResponse") assert.strictEqual(error.field, "code")
    }))
})
