import { Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { allArrived, sortedWrites } from "../../../packages/connector-core/test/support/HeldRequests.js"
import { account } from "../../../packages/connector-core/test/support/ProvisioningFixture.js"
import { assertExit, logFields, runCli } from "./support/CliProcess.js"
import { connectionFlags, sandboxLayer } from "./support/Sandboxes.js"

/**
 * The same provisioning action run by several CLI processes at once (an admin's script firing it
 * in parallel, two reviewers), against the test's sandbox: its request hook holds the writes until
 * every process has sent its own, so each has read before any writes, every run. Each process
 * exits 0 with what it did, and Fivetran holds the state asked for once. The account is
 * connector-core's provisioning fixture (ana holds View Destination on g_main; ben holds nothing).
 */

/** `count` CLI processes with -p and `args` at once, after the sandbox's log is cleared: each one's stdout (sorted), and the writes. */
const inParallel = (count: number, args: (i: number) => ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const { flags } = yield* connectionFlags
    const sandbox = yield* Sandbox
    yield* sandbox.clearRequestLog
    const results = yield* Effect.all(
      Array.from({ length: count }, (_, i) => runCli([...flags, "-p", ...args(i), "--log-format", "json"])),
      { concurrency: "unbounded" }
    )
    for (const result of results) assertExit(result, 0)
    return {
      stdout: results.map((result) => result.stdout).sort(),
      outcomes: results.flatMap((result) => logFields(result.stderr).filter((line) => line["msg"] === "provisioning action"))
        .map((line) => line["outcome"]).sort(),
      writes: yield* sortedWrites
    }
  })

const provided = <A, E>(test: Effect.Effect<A, E, Sandbox | NodeContext.NodeContext>) =>
  test.pipe(Effect.provide(sandboxLayer(account)), Effect.provide(NodeContext.layer))

describe("one provisioning action from several processes at once", () => {
  it.scopedLive("3 grants: one adds the membership, two find it added; all exit 0", () =>
    provided(Effect.gen(function*() {
      yield* allArrived(["POST /v1/users/ben/groups"], 3)
      const run = yield* inParallel(3, () => [
        "--grant-entitlement",
        "group:g_main:Edit Destination",
        "--grant-principal",
        "ben",
        "--grant-principal-type",
        "user"
      ])
      assert.deepStrictEqual(run.stdout, [
        "already exists: user:ben already holds group:g_main:Edit Destination\n",
        "already exists: user:ben already holds group:g_main:Edit Destination\n",
        "granted group:g_main:Edit Destination to user:ben\n"
      ])
      assert.deepStrictEqual(run.outcomes, ["already_exists", "already_exists", "granted"])
      assert.deepStrictEqual(run.writes, [
        "POST /v1/users/ben/groups 201",
        "POST /v1/users/ben/groups 409",
        "POST /v1/users/ben/groups 409"
      ])
      const snapshot = yield* Effect.flatMap(Sandbox, (sandbox) => sandbox.snapshot)
      assert.deepStrictEqual(
        snapshot.user_groups.filter((row) => row.user_id === "ben").map((row) => [row.group_id, row.role]),
        [["g_main", "Edit Destination"]]
      )
    })))

  it.scopedLive("3 revokes: one removes the membership, two find it gone; all exit 0", () =>
    provided(Effect.gen(function*() {
      yield* allArrived(["DELETE /v1/users/ana/groups/g_main"], 3)
      const grantId = "group:g_main:View Destination:user:ana"
      const run = yield* inParallel(3, () => ["--revoke-grant", grantId])
      assert.deepStrictEqual(run.stdout, [`already revoked: ${grantId}\n`, `already revoked: ${grantId}\n`, `revoked ${grantId}\n`])
      assert.deepStrictEqual(run.outcomes, ["already_revoked", "already_revoked", "revoked"])
      assert.deepStrictEqual(run.writes, [
        "DELETE /v1/users/ana/groups/g_main 200",
        "DELETE /v1/users/ana/groups/g_main 404",
        "DELETE /v1/users/ana/groups/g_main 404"
      ])
      const snapshot = yield* Effect.flatMap(Sandbox, (sandbox) => sandbox.snapshot)
      assert.isFalse(snapshot.user_groups.some((row) => row.user_id === "ana"))
    })))

  it.scopedLive("2 invitations of one email, cased differently: one creates the user, the other names it", () =>
    provided(Effect.gen(function*() {
      yield* allArrived(["POST /v1/users"], 2)
      const emails = ["zoe@example.com", "Zoe@Example.com"]
      const run = yield* inParallel(2, (i) => [
        "--create-account-email",
        emails[i]!,
        "--create-account-profile",
        JSON.stringify({ given_name: "Zoe", family_name: "Quinn" })
      ])
      const zoe = (yield* Effect.flatMap(Sandbox, (sandbox) => sandbox.snapshot)).users.filter((user) =>
        user.email.toLowerCase() === "zoe@example.com"
      )
      assert.strictEqual(zoe.length, 1)
      assert.deepStrictEqual(run.stdout, [
        `already exists: user:${zoe[0]!.id} (${zoe[0]!.email})\n`,
        `created user:${zoe[0]!.id} (${zoe[0]!.email})\n`
      ])
      assert.deepStrictEqual(run.outcomes, ["already_exists", "created"])
      assert.deepStrictEqual(run.writes, ["POST /v1/users 201", "POST /v1/users 409"])
    })))

  it.scopedLive("2 deletions of one user: one deletes it, the other finds nothing to delete", () =>
    provided(Effect.gen(function*() {
      yield* allArrived(["DELETE /v1/users/dee"], 2)
      const run = yield* inParallel(2, () => ["--delete-resource", "dee", "--delete-resource-type", "user"])
      assert.deepStrictEqual(run.stdout, ["deleted user:dee\n", "does not exist: user:dee (nothing to delete)\n"])
      assert.deepStrictEqual(run.outcomes, ["deleted", "does_not_exist"])
      assert.deepStrictEqual(run.writes, ["DELETE /v1/users/dee 200", "DELETE /v1/users/dee 404"])
    })))
})
