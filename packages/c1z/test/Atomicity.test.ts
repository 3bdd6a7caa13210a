import type { SyncRow } from "@baton-fivetran/connector-core"
import { SyncSink } from "@baton-fivetran/connector-core"
import { assert, describe, it } from "@effect/vitest"
import { Data, Deferred, Effect, Exit, Fiber, Stream } from "effect"
import { readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { C1zSink, openC1z, writeC1z } from "../src/index.js"
import * as F from "./fixtures.js"
import { openRaw } from "./RawFile.js"
import { listDir, tempDir } from "./TempDir.js"

class ApiDown extends Data.TaggedError("ApiDown")<{ readonly afterRows: number }> {}

const previous = Buffer.from("the previous sync file, byte for byte")

/** A directory holding only `sync.c1z` with known content. */
const withPreviousFile = Effect.gen(function*() {
  const dir = yield* tempDir
  const target = join(dir, "sync.c1z")
  yield* Effect.promise(() => writeFile(target, previous))
  return { dir, target }
})

const contentOf = (path: string) => Effect.promise(() => readFile(path))

describe("atomic writes", () => {
  it.scopedLive("a stream failing half-way fails with its own error and leaves the target byte-identical", () =>
    Effect.gen(function*() {
      const { dir, target } = yield* withPreviousFile
      const rows = Stream.fromIterable(F.syncRows.slice(0, 12)).pipe(Stream.concat(Stream.fail(new ApiDown({ afterRows: 12 }))))
      const exit = yield* Effect.exit(writeC1z(target, rows, { batchSize: 5 }))
      assert.deepStrictEqual(exit, Exit.fail(new ApiDown({ afterRows: 12 })))
      assert.deepStrictEqual(yield* contentOf(target), previous)
      assert.deepStrictEqual(yield* listDir(dir), ["sync.c1z"])
    }))

  it.scopedLive("an interrupted write leaves the target byte-identical and removes its temporary files", () =>
    Effect.gen(function*() {
      const { dir, target } = yield* withPreviousFile
      const allSent = yield* Deferred.make<void>()
      const rows = Stream.fromIterable(F.syncRows).pipe(
        Stream.concat(Stream.fromEffect(Deferred.succeed(allSent, undefined)).pipe(Stream.drain)),
        Stream.concat(Stream.never) // a sync that is still listing when the user presses Ctrl-C
      )
      const fiber = yield* Effect.fork(writeC1z(target, rows, { batchSize: 4 }))
      yield* Deferred.await(allSent)
      const during = yield* listDir(dir)
      assert.strictEqual(during.length, 2)
      assert.match(during[0]!, new RegExp(`^\\.sync\\.c1z\\.${process.pid}\\.[0-9a-f]{12}\\.db$`))

      const exit = yield* Fiber.interrupt(fiber)
      assert.isTrue(Exit.isInterrupted(exit))
      assert.deepStrictEqual(yield* contentOf(target), previous)
      assert.deepStrictEqual(yield* listDir(dir), ["sync.c1z"])
    }))

  it.scopedLive("a row that cannot be encoded fails with InvalidRow and writes nothing", () =>
    Effect.gen(function*() {
      const { dir, target } = yield* withPreviousFile
      const bad: SyncRow = { _tag: "ResourceRow", value: { ...F.salesforce, createdAt: "last Tuesday" } }
      const error = yield* Effect.flip(writeC1z(target, Stream.fromIterable([...F.syncRows, bad])))
      assert.strictEqual(error._tag, "InvalidRow")
      assert.strictEqual(
        error.message,
        `${target}: a sync row cannot be written: Resource.createdAt "last Tuesday" is not an RFC 3339 timestamp`
      )
      assert.deepStrictEqual(yield* contentOf(target), previous)
      assert.deepStrictEqual(yield* listDir(dir), ["sync.c1z"])
    }))

  it.scopedLive("a timestamp before year 1, which no Timestamp holds, fails with InvalidRow naming it", () =>
    Effect.gen(function*() {
      const { dir, target } = yield* withPreviousFile
      // RFC 3339 has a year 0; a google.protobuf.Timestamp starts at 0001-01-01, and baton's JSON output refuses one before.
      const bad: SyncRow = { _tag: "ResourceRow", value: { ...F.salesforce, createdAt: "0000-12-31T23:00:00Z" } }
      const error = yield* Effect.flip(writeC1z(target, Stream.fromIterable([...F.syncRows, bad])))
      assert.strictEqual(
        error.message,
        `${target}: a sync row cannot be written: Resource.createdAt "0000-12-31T23:00:00Z" is outside the years 1 to 9999 a timestamp holds`
      )
      assert.deepStrictEqual(yield* contentOf(target), previous)
      assert.deepStrictEqual(yield* listDir(dir), ["sync.c1z"])
    }))

  it.scopedLive("a target in a missing directory fails with Io", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const target = join(dir, "missing", "sync.c1z")
      const error = yield* Effect.flip(writeC1z(target, Stream.fromIterable(F.syncRows)))
      assert.strictEqual(error._tag, "Io")
      assert.include(error.message, "could not create the sync database")
      assert.deepStrictEqual(yield* listDir(dir), [])
    }))

  it.scopedLive("a successful write replaces the previous file", () =>
    Effect.gen(function*() {
      const { dir, target } = yield* withPreviousFile
      const result = yield* writeC1z(target, Stream.fromIterable(F.syncRows))
      const written = yield* contentOf(target)
      assert.strictEqual(written.length, result.bytes)
      assert.deepStrictEqual([...written.subarray(0, 5)], [0x43, 0x31, 0x5a, 0x46, 0x00])
      assert.deepStrictEqual(yield* listDir(dir), ["sync.c1z"])
    }))
})

describe("determinism", () => {
  it.scopedLive("the same input twice gives identical data rows under different sync ids", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const first = yield* writeC1z(join(dir, "a.c1z"), Stream.fromIterable(F.syncRows))
      const second = yield* writeC1z(join(dir, "b.c1z"), Stream.fromIterable(F.syncRows))
      assert.notStrictEqual(first.syncId, second.syncId)
      const dump = (name: string) =>
        Effect.map(openRaw(join(dir, `${name}.c1z`), join(dir, `${name}.db`)), ({ db }) =>
          ["v1_resource_types", "v1_resources", "v1_entitlements", "v1_grants"].map((table) =>
            db.prepare(`SELECT external_id, data${table === "v1_grants" ? ", expansion" : ""} FROM ${table} ORDER BY id`)
              .all()
          ))
      const a = yield* dump("a")
      const b = yield* dump("b")
      assert.strictEqual(a.flat().length, 21)
      assert.deepStrictEqual(a, b)
    }))
})

describe("C1zSink", () => {
  it.scopedLive("implements SyncSink: writes the file, maps C1zError to SinkError, passes the stream's error through", () =>
    Effect.gen(function*() {
      const { target } = yield* withPreviousFile
      const sink = yield* SyncSink.pipe(Effect.provide(C1zSink.layer(target)))

      yield* sink.write(Stream.fromIterable(F.syncRows))
      const reader = yield* openC1z(target)
      assert.strictEqual(reader.syncRun.type, "full")

      const upstream = yield* Effect.flip(sink.write(Stream.fail(new ApiDown({ afterRows: 0 }))))
      assert.deepStrictEqual(upstream, new ApiDown({ afterRows: 0 }))

      const bad: SyncRow = { _tag: "ResourceRow", value: { ...F.salesforce, createdAt: "soon" } }
      const sinkError = yield* Effect.flip(sink.write(Stream.make(bad)))
      assert.strictEqual(sinkError._tag, "SinkError")
      assert.include(sinkError.message, `Resource.createdAt "soon" is not an RFC 3339 timestamp`)
    }))
})
