import { openC1z } from "@baton-fivetran/c1z"
import { Path } from "@effect/platform"
import { assert, layer } from "@effect/vitest"
import { Effect, Option, Schedule, Schema } from "effect"
import { SyncJob } from "@baton-fivetran/http-api"
import { awaitJob, harness, Harness, TestToken } from "./Harness.js"

/**
 * A sync job's logs name the job and the sync id its .c1z records, whoever started it (the
 * service's own runs: SyncJobRuns.test.ts).
 */

const fileLines = (logs: ReadonlyArray<Record<string, unknown>>) => logs.filter((line) => line["msg"] === "wrote the sync file")

/** The sync id recorded in a job's .c1z. */
const recordedSyncId = (id: string) =>
  Effect.gen(function*() {
    const { dataDir } = yield* Harness
    const path = yield* Path.Path
    return yield* Effect.scoped(Effect.map(Effect.orDie(openC1z(path.join(dataDir, `${id}.c1z`))), (reader) => reader.syncRun.syncId))
  })

layer(harness({ logLevel: "info" }), { excludeTestServices: true, timeout: 60_000 })("a started sync's logs", (it) => {
  it.effect("carry the job and the .c1z's sync id besides the request id of the POST", () =>
    Effect.gen(function*() {
      const { logs, request } = yield* Harness
      const response = yield* request("POST", "/v1/syncs", { token: TestToken, headers: { "x-request-id": "start-it" } })
      const started = yield* Effect.orDie(Effect.flatMap(response.json, Schema.decodeUnknown(SyncJob)))
      const job = yield* awaitJob(started.id)
      assert.strictEqual(job.status, "succeeded")
      const syncId = yield* recordedSyncId(job.id)
      const [wrote, ...more] = fileLines(yield* logs)
      assert.deepStrictEqual(more, [])
      // The writer's own fields in snake case too (its sync id was `syncId`).
      assert.deepInclude(wrote, { request_id: "start-it", job: job.id, c1z_sync_id: syncId, resource_types: 4 })
      assert.notProperty(wrote, "syncId")
      // Its end is a line of its own, as a failure's is, with the summary's counts.
      const summary = job.summary!
      const ended = (yield* logs).filter((line) => line["msg"] === "sync job succeeded")
      assert.deepStrictEqual(
        ended.map(({ timestamp: _timestamp, ...fields }) => fields),
        [{
          level: "info",
          msg: "sync job succeeded",
          request_id: "start-it",
          caller: ended[0]?.["caller"],
          job: job.id,
          c1z_sync_id: syncId,
          grants: summary.grants.direct + summary.grants.derived,
          entitlements: summary.entitlements,
          requests: summary.requests,
          warnings: summary.warnings.length,
          duration_ms: summary.durationMillis
        }]
      )
      // Every line of the job (the POST's own `http request` line apart) names it.
      const ofTheRequest = (yield* logs).filter((line) => line["request_id"] === "start-it" && line["msg"] !== "http request")
      assert.deepStrictEqual(ofTheRequest.filter((line) => line["job"] !== job.id), [])
    }))
})

layer(harness({ logLevel: "info", syncEveryMillis: 3_600_000 }), { excludeTestServices: true, timeout: 60_000 })(
  "a scheduled sync's logs",
  (it) => {
    it.effect("carry the job, though no request started it", () =>
      Effect.gen(function*() {
        const { client, logs } = yield* Harness
        const job = yield* client.syncs.list().pipe(
          Effect.orDie,
          Effect.map((page) => Option.fromNullable(page.items.find((item) => item.status === "succeeded"))),
          Effect.flatMap(Effect.orElseFail(() => "not yet")),
          Effect.retry(Schedule.spaced("100 millis")),
          Effect.timeout("60 seconds"),
          Effect.orDie
        )
        const [wrote] = fileLines(yield* logs)
        assert.deepInclude(wrote, { job: job.id, c1z_sync_id: yield* recordedSyncId(job.id) })
        assert.notProperty(wrote, "request_id")
      }))
  }
)

layer(harness({ logLevel: "debug", badSecret: true }), { excludeTestServices: true, timeout: 60_000 })(
  "a failed sync's logs, at debug",
  (it) => {
    it.effect("say its failure once, as `sync job failed`, with no 'Fiber terminated' line beside it and no credential", () =>
      Effect.gen(function*() {
        const { apiKey, apiSecret, logs, request } = yield* Harness
        const response = yield* request("POST", "/v1/syncs", { token: TestToken, headers: { "x-request-id": "fail-it" } })
        const started = yield* Effect.orDie(Effect.flatMap(response.json, Schema.decodeUnknown(SyncJob)))
        const job = yield* awaitJob(started.id)
        assert.strictEqual(job.status, "failed")
        const error = "Fivetran rejected the API key or secret (401 on GET /v1/roles); check the api-key and api-secret settings"
        assert.strictEqual(job.error, error)
        // The job's record is written before its line: wait for the line, then give any late fiber's line time to come.
        yield* logs.pipe(
          Effect.filterOrFail((all) => all.some((line) => line["msg"] === "sync job failed")),
          Effect.retry(Schedule.spaced("50 millis")),
          Effect.timeout("10 seconds"),
          Effect.orDie
        )
        yield* Effect.sleep("200 millis")
        const all = yield* logs
        const ofTheJob = all.filter((line) => line["job"] === job.id && line["msg"] !== "Fivetran request")
        assert.deepStrictEqual(ofTheJob, [{
          level: "warn",
          msg: "sync job failed",
          job: job.id,
          request_id: "fail-it",
          c1z_sync_id: ofTheJob[0]?.["c1z_sync_id"],
          caller: ofTheJob[0]?.["caller"],
          error,
          reason: "unauthorized"
        }])
        assert.deepStrictEqual(all.filter((line) => String(line["msg"]).startsWith("Fiber terminated")), [])
        const written = JSON.stringify(all)
        assert.notInclude(written, apiSecret)
        assert.notInclude(written, apiKey)
        assert.notInclude(written, "not-the-secret")
      }))
  }
)
