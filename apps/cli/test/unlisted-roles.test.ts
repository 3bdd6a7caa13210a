import { openC1z } from "@baton-fivetran/c1z"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Option, Stream } from "effect"
import { assertExit, jsonLines, runCli } from "./support/CliProcess.js"
import { connectionFlags, sandboxLayer, smallAccount } from "./support/Sandboxes.js"

/**
 * Access held under a role `GET /v1/roles` does not list (a pre-RBAC name, one removed since) is
 * still Fivetran's: the sync file must show it to a reviewer. The small account, served with one
 * role of each scope left out of its roles and every membership naming them kept, synced by the
 * CLI process and read back from the file it wrote.
 */

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-cli-unlisted-" }))

const unlisted = ["Security Auditor", "Warehouse Steward", "Connector Reviewer", "Team Manager"]

const withoutRoles = { ...smallAccount, roles: smallAccount.roles.filter((role) => !unlisted.includes(role.name)) }

const unlistedDescription = (scope: string) =>
  `Not listed by GET /v1/roles with scope ${scope}: a legacy or since-removed role, held in Fivetran; ` +
  "it cannot be granted through provisioning"

const warning = (owners: string, role: string, scope: string, grants: string) =>
  `${owners} have role "${role}", which GET /v1/roles does not list with scope ${scope}; ` +
  `those grants are written under an entitlement marked as unlisted (${grants})`

const namesUnlisted = (id: string) => unlisted.some((role) => id.includes(`:${role}:`) || id.endsWith(`:${role}`))

describe("roles GET /v1/roles does not list", () => {
  it.scopedLive(
    "their grants reach the sync file, under entitlements (and a role resource) that say the role is unlisted",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        const file = `${dir}/unlisted.c1z`
        const { flags } = yield* connectionFlags
        const sync = yield* runCli([...flags, "-f", file, "--sync-connections", "--log-format", "json"])
        assertExit(sync, 0)
        const summary = jsonLines(sync.stderr).find((line) => line["msg"] === "sync complete")!
        assert.deepStrictEqual(summary["warning_messages"], [
          warning("team members", "Team Manager", "TEAM", "3 grants"),
          warning("connection memberships", "Connector Reviewer", "CONNECTOR", "4 grants"),
          warning("users", "Security Auditor", "ACCOUNT", "4 grants"),
          warning("group members", "Warehouse Steward", "DESTINATION", "2 grants")
        ])

        const grants = yield* runCli(["grants", "-f", file, "-o", "json"])
        assertExit(grants, 0)
        assert.deepStrictEqual(
          jsonLines(grants.stdout).filter((grant) => namesUnlisted(String(grant["entitlement"]))).map((g) => [g["id"], g["via"]]),
          // By grant id (31cc512).
          [
            "connection:cool_boulder:Connector Reviewer:user:formal_sierra",
            "connection:cool_boulder:Connector Reviewer:user:sunny_ledge",
            "connection:mossy_yarrow:Connector Reviewer:user:fair_fawn",
            "connection:polite_pine:Connector Reviewer:user:violet_reef",
            "group:exact_creek:Warehouse Steward:user:vivid_orchard",
            "group:formal_birch:Warehouse Steward:user:placid_aurora",
            "role:Security Auditor:assigned:user:glad_tundra",
            "role:Security Auditor:assigned:user:pure_hawk",
            "role:Security Auditor:assigned:user:quick_storm",
            "role:Security Auditor:assigned:user:tidal_lagoon",
            "team:bouncy_mist:Team Manager:user:violet_reef",
            "team:bouncy_mist:Team Manager:user:vivid_orchard",
            "team:sunny_barley:Team Manager:user:violet_reef"
          ].map((id) => [id, "direct"])
        )

        const entitlements = yield* runCli(["entitlements", "-f", file, "-o", "json"])
        assertExit(entitlements, 0)
        assert.deepStrictEqual(
          jsonLines(entitlements.stdout).filter((e) => namesUnlisted(String(e["id"]))).map((e) => [e["id"], e["name"], e["purpose"]]),
          // Each once, by id (31cc512).
          [
            [
              "connection:cool_boulder:Connector Reviewer",
              "Connector Reviewer on netsuite_suiteanalytics netsuite_suiteanalytics",
              "permission"
            ],
            ["connection:mossy_yarrow:Connector Reviewer", "Connector Reviewer on postgres postgres", "permission"],
            ["connection:polite_pine:Connector Reviewer", "Connector Reviewer on facebook_ads facebook_ads", "permission"],
            ["group:exact_creek:Warehouse Steward", "Warehouse Steward on raw_archive", "permission"],
            ["group:formal_birch:Warehouse Steward", "Warehouse Steward on logistics_latam", "permission"],
            ["role:Security Auditor:assigned", "Security Auditor role", "assignment"],
            ["team:bouncy_mist:Team Manager", "Team Manager of Logistics Platform", "permission"],
            ["team:sunny_barley:Team Manager", "Team Manager of Product Analytics", "permission"]
          ]
        )

        const reader = yield* openC1z(file)
        const written = Chunk.toArray(yield* Stream.runCollect(reader.entitlements()))
          .map(({ value }) => value)
          .filter((e) => namesUnlisted(e.id))
        assert.strictEqual(written.length, 8)
        assert.deepStrictEqual(
          written.map((e) => [e.id, e.description]),
          written.map((e) => [
            e.id,
            e.id.startsWith("role:") ? "Holds the Fivetran account role Security Auditor" : unlistedDescription(scopeOf(e.id))
          ])
        )
        const role = yield* reader.getResource({ resourceType: "role", resource: "Security Auditor" })
        assert.deepStrictEqual(
          Option.map(role, (r) => [r.displayName, r.description]),
          Option.some(["Security Auditor", unlistedDescription("ACCOUNT")])
        )
      }).pipe(Effect.provide(sandboxLayer(withoutRoles)), Effect.provide(NodeContext.layer)),
    { timeout: 120_000 }
  )
})

const scopeOf = (entitlementId: string) =>
  entitlementId.startsWith("group:") ? "DESTINATION" : entitlementId.startsWith("team:") ? "TEAM" : "CONNECTOR"
