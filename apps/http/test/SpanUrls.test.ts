import { generatePreset } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { otlpReceiver } from "../../../packages/connector-core/test/support/OtlpReceiver.js"
import { exportedSpans } from "./ExportedSpans.js"
import { runServiceOnce } from "./ServiceProcess.js"

/**
 * A request's server span, exported by the bundled service, keeps its path and its query's
 * parameter names but not their values: a search for someone's email stays out of the trace
 * backend. Before, `url.full` and `url.query` held the query as sent.
 */

const Token = "token-of-the-span-url-test"

const search = (url: string, path: string, requestId: string) =>
  Effect.promise(() =>
    fetch(`${url}${path}`, { headers: { authorization: `Bearer ${Token}`, "x-request-id": requestId } }).then((answer) => answer.status)
  )

describe("a request's span (the service process)", () => {
  it.scopedLive(
    "url.full and url.query keep the query's parameter names, each value and any name that is not one REDACTED",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-http-span-urls-" })
        const collector = yield* otlpReceiver(() => 200)
        const [first, second] = generatePreset("small").users
        const statuses: Array<number> = []
        const run = yield* runServiceOnce(["--sandbox", "--port", "0", "--log-format", "json"], {
          cwd: dir,
          env: { BATON_HTTP_TOKENS: Token, OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" }
        }, (url) =>
          Effect.gen(function*() {
            statuses.push(yield* search(url, `/v1/principals?q=${encodeURIComponent(first!.email)}&limit=5`, "by-email"))
            // Text sent without `=` is a parameter's name.
            statuses.push(yield* search(url, `/v1/principals?limit=5&${encodeURIComponent(second!.email)}`, "bare-text"))
          }))
        assert.strictEqual(run.code, 0, run.stderr)
        // No sync has run (404), and a name the endpoint does not take is refused (400): the spans are made all the same.
        assert.deepStrictEqual(statuses, [404, 400])
        const bodies = collector.received.filter((request) => request.path === "/v1/traces").map((request) => request.body)
        const origin = /listening on (http:\/\/\S+:\d+)/.exec(run.stdout)![1]
        assert.deepStrictEqual(
          exportedSpans(bodies).filter((span) => span.name === "GET /v1/principals").map(({ attributes }) => [
            attributes["http.request_id"],
            attributes["url.full"],
            attributes["url.path"],
            attributes["url.query"]
          ]),
          [
            ["by-email", `${origin}/v1/principals?q=REDACTED&limit=REDACTED`, "/v1/principals", "q=REDACTED&limit=REDACTED"],
            ["bare-text", `${origin}/v1/principals?limit=REDACTED&REDACTED=REDACTED`, "/v1/principals", "limit=REDACTED&REDACTED=REDACTED"]
          ]
        )
        // Nowhere in what was exported (traces, logs, metrics), as sent or encoded.
        const exported = collector.received.map((request) => request.body).join("\n")
        for (const searched of [first!.email, second!.email]) {
          assert.notInclude(exported, searched)
          assert.notInclude(exported, encodeURIComponent(searched))
        }
      }).pipe(Effect.provide(NodeContext.layer)),
    180_000
  )
})
