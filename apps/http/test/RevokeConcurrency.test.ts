import { concurrencyProbe, generatePreset, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { sandboxServiceArgs, serviceProcessOver } from "./ServiceProcess.js"

/**
 * The service's `--concurrency` reaches provisioning: a revoke asks the teams whether they still
 * give the access that many at a time (Cli.ts hands it to Provisioner.layer), through the bundled
 * service against a sandbox in this process.
 */

const Token = "revoke-concurrency-test-token"

const small = generatePreset("small")
const group = small.groups[0]!
const members = new Set(small.user_groups.filter((row) => row.group_id === group.id).map((row) => row.user_id))
const outsider = small.users.find((user) => !members.has(user.id))!
const destinationRole = small.roles.find((role) => role.scope.includes("DESTINATION"))!.name
const entitlementId = `group:${group.id}:${destinationRole}`
const grantId = `${entitlementId}:user:${outsider.id}`

/** The small account with ten more teams, for the revoke's scan of them. */
const manyTeams = {
  ...small,
  teams: [
    ...small.teams,
    ...Array.from({ length: 10 }, (_, i) => ({ id: `extra_team_${i}`, name: `Extra ${i}`, description: null, role: null }))
  ]
}

describe("the service's --concurrency", () => {
  it.scopedLive("bounds a revoke's scan of the teams", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox
      const dataDir = yield* Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped())
      const launch = yield* sandboxServiceArgs(Token)
      const service = yield* serviceProcessOver(dataDir, [...launch.args, "--provisioning", "--concurrency", "6"], { env: launch.env })
      const call = (method: "POST" | "DELETE", path: string, body?: unknown) =>
        Effect.promise(() =>
          fetch(`${service.url}${path}`, {
            method,
            headers: { authorization: `Bearer ${Token}`, "content-type": "application/json" },
            ...(body === undefined ? {} : { body: JSON.stringify(body) })
          }).then(async (response) => ({ status: response.status, body: await response.json() as Record<string, unknown> }))
        )
      const granted = yield* call("POST", "/v1/grants", { entitlement_id: entitlementId, principal: { type: "user", id: outsider.id } })
      assert.strictEqual(granted.status, 201)
      // Each team's check of the group waits until six are waiting: only six sent at once get there.
      const probe = yield* concurrencyProbe(
        ({ method, path }) => method === "GET" && path.startsWith("/v1/teams/") && path.endsWith(`/groups/${group.id}`),
        6,
        "5 seconds"
      )
      yield* sandbox.setRequestHook(probe.hook)
      const revoked = yield* call("DELETE", `/v1/grants/${encodeURIComponent(grantId)}`)
      assert.deepStrictEqual(revoked, { status: 200, body: { grant_id: grantId, status: "revoked", message: `revoked ${grantId}` } })
      assert.deepStrictEqual(yield* probe.seen, { arrived: manyTeams.teams.length, most: 6 })
    }).pipe(Effect.provide(Sandbox.layer({ snapshot: manyTeams, port: 0 })), Effect.provide(NodeContext.layer)), 60_000)
})
