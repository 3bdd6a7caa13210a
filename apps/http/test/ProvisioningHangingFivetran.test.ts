import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { serviceOverSilentFivetran } from "./SilentFivetran.js"

/**
 * --max-provisioning-wait bounded a provisioning request's repeats, but its first attempt had the
 * whole --request-timeout: against a Fivetran that took the connection and never answered, a caller
 * with a 2 s cap waited the request timeout (30 s by default, up to 10 min). The first attempt now
 * ends at the cap too, and nothing is tried again once it has passed.
 */

const Token = "provisioning-hang-test-token-01"

describe("a provisioning request against a Fivetran that never answers (the service process)", () => {
  it.scopedLive(
    "is answered when --max-provisioning-wait runs out, not at --request-timeout, after one attempt",
    () =>
      Effect.gen(function*() {
        const { fivetran, service } = yield* serviceOverSilentFivetran(Token, [
          "--provisioning",
          "--max-provisioning-wait",
          "2s",
          "--request-timeout",
          "10m"
        ])
        // Far below the request timeout: before, the answer came only after it.
        const answer = yield* Effect.promise(() =>
          fetch(`${service.url}/v1/resources/user/dee`, { method: "DELETE", headers: { authorization: `Bearer ${Token}` } })
            .then(async (response) => ({ status: response.status, body: await response.json() as unknown }))
        ).pipe(Effect.timeoutFail({ duration: "60 seconds", onTimeout: () => "no answer within 60 s: held past the cap" }))
        assert.deepStrictEqual(answer, {
          status: 502,
          body: {
            error: "Upstream",
            message: "cannot delete user:dee: GET /v1/users/dee: could not reach Fivetran: no complete response before " +
              "max-provisioning-wait (2.0s) ran out; nothing was changed in Fivetran (no write reached it, or Fivetran turned " +
              "it away); sending the same request again is safe"
          }
        })
        // The delete reads the user and the account at once: one attempt of each, neither repeated.
        assert.deepStrictEqual([...(yield* fivetran.requestLines)].sort(), [
          "GET /v1/account/info HTTP/1.1",
          "GET /v1/users/dee HTTP/1.1"
        ])
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )
})
