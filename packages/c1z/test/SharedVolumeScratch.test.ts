import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Stream, TestClock } from "effect"
import { mkdir, readdir, stat, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { openC1z, removeScratchLeftovers, writeC1z } from "../src/index.js"
import * as F from "./fixtures.js"
import { pastTheWatch } from "./ScratchWatch.js"
import { lastWrittenAgo, listDir, tempDir, tmpdirAt } from "./TempDir.js"

/**
 * Two containers sharing a volume (a CronJob's run overlapping the previous one) are both pid 1:
 * each took the other's scratch files, named with that pid and not in its own list of names in use,
 * for a killed run's, and removed them, failing the other's sync at its end. A process renews the
 * times of the files it has in use, and an own-pid file counts as left only once unrenewed for two
 * minutes by this host's clock and then through a 22 s watch (ScratchOwners.ts): on hosts whose
 * clocks were over two minutes apart, the first alone removed a live neighbour's file.
 */

/** Waits, by the wall clock (the renewal sets file times by it), until `check` holds; at most 5 s. */
const eventually = (check: () => Promise<boolean>) =>
  Effect.promise(async () => {
    for (let tries = 0; tries < 100 && !(await check()); tries++) await new Promise((resolve) => setTimeout(resolve, 50))
    return check()
  })

const renewedWithinAMinute = (path: string) => () => stat(path).then((found) => Date.now() - found.mtimeMs < 60_000)

describe("scratch files of this process's pid on a volume other containers share", () => {
  it.scoped("a sync's scratch file renewed lately is kept, as another container's running write; one unrenewed for 3 minutes is removed", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const target = join(dir, "sync.c1z")
      const running = `.sync.c1z.${process.pid}.aaaaaaaaaaaa.db`
      const killed = `.sync.c1z.${process.pid}.bbbbbbbbbbbb.db`
      yield* Effect.promise(() => Promise.all([running, killed].map((name) => writeFile(join(dir, name), ""))))
      yield* lastWrittenAgo([join(dir, killed)], 3)
      const removed = yield* pastTheWatch(removeScratchLeftovers(target))
      assert.deepStrictEqual(removed, [join(dir, killed)])
      // Before: both removed, the running write's too.
      assert.deepStrictEqual(yield* listDir(dir), [running])
    }))

  it.scoped("another host's running write, renewed by a clock 3 minutes behind this one's, is kept; one unrenewed while watched is removed", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const target = join(dir, "sync.c1z")
      const neighbour = `.sync.c1z.${process.pid}.cccccccccccc.db`
      const killed = `.sync.c1z.${process.pid}.dddddddddddd.db`
      yield* Effect.promise(() => Promise.all([neighbour, killed].map((name) => writeFile(join(dir, name), ""))))
      // Both last set by a clock 3 minutes behind: by this host's, neither was renewed for 3 minutes.
      yield* lastWrittenAgo([join(dir, neighbour), join(dir, killed)], 3)
      const sweep = yield* Effect.fork(removeScratchLeftovers(target))
      // Once the sweep watches them (or, as before, is done), the neighbour renews its file, by its clock.
      while ((yield* TestClock.sleeps()).length === 0 && (yield* Fiber.poll(sweep))._tag === "None") {
        yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 5)))
      }
      yield* lastWrittenAgo([join(dir, neighbour)], 2.9)
      yield* TestClock.adjust("22 seconds")
      const removed = yield* Fiber.join(sweep)
      assert.deepStrictEqual(removed, [join(dir, killed)])
      // Before: both removed, the neighbour's running write's too.
      assert.deepStrictEqual(yield* listDir(dir), [neighbour])
    }))

  it.scoped("a reader's directory renewed lately is kept by another open; one unrenewed for 3 minutes is removed", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const c1z = join(dir, "sync.c1z")
      yield* writeC1z(c1z, Stream.fromIterable(F.syncRows))
      const scratch = join(dir, "tmp")
      yield* tmpdirAt(scratch)
      const reading = `c1z-${process.pid}-Read01`
      const killed = `c1z-${process.pid}-Left01`
      yield* Effect.promise(() => Promise.all([reading, killed].map((name) => mkdir(join(scratch, name)))))
      yield* lastWrittenAgo([join(scratch, killed)], 3)
      const inside = yield* Effect.scoped(Effect.zipRight(openC1z(c1z), Effect.promise(() => readdir(scratch))))
      assert.isTrue(inside.includes(reading))
      assert.isFalse(inside.includes(killed))
      assert.deepStrictEqual(yield* listDir(scratch), [reading])
    }))

  it.scoped("a write in progress renews its scratch database every 10 seconds", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const target = join(dir, "sync.c1z")
      const halfway = yield* Deferred.make<void>()
      const resume = yield* Deferred.make<void>()
      const rows = Stream.concat(
        Stream.fromIterable(F.syncRows.slice(0, 1)),
        Stream.execute(Effect.zipRight(Deferred.succeed(halfway, undefined), Deferred.await(resume)))
      ).pipe(Stream.concat(Stream.fromIterable(F.syncRows.slice(1))))
      const write = yield* Effect.fork(writeC1z(target, rows, { batchSize: 1 }))
      yield* Deferred.await(halfway)
      const [database] = (yield* listDir(dir)).filter((name) => name.endsWith(".db"))
      assert.isDefined(database)
      const path = join(dir, database!)
      yield* lastWrittenAgo([path], 3)
      assert.isFalse(yield* Effect.promise(renewedWithinAMinute(path)))
      yield* TestClock.adjust("10 seconds")
      assert.isTrue(yield* eventually(renewedWithinAMinute(path)))
      yield* Deferred.succeed(resume, undefined)
      const result = yield* Fiber.join(write)
      assert.strictEqual(result.counts.resources, F.resources.length)
      assert.deepStrictEqual(yield* listDir(dir), ["sync.c1z"])
    }))
})
