import { addSystemKey, type AccountSnapshot, type Permission } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { assertExit, jsonLines, runCli } from "./support/CliProcess.js"
import { connectionFlags, sandboxLayer, smallAccount } from "./support/Sandboxes.js"

/**
 * The warnings of a sync, in `--summary-file`, as data beside the sentences (`warningDetails`: kind,
 * sentence without the count, count), so that a scheduler tells a key lacking CONNECTOR:READ from
 * an unknown role without parsing English; and a role `GET /v1/roles` lists with no scope, warned
 * of, exit 0, and written as a role whose every scope is unknown. The CLI process against the sandbox.
 */

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-cli-warnings-" }))

/** The small preset without the "Security Auditor" role, its only system key lacking CONNECTOR:READ. */
const withoutConnectorNorAuditor = (() => {
  const permissions: ReadonlyArray<Permission> = (["ACCOUNT", "USER", "ROLES", "TEAM", "DESTINATION"] as const)
    .map((resource_type) => ({ resource_type, access_level: "READ" as const }))
  const { credential, snapshot } = addSystemKey(smallAccount, permissions)
  return { ...snapshot, roles: snapshot.roles.filter((role) => role.name !== "Security Auditor"), credentials: [credential] }
})()

const withScope = (name: string, scope: ReadonlyArray<string>): AccountSnapshot => ({
  ...smallAccount,
  roles: smallAccount.roles.map((role) => role.name === name ? { ...role, scope } : role)
})

const auditorsUnlisted = "users have role \"Security Auditor\", which GET /v1/roles does not list with scope ACCOUNT; " +
  "those grants are written under an entitlement marked as unlisted"

/** A sync with connections into `dir`/`name`.c1z with its summary beside it: the exit code, the summary read back. */
const syncWithSummary = (dir: string, name: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const { flags } = yield* connectionFlags
    const result = yield* runCli([...flags, "-f", `${dir}/${name}.c1z`, "--sync-connections", "--summary-file", `${dir}/${name}.json`])
    assertExit(result, 0)
    return JSON.parse(yield* fs.readFileString(`${dir}/${name}.json`)) as Record<string, unknown>
  })

/** What the review commands list of a sync file, but which sync wrote it and when. */
const listed = (file: string) =>
  Effect.forEach(["resources", "entitlements", "grants"], (command) =>
    Effect.map(runCli([command, "-f", file, "-o", "json"]), (result) => {
      assertExit(result, 0)
      return jsonLines(result.stdout).map(({ sync_id: _id, synced_at: _at, ...row }) => row)
    }))

describe("--summary-file's warnings", () => {
  it.scopedLive(
    "lists each warning's kind, sentence and count in warningDetails, beside the warnings sentences",
    () =>
      Effect.gen(function*() {
        const summary = yield* syncWithSummary(yield* tempDir, "out")
        const missing = "the API key lacks CONNECTOR:READ, needed to list connections; connections are not synced"
        assert.deepStrictEqual([summary["warnings"], summary["warningDetails"]], [
          [missing, `${auditorsUnlisted} (4 grants)`],
          [
            { kind: "missing_permission", message: missing, count: 1 },
            { kind: "unknown_role", message: auditorsUnlisted, count: 4 }
          ]
        ])
      }).pipe(Effect.provide(sandboxLayer(withoutConnectorNorAuditor)), Effect.provide(NodeContext.layer)),
    { timeout: 120_000 }
  )

  it.scopedLive(
    "a role listed with no scope: exit 0, an unknown_value warning, and the file a role of an unknown scope gives",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        const scopeless = yield* syncWithSummary(dir, "scopeless").pipe(Effect.provide(sandboxLayer(withScope("Security Auditor", []))))
        const unknown = yield* syncWithSummary(dir, "unknown").pipe(
          Effect.provide(sandboxLayer(withScope("Security Auditor", ["ORGANIZATION"])))
        )
        const noScope = "GET /v1/roles lists roles with no scope, which this connector cannot map; those roles are skipped"
        assert.deepStrictEqual([scopeless["warnings"], scopeless["warningDetails"]], [
          [`${noScope} (1 role)`, `${auditorsUnlisted} (4 grants)`],
          [
            { kind: "unknown_value", message: noScope, count: 1 },
            { kind: "unknown_role", message: auditorsUnlisted, count: 4 }
          ]
        ])
        assert.deepStrictEqual(unknown["warnings"], [
          "GET /v1/roles lists roles with scope \"ORGANIZATION\", which this connector does not know; " +
          "those roles have no other scope and are skipped (1 role)",
          `${auditorsUnlisted} (4 grants)`
        ])
        const [resources, entitlements, grants] = yield* listed(`${dir}/scopeless.c1z`)
        assert.deepStrictEqual([resources, entitlements, grants], yield* listed(`${dir}/unknown.c1z`))
        // Its holders' grants are written, under the role resource of a role the list lacks.
        assert.deepStrictEqual(
          grants!.filter((grant) => String(grant["entitlement"]) === "role:Security Auditor:assigned").map((grant) => grant["principal"]),
          ["user:glad_tundra", "user:pure_hawk", "user:quick_storm", "user:tidal_lagoon"]
        )
      }).pipe(Effect.provide(NodeContext.layer)),
    { timeout: 120_000 }
  )
})
