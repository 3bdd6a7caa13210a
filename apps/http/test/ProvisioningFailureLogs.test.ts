import { assert, layer } from "@effect/vitest"
import { Effect, Schedule } from "effect"
import { harness, Harness, provisioningCall as call } from "./Harness.js"

/**
 * What a provisioning request that Fivetran fails leaves in the log at debug: its request line, the
 * client's lines and the audit line, whose `outcome` says `upstream`. Before, identical requests'
 * shared call (SingleFlight.ts) ran in a fiber of its own whose failure, though every request waiting
 * on it was answered with it, was also logged as "Fiber terminated with an unhandled error" with the
 * error's text: an invitation's names the email asked for, which the audit line leaves out.
 */

const email = "unlogged.invitee@acmedata.com"

layer(harness({ provisioning: true, logLevel: "debug" }), { excludeTestServices: true, timeout: 60_000 })(
  "a provisioning request Fivetran fails",
  (it) => {
    it.effect("is answered 502 with the error, and no line logs the error again with the email", () =>
      Effect.gen(function*() {
        const { logs, sandbox } = yield* Harness
        yield* sandbox.setFaults({ serverErrorShare: 1, serverErrorStatuses: [503] })
        const answer = yield* call("POST", "/v1/accounts", {
          email,
          given_name: "Unlogged",
          family_name: "Invitee",
          role: "Account Reviewer"
        })
        yield* sandbox.setFaults({})
        assert.deepStrictEqual(answer, {
          status: 502,
          body: {
            error: "Upstream",
            message: `cannot create an account for ${email}: GET /v1/roles: Fivetran answered 503; nothing was changed in Fivetran ` +
              "(no write reached it, or Fivetran turned it away); sending the same request again is safe"
          }
        })
        // Read once the request's own line is written: the error logged again came after its answer.
        const lines = yield* logs.pipe(
          Effect.filterOrFail((all) => all.some((line) => line["msg"] === "http request" && line["route"] === "/v1/accounts")),
          Effect.retry(Schedule.spaced("20 millis")),
          Effect.timeout("10 seconds"),
          Effect.orDie
        )
        assert.deepStrictEqual(lines.filter((line) => line["msg"] === "provisioning action").map((line) => line["outcome"]), [
          "upstream"
        ])
        assert.deepStrictEqual(lines.filter((line) => JSON.stringify(line).includes(email)), [])
      }))
  }
)
