import { generatePreset } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schedule } from "effect"
import { otlpReceiver } from "../../../packages/connector-core/test/support/OtlpReceiver.js"
import { exportedSpans } from "./ExportedSpans.js"
import { runServiceOnce } from "./ServiceProcess.js"

/**
 * Which token made a request, in the bundled service's lines: each request's log lines (its
 * `http request` line, the provisioning audit line, a sync it started) and its server span
 * (`http.caller`) carry `caller`, the token's fingerprint (`printf %s "$TOKEN" | sha256sum | cut
 * -c1-12`), never the token. Before, an audit line named the request id alone.
 */

const FirstToken = "first-full-token-of-the-caller-test"
const SecondToken = "second-full-token-of-the-caller-test"
const ReadToken = "read-token-of-the-caller-test"
// `printf %s <token> | sha256sum | cut -c1-12` of each.
const FirstCaller = "token:542813522af8"
const SecondCaller = "token:2c9535336cdc"
const ReadCaller = "read-token:f3f657650ace"

interface Answer {
  readonly status: number
  readonly text: string
  readonly headers: string
}

const call = (url: string, method: string, path: string, requestId: string, token?: string, body?: unknown) =>
  Effect.promise(async (): Promise<Answer> => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        "x-request-id": requestId,
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { "content-type": "application/json" })
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
    return { status: response.status, text: await response.text(), headers: JSON.stringify([...response.headers]) }
  })

type Fields = Record<string, unknown>

describe("the caller of a request (the service process)", () => {
  it.scopedLive(
    "each token's requests, grants and sync name its fingerprint, and no line, span, answer or header holds a token",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-http-caller-" })
        const collector = yield* otlpReceiver(() => 200)
        const snapshot = generatePreset("small")
        const team = snapshot.teams[0]!.id
        const [first, second] = snapshot.users.filter((u) =>
          !snapshot.team_users.some((row) => row.team_id === team && row.user_id === u.id)
        )
        const answers: Array<readonly [string, Answer]> = []
        const run = yield* runServiceOnce(
          ["--sandbox", "--port", "0", "--provisioning", "--log-format", "json"],
          {
            cwd: dir,
            env: {
              BATON_HTTP_TOKENS: `${FirstToken},${SecondToken}`,
              BATON_HTTP_READ_TOKENS: ReadToken,
              OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
              OTEL_EXPORTER_OTLP_PROTOCOL: "http/json"
            }
          },
          (url) =>
            Effect.gen(function*() {
              const send = (id: string, method: string, path: string, token?: string, body?: unknown) =>
                Effect.tap(call(url, method, path, id, token, body), (answer) => answers.push([id, answer]))
              const started = JSON.parse((yield* send("sync-by-first", "POST", "/v1/syncs", FirstToken)).text) as { id: string }
              yield* send("poll-by-reader", "GET", `/v1/syncs/${started.id}`, ReadToken).pipe(
                Effect.map((answer) => (JSON.parse(answer.text) as { status: string }).status),
                Effect.repeat({ schedule: Schedule.spaced("100 millis"), until: (status) => status !== "running" && status !== "queued" }),
                Effect.timeout("60 seconds"),
                Effect.orDie
              )
              const grant = (user: string) => ({ entitlement_id: `team:${team}:member`, principal: { type: "user", id: user } })
              yield* send("grant-by-first", "POST", "/v1/grants", FirstToken, grant(first!.id))
              yield* send("grant-by-second", "POST", "/v1/grants", SecondToken, grant(second!.id))
              yield* send("write-by-reader", "POST", "/v1/grants", ReadToken, grant(first!.id))
              yield* send("search-by-reader", "GET", "/v1/principals?limit=5", ReadToken)
              yield* send("anonymous", "GET", "/v1/syncs")
            })
        )
        assert.strictEqual(run.code, 0, run.stderr)
        assert.deepStrictEqual(answers.filter(([id]) => id !== "poll-by-reader").map(([id, answer]) => [id, answer.status]), [
          ["sync-by-first", 202],
          ["grant-by-first", 201],
          ["grant-by-second", 201],
          ["write-by-reader", 403],
          ["search-by-reader", 200],
          ["anonymous", 401]
        ])
        const lines = run.stderr.split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as Fields)
        assert.deepStrictEqual(
          lines.filter((line) => line["msg"] === "provisioning action").map((
            line
          ) => [line["request_id"], line["caller"], line["principal_id"], line["outcome"]]),
          [
            ["grant-by-first", FirstCaller, first!.id, "granted"],
            ["grant-by-second", SecondCaller, second!.id, "granted"]
          ]
        )
        assert.deepStrictEqual(
          [...new Set(lines.filter((line) => line["msg"] === "http request").map((line) => `${line["request_id"]} ${line["caller"]}`))],
          [
            `sync-by-first ${FirstCaller}`,
            `poll-by-reader ${ReadCaller}`,
            `grant-by-first ${FirstCaller}`,
            `grant-by-second ${SecondCaller}`,
            `write-by-reader ${ReadCaller}`,
            `search-by-reader ${ReadCaller}`,
            "anonymous undefined"
          ]
        )
        // The sync's own lines, written after its POST was answered, name who started it.
        const wrote = lines.filter((line) => line["msg"] === "wrote the sync file")
        assert.deepStrictEqual(wrote.map((line) => [line["request_id"], line["caller"], line["job"]]), [
          ["sync-by-first", FirstCaller, JSON.parse(answers[0]![1].text).id]
        ])
        const spans = exportedSpans(collector.received.filter((request) => request.path === "/v1/traces").map((request) => request.body))
        assert.deepStrictEqual(
          spans.filter((span) => ["POST /v1/grants", "GET /v1/principals", "GET /v1/syncs"].includes(String(span.name)))
            .map(({ attributes }) => [attributes["http.request_id"], attributes["http.caller"]]),
          [
            ["grant-by-first", FirstCaller],
            ["grant-by-second", SecondCaller],
            ["write-by-reader", ReadCaller],
            ["search-by-reader", ReadCaller],
            ["anonymous", undefined]
          ]
        )
        const everything = [
          run.stdout,
          run.stderr,
          ...collector.received.map((request) => request.body),
          ...answers.flatMap(([, answer]) => [answer.text, answer.headers])
        ].join("\n")
        for (const token of [FirstToken, SecondToken, ReadToken]) assert.notInclude(everything, token)
      }).pipe(Effect.provide(NodeContext.layer)),
    180_000
  )
})
