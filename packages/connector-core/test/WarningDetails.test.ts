import { type AccountSnapshot, generatePreset, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import { SyncEngine } from "../src/index.js"
import { unknownScopeWarning } from "../src/sync/UnknownValues.js"
import { clientLayer, collectingSink, READ_ALL, readAllBut, withSystemKey } from "./support/Harness.js"

/**
 * A summary's warnings as data beside its sentences (`warningDetails`: kind, sentence without the
 * count, count), so that automation tells "the key lacks CONNECTOR:READ" from "an unknown role"
 * without parsing English; and a role `GET /v1/roles` lists with no scope, warned of and synced as
 * one whose every scope is unknown. The real client and sync engine against the sandbox, over loopback.
 */

const small = generatePreset("small")

const withScope = (name: string, scope: ReadonlyArray<string>) => (account: AccountSnapshot): AccountSnapshot => ({
  ...account,
  roles: account.roles.map((role) => role.name === name ? { ...role, scope } : role)
})

/** A sync with connections of `account` with a key of `permissions`: its rows and summary. */
const syncOf = (account: AccountSnapshot, permissions = READ_ALL) => {
  const { credential, snapshot } = withSystemKey(account, permissions)
  return Effect.gen(function*() {
    const sink = yield* collectingSink
    const engine = yield* SyncEngine
    const summary = yield* engine.run({ syncConnections: true, concurrency: 8 }).pipe(Effect.provide(sink.layer))
    return { summary, rows: yield* sink.rows }
  }).pipe(
    Effect.provide(
      SyncEngine.layer.pipe(Layer.provideMerge(clientLayer(credential)), Layer.provideMerge(Sandbox.layer({ snapshot, port: 0 })))
    )
  )
}

const auditorsUnlisted = "users have role \"Security Auditor\", which GET /v1/roles does not list with scope ACCOUNT; " +
  "those grants are written under an entitlement marked as unlisted"
const stewardsUnlisted = "group members have role \"Warehouse Steward\", which GET /v1/roles does not list with scope DESTINATION; " +
  "those grants are written under an entitlement marked as unlisted"
const noScope = "GET /v1/roles lists roles with no scope, which this connector cannot map; those roles are skipped"

describe("a summary's warnings as data", () => {
  it.live("one detail per warning, in the summary's order: its kind, its sentence without the count, and the times raised", () =>
    Effect.gen(function*() {
      const withoutAuditor = { ...small, roles: small.roles.filter((role) => role.name !== "Security Auditor") }
      const { summary } = yield* syncOf(withoutAuditor, readAllBut("CONNECTOR"))
      const missing = "the API key lacks CONNECTOR:READ, needed to list connections; connections are not synced"
      assert.deepStrictEqual(summary.warnings, [missing, `${auditorsUnlisted} (4 grants)`])
      assert.deepStrictEqual(summary.warningDetails, [
        { kind: "missing_permission", message: missing, count: 1 },
        { kind: "unknown_role", message: auditorsUnlisted, count: 4 }
      ])
    }))

  it.live("none for a sync without warnings: an empty list, not null", () =>
    Effect.map(syncOf(small), ({ summary }) => assert.deepStrictEqual([summary.warnings, summary.warningDetails], [[], []])))
})

describe("a role GET /v1/roles lists with no scope", () => {
  it.live("is warned of as an unknown_value counted per role, and synced as a role whose every scope is unknown", () =>
    Effect.gen(function*() {
      const scopeless = yield* syncOf(withScope("Warehouse Steward", [])(withScope("Security Auditor", [])(small)))
      const unknown = yield* syncOf(
        withScope("Warehouse Steward", ["ORGANIZATION"])(withScope("Security Auditor", ["ORGANIZATION"])(small))
      )

      assert.deepStrictEqual(scopeless.summary.warningDetails, [
        { kind: "unknown_value", message: noScope, count: 2 },
        { kind: "unknown_role", message: auditorsUnlisted, count: 4 },
        { kind: "unknown_role", message: stewardsUnlisted, count: 2 }
      ])
      assert.deepStrictEqual(scopeless.summary.warnings, [
        `${noScope} (2 roles)`,
        `${auditorsUnlisted} (4 grants)`,
        `${stewardsUnlisted} (2 grants)`
      ])
      assert.deepStrictEqual(unknown.summary.warnings.slice(1), scopeless.summary.warnings.slice(1))
      assert.strictEqual(JSON.stringify(scopeless.rows), JSON.stringify(unknown.rows))
    }))

  it("a role with a scope gets no such warning", () => {
    const [auditor] = small.roles.filter((role) => role.name === "Security Auditor")
    assert.deepStrictEqual(
      [unknownScopeWarning({ ...auditor!, scope: [] }), unknownScopeWarning(auditor!)],
      [Option.some({ kind: "unknown_value", message: noScope, counts: "role" }), Option.none()]
    )
  })
})
