import { addSystemKey, type AccountSnapshot, fullAccessPermissions, generatePreset, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import { revocableAccount, revokeAt } from "../../../packages/fivetran-sandbox/test/support/RevocableKey.js"
import { logFields } from "./Harness.js"
import { awaitSyncJob, type RunningService, serviceProcessOver, startSyncJob } from "./ServiceProcess.js"

/**
 * docs/deploy.md's "Rotating credentials", on the bundled service against a sandbox: what its steps
 * rest on. Bearer tokens overlap (old and new both listed), a restart with the new list alone refuses
 * the old one while page tokens issued before it go on (they are signed with the data directory's
 * key, not the caller's token); a Fivetran key revoked under a running sync fails that job
 * `unauthorized`, keeps the previous sync served, turns /readyz 503, refuses a grant 502 `KeyRejected`
 * (counted as `key_rejected`, not as Fivetran failing), and a restart with the new key is ready and
 * syncs again.
 */

const OldToken = "rotation-old-bearer-token"
const NewToken = "rotation-new-bearer-token"
const OldReadToken = "rotation-old-read-only-token"
const NewReadToken = "rotation-new-read-only-token"

/** The `caller` the service logs for a token: `printf %s "$TOKEN" | sha256sum | cut -c1-12`, as the runbook says. */
const callerOf = (kind: "token" | "read-token", token: string) => `${kind}:${createHash("sha256").update(token).digest("hex").slice(0, 12)}`

/** Status and JSON body of one request to the service. */
const call = (service: RunningService, path: string, token?: string, method = "GET", body?: unknown) =>
  Effect.promise(async () => {
    const response = await fetch(`${service.url}${path}`, {
      method,
      headers: {
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { "content-type": "application/json" })
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
    return { status: response.status, body: await response.json() as Record<string, unknown> }
  })

/** The sample lines of /metrics whose name is one of `names`. */
const samples = (service: RunningService, token: string, names: ReadonlyArray<string>) =>
  Effect.promise(() => fetch(`${service.url}/metrics`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.text()))
    .pipe(Effect.map((text) => text.split("\n").filter((line) => names.some((name) => line.startsWith(`${name}{`)))))

const system = (key: AccountSnapshot["credentials"][number]) => ({ BATON_API_KEY: key.key, BATON_API_SECRET: key.secret })

const unauthorizedToken = { error: "Unauthorized", message: "the bearer token is not valid for this service" }

/** The small preset with a second full-access system key: the key an operator makes before revoking the first. */
const twoKeys = (() => {
  const { credential, snapshot } = addSystemKey(generatePreset("small"), fullAccessPermissions)
  return { snapshot, oldKey: snapshot.credentials.find((c) => c._tag === "SystemKey")!, newKey: credential }
})()

describe("rotating the service's bearer tokens and Fivetran key (the service process)", () => {
  it.scopedLive(
    "old and new tokens both work while both are listed; after a restart with the new ones only, the old are refused 401 " +
      "and a page token from before the restart continues its listing with the new token",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const sandbox = yield* Sandbox
        const dataDir = yield* fs.makeTempDirectoryScoped({ prefix: "credential-rotation-" })
        const args = ["--base-url", sandbox.baseUrl, "--port", "0", "--log-format", "json"]
        const overlapping = yield* serviceProcessOver(dataDir, args, {
          env: {
            ...system(twoKeys.oldKey),
            BATON_HTTP_TOKENS: `${OldToken},${NewToken}`,
            BATON_HTTP_READ_TOKENS: `${OldReadToken},${NewReadToken}`
          }
        })
        const job = yield* startSyncJob(overlapping, OldToken)
        yield* awaitSyncJob(overlapping, OldToken, job.id, "succeeded")
        const first = yield* call(overlapping, "/v1/resources?type=user&page_size=2", OldToken)
        const pageToken = first.body["next_page_token"] as string
        const four = yield* call(overlapping, "/v1/resources?type=user&page_size=4", NewReadToken)
        assert.deepStrictEqual(
          [first.status, first.body["sync_id"], four.status, four.body["sync_id"]],
          [200, job.id, 200, job.id]
        )
        for (const token of [OldToken, NewToken, OldReadToken, NewReadToken]) {
          assert.strictEqual((yield* call(overlapping, "/v1/syncs", token)).status, 200)
        }
        assert.strictEqual(yield* overlapping.stop, 0)
        // Each token's requests are named by its fingerprint: the old one's lines stopping is the sign its clients switched.
        const callers = new Set(
          (yield* overlapping.stderr).split("\n").filter((line) => line.startsWith("{")).map(logFields)
            .filter((line) => line["msg"] === "http request").map((line) => line["caller"])
        )
        assert.deepStrictEqual(
          [...callers].sort(),
          [
            callerOf("read-token", NewReadToken),
            callerOf("read-token", OldReadToken),
            callerOf("token", NewToken),
            callerOf("token", OldToken)
          ].sort()
        )

        const rotated = yield* serviceProcessOver(dataDir, args, {
          env: { ...system(twoKeys.newKey), BATON_HTTP_TOKENS: NewToken, BATON_HTTP_READ_TOKENS: NewReadToken }
        })
        assert.deepStrictEqual(yield* call(rotated, "/v1/syncs", OldToken), { status: 401, body: unauthorizedToken })
        assert.deepStrictEqual(yield* call(rotated, "/v1/syncs", OldReadToken), { status: 401, body: unauthorizedToken })
        const resumed = yield* call(rotated, `/v1/resources?type=user&page_size=2&page_token=${pageToken}`, NewReadToken)
        assert.deepStrictEqual(
          [resumed.status, resumed.body["sync_id"], resumed.body["items"]],
          [200, job.id, (four.body["items"] as ReadonlyArray<unknown>).slice(2)]
        )
        // The new Fivetran key: ready, naming the account, and it syncs; the kept sync stays listed.
        const account = (yield* sandbox.snapshot).account
        assert.deepStrictEqual(yield* call(rotated, "/readyz", NewReadToken), {
          status: 200,
          body: { status: "ready", account_id: account.account_id, account_name: account.account_name }
        })
        const next = yield* startSyncJob(rotated, NewToken)
        yield* awaitSyncJob(rotated, NewToken, next.id, "succeeded")
        const listed = (yield* call(rotated, "/v1/syncs", NewToken)).body["items"] as ReadonlyArray<{ id: string; status: string }>
        assert.deepStrictEqual(listed.map((item) => [item.id, item.status]), [[next.id, "succeeded"], [job.id, "succeeded"]])
        assert.strictEqual(yield* rotated.stop, 0)
      }).pipe(
        Effect.provide(Sandbox.layer({ snapshot: twoKeys.snapshot, port: 0 })),
        Effect.provide(NodeContext.layer)
      ),
    120_000
  )
})

/** The small preset with a second Account Administrator whose user key the service uses: deleting that user revokes it. */
const revocable = revocableAccount(generatePreset("small"), "sandbox_key_rotationrevoked01", "7f3a9c1e5b2d4f6a8c0e1b3d5f7a9c2e")

describe("a Fivetran key revoked under a running sync (the service process)", () => {
  it.scopedLive(
    "the sync fails unauthorized and the previous one stays served; /readyz is 503 and a grant 502 KeyRejected; " +
      "a restart with the new key is ready and syncs",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const sandbox = yield* Sandbox
        const dataDir = yield* fs.makeTempDirectoryScoped({ prefix: "credential-revoked-" })
        // One request at a time: the request the revocation holds is the one refused, whatever the scheduling.
        const args = ["--base-url", sandbox.baseUrl, "--port", "0", "--log-format", "json", "--concurrency", "1", "--provisioning"]
        const service = yield* serviceProcessOver(dataDir, args, {
          env: { ...system(revocable.userKey), BATON_HTTP_TOKENS: NewToken }
        })
        const kept = yield* startSyncJob(service, NewToken)
        yield* awaitSyncJob(service, NewToken, kept.id, "succeeded")

        // An administrator removes the key's user in Fivetran while the next sync reads the groups' members.
        const before = yield* sandbox.snapshot
        const group = before.groups[0]!.id
        const revocation = yield* revokeAt(sandbox, revocable, `/v1/groups/${group}/users`)
        const cut = yield* startSyncJob(service, NewToken)
        const failed = yield* awaitSyncJob(service, NewToken, cut.id, ["failed", "succeeded"])
        yield* sandbox.setRequestHook(undefined)
        const error =
          `Fivetran rejected the API key or secret (401 on GET /v1/groups/${group}/users); check the api-key and api-secret settings`
        assert.deepStrictEqual([yield* revocation, failed.status, failed.error], [200, "failed", error])
        const listed = (yield* call(service, "/v1/syncs", NewToken)).body["items"] as ReadonlyArray<{ id: string; status: string }>
        assert.deepStrictEqual(listed.map((item) => [item.id, item.status]), [[cut.id, "failed"], [kept.id, "succeeded"]])
        const served = yield* call(service, "/v1/resources?type=user&page_size=1", NewToken)
        assert.deepStrictEqual([served.status, served.body["sync_id"]], [200, kept.id])

        assert.deepStrictEqual(yield* call(service, "/readyz"), {
          status: 503,
          body: { error: "NotReady", message: "Fivetran refuses the configured key; GET /readyz with a token of the service says why" }
        })
        assert.deepStrictEqual(yield* call(service, "/readyz", NewToken), {
          status: 503,
          body: {
            error: "NotReady",
            message:
              "GET /v1/account/info: Fivetran rejected the API key or secret (401 Unauthorized); check the api-key and api-secret settings"
          }
        })
        const team = before.teams[0]!.id
        const member = before.users.find((user) =>
          user.id !== revocable.holder && !before.team_users.some((row) => row.team_id === team && row.user_id === user.id)
        )!.id
        assert.deepStrictEqual(
          yield* call(service, "/v1/grants", NewToken, "POST", {
            entitlement_id: `team:${team}:member`,
            principal: { type: "user", id: member }
          }),
          {
            status: 502,
            body: {
              error: "KeyRejected",
              message: `cannot grant team:${team}:member to user:${member}: GET /v1/roles: Fivetran rejected the API key or secret ` +
                "(401 Unauthorized); check the api-key and api-secret settings; nothing was changed in Fivetran (no write reached " +
                "it, or Fivetran turned it away); sending the same request again is safe"
            }
          }
        )
        const alerted = [
          "baton_sync_jobs_total{outcome=\"failed\",reason=\"unauthorized\"} 1",
          "baton_sync_jobs_total{outcome=\"succeeded\",reason=\"none\"} 1",
          "baton_provisioning_actions_total{action=\"grant\",outcome=\"key_rejected\"} 1",
          "baton_provisioning_actions_total{action=\"grant\",outcome=\"upstream\"} 0"
        ]
        const metrics = yield* samples(service, NewToken, ["baton_sync_jobs_total", "baton_provisioning_actions_total"])
        assert.deepStrictEqual(
          alerted.map((line) =>
            metrics.includes(line)
          ),
          [true, true, true, true]
        )
        const failedLines = (yield* service.stderr).split("\n").filter((line) => line.startsWith("{")).map(logFields)
          .filter((line) => line["msg"] === "sync job failed")
        assert.deepStrictEqual(failedLines.map((line) => [line["job"], line["reason"], line["error"]]), [[cut.id, "unauthorized", error]])
        assert.strictEqual(yield* service.stop, 0)

        // The Secret now holds the new key: the restarted service is ready with it and syncs again.
        const restarted = yield* serviceProcessOver(dataDir, args, { env: { ...system(revocable.systemKey), BATON_HTTP_TOKENS: NewToken } })
        assert.deepStrictEqual(yield* call(restarted, "/readyz"), { status: 200, body: { status: "ready" } })
        const next = yield* startSyncJob(restarted, NewToken)
        yield* awaitSyncJob(restarted, NewToken, next.id, "succeeded")
        const after = yield* call(restarted, "/v1/resources?type=user&page_size=1", NewToken)
        assert.deepStrictEqual([after.status, after.body["sync_id"]], [200, next.id])
        assert.strictEqual(yield* restarted.stop, 0)
      }).pipe(
        Effect.provide(Sandbox.layer({ snapshot: revocable.snapshot, port: 0 })),
        Effect.provide(NodeContext.layer)
      ),
    120_000
  )
})
