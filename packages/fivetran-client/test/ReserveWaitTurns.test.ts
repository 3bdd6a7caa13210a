import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Option, TestClock } from "effect"
import { captureLogs } from "./support/CapturedLogs.js"
import { json, startServer } from "./support/ScriptedServer.js"
import { clientFor, pollUntil } from "./support/TestClient.js"

/**
 * Two requests held back for the same freed slot: one took it, the other waited again for the next
 * slot, 3 ms later, and warned `waiting 3ms ...` after the warning that had announced the wait (the
 * first request's wait had ended, so the second's next turn started a stretch of its own). A
 * request's further turn this short (2 s or less) is now said at debug; its first wait, and a
 * further turn over 2 s, still warn.
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

/**
 * The second answer at `secondAnswerMillis`: the requests held back wait for the first slot (freed at
 * 10,000 ms), the one that lost it for the second (freed a window after the second answer).
 */
const cases = [
  {
    name: "warns once: the request that waits again 3 ms for the next slot says so at debug",
    secondAnswerMillis: 3,
    first: "waiting 10.0s (until 1970-01-01T00:00:10Z)",
    further: ["DEBUG", "waiting 3ms (until 1970-01-01T00:00:10Z)", 3]
  },
  {
    name: "a further turn over 2 s is a wait of its own: it warns",
    secondAnswerMillis: 3_000,
    first: "waiting 7.0s (until 1970-01-01T00:00:10Z)",
    further: ["WARN", "waiting 3.0s (until 1970-01-01T00:00:13Z)", 3_000]
  }
] as const

describe("a reserve wait taking more than one turn", () => {
  for (const { first, further, name, secondAnswerMillis } of cases) {
    it.scoped(name, () =>
      Effect.gen(function*() {
        const server = yield* startServer((_, index) => json(200, teamBody, budgetHeaders(index === 0 ? 3 : 2)))
        const client = yield* clientFor(server.baseUrl, { requestTimeoutSeconds: 600 })
        const logs = yield* captureLogs
        const waitLines = Effect.map(logs.lines, (lines) => lines.filter((line) => line.text.startsWith("waiting ")))
        const waitLinesReach = (count: number) =>
          pollUntil(`${count} wait lines`, Effect.map(waitLines, (lines) => lines.length >= count ? Option.some(lines) : Option.none()))
        // Answered at 0 ms and at secondAnswerMillis: they leave the window 10,000 ms later.
        yield* client.getTeam("bright_otter")
        yield* TestClock.adjust(secondAnswerMillis)
        yield* client.getTeam("bright_otter")

        // Both wait for the slot freed at 10,000 ms; one takes it, the other waits for the next.
        const held = yield* Effect.fork(
          logs.provide(Effect.all([client.getTeam("bright_otter"), client.getTeam("bright_otter")], { concurrency: 2 }))
        )
        yield* waitLinesReach(2)
        yield* TestClock.adjust(10_000 - secondAnswerMillis)
        yield* waitLinesReach(3)
        yield* TestClock.adjust(secondAnswerMillis)
        yield* Fiber.join(held)
        assert.strictEqual((yield* server.requests).length, 4)

        const firstMillis = 10_000 - secondAnswerMillis
        assert.deepStrictEqual((yield* waitLines).map((line) => [line.level, line.text, line.annotations["wait_ms"]]), [
          ["WARN", `${first} before sending GET /v1/teams/bright_otter: ${reason}`, firstMillis],
          ["DEBUG", `${first} before sending GET /v1/teams/bright_otter: ${reason}`, firstMillis],
          [further[0], `${further[1]} before sending GET /v1/teams/bright_otter: ${reason}`, further[2]]
        ])
      }))
  }
})
