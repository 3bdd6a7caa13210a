import { Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { assertExit, assertNoSecret, logFields, runCli } from "./support/CliProcess.js"
import { revocableAccount, revokeAt } from "../../../packages/fivetran-sandbox/test/support/RevocableKey.js"
import { auditLine } from "./support/RefusedActions.js"
import { sandboxLayer, smallAccount, systemKeyOf } from "./support/Sandboxes.js"

/**
 * docs/deploy.md's "Rotating credentials" for the CronJob: a Fivetran key revoked while a run syncs
 * fails that run (exit 1, `reason` `unauthorized`, what the log alert routes to the key's owner) and
 * leaves the previous `.c1z` and summary as they were, with nothing beside them; the next run,
 * given the new key, syncs. A provisioning action with a rejected key exits 1 too, its audit line's
 * outcome `key_rejected` (the HTTP service's `KeyRejected`), not `upstream`, as a Fivetran outage's.
 */

/** The small preset with a second Account Administrator whose user key the runs use: deleting that user revokes it. */
const revocable = revocableAccount(smallAccount, "sandbox_key_rotationrevoked02", "0c2e4a6b8d1f3a5c7e9b2d4f6a8c1e3b")

describe("a Fivetran key revoked while a run syncs (the CLI process)", () => {
  it.scopedLive(
    "the run exits 1 with reason unauthorized, the previous file and summary untouched; the next run with the new key syncs",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const sandbox = yield* Sandbox
        const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-cli-rotation-" })
        const file = `${dir}/acme.c1z`
        const summary = `${dir}/acme.summary.json`
        // The key from the environment, as a CronJob's Secret gives it; one request at a time, so
        // that the request the revocation holds is the one refused.
        const args = [
          "--base-url",
          sandbox.baseUrl,
          "--file",
          file,
          "--summary-file",
          summary,
          "--concurrency",
          "1",
          "--log-format",
          "json"
        ]
        const withKey = (key: { readonly key: string; readonly secret: string }) => ({
          env: { BATON_API_KEY: key.key, BATON_API_SECRET: key.secret }
        })
        assertExit(yield* runCli(args, withKey(revocable.userKey)), 0)
        const [previousFile, previousSummary] = [yield* fs.readFile(file), yield* fs.readFile(summary)]

        // An administrator removes the key's user in Fivetran while the run reads the groups' members.
        const group = revocable.snapshot.groups[0]!.id
        const revocation = yield* revokeAt(sandbox, revocable, `/v1/groups/${group}/users`)
        const cut = yield* runCli(args, withKey(revocable.userKey))
        yield* sandbox.setRequestHook(undefined)
        assertExit(cut, 1)
        assertNoSecret(cut, revocable.userKey.secret)
        const [error] = logFields(cut.stderr).filter((line) => line["level"] === "error")
        assert.deepStrictEqual([yield* revocation, error?.["msg"], error?.["reason"], error?.["exit_code"]], [
          200,
          `Fivetran rejected the API key or secret (401 on GET /v1/groups/${group}/users); check the api-key and api-secret settings`,
          "unauthorized",
          1
        ])
        assert.deepStrictEqual([yield* fs.readFile(file), yield* fs.readFile(summary)], [previousFile, previousSummary])
        assert.deepStrictEqual((yield* fs.readDirectory(dir)).sort(), ["acme.c1z", "acme.summary.json"])

        // The Secret now holds the new key: the next scheduled run syncs with it.
        assertExit(yield* runCli(args, withKey(revocable.systemKey)), 0)
        const synced = JSON.parse(new TextDecoder().decode(yield* fs.readFile(summary))) as { resources: Record<string, number> }
        assert.strictEqual(synced.resources["user"], revocable.snapshot.users.length - 1)
      }).pipe(Effect.provide(sandboxLayer(revocable.snapshot)), Effect.provide(NodeContext.layer)),
    { timeout: 120_000 }
  )
})

describe("a provisioning action with a key Fivetran rejects (the CLI process)", () => {
  it.scopedLive(
    "exits 1 as a sync with that key does, naming the settings; its audit line says key_rejected; nothing is written",
    () =>
      Effect.gen(function*() {
        const sandbox = yield* Sandbox
        const key = systemKeyOf(smallAccount)
        const team = smallAccount.teams[0]!.id
        const user = smallAccount.users.find((u) =>
          !smallAccount.team_users.some((row) => row.team_id === team && row.user_id === u.id)
        )!.id
        const result = yield* runCli([
          "--base-url",
          sandbox.baseUrl,
          "-p",
          "--grant-entitlement",
          `team:${team}:member`,
          "--grant-principal",
          user,
          "--grant-principal-type",
          "user",
          "--log-format",
          "json"
        ], { env: { BATON_API_KEY: key.key, BATON_API_SECRET: "not-the-secret" } })
        assertExit(result, 1)
        assertNoSecret(result, "not-the-secret")
        assert.deepStrictEqual([result.stdout, logFields(result.stderr)], ["", [
          auditLine({
            action: "grant",
            entitlement_id: `team:${team}:member`,
            principal_type: "user",
            principal_id: user,
            outcome: "key_rejected"
          }),
          {
            level: "error",
            msg: `cannot grant team:${team}:member to user:${user}: GET /v1/roles: Fivetran rejected the API key or secret ` +
              "(401 Unauthorized); check the api-key and api-secret settings; nothing was changed in Fivetran (no write " +
              "reached it, or Fivetran turned it away); running the same command again is safe",
            exit_code: 1
          }
        ]])
        assert.deepStrictEqual((yield* sandbox.requestLog).filter((entry) => entry.method !== "GET"), [])
      }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)),
    { timeout: 60_000 }
  )
})
