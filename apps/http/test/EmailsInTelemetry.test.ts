import { generatePreset } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { otlpReceiver } from "../../../packages/connector-core/test/support/OtlpReceiver.js"
import { exportedSpans } from "./ExportedSpans.js"
import { logFields } from "./Harness.js"
import { exchange } from "./RawExchange.js"
import { runServiceOnce } from "./ServiceProcess.js"

/**
 * An email a caller sends (an invitation's, one given where an id belongs) is quoted back in the
 * answer to that caller, but neither the bundled service's log lines (at debug) nor what it exports
 * over OTLP hold it: the audit line names the user found, or `<email>`, and a span's error message
 * and `url.path` say `<email>`, as does the `path` of the line of a request Node refused (431).
 * Before, the audit line's `principal_id` and `resource_id` were the email as sent, the spans'
 * exception messages and paths quoted every one, and so did the refused request's `path`.
 */

const Token = "token-of-the-emails-in-telemetry-test"

const account = generatePreset("small")
const roleHolder = account.users.find((user) => user.email !== null && user.role !== null && user.role !== "Account Analyst")!
const invitee = "first.invitee@example.org"
const emails = [roleHolder.email!, invitee]

const call = (url: string, method: "GET" | "POST" | "DELETE", path: string, body?: unknown) =>
  Effect.promise(() =>
    fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${Token}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    }).then(async (answer) => ({ status: answer.status, body: (await answer.json()) as Record<string, unknown> }))
  )

describe("emails sent to the service (the service process, OTLP on)", () => {
  it.scopedLive(
    "are quoted in the caller's answers only: not in a log line, a span or an exported log record",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-http-emails-" })
        const collector = yield* otlpReceiver(() => 200)
        const answers: Array<{ readonly status: number; readonly body: Record<string, unknown> }> = []
        const run = yield* runServiceOnce(
          ["--sandbox", "--provisioning", "--port", "0", "--log-format", "json", "--log-level", "debug"],
          {
            cwd: dir,
            env: { BATON_HTTP_TOKENS: Token, OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" }
          },
          (url) =>
            Effect.gen(function*() {
              const profile = { given_name: "Ada", family_name: "Lovelace" }
              answers.push(yield* call(url, "POST", "/v1/accounts", { email: roleHolder.email, ...profile, role: "Account Analyst" }))
              answers.push(yield* call(url, "POST", "/v1/accounts", { email: invitee, ...profile, role: "Account Reveiwer" }))
              answers.push(
                yield* call(url, "POST", "/v1/grants", {
                  entitlement_id: "role:Account Analyst:assigned",
                  principal: { type: "user", id: roleHolder.email }
                })
              )
              answers.push(yield* call(url, "DELETE", `/v1/resources/user/${roleHolder.email}`))
              // A head over 16 KiB, which Node answers 431 before any route reads it.
              const filler = `X-Filler: ${"a".repeat(17 * 1024)}\r\n`
              yield* Effect.orDie(exchange(
                Number(new URL(url).port),
                `GET /v1/resources/user/${roleHolder.email} HTTP/1.1\r\nHost: 127.0.0.1\r\n${filler}\r\n`
              ))
            })
        )
        assert.strictEqual(run.code, 0, run.stderr)
        const refusedId = `invalid user id "${roleHolder.email}": it is an email address, not a Fivetran id (such as nozzle_eat); ` +
          "give the user's id, which the sync's resources list (a user's beside its email)"
        assert.deepStrictEqual(answers.map(({ body, status }) => [status, body["error"], body["message"]]), [
          [
            409,
            "Conflict",
            `cannot create an account for ${roleHolder.email}: it already exists (user:${roleHolder.id}) with the role ` +
            `${roleHolder.role}, not Account Analyst; grant role:Account Analyst:assigned to change it`
          ],
          [
            422,
            "UnknownRole",
            `role of the new account ${invitee}: "Account Reveiwer" is not a role of this account; did you mean "Account Reviewer"?; ` +
            `valid ACCOUNT roles: "Account Administrator", "Account Billing", "Account Analyst", "Account Reviewer", ` +
            `"Destination Creator", "Security Auditor"`
          ],
          [400, "InvalidId", refusedId],
          [400, "InvalidId", refusedId]
        ])
        const lines = run.stderr.split("\n").filter((line) => line.startsWith("{"))
        assert.deepStrictEqual(
          lines.map(logFields).filter((line) => line["msg"] === "provisioning action").map((
            { caller: _caller, request_id: _id, ...line }
          ) => line),
          [
            {
              level: "info",
              msg: "provisioning action",
              action: "create_account",
              role: "Account Analyst",
              principal_type: "user",
              principal_id: roleHolder.id,
              outcome: "conflict"
            },
            { level: "info", msg: "provisioning action", action: "create_account", role: "Account Reveiwer", outcome: "unknown_role" },
            {
              level: "info",
              msg: "provisioning action",
              action: "grant",
              entitlement_id: "role:Account Analyst:assigned",
              principal_type: "user",
              principal_id: "<email>",
              outcome: "invalid_id"
            },
            {
              level: "info",
              msg: "provisioning action",
              action: "delete_resource",
              resource_type: "user",
              resource_id: "<email>",
              outcome: "invalid_id"
            }
          ]
        )
        assert.deepStrictEqual(
          lines.map(logFields).filter((line) => line["status"] === 431).map(({ path, route }) => ({ route, path })),
          [{ route: "/v1/resources/:type/:id", path: "/v1/resources/user/<email>" }]
        )
        const bodiesTo = (path: string) => collector.received.filter((request) => request.path === path).map((request) => request.body)
        const exported = [...bodiesTo("/v1/traces"), ...bodiesTo("/v1/logs")]
        const deleteSpans = exportedSpans(bodiesTo("/v1/traces")).filter((span) => span.name === "DELETE /v1/resources/:type/:id")
        assert.deepStrictEqual(deleteSpans.map((span) => span.attributes["url.path"]), ["/v1/resources/user/<email>"])
        // The errors' texts did reach the spans and log records, with the ids they name.
        assert.include(exported.join("\n"), `cannot create an account for <email>: it already exists (user:${roleHolder.id})`)
        for (const email of emails) {
          assert.deepStrictEqual(lines.filter((line) => line.includes(email)), [], email)
          assert.notInclude(exported.join("\n"), email)
        }
      }).pipe(Effect.provide(NodeContext.layer)),
    180_000
  )
})
