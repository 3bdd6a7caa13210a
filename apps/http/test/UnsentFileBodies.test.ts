import { assert, layer } from "@effect/vitest"
import { Effect, Schedule } from "effect"
import { readdirSync, readlinkSync } from "node:fs"
import { harness, Harness, runSync, TestToken } from "./Harness.js"

/**
 * GET /v1/syncs/{id}/file's answers that send no body: a HEAD, and a 304 to a poller's
 * If-None-Match or If-Modified-Since. The service here runs in this process, so its open files are
 * this process's (/proc/self/fd). Before, each such answer left the .c1z open (the platform opens
 * the file as the answer is made, and only sending the body closes it): one descriptor per poll,
 * until the process could open no more.
 */

/** This process's open descriptors on a `.c1z` in `dir`. */
const openSyncFiles = (dir: string) =>
  Effect.sync(() =>
    readdirSync("/proc/self/fd").filter((fd) => {
      try {
        const target = readlinkSync(`/proc/self/fd/${fd}`)
        return target.startsWith(dir) && target.endsWith(".c1z")
      } catch {
        return false
      }
    }).length
  )

/** The count once it is 0, or as it is after 2 s: a stream closed as its answer ends releases its descriptor a moment later. */
const settledOpenSyncFiles = (dir: string) =>
  openSyncFiles(dir).pipe(
    Effect.filterOrFail((open) => open === 0),
    Effect.retry({ schedule: Schedule.spaced("20 millis"), times: 100 }),
    Effect.orElse(() => openSyncFiles(dir))
  )

layer(harness(), { excludeTestServices: true, timeout: 60_000 })("a sync file's answer without a body", (it) => {
  it.effect("leaves the file closed, for a HEAD and a 304 alike, as a whole download does", () =>
    Effect.gen(function*() {
      const { baseUrl, dataDir } = yield* Harness
      const job = yield* runSync
      const url = `${baseUrl}/v1/syncs/${job.id}/file`
      const send = (method: string, headers: Record<string, string> = {}) =>
        Effect.promise(async () => {
          const response = await fetch(url, { method, headers: { authorization: `Bearer ${TestToken}`, ...headers } })
          await response.arrayBuffer()
          return [response.status, response.headers.get("etag")] as const
        })
      const [, etag] = yield* send("GET")
      const before = yield* settledOpenSyncFiles(dataDir)
      const statuses: Array<number> = []
      for (let i = 0; i < 10; i++) {
        statuses.push((yield* send("HEAD"))[0])
        statuses.push((yield* send("GET", { "if-none-match": etag! }))[0])
        statuses.push((yield* send("GET", { "if-modified-since": new Date(Date.now() + 60_000).toUTCString() }))[0])
      }
      assert.deepStrictEqual(statuses, Array.from({ length: 10 }, () => [200, 304, 304]).flat())
      const after = yield* settledOpenSyncFiles(dataDir)
      assert.deepStrictEqual([before, after], [0, 0])
    }))
})
