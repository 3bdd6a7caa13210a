import { HttpClient, HttpClientRequest } from "@effect/platform"
import { assert, layer } from "@effect/vitest"
import { Deferred, Effect, Fiber, Ref } from "effect"
import { harness, Harness, provisioningCall as call, TestToken } from "./Harness.js"

/**
 * Another admin writes between the service's read and its write: the sandbox holds the service's
 * write (its request hook) while that admin's request, sent straight to the sandbox with the same
 * key, goes through. The answer is the one a repeat gets, never a 404.
 */

/** The other admin's write, made the first time `METHOD /path` reaches the sandbox; answers its status. */
const meanwhile = (at: string, method: "POST" | "DELETE", path: string, body?: unknown) =>
  Effect.gen(function*() {
    const { apiKey, apiSecret, sandbox } = yield* Harness
    const http = yield* HttpClient.HttpClient
    const fired = yield* Ref.make(false)
    const status = yield* Ref.make(0)
    let request = HttpClientRequest.make(method)(`${sandbox.baseUrl}${path}`).pipe(
      HttpClientRequest.basicAuth(apiKey, apiSecret)
    )
    if (body !== undefined) request = HttpClientRequest.bodyUnsafeJson(request, body)
    const write = http.execute(request).pipe(
      Effect.flatMap((response) => Ref.set(status, response.status)),
      Effect.scoped,
      Effect.orDie
    )
    yield* sandbox.setRequestHook(({ method: m, path: p }) =>
      `${m} ${p}` !== at
        ? Effect.void
        : Effect.flatMap(Ref.getAndSet(fired, true), (done) => done ? Effect.void : write)
    )
    return Ref.get(status)
  })

/** The writes the sandbox has logged since it was last cleared, as `METHOD /path status`. */
const writesSeen = Effect.flatMap(
  Harness,
  ({ sandbox }) =>
    Effect.map(
      sandbox.requestLog,
      (log) => log.filter((entry) => entry.method !== "GET").map((entry) => `${entry.method} ${entry.path} ${entry.status}`)
    )
)

const grantPath = (grantId: string) => `/v1/grants/${encodeURIComponent(grantId)}`

layer(harness({ provisioning: true }), { excludeTestServices: true, timeout: 60_000 })("provisioning races", (it) => {
  it.effect("a revoke whose membership another admin removed meanwhile: 200 already_revoked", () =>
    Effect.gen(function*() {
      const { sandbox } = yield* Harness
      const { group_id, role, user_id } = (yield* sandbox.snapshot).user_groups[0]!
      const grantId = `group:${group_id}:${role}:user:${user_id}`
      const membership = `/v1/users/${user_id}/groups/${group_id}`
      const other = yield* meanwhile(`DELETE ${membership}`, "DELETE", membership)
      yield* sandbox.clearRequestLog

      assert.deepStrictEqual(yield* call("DELETE", grantPath(grantId)), {
        status: 200,
        body: { grant_id: grantId, status: "already_revoked", message: `already revoked: ${grantId}` }
      })
      assert.strictEqual(yield* other, 200)
      assert.deepStrictEqual(yield* writesSeen, [
        `DELETE ${membership} 200`,
        `DELETE ${membership} 404`
      ])
      yield* sandbox.setRequestHook(undefined)
    }))

  it.effect("a grant whose membership another admin added meanwhile: 200 already_exists", () =>
    Effect.gen(function*() {
      const { sandbox } = yield* Harness
      const before = yield* sandbox.snapshot
      const team = before.teams[0]!.id
      const user = before.users.find((u) => !before.team_users.some((row) => row.team_id === team && row.user_id === u.id))!.id
      const members = `/v1/teams/${team}/users`
      const other = yield* meanwhile(`POST ${members}`, "POST", members, { user_id: user, role: "Team Member" })
      yield* sandbox.clearRequestLog

      const answer = yield* call("POST", "/v1/grants", { entitlement_id: `team:${team}:member`, principal: { type: "user", id: user } })
      assert.deepStrictEqual(
        [answer.status, answer.body["status"], (answer.body["grants"] as ReadonlyArray<{ readonly id: string }>).map((g) => g.id)],
        [200, "already_exists", [`team:${team}:member:user:${user}`, `team:${team}:Team Member:user:${user}`]]
      )
      assert.strictEqual(yield* other, 201)
      assert.deepStrictEqual(yield* writesSeen, [
        `POST ${members} 201`,
        `POST ${members} 409`
      ])
      yield* sandbox.setRequestHook(undefined)
    }))

  it.effect("the first caller hanging up leaves the shared call running: its write is made", () =>
    Effect.gen(function*() {
      const { request, sandbox } = yield* Harness
      const before = yield* sandbox.snapshot
      const team = before.teams[2]!.id
      const user = before.users.find((u) => !before.team_users.some((row) => row.team_id === team && row.user_id === u.id))!.id
      const members = `/v1/teams/${team}/users`
      const arrived = yield* Deferred.make<void>()
      const release = yield* Deferred.make<void>()
      yield* sandbox.setRequestHook(({ method, path }) =>
        `${method} ${path}` === `POST ${members}`
          ? Effect.zipRight(Deferred.succeed(arrived, undefined), Deferred.await(release))
          : Effect.void
      )
      yield* sandbox.clearRequestLog
      const body = { entitlement_id: `team:${team}:member`, principal: { type: "user", id: user } }
      const first = yield* Effect.fork(request("POST", "/v1/grants", { token: TestToken, body }))
      yield* Deferred.await(arrived)
      // Its connection closes: the service interrupts that request, not the call it started.
      yield* Fiber.interrupt(first)
      yield* Deferred.succeed(release, undefined)
      const written = yield* writesSeen.pipe(Effect.delay("20 millis"), Effect.repeat({ until: (writes) => writes.length > 0 }))
      assert.deepStrictEqual(written, [`POST ${members} 201`])
      assert.deepStrictEqual(yield* call("POST", "/v1/grants", body).pipe(Effect.map((answer) => [answer.status, answer.body["status"]])), [
        200,
        "already_exists"
      ])
      yield* sandbox.setRequestHook(undefined)
    }))
})
