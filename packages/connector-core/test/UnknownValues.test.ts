import { generatePreset, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Metric, Option } from "effect"
import { SyncEngine, type SyncRow, syncWarnings } from "../src/index.js"
import { unknownScopeWarning, unknownUserTypeWarning } from "../src/sync/UnknownValues.js"
import { clientLayer, collectingSink, READ_ALL, withSystemKey } from "./support/Harness.js"

/**
 * The day after Fivetran adds a role scope or a user type: one role or one user with the new value
 * in `GET /v1/roles` or `GET /v1/users` failed the whole sync (no file, for every account at once).
 * The sync now completes with today's rows, the new value kept in the profiles that carry it, and an
 * `unknown_value` warning naming it. The real client and sync engine against the sandbox, serving a
 * snapshot with the new values, over loopback.
 */

const { credential, snapshot } = withSystemKey(generatePreset("small"), READ_ALL)

const withScope = (name: string, scope: ReadonlyArray<string>) => (role: typeof snapshot.roles[number]) =>
  role.name === name ? { ...role, scope } : role
const newRole = (name: string) => ({
  name,
  description: "Owns the organization's accounts.",
  is_custom: false,
  scope: ["ORGANIZATION"],
  is_deprecated: false,
  replacement_role_name: null
})
const agents = snapshot.users.filter((user) => user.user_type !== "SERVICE_ACCOUNT").slice(0, 2).map((user) => user.id)

const tomorrow = {
  ...snapshot,
  roles: [
    ...snapshot.roles.map(withScope("Account Reviewer", ["ACCOUNT", "ORGANIZATION"])).map(
      withScope("Manage Connection", ["CONNECTOR", "CONNECTION"])
    ),
    newRole("Organization Owner"),
    newRole("Organization Auditor")
  ],
  users: snapshot.users.map((user) => agents.includes(user.id) ? { ...user, user_type: "AGENT_ACCOUNT" } : user)
}

const unknownValueWarnings = Metric.value(Metric.tagged(syncWarnings, "kind", "unknown_value"))

/** A sync with connections of `account`, its rows and summary, and the `unknown_value` warnings it counted. */
const syncOf = (account: typeof snapshot) =>
  Effect.gen(function*() {
    const before = yield* unknownValueWarnings
    const sink = yield* collectingSink
    const engine = yield* SyncEngine
    const summary = yield* engine.run({ syncConnections: true, concurrency: 8 }).pipe(Effect.provide(sink.layer))
    const counted = (yield* unknownValueWarnings).count - before.count
    return { summary, rows: yield* sink.rows, counted }
  }).pipe(
    Effect.provide(
      SyncEngine.layer.pipe(Layer.provideMerge(clientLayer(credential)), Layer.provideMerge(Sandbox.layer({ snapshot: account, port: 0 })))
    )
  )

const resourceRow = (rows: ReadonlyArray<SyncRow>, type: string, id: string) =>
  rows.find((row) => row._tag === "ResourceRow" && row.value.id.resourceType === type && row.value.id.resource === id)

describe("a sync meeting values Fivetran added", () => {
  it.live("completes with today's rows, the new values in the profiles, and an unknown_value warning naming each", () =>
    Effect.gen(function*() {
      const today = yield* syncOf(snapshot)
      const { counted, rows, summary } = yield* syncOf(tomorrow)

      assert.deepStrictEqual(summary.warnings, [
        "GET /v1/roles lists roles with scope \"ORGANIZATION\", which this connector does not know; " +
        "those roles are synced with their other scopes only (1 role)",
        "GET /v1/roles lists roles with scope \"CONNECTION\", which this connector does not know; " +
        "those roles are synced with their other scopes only (1 role)",
        "GET /v1/roles lists roles with scope \"ORGANIZATION\", which this connector does not know; " +
        "those roles have no other scope and are skipped (2 roles)",
        "GET /v1/users lists users with user_type \"AGENT_ACCOUNT\", which this connector does not know; " +
        "they are synced as HUMAN accounts, the value kept in their profile (2 users)"
      ])
      assert.strictEqual(counted, 4)
      assert.deepStrictEqual(today.summary.warnings, [])
      assert.deepStrictEqual(
        [summary.resources, summary.entitlements, summary.grants],
        [today.summary.resources, today.summary.entitlements, today.summary.grants]
      )

      // Every row as today's, but for the sent values that profiles carry as Fivetran gives them.
      const asToday = JSON.stringify(rows)
        .replaceAll(`"scope":["ACCOUNT","ORGANIZATION"]`, `"scope":["ACCOUNT"]`)
        .replaceAll(`"user_type":"AGENT_ACCOUNT"`, `"user_type":"REGULAR_USER"`)
      assert.strictEqual(asToday, JSON.stringify(today.rows))

      const reviewer = resourceRow(rows, "role", "Account Reviewer")
      assert.deepStrictEqual(reviewer?._tag === "ResourceRow" ? reviewer.value.profile?.["scope"] : reviewer, ["ACCOUNT", "ORGANIZATION"])
      for (const id of agents) {
        const user = resourceRow(rows, "user", id)
        const resource = user?._tag === "ResourceRow" ? user.value : undefined
        const trait = resource?.annotations.find((annotation) => annotation._tag === "UserTrait")
        assert.deepStrictEqual(
          [resource?.profile?.["user_type"], trait?._tag === "UserTrait" ? trait.accountType : trait],
          ["AGENT_ACCOUNT", "HUMAN"]
        )
      }
      assert.isFalse(rows.some((row) => JSON.stringify(row).includes("Organization Owner")))
    }))

  it("quotes a value as JSON, cut past 128 characters, and names no value it knows", () => {
    const long = `ORG\n${"x".repeat(300)}`
    const [reviewer] = snapshot.roles.filter((role) => role.name === "Account Reviewer")
    const messages = [
      unknownScopeWarning({ ...reviewer!, scope: ["ACCOUNT", long, "TEAM"] }),
      unknownUserTypeWarning({ ...snapshot.users[0]!, user_type: long }),
      unknownScopeWarning(reviewer!),
      unknownUserTypeWarning({ ...snapshot.users[0]!, user_type: "SERVICE_ACCOUNT" })
    ].map(Option.map((warning) => warning.message))
    const quoted = `"ORG\\n${"x".repeat(124)}…(304 characters)"`
    assert.deepStrictEqual(messages, [
      Option.some(
        `GET /v1/roles lists roles with scope ${quoted}, which this connector does not know; those roles are synced with their other scopes only`
      ),
      Option.some(
        `GET /v1/users lists users with user_type ${quoted}, which this connector does not know; ` +
          "they are synced as HUMAN accounts, the value kept in their profile"
      ),
      Option.none(),
      Option.none()
    ])
  })
})
