import { assert, describe, it } from "@effect/vitest"
import { Effect, Logger, LogLevel } from "effect"
import { Provisioner } from "../src/index.js"
import { provisioningLayer } from "./support/ProvisioningFixture.js"

/**
 * Every provisioning action leaves one info line, `provisioning action`, naming what it changed by
 * id and how it ended; never an email or a profile value. The account is support/ProvisioningFixture.ts's.
 */

/** The info lines `action` logs, as `level msg` and its annotations. */
const auditOf = <A, E>(action: (provisioner: Provisioner["Type"]) => Effect.Effect<A, E>) =>
  Effect.gen(function*() {
    const lines: Array<Record<string, unknown>> = []
    const logger = Logger.make(({ annotations, logLevel, message }) => {
      if (logLevel.ordinal < LogLevel.Info.ordinal) return
      lines.push({ level: logLevel.label, msg: Array.isArray(message) ? message.join(" ") : message, ...Object.fromEntries(annotations) })
    })
    const provisioner = yield* Provisioner
    yield* Effect.either(action(provisioner)).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
    return lines
  })

const line = (fields: Record<string, string>) => ({ level: "INFO", msg: "provisioning action", ...fields })

describe("the provisioning audit line", () => {
  it.live("a grant, its repeat and a role change name the entitlement, the principal and the outcome", () =>
    Effect.gen(function*() {
      const grant = (p: Provisioner["Type"]) => p.grant("group:g_main:View Destination", { type: "user", id: "ben" })
      assert.deepStrictEqual(yield* auditOf(grant), [line({
        action: "grant",
        entitlement_id: "group:g_main:View Destination",
        principal_type: "user",
        principal_id: "ben",
        outcome: "granted"
      })])
      assert.deepStrictEqual(yield* auditOf(grant), [line({
        action: "grant",
        entitlement_id: "group:g_main:View Destination",
        principal_type: "user",
        principal_id: "ben",
        outcome: "already_exists"
      })])
      assert.deepStrictEqual(yield* auditOf((p) => p.grant("role:Account Analyst:assigned", { type: "user", id: "ana" })), [line({
        action: "grant",
        entitlement_id: "role:Account Analyst:assigned",
        principal_type: "user",
        principal_id: "ana",
        outcome: "granted",
        replaced_role: "Account Reviewer"
      })])
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("a revoke takes its grant id apart; a refusal is its kind, and a malformed id is quoted", () =>
    Effect.gen(function*() {
      const revoke = (p: Provisioner["Type"]) => p.revoke("group:g_main:View Destination:user:ana")
      const fields = {
        action: "revoke",
        grant_id: "group:g_main:View Destination:user:ana",
        entitlement_id: "group:g_main:View Destination",
        principal_type: "user",
        principal_id: "ana"
      }
      assert.deepStrictEqual(yield* auditOf(revoke), [line({ ...fields, outcome: "revoked" })])
      assert.deepStrictEqual(yield* auditOf(revoke), [line({ ...fields, outcome: "already_revoked" })])
      assert.deepStrictEqual(yield* auditOf((p) => p.grant("group:g_main:No Such Role", { type: "user", id: "ana" })), [line({
        action: "grant",
        entitlement_id: "group:g_main:No Such Role",
        principal_type: "user",
        principal_id: "ana",
        outcome: "unknown_role"
      })])
      assert.deepStrictEqual(yield* auditOf((p) => p.revoke("no grant\nINFO forged line")), [line({
        action: "revoke",
        grant_id: "\"no grant\\nINFO forged line\"",
        outcome: "invalid_id"
      })])
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("an invitation is named by the user id it made, never by the email; a deletion by the resource", () =>
    Effect.gen(function*() {
      const lines = yield* auditOf((p) =>
        p.createAccount({ email: "zoe.quinn@example.com", given_name: "Zoe", family_name: "Quinn", role: "Account Analyst" })
      )
      assert.strictEqual(lines.length, 1)
      const created = lines[0]!
      assert.isString(created["principal_id"])
      assert.deepStrictEqual(
        created,
        line({
          action: "create_account",
          role: "Account Analyst",
          outcome: "created",
          principal_type: "user",
          principal_id: String(created["principal_id"])
        })
      )
      assert.notInclude(JSON.stringify(lines), "zoe")
      // Refused, the user holding another role: named by the user found, as an invitation that finds them is.
      const refused = yield* auditOf((p) =>
        p.createAccount({ email: "ana@example.com", given_name: "Ana", family_name: "Lima", role: "Account Analyst" })
      )
      assert.deepStrictEqual(
        refused,
        [line({ action: "create_account", role: "Account Analyst", principal_type: "user", principal_id: "ana", outcome: "conflict" })]
      )
      assert.deepStrictEqual(yield* auditOf((p) => p.deleteResource("user", String(created["principal_id"]))), [line({
        action: "delete_resource",
        resource_type: "user",
        resource_id: String(created["principal_id"]),
        outcome: "deleted"
      })])
      assert.deepStrictEqual(yield* auditOf((p) => p.deleteResource("user", "gone")), [line({
        action: "delete_resource",
        resource_type: "user",
        resource_id: "gone",
        outcome: "does_not_exist"
      })])
    }).pipe(Effect.provide(provisioningLayer())))
})
