import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Option, TestClock } from "effect"
import { captureLogs } from "./support/CapturedLogs.js"
import { json, startServer } from "./support/ScriptedServer.js"
import { clientFor, pollUntil } from "./support/TestClient.js"

/**
 * Two requests held back for the same freed slot: one took it, the other waited again for the next
 * slot, 3 ms later, and warned `waiting 3ms ...` after the warning that had announced the wait (the
 * first request's wait had ended, so the second's next turn started a stretch of its own). A
 * request's further turn this short is now said at debug; its first wait still warns.
 */

const teamBody = { code: "Success", data: { id: "bright_otter", name: "Analysts", description: null, role: "Account Reviewer" } }

/** 10 requests a 10 s window, 20% (2) kept in reserve: 3 left after the first answer, 2 after the others. */
const budgetHeaders = (remaining: number) => ({
  "X-Rate-Limit": "10",
  "X-Rate-Limit-Remaining": String(remaining),
  "X-Rate-Limit-Window-Seconds": "10"
})

const reason =
  "the account's rate-limit budget is down to ~2 of 10 requests, the 2 kept in reserve for other tools (rate-limit-reserve 20%)"

describe("a reserve wait taking more than one turn", () => {
  it.scoped("warns once: the request that waits again 3 ms for the next slot says so at debug", () =>
    Effect.gen(function*() {
      const server = yield* startServer((_, index) => json(200, teamBody, budgetHeaders(index === 0 ? 3 : 2)))
      const client = yield* clientFor(server.baseUrl, { requestTimeoutSeconds: 600 })
      const logs = yield* captureLogs
      const waitLines = Effect.map(logs.lines, (lines) => lines.filter((line) => line.message.startsWith("waiting ")))
      const waitLinesReach = (count: number) =>
        pollUntil(`${count} wait lines`, Effect.map(waitLines, (lines) => lines.length >= count ? Option.some(lines) : Option.none()))
      // Answered at 0 ms and at 3 ms: they leave the window at 10,000 ms and 10,003 ms.
      yield* client.getTeam("bright_otter")
      yield* TestClock.adjust(3)
      yield* client.getTeam("bright_otter")

      // Both wait for the slot freed at 10,000 ms; one takes it, the other waits for 10,003 ms.
      const held = yield* Effect.fork(
        logs.provide(Effect.all([client.getTeam("bright_otter"), client.getTeam("bright_otter")], { concurrency: 2 }))
      )
      yield* waitLinesReach(2)
      yield* TestClock.adjust(9_997)
      yield* waitLinesReach(3)
      yield* TestClock.adjust(3)
      yield* Fiber.join(held)
      assert.strictEqual((yield* server.requests).length, 4)

      assert.deepStrictEqual((yield* waitLines).map((line) => [line.level, line.message, line.annotations["wait_ms"]]), [
        ["WARN", `waiting 10.0s (until 1970-01-01T00:00:10Z) before sending GET /v1/teams/bright_otter: ${reason}`, 9_997],
        ["DEBUG", `waiting 10.0s (until 1970-01-01T00:00:10Z) before sending GET /v1/teams/bright_otter: ${reason}`, 9_997],
        ["DEBUG", `waiting 3ms (until 1970-01-01T00:00:10Z) before sending GET /v1/teams/bright_otter: ${reason}`, 3]
      ])
    }))
})
