import { assert, describe, it } from "@effect/vitest"
import { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect, Layer, Logger, LogLevel } from "effect"
import { TokenCheck } from "../src/Auth.js"
import { FailedAuthentications } from "../src/FailedAuthentications.js"
import { requestTelemetry } from "../src/RequestTelemetry.js"

const noTokens = TokenCheck.layer({ tokens: [], readTokens: [] }).pipe(Layer.provide(FailedAuthentications.Default))

/** The `http request` line one request leaves: its level, route and status. */
const requestLine = (method: string, path: string, status: number) =>
  Effect.gen(function*() {
    const lines: Array<string> = []
    const logger = Logger.make(({ annotations, logLevel }) => {
      const fields = Object.fromEntries(annotations)
      lines.push(`${logLevel.label} ${String(fields["route"])} ${String(fields["status"])}`)
    })
    yield* requestTelemetry(HttpServerResponse.empty({ status })).pipe(
      Effect.provideService(
        HttpServerRequest.HttpServerRequest,
        HttpServerRequest.fromWeb(new Request(`http://127.0.0.1${path}`, { method }))
      ),
      Effect.provide(noTokens),
      Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
      Logger.withMinimumLogLevel(LogLevel.All)
    )
    return lines
  })

describe("the request log", () => {
  it.live("a probe's or a scrape's success is a debug line; their failures and every other request keep their level", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [string, string, number]> = [
        ["GET", "/healthz", 200],
        ["GET", "/readyz", 200],
        ["GET", "/metrics", 200],
        ["GET", "/readyz", 503],
        ["GET", "/metrics", 401],
        ["GET", "/v1/syncs", 200],
        ["POST", "/v1/grants", 201],
        ["GET", "/v1/syncs/x", 404],
        ["GET", "/v1/resources", 500]
      ]
      const lines = yield* Effect.forEach(cases, ([method, path, status]) => requestLine(method, path, status))
      assert.deepStrictEqual(lines, [
        ["DEBUG /healthz 200"],
        ["DEBUG /readyz 200"],
        ["DEBUG /metrics 200"],
        ["ERROR /readyz 503"],
        ["INFO /metrics 401"],
        ["INFO /v1/syncs 200"],
        ["INFO /v1/grants 201"],
        ["INFO /v1/syncs/:id 404"],
        ["ERROR /v1/resources 500"]
      ])
    }))
})
