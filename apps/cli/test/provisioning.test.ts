import { concurrencyProbe, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { assertExit, assertNoSecret, logFields, runCli } from "./support/CliProcess.js"
import { connectionFlags, sandboxLayer, smallAccount } from "./support/Sandboxes.js"

/** A group, a user outside it and a destination role, picked from the generated account. */
const group = smallAccount.groups[0]!
const members = new Set(smallAccount.user_groups.filter((row) => row.group_id === group.id).map((row) => row.user_id))
const outsider = smallAccount.users.find((user) => !members.has(user.id))!
const destinationRole = smallAccount.roles.find((role) => role.scope.includes("DESTINATION"))!.name
const entitlementId = `group:${group.id}:${destinationRole}`
const grantId = `${entitlementId}:user:${outsider.id}`

/** The small account with ten more teams, for a revoke's scan of them. */
const manyTeams = {
  ...smallAccount,
  teams: [
    ...smallAccount.teams,
    ...Array.from({ length: 10 }, (_, i) => ({ id: `extra_team_${i}`, name: `Extra ${i}`, description: null, role: null }))
  ]
}

/** Runs the CLI with -p against the test's sandbox; the secret must never be printed. */
const provision = (...args: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const { flags, key } = yield* connectionFlags
    const result = yield* runCli([...flags, "-p", ...args])
    assertNoSecret(result, key.secret)
    return result
  })

const membership = Effect.gen(function*() {
  const snapshot = yield* Effect.flatMap(Sandbox, (sandbox) => sandbox.snapshot)
  return snapshot.user_groups.find((row) => row.group_id === group.id && row.user_id === outsider.id)?.role
})

describe("provisioning", () => {
  it.scopedLive("--grant-entitlement adds the group membership; again, it says already exists", () =>
    Effect.gen(function*() {
      const grantFlags = [
        "--grant-entitlement",
        entitlementId,
        "--grant-principal",
        outsider.id,
        "--grant-principal-type",
        "user",
        "--log-format",
        "json"
      ]
      const first = yield* provision(...grantFlags)
      assertExit(first, 0)
      assert.strictEqual(first.stdout, `granted ${entitlementId} to user:${outsider.id}\n`)
      // The audit line, by ids, on stderr through the logger.
      const audit = { level: "info", msg: "provisioning action", action: "grant", entitlement_id: entitlementId }
      const principal = { principal_type: "user", principal_id: outsider.id }
      assert.deepStrictEqual(logFields(first.stderr), [{ ...audit, ...principal, outcome: "granted" }])
      assert.strictEqual(yield* membership, destinationRole)

      const again = yield* provision(...grantFlags)
      assertExit(again, 0)
      assert.strictEqual(again.stdout, `already exists: user:${outsider.id} already holds ${entitlementId}\n`)

      const revoked = yield* provision("--revoke-grant", grantId)
      assertExit(revoked, 0)
      assert.strictEqual(revoked.stdout, `revoked ${grantId}\n`)
      assert.isUndefined(yield* membership)

      const revokedAgain = yield* provision("--revoke-grant", grantId, "--log-format", "json")
      assertExit(revokedAgain, 0)
      assert.strictEqual(revokedAgain.stdout, `already revoked: ${grantId}\n`)
      assert.deepStrictEqual(logFields(revokedAgain.stderr), [{
        ...audit,
        action: "revoke",
        grant_id: grantId,
        ...principal,
        outcome: "already_revoked"
      }])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("a grant names the role it replaced; a revoke names the team grant that still gives the access", () =>
    Effect.gen(function*() {
      // A member of a team holding an account role, whose own account role is another one.
      const team = smallAccount.teams.find((t) =>
        t.role !== null &&
        smallAccount.team_users.some((row) =>
          row.team_id === t.id &&
          ![null, t.role, "Account Administrator"].includes(smallAccount.users.find((u) => u.id === row.user_id)!.role)
        )
      )!
      const member = smallAccount.users.find((u) =>
        smallAccount.team_users.some((row) => row.team_id === team.id && row.user_id === u.id) &&
        ![null, team.role, "Account Administrator"].includes(u.role)
      )!
      const roleEntitlement = `role:${team.role}:assigned`
      const granted = yield* provision(
        "--grant-entitlement",
        roleEntitlement,
        "--grant-principal",
        member.id,
        "--grant-principal-type",
        "user"
      )
      assertExit(granted, 0)
      assert.strictEqual(
        granted.stdout,
        `granted ${roleEntitlement} to user:${member.id} (replacing the role ${member.role} it held there)\n`
      )
      const revoked = yield* provision("--revoke-grant", `${roleEntitlement}:user:${member.id}`)
      assertExit(revoked, 0)
      assert.strictEqual(
        revoked.stdout,
        `revoked ${roleEntitlement}:user:${member.id}, but it is still held through ${roleEntitlement}:team:${team.id} ` +
          "(revoke that, or remove the user from the team, to end the access)\n"
      )
      // A retry: nothing direct is left; a success that says again where the access comes from.
      const retried = yield* provision("--revoke-grant", `${roleEntitlement}:user:${member.id}`)
      assertExit(retried, 0)
      assert.strictEqual(
        retried.stdout,
        `nothing to revoke directly: ${roleEntitlement}:user:${member.id} (held only through team membership ` +
          `(team:${team.id}:member:user:${member.id}): revoke ${roleEntitlement}:team:${team.id}, ` +
          "or remove the user from the team, to end the access)\n"
      )
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("a revoke says what else it ended (a team role ends the membership) and which other role it left in place", () =>
    Effect.gen(function*() {
      const manager = smallAccount.team_users.find((row) => row.role === "Team Manager")!
      const teamRoleGrant = `team:${manager.team_id}:Team Manager:user:${manager.user_id}`
      const revoked = yield* provision("--revoke-grant", teamRoleGrant)
      assertExit(revoked, 0)
      assert.strictEqual(
        revoked.stdout,
        `revoked ${teamRoleGrant}, and with it team:${manager.team_id}:member:user:${manager.user_id} ` +
          "(one membership in Fivetran, removed whole)\n"
      )
      const teamsOf = Effect.map(
        Effect.flatMap(Sandbox, (sandbox) => sandbox.snapshot),
        (s) => s.team_users.filter((row) => row.team_id === manager.team_id && row.user_id === manager.user_id)
      )
      assert.deepStrictEqual(yield* teamsOf, [])

      // A group role changed since the sync: the revoke of the old one leaves the new one, and says so.
      // (On a group no team holds View Destination on, so that no team gives the old role either.)
      const member = smallAccount.user_groups.find((row) =>
        row.role === "Edit Destination" &&
        !smallAccount.team_groups.some((team) => team.group_id === row.group_id && team.role === "View Destination")
      )!
      const oldGrant = `group:${member.group_id}:View Destination:user:${member.user_id}`
      const heldGrant = `group:${member.group_id}:Edit Destination:user:${member.user_id}`
      const left = yield* provision("--revoke-grant", oldGrant)
      assertExit(left, 0)
      assert.strictEqual(
        left.stdout,
        `already revoked: ${oldGrant} (user:${member.user_id} holds group:${member.group_id}:Edit Destination there ` +
          `instead, which this revoke leaves in place: revoke ${heldGrant} to end it)\n`
      )
      const held = (yield* Effect.flatMap(Sandbox, (sandbox) => sandbox.snapshot)).user_groups.find((row) =>
        row.group_id === member.group_id && row.user_id === member.user_id
      )
      assert.strictEqual(held?.role, "Edit Destination")
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("a revoke on a group, team or connection deleted since exits 0, already revoked, naming it; a grant on it exits 1", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox
      const { key } = yield* connectionFlags
      const deleteInFivetran = (path: string) =>
        Effect.promise(() =>
          fetch(`${sandbox.baseUrl}${path}`, {
            method: "DELETE",
            headers: { authorization: `Basic ${btoa(`${key.key}:${key.secret}`)}` }
          }).then((response) => response.status)
        )
      const inGroup = smallAccount.user_groups[0]!
      const inTeam = smallAccount.team_users[0]!
      const onConnection = smallAccount.user_connections[0]!
      assert.deepStrictEqual(
        [
          yield* deleteInFivetran(`/v1/groups/${inGroup.group_id}`),
          yield* deleteInFivetran(`/v1/teams/${inTeam.team_id}`),
          yield* deleteInFivetran(`/v1/connections/${onConnection.connection_id}`)
        ],
        [200, 200, 200]
      )
      const cases = [
        [`group:${inGroup.group_id}:${inGroup.role}:user:${inGroup.user_id}`, `group ${inGroup.group_id}`],
        [`team:${inTeam.team_id}:member:user:${inTeam.user_id}`, `team ${inTeam.team_id}`],
        [
          `connection:${onConnection.connection_id}:${onConnection.role}:user:${onConnection.user_id}`,
          `connection ${onConnection.connection_id}`
        ]
      ] as const
      for (const [revokedId, container] of cases) {
        const revoked = yield* provision("--revoke-grant", revokedId)
        assertExit(revoked, 0)
        assert.strictEqual(revoked.stdout, `already revoked: ${revokedId} (${container} does not exist)\n`)
      }

      const granted = yield* provision(
        "--grant-entitlement",
        `group:${inGroup.group_id}:${inGroup.role}`,
        "--grant-principal",
        inGroup.user_id,
        "--grant-principal-type",
        "user",
        "--log-format",
        "json"
      )
      assertExit(granted, 2)
      assert.strictEqual(granted.stdout, "")
      // The audit line, then the refusal as a JSON line too.
      assert.deepStrictEqual(logFields(granted.stderr), [
        {
          level: "info",
          msg: "provisioning action",
          action: "grant",
          entitlement_id: `group:${inGroup.group_id}:${inGroup.role}`,
          principal_type: "user",
          principal_id: inGroup.user_id,
          outcome: "unknown_entitlement"
        },
        { level: "error", msg: `group ${inGroup.group_id} does not exist`, exit_code: 2 }
      ])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("--create-account-* invites a user and --delete-resource deletes it, each idempotent", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox
      const email = "ada.lovelace@example.com"
      const createFlags = [
        "--create-account-email",
        email,
        "--create-account-profile",
        JSON.stringify({ given_name: "Ada", family_name: "Lovelace" })
      ]
      const created = yield* provision(...createFlags)
      assertExit(created, 0)
      const user = (yield* sandbox.snapshot).users.find((u) => u.email === email)
      assert.isDefined(user)
      assert.strictEqual(user!.given_name, "Ada")
      assert.strictEqual(user!.family_name, "Lovelace")
      assert.strictEqual(created.stdout, `created user:${user!.id} (${email})\n`)

      // Asked again in capitals: the same account, named by the email it has.
      const again = yield* provision("--create-account-email", email.toUpperCase(), ...createFlags.slice(2))
      assertExit(again, 0)
      assert.strictEqual(again.stdout, `already exists: user:${user!.id} (${email})\n`)

      const deleted = yield* provision("--delete-resource", user!.id, "--delete-resource-type", "user")
      assertExit(deleted, 0)
      assert.strictEqual(deleted.stdout, `deleted user:${user!.id}\n`)
      assert.isUndefined((yield* sandbox.snapshot).users.find((u) => u.id === user!.id))

      const deletedAgain = yield* provision("--delete-resource", user!.id, "--delete-resource-type", "user")
      assertExit(deletedAgain, 0)
      assert.strictEqual(deletedAgain.stdout, `does not exist: user:${user!.id} (nothing to delete)\n`)
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("without -p every provisioning flag exits 1 and says to add -p, contacting nothing", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox
      const { flags, key } = yield* connectionFlags
      const result = yield* runCli([...flags, "--revoke-grant", grantId])
      assertExit(result, 1)
      assertNoSecret(result, key.secret)
      assert.strictEqual(result.stdout, "")
      assert.include(result.stderr, "error: provisioning is disabled: add -p/--provisioning to run --revoke-grant")
      assert.deepStrictEqual(yield* sandbox.requestLog, [])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("a malformed entitlement id exits 2 and explains the id format", () =>
    Effect.gen(function*() {
      const result = yield* provision(
        "--grant-entitlement",
        "group-without-colons",
        "--grant-principal",
        outsider.id,
        "--grant-principal-type",
        "user"
      )
      assertExit(result, 2)
      assert.include(result.stderr, `invalid entitlement id "group-without-colons"`)
      assert.include(result.stderr, "<type>:<id>:<slug>")
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("a grant id with a segment too many exits 2 and explains the id format, contacting nothing", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox
      const result = yield* provision("--revoke-grant", `${grantId}:extra`)
      assertExit(result, 2)
      assert.include(result.stderr, `invalid grant id "${grantId}:extra": "${outsider.id}" (before the last ':') is not a principal type`)
      assert.deepStrictEqual(yield* sandbox.requestLog, [])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("a provisioning action runs against --sandbox without credentials", () =>
    Effect.gen(function*() {
      const result = yield* runCli([
        "--sandbox",
        "-p",
        "--grant-entitlement",
        entitlementId,
        "--grant-principal",
        outsider.id,
        "--grant-principal-type",
        "user"
      ])
      assertExit(result, 0)
      assert.strictEqual(result.stdout, `granted ${entitlementId} to user:${outsider.id}\n`)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("a 16 KB id is shown by its first 128 characters and its length, in the refusal, the outcome and the audit line", () =>
    Effect.gen(function*() {
      const huge = "x".repeat(16_384)
      const shown = `${"x".repeat(128)}…(16384 characters)`
      const [revoke, principalType, deletion] = yield* Effect.all([
        runCli(["--sandbox", "-p", "--revoke-grant", huge, "--log-format", "json"]),
        runCli(["--sandbox", "-p", "--grant-entitlement", entitlementId, "--grant-principal", "u1", "--grant-principal-type", huge]),
        runCli(["--sandbox", "-p", "--delete-resource", "u".repeat(10_240), "--delete-resource-type", "user"])
      ], { concurrency: 3 })
      assert.deepStrictEqual([revoke.exitCode, revoke.stdout, logFields(revoke.stderr).slice(1)], [2, "", [
        { level: "info", msg: "provisioning action", action: "revoke", grant_id: shown, outcome: "invalid_id" },
        {
          level: "error",
          msg: `invalid grant id "${shown}": it has 0 ':' separators, a grant id at least four ` +
            "(expected <entitlement id>:<principal type>:<principal id>, e.g. group:<group id>:View Destination:user:<user id>)",
          exit_code: 2
        }
      ]])
      assert.deepStrictEqual([principalType.exitCode, principalType.stdout, principalType.stderr], [
        2,
        "",
        `error: --grant-principal-type ${shown}: expected one of user, team (only users and teams hold grants)\n`
      ])
      assert.deepStrictEqual([deletion.exitCode, deletion.stdout], [
        0,
        `does not exist: user:${"u".repeat(123)}…(10245 characters) (nothing to delete)\n`
      ])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("an entitlement of a type the connector does not have is a mistyped id: exit 2, nothing sent", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox
      const result = yield* provision(
        "--grant-entitlement",
        "workspace:w1:admin",
        "--grant-principal",
        outsider.id,
        "--grant-principal-type",
        "user"
      )
      assert.deepStrictEqual([result.exitCode, result.stdout, result.stderr.split("\n").filter((line) => line.startsWith("error: "))], [
        2,
        "",
        [
          "error: invalid entitlement id \"workspace:w1:admin\": \"workspace\" is not a resource type of this connector; " +
          "entitlement ids start with role, group, team, connection"
        ]
      ])
      assert.isFalse((yield* sandbox.requestLog).some((entry) => entry.method !== "GET"))
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("a revoke scans the teams --concurrency at a time", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox
      assertExit(
        yield* provision("--grant-entitlement", entitlementId, "--grant-principal", outsider.id, "--grant-principal-type", "user"),
        0
      )
      // Each team's check of the group waits until six are waiting: only six sent at once get there.
      const probe = yield* concurrencyProbe(
        ({ method, path }) => method === "GET" && path.startsWith("/v1/teams/") && path.endsWith(`/groups/${group.id}`),
        6,
        "5 seconds"
      )
      yield* sandbox.setRequestHook(probe.hook)
      const revoked = yield* provision("--revoke-grant", grantId, "--concurrency", "6")
      assertExit(revoked, 0)
      assert.deepStrictEqual([revoked.stdout, yield* probe.seen], [`revoked ${grantId}\n`, { arrived: manyTeams.teams.length, most: 6 }])
    }).pipe(Effect.provide(sandboxLayer(manyTeams)), Effect.provide(NodeContext.layer)))
})
