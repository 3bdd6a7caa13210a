import { Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Schedule, type Scope } from "effect"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { allArrived, heldForRival, overtaken, sortedWrites } from "../../../packages/connector-core/test/support/HeldRequests.js"
import { account } from "../../../packages/connector-core/test/support/ProvisioningFixture.js"
import { type RunningService, sandboxServiceOver } from "./ServiceProcess.js"

/**
 * Provisioning requests arriving at the bundled service at once, against the test's sandbox: its
 * request hook holds Fivetran's side of the race still, so each run meets the same interleaving.
 * Every caller gets an honest answer, Fivetran ends in the state asked for, and the audit lines
 * and `baton_provisioning_actions_total` count what was done. The account is connector-core's
 * provisioning fixture: ana holds View Destination on g_main; cy is a Team Member of t_eng; ben and
 * dee are in neither.
 */

const Token = "token-of-the-concurrent-provisioning-test"

interface Answer {
  readonly status: number
  readonly body: Record<string, unknown>
}

/** An answer with the request id the service gave its request (`X-Request-Id`). */
interface IdentifiedAnswer extends Answer {
  readonly requestId: string
}

/** The service over a fresh data directory, with provisioning and JSON logs at info (the audit lines). */
const service = Effect.gen(function*() {
  const dir = yield* Effect.acquireRelease(
    Effect.promise(() => mkdtemp(join(tmpdir(), "baton-http-concurrent-"))),
    (path) => Effect.promise(() => rm(path, { recursive: true, force: true }))
  )
  return yield* sandboxServiceOver(dir, Token, ["--provisioning", "--log-format", "json", "--log-level", "info"])
})

const send = (running: RunningService, method: "POST" | "DELETE", path: string, body?: unknown) =>
  Effect.map(sendIdentified(running, method, path, body), ({ body, status }): Answer => ({ status, body }))

const sendIdentified = (running: RunningService, method: "POST" | "DELETE", path: string, body?: unknown) =>
  Effect.promise(async (): Promise<IdentifiedAnswer> => {
    const response = await fetch(`${running.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${Token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
    return {
      status: response.status,
      body: (await response.json()) as Record<string, unknown>,
      requestId: response.headers.get("x-request-id") ?? ""
    }
  })

const grantBody = (entitlementId: string, userId: string) => ({ entitlement_id: entitlementId, principal: { type: "user", id: userId } })

const grant = (running: RunningService, entitlementId: string, userId: string) =>
  send(running, "POST", "/v1/grants", grantBody(entitlementId, userId))

const grantIdentified = (running: RunningService, entitlementId: string, userId: string) =>
  sendIdentified(running, "POST", "/v1/grants", grantBody(entitlementId, userId))

const revoke = (running: RunningService, grantId: string) => send(running, "DELETE", `/v1/grants/${encodeURIComponent(grantId)}`)

/** The service's `baton_provisioning_actions_total` samples that are not 0, as written. */
const actionCounts = (running: RunningService) =>
  Effect.promise(async () => {
    const response = await fetch(`${running.url}/metrics`, { headers: { authorization: `Bearer ${Token}` } })
    return (await response.text()).split("\n").filter((line) =>
      line.startsWith("baton_provisioning_actions_total{") && !line.endsWith(" 0")
    )
      .sort()
  })

/**
 * The service's audit lines, as `action outcome principal_id` (`resource_id` for a deletion), sorted,
 * once there are `count`: they are written before the answers, but its stderr reaches the test on
 * a pipe of its own, which may deliver them after the answers.
 */
const auditLines = (running: RunningService, count: number) =>
  Effect.map(
    auditRecords(running, count),
    (records) =>
      records.map((line) => `${String(line["action"])} ${String(line["outcome"])} ${String(line["principal_id"] ?? line["resource_id"])}`)
        .sort()
  )

/** The service's audit lines as written, once there are `count` (auditLines). */
const auditRecords = (running: RunningService, count: number) =>
  Effect.map(
    running.stderr,
    (stderr) =>
      stderr.split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((line) => line["msg"] === "provisioning action")
  ).pipe(
    Effect.filterOrFail((lines) => lines.length >= count),
    Effect.retry(Schedule.spaced("50 millis")),
    Effect.timeout("10 seconds"),
    Effect.orDie
  )

const withSandbox = <A, E>(test: Effect.Effect<A, E, Sandbox | Scope.Scope>) =>
  Effect.provide(Effect.scoped(test), Sandbox.layer({ snapshot: account, port: 0 }))

describe("provisioning requests at once (the service process)", () => {
  it.live("8 identical grants: one write; each caller is told granted or already exists, as counted, and each request audited", () =>
    withSandbox(Effect.gen(function*() {
      const running = yield* service
      const sandbox = yield* Sandbox
      yield* sandbox.clearRequestLog
      const answers = yield* Effect.all(
        Array.from({ length: 8 }, () => grantIdentified(running, "group:g_main:Edit Destination", "ben")),
        { concurrency: "unbounded" }
      )
      const granted = answers.filter((answer) => answer.status === 201)
      const already = answers.filter((answer) => answer.status === 200)
      assert.strictEqual(granted.length + already.length, 8)
      assert.isAtLeast(granted.length, 1)
      for (const answer of granted) assert.strictEqual(answer.body["message"], "granted group:g_main:Edit Destination to user:ben")
      for (const answer of already) {
        assert.strictEqual(answer.body["message"], "already exists: user:ben already holds group:g_main:Edit Destination")
      }
      // Identical requests in flight share one call (SingleFlight.ts): one write, and one grant counted.
      assert.deepStrictEqual(yield* sortedWrites, ["POST /v1/users/ben/groups 201"])
      // A request arriving once that call ended makes its own, which finds the grant: already exists.
      const counts = yield* actionCounts(running)
      const later = counts.length === 1 ? 0 : Number(counts[0]!.split(" ")[1])
      assert.deepStrictEqual(counts, [
        ...(later === 0 ? [] : [`baton_provisioning_actions_total{action="grant",outcome="already_exists"} ${later}`]),
        "baton_provisioning_actions_total{action=\"grant\",outcome=\"granted\"} 1"
      ])
      assert.isAtMost(later, already.length)
      // Each answer names its own request (a request that joined another's call once took that one's id).
      assert.strictEqual(new Set(answers.map((answer) => answer.requestId)).size, 8)
      // Every request leaves its own audit line with the outcome it was answered; one that joined a
      // call in flight names that call's request in shared_request_id, the call's own line names none.
      const records = yield* auditRecords(running, 8)
      const outcome = (answer: IdentifiedAnswer) => answer.status === 201 ? "granted" : "already_exists"
      assert.deepStrictEqual(
        records.map((line) => `${String(line["request_id"])} ${String(line["outcome"])}`).sort(),
        answers.map((answer) => `${answer.requestId} ${outcome(answer)}`).sort()
      )
      for (const line of records) {
        assert.deepStrictEqual(
          [line["action"], line["entitlement_id"], line["principal_type"], line["principal_id"]],
          ["grant", "group:g_main:Edit Destination", "user", "ben"]
        )
        assert.match(String(line["caller"]), /^token:[0-9a-f]{12}$/)
      }
      const calls = records.filter((line) => line["shared_request_id"] === undefined)
      assert.deepStrictEqual(calls.map((line) => line["outcome"]).sort(), [
        ...Array.from({ length: later }, () => "already_exists"),
        "granted"
      ])
      const joined = records.filter((line) => line["shared_request_id"] !== undefined)
      assert.strictEqual(joined.length, 8 - calls.length)
      for (const line of joined) {
        const call = calls.find((candidate) => candidate["request_id"] === line["shared_request_id"])
        assert.strictEqual(call?.["outcome"], line["outcome"])
      }
      assert.strictEqual(joined.filter((line) => line["outcome"] === "granted").length, granted.length - 1)
    })))

  it.live("a revoke and a grant of the same team membership take turns: the grant is not undone", () =>
    withSandbox(Effect.gen(function*() {
      const running = yield* service
      const sandbox = yield* Sandbox
      // The revoke's DELETE waits for the grant's PATCH, or until the grant has had its chance: the
      // grant waits for the revoke instead of changing the membership under it.
      const deleteArrived = yield* heldForRival("DELETE /v1/teams/t_eng/users/cy", "PATCH /v1/teams/t_eng/users/cy")
      yield* sandbox.clearRequestLog
      const revoking = yield* Effect.fork(revoke(running, "team:t_eng:Team Member:user:cy"))
      yield* deleteArrived
      const granted = yield* grant(running, "team:t_eng:Team Manager", "cy")
      const revoked = yield* revoking.await.pipe(Effect.flatten)
      assert.deepStrictEqual(revoked, {
        status: 200,
        body: {
          grant_id: "team:t_eng:Team Member:user:cy",
          status: "revoked",
          message:
            "revoked team:t_eng:Team Member:user:cy, and with it team:t_eng:member:user:cy (one membership in Fivetran, removed whole)",
          also_revoked: ["team:t_eng:member:user:cy"]
        }
      })
      assert.deepStrictEqual([granted.status, granted.body["status"], granted.body["message"]], [
        201,
        "granted",
        "granted team:t_eng:Team Manager to user:cy"
      ])
      assert.deepStrictEqual(yield* sortedWrites, ["DELETE /v1/teams/t_eng/users/cy 200", "POST /v1/teams/t_eng/users 201"])
      assert.deepStrictEqual(
        (yield* sandbox.snapshot).team_users.filter((row) => row.user_id === "cy").map((row) => [row.team_id, row.role]),
        [["t_eng", "Team Manager"]]
      )
      assert.deepStrictEqual(yield* auditLines(running, 2), ["grant granted cy", "revoke revoked cy"])
      assert.deepStrictEqual(yield* actionCounts(running), [
        "baton_provisioning_actions_total{action=\"grant\",outcome=\"granted\"} 1",
        "baton_provisioning_actions_total{action=\"revoke\",outcome=\"revoked\"} 1"
      ])
    })))

  it.live("4 invitations of one email, cased differently: one created, three already exists, all naming that user", () =>
    withSandbox(Effect.gen(function*() {
      const running = yield* service
      const sandbox = yield* Sandbox
      yield* allArrived(["POST /v1/users"], 4)
      yield* sandbox.clearRequestLog
      const answers = yield* Effect.all(
        ["zoe@example.com", "Zoe@example.com", "ZOE@example.com", "zoe@EXAMPLE.com"].map((email) =>
          send(running, "POST", "/v1/accounts", { email, given_name: "Zoe", family_name: "Quinn" })
        ),
        { concurrency: "unbounded" }
      )
      const zoe = (yield* sandbox.snapshot).users.filter((user) => user.email.toLowerCase() === "zoe@example.com")
      assert.strictEqual(zoe.length, 1)
      assert.deepStrictEqual(
        answers.map((answer) => `${answer.status} ${String(answer.body["status"])}`).sort(),
        ["200 already_exists", "200 already_exists", "200 already_exists", "201 created"]
      )
      assert.deepStrictEqual(
        new Set(answers.map((answer) => (answer.body["resource"] as { id: { resource: string } }).id.resource)),
        new Set([zoe[0]!.id])
      )
      assert.deepStrictEqual(yield* sortedWrites, ["POST /v1/users 201", "POST /v1/users 409", "POST /v1/users 409", "POST /v1/users 409"])
      const id = zoe[0]!.id
      assert.deepStrictEqual(yield* auditLines(running, 4), [
        `create_account already_exists ${id}`,
        `create_account already_exists ${id}`,
        `create_account already_exists ${id}`,
        `create_account created ${id}`
      ])
      assert.deepStrictEqual(yield* actionCounts(running), [
        "baton_provisioning_actions_total{action=\"create_account\",outcome=\"already_exists\"} 3",
        "baton_provisioning_actions_total{action=\"create_account\",outcome=\"created\"} 1"
      ])
    })))

  it.live("a grant to a user deleted meanwhile: 404 UnknownPrincipal, the deletion 200, and the user stays gone", () =>
    withSandbox(Effect.gen(function*() {
      const running = yield* service
      const sandbox = yield* Sandbox
      const deletionAnswered = yield* Deferred.make<void>()
      // The grant has read the user and its memberships; its POST waits for the deletion's answer.
      yield* overtaken("POST /v1/users/ben/groups", "DELETE /v1/users/ben", deletionAnswered)
      yield* sandbox.clearRequestLog
      const [granted, deleted] = yield* Effect.all([
        grant(running, "group:g_side:View Destination", "ben"),
        Effect.ensuring(send(running, "DELETE", "/v1/resources/user/ben"), Deferred.succeed(deletionAnswered, undefined))
      ], { concurrency: "unbounded" })
      assert.deepStrictEqual(granted, { status: 404, body: { error: "UnknownPrincipal", message: "user ben does not exist" } })
      assert.deepStrictEqual(deleted, {
        status: 200,
        body: { resource: { resourceType: "user", resource: "ben" }, status: "deleted", message: "deleted user:ben" }
      })
      assert.deepStrictEqual(yield* sortedWrites, ["DELETE /v1/users/ben 200", "POST /v1/users/ben/groups 404"])
      assert.isFalse((yield* sandbox.snapshot).users.some((user) => user.id === "ben"))
      assert.deepStrictEqual(yield* auditLines(running, 2), ["delete_resource deleted ben", "grant unknown_principal ben"])
      assert.deepStrictEqual(yield* actionCounts(running), [
        "baton_provisioning_actions_total{action=\"delete_resource\",outcome=\"deleted\"} 1",
        "baton_provisioning_actions_total{action=\"grant\",outcome=\"unknown_principal\"} 1"
      ])
    })))
})
