import { compareKeys } from "@baton-fivetran/connector-core"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { assertExit, runCli } from "./support/CliProcess.js"
import { jsonRows } from "./support/JsonRows.js"
import { copySandboxSync } from "./support/SandboxSyncs.js"

/**
 * `grants` and `entitlements` listed rows in the order the sync wrote them (a user's team
 * memberships first, then roles, connections and destinations as Fivetran's pages came), while
 * `resources`, `access` and `export` list by id: a reviewer could not find a grant in a long
 * listing, nor line up `grants --principal U` with `access U`. Both now list by id: all grants by
 * grant id, one principal's by entitlement id (as `access` does), one entitlement's by principal,
 * entitlements by id.
 */

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-listing-order-" }))

/** The values of `column`, checked to be in id order (SQLite's, as `resources` and `export` sort). */
const inIdOrder = (listed: ReadonlyArray<Record<string, string>>, column: string) => {
  const values = listed.map((row) => row[column]!)
  assert.deepStrictEqual(values, [...values].sort(compareKeys), column)
  return values
}

describe("review listing order", () => {
  it.scopedLive(
    "grants and entitlements come by id, and one principal's grants in the order access lists them",
    () =>
      Effect.gen(function*() {
        const file = `${yield* tempDir}/small.c1z`
        yield* copySandboxSync(file, "small with connections")
        const list = (args: ReadonlyArray<string>) =>
          Effect.map(runCli([...args, "-f", file, "-o", "json"]), (result) => {
            assertExit(result, 0)
            return jsonRows(result.stdout)
          })

        const grants = yield* list(["grants"])
        assert.strictEqual(inIdOrder(grants, "id").length, 149)
        const entitlements = yield* list(["entitlements"])
        assert.strictEqual(inIdOrder(entitlements, "id").length, 107)

        const teamEntitlements = yield* list(["entitlements", "--resource", "team:sunny_barley"])
        assert.deepStrictEqual(inIdOrder(teamEntitlements, "id"), [
          "team:sunny_barley:Team Manager",
          "team:sunny_barley:Team Member",
          "team:sunny_barley:member"
        ])

        const held = yield* list(["grants", "--principal", "user:violet_reef"])
        assert.strictEqual(inIdOrder(held, "entitlement").length, 11)
        const access = yield* list(["access", "user:violet_reef"])
        assert.deepStrictEqual(held.map((row) => row["entitlement"]), [...new Set(access.map((row) => row["entitlement"]))])

        const holders = yield* list(["grants", "--entitlement", "group:formal_birch:Manage Destination"])
        assert.deepStrictEqual(
          inIdOrder(holders, "principal"),
          (yield* list(["access", "--entitlement", "group:formal_birch:Manage Destination"])).map((row) => row["principal"])
        )
        assert.deepStrictEqual(
          (yield* list(["grants", "--entitlement", "group:formal_birch:Manage Destination", "--principal", "user:bouncy_sun"]))
            .map((row) => row["id"]),
          ["group:formal_birch:Manage Destination:user:bouncy_sun"]
        )
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )
})
