import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { awaitSyncJob, serviceProcessOver, startSyncJob } from "./ServiceProcess.js"

/**
 * `GET /v1/syncs/{id}/file` with If-Modified-Since, the service run under several time zones. The
 * header was read with Date.parse, which reads an asctime-date (RFC 9110 §5.6.7, which a recipient
 * must accept: `Sun Nov  6 08:49:37 1994`, UTC with no zone written) in the process's own zone:
 * under America/Los_Angeles a date before the file's Last-Modified got a 304, under Asia/Kolkata
 * the file's own date got the whole file again. And `2099`, no HTTP-date, was read as a year: 304.
 */

const Token = "file-dates-test-token-0123456789"

/** An instant as asctime-date: `Sun Nov  6 08:49:37 1994`. */
const asctime = (millis: number) => {
  const [, weekday, day, month, year, time] = /^(\w{3}), (\d{2}) (\w{3}) (\d{4}) (\S+) GMT$/.exec(new Date(millis).toUTCString())!
  return `${weekday} ${month} ${String(Number(day)).padStart(2, " ")} ${time} ${year}`
}

const dataDir = Effect.acquireRelease(
  Effect.promise(() => mkdtemp(join(tmpdir(), "baton-http-file-dates-"))),
  (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
)

/** The statuses of the synced file's GETs under `tz`, one for each If-Modified-Since `datesOf` gives from its Last-Modified. */
const fileStatusesUnder = (tz: string, datesOf: (lastModified: number) => ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const service = yield* serviceProcessOver(yield* dataDir, ["--sandbox", "--port", "0"], { env: { BATON_HTTP_TOKENS: Token, TZ: tz } })
    const started = yield* startSyncJob(service, Token)
    assert.strictEqual((yield* awaitSyncJob(service, Token, started.id, ["failed", "succeeded"])).status, "succeeded")
    const get = (headers: Record<string, string>) =>
      Effect.promise(async () => {
        const response = await fetch(`${service.url}/v1/syncs/${started.id}/file`, {
          headers: { authorization: `Bearer ${Token}`, ...headers }
        })
        await response.arrayBuffer()
        return response
      })
    const lastModified = Date.parse((yield* get({})).headers.get("last-modified")!)
    return yield* Effect.forEach(datesOf(lastModified), (date) => Effect.map(get({ "if-modified-since": date }), (answer) => answer.status))
  })

describe("the sync file's If-Modified-Since under any TZ", () => {
  it.scopedLive(
    "an asctime-date is UTC (its own date 304, a second earlier 200) and text that is no HTTP-date is ignored, under Los Angeles, Kolkata and UTC",
    () =>
      Effect.gen(function*() {
        const dates = (lastModified: number) => [
          asctime(lastModified),
          asctime(lastModified - 1000),
          new Date(lastModified).toUTCString(),
          "2099"
        ]
        const statuses = yield* Effect.forEach(
          ["America/Los_Angeles", "Asia/Kolkata", "UTC"],
          (tz) => Effect.map(fileStatusesUnder(tz, dates), (found) => [tz, found]),
          { concurrency: "unbounded" }
        )
        assert.deepStrictEqual(statuses, [
          ["America/Los_Angeles", [304, 200, 304, 200]],
          ["Asia/Kolkata", [304, 200, 304, 200]],
          ["UTC", [304, 200, 304, 200]]
        ])
      }),
    120_000
  )
})
