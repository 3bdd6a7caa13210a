import { lastSuccessfulSync } from "@baton-fivetran/connector-core"
import { addSystemKey, generatePreset, type Permission } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem } from "@effect/platform"
import { assert, layer } from "@effect/vitest"
import { Effect, Metric } from "effect"
import { readFileSync } from "node:fs"
import { SyncJobs } from "../src/SyncJobs.js"
import { harness, Harness, runSync, TestToken } from "./Harness.js"
import { jobsOver } from "./JobsOver.js"

/**
 * What docs/deploy.md's alerts read exists before the event they wait for: Prometheus reads a
 * series that appears at 1 as no increase, and a stale-sync alert needs a value to compare. And
 * what /metrics serves is what docs/deploy.md's metrics table lists, with its type, labels and values.
 */

/** The small preset whose only system key lacks CONNECTOR:READ. */
const withoutConnector = (() => {
  const permissions: ReadonlyArray<Permission> = (["ACCOUNT", "USER", "ROLES", "TEAM", "DESTINATION"] as const)
    .map((resource_type) => ({ resource_type, access_level: "READ" as const }))
  const { credential, snapshot } = addSystemKey(generatePreset("small"), permissions)
  return { ...snapshot, credentials: [credential] }
})()

const scrape = Effect.gen(function*() {
  const { request } = yield* Harness
  return (yield* Effect.orDie((yield* request("GET", "/metrics", { token: TestToken })).text)).split("\n")
})

/** The value of one sample line, `name{labels}` exactly as the service writes it; null when there is none. */
const sample = (lines: ReadonlyArray<string>, name: string): number | null => {
  const line = lines.find((candidate) => candidate.startsWith(`${name} `))
  return line === undefined ? null : Number(line.slice(name.length + 1))
}

/** docs/deploy.md's metrics table: each metric's type cell and labels cell. */
const documentedMetrics = new Map(
  readFileSync(new URL("../../../docs/deploy.md", import.meta.url), "utf8")
    .split("\nMetrics (the same names over OTLP and at `/metrics`):\n")[1]!
    .split("\n\n")[0]!
    .split("\n")
    .flatMap((row) => {
      const match = /^\| `(\w+)` \| ([^|]+) \| (.+) \|$/.exec(row)
      return match === null ? [] : [[match[1]!, { type: match[2]!, labels: match[3]! }] as const]
    })
)

/** Labels whose every value an operator matches on (the others: routes, statuses, the build). */
const enumeratedLabels = new Set(["reason", "kind", "outcome", "action", "type", "resource_type"])

/** What /metrics serves, but Effect's own `effect_*`: `name label` and `name label=value`, and each metric's type. */
const servedMetrics = (lines: ReadonlyArray<string>) => {
  const types = new Map(lines.flatMap((line) => {
    const match = /^# TYPE (\w+) (\w+)$/.exec(line)
    return match === null || match[1]!.startsWith("effect_") ? [] : [[match[1]!, match[2]!] as const]
  }))
  const labels = new Set(lines.flatMap((line) => {
    const match = /^(\w+)\{(.*)\} /.exec(line)
    if (match === null) return []
    const name = types.has(match[1]!) ? match[1]! : match[1]!.replace(/_(bucket|sum|count)$/, "")
    if (!types.has(name)) return []
    return [...match[2]!.matchAll(/(\w+)="([^"]*)"/g)].flatMap(([, label, value]) =>
      label === "le" ? [] : [`${name} ${label}`, ...(enumeratedLabels.has(label!) ? [`${name} ${label}=${value}`] : [])]
    )
  }))
  return { types, labels }
}

const gaugeNow = Effect.map(Metric.value(lastSuccessfulSync), (state) => state.value)

/** A fresh SyncJobs over `dataDir`, as at a restart; it never syncs. */
const restartOver = (dataDir: string) => Effect.provide(Effect.asVoid(SyncJobs), jobsOver(dataDir))

layer(harness({ provisioning: true, syncConnections: true, snapshot: withoutConnector }), {
  excludeTestServices: true,
  timeout: 90_000
})("the series alerts read", (it) => {
  it.effect("are at 0 before any sync or provisioning call: each sync outcome, warning kind, alerted refusal and wait reason", () =>
    Effect.gen(function*() {
      const lines = yield* scrape
      const zeros = [
        ...["succeeded", "failed", "interrupted"].map((outcome) => `baton_sync_duration_seconds_count{outcome="${outcome}"}`),
        ...["missing_permission", "unknown_role", "unlisted_resource", "reserved_role_name"].map((kind) =>
          `baton_sync_warnings_total{kind="${kind}"}`
        ),
        ...["grant", "revoke", "create_account", "delete_resource"].flatMap((action) =>
          ["missing_permission", "rate_limited", "key_rejected", "upstream"].map((outcome) =>
            `baton_provisioning_actions_total{action="${action}",outcome="${outcome}"}`
          )
        ),
        ...["rate_limited", "server_error", "transport"].map((reason) => `fivetran_retry_wait_seconds_total{reason="${reason}"}`),
        "fivetran_reserve_wait_seconds_total",
        // No sync kept in the data directory: 0, so a stale-sync alert fires until one succeeds.
        "baton_last_successful_sync_timestamp_seconds"
      ]
      assert.deepStrictEqual(zeros.map((name) => [name, sample(lines, name)]), zeros.map((name) => [name, 0]))
      assert.include(lines, "# TYPE baton_last_successful_sync_timestamp_seconds gauge")
    }))

  it.effect("a sync without CONNECTOR:READ succeeds, and its warning is logged at warn and counted, not only listed", () =>
    Effect.gen(function*() {
      const { logs } = yield* Harness
      const job = yield* runSync
      const warning = "the API key lacks CONNECTOR:READ, needed to list connections; connections are not synced"
      assert.deepStrictEqual([job.status, job.summary?.warnings], ["succeeded", [warning]])
      const logged = (yield* logs).filter((line) => line.warning_kind !== undefined)
      assert.deepStrictEqual(logged.map((line) => [line.level, line.msg, line.warning_kind, line.warning_message]), [
        ["warn", "sync warning", "missing_permission", warning]
      ])

      const lines = yield* scrape
      assert.deepStrictEqual(
        [
          sample(lines, `baton_sync_warnings_total{kind="missing_permission"}`),
          sample(lines, `baton_sync_warnings_total{kind="unknown_role"}`),
          sample(lines, `baton_sync_duration_seconds_count{outcome="succeeded"}`)
        ],
        [1, 0, 1]
      )
      // Set as the sync ended: within the job's run.
      const at = (sample(lines, "baton_last_successful_sync_timestamp_seconds") ?? 0) * 1000
      assert.isTrue(
        at >= Date.parse(job.started_at!) && at <= Date.parse(job.finished_at!),
        `${at} within ${job.started_at}..${job.finished_at}`
      )
    }))

  it.effect("are in docs/deploy.md's metrics table: each metric, its type, its labels and their values", () =>
    Effect.gen(function*() {
      const { types, labels } = servedMetrics(yield* scrape)
      assert.isAbove(types.size, 5)
      const undocumented = [
        ...[...types].flatMap(([name, type]) => {
          const row = documentedMetrics.get(name)
          return row === undefined ? [name] : row.type.startsWith(type) ? [] : [`${name}: ${type}, documented as ${row.type}`]
        }),
        ...[...labels].flatMap((served) => {
          const [name, label] = served.split(" ") as [string, string]
          const [labelName, value] = label.split("=")
          const row = documentedMetrics.get(name)?.labels ?? ""
          return row.includes(`\`${labelName}\``) && (value === undefined || row.includes(`\`${value}\``)) ? [] : [served]
        })
      ]
      assert.deepStrictEqual(undocumented, [])
    }))

  it.effect("after a restart, the last successful sync's time is the newest kept sync's end; with none kept, 0", () =>
    Effect.gen(function*() {
      const { client, dataDir } = yield* Harness
      const { items } = yield* Effect.orDie(client.syncs.list())
      const newest = items.find((job) => job.status === "succeeded")!
      yield* Metric.set(lastSuccessfulSync, 1)
      yield* restartOver(dataDir)
      assert.strictEqual(yield* gaugeNow, Date.parse(newest.finished_at!) / 1000)

      yield* Effect.scoped(Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        yield* restartOver(yield* fs.makeTempDirectoryScoped({ prefix: "baton-http-empty-" }))
      }))
      assert.strictEqual(yield* gaugeNow, 0)
    }))
})
