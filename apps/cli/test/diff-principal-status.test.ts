import { type AccountSnapshot, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { assertExit, runCli } from "./support/CliProcess.js"
import { edgeCases, syncEdgeInto } from "./support/EdgeCases.js"
import { jsonRows } from "./support/JsonRows.js"
import { diffSyncCells, diffSyncsOf } from "./support/SheetSync.js"

/**
 * `diff`'s grant rows did not say whether their principal could use the access: "user:both_bo
 * gained View Destination on lake" read the same whether Bo was active or had been suspended since.
 * Each CSV and JSON row now ends with `principal_status`, the user's status in the sync the row
 * comes from (the newer for added and changed grants, the older for removed ones), "" for a team
 * and on resource and entitlement rows; the columns before it are unchanged. A table, which has no
 * such column, says "user disabled" or "user invited" after the grant's paths in its VIA cell.
 */

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-diff-principal-status-" }))

/**
 * The edge-case account a while later, a second sandbox (Fivetran's API suspends no one): Bo
 * suspended and his team Analysts given View Destination on lake (Di, its other member, was
 * suspended already); Ed, whose invitation is still pending, suspended and taken off warehouse.
 */
const later: AccountSnapshot = {
  ...edgeCases,
  users: edgeCases.users.map((user) => user.id === "both_bo" || user.id === "invited_ed" ? { ...user, active: false } : user),
  user_groups: edgeCases.user_groups.filter((membership) => membership.user_id !== "invited_ed"),
  team_groups: [
    ...edgeCases.team_groups,
    { team_id: "analysts_t", group_id: "lake_g", role: "View Destination", created_at: "2026-12-01T00:00:00.000000Z" }
  ]
}

describe("diff's principal status", () => {
  it.scopedLive(
    "a grant row ends with its principal's status in the sync it comes from: disabled, invited, or none for a team",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        const [before, after] = [`${dir}/before.c1z`, `${dir}/after.c1z`]
        yield* syncEdgeInto(before).pipe(Effect.provide(Sandbox.layer({ snapshot: edgeCases, port: 0 })))
        yield* syncEdgeInto(after).pipe(Effect.provide(Sandbox.layer({ snapshot: later, port: 0 })))
        const syncs = yield* diffSyncsOf(before, after)
        const cells = diffSyncCells(syncs)

        const csv = yield* runCli(["diff", before, after, "-o", "csv"])
        assertExit(csv, 0)
        const lake = "group:lake_g:View Destination"
        const reviewer = "group:warehouse_g:Destination Reviewer"
        assert.deepStrictEqual(csv.stdout.split("\r\n"), [
          "change,kind,id,name,via,previous_via,status,previous_status,previous_name,old_sync_id,old_synced_at,new_sync_id,new_synced_at," +
          "email,previous_email,account_type,previous_account_type,entitlement,principal,principal_status",
          `changed,resource,user:both_bo,Bo Both,,,disabled,enabled,,${cells},,,,,,,`,
          `changed,resource,user:invited_ed,ed@edge.example,,,disabled,invited,,${cells},,,,,,,`,
          `added,grant,${lake}:team:analysts_t,Analysts: View Destination on lake,direct,,,,,${cells},,,,,${lake},team:analysts_t,`,
          `added,grant,${lake}:user:both_bo,Bo Both: View Destination on lake,team:analysts_t,,,,,${cells},,,,,${lake},user:both_bo,disabled`,
          `added,grant,${lake}:user:suspended_di,Di Suspended: View Destination on lake,team:analysts_t,,,,,${cells},,,,,${lake},` +
          "user:suspended_di,disabled",
          `removed,grant,${reviewer}:user:invited_ed,ed@edge.example: Destination Reviewer on warehouse,direct,,,,,${cells},,,,,` +
          `${reviewer},user:invited_ed,invited`,
          ""
        ])

        const json = yield* runCli(["diff", before, after, "-o", "json"])
        assertExit(json, 0)
        const rows = jsonRows(json.stdout)
        assert.deepStrictEqual(rows.map((row) => [row.id, row.principal_status, Object.keys(row).at(-1)]), [
          ["user:both_bo", "", "principal_status"],
          ["user:invited_ed", "", "principal_status"],
          [`${lake}:team:analysts_t`, "", "principal_status"],
          [`${lake}:user:both_bo`, "disabled", "principal_status"],
          [`${lake}:user:suspended_di`, "disabled", "principal_status"],
          [`${reviewer}:user:invited_ed`, "invited", "principal_status"]
        ])

        // A table has no principal_status column: its VIA cell says a user who cannot use the grant.
        const table = yield* runCli(["diff", before, after, "-o", "table"])
        assertExit(table, 0)
        const [header = "", ...lines] = table.stdout.split("\n").filter((line) => line !== "")
        const starts = Array.from(header.matchAll(/\S+/g), (match) => [match[0], match.index] as const)
        const cellsOf = (line: string) =>
          Object.fromEntries(starts.map(([name, start], i) => [name, line.slice(start, starts[i + 1]?.[1]).trim()]))
        assert.deepStrictEqual(lines.map(cellsOf).map((row) => [row.KIND, row.ID, row.VIA, row.STATUS]), [
          ["resource", "user:both_bo", "", "disabled"],
          ["resource", "user:invited_ed", "", "disabled"],
          ["grant", `${lake}:team:analysts_t`, "direct", ""],
          ["grant", `${lake}:user:both_bo`, "team:analysts_t, user disabled", ""],
          ["grant", `${lake}:user:suspended_di`, "team:analysts_t, user disabled", ""],
          ["grant", `${reviewer}:user:invited_ed`, "direct, user invited", ""]
        ])
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )
})
