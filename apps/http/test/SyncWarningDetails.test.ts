import { addSystemKey, generatePreset, type Permission } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem, Path } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { fileURLToPath } from "node:url"
import { harness, Harness, runSync, TestToken } from "./Harness.js"
import { servedContract } from "./ServedContract.js"

/**
 * A sync job's summary carries its warnings as data (`warningDetails`: kind, sentence without the
 * count, count) beside the sentences, so that a scheduler tells a key lacking CONNECTOR:READ from
 * an unknown role without parsing English: in `GET /v1/syncs/{id}` and the job list, in the job
 * record on the volume (read again after a restart), and in the OpenAPI document, its kind an enum.
 * A job record of an older build, without the field, still loads and is served with it null. The
 * real service over HTTP against the sandbox; each answer checked against the served document.
 */

/** The small preset without the "Security Auditor" role, its only system key lacking CONNECTOR:READ. */
const withoutConnectorNorAuditor = (() => {
  const permissions: ReadonlyArray<Permission> = (["ACCOUNT", "USER", "ROLES", "TEAM", "DESTINATION"] as const)
    .map((resource_type) => ({ resource_type, access_level: "READ" as const }))
  const { credential, snapshot } = addSystemKey(generatePreset("small"), permissions)
  return { ...snapshot, roles: snapshot.roles.filter((role) => role.name !== "Security Auditor"), credentials: [credential] }
})()

const missing = "the API key lacks CONNECTOR:READ, needed to list connections; connections are not synced"
const auditorsUnlisted = "users have role \"Security Auditor\", which GET /v1/roles does not list with scope ACCOUNT; " +
  "those grants are written under an entitlement marked as unlisted"

type Json = Record<string, unknown>

/** The service's JSON answer to GET `path`, checked against its OpenAPI document. */
const served = (path: string) =>
  Effect.gen(function*() {
    const { request } = yield* Harness
    const response = yield* request("GET", path, { token: TestToken })
    const body = yield* Effect.orDie(response.text)
    const contract = yield* servedContract
    assert.deepStrictEqual(contract.problems("GET", path, { status: response.status, headers: response.headers, body }), [], path)
    assert.strictEqual(response.status, 200, path)
    return JSON.parse(body) as Json
  })

/** The job `id`'s summary's warnings and details, as `GET /v1/syncs/{id}` and the first of `GET /v1/syncs` send them. */
const servedWarnings = (id: string) =>
  Effect.gen(function*() {
    const job = yield* served(`/v1/syncs/${id}`)
    const [listed] = (yield* served("/v1/syncs"))["items"] as ReadonlyArray<Json>
    return [job, listed!].map((each) => {
      const summary = each["summary"] as Json
      return [summary["warnings"], summary["warningDetails"]]
    })
  })

/** A copy of the first release's data directory (fixtures/first-release-data-dir) holding only its succeeded job. */
const olderBuildsJob = "20261205T213558Z-bcda"
const olderBuildDataDir = (warnings: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const fixture = fileURLToPath(new URL("fixtures/first-release-data-dir", import.meta.url))
    const dataDir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-http-older-summary-" })
    const record = JSON.parse(yield* fs.readFileString(path.join(fixture, `${olderBuildsJob}.json`))) as Json & { summary: Json }
    assert.notProperty(record.summary, "warningDetails")
    yield* fs.writeFileString(
      path.join(dataDir, `${olderBuildsJob}.json`),
      JSON.stringify({ ...record, summary: { ...record.summary, warnings } })
    )
    yield* fs.copyFile(path.join(fixture, `${olderBuildsJob}.c1z`), path.join(dataDir, `${olderBuildsJob}.c1z`))
    yield* fs.chmod(dataDir, 0o700)
    return dataDir
  })

describe("a sync job's warnings as data", () => {
  it.scopedLive(
    "each warning's kind, sentence and count, in the job, the job list and the record a restart reads",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dataDir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-http-warnings-" })
        const options = { dataDir, snapshot: withoutConnectorNorAuditor, syncConnections: true }
        const expected = [
          [missing, `${auditorsUnlisted} (4 grants)`],
          [
            { kind: "missing_permission", message: missing, count: 1 },
            { kind: "unknown_role", message: auditorsUnlisted, count: 4 }
          ]
        ]

        const { answers, id } = yield* Effect.gen(function*() {
          const job = yield* runSync
          assert.strictEqual(job.status, "succeeded")
          return { id: job.id, answers: yield* servedWarnings(job.id) }
        }).pipe(Effect.provide(harness(options)))
        assert.deepStrictEqual(answers, [expected, expected])

        const stored = JSON.parse(yield* fs.readFileString(`${dataDir}/${id}.json`)) as { summary: Json }
        assert.deepStrictEqual([stored.summary["warnings"], stored.summary["warningDetails"]], expected)
        assert.deepStrictEqual(yield* servedWarnings(id).pipe(Effect.provide(harness(options))), [expected, expected])
      }).pipe(Effect.provide(NodeContext.layer)),
    { timeout: 120_000 }
  )

  it.scopedLive("the OpenAPI document describes each detail, its kind an enum of the warning kinds", () =>
    Effect.gen(function*() {
      const { request } = yield* Harness
      const document = (yield* Effect.orDie((yield* request("GET", "/openapi.json", { token: TestToken })).json)) as Json
      const schemas = (document["components"] as { schemas: Record<string, Json & { properties: Json }> }).schemas
      assert.deepStrictEqual(schemas["SyncWarningDetail"], {
        type: "object",
        required: ["kind", "message", "count"],
        properties: {
          kind: {
            type: "string",
            enum: ["missing_permission", "unknown_role", "unlisted_resource", "reserved_role_name", "unknown_value"]
          },
          message: { type: "string" },
          count: { $ref: "#/components/schemas/Int" }
        },
        additionalProperties: false
      })
      assert.deepStrictEqual(schemas["SyncSummary"]!.properties["warningDetails"], {
        anyOf: [{ type: "array", items: { $ref: "#/components/schemas/SyncWarningDetail" } }, { type: "null" }]
      })
    }).pipe(Effect.provide(harness()), Effect.provide(NodeContext.layer)))

  it.scopedLive(
    "a job recorded by an older build, without warningDetails, is served with it null and its warnings as recorded",
    () =>
      Effect.gen(function*() {
        const dataDir = yield* olderBuildDataDir([missing])
        const answers = yield* servedWarnings(olderBuildsJob).pipe(Effect.provide(harness({ dataDir })))
        assert.deepStrictEqual(answers, [[[missing], null], [[missing], null]])
      }).pipe(Effect.provide(NodeContext.layer)),
    { timeout: 60_000 }
  )
})
