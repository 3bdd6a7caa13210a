import { type AccountSnapshot, generatePreset } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { type AccessFacts, accessPaths, expectedAccess } from "./support/AccessModel.js"
import { assertExit, runCli } from "./support/CliProcess.js"
import { parseCsv } from "./support/Csv.js"
import { edgeCases, edgeFlags } from "./support/EdgeCases.js"
import { copySandboxSync } from "./support/SandboxSyncs.js"
import { connectionFlags, sandboxLayer } from "./support/Sandboxes.js"
import { syncedAccess } from "./support/SyncedAccess.js"
import { colonRole, everywhereRole, teamOnlyRoles, twistedAccount, unlistedRoles } from "./support/TwistedAccount.js"

/**
 * The whole access data of a sync, checked against an independent model: the CLI syncs an embedded
 * sandbox preset with connections into a .c1z as a user would, the file is read back with the c1z
 * reader, and every resource, entitlement and grant (principal, sources, expansion) must be the
 * model's, computed from the same account's snapshot (support/AccessModel.ts), with none more; so
 * must the review sheet `export` prints from the file, path by path.
 */

const twisted = twistedAccount(generatePreset("medium"))

/** One line per difference between the expected and the synced rows of one kind, at most `limit` shown. */
export const differences = <A>(
  kind: string,
  expected: ReadonlyMap<string, A>,
  synced: ReadonlyMap<string, A>,
  limit = 40
): ReadonlyArray<string> => {
  const lines: Array<string> = []
  for (const [id, facts] of expected) {
    const got = synced.get(id)
    if (got === undefined) lines.push(`missing ${kind} ${id}: ${JSON.stringify(facts)}`)
    else if (JSON.stringify(got) !== JSON.stringify(facts)) {
      lines.push(`${kind} ${id}:\n    expected ${JSON.stringify(facts)}\n    synced   ${JSON.stringify(got)}`)
    }
  }
  for (const [id, facts] of synced) {
    if (!expected.has(id)) lines.push(`unexpected ${kind} ${id}: ${JSON.stringify(facts)}`)
  }
  return lines.length <= limit ? lines : [...lines.slice(0, limit), `... and ${lines.length - limit} more ${kind} differences`]
}

/** How many grants of `role` the file holds, by entitlement type, principal type and kind: the twists reached it. */
const grantsOfRole = (facts: AccessFacts, role: string) => {
  const kinds: Record<string, number> = {}
  for (const grant of facts.grants.values()) {
    if (!grant.entitlement.endsWith(`:${role}`) && grant.entitlement !== `role:${role}:assigned`) continue
    const kind = `${grant.entitlement.split(":")[0]} to ${grant.principal.split(":")[0]}, ${
      grant.immutable === null ? "direct" : "derived"
    }`
    kinds[kind] = (kinds[kind] ?? 0) + 1
  }
  return kinds
}

/** The sizes both sides must share (the model's are computed; the test also pins them, so a vacuous model fails). */
const counts = (facts: AccessFacts) => {
  const grants = [...facts.grants.values()]
  return {
    resources: facts.resources.size,
    entitlements: facts.entitlements.size,
    grants: grants.length,
    derived: grants.filter((grant) => grant.immutable !== null).length,
    throughTeams: grants.filter((grant) => grant.sources.length > 0).length
  }
}

/** The CLI's sync with connections into `file`, through `target` (its flags naming the sandbox serving the account). */
const syncWithConnections = (target: ReadonlyArray<string>) => (file: string) =>
  Effect.map(runCli([...target, "--sync-connections", "-f", file]), (result) => assertExit(result, 0))

/** Syncs `account` into a file with `sync`, and compares. */
const syncAndCompare = <E, R>(name: string, account: AccountSnapshot, sync: (file: string) => Effect.Effect<void, E, R>) =>
  Effect.gen(function*() {
    const dir = yield* (yield* FileSystem.FileSystem).makeTempDirectoryScoped({ prefix: "baton-oracle-" })
    const file = `${dir}/${name}.c1z`
    yield* sync(file)
    const { facts: synced, repeated } = yield* syncedAccess(file)
    const expected = expectedAccess(account)
    const found = [
      ...repeated.map((id) => `written twice: ${id}`),
      ...differences("resource type", expected.resourceTypes, synced.resourceTypes),
      ...differences("resource", expected.resources, synced.resources),
      ...differences("entitlement", expected.entitlements, synced.entitlements),
      ...differences("grant", expected.grants, synced.grants)
    ]
    assert.deepStrictEqual(found, [], `the ${name} sync differs from the model:\n${found.join("\n")}`)
    assert.deepStrictEqual(counts(synced), counts(expected))

    // The review sheet a reviewer reads (`export`): one row per path to each grant, the model's.
    const sheet = yield* runCli(["export", "-f", file, "-o", "csv"])
    assertExit(sheet, 0)
    const [header = [], ...rows] = parseCsv(sheet.stdout)
    const column = (name: string) => header.indexOf(name)
    const sheetPaths = rows.map((row) => `${row[column("principal")]}|${row[column("entitlement")]}|${row[column("via")]}`).sort()
    const expectedPaths = accessPaths(expected)
    const listed = new Set(sheetPaths)
    const modelled = new Set(expectedPaths)
    const pathDifferences = [
      ...expectedPaths.filter((path) => !listed.has(path)).map((path) => `missing sheet row ${path}`),
      ...sheetPaths.filter((path) => !modelled.has(path)).map((path) => `unexpected sheet row ${path}`)
    ]
    assert.deepStrictEqual(
      pathDifferences,
      [],
      `the ${name} review sheet differs from the model:\n${pathDifferences.slice(0, 40).join("\n")}`
    )
    assert.strictEqual(sheetPaths.length, expectedPaths.length)
    return { counts: counts(synced), synced }
  }).pipe(Effect.provide(NodeContext.layer))

describe("access oracle", () => {
  it.scopedLive("small, with connections: every resource, entitlement and grant is the model's, none more", () =>
    Effect.gen(function*() {
      // The worker's shared sync of `--sandbox small --sync-connections` (the CLI's, as a user runs it).
      const { counts } = yield* syncAndCompare("small", generatePreset("small"), (file) => copySandboxSync(file, "small with connections"))
      assert.deepStrictEqual(counts, { resources: 46, entitlements: 107, grants: 149, derived: 42, throughTeams: 46 })
    }))

  it.scopedLive("medium, with connections: every resource, entitlement and grant is the model's, none more", () =>
    Effect.gen(function*() {
      const { counts } = yield* syncAndCompare("medium", generatePreset("medium"), syncWithConnections(["--sandbox", "medium"]))
      assert.deepStrictEqual(counts, { resources: 1357, entitlements: 2727, grants: 8919, derived: 3572, throughTeams: 3753 })
    }))

  it.scopedLive("medium twisted (unlisted, team-only, custom, every-scope, `member` and empty roles): the model's, none more", () =>
    Effect.gen(function*() {
      const { flags } = yield* connectionFlags
      const { counts, synced } = yield* syncAndCompare("twisted", twisted, syncWithConnections(flags))
      assert.deepStrictEqual(counts, { resources: 1359, entitlements: 2991, grants: 8563, derived: 3454, throughTeams: 3563 })
      const roles = [colonRole, everywhereRole, ...unlistedRoles, ...Object.values(teamOnlyRoles)]
      assert.deepStrictEqual(Object.fromEntries(roles.map((role) => [role, grantsOfRole(synced, role)])), {
        [colonRole]: { "group to user, direct": 205, "group to team, direct": 12, "group to user, derived": 282 },
        [everywhereRole]: {
          "team to user, direct": 85,
          "role to team, direct": 7,
          "connection to user, direct": 91,
          "role to user, direct": 76,
          "role to user, derived": 136,
          "group to team, direct": 9,
          "group to user, derived": 176
        },
        "Team Manager": { "team to user, direct": 102 },
        "Destination Analyst": { "group to user, direct": 19 },
        "Manage Connection": { "connection to team, direct": 13, "connection to user, direct": 169, "connection to user, derived": 258 },
        "Account Billing": { "role to user, direct": 30 },
        [teamOnlyRoles.account]: { "role to team, direct": 5, "role to user, derived": 106 },
        [teamOnlyRoles.destination]: { "group to team, direct": 9, "group to user, derived": 228 },
        [teamOnlyRoles.connection]: { "connection to team, direct": 15, "connection to user, derived": 332 }
      })
    }).pipe(Effect.provide(sandboxLayer(twisted))))

  it.scopedLive("the pinned edge-case account: the model's, none more", () =>
    Effect.gen(function*() {
      const { counts } = yield* syncAndCompare("edge", edgeCases, syncWithConnections(yield* edgeFlags))
      assert.deepStrictEqual(counts, { resources: 19, entitlements: 21, grants: 29, derived: 5, throughTeams: 9 })
    }).pipe(Effect.provide(sandboxLayer(edgeCases))))
})
