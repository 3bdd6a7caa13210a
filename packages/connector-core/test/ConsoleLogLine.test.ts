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
  it.effect("shows control and bidi characters in its message and values escaped: one line, nothing a terminal acts on", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* logged("console", hostile), [
        "WARN  syncing into a\\u000ab.c1z role=Evil\\u001b]0;pwned\\u0007\\u202e"
      ])
    }))

  it.effect("a JSON line keeps the exact text", () =>
    Effect.gen(function*() {
      const [line] = yield* logged("json", hostile)
      const parsed = JSON.parse(line!) as Record<string, unknown>
      assert.deepStrictEqual([parsed["msg"], parsed["role"]], ["syncing into a\nb.c1z", "Evil\u001b]0;pwned\u0007\u202E"])
    }))
})
