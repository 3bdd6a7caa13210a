import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Option, TestClock } from "effect"
import { captureLogs } from "./support/CapturedLogs.js"
import { json, startServer } from "./support/ScriptedServer.js"
import { awaitRequests, clientFor, pollUntil } from "./support/TestClient.js"

/**
 * Fivetran's budget is the account's, and another client of it (a second sync, the HTTP service)
 * spends it too: an answer may say that none is left while requests of this client sent after it
 * are still out, which the estimate counts as spent beyond it. A wait then said the budget was
 * "down to ~-1 of 10 requests" (seen with two syncs of one account at once); no budget is below none.
 */

const teamBody = { code: "Success", data: { id: "bright_otter", name: "Analysts", description: null, role: "Account Reviewer" } }

/** 10 requests a 10 s window, 20% (2) kept in reserve. */
const budgetHeaders = (remaining: number) => ({
  "X-Rate-Limit": "10",
  "X-Rate-Limit-Remaining": String(remaining),
  "X-Rate-Limit-Window-Seconds": "10"
})

describe("a budget another client spent while this one's requests were out", () => {
  it.scoped("a wait says it is down to ~0, not below", () =>
    Effect.gen(function*() {
      // The first answer leaves 6; the second and third requests are answered when the test says.
      const answers = [yield* Deferred.make<number>(), yield* Deferred.make<number>()]
      const server = yield* startServer((_, index) =>
        index === 1 || index === 2
          ? Effect.flatMap(Deferred.await(answers[index - 1]!), (remaining) => json(200, teamBody, budgetHeaders(remaining)))
          : json(200, teamBody, budgetHeaders(index === 0 ? 6 : 0))
      )
      const client = yield* clientFor(server.baseUrl, { requestTimeoutSeconds: 600 })
      const logs = yield* captureLogs
      yield* client.getTeam("bright_otter")
      const second = yield* Effect.fork(client.getTeam("bright_otter"))
      yield* awaitRequests(server.requests, 2)
      const third = yield* Effect.fork(client.getTeam("bright_otter"))
      yield* awaitRequests(server.requests, 3)
      // Another client spent the rest: the second's answer says none is left, the third still out.
      yield* Deferred.succeed(answers[0]!, 0)
      yield* Fiber.join(second)
      const fourth = yield* Effect.fork(logs.provide(client.getTeam("bright_otter")))
      const waitLine = yield* pollUntil(
        "a wait line",
        Effect.map(logs.lines, (lines) => Option.fromNullable(lines.find((line) => line.text.startsWith("waiting "))))
      )
      // Before: "down to ~-1 of 10 requests".
      assert.strictEqual(
        waitLine.text,
        "waiting 10.0s (until 1970-01-01T00:00:10Z) before sending GET /v1/teams/bright_otter: the account's rate-limit " +
          "budget is down to ~0 of 10 requests, the 2 kept in reserve for other tools (rate-limit-reserve 20%)"
      )
      yield* Deferred.succeed(answers[1]!, 0)
      yield* Fiber.join(third)
      yield* TestClock.adjust(10_000)
      yield* Fiber.join(fourth)
      assert.strictEqual((yield* server.requests).length, 4)
    }), 30_000)
})
