import { openC1z } from "@baton-fivetran/c1z"
import { type AccountSnapshot, generatePreset, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { cliBundle, runApp } from "./support/AppProcess.js"
import { type OracleRows, type ResourceRow, restOracle } from "./support/RestOracle.js"

/**
 * An access reviewer's audit: every row of the .c1z the real CLI writes (read back with the CLI's own
 * listings and the c1z reader) equals what the sandbox's REST API says, computed independently
 * (support/RestOracle.ts), before and after a round of provisioning through the CLI, and `diff`
 * reports exactly the oracle's difference.
 *
 * The account is the `small` preset plus the cases it lacks: a team with no members (empty_crew,
 * holding an account role, a group role and a connection role), a group with no users (quiet_dock),
 * a custom TEAM role named "member" (wise_cactus holds it in sunny_barley) and a custom destination
 * role with a ':' in its name (able_lotus holds it on hardy_ridge). Between the two syncs, besides
 * the provisioning, users are given another email or account type (handedOver).
 */

const at = "2025-01-01T00:00:00.000000Z"
const small = generatePreset("small")
const customRole = (name: string, scope: "TEAM" | "DESTINATION") => ({
  name,
  description: `Custom ${scope} role.`,
  is_custom: true,
  scope: [scope],
  is_deprecated: false,
  replacement_role_name: null
})
const account: AccountSnapshot = {
  ...small,
  roles: [...small.roles, customRole("member", "TEAM"), customRole("Ops: EU Reader", "DESTINATION")],
  groups: [...small.groups, { id: "quiet_dock", name: "unused_destination", created_at: at }],
  teams: [...small.teams, { id: "empty_crew", name: "No Members", description: null, role: "Account Billing" }],
  team_groups: [...small.team_groups, { team_id: "empty_crew", group_id: "exact_creek", role: "View Destination", created_at: at }],
  team_connections: [
    ...small.team_connections,
    { team_id: "empty_crew", connection_id: "coastal_sun", role: "Edit Connection", created_at: at }
  ],
  team_users: [...small.team_users, { team_id: "sunny_barley", user_id: "wise_cactus", role: "member", created_at: at }],
  user_groups: [...small.user_groups, { user_id: "able_lotus", group_id: "hardy_ridge", role: "Ops: EU Reader", created_at: at }]
}

/** Grants, revokes, an invitation and a deletion of every kind, each through `baton-fivetran -p`. */
const grantTo = (entitlement: string, type: "user" | "team", principal: string) => [
  "--grant-entitlement",
  entitlement,
  "--grant-principal",
  principal,
  "--grant-principal-type",
  type
]
const revoke = (grantId: string) => ["--revoke-grant", grantId]
const provisioning: ReadonlyArray<ReadonlyArray<string>> = [
  grantTo("role:Account Reviewer:assigned", "user", "wise_cactus"),
  grantTo("role:Destination Creator:assigned", "team", "sunny_barley"),
  revoke("role:Account Reviewer:assigned:team:bouncy_mist"),
  revoke("role:Account Analyst:assigned:user:bashful_jaguar"),
  grantTo("group:formal_birch:Edit Destination", "user", "plain_quail"),
  grantTo("group:quiet_dock:Ops: EU Reader", "team", "empty_crew"),
  grantTo("group:hardy_ridge:Manage Destination", "team", "bouncy_mist"),
  revoke("group:exact_creek:View Destination:user:sunny_ledge"),
  revoke("group:trusty_inlet:Edit Destination:team:sunny_barley"),
  revoke("group:hardy_ridge:Ops: EU Reader:user:able_lotus"),
  grantTo("team:scarlet_rapids:member", "user", "early_mist"),
  grantTo("team:scarlet_rapids:Team Manager", "user", "hazel_moon"),
  grantTo("team:empty_crew:Team Manager", "user", "jolly_loch"),
  revoke("team:bouncy_mist:member:user:glad_tundra"),
  revoke("team:sunny_barley:member:user:wise_cactus"),
  grantTo("connection:cool_boulder:Manage Connection", "user", "able_lotus"),
  grantTo("connection:coastal_sun:Edit Connection", "team", "sunny_barley"),
  revoke("connection:mossy_yarrow:Edit Connection:team:scarlet_rapids"),
  revoke("connection:robust_salmon:View Connection:user:bashful_jaguar"),
  [
    "--create-account-email",
    "new.reviewer@acmedata.com",
    "--create-account-profile",
    "{\"given_name\":\"New\",\"family_name\":\"Reviewer\",\"role\":\"Account Analyst\"}"
  ],
  ["--delete-resource", "stout_forest", "--delete-resource-type", "user"],
  // Held only through sunny_barley: nothing to remove, the next sync is unchanged by it.
  revoke("group:exact_creek:View Destination:user:violet_reef")
]

/**
 * The account after provisioning, with what Fivetran's API cannot change (the sandbox refuses it, as
 * Fivetran does) but Fivetran support and SSO provisioning do: fair_fawn's account handed to another
 * address, placid_aurora made a service account, and quick_storm, a service account, made a person's
 * with a new address. It is served by a second sandbox.
 */
const handedOver = (account: AccountSnapshot): AccountSnapshot => ({
  ...account,
  users: account.users.map((user) => {
    switch (user.id) {
      case "fair_fawn":
        return { ...user, email: "erik.schmidt@contractor.example" }
      case "placid_aurora":
        return { ...user, user_type: "SERVICE_ACCOUNT" }
      case "quick_storm":
        return { ...user, email: "terraform@platform.example", user_type: "REGULAR_USER" }
      default:
        return user
    }
  })
})

const tempDir = Effect.acquireRelease(
  Effect.promise(() => mkdtemp(join(tmpdir(), "e2e-review-oracle-"))),
  (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
)

const jsonLines = (text: string) => text.split("\n").filter((line) => line !== "").map((line) => JSON.parse(line) as Record<string, string>)
const sorted = <A>(values: Iterable<A>) => Array.from(values).sort()
const viaOf = (paths: ReadonlyArray<string>) => paths.join(" + ")

/** The CLI against the sandbox, as an operator runs it; any exit but 0 fails the test with its stderr. */
const session = Effect.gen(function*() {
  const dir = yield* tempDir
  const sandbox = yield* Sandbox
  const key = (yield* sandbox.snapshot).credentials.find((credential) => credential._tag === "UserKey")!
  const env = { BATON_BASE_URL: sandbox.baseUrl, BATON_API_KEY: key.key, BATON_API_SECRET: key.secret, BATON_LOG_FORMAT: "json" }
  const cli = (args: ReadonlyArray<string>) =>
    Effect.map(runApp(cliBundle, args, env), (run) => {
      assert.strictEqual(run.exitCode, 0, `${args.join(" ")}: ${run.stderr}`)
      return run.stdout
    })
  const oracle = (syncConnections: boolean) => restOracle(sandbox.baseUrl, key.key, key.secret, syncConnections)
  const sync = (name: string, syncConnections: boolean) => {
    const file = join(dir, name)
    return Effect.as(cli(["-f", file, ...(syncConnections ? ["--sync-connections"] : [])]), file)
  }
  return { cli, oracle, sync }
})
type Session = Effect.Effect.Success<typeof session>

/** The file read back with `resources`, `entitlements` and `grants -o json` and the c1z reader equals the oracle, row by row. */
const assertFileIsOracle = (cli: Session["cli"], file: string, expected: OracleRows) =>
  Effect.gen(function*() {
    const listing = (command: string) => Effect.map(cli([command, "-f", file, "-o", "json"]), jsonLines)
    const resources = yield* listing("resources")
    assert.deepStrictEqual(
      sorted(resources.map((r) => JSON.stringify([r.id, r.name, r.email, r.status, r.last_login, r.account_type, r.parent]))),
      sorted(
        Array.from(
          expected.resources,
          ([id, r]) => JSON.stringify([id, r.name, r.email, r.status, r.lastLogin, r.accountType, r.parent])
        )
      )
    )
    assert.deepStrictEqual(sorted((yield* listing("entitlements")).map((e) => e.id)), sorted(expected.entitlements))
    const grants = yield* listing("grants")
    assert.deepStrictEqual(
      sorted(grants.map((g) => `${g.id} | ${viaOf(sorted(g.via.split(" + ")))}`)),
      sorted(Array.from(expected.grants, ([id, paths]) => `${id} | ${viaOf(paths)}`))
    )
    // The review sheet: one row per principal, entitlement and path, with the principal's name,
    // email, status, last login and account type.
    const sheet = yield* listing("export")
    assert.deepStrictEqual(
      sorted(
        sheet.map((row) =>
          JSON.stringify([
            row.principal,
            row.principal_name,
            row.email,
            row.status,
            row.last_login,
            row.account_type,
            row.entitlement,
            row.via
          ])
        )
      ),
      sorted(
        Array.from(expected.grants).flatMap(([id, paths]) => {
          const [, entitlement, principal] = /^(.*):((?:user|team):[^:]+)$/.exec(id)!
          const { accountType, email, lastLogin, name, status } = expected.resources.get(principal)!
          return paths.map((path) => JSON.stringify([principal, name, email, status, lastLogin, accountType, entitlement, path]))
        })
      )
    )

    // How the design represents each path: a team's grant is expandable through its membership; a
    // grant held through teams names them as sources (and its own entitlement, marked direct, when
    // also held directly); one held only through teams is immutable.
    const rows = yield* Effect.scoped(Effect.flatMap(openC1z(file), (reader) => Stream.runCollect(reader.grants())))
    const representation = (id: string, paths: ReadonlyArray<string>) => {
      const [, entitlement, principalType, principal] = /^(.*):(user|team):([^:]+)$/.exec(id)!
      const teams = paths.filter((path) => path !== "direct")
      return JSON.stringify({
        id,
        expandable: principalType === "team" ? [`team:${principal}:member`] : [],
        immutable: !paths.includes("direct"),
        sources: teams.length === 0
          ? null
          : sorted([...(paths.includes("direct") ? [`${entitlement}:direct`] : []), ...teams.map((t) => `${t}:member:via`)])
      })
    }
    assert.deepStrictEqual(
      sorted(
        Chunk.toReadonlyArray(rows).map(({ value }) => {
          const expandable = value.annotations.find((a) => a._tag === "GrantExpandable")
          return JSON.stringify({
            id: value.id,
            expandable: expandable?._tag === "GrantExpandable" ? expandable.entitlementIds : [],
            immutable: value.annotations.some((a) => a._tag === "GrantImmutable"),
            sources: value.sources === undefined
              ? null
              : sorted(Object.entries(value.sources).map(([source, { isDirect }]) => `${source}:${isDirect ? "direct" : "via"}`))
          })
        })
      ),
      sorted(Array.from(expected.grants, ([id, paths]) => representation(id, paths)))
    )
  })

/**
 * `diff -o json OLD NEW` lists exactly what the two oracles differ by: each resource with its
 * name, status, email and account type (an added or removed one's; a changed one's that changed,
 * beside its previous value), each changed path with its old and new via, each grant's entitlement,
 * principal and principal_status (its user's status in the sync the row comes from). Returns its
 * resource rows (change, id, identity cells), for a test to name the users it expects.
 */
const assertDiffIsOracle = (cli: Session["cli"], oldFile: string, newFile: string, before: OracleRows, after: OracleRows) =>
  Effect.gen(function*() {
    const rows = jsonLines(yield* cli(["diff", "-o", "json", oldFile, newFile]))
    const expected: Array<string> = []
    /** A resource row's identity cells, as diff's columns name them. */
    const identity = (cells: Record<string, string>) =>
      JSON.stringify(
        ["name", "previous_name", "status", "previous_status", "email", "previous_email", "account_type", "previous_account_type"]
          .map((column) => cells[column] ?? "")
      )
    const present = (r: ResourceRow) => identity({ name: r.name, status: r.status, email: r.email, account_type: r.accountType })
    const changes = (was: ResourceRow, is: ResourceRow) => {
      const cells: Record<string, string> = { name: is.name }
      if (was.name !== is.name) cells.previous_name = was.name
      for (const [column, field] of [["status", "status"], ["email", "email"], ["account_type", "accountType"]] as const) {
        if (was[field] !== is[field]) [cells[column], cells[`previous_${column}`]] = [is[field], was[field]]
      }
      return cells
    }
    for (const [id, r] of after.resources) if (!before.resources.has(id)) expected.push(`added resource ${id} ${present(r)}`)
    for (const [id, r] of before.resources) if (!after.resources.has(id)) expected.push(`removed resource ${id} ${present(r)}`)
    for (const [id, r] of after.resources) {
      const was = before.resources.get(id)
      if (was !== undefined && present(was) !== present(r)) expected.push(`changed resource ${id} ${identity(changes(was, r))}`)
    }
    for (const id of after.entitlements) if (!before.entitlements.has(id)) expected.push(`added entitlement ${id}`)
    for (const id of before.entitlements) if (!after.entitlements.has(id)) expected.push(`removed entitlement ${id}`)
    /** A grant's entitlement, principal and its user's status in `sync` ("" for a team). */
    const grantSide = (id: string, sync: OracleRows) => {
      const [, entitlement, principal] = /^(.*):((?:user|team):[^:]+)$/.exec(id)!
      return `${entitlement} ${principal} ${principal.startsWith("user:") ? sync.resources.get(principal)!.status : ""}`
    }
    for (const [id, paths] of after.grants) {
      const was = before.grants.get(id)
      if (was === undefined) expected.push(`added grant ${id} ${viaOf(paths)} ${grantSide(id, after)}`)
      else if (viaOf(was) !== viaOf(paths)) expected.push(`changed grant ${id} ${viaOf(was)} -> ${viaOf(paths)} ${grantSide(id, after)}`)
    }
    for (const [id, paths] of before.grants) {
      if (!after.grants.has(id)) expected.push(`removed grant ${id} ${viaOf(paths)} ${grantSide(id, before)}`)
    }
    assert.deepStrictEqual(
      sorted(rows.map((row) => {
        if (row.kind === "resource") return `${row.change} resource ${row.id} ${identity(row)}`
        if (row.kind === "entitlement") return `${row.change} entitlement ${row.id}`
        const via = (text: string) => viaOf(sorted(text.split(" + ")))
        const side = `${row.entitlement} ${row.principal} ${row.principal_status}`
        return row.change === "changed"
          ? `changed grant ${row.id} ${via(row.previous_via)} -> ${via(row.via)} ${side}`
          : `${row.change} grant ${row.id} ${via(row.via)} ${side}`
      })),
      sorted(expected)
    )
    return rows.filter((row) => row.kind === "resource").map((row) => `${row.change} ${row.id} ${identity(row)}`)
  })

const counts = (rows: OracleRows) => [rows.resources.size, rows.entitlements.size, rows.grants.size]

describe("access review: the .c1z against the REST API read independently", () => {
  it.scopedLive(
    "the small preset and its edge cases, with and without connections, before and after provisioning",
    () =>
      Effect.gen(function*() {
        const { cli, oracle, sync } = yield* session

        const before = yield* oracle(false)
        const beforeWithConnections = yield* oracle(true)
        assert.deepStrictEqual([counts(before), counts(beforeWithConnections)], [[40, 68, 128], [48, 124, 157]])
        const first = yield* sync("before.c1z", false)
        const firstWithConnections = yield* sync("before-connections.c1z", true)
        yield* assertFileIsOracle(cli, first, before)
        yield* assertFileIsOracle(cli, firstWithConnections, beforeWithConnections)

        // The cases an access review must not get wrong, as the file holds them.
        const { grants, resources, entitlements } = beforeWithConnections
        // No account role: wise_cactus holds one only through bouncy_mist.
        assert.deepStrictEqual(grants.get("role:Account Reviewer:assigned:user:wise_cactus"), ["team:bouncy_mist"])
        // Invited, not yet active: listed so, and holding its access.
        assert.strictEqual(resources.get("user:formal_sierra")?.status, "invited")
        assert.deepStrictEqual(grants.get("role:Account Analyst:assigned:user:formal_sierra"), ["direct", "team:scarlet_rapids"])
        // A group role held directly and through a team: one row with both paths.
        assert.deepStrictEqual(grants.get("group:exact_creek:View Destination:user:sunny_ledge"), ["direct", "team:sunny_barley"])
        // A team with no members: its own grants, nobody's through it.
        assert.deepStrictEqual(
          sorted(
            Array.from(grants).filter(([id, paths]) => id.endsWith(":team:empty_crew") || paths.includes("team:empty_crew")).map(([id]) =>
              id
            )
          ),
          [
            "connection:coastal_sun:Edit Connection:team:empty_crew",
            "group:exact_creek:View Destination:team:empty_crew",
            "role:Account Billing:assigned:team:empty_crew"
          ]
        )
        // A group with no users: its entitlements, no grant.
        assert.isTrue(entitlements.has("group:quiet_dock:Ops: EU Reader"))
        assert.isFalse(Array.from(grants.keys()).some((id) => id.startsWith("group:quiet_dock:")))
        // The custom TEAM role "member" keeps the membership's id: its holder is a member, once.
        assert.deepStrictEqual(grants.get("team:sunny_barley:member:user:wise_cactus"), ["direct"])
        assert.strictEqual(Array.from(entitlements).filter((id) => id === "team:sunny_barley:member").length, 1)
        assert.deepStrictEqual(grants.get("group:hardy_ridge:Ops: EU Reader:user:able_lotus"), ["direct"])

        for (const args of provisioning) yield* cli(["-p", ...args])

        const provisioned = handedOver(yield* (yield* Sandbox).snapshot)
        yield* Effect.gen(function*() {
          const later = yield* session
          const after = yield* later.oracle(false)
          const afterWithConnections = yield* later.oracle(true)
          assert.deepStrictEqual([counts(after), counts(afterWithConnections)], [[40, 68, 132], [48, 124, 164]])
          const second = yield* later.sync("after.c1z", false)
          const secondWithConnections = yield* later.sync("after-connections.c1z", true)
          yield* assertFileIsOracle(cli, second, after)
          yield* assertFileIsOracle(cli, secondWithConnections, afterWithConnections)
          const resourceRows = yield* assertDiffIsOracle(cli, first, second, before, after)
          yield* assertDiffIsOracle(cli, firstWithConnections, secondWithConnections, beforeWithConnections, afterWithConnections)
          // The users the diff names, exactly: the round's invitation and deletion, and the accounts handed over.
          const invited = Array.from(after.resources).find(([, r]) => r.email === "new.reviewer@acmedata.com")![0]
          const cells = (...values: ReadonlyArray<string>) => JSON.stringify(values)
          assert.deepStrictEqual(
            sorted(resourceRows),
            sorted([
              `added ${invited} ${cells("New Reviewer", "", "invited", "", "new.reviewer@acmedata.com", "", "human", "")}`,
              `changed user:fair_fawn ${
                cells("Erik Schmidt", "", "", "", "erik.schmidt@contractor.example", "erik.schmidt@acmedata.com", "", "")
              }`,
              `changed user:placid_aurora ${cells("Tanvi Murphy", "", "", "", "", "", "service", "human")}`,
              `changed user:quick_storm ${
                cells(
                  "Terraform Integration",
                  "",
                  "",
                  "",
                  "terraform@platform.example",
                  "terraform.integration@acmedata.com",
                  "human",
                  "service"
                )
              }`,
              `removed user:stout_forest ${cells("Eli Lehmann", "", "disabled", "", "eli.lehmann@acmedata.com", "", "human", "")}`
            ])
          )
        }).pipe(Effect.provide(Sandbox.layer({ snapshot: provisioned, port: 0 })))
      }).pipe(Effect.provide(Sandbox.layer({ snapshot: account, port: 0 }))),
    { timeout: 600_000 }
  )
})
