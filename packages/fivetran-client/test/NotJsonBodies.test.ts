import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { answeredBeforeBreaking } from "../src/RetryPolicy.js"
import { captureLogs } from "./support/CapturedLogs.js"
import { type Answer, scriptedServer } from "./support/LoopbackServer.js"
import { clientFor, tallied, TestApiSecret } from "./support/TestClient.js"

/**
 * A 2xx body that is whole but no JSON at all (a proxy or gateway that rewrote it) failed the call
 * at once with a JSON parser's words ("Expected double-quoted property name in JSON at position
 * 86"), where a body cut short is retried. A read is now retried alike, a write is not (Fivetran
 * answered 2xx, so it acted), and the error says what answered and what to check.
 */

const team = { id: "bright_otter", name: "Analysts", description: null, role: "Account Reviewer" }
const teamJson = JSON.stringify({ code: "Success", data: team })
/** The sandbox's malformed fault: a stray `,}` at the end of the whole body. */
const garbled = `${teamJson.slice(0, -1)},}`

const answering = (body: string): Answer => (response) => {
  response.writeHead(200, { "content-type": "application/json" })
  response.end(body)
}
const whole = answering(teamJson)

/** Backoff 0: a retry is sent at once, and a wrong one shows in the count. */
const noBackoff = { backoffBaseMillis: 0 }

const advice = "a proxy or gateway between may be rewriting answers; check the base URL and any proxy (HTTPS_PROXY, HTTP_PROXY) on the way"
const notJson = (endpoint: string) =>
  `${endpoint}: Fivetran answered 200, but its body is not JSON (${garbled.length} bytes, starting ` +
  `'{"code":"Success","data":{"id":"bright_o…'): ${advice}`

describe("a whole 2xx body that is no JSON", () => {
  // On the TestClock: the wait's `until` is the time it began, the clock's 0.
  it.scoped("answering a GET is retried, and the call succeeds when a repeat gets the body whole", () =>
    Effect.gen(function*() {
      const server = yield* scriptedServer([answering(garbled), whole])
      const logs = yield* captureLogs
      const client = yield* clientFor(server.baseUrl, noBackoff)
      const { counts, outcome } = yield* tallied(logs.provide(client.getTeam("bright_otter")))
      assert.deepStrictEqual(yield* outcome, team)
      assert.strictEqual(yield* server.requests, 2)
      assert.deepStrictEqual([counts.requests, counts.retries], [2, 1])
      const waits = (yield* logs.lines).filter((line) => line.text.startsWith("waiting"))
      assert.deepStrictEqual(waits.map((line) => line.text), [
        `waiting 0ms (until 1970-01-01T00:00:00Z) before retrying ${notJson("GET /v1/teams/bright_otter")}`
      ])
    }))

  it.scopedLive("answering a GET every time ends after the last attempt, saying what answered, what to check and how often", () =>
    Effect.gen(function*() {
      const server = yield* scriptedServer([answering(garbled)])
      const client = yield* clientFor(server.baseUrl, { ...noBackoff, maxAttempts: 3 })
      const error = yield* Effect.flip(client.getTeam("bright_otter"))
      assert.deepStrictEqual([error._tag, error.message], [
        "InvalidResponse",
        `${notJson("GET /v1/teams/bright_otter")}; gave up after 3 attempts`
      ])
      assert.strictEqual(yield* server.requests, 3)
    }))

  it.scopedLive("answering a POST, a PATCH or a DELETE is not repeated: Fivetran answered 2xx, so the write was made", () =>
    Effect.gen(function*() {
      const server = yield* scriptedServer([answering(garbled), answering(garbled), answering(garbled), whole])
      const client = yield* clientFor(server.baseUrl, noBackoff)
      const errors = yield* Effect.all([
        Effect.flip(client.createTeam({ name: "Analysts", role: "Account Reviewer" })),
        Effect.flip(client.updateTeam("bright_otter", { role: "Account Reviewer" })),
        Effect.flip(client.deleteTeam("bright_otter"))
      ])
      assert.deepStrictEqual(errors.map((error) => [error._tag, error.message, answeredBeforeBreaking(error)]), [
        ["InvalidResponse", notJson("POST /v1/teams"), true],
        ["InvalidResponse", notJson("PATCH /v1/teams/bright_otter"), true],
        ["InvalidResponse", notJson("DELETE /v1/teams/bright_otter"), true]
      ])
      assert.strictEqual(yield* server.requests, 3)
    }))

  for (
    const [name, body, shown] of [
      [
        "shows no more than its first 40 characters, a credential masked and control characters escaped",
        `\u001b[31m${TestApiSecret} denied\n${"x".repeat(200)}`,
        "\\u001b[31m<redacted> denied\\u000axxxxxxxxxxxxxxxxx…"
      ],
      [
        "an email among its first characters is shown as <email>: the error is logged, and the address is someone's",
        `user ada.lovelace@example.com may not read ${"x".repeat(200)}`,
        "user <email> may not read xxxxxxxxxxxxxx…"
      ]
    ] as const
  ) {
    it.scopedLive(name, () =>
      Effect.gen(function*() {
        const server = yield* scriptedServer([answering(body)])
        const client = yield* clientFor(server.baseUrl, { ...noBackoff, maxAttempts: 1 })
        const error = yield* Effect.flip(client.getTeam("bright_otter"))
        assert.strictEqual(
          error.message,
          `GET /v1/teams/bright_otter: Fivetran answered 200, but its body is not JSON (${body.length} bytes, starting ` +
            `'${shown}'): ${advice}`
        )
      }))
  }

  it.scopedLive("an empty body is said to be empty", () =>
    Effect.gen(function*() {
      const server = yield* scriptedServer([answering("")])
      const client = yield* clientFor(server.baseUrl, { ...noBackoff, maxAttempts: 2 })
      const error = yield* Effect.flip(client.getTeam("bright_otter"))
      assert.strictEqual(
        error.message,
        `GET /v1/teams/bright_otter: Fivetran answered 200, but its body is empty, not JSON: ${advice}; gave up after 2 attempts`
      )
      assert.strictEqual(yield* server.requests, 2)
    }))
})
