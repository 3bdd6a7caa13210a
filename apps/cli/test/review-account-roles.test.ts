import { Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, layer } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import { assertExit, logFields, runCli } from "./support/CliProcess.js"
import { edgeCases, edgeFlags } from "./support/EdgeCases.js"
import { type SheetSync, sheetSyncOf, syncLine } from "./support/SheetSync.js"

/**
 * `access --resource` on a destination or connection names the account roles that reach it (and
 * are not among its rows), with their holders' count and the command that lists them; its rows
 * are those an earlier build printed, byte for byte, but for the sync's id and end each row now ends
 * with. The real CLI on a sync of the edge-case account.
 */

class EdgeSync extends Context.Tag("test/EdgeSyncWithConnections")<EdgeSync, string>() {}

const edgeSync = Layer.scoped(
  EdgeSync,
  Effect.gen(function*() {
    const file = `${yield* (yield* FileSystem.FileSystem).makeTempDirectoryScoped({ prefix: "baton-roles-" })}/edge.c1z`
    assertExit(yield* runCli([...yield* edgeFlags, "--sync-connections", "-f", file]), 0)
    return file
  })
).pipe(Layer.provideMerge(Sandbox.layer({ snapshot: edgeCases, port: 0 })), Layer.provideMerge(NodeContext.layer))

/** Rows recorded before the sheets named their sync, with the sync's columns they now end with. */
const withSync = (csv: ReadonlyArray<string>, sync: SheetSync) =>
  csv.map((line, i) => i === 0 ? `${line},sync_id,synced_at` : line === "" ? line : `${line},${sync.id},${sync.at}`).join("\r\n")

/** The note after a destination's or connection's rows, for the edge-case account's five held account roles. */
const note = (what: "destination" | "connection") =>
  `Account roles also reach this ${what}, as far as each role's permissions go (Fivetran's roles cascade from the ` +
  "account to every destination and connection); their holders are not among these rows:\n" +
  "  Account Administrator  1 holder   baton-fivetran access --resource 'role:Account Administrator'\n" +
  "  Account Analyst        1 holder   baton-fivetran access --resource 'role:Account Analyst'\n" +
  "  Account Reviewer       3 holders  baton-fivetran access --resource 'role:Account Reviewer'\n" +
  "  Data Steward           1 holder   baton-fivetran access --resource 'role:Data Steward'\n" +
  "  Owner                  1 holder   baton-fivetran access --resource role:Owner\n"

/** The note after a connection's account roles: its destination's roles reach it too (sf_c is warehouse_g's, held by six). */
const warehouseNote = "Its destination's roles also reach this connection, as far as each role's permissions go (Fivetran's " +
  "roles cascade from a destination to its connections); their holders are not among these rows:\n" +
  "  warehouse (group:warehouse_g)  6 holders  baton-fivetran access --resource group:warehouse_g\n"

/** What the build before the note printed on stdout for group:warehouse_g as CSV and JSON lines (recorded from it). */
const warehouseCsv = [
  "principal,principal_name,email,status,last_login,account_type,resource,resource_name,entitlement,permission,via,via_name",
  "user:invited_ed,ed@edge.example,ed@edge.example,invited,,human,group:warehouse_g,warehouse,group:warehouse_g:Destination Reviewer,Destination Reviewer,direct,",
  "team:analysts_t,Analysts,,,,,group:warehouse_g,warehouse,group:warehouse_g:View Destination,View Destination,direct,",
  "team:ops_t,Ops,,,,,group:warehouse_g,warehouse,group:warehouse_g:View Destination,View Destination,direct,",
  "user:both_bo,Bo Both,bo@edge.example,enabled,2025-03-01T10:00:00Z,human,group:warehouse_g,warehouse,group:warehouse_g:View Destination,View Destination,direct,",
  "user:both_bo,Bo Both,bo@edge.example,enabled,2025-03-01T10:00:00Z,human,group:warehouse_g,warehouse,group:warehouse_g:View Destination,View Destination,team:analysts_t,Analysts",
  "user:both_bo,Bo Both,bo@edge.example,enabled,2025-03-01T10:00:00Z,human,group:warehouse_g,warehouse,group:warehouse_g:View Destination,View Destination,team:ops_t,Ops",
  "user:owner_fa,Fa Owner,fa@edge.example,enabled,2025-03-01T10:00:00Z,human,group:warehouse_g,warehouse,group:warehouse_g:View Destination,View Destination,team:ops_t,Ops",
  "user:suspended_di,Di Suspended,di@edge.example,disabled,2025-03-01T10:00:00Z,human,group:warehouse_g,warehouse,group:warehouse_g:View Destination,View Destination,team:analysts_t,Analysts",
  ""
] as const

/** What the build before the destination's note printed on stdout for connection:sf_c as CSV (recorded from it). */
const salesforceCsv = [
  "principal,principal_name,email,status,last_login,account_type,resource,resource_name,entitlement,permission,via,via_name",
  "team:analysts_t,Analysts,,,,,connection:sf_c,salesforce sf_main,connection:sf_c:Manage Connection,Manage Connection,direct,",
  "user:both_bo,Bo Both,bo@edge.example,enabled,2025-03-01T10:00:00Z,human,connection:sf_c,salesforce sf_main,connection:sf_c:Manage Connection,Manage Connection,direct,",
  "user:both_bo,Bo Both,bo@edge.example,enabled,2025-03-01T10:00:00Z,human,connection:sf_c,salesforce sf_main,connection:sf_c:Manage Connection,Manage Connection,team:analysts_t,Analysts",
  "user:suspended_di,Di Suspended,di@edge.example,disabled,2025-03-01T10:00:00Z,human,connection:sf_c,salesforce sf_main,connection:sf_c:Manage Connection,Manage Connection,team:analysts_t,Analysts",
  ""
] as const

const holder = (principal: string, name: string, email: string, status: string, lastLogin: string) => ({
  principal,
  principal_name: name,
  email,
  status,
  last_login: lastLogin,
  account_type: principal.startsWith("user:") ? "human" : ""
})
const onWarehouse = (entitlement: string, via = "direct", viaName = "") => ({
  resource: "group:warehouse_g",
  resource_name: "warehouse",
  entitlement: `group:warehouse_g:${entitlement}`,
  permission: entitlement,
  via,
  via_name: viaName
})
const bo = holder("user:both_bo", "Bo Both", "bo@edge.example", "enabled", "2025-03-01T10:00:00Z")
const warehouseJson = [
  { ...holder("user:invited_ed", "ed@edge.example", "ed@edge.example", "invited", ""), ...onWarehouse("Destination Reviewer") },
  { ...holder("team:analysts_t", "Analysts", "", "", ""), ...onWarehouse("View Destination") },
  { ...holder("team:ops_t", "Ops", "", "", ""), ...onWarehouse("View Destination") },
  { ...bo, ...onWarehouse("View Destination") },
  { ...bo, ...onWarehouse("View Destination", "team:analysts_t", "Analysts") },
  { ...bo, ...onWarehouse("View Destination", "team:ops_t", "Ops") },
  {
    ...holder("user:owner_fa", "Fa Owner", "fa@edge.example", "enabled", "2025-03-01T10:00:00Z"),
    ...onWarehouse("View Destination", "team:ops_t", "Ops")
  },
  {
    ...holder("user:suspended_di", "Di Suspended", "di@edge.example", "disabled", "2025-03-01T10:00:00Z"),
    ...onWarehouse("View Destination", "team:analysts_t", "Analysts")
  }
] as const
const warehouseJsonLines = (sync: SheetSync) =>
  warehouseJson.map((row) => `${JSON.stringify({ ...row, sync_id: sync.id, synced_at: sync.at })}\n`).join("")

layer(edgeSync, { excludeTestServices: true, timeout: 120_000 })("access --resource and the account roles", (it) => {
  it.effect("a destination's and a connection's table is followed by the account roles, their holders and where to list them", () =>
    Effect.gen(function*() {
      const file = yield* EdgeSync
      const sync = yield* sheetSyncOf(file)
      const destination = yield* runCli(["access", "--resource", "group:warehouse_g", "-f", file, "-o", "table"])
      assertExit(destination, 0)
      assert.strictEqual(destination.stdout.split("\n").length, 10)
      assert.strictEqual(destination.stderr, `8 access paths of 6 holders (4 users, 2 teams)\n${syncLine(sync)}${note("destination")}`)

      const connection = yield* runCli(["access", "--resource", "connection:sf_c", "-f", file, "-o", "table"])
      assertExit(connection, 0)
      assert.strictEqual(
        connection.stderr,
        `4 access paths of 3 holders (2 users, 1 team)\n${syncLine(sync)}${note("connection")}${warehouseNote}`
      )

      // The destination's count is its own sheet's: warehouse_g's rows name six users and teams.
      const warehouse = yield* runCli(["access", "--resource", "group:warehouse_g", "-f", file, "-o", "json"])
      assert.deepStrictEqual(
        Array.from(new Set(warehouse.stdout.split("\n").filter((line) => line !== "").map((line) => JSON.parse(line).principal))),
        ["user:invited_ed", "team:analysts_t", "team:ops_t", "user:both_bo", "user:owner_fa", "user:suspended_di"]
      )

      // The count the note gives is the role's own sheet's: Account Reviewer's 3 are a team and two users.
      const reviewers = yield* runCli(["access", "--resource", "role:Account Reviewer", "-f", file, "-o", "json"])
      assert.deepStrictEqual(
        Array.from(new Set(reviewers.stdout.split("\n").filter((line) => line !== "").map((line) => JSON.parse(line).principal))),
        ["team:analysts_t", "user:both_bo", "user:suspended_di"]
      )
    }))

  it.effect("a team's and a role's view have no note: account roles reach destinations and connections", () =>
    Effect.gen(function*() {
      const file = yield* EdgeSync
      const sync = yield* sheetSyncOf(file)
      const team = yield* runCli(["access", "--resource", "team:analysts_t", "-f", file, "-o", "table"])
      assertExit(team, 0)
      assert.strictEqual(team.stderr, `4 access paths of 2 holders (2 users, 0 teams)\n${syncLine(sync)}`)
      const role = yield* runCli(["access", "--resource", "role:Account Reviewer", "-f", file, "-o", "table"])
      assertExit(role, 0)
      assert.strictEqual(role.stderr, `5 access paths of 3 holders (2 users, 1 team)\n${syncLine(sync)}`)
      const user = yield* runCli(["access", "user:both_bo", "-f", file, "-o", "table"])
      assertExit(user, 0)
      assert.notInclude(user.stderr, "Account roles")
    }))

  it.effect("CSV and JSON lines are the rows as before, the note beside them on stderr (a JSON log line with json logs)", () =>
    Effect.gen(function*() {
      const file = yield* EdgeSync
      const sync = yield* sheetSyncOf(file)
      const csv = yield* runCli(["access", "--resource", "group:warehouse_g", "-f", file, "-o", "csv"])
      assertExit(csv, 0)
      assert.strictEqual(csv.stdout, withSync(warehouseCsv, sync))
      assert.strictEqual(csv.stderr, note("destination"))

      const json = yield* runCli(["access", "--resource", "group:warehouse_g", "-f", file, "-o", "json", "--log-format", "json"])
      assertExit(json, 0)
      assert.strictEqual(json.stdout, warehouseJsonLines(sync))
      assert.deepStrictEqual(logFields(json.stderr), [{
        level: "info",
        msg: "account roles also reach this destination; their holders are not among its rows",
        resource: "group:warehouse_g",
        account_roles: [
          { id: "role:Account Administrator", name: "Account Administrator", holders: 1 },
          { id: "role:Account Analyst", name: "Account Analyst", holders: 1 },
          { id: "role:Account Reviewer", name: "Account Reviewer", holders: 3 },
          { id: "role:Data Steward", name: "Data Steward", holders: 1 },
          { id: "role:Owner", name: "Owner", holders: 1 }
        ]
      }])
    }))

  it.effect("a connection's CSV is its rows as before; with json logs its destination's note is a line of its own", () =>
    Effect.gen(function*() {
      const file = yield* EdgeSync
      const sync = yield* sheetSyncOf(file)
      const csv = yield* runCli(["access", "--resource", "connection:sf_c", "-f", file, "-o", "csv"])
      assertExit(csv, 0)
      assert.strictEqual(csv.stdout, withSync(salesforceCsv, sync))
      assert.strictEqual(csv.stderr, `${note("connection")}${warehouseNote}`)

      const json = yield* runCli(["access", "--resource", "connection:sf_c", "-f", file, "-o", "csv", "--log-format", "json"])
      assertExit(json, 0)
      assert.strictEqual(json.stdout, withSync(salesforceCsv, sync))
      assert.deepStrictEqual(logFields(json.stderr).map((fields) => fields.msg), [
        "account roles also reach this connection; their holders are not among its rows",
        "its destination's roles also reach this connection; their holders are not among its rows"
      ])
      assert.deepStrictEqual(logFields(json.stderr)[1], {
        level: "info",
        msg: "its destination's roles also reach this connection; their holders are not among its rows",
        resource: "connection:sf_c",
        destination: { id: "group:warehouse_g", name: "warehouse", holders: 6 }
      })
    }))
})
