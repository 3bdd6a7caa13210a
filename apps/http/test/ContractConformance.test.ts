import { Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it, layer } from "@effect/vitest"
import { Effect, Fiber, Schedule } from "effect"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { awaitJob, awaitStatus, harness, Harness, OtherToken, TestToken } from "./Harness.js"
import { exchange } from "./RawExchange.js"
import {
  type Answer,
  makeServedContract,
  type OpenApiDocument,
  parseAnswer,
  type ServedContract,
  servedContract
} from "./ServedContract.js"
import { sandboxServiceArgs, serviceProcessOver } from "./ServiceProcess.js"
import { deleted, groupGrant, member, membership, small, team } from "./ConformanceAccount.js"

/**
 * Every operation of the served /openapi.json driven through the real service, with good and bad
 * input, as a client generated from the document meets it: each answer must have the exact status
 * expected, and that status, its required headers, its content type and its body must be what the
 * document declares for the operation (ServedContract.ts: ajv's 2020-12 validator against the
 * document's own schemas). Requests no HTTP client sends (no Host, a foreign Host, an oversized
 * head, oversized chunk extensions) go over a raw socket.
 */

interface Checked {
  readonly label: string
  readonly expected: number
  readonly status: number
  readonly problems: ReadonlyArray<string>
}

type Method = "GET" | "POST" | "DELETE"

interface Sent {
  readonly token?: string | undefined
  readonly body?: unknown
  readonly headers?: Record<string, string>
}

/** Sends one request, checks its answer against the served document and records both. */
const exchanger =
  (contract: ServedContract, checked: Array<Checked>) =>
  (label: string, method: Method, path: string, expected: number, sent: Sent = { token: TestToken }) =>
    Effect.gen(function*() {
      const { request } = yield* Harness
      const response = yield* request(method, path, sent)
      const answer: Answer = { status: response.status, headers: response.headers, body: yield* Effect.orDie(response.text) }
      checked.push({
        label,
        expected,
        status: answer.status,
        problems: [...contract.problems(method, path, answer), ...bodyProblems(contract, method, path, sent.body, answer)]
      })
      return answer
    })

/**
 * A JSON object body the service refused as malformed (400 InvalidRequest naming a field of it)
 * must be one the document's request schema refuses, and one it took must be one the schema takes.
 */
const bodyProblems = (contract: ServedContract, method: Method, path: string, body: unknown, answer: Answer) => {
  if (typeof body !== "object" || body === null || method === "GET") return []
  const refusedByDocument = contract.requestProblems(method, path, body)
  const error = answer.status === 400 ? JSON.parse(answer.body) as { readonly error: string; readonly field?: string } : undefined
  const refusedByService = error?.error === "InvalidRequest" && error.field !== undefined && error.field !== "body"
  if (refusedByService && refusedByDocument.length === 0) {
    return [`the document's request schema takes the body the service refused: ${answer.body}`]
  }
  if (answer.status < 300 && refusedByDocument.length > 0) {
    return [`the document's request schema refuses the body the service took: ${refusedByDocument.join("; ")}`]
  }
  return []
}

/** A request written on a socket as is, checked as answering `method path`. */
const rawExchanger =
  (contract: ServedContract, checked: Array<Checked>) => (label: string, method: Method, path: string, expected: number, raw: string) =>
    Effect.gen(function*() {
      const { baseUrl } = yield* Harness
      const answer = parseAnswer(yield* exchange(Number(new URL(baseUrl).port), raw))
      checked.push({ label, expected, status: answer.status, problems: contract.problems(method, path, answer) })
    })

const json = (answer: Answer) => JSON.parse(answer.body) as Record<string, unknown>

const assertConforms = (checked: ReadonlyArray<Checked>) => {
  assert.deepStrictEqual(checked.map(({ label, status }) => [label, status]), checked.map(({ expected, label }) => [label, expected]))
  assert.deepStrictEqual(checked.flatMap(({ label, problems }) => problems.map((problem) => `${label}: ${problem}`)), [])
}

const tempDir = mkdtempSync(join(tmpdir(), "baton-http-contract-tmp-"))

layer(harness({ provisioning: true, snapshot: small, tempDir, maxAttempts: 3 }), { excludeTestServices: true, timeout: 120_000 })(
  "every answer of every operation, against the schemas the served OpenAPI document publishes",
  (it) => {
    it.effect("health, jobs, queries, review, provisioning and the refusals before any route", () =>
      Effect.gen(function*() {
        const { sandbox } = yield* Harness
        const contract = yield* servedContract
        // Those the service sends on every answer that declares them (Retry-After only on some 429s and 503s).
        assert.deepStrictEqual(contract.requiredHeaders, [
          "X-Request-Id",
          "WWW-Authenticate",
          "ETag",
          "Last-Modified",
          "Content-Disposition"
        ])
        const checked: Array<Checked> = []
        const send = exchanger(contract, checked)
        const raw = rawExchanger(contract, checked)
        const none = { token: undefined }

        yield* send("healthz", "GET", "/healthz", 200, none)
        yield* send("readyz", "GET", "/readyz", 200, none)
        yield* send("readyz, with a token", "GET", "/readyz", 200)
        yield* send("capabilities", "GET", "/v1/capabilities", 200)
        yield* send("capabilities, second token", "GET", "/v1/capabilities", 200, { token: OtherToken })
        yield* send("capabilities, no token", "GET", "/v1/capabilities", 401, none)
        yield* send("capabilities, wrong token", "GET", "/v1/capabilities", 401, { token: "not-a-token" })
        yield* send("capabilities, a query parameter", "GET", "/v1/capabilities?verbose=1", 400)
        yield* send("jobs, none yet", "GET", "/v1/syncs", 200)
        yield* send("jobs, a query parameter", "GET", "/v1/syncs?status=failed", 400)
        yield* send("schedule, none", "GET", "/v1/schedule", 200)
        yield* send("resources before a sync", "GET", "/v1/resources", 404)
        yield* send("entitlements before a sync", "GET", "/v1/entitlements", 404)
        yield* send("grants before a sync", "GET", "/v1/grants", 404)
        yield* send("access before a sync", "GET", `/v1/principals/user/${member.id}/access`, 404)
        yield* send("search before a sync", "GET", "/v1/principals", 404)
        yield* send("account roles before a sync", "GET", "/v1/account-roles", 404)
        yield* send("export before a sync", "GET", "/v1/export", 404)

        const started = json(yield* send("start", "POST", "/v1/syncs", 202))
        const id = String(started.id)
        yield* send("start while running", "POST", "/v1/syncs", 409)
        yield* send("start with a text body", "POST", "/v1/syncs", 415, {
          token: TestToken,
          body: "now",
          headers: { "content-type": "text/plain" }
        })
        yield* send("start with a body field", "POST", "/v1/syncs", 400, { token: TestToken, body: { dry_run: true } })
        yield* send("start, no token", "POST", "/v1/syncs", 401, none)
        yield* send("job", "GET", `/v1/syncs/${id}`, 200)
        yield* awaitJob(id)
        yield* send("job, finished", "GET", `/v1/syncs/${id}`, 200)
        yield* send("job, unknown", "GET", "/v1/syncs/20260101T000000Z-0000", 404)
        yield* send("job, malformed id", "GET", "/v1/syncs/not!an-id", 400)
        yield* send("jobs", "GET", "/v1/syncs", 200)
        yield* send("schedule, after a sync", "GET", "/v1/schedule", 200)
        yield* send("cancel a finished job", "POST", `/v1/syncs/${id}/cancel`, 200)
        yield* send("cancel an unknown job", "POST", "/v1/syncs/20260101T000000Z-0000/cancel", 404)
        const file = yield* send("file", "GET", `/v1/syncs/${id}/file`, 200)
        yield* send("file, If-None-Match", "GET", `/v1/syncs/${id}/file`, 304, {
          token: TestToken,
          headers: { "if-none-match": file.headers.etag! }
        })
        yield* send("file, If-Modified-Since", "GET", `/v1/syncs/${id}/file`, 304, {
          token: TestToken,
          headers: { "if-modified-since": file.headers["last-modified"]! }
        })
        yield* send("file of an unknown job", "GET", "/v1/syncs/20260101T000000Z-0000/file", 404)

        yield* send("resources", "GET", "/v1/resources?page_size=3", 200)
        yield* send("resources of a type", "GET", "/v1/resources?type=user&page_size=2", 200)
        yield* send("resources in a group", "GET", `/v1/resources?parent=group:${membership.group_id}`, 200)
        yield* send("resources, unknown type", "GET", "/v1/resources?type=robot", 400)
        yield* send("resources, page_size 0", "GET", "/v1/resources?page_size=0", 400)
        yield* send("resources, page_size twice", "GET", "/v1/resources?page_size=1&page_size=2", 400)
        yield* send("resources, a token not issued", "GET", "/v1/resources?page_token=forged", 400)
        yield* send("resources, unknown parent", "GET", "/v1/resources?parent=group:nosuch", 404)
        yield* send("entitlements", "GET", "/v1/entitlements?page_size=3", 200)
        yield* send("entitlements of a team", "GET", `/v1/entitlements?resource=team:${team.id}`, 200)
        yield* send("entitlements, unknown resource", "GET", "/v1/entitlements?resource=user:nosuch", 404)
        yield* send("entitlements, malformed resource", "GET", "/v1/entitlements?resource=nocolon", 400)
        yield* send("grants", "GET", "/v1/grants?page_size=3", 200)
        yield* send("grants of a principal", "GET", `/v1/grants?principal=user:${membership.user_id}`, 200)
        yield* send("grants, malformed principal", "GET", "/v1/grants?principal=robot", 400)
        yield* send("grants, unknown entitlement", "GET", "/v1/grants?entitlement=team:nosuch:member", 404)
        yield* send("access of a user", "GET", `/v1/principals/user/${membership.user_id}/access`, 200)
        yield* send("access of a team", "GET", `/v1/principals/team/${team.id}/access`, 200)
        yield* send("access of a group", "GET", `/v1/principals/group/${membership.group_id}/access`, 400)
        yield* send("access of an unknown user", "GET", "/v1/principals/user/nosuch/access", 404)
        yield* send("search", "GET", "/v1/principals?q=a&limit=3", 200)
        yield* send("search, limit 0", "GET", "/v1/principals?limit=0", 400)
        yield* send("account roles", "GET", "/v1/account-roles", 200)
        yield* send("export, csv", "GET", "/v1/export", 200)
        yield* send("export, jsonl", "GET", "/v1/export?format=jsonl", 200)
        yield* send("export, unknown format", "GET", "/v1/export?format=xml", 400)
        yield* send("export, unknown principal", "GET", "/v1/export?principal=user:nosuch", 404)
        yield* send("diff with itself", "GET", `/v1/syncs/${id}/diff?base=${id}`, 200)
        yield* send("diff without base", "GET", `/v1/syncs/${id}/diff`, 400)
        yield* send("diff with an unknown base", "GET", `/v1/syncs/${id}/diff?base=20260101T000000Z-0000`, 404)

        const grant = { entitlement_id: `team:${team.id}:member`, principal: { type: "user", id: member.id } }
        const granted = json(yield* send("grant", "POST", "/v1/grants", 201, { token: TestToken, body: grant }))
        yield* send("grant again", "POST", "/v1/grants", 200, { token: TestToken, body: grant })
        yield* send("grant to an unknown user", "POST", "/v1/grants", 404, {
          token: TestToken,
          body: { ...grant, principal: { type: "user", id: "nosuch" } }
        })
        yield* send("grant an unknown entitlement", "POST", "/v1/grants", 404, {
          token: TestToken,
          body: { ...grant, entitlement_id: "team:nosuch:member" }
        })
        yield* send("grant a malformed entitlement", "POST", "/v1/grants", 400, {
          token: TestToken,
          body: { ...grant, entitlement_id: "nocolon" }
        })
        yield* send("grant a membership to a team", "POST", "/v1/grants", 422, {
          token: TestToken,
          body: { ...grant, principal: { type: "team", id: team.id } }
        })
        yield* send("grant without entitlement", "POST", "/v1/grants", 400, { token: TestToken, body: { principal: grant.principal } })
        yield* send("grant, body not JSON", "POST", "/v1/grants", 400, { token: TestToken, body: "{" })
        yield* send("grant, text body", "POST", "/v1/grants", 415, {
          token: TestToken,
          body: JSON.stringify(grant),
          headers: { "content-type": "text/plain" }
        })
        yield* send("grant, body over the limit", "POST", "/v1/grants", 413, {
          token: TestToken,
          body: { ...grant, entitlement_id: "x".repeat(100_000) }
        })
        yield* send("grant, no token", "POST", "/v1/grants", 401, { token: undefined, body: grant })
        const grantId = encodeURIComponent(String((granted.grants as Array<{ id: string }>)[0]!.id))
        yield* send("revoke", "DELETE", `/v1/grants/${grantId}`, 200)
        yield* send("revoke again", "DELETE", `/v1/grants/${grantId}`, 200)
        yield* send("revoke a malformed id", "DELETE", "/v1/grants/nocolon", 400)
        const account = { email: "contract.check@example.com", given_name: "Contract", family_name: "Check" }
        yield* send("create account", "POST", "/v1/accounts", 201, { token: TestToken, body: account })
        yield* send("create account again", "POST", "/v1/accounts", 200, { token: TestToken, body: account })
        yield* send("create account again, another role", "POST", "/v1/accounts", 409, {
          token: TestToken,
          body: { ...account, role: "Account Administrator" }
        })
        yield* send("create account, unknown role", "POST", "/v1/accounts", 422, {
          token: TestToken,
          body: { ...account, email: "other.check@example.com", role: "No Such Role" }
        })
        yield* send("create account, not an email", "POST", "/v1/accounts", 400, { token: TestToken, body: { ...account, email: "x" } })
        yield* send("create account, a blank name", "POST", "/v1/accounts", 400, {
          token: TestToken,
          body: { ...account, given_name: " " }
        })
        yield* send("create account, a padded role", "POST", "/v1/accounts", 400, {
          token: TestToken,
          body: { ...account, role: " Account Analyst" }
        })
        yield* send("create account, a blank phone", "POST", "/v1/accounts", 400, { token: TestToken, body: { ...account, phone: "" } })
        yield* send("delete user", "DELETE", `/v1/resources/user/${deleted.id}`, 200)
        yield* send("delete user again", "DELETE", `/v1/resources/user/${deleted.id}`, 200)
        yield* send("delete a team", "DELETE", `/v1/resources/team/${team.id}`, 422)
        yield* send("delete a padded id", "DELETE", "/v1/resources/user/%20x", 400)

        yield* sandbox.setFaults({ rateLimitBurst: { requests: 1, retryAfterSeconds: 600 } })
        yield* send("revoke held by the rate limit", "DELETE", `/v1/grants/${encodeURIComponent(groupGrant)}`, 429)
        // A sync held by the same answer waits, with its wait in the job.
        yield* sandbox.setFaults({ rateLimitBurst: { requests: 1, retryAfterSeconds: 600 } })
        const waiting = json(yield* send("start, to wait for the rate limit", "POST", "/v1/syncs", 202))
        yield* awaitStatus(String(waiting.id), (job) => job.status === "waiting_for_rate_limit")
        yield* send("job waiting for the rate limit", "GET", `/v1/syncs/${waiting.id}`, 200)
        yield* send("jobs, one waiting", "GET", "/v1/syncs", 200)
        yield* send("cancel a waiting job", "POST", `/v1/syncs/${waiting.id}/cancel`, 200)
        yield* awaitStatus(String(waiting.id), (job) => job.status === "cancelled")
        yield* send("job cancelled", "GET", `/v1/syncs/${waiting.id}`, 200)
        yield* send("file of a cancelled job", "GET", `/v1/syncs/${waiting.id}/file`, 404)
        yield* send("diff with a cancelled base", "GET", `/v1/syncs/${id}/diff?base=${waiting.id}`, 404)
        yield* sandbox.setFaults({ serverErrorShare: 1 })
        yield* send("delete while Fivetran fails", "DELETE", `/v1/resources/user/${membership.user_id}`, 502)
        yield* sandbox.setFaults({})

        const host = "Host: 127.0.0.1\r\n"
        const auth = `Authorization: Bearer ${TestToken}\r\n`
        yield* raw(
          "a foreign Host",
          "GET",
          "/v1/capabilities",
          421,
          `GET /v1/capabilities HTTP/1.1\r\nHost: attacker.example\r\n${auth}\r\n`
        )
        yield* raw("a probe, foreign Host", "GET", "/healthz", 421, "GET /healthz HTTP/1.1\r\nHost: attacker.example\r\n\r\n")
        yield* raw("no Host", "GET", "/v1/syncs", 400, `GET /v1/syncs HTTP/1.1\r\n${auth}\r\n`)
        yield* raw(
          "a head over 16 KiB",
          "GET",
          "/v1/syncs",
          431,
          `GET /v1/syncs HTTP/1.1\r\n${host}${auth}X-Padding: ${"p".repeat(20_000)}\r\n\r\n`
        )
        yield* raw(
          "chunk extensions over Node's limit",
          "POST",
          "/v1/grants",
          413,
          `POST /v1/grants HTTP/1.1\r\n${host}${auth}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n` +
            `2;${"e".repeat(20_000)}\r\n{}\r\n0\r\n\r\n`
        )

        // The working copies' directory replaced by a file: queries cannot read a new sync.
        const fs = yield* FileSystem.FileSystem
        yield* Effect.orDie(fs.remove(tempDir, { recursive: true }))
        yield* Effect.orDie(fs.writeFileString(tempDir, "in the way"))
        const next = yield* awaitJob(String(json(yield* send("start a second sync", "POST", "/v1/syncs", 202)).id))
        assert.strictEqual(next.status, "succeeded")
        yield* send("resources, no working copy", "GET", "/v1/resources?type=team", 503)
        yield* send("export, no working copy", "GET", "/v1/export", 503)
        yield* send("diff, no working copy", "GET", `/v1/syncs/${next.id}/diff?base=${id}`, 503)
        yield* Effect.orDie(fs.remove(tempDir))
        yield* Effect.orDie(fs.makeDirectory(tempDir))
        yield* send("resources, the directory back", "GET", "/v1/resources?type=team", 200)

        assertConforms(checked)
      }).pipe(Effect.ensuring(Effect.flatMap(FileSystem.FileSystem, (fs) => Effect.ignore(fs.remove(tempDir, { recursive: true }))))))
  }
)

layer(harness({ provisioning: false, badSecret: true, syncEveryMillis: 3_600_000 }), { excludeTestServices: true, timeout: 60_000 })(
  "the answers of a service without --provisioning, whose Fivetran key is refused, syncing every hour",
  (it) => {
    it.effect("403 ProvisioningDisabled on every write, 503 NotReady from /readyz, a failed job, the schedule", () =>
      Effect.gen(function*() {
        const contract = yield* servedContract
        const checked: Array<Checked> = []
        const send = exchanger(contract, checked)
        const grant = { entitlement_id: "team:t:member", principal: { type: "user", id: "u" } }
        yield* send("grant", "POST", "/v1/grants", 403, { token: TestToken, body: grant })
        yield* send("revoke", "DELETE", "/v1/grants/team%3At%3Amember%3Auser%3Au", 403)
        yield* send("create account", "POST", "/v1/accounts", 403, {
          token: TestToken,
          body: { email: "a@example.com", given_name: "A", family_name: "B" }
        })
        yield* send("delete user", "DELETE", "/v1/resources/user/u", 403)
        yield* send("readyz", "GET", "/readyz", 503, { token: undefined })
        yield* send("readyz, with a token", "GET", "/readyz", 503)
        yield* send("healthz", "GET", "/healthz", 200, { token: undefined })
        const jobs = json(yield* send("jobs", "GET", "/v1/syncs", 200)).items as ReadonlyArray<{ readonly id: string }>
        const failed = yield* awaitJob(jobs[0]!.id)
        assert.strictEqual(failed.status, "failed")
        yield* send("failed job", "GET", `/v1/syncs/${failed.id}`, 200)
        yield* send("file of a failed job", "GET", `/v1/syncs/${failed.id}/file`, 404)
        const schedule = json(yield* send("schedule", "GET", "/v1/schedule", 200))
        assert.deepStrictEqual([schedule.every_seconds, typeof schedule.next_run_at], [3_600, "string"])
        yield* send("resources, no sync succeeded", "GET", "/v1/resources", 404)
        assertConforms(checked)
      }))
  }
)

describe("the answer of a provisioning request the service's stop ends", () => {
  it.scopedLive("is the 503 ServiceStopping the document declares, with its headers", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox
      const token = "contract-conformance-stop-token"
      const dataDir = yield* Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped())
      const service = yield* serviceProcessOver(dataDir, [
        ...yield* sandboxServiceArgs(token),
        "--provisioning",
        "--max-provisioning-wait",
        "1h"
      ])
      const headers = { authorization: `Bearer ${token}` }
      const document = yield* Effect.promise(() =>
        fetch(`${service.url}/openapi.json`, { headers }).then((response) => response.json() as Promise<OpenApiDocument>)
      )
      const contract = makeServedContract(document)
      yield* sandbox.setFaults({ rateLimitBurst: { requests: 1, retryAfterSeconds: 600 } })
      const path = `/v1/grants/${encodeURIComponent(groupGrant)}`
      const revoke = yield* Effect.promise(() =>
        fetch(`${service.url}${path}`, { method: "DELETE", headers }).then(async (response): Promise<Answer> => ({
          status: response.status,
          headers: Object.fromEntries(response.headers),
          body: await response.text()
        }))
      ).pipe(Effect.fork)
      // The client logs each wait as it starts: the request is now held by the rate limit.
      yield* Effect.map(service.stderr, (stderr) => stderr.includes("before retrying")).pipe(
        Effect.repeat({ schedule: Schedule.spaced("50 millis"), until: (waiting) => waiting })
      )
      assert.strictEqual(yield* service.stop, 0)
      const answer = yield* Fiber.join(revoke)
      assert.deepStrictEqual([answer.status, answer.headers["retry-after"]], [503, "1"])
      assert.deepStrictEqual(contract.problems("DELETE", path, answer), [])
    }).pipe(Effect.provide(Sandbox.layer({ snapshot: small, port: 0 })), Effect.provide(NodeContext.layer)), 30_000)
})
