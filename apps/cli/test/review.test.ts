import { type AccountSnapshot, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it, layer } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import { compress } from "zstd-napi"
import { assertExit, logFields, runCli } from "./support/CliProcess.js"
import { parseCsv } from "./support/Csv.js"
import { edgeCases, edgeFlags, syncEdgeInto } from "./support/EdgeCases.js"
import { jsonRows } from "./support/JsonRows.js"
import { diffSyncCells, diffSyncsOf, sheetHeader, sheetSyncOf, syncLine } from "./support/SheetSync.js"

/** The review commands on syncs of the pinned edge-case account, run as the real CLI process. */

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-review-" }))

/** A synced edge-case account in a temporary directory. */
const syncedEdgeCases = Effect.gen(function*() {
  const file = `${yield* tempDir}/edge.c1z`
  yield* syncEdgeInto(file)
  return file
})

const withSandbox = (snapshot: AccountSnapshot = edgeCases) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  effect.pipe(Effect.provide(Sandbox.layer({ snapshot, port: 0 })), Effect.provide(NodeContext.layer))

/** One sync of the untouched edge-case account, shared by the read-only tests. */
class EdgeSync extends Context.Tag("test/EdgeSync")<EdgeSync, string>() {}

const edgeSync = Layer.scoped(EdgeSync, syncedEdgeCases).pipe(
  Layer.provideMerge(Sandbox.layer({ snapshot: edgeCases, port: 0 })),
  Layer.provideMerge(NodeContext.layer)
)

const bo = {
  principal_name: "Bo Both",
  email: "bo@edge.example",
  status: "enabled",
  last_login: "2025-03-01T10:00:00Z",
  account_type: "human"
}

layer(edgeSync, { excludeTestServices: true, timeout: 120_000 })("review commands on one sync", (it) => {
  it.effect("resources, entitlements and grants list the ids provisioning takes", () =>
    Effect.gen(function*() {
      const file = yield* EdgeSync
      const sync = yield* sheetSyncOf(file)
      // Every row ends with its sync, as the sheets' do.
      const fromSync = { sync_id: sync.id, synced_at: sync.at }
      const teams = yield* runCli(["resources", "-f", file, "--type", "team", "-o", "json"])
      assertExit(teams, 0)
      assert.deepStrictEqual(jsonRows(teams.stdout), [
        { id: "team:analysts_t", name: "Analysts", email: "", status: "", last_login: "", account_type: "", parent: "", ...fromSync },
        { id: "team:ops_t", name: "Ops", email: "", status: "", last_login: "", account_type: "", parent: "", ...fromSync }
      ])

      const users = yield* runCli(["-f", file, "resources", "--type", "user", "-o", "json"])
      assertExit(users, 0)
      assert.deepStrictEqual(jsonRows(users.stdout).map((row) => `${row.id} ${row.status} ${row.last_login} ${row.account_type}`), [
        "user:account_cy enabled 2025-03-01T10:00:00Z human",
        "user:admin_ada enabled 2025-03-01T10:00:00Z human",
        "user:both_bo enabled 2025-03-01T10:00:00Z human",
        "user:invited_ed invited  human",
        "user:owner_fa enabled 2025-03-01T10:00:00Z human",
        "user:service_ci enabled 2025-03-01T10:00:00Z service",
        "user:service_nomail enabled  service",
        "user:suspended_di disabled 2025-03-01T10:00:00Z human"
      ])
      assert.deepStrictEqual(jsonRows(users.stdout).map((row) => `${row.id} ${row.status} ${row.email}`), [
        "user:account_cy enabled cy@edge.example",
        "user:admin_ada enabled ada@edge.example",
        "user:both_bo enabled bo@edge.example",
        "user:invited_ed invited ed@edge.example",
        "user:owner_fa enabled fa@edge.example",
        "user:service_ci enabled ci-bot@edge.example",
        "user:service_nomail enabled ",
        "user:suspended_di disabled di@edge.example"
      ])

      const entitlements = yield* runCli(["entitlements", "-f", file, "--resource", "team:ops_t", "-o", "json"])
      assertExit(entitlements, 0)
      // By id (31cc512), as resources and access list theirs.
      assert.deepStrictEqual(jsonRows(entitlements.stdout), [
        {
          id: "team:ops_t:Team Manager",
          resource: "team:ops_t",
          name: "Team Manager of Ops",
          purpose: "permission",
          grantable_to: "user",
          ...fromSync
        },
        {
          id: "team:ops_t:Team Member",
          resource: "team:ops_t",
          name: "Team Member of Ops",
          purpose: "permission",
          grantable_to: "user",
          ...fromSync
        },
        {
          id: "team:ops_t:member",
          resource: "team:ops_t",
          name: "Ops member",
          purpose: "assignment",
          grantable_to: "user",
          ...fromSync
        }
      ])

      const grants = yield* runCli(["grants", "-f", file, "--principal", "user:suspended_di", "-o", "json"])
      assertExit(grants, 0)
      // By entitlement id (31cc512), as access user:<id> lists them.
      assert.deepStrictEqual(jsonRows(grants.stdout), [
        {
          id: "group:warehouse_g:View Destination:user:suspended_di",
          entitlement: "group:warehouse_g:View Destination",
          principal: "user:suspended_di",
          via: "team:analysts_t",
          ...fromSync
        },
        {
          id: "role:Account Reviewer:assigned:user:suspended_di",
          entitlement: "role:Account Reviewer:assigned",
          principal: "user:suspended_di",
          via: "direct + team:analysts_t",
          ...fromSync
        },
        {
          id: "team:analysts_t:Team Member:user:suspended_di",
          entitlement: "team:analysts_t:Team Member",
          principal: "user:suspended_di",
          via: "direct",
          ...fromSync
        },
        {
          id: "team:analysts_t:member:user:suspended_di",
          entitlement: "team:analysts_t:member",
          principal: "user:suspended_di",
          via: "direct",
          ...fromSync
        }
      ])
    }))

  it.effect("access shows each grant of a user with its path, and an entitlement's holders", () =>
    Effect.gen(function*() {
      const file = yield* EdgeSync
      const sync = yield* sheetSyncOf(file)
      const access = yield* runCli(["access", "user:both_bo", "-f", file, "-o", "json"])
      assertExit(access, 0)
      const row = (resource: string, resourceName: string, entitlement: string, permission: string, via = "direct", viaName = "") => ({
        principal: "user:both_bo",
        ...bo,
        resource,
        resource_name: resourceName,
        entitlement,
        permission,
        via,
        via_name: viaName,
        sync_id: sync.id,
        synced_at: sync.at
      })
      assert.deepStrictEqual(jsonRows(access.stdout), [
        row("group:lake_g", "lake", "group:lake_g:Manage Destination", "Manage Destination", "team:ops_t", "Ops"),
        row("group:warehouse_g", "warehouse", "group:warehouse_g:View Destination", "View Destination"),
        row("group:warehouse_g", "warehouse", "group:warehouse_g:View Destination", "View Destination", "team:analysts_t", "Analysts"),
        row("group:warehouse_g", "warehouse", "group:warehouse_g:View Destination", "View Destination", "team:ops_t", "Ops"),
        row("role:Account Reviewer", "Account Reviewer", "role:Account Reviewer:assigned", "assigned"),
        row("role:Account Reviewer", "Account Reviewer", "role:Account Reviewer:assigned", "assigned", "team:analysts_t", "Analysts"),
        row("team:analysts_t", "Analysts", "team:analysts_t:Team Manager", "Team Manager"),
        row("team:analysts_t", "Analysts", "team:analysts_t:member", "member"),
        row("team:ops_t", "Ops", "team:ops_t:Team Member", "Team Member"),
        row("team:ops_t", "Ops", "team:ops_t:member", "member")
      ])

      // A table names whose access it is, with what a certifier checks of a user (the explorer's view says it too):
      // the table's columns are the entitlements alone, where a suspended user's access read as anyone's.
      const whose: ReadonlyArray<readonly [string, string]> = [
        ["user:both_bo", "10 access paths of Bo Both (user:both_bo): bo@edge.example, enabled, last login 2025-03-01T10:00:00Z"],
        [
          "user:suspended_di",
          "5 access paths of Di Suspended (user:suspended_di): di@edge.example, disabled, last login 2025-03-01T10:00:00Z"
        ],
        [
          "user:service_ci",
          "1 access path of CI Bot (user:service_ci): ci-bot@edge.example, service account, enabled, last login 2025-03-01T10:00:00Z"
        ],
        ["user:service_nomail", "0 access paths of Deploy Bot (user:service_nomail): service account, enabled, last login none recorded"],
        ["team:analysts_t", "2 access paths of Analysts (team:analysts_t)"]
      ]
      for (const [principal, line] of whose) {
        const table = yield* runCli(["access", principal, "-f", file, "-o", "table"])
        assertExit(table, 0)
        assert.strictEqual(table.stderr, `${line}\n${syncLine(sync)}`, principal)
      }
      const logged = yield* runCli(["access", "user:suspended_di", "-f", file, "-o", "table", "--log-format", "json"])
      assertExit(logged, 0)
      assert.deepStrictEqual(logFields(logged.stderr)[0], {
        level: "info",
        msg: whose[1]![1],
        principal: "user:suspended_di",
        principal_name: "Di Suspended",
        email: "di@edge.example",
        status: "disabled",
        last_login: "2025-03-01T10:00:00Z",
        account_type: "human"
      })

      const holders = yield* runCli(["access", "--entitlement", "group:warehouse_g:View Destination", "-f", file, "-o", "table"])
      assertExit(holders, 0)
      assert.deepStrictEqual(holders.stdout.split("\n"), [
        "PRINCIPAL          PRINCIPAL_NAME  EMAIL            STATUS    LAST_LOGIN            ACCOUNT_TYPE  VIA              VIA_NAME",
        "team:analysts_t    Analysts                                                                       direct",
        "team:ops_t         Ops                                                                            direct",
        "user:both_bo       Bo Both         bo@edge.example  enabled   2025-03-01T10:00:00Z  human         direct",
        "user:both_bo       Bo Both         bo@edge.example  enabled   2025-03-01T10:00:00Z  human         team:analysts_t  Analysts",
        "user:both_bo       Bo Both         bo@edge.example  enabled   2025-03-01T10:00:00Z  human         team:ops_t       Ops",
        "user:owner_fa      Fa Owner        fa@edge.example  enabled   2025-03-01T10:00:00Z  human         team:ops_t       Ops",
        "user:suspended_di  Di Suspended    di@edge.example  disabled  2025-03-01T10:00:00Z  human         team:analysts_t  Analysts",
        ""
      ])
      assert.strictEqual(holders.stderr, `7 access paths of 5 holders (3 users, 2 teams)\n${syncLine(sync)}`)

      // The sheet as a table counts its rows on stderr as access --entitlement does (paths, holders), then names its sync.
      const sheet = yield* runCli(["export", "-f", file, "-o", "table"])
      assertExit(sheet, 0)
      const rows = yield* runCli(["export", "-f", file, "-o", "json"])
      assert.strictEqual(jsonRows(rows.stdout).length, 29)
      // A service account never logs in as a person does: the sheet says which principals are one.
      assert.deepStrictEqual(
        jsonRows(rows.stdout).filter((row) => row.account_type !== "human").map((row) => `${row.principal} ${row.account_type}`),
        ["user:service_ci service", "team:analysts_t ", "team:analysts_t ", "team:ops_t ", "team:ops_t "]
      )
      assert.strictEqual(sheet.stderr, `29 access paths of 9 holders (7 users, 2 teams)\n${syncLine(sync)}`)
    }))

  it.effect("export --sheet users lists every user once, one holding nothing too, with its account role and access paths", () =>
    Effect.gen(function*() {
      const file = yield* EdgeSync
      const sync = yield* sheetSyncOf(file)
      const users = yield* runCli(["export", "-f", file, "--sheet", "users", "-o", "json"])
      assertExit(users, 0)
      const rows = jsonRows(users.stdout)
      assert.deepStrictEqual(
        rows.map((row) => [row.principal, row.status, row.account_type, row.account_role, row.access_paths]),
        [
          ["user:account_cy", "enabled", "human", "Account Analyst", "1"],
          ["user:admin_ada", "enabled", "human", "Account Administrator", "1"],
          ["user:both_bo", "enabled", "human", "Account Reviewer", "10"],
          ["user:invited_ed", "invited", "human", "", "1"],
          ["user:owner_fa", "enabled", "human", "Owner", "6"],
          ["user:service_ci", "enabled", "service", "Data Steward", "1"],
          // On no line of the access sheet: it holds nothing.
          ["user:service_nomail", "enabled", "service", "", "0"],
          ["user:suspended_di", "disabled", "human", "Account Reviewer", "5"]
        ]
      )
      // Its paths are the access sheet's rows of that user, and every row names its sync.
      const sheet = jsonRows((yield* runCli(["export", "-f", file, "-o", "json"])).stdout)
      assert.deepStrictEqual(
        rows.map((row) => Number(row.access_paths)),
        rows.map((row) => sheet.filter((line) => line.principal === row.principal).length)
      )
      assert.isTrue(rows.every((row) => row.sync_id === sync.id && row.synced_at === sync.at))
      const csv = yield* runCli(["export", "-f", file, "--sheet", "users"])
      assertExit(csv, 0)
      assert.deepStrictEqual(parseCsv(csv.stdout)[0], [
        "principal",
        "principal_name",
        "email",
        "status",
        "last_login",
        "account_type",
        "account_role",
        "access_paths",
        "sync_id",
        "synced_at"
      ])
      assert.strictEqual(parseCsv(csv.stdout).length, rows.length + 1)
      // A wrong sheet is named with its flag, as a wrong -o is (it was the option parser's bare "Expected one of ...").
      const wrong = yield* runCli(["export", "-f", file, "--sheet", "user", "--log-format", "console"])
      assert.deepStrictEqual([wrong.exitCode, wrong.stdout, wrong.stderr], [2, "", `error: --sheet: expected access, users, got "user"\n`])
    }))

  it.effect("access --resource lists who holds what on a group in one go: the sheet for its owner", () =>
    Effect.gen(function*() {
      const file = yield* EdgeSync
      const sync = yield* sheetSyncOf(file)
      const table = yield* runCli(["access", "--resource", "group:warehouse_g", "-f", file, "-o", "table"])
      assertExit(table, 0)
      // Each of the group's entitlements (by id), its holders by principal, each path on its own line.
      assert.deepStrictEqual(table.stdout.split("\n"), [
        "PERMISSION            PRINCIPAL          PRINCIPAL_NAME   EMAIL            STATUS    LAST_LOGIN            ACCOUNT_TYPE  VIA              VIA_NAME",
        "Destination Reviewer  user:invited_ed    ed@edge.example  ed@edge.example  invited                         human         direct",
        "View Destination      team:analysts_t    Analysts                                                                        direct",
        "View Destination      team:ops_t         Ops                                                                             direct",
        "View Destination      user:both_bo       Bo Both          bo@edge.example  enabled   2025-03-01T10:00:00Z  human         direct",
        "View Destination      user:both_bo       Bo Both          bo@edge.example  enabled   2025-03-01T10:00:00Z  human         team:analysts_t  Analysts",
        "View Destination      user:both_bo       Bo Both          bo@edge.example  enabled   2025-03-01T10:00:00Z  human         team:ops_t       Ops",
        "View Destination      user:owner_fa      Fa Owner         fa@edge.example  enabled   2025-03-01T10:00:00Z  human         team:ops_t       Ops",
        "View Destination      user:suspended_di  Di Suspended     di@edge.example  disabled  2025-03-01T10:00:00Z  human         team:analysts_t  Analysts",
        ""
      ])
      // The note after it: review-account-roles.test.ts.
      assert.isTrue(
        table.stderr.startsWith(
          `8 access paths of 6 holders (4 users, 2 teams)\n${syncLine(sync)}Account roles also reach this destination, `
        )
      )

      // As CSV, the sheet's own columns: the same rows as the whole export's for that group.
      const sheet = yield* runCli(["access", "--resource", "group:warehouse_g", "-f", file, "-o", "csv"])
      assertExit(sheet, 0)
      const whole = yield* runCli(["export", "-f", file])
      const [header, ...rows] = parseCsv(sheet.stdout)
      const [wholeHeader, ...wholeRows] = parseCsv(whole.stdout)
      assert.deepStrictEqual(header, wholeHeader)
      const byGroup = (row: ReadonlyArray<string>) => row[header!.indexOf("resource")] === "group:warehouse_g"
      const key = (row: ReadonlyArray<string>) => row.join("\u0000")
      assert.strictEqual(rows.length, 8)
      assert.deepStrictEqual(rows.map(key).sort(), wholeRows.filter(byGroup).map(key).sort())

      const refused = (args: ReadonlyArray<string>) =>
        Effect.map(runCli([...args, "-f", file]), (result) => [result.exitCode, result.stdout, result.stderr] as const)
      assert.deepStrictEqual(yield* refused(["access", "--resource", "user:both_bo"]), [
        2,
        "",
        "error: --resource takes a resource with entitlements (a group, connection, role or team); " +
        "user:both_bo is a user, whose access is listed by: baton-fivetran access user:both_bo\n"
      ])
      // entitlements --resource of a user printed "(none)", exit 0: read as a user who holds nothing.
      assert.deepStrictEqual(yield* refused(["entitlements", "--resource", "user:both_bo"]), [
        2,
        "",
        "error: --resource takes a resource with entitlements (a group, connection, role or team); " +
        "user:both_bo is a user, whose grants are listed by: baton-fivetran grants --principal user:both_bo\n"
      ])
      assert.deepStrictEqual(yield* refused(["access", "--resource", "group:nowhere"]), [
        2,
        "",
        `error: group:nowhere is not in ${file} (list them with: baton-fivetran resources)\n`
      ])
      assert.deepStrictEqual(yield* refused(["access", "user:both_bo", "--resource", "group:lake_g"]), [
        2,
        "",
        "error: access takes one of: a principal (access user:<id> or team:<id>), --entitlement <id> or --resource <type:id>\n"
      ])
    }))

  it.effect("bad ids, formats and files are refused with a specific message", () =>
    Effect.gen(function*() {
      const file = yield* EdgeSync
      const unknown = yield* runCli(["access", "user:nobody", "-f", file])
      assertExit(unknown, 2)
      assert.strictEqual(unknown.stderr, `error: user:nobody is not in ${file} (list them with: baton-fivetran resources)\n`)
      const neither = yield* runCli(["access", "-f", file])
      assertExit(neither, 2)
      assert.include(neither.stderr, "access takes one of: a principal")
      // Only users and teams hold grants: a role or group as the principal is a question for --entitlement, not "(none)".
      const refused = (args: ReadonlyArray<string>) =>
        Effect.map(runCli([...args, "-f", file]), (result) => [result.exitCode, result.stdout, result.stderr] as const)
      const takesPrincipal = "access takes a user or team (access user:<id> or team:<id>); "
      assert.deepStrictEqual(yield* refused(["access", "role:Account Reviewer"]), [
        2,
        "",
        `error: ${takesPrincipal}role:Account Reviewer is a role, whose holders are listed by: ` +
        "baton-fivetran access --entitlement 'role:Account Reviewer:assigned'\n"
      ])
      assert.deepStrictEqual(yield* refused(["access", "group:lake_g"]), [
        2,
        "",
        `error: ${takesPrincipal}group:lake_g is a group, whose holders (of each of its entitlements) are listed by: ` +
        "baton-fivetran access --resource group:lake_g\n"
      ])
      assert.deepStrictEqual(yield* refused(["access", "connection:c1"]), [
        2,
        "",
        `error: ${takesPrincipal}connection:c1 is a connection, whose holders (of each of its entitlements) are listed by: ` +
        "baton-fivetran access --resource connection:c1\n"
      ])
      assert.deepStrictEqual(yield* refused(["access", "users:both_bo"]), [2, "", `error: ${takesPrincipal}got "users:both_bo"\n`])
      assert.deepStrictEqual(yield* refused(["grants", "--principal", "role:Account Reviewer"]), [
        2,
        "",
        "error: --principal takes a user or team (--principal user:<id> or team:<id>); role:Account Reviewer is a role, " +
        "whose holders are listed by: baton-fivetran grants --entitlement 'role:Account Reviewer:assigned'\n"
      ])
      const notIn = (id: string, command: string) => `error: ${id} is not in ${file} (list them with: baton-fivetran ${command})\n`
      const principal = yield* runCli(["grants", "-f", file, "--principal", "user:nobody"])
      assertExit(principal, 2)
      assert.deepStrictEqual([principal.stdout, principal.stderr], ["", notIn("user:nobody", "resources")])
      const entitlement = yield* runCli(["grants", "-f", file, "--entitlement", "group:lake_g:Nothing"])
      assertExit(entitlement, 2)
      assert.deepStrictEqual([entitlement.stdout, entitlement.stderr], ["", notIn("entitlement group:lake_g:Nothing", "entitlements")])
      const resource = yield* runCli(["entitlements", "-f", file, "--resource", "group:nowhere"])
      assertExit(resource, 2)
      assert.deepStrictEqual([resource.stdout, resource.stderr], ["", notIn("group:nowhere", "resources")])
      const malformed = yield* runCli(["grants", "-f", file, "--principal", "both_bo"])
      assertExit(malformed, 2)
      assert.include(malformed.stderr, "--principal: expected <type>:<id>")
      const type = yield* runCli(["resources", "-f", file, "--type", "bogus"])
      assertExit(type, 2)
      assert.deepStrictEqual([type.stdout, type.stderr], [
        "",
        "error: --type: expected user, role, group, team, connection, got \"bogus\"\n"
      ])
      const format = yield* runCli(["resources", "-f", file, "-o", "xml"])
      assertExit(format, 2)
      assert.include(format.stderr, "--output: expected table, json, csv")
      // A path naming nothing or a directory is a usage error, as for a sync, on every review command.
      const directory = file.slice(0, file.lastIndexOf("/"))
      const fileRefusals: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
        [["export", "-f", `${file}.missing`], `--file ${file}.missing: no such file`],
        [["resources", "-f", directory], `--file ${directory}: is a directory, not a .c1z sync file`],
        [["grants", "-f", "/dev/null"], "--file /dev/null: is a character device, not a .c1z sync file"],
        [["access", "user:both_bo", "-f", `${directory}/nothing/edge.c1z`], `--file ${directory}/nothing/edge.c1z: no such file`],
        [["diff", file, `${file}.missing`], `NEW.c1z ${file}.missing: no such file`],
        [["diff", directory, file], `OLD.c1z ${directory}: is a directory, not a .c1z sync file`]
      ]
      for (const [args, reason] of fileRefusals) {
        const refusal = yield* runCli(args)
        assert.deepStrictEqual([refusal.exitCode, refusal.stdout, refusal.stderr], [2, "", `error: ${reason}\n`], args.join(" "))
      }
    }))
})

/**
 * A diff's JSON row with `fields` and the two syncs (`diffSyncsOf`), every other column empty; its
 * keys in diff's column order.
 */
const diffRow = (syncs: Effect.Effect.Success<ReturnType<typeof diffSyncsOf>>, fields: Record<string, string>) => {
  const row: Record<string, string> = {
    change: "",
    kind: "",
    id: "",
    name: "",
    via: "",
    previous_via: "",
    status: "",
    previous_status: "",
    previous_name: "",
    ...syncs,
    email: "",
    previous_email: "",
    account_type: "",
    previous_account_type: "",
    entitlement: "",
    principal: "",
    principal_status: ""
  }
  return Object.assign(row, fields)
}

describe("review commands across syncs", () => {
  it.scopedLive("a user suspended, renamed, given another email or account type between two syncs is a changed resource; a new last login is not", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      yield* syncEdgeInto(`${dir}/before.c1z`)
      // Fivetran's API changes neither email nor user_type (its support and SSO provisioning do):
      // the later account is a second sandbox.
      const changes: Record<string, Partial<AccountSnapshot["users"][number]>> = {
        // invited_ed never accepted the invitation: suspended, it is disabled, not "invited" still.
        both_bo: { active: false },
        invited_ed: { active: false },
        admin_ada: { logged_in_at: "2026-11-30T08:00:00.000Z" },
        owner_fa: { email: "fa.owner@gmail.com" },
        account_cy: { user_type: "SERVICE_ACCOUNT" },
        service_ci: { user_type: "REGULAR_USER", active: false }
      }
      const later: AccountSnapshot = {
        ...edgeCases,
        users: edgeCases.users.map((user) => ({ ...user, ...changes[user.id] })),
        teams: edgeCases.teams.map((team) => team.id === "ops_t" ? { ...team, name: "Operations" } : team)
      }
      yield* syncEdgeInto(`${dir}/after.c1z`).pipe(Effect.provide(Sandbox.layer({ snapshot: later, port: 0 })))
      const diff = yield* runCli(["diff", `${dir}/before.c1z`, `${dir}/after.c1z`, "-o", "json"])
      assertExit(diff, 0)
      const syncs = yield* diffSyncsOf(`${dir}/before.c1z`, `${dir}/after.c1z`)
      const changed = (id: string, name: string, fields: Record<string, string>) =>
        diffRow(syncs, { change: "changed", kind: "resource", id, name, ...fields })
      assert.deepStrictEqual(jsonRows(diff.stdout), [
        changed("team:ops_t", "Operations", { previous_name: "Ops" }),
        changed("user:account_cy", "Cy Account", { account_type: "service", previous_account_type: "human" }),
        changed("user:both_bo", "Bo Both", { status: "disabled", previous_status: "enabled" }),
        changed("user:invited_ed", "ed@edge.example", { status: "disabled", previous_status: "invited" }),
        changed("user:owner_fa", "Fa Owner", { email: "fa.owner@gmail.com", previous_email: "fa@edge.example" }),
        changed("user:service_ci", "CI Bot", {
          status: "disabled",
          previous_status: "enabled",
          account_type: "human",
          previous_account_type: "service"
        })
      ])
      assert.match(diff.stderr, /^0 added, 0 removed, 6 changed \(\w+ → \w+\)\n$/)
      // The new columns come after the syncs' (a script reading the CSV by position reads what it read), in the table at its end.
      const csv = yield* runCli(["diff", `${dir}/before.c1z`, `${dir}/after.c1z`, "-o", "csv"])
      assertExit(csv, 0)
      const cells = diffSyncCells(syncs)
      assert.deepStrictEqual(csv.stdout.split("\r\n").filter((line) => line.includes("owner_fa") || line.startsWith("change,")), [
        "change,kind,id,name,via,previous_via,status,previous_status,previous_name,old_sync_id,old_synced_at,new_sync_id," +
        "new_synced_at,email,previous_email,account_type,previous_account_type,entitlement,principal,principal_status",
        `changed,resource,user:owner_fa,Fa Owner,,,,,,${cells},fa.owner@gmail.com,fa@edge.example,,,,,`
      ])
      const table = yield* runCli(["diff", `${dir}/before.c1z`, `${dir}/after.c1z`, "-o", "table"])
      assertExit(table, 0)
      const words = (line: string | undefined) => line?.trim().split(/ +/)
      const tableLines = table.stdout.split("\n")
      assert.deepStrictEqual(words(tableLines[0]), [
        "CHANGE",
        "KIND",
        "ID",
        "NAME",
        "VIA",
        "PREVIOUS_VIA",
        "STATUS",
        "PREVIOUS_STATUS",
        "PREVIOUS_NAME",
        "EMAIL",
        "PREVIOUS_EMAIL",
        "ACCOUNT_TYPE",
        "PREVIOUS_ACCOUNT_TYPE"
      ])
      assert.deepStrictEqual(words(tableLines.find((line) => line.includes("user:owner_fa"))), [
        "changed",
        "resource",
        "user:owner_fa",
        "Fa",
        "Owner",
        "fa.owner@gmail.com",
        "fa@edge.example"
      ])
      const users = yield* runCli(["resources", "-f", `${dir}/after.c1z`, "--type", "user", "-o", "json"])
      assertExit(users, 0)
      assert.deepStrictEqual(
        jsonRows(users.stdout).filter((row) => row["id"] === "user:invited_ed" || row["id"] === "user:both_bo").map((row) => row["status"]),
        ["disabled", "disabled"]
      )
    }).pipe(withSandbox()))

  it.scopedLive("a grant made between two syncs is one added grant plus the grants its team members derive", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      yield* syncEdgeInto(`${dir}/before.c1z`)
      const grant = yield* runCli([
        ...yield* edgeFlags,
        "-p",
        "--grant-entitlement",
        "group:lake_g:View Destination",
        "--grant-principal",
        "analysts_t",
        "--grant-principal-type",
        "team"
      ])
      assertExit(grant, 0)
      yield* syncEdgeInto(`${dir}/after.c1z`)

      const diff = yield* runCli(["diff", `${dir}/before.c1z`, `${dir}/after.c1z`, "-o", "json"])
      assertExit(diff, 0)
      const syncs = yield* diffSyncsOf(`${dir}/before.c1z`, `${dir}/after.c1z`)
      const added = (id: string, name: string, via: string, principalStatus: string) =>
        diffRow(syncs, {
          change: "added",
          kind: "grant",
          id,
          name,
          via,
          entitlement: "group:lake_g:View Destination",
          principal: id.slice("group:lake_g:View Destination:".length),
          principal_status: principalStatus
        })
      assert.deepStrictEqual(jsonRows(diff.stdout), [
        added("group:lake_g:View Destination:team:analysts_t", "Analysts: View Destination on lake", "direct", ""),
        added("group:lake_g:View Destination:user:both_bo", "Bo Both: View Destination on lake", "team:analysts_t", "enabled"),
        added("group:lake_g:View Destination:user:suspended_di", "Di Suspended: View Destination on lake", "team:analysts_t", "disabled")
      ])
      assert.match(diff.stderr, /^3 added, 0 removed, 0 changed \(\w+ → \w+\)\n$/)

      const failing = yield* runCli(["diff", "--fail-on-change", `${dir}/before.c1z`, `${dir}/after.c1z`, "-o", "json"])
      assertExit(failing, 3)
      assert.strictEqual(failing.stdout, diff.stdout)

      const reverse = yield* runCli(["diff", `${dir}/after.c1z`, `${dir}/before.c1z`, "-o", "json"])
      assert.deepStrictEqual(jsonRows(reverse.stdout).map((row) => `${row.change} ${row.id}`), [
        "removed group:lake_g:View Destination:team:analysts_t",
        "removed group:lake_g:View Destination:user:both_bo",
        "removed group:lake_g:View Destination:user:suspended_di"
      ])
      // Given the other way round, it says so before the rows: a grant made since reads as revoked.
      const synced = /^[0-9-]+T[0-9:.]+Z$/
      const [order, counts, last] = reverse.stderr.split("\n")
      const match = new RegExp(
        `^${dir}/after\\.c1z \\(synced (\\S+)\\) is newer than ${dir}/before\\.c1z \\(synced (\\S+)\\): ` +
          "every change reads backwards \\(added as removed\\); give the older file first$"
      ).exec(order!)
      assert.isNotNull(match, order)
      assert.match(match![1]!, synced)
      assert.match(match![2]!, synced)
      assert.isTrue(match![1]! > match![2]!, order)
      assert.match(counts!, /^0 added, 3 removed, 0 changed/)
      assert.strictEqual(last, "")

      const same = yield* runCli(["diff", "--fail-on-change", `${dir}/after.c1z`, `${dir}/after.c1z`, "-o", "json"])
      assertExit(same, 0)
      assert.strictEqual(same.stdout, "")

      // A user deleted since: the newer sync has no row of them, so their lost grants are named
      // from the older one (the person the reviewer must recognise), in the table's NAME column too.
      assertExit(yield* runCli([...yield* edgeFlags, "-p", "--delete-resource", "both_bo", "--delete-resource-type", "user"]), 0)
      yield* syncEdgeInto(`${dir}/deleted.c1z`)
      const gone = yield* runCli(["diff", `${dir}/after.c1z`, `${dir}/deleted.c1z`, "-o", "csv"])
      assertExit(gone, 0)
      const cells = diffSyncCells(yield* diffSyncsOf(`${dir}/after.c1z`, `${dir}/deleted.c1z`))
      assert.deepStrictEqual(gone.stdout.split("\r\n"), [
        "change,kind,id,name,via,previous_via,status,previous_status,previous_name,old_sync_id,old_synced_at,new_sync_id,new_synced_at," +
        "email,previous_email,account_type,previous_account_type,entitlement,principal,principal_status",
        `removed,resource,user:both_bo,Bo Both,,,enabled,,,${cells},bo@edge.example,,human,,,,`,
        `removed,grant,group:lake_g:Manage Destination:user:both_bo,Bo Both: Manage Destination on lake,team:ops_t,,,,,${cells},,,,,group:lake_g:Manage Destination,user:both_bo,enabled`,
        `removed,grant,group:lake_g:View Destination:user:both_bo,Bo Both: View Destination on lake,team:analysts_t,,,,,${cells},,,,,group:lake_g:View Destination,user:both_bo,enabled`,
        `removed,grant,group:warehouse_g:View Destination:user:both_bo,Bo Both: View Destination on warehouse,direct + team:analysts_t + team:ops_t,,,,,${cells},,,,,group:warehouse_g:View Destination,user:both_bo,enabled`,
        `removed,grant,role:Account Reviewer:assigned:user:both_bo,Bo Both: Account Reviewer role,direct + team:analysts_t,,,,,${cells},,,,,role:Account Reviewer:assigned,user:both_bo,enabled`,
        `removed,grant,team:analysts_t:Team Manager:user:both_bo,Bo Both: Team Manager of Analysts,direct,,,,,${cells},,,,,team:analysts_t:Team Manager,user:both_bo,enabled`,
        `removed,grant,team:analysts_t:member:user:both_bo,Bo Both: Analysts member,direct,,,,,${cells},,,,,team:analysts_t:member,user:both_bo,enabled`,
        `removed,grant,team:ops_t:Team Member:user:both_bo,Bo Both: Team Member of Ops,direct,,,,,${cells},,,,,team:ops_t:Team Member,user:both_bo,enabled`,
        `removed,grant,team:ops_t:member:user:both_bo,Bo Both: Ops member,direct,,,,,${cells},,,,,team:ops_t:member,user:both_bo,enabled`,
        ""
      ])
    }).pipe(withSandbox()))

  it.scopedLive("a diff of a sync with --sync-connections against one without warns that the connections' rows are scope, not change", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const withConnections = yield* runCli([...yield* edgeFlags, "-f", `${dir}/connections.c1z`, "--sync-connections"])
      assertExit(withConnections, 0)
      yield* syncEdgeInto(`${dir}/plain.c1z`)
      const diff = yield* runCli(["diff", `${dir}/connections.c1z`, `${dir}/plain.c1z`, "-o", "json"])
      assertExit(diff, 0)
      const removed = jsonRows(diff.stdout)
      assert.isAbove(removed.length, 0)
      assert.isTrue(removed.every((row) => row["change"] === "removed" && String(row["id"]).startsWith("connection:")))
      const [warning, summary, end] = diff.stderr.split("\n")
      assert.deepStrictEqual([warning, end], [
        `${dir}/plain.c1z holds no connection resources and ${dir}/connections.c1z does (one synced with ` +
        "--sync-connections, the other without?): every connection and its access shows as removed; compare syncs of the same scope",
        ""
      ])
      assert.match(summary!, new RegExp(`^0 added, ${removed.length} removed, 0 changed`))
      // No scope warning, only the one that both sides are the same file (c670be8).
      const same = yield* runCli(["diff", `${dir}/plain.c1z`, `${dir}/plain.c1z`])
      const sameFile = `OLD.c1z and NEW.c1z are the same file (${dir}/plain.c1z): there is nothing to compare; give two syncs\n`
      assert.isTrue(same.stderr.startsWith(sameFile), same.stderr)
      assert.match(same.stderr.slice(sameFile.length), /^0 added, 0 removed, 0 changed \(\w+ → \w+\)\n$/)
    }).pipe(withSandbox()))

  it.scopedLive("the CSV export parses back to the same rows as the JSON export, quotes and line breaks included", () =>
    Effect.gen(function*() {
      const file = yield* syncedEdgeCases
      const csv = yield* runCli(["export", "-f", file])
      assertExit(csv, 0)
      const lines = yield* runCli(["export", "-f", file, "-o", "json"])
      assertExit(lines, 0)
      const [header, ...records] = parseCsv(csv.stdout)
      const objects = jsonRows(lines.stdout)
      assert.deepStrictEqual(header, sheetHeader)
      assert.deepStrictEqual(records, objects.map((row) => header!.map((name) => row[name])))
      // 25 paths of users (21 direct grants, 4 derived, 4 grants held two or three ways) and 4 team grants.
      assert.strictEqual(records.length, 29)
      const analysts = records.filter((record) => record[0] === "team:analysts_t")
      assert.deepStrictEqual(analysts.map((record) => record[1]), ["Analysts, \"core\"\nteam", "Analysts, \"core\"\nteam"])
      assert.include(csv.stdout, "team:analysts_t,\"Analysts, \"\"core\"\"\nteam\",")
    }).pipe(withSandbox({
      ...edgeCases,
      teams: edgeCases.teams.map((team) => team.id === "analysts_t" ? { ...team, name: "Analysts, \"core\"\nteam" } : team)
    })))

  const formula = "=HYPERLINK(\"http://evil\",\"x\")"

  it.scopedLive("a CSV cell a spreadsheet would run as a formula starts with ', in the export and in -o csv", () =>
    Effect.gen(function*() {
      const file = yield* syncedEdgeCases
      const { at, id } = yield* sheetSyncOf(file)
      const csv = yield* runCli(["export", "-f", file])
      assertExit(csv, 0)
      const cell = "\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\""
      assert.deepStrictEqual(csv.stdout.split("\r\n").filter((line) => /^(team:analysts_t|user:both_bo),.*:member,/.test(line)), [
        `user:both_bo,'@Bo Both,bo@edge.example,enabled,2025-03-01T10:00:00Z,human,team:analysts_t,${cell},team:analysts_t:member,member,direct,,${id},${at}`,
        `user:both_bo,'@Bo Both,bo@edge.example,enabled,2025-03-01T10:00:00Z,human,team:ops_t,Ops,team:ops_t:member,member,direct,,${id},${at}`
      ])
      assert.deepStrictEqual(csv.stdout.split("\r\n").filter((line) => line.startsWith("team:analysts_t,")), [
        `team:analysts_t,${cell},,,,,group:warehouse_g,warehouse,group:warehouse_g:View Destination,View Destination,direct,,${id},${at}`,
        `team:analysts_t,${cell},,,,,role:Account Reviewer,Account Reviewer,role:Account Reviewer:assigned,assigned,direct,,${id},${at}`
      ])
      const resources = yield* runCli(["resources", "--type", "team", "-f", file, "-o", "csv"])
      assertExit(resources, 0)
      assert.strictEqual(
        resources.stdout,
        `id,name,email,status,last_login,account_type,parent,sync_id,synced_at\r\nteam:analysts_t,${cell},,,,,,${id},${at}\r\n` +
          `team:ops_t,Ops,,,,,,${id},${at}\r\n`
      )
      const lines = yield* runCli(["resources", "--type", "team", "-f", file, "-o", "json"])
      assertExit(lines, 0)
      assert.deepStrictEqual(jsonRows(lines.stdout).map((row) => row.name), [formula, "Ops"])
    }).pipe(withSandbox({
      ...edgeCases,
      users: edgeCases.users.map((user) => user.id === "both_bo" ? { ...user, given_name: "@Bo" } : user),
      teams: edgeCases.teams.map((team) => team.id === "analysts_t" ? { ...team, name: formula } : team)
    })))
})

describe("review commands given a file that is not a .c1z", () => {
  it.scoped(
    "a file that is not a readable sync file is a usage error (exit 2) saying what is wrong with it, header or not",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* tempDir
        const empty = `${dir}/empty.c1z`
        const text = `${dir}/notes.txt`
        const sqlite = `${dir}/plain.db`
        const headerOnly = `${dir}/header.c1z`
        const damaged = `${dir}/damaged.c1z`
        const zstdText = `${dir}/zstd-text.c1z`
        const truncated = `${dir}/truncated.c1z`
        const magic = Buffer.from("C1ZF\0", "latin1")
        yield* fs.writeFileString(empty, "")
        yield* fs.writeFileString(text, "not a sync file\n")
        // The start of a SQLite database (the decompressed payload of a .c1z, say): its header page.
        const sqlitePage = Buffer.concat([Buffer.from("SQLite format 3\0", "latin1"), Buffer.alloc(4080)])
        yield* fs.writeFile(sqlite, sqlitePage)
        yield* fs.writeFile(headerOnly, magic)
        yield* fs.writeFile(damaged, Buffer.concat([magic, Buffer.from("not zstd")]))
        yield* fs.writeFile(zstdText, Buffer.concat([magic, compress(Buffer.from("not a database\n"))]))
        const good = `${dir}/good.c1z`
        assertExit(yield* runCli(["--sandbox", "-f", good]), 0)
        const whole = yield* fs.readFile(good)
        yield* fs.writeFile(truncated, whole.subarray(0, Math.floor(whole.length / 2)))
        const expected = "expected a baton sync file, which starts with the header \"C1ZF\\0\""
        const notSync = "is not a c1z sync file:"
        const refusals: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
          [["resources", "-f", empty], `${empty} is not a .c1z file (${expected}; this one is empty)`],
          [["entitlements", "-f", text], `${text} is not a .c1z file (${expected}; this one does not)`],
          [["grants", "-f", sqlite], `${sqlite} is not a .c1z file (${expected}; this one does not)`],
          [["access", "user:x", "-f", text], `${text} is not a .c1z file (${expected}; this one does not)`],
          [["export", "-f", sqlite], `${sqlite} is not a .c1z file (${expected}; this one does not)`],
          [["diff", text, sqlite], `${text} is not a .c1z file (${expected}; this one does not)`],
          [["diff", empty, damaged], `${empty} is not a .c1z file (${expected}; this one is empty)`],
          [
            ["resources", "-f", headerOnly],
            `${headerOnly} ${notSync} it is the 5-byte header "C1ZF\\0" with nothing after it (a sync file's header is followed by its zstd-compressed database)`
          ],
          [["resources", "-f", damaged], `${damaged} ${notSync} what follows its header "C1ZF\\0" is not zstd-compressed data`],
          [["grants", "-f", zstdText], `${zstdText} ${notSync} its payload is not a SQLite database`],
          [
            ["resources", "-f", truncated],
            `${truncated}: the .c1z is damaged: the zstd stream cannot be decompressed (it ends in the middle of a frame; is the file truncated?) (write it again)`
          ]
        ]
        const results = yield* Effect.forEach(refusals, ([args]) => runCli(args), { concurrency: 4 })
        assert.deepStrictEqual(
          results.map((result) => [result.exitCode, result.stdout, result.stderr]),
          refusals.map(([, reason]) => [2, "", `error: ${reason}\n`])
        )
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )

  it.scoped(
    "a decompression bomb behind a SQLite header exits 2 at the size the header declares, leaving nothing in TMPDIR",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* tempDir
        const tmp = `${dir}/tmp`
        yield* fs.makeDirectory(tmp)
        // A SQLite header of 64 KiB pages declaring 16 of them (1 MiB), valid as SQLite keeps it, then 16 MiB of zeros.
        const header = Buffer.alloc(100)
        header.write("SQLite format 3\0", "latin1")
        header.writeUInt16BE(1, 16)
        header.writeUInt32BE(7, 24)
        header.writeUInt32BE(16, 28)
        header.writeUInt32BE(7, 92)
        const bomb = `${dir}/bomb.c1z`
        yield* fs.writeFile(
          bomb,
          Buffer.concat([Buffer.from("C1ZF\0", "latin1"), compress(Buffer.concat([header, Buffer.alloc(16 * 1024 * 1024)]))])
        )
        const result = yield* runCli(["resources", "-f", bomb], { env: { TMPDIR: tmp } })
        assert.deepStrictEqual([result.exitCode, result.stdout, result.stderr], [
          2,
          "",
          `error: ${bomb}: the .c1z is damaged or not a sync file: its database decompresses to more than the 1048576 bytes ` +
          "its SQLite header declares (16 pages of 65536 bytes); stopped at 2097152 bytes\n"
        ])
        assert.deepStrictEqual(yield* fs.readDirectory(tmp), [])
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )
})
