import { openC1z } from "@baton-fivetran/c1z"
import { Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schedule } from "effect"
import { sandboxServiceArgs, serviceProcessOver } from "../../http/test/ServiceProcess.js"
import { assertExit, jsonLines, runCli } from "./support/CliProcess.js"
import { connectionFlags, sandboxLayer, smallAccount } from "./support/Sandboxes.js"

/**
 * One log index takes the JSON lines of the CLI's CronJob and of the service: a field name must have
 * one JSON type on every line of both, or an index that maps a field by its first type
 * (Elasticsearch, OpenSearch) drops the lines that disagree. `sync complete` gave `resources` and
 * `grants` as objects and `warnings` as a list, where `wrote the sync file` and the service's job
 * lines give counts.
 */

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-cli-log-types-" }))

/** The small account without one role of each scope: its memberships naming them are four sync warnings. */
const unlisted = ["Security Auditor", "Warehouse Steward", "Connector Reviewer", "Team Manager"]
const withUnlistedRoles = { ...smallAccount, roles: smallAccount.roles.filter((role) => !unlisted.includes(role.name)) }

const Token = "log-field-types-token-0123"

/** A JSON value's type as an index maps it; null has none (it leaves the mapping as it is). */
const jsonType = (value: unknown) => value === null ? undefined : Array.isArray(value) ? "array" : typeof value

/** Each field's path (an object's fields under `name.field`, as an index flattens them) with its type. */
const fieldTypes = (fields: Readonly<Record<string, unknown>>, prefix = ""): ReadonlyArray<readonly [string, string]> =>
  Object.entries(fields).flatMap(([name, value]) => {
    const type = jsonType(value)
    const path = `${prefix}${name}`
    if (type === undefined) return []
    const own = [[path, type] as const]
    return type === "object" ? [...own, ...fieldTypes(value as Record<string, unknown>, `${path}.`)] : own
  })

/** The field names given more than one type across `lines`, each with its types. */
const conflicts = (lines: ReadonlyArray<Readonly<Record<string, unknown>>>) => {
  const types = new Map<string, Set<string>>()
  for (const [path, type] of lines.flatMap((line) => fieldTypes(line))) types.set(path, (types.get(path) ?? new Set()).add(type))
  return [...types].filter(([, seen]) => seen.size > 1).map(([path, seen]) => `${path}: ${[...seen].sort().join(", ")}`).sort()
}

/** A CLI sync at debug with JSON logs, one 429 waited out and the four warnings. */
const syncWithWaitAndWarnings = (file: string) =>
  Effect.gen(function*() {
    const sandbox = yield* Sandbox
    const { flags } = yield* connectionFlags
    yield* sandbox.setFaults({ rateLimitBurst: { requests: 1, retryAfterSeconds: 1 } })
    const result = yield* runCli([...flags, "-f", file, "--sync-connections", "--log-format", "json", "--log-level", "debug"])
    yield* sandbox.setFaults({})
    assertExit(result, 0)
    return jsonLines(result.stderr)
  })

/** A sync job of the bundled service at debug with JSON logs, as the CLI's sync above, run to its end: its stderr's JSON lines. */
const serviceSyncJob = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const dataDir = yield* fs.makeTempDirectoryScoped()
  const { args, env } = yield* sandboxServiceArgs(Token)
  const service = yield* serviceProcessOver(dataDir, [...args, "--sync-connections", "--log-format", "json", "--log-level", "debug"], {
    env
  })
  const headers = { authorization: `Bearer ${Token}` }
  const job = yield* Effect.promise(() =>
    fetch(`${service.url}/v1/syncs`, { method: "POST", headers }).then((r) => r.json() as Promise<{ readonly id: string }>)
  )
  const ended = yield* Effect.promise(() =>
    fetch(`${service.url}/v1/syncs/${job.id}`, { headers }).then((r) => r.json() as Promise<{ readonly status: string }>)
  ).pipe(
    Effect.filterOrFail((current) => ["succeeded", "failed", "cancelled"].includes(current.status)),
    Effect.retry(Schedule.spaced("100 millis")),
    Effect.timeout("60 seconds"),
    Effect.orDie
  )
  assert.strictEqual(ended.status, "succeeded")
  assert.strictEqual(yield* service.stop, 0)
  return jsonLines(yield* service.stderr)
})

describe("JSON log field types", () => {
  it.scopedLive(
    "every field name has one JSON type across a CLI sync, a provisioning action, a review command and a service sync job",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        const file = `${dir}/out.c1z`
        const { flags } = yield* connectionFlags
        const sync = yield* syncWithWaitAndWarnings(file)
        const group = smallAccount.groups[0]!
        const members = new Set(smallAccount.user_groups.filter((row) => row.group_id === group.id).map((row) => row.user_id))
        const outsider = smallAccount.users.find((user) => !members.has(user.id))!
        const destinationRole = withUnlistedRoles.roles.find((role) => role.scope.includes("DESTINATION"))!.name
        const grant = yield* runCli([
          ...flags,
          "-p",
          "--grant-entitlement",
          `group:${group.id}:${destinationRole}`,
          "--grant-principal",
          outsider.id,
          "--grant-principal-type",
          "user",
          "--log-format",
          "json",
          "--log-level",
          "debug"
        ])
        assertExit(grant, 0)
        const review = yield* runCli(["grants", "-f", file, "-o", "json", "--log-format", "json", "--log-level", "debug"])
        assertExit(review, 0)
        // The service's job meets the same 429 and warnings as the CLI's sync.
        const sandbox = yield* Sandbox
        yield* sandbox.setFaults({ rateLimitBurst: { requests: 1, retryAfterSeconds: 1 } })
        const service = yield* serviceSyncJob.pipe(Effect.ensuring(sandbox.setFaults({})))

        // Each part was logged: the sync's wait, warnings and summary, the grant's request, the job's end.
        const messages = new Set([...sync, ...jsonLines(grant.stderr), ...service].map((line) => String(line["msg"])))
        assert.includeMembers([...messages], ["sync complete", "wrote the sync file", "Fivetran request", "sync job succeeded"])
        assert.strictEqual(sync.filter((line) => line["wait_kind"] === "rate_limited").length, 1)
        assert.strictEqual(sync.filter((line) => line["warning_kind"] === "unknown_role").length, 4)
        assert.deepStrictEqual(conflicts([...sync, ...jsonLines(grant.stderr), ...jsonLines(review.stderr), ...service]), [])
        // Their wait and warning lines read alike: one `msg` per kind of line, what varies in fields.
        const waitsAndWarnings = (lines: ReadonlyArray<Record<string, unknown>>) =>
          lines.filter((line) => line["wait_kind"] !== undefined || line["warning_kind"] !== undefined)
            .map((
              line
            ) => [line["level"], line["msg"], line["wait_kind"] ?? line["warning_kind"], line["wait_reason"] ?? line["warning_message"]])
            .map((parts) => JSON.stringify(parts))
            .sort()
        assert.deepStrictEqual(waitsAndWarnings(service), waitsAndWarnings(sync))
        assert.deepStrictEqual(
          [...new Set(waitsAndWarnings(service).map((parts) => (JSON.parse(parts) as ReadonlyArray<string>)[1]))].sort(),
          ["sync warning", "waiting before retrying a request"]
        )
      }).pipe(Effect.provide(sandboxLayer(withUnlistedRoles)), Effect.provide(NodeContext.layer)),
    { timeout: 120_000 }
  )

  it.scopedLive("every line of a CLI sync from its start names the sync id its .c1z records", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const file = `${dir}/out.c1z`
      const lines = yield* syncWithWaitAndWarnings(file)
      const syncId = yield* Effect.scoped(Effect.map(Effect.orDie(openC1z(file)), (reader) => reader.syncRun.syncId))
      const start = lines.findIndex((line) => line["msg"] === "syncing into the sync file" && line["file"] === file)
      assert.strictEqual(start, 0)
      // Progress, the wait, the warnings, the requests, the writer's line and the summary alike.
      assert.deepStrictEqual(lines.filter((line) => line["c1z_sync_id"] !== syncId).map((line) => line["msg"]), [])
      assert.strictEqual(lines.filter((line) => line["warning_kind"] === "unknown_role").length, 4)
      assert.strictEqual(lines.filter((line) => line["wait_kind"] === "rate_limited").length, 1)
      assert.strictEqual(lines.at(-1)?.["msg"], "sync complete")
    }).pipe(Effect.provide(sandboxLayer(withUnlistedRoles)), Effect.provide(NodeContext.layer)), { timeout: 120_000 })
})
