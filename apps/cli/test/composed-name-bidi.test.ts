import { openC1z } from "@baton-fivetran/c1z"
import { type AccountSnapshot, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { assertExit, runCli } from "./support/CliProcess.js"
import { edgeCases, edgeFlags } from "./support/EdgeCases.js"

/**
 * The names the connector composes into the .c1z (`<team> member`, `<role> on <destination>`),
 * which ConductorOne, baton and a spreadsheet show: a right-to-left override or an isolate a team's,
 * destination's or custom role's name left open ran on over the connector's words after it ("\u202Etrats
 * member" read as "rebmem start"). Each name is kept exactly in them and followed by the closer of what
 * it left open; the resources' own names are the account's, written as Fivetran gives them. Read
 * back with the c1z reader (no baton CLI here), as any reader of the file gets them.
 */

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-composed-names-" }))

const team = "\u202Etrats"
const destination = "\u2067lake"
const role = "\u202EweiveR"

const hostile: AccountSnapshot = {
  ...edgeCases,
  roles: [...edgeCases.roles, {
    name: role,
    description: "A custom destination role.",
    is_custom: true,
    scope: ["DESTINATION"],
    is_deprecated: false,
    replacement_role_name: null
  }],
  teams: edgeCases.teams.map((t) => t.id === "ops_t" ? { ...t, name: team } : t),
  groups: edgeCases.groups.map((g) => g.id === "lake_g" ? { ...g, name: destination } : g)
}

describe("account names in the names the connector composes", () => {
  it.scopedLive("are closed where they leave an override or isolate open; the resources' names stay exact", () =>
    Effect.gen(function*() {
      const file = `${yield* tempDir}/hostile.c1z`
      assertExit(yield* runCli([...yield* edgeFlags, "-f", file]), 0)

      const written = yield* Effect.scoped(Effect.gen(function*() {
        const reader = yield* openC1z(file)
        const entitlement = (id: string) =>
          Effect.map(reader.getEntitlement(id), (found) => Option.map(found, (e) => [e.displayName, e.description ?? ""]))
        const resourceName = (resourceType: string, resource: string) =>
          Effect.map(reader.getResource({ resourceType, resource }), Option.map((r) => r.displayName))
        return {
          member: yield* entitlement("team:ops_t:member"),
          manager: yield* entitlement("team:ops_t:Team Manager"),
          custom: yield* entitlement(`group:lake_g:${role}`),
          view: yield* entitlement("group:lake_g:View Destination"),
          untouched: yield* entitlement("team:analysts_t:member"),
          team: yield* resourceName("team", "ops_t"),
          destination: yield* resourceName("group", "lake_g")
        }
      }))
      assert.deepStrictEqual(written, {
        member: Option.some([`${team}\u202C member`, `Member of the Fivetran team ${team}\u202C`]),
        manager: Option.some([`Team Manager of ${team}\u202C`, "Manages the team."]),
        custom: Option.some([`${role}\u202C on ${destination}\u2069`, "A custom destination role."]),
        view: Option.some([`View Destination on ${destination}\u2069`, "Read-only view of the destination."]),
        untouched: Option.some(["Analysts member", "Member of the Fivetran team Analysts"]),
        team: Option.some(team),
        destination: Option.some(destination)
      })

      // The CLI's own table shows the closer as it shows the override: escaped.
      const table = yield* runCli(["entitlements", "--resource", "team:ops_t", "-f", file, "-o", "table"])
      assertExit(table, 0)
      assert.include(table.stdout, "team:ops_t:member        team:ops_t  \\u202etrats\\u202c member")
    }).pipe(Effect.provide(Sandbox.layer({ snapshot: hostile, port: 0 })), Effect.provide(NodeContext.layer)))
})
