import type { SyncProgress } from "@baton-fivetran/connector-core"
import { assert, describe, it } from "@effect/vitest"
import { ConsoleTextAnnotation } from "@baton-fivetran/fivetran-client/console-text"
import { Effect, Fiber, HashMap, Logger, Option, TestClock } from "effect"
import { syncProgressAt } from "../../../packages/connector-core/test/support/SyncProgressAt.js"
import { withProgressLog } from "../src/output/ProgressLog.js"

describe("the progress log", () => {
  it.effect("logs the latest progress at info every 30 s while the sync runs, and nothing once it ended", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      // Each line as `LEVEL message: console text`.
      const logger = Logger.make(({ annotations, logLevel, message }) => {
        const text = Option.getOrUndefined(HashMap.get(annotations, ConsoleTextAnnotation))
        lines.push(`${logLevel.label} ${Array.isArray(message) ? message.join(" ") : String(message)}: ${String(text)}`)
      })
      // Progress at 0 s, 20 s and 45 s; the sync ends at 85 s.
      const sync = (onProgress: (progress: SyncProgress) => Effect.Effect<void>) =>
        Effect.gen(function*() {
          yield* onProgress(syncProgressAt(1))
          yield* Effect.sleep("20 seconds")
          yield* onProgress(syncProgressAt(2))
          yield* Effect.sleep("25 seconds")
          yield* onProgress(syncProgressAt(3))
          yield* Effect.sleep("40 seconds")
          return "done"
        })
      const line = (progress: SyncProgress, now: number) => `${progress.requests} requests, ${progress.grants} grants at ${now / 1000}s`
      const fiber = yield* Effect.fork(
        withProgressLog("30 seconds", line, sync).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
      )
      yield* TestClock.adjust("29 seconds")
      assert.deepStrictEqual(lines, [])
      yield* TestClock.adjust("1 second")
      assert.deepStrictEqual(lines, ["INFO sync progress: 2 requests, 6 grants at 30s"])
      yield* TestClock.adjust("120 seconds")
      assert.strictEqual(yield* Fiber.join(fiber), "done")
      assert.deepStrictEqual(lines, ["INFO sync progress: 2 requests, 6 grants at 30s", "INFO sync progress: 3 requests, 9 grants at 60s"])
    }))
})
