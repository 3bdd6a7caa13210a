import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { harness, Harness, provisioningCall as call, runSync, TestToken } from "./Harness.js"

/**
 * Ids of many kilobytes, in a request body or a path: the answer's message shows the first 128
 * characters and the length (connector-core's `echoed`), not the whole id.
 */

layer(harness({ provisioning: true }), { excludeTestServices: true, timeout: 60_000 })("ids echoed in answers", (it) => {
  it.effect("a grant with a 16 KB entitlement id, or a 10 KB user id, names each by its start and length", () =>
    Effect.gen(function*() {
      const { sandbox } = yield* Harness
      const team = (yield* sandbox.snapshot).teams[0]!.id
      const answers = [
        yield* call("POST", "/v1/grants", { entitlement_id: "x".repeat(16_384), principal: { type: "user", id: "nobody" } }),
        yield* call("POST", "/v1/grants", { entitlement_id: `team:${team}:member`, principal: { type: "user", id: "u".repeat(10_240) } })
      ]
      assert.deepStrictEqual(answers, [
        {
          status: 400,
          body: {
            error: "InvalidId",
            message: `invalid entitlement id "${"x".repeat(128)}…(16384 characters)": it needs at least two ':' separators ` +
              "(expected <type>:<id>:<slug>, e.g. group:<group id>:View Destination)"
          }
        },
        { status: 404, body: { error: "UnknownPrincipal", message: `user ${"u".repeat(128)}…(10240 characters) does not exist` } }
      ])
    }))

  it.effect("the access of a 10 KB principal id is 404 naming it by its start and length", () =>
    Effect.gen(function*() {
      const { request } = yield* Harness
      const sync = yield* runSync
      const response = yield* request("GET", `/v1/principals/user/${"u".repeat(10_240)}/access`, { token: TestToken })
      assert.deepStrictEqual([response.status, yield* Effect.orDie(response.json)], [404, {
        error: "NotFound",
        message: `user ${"u".repeat(128)}…(10240 characters) is not in the latest sync (${sync.id})`
      }])
    }))
})
