import { withConsoleText } from "@baton-fivetran/fivetran-client/console-text"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { loggingLayer } from "../src/telemetry/Logging.js"

/** The lines `effect` logs in `format`, without the console format's leading time. */
const logged = (format: "console" | "json", effect: Effect.Effect<void>) =>
  Effect.gen(function*() {
    const lines: Array<string> = []
    yield* Effect.provide(effect, loggingLayer("info", format, (line) => lines.push(line)))
    return format === "console" ? lines.map((line) => line.slice(line.indexOf(" ") + 1)) : lines
  })

const hostile = Effect.logWarning("syncing into a\nb.c1z").pipe(Effect.annotateLogs({ role: "Evil\u001b]0;pwned\u0007\u202E" }))

describe("a console log line", () => {
  it.live("shows control and bidi characters in its message and values escaped: one line, nothing a terminal acts on", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* logged("console", hostile), [
        "WARN  syncing into a\\u000ab.c1z role=Evil\\u001b]0;pwned\\u0007\\u202e"
      ])
    }))

  it.live("a JSON line keeps the exact text", () =>
    Effect.gen(function*() {
      const [line] = yield* logged("json", hostile)
      const parsed = JSON.parse(line!) as Record<string, unknown>
      assert.deepStrictEqual([parsed["msg"], parsed["role"]], ["syncing into a\nb.c1z", "Evil\u001b]0;pwned\u0007\u202E"])
    }))
})

describe("a console line's time", () => {
  it.effect("is UTC's time of day, marked Z: not to be read as the reader's local time", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      yield* Effect.provide(Effect.logInfo("synced"), loggingLayer("info", "console", (line) => lines.push(line)))
      // The TestClock is at the epoch.
      assert.deepStrictEqual(lines, ["00:00:00.000Z INFO  synced"])
    }))
})

describe("a line with a console text", () => {
  const wait = Effect.logWarning("waiting before retrying a request").pipe(
    Effect.annotateLogs({ wait_ms: 2000, wait_until: "2026-12-05T12:00:02.000Z" }),
    withConsoleText("waiting 2.0s (until 12:00:02Z) before retrying GET /v1/roles", ["wait_until"])
  )

  it.live("reads it on a console, its fields after it but those it says", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* logged("console", wait), [
        "WARN  waiting 2.0s (until 12:00:02Z) before retrying GET /v1/roles wait_ms=2000"
      ])
    }))

  it.live("has its fixed message as JSON's msg and every field, not the console text", () =>
    Effect.gen(function*() {
      const [line] = yield* logged("json", wait)
      const { ts: _ts, ...fields } = JSON.parse(line!) as Record<string, unknown>
      assert.deepStrictEqual(fields, {
        level: "warn",
        msg: "waiting before retrying a request",
        wait_ms: 2000,
        wait_until: "2026-12-05T12:00:02.000Z"
      })
    }))
})
