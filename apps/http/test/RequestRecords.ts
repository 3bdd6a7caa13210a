import { assert } from "@effect/vitest"
import { Effect, Schedule } from "effect"
import { Harness, TestToken } from "./Harness.js"

/**
 * What the service recorded of a request, read the way an operator reads it: its `http request`
 * log line and its `http_server_requests_total` counts.
 */

/** The `http request` line of `requestId`, without its duration, once written (no fixed wait: the log is polled). */
export const requestLine = (requestId: string) =>
  Effect.gen(function*() {
    const { logs } = yield* Harness
    const lines = yield* logs.pipe(
      Effect.map((all) => all.filter((l) => l["msg"] === "http request" && l["request_id"] === requestId)),
      Effect.filterOrFail((found) => found.length > 0),
      Effect.retry(Schedule.spaced("20 millis")),
      Effect.timeout("30 seconds"),
      Effect.orDie
    )
    assert.strictEqual(lines.length, 1)
    const { caller: _caller, duration_ms, ...fields } = lines[0]!
    assert.isNumber(duration_ms)
    return fields
  })

/** `http_server_requests_total` of GET `route`, by status. */
export const requestCounts = (route: string) =>
  Effect.gen(function*() {
    const { request } = yield* Harness
    const text = yield* Effect.orDie((yield* request("GET", "/metrics", { token: TestToken })).text)
    const counts: Record<string, number> = {}
    for (const line of text.split("\n")) {
      if (!line.startsWith("http_server_requests_total{") || !line.includes(`route="${route}"`)) continue
      counts[/status="(\d+)"/.exec(line)![1]!] = Number(line.split(" ").at(-1))
    }
    return counts
  })
