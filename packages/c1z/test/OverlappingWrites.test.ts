import { type SyncRow, SyncSink } from "@baton-fivetran/connector-core"
import { type LogFormat, loggingLayer } from "@baton-fivetran/connector-core/logging"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Option, Stream } from "effect"
import { stat } from "node:fs/promises"
import { join } from "node:path"
import { C1zSink, writeC1z } from "../src/index.js"
import * as F from "./fixtures.js"
import { listDir, tempDir } from "./TempDir.js"

/**
 * Two writes into one path at once (two syncs of a CronJob that outlasts its schedule): each is
 * complete and the path holds the one renamed last. The write renamed last now says that it
 * replaced a file another writer put there after it began (nothing said so before: the overlap was
 * silent); a write that found the path as it was at its start says nothing.
 */

/**
 * Two writes into `target` by `write` that overlap: the first, once begun, waits until the second
 * has written the file. Their results, and when the second's file was written.
 */
const overlapping = <A, E, R>(
  target: string,
  write: (rows: Stream.Stream<SyncRow>, which: "first" | "second") => Effect.Effect<A, E, R>
) =>
  Effect.gen(function*() {
    const started = yield* Deferred.make<void>()
    const resume = yield* Deferred.make<void>()
    const held = Stream.concat(
      Stream.execute(Effect.zipRight(Deferred.succeed(started, undefined), Deferred.await(resume))),
      Stream.fromIterable(F.syncRows)
    )
    const first = yield* Effect.fork(write(held, "first"))
    yield* Deferred.await(started)
    const second = yield* write(Stream.fromIterable(F.syncRows), "second")
    const secondWrittenAt = new Date((yield* Effect.promise(() => stat(target))).mtimeMs)
    yield* Deferred.succeed(resume, undefined)
    return { first: yield* Fiber.join(first), second, secondWrittenAt }
  })

describe("writes into one path that overlap", () => {
  it.scopedLive("the one renamed last says when the file it replaced was written; the other, and a lone write, say nothing", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const target = join(dir, "sync.c1z")
      const lone = yield* writeC1z(target, Stream.fromIterable(F.syncRows))
      assert.deepStrictEqual(lone.replacedMeanwhile, Option.none())

      const { first, second, secondWrittenAt } = yield* overlapping(target, (rows, syncId) => writeC1z(target, rows, { syncId }))
      assert.deepStrictEqual(second.replacedMeanwhile, Option.none())
      // Before: no such field; nothing told the first write that the second had come and gone.
      assert.deepStrictEqual(first.replacedMeanwhile, Option.some(secondWrittenAt))
      assert.strictEqual(first.syncId, "first")
      assert.deepStrictEqual(yield* listDir(dir), ["sync.c1z"])
    }))
})

describe("C1zSink's warning of an overlap", () => {
  /** The warnings two overlapping writes through C1zSink log in `format` (a console line without its time). */
  const warnings = (format: LogFormat) =>
    Effect.gen(function*() {
      const target = join(yield* tempDir, "sync.c1z")
      const lines: Array<string> = []
      const sink = yield* SyncSink.pipe(Effect.provide(C1zSink.layer(target)))
      const { secondWrittenAt } = yield* overlapping(target, (rows) => sink.write(rows)).pipe(
        Effect.provide(loggingLayer("warn", format, (line) => lines.push(line)))
      )
      return { target, secondWrittenAt, lines: format === "console" ? lines.map((line) => line.slice(line.indexOf(" ") + 1)) : lines }
    })

  it.scopedLive("reads as one sentence on a console, naming the file and when the replaced one was written", () =>
    Effect.gen(function*() {
      const { lines, secondWrittenAt, target } = yield* warnings("console")
      // Before: "... it now holds this sync file=<target> replaced_file_written_at=<time>".
      assert.deepStrictEqual(lines, [
        `WARN  the sync file ${target} was replaced by another writer at ${secondWrittenAt.toISOString()}, ` +
        "while this sync ran (runs into one file overlap); it now holds this sync"
      ])
    }))

  it.scopedLive("keeps its fixed message and its fields as JSON", () =>
    Effect.gen(function*() {
      const { lines, secondWrittenAt, target } = yield* warnings("json")
      const fields = lines.map((line) => {
        const { ts: _ts, ...rest } = JSON.parse(line) as Record<string, unknown>
        return rest
      })
      assert.deepStrictEqual(fields, [{
        level: "warn",
        msg: "the sync file was replaced by another writer while this sync ran (runs into one file overlap); it now holds this sync",
        file: target,
        replaced_file_written_at: secondWrittenAt.toISOString()
      }])
    }))
})
