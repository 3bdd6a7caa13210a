import { type AccountSnapshot, generatePreset, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Schedule, Scope } from "effect"
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { cliBundle, cliProgram, httpBundle, runApp, startApp } from "./support/AppProcess.js"
import { attributesOf, makeOtlpReceiver, type OtlpDataPoint, type OtlpSpan } from "./support/OtlpReceiver.js"
import { makeSilentCollector } from "./support/SilentCollector.js"

/**
 * OpenTelemetry from the real apps: their bundles run as processes against a sandbox on loopback
 * and export to an OTLP/HTTP receiver in this test (JSON encoding, which the test decodes).
 */

const small = generatePreset("small")

const systemKey = (snapshot: AccountSnapshot) => {
  const key = snapshot.credentials.find((credential) => credential._tag === "SystemKey")
  if (key === undefined) throw new Error("the preset has no system key")
  return key
}

const tempDir = Effect.acquireRelease(
  Effect.promise(() => mkdtemp(join(tmpdir(), "e2e-otel-"))),
  (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
)

const sandbox = Sandbox.layer({ snapshot: small, port: 0 })

/** The part of a NODE_V8_COVERAGE report read here. */
interface V8ScriptCoverage {
  readonly url: string
  readonly functions: ReadonlyArray<{ readonly ranges: ReadonlyArray<{ startOffset: number; endOffset: number; count: number }> }>
}
interface V8Coverage {
  readonly result: ReadonlyArray<V8ScriptCoverage>
}

const PhaseSpans = ["sync.catalog", "sync.resource_types", "sync.teams", "sync.users", "sync.derived_grants", "sync.groups"]

/** The latest exported value of a sum or gauge for exactly these attributes. */
const latestValue = (points: ReadonlyArray<OtlpDataPoint>, attributes: Record<string, string>) => {
  const matching = points.filter((point) => {
    const given = attributesOf(point.attributes)
    return Object.keys(given).length === Object.keys(attributes).length &&
      Object.entries(attributes).every(([key, value]) => given[key] === value)
  })
  const last = matching.at(-1)
  return last === undefined ? undefined : Number(last.asDouble ?? last.asInt ?? last.count)
}

const pointsOf = (receiver: Effect.Effect.Success<typeof makeOtlpReceiver>, name: string) =>
  receiver.metrics(name).flatMap((metric) => [
    ...(metric.sum?.dataPoints ?? []),
    ...(metric.gauge?.dataPoints ?? []),
    ...(metric.histogram?.dataPoints ?? [])
  ])

/** Nothing secret in what was exported: the key, the secret, their Basic form, a bearer token. */
const assertNoSecretIn = (text: string, secrets: ReadonlyArray<string>) => {
  for (const secret of secrets) assert.isFalse(text.includes(secret), `a secret was exported: ${secret.slice(0, 3)}...`)
}

const byName = (spans: ReadonlyArray<OtlpSpan>, name: string) => spans.filter((span) => span.name === name)

const otelEnv = (endpoint: string, serviceName: string) => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
  OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
  OTEL_SERVICE_NAME: serviceName,
  OTEL_RESOURCE_ATTRIBUTES: "deployment.environment=e2e,fivetran.account=small"
})

/** Closed after the file's tests: it holds the receiver and the directory of their shared sync. */
const sharedScope = Effect.runSync(Scope.make())
afterAll(() => Effect.runPromise(Scope.close(sharedScope, Exit.void)))

/**
 * The CLI's sync of the small preset with JSON logs and a summary file, exporting to a receiver:
 * run once, by the first test that asks, for the tests that read its spans, metrics, summary and
 * log records (each such test once ran a sync of its own).
 */
const exportedSync = Effect.gen(function*() {
  const fivetran = yield* Sandbox
  const key = systemKey(yield* fivetran.snapshot)
  const receiver = yield* makeOtlpReceiver
  const dir = yield* tempDir
  const result = yield* runApp(
    cliBundle,
    ["--file", join(dir, "sync.c1z"), "--summary-file", join(dir, "summary.json"), "--log-format", "json"],
    {
      ...otelEnv(receiver.endpoint, "fivetran-sync-e2e"),
      BATON_BASE_URL: fivetran.baseUrl,
      BATON_API_KEY: key.key,
      BATON_API_SECRET: key.secret
    }
  )
  return { key, receiver, dir, result }
}).pipe(Effect.provide(sandbox), Scope.extend(sharedScope), Effect.cached, Effect.runSync)

describe("OpenTelemetry export", () => {
  it.scopedLive(
    "CLI sync: a sync span, a child per phase, a client span per Fivetran request, metrics; no secret",
    () =>
      Effect.gen(function*() {
        const { dir, key, receiver, result } = yield* exportedSync
        assert.strictEqual(result.exitCode, 0, result.stderr)
        // The CLI flushes before it exits: everything is there once the process has ended.
        const spans = receiver.spans()
        assert.deepStrictEqual(receiver.resources()[0], {
          "service.name": "fivetran-sync-e2e",
          "service.version": "0.1.0",
          "deployment.environment": "e2e",
          "fivetran.account": "small"
        })

        const [sync, ...otherSyncs] = byName(spans, "sync")
        assert.strictEqual(otherSyncs.length, 0)
        assert.isUndefined(sync!.parentSpanId)
        assert.deepStrictEqual(attributesOf(sync!.attributes), {
          "sync.connections": false,
          "sync.concurrency": 8,
          "sync.outcome": "succeeded",
          "sync.resources": 38,
          "sync.entitlements": 51,
          "sync.grants": 122,
          "sync.requests": 14,
          "sync.retries": 0
        })
        const phases = spans.filter((span) => span.name.startsWith("sync."))
        assert.deepStrictEqual(phases.map((span) => span.name).sort(), [...PhaseSpans].sort())
        for (const phase of phases) {
          assert.strictEqual(phase.parentSpanId, sync!.spanId, phase.name)
          assert.strictEqual(phase.traceId, sync!.traceId, phase.name)
        }

        const requests = spans.filter((span) => span.name.startsWith("Fivetran "))
        assert.strictEqual(requests.length, 14)
        const phaseIds = new Map(phases.map((phase) => [phase.spanId, phase.name]))
        for (const request of requests) {
          assert.isTrue(phaseIds.has(request.parentSpanId ?? ""), `${request.name} is not under a phase`)
          assert.strictEqual(request.kind, 3, "SPAN_KIND_CLIENT")
          const attributes = attributesOf(request.attributes)
          assert.deepStrictEqual(Object.keys(attributes).sort(), [
            "fivetran.retries",
            "http.request.method",
            "http.response.status_code",
            "url.template"
          ])
          assert.strictEqual(request.name, `Fivetran GET ${attributes["url.template"]}`)
          assert.strictEqual(attributes["http.response.status_code"], 200)
          assert.strictEqual(attributes["fivetran.retries"], 0)
        }
        const users = byName(requests, "Fivetran GET /v1/users")
        assert.strictEqual(users.length, 1)
        assert.strictEqual(phaseIds.get(users[0]!.parentSpanId!), "sync.users")
        assert.strictEqual(byName(requests, "Fivetran GET /v1/groups/{id}/users").length, small.groups.length)

        assert.strictEqual(
          latestValue(pointsOf(receiver, "fivetran_requests_total"), {
            method: "GET",
            route: "/v1/users",
            status: "200"
          }),
          1
        )
        const requestTotal = pointsOf(receiver, "fivetran_requests_total").reduce(
          (sum, point) => sum + Number(point.asDouble ?? point.asInt),
          0
        )
        assert.strictEqual(requestTotal, 14)
        assert.strictEqual(latestValue(pointsOf(receiver, "baton_sync_rows_total"), { type: "grant" }), 122)
        assert.strictEqual(latestValue(pointsOf(receiver, "baton_sync_resources_total"), { resource_type: "user" }), 25)
        assert.strictEqual(latestValue(pointsOf(receiver, "baton_sync_duration_seconds"), { outcome: "succeeded" }), 1)

        const exported = receiver.received().map((r) => r.body).join("\n")
        assertNoSecretIn(exported, [key.secret, key.key, btoa(`${key.key}:${key.secret}`)])
        // Spans name route templates, never an id from the account.
        for (const user of small.users.slice(0, 5)) assert.isFalse(JSON.stringify(spans).includes(user.id), user.id)

        const summary = JSON.parse(yield* Effect.promise(() => readFile(join(dir, "summary.json"), "utf8"))) as Record<string, unknown>
        assert.deepStrictEqual(summary["resources"], { user: 25, role: 6, group: 4, team: 3 })
        assert.deepStrictEqual(summary["grants"], { direct: 91, derived: 31 })
        assert.strictEqual(summary["file"], join(dir, "sync.c1z"))
      }),
    { timeout: 120_000 }
  )

  it.scopedLive(
    "CLI with JSON logs: its summary and its error line are exported as log records too",
    () =>
      Effect.gen(function*() {
        const synced = yield* exportedSync
        assert.strictEqual(synced.result.exitCode, 0, synced.result.stderr)
        const summary = synced.receiver.logs().filter((record) => record.message === "sync complete")
        assert.deepStrictEqual(summary.map((record) => [record.level, record.attributes["file"]]), [[
          "INFO",
          join(synced.dir, "sync.c1z")
        ]])
        const fivetran = yield* Sandbox
        const key = systemKey(yield* fivetran.snapshot)
        const receiver = yield* makeOtlpReceiver
        const dir = yield* tempDir
        const failed = yield* runApp(cliBundle, ["--file", join(dir, "sync.c1z"), "--log-format", "json"], {
          ...otelEnv(receiver.endpoint, "fivetran-sync-e2e"),
          BATON_BASE_URL: fivetran.baseUrl,
          BATON_API_KEY: key.key,
          BATON_API_SECRET: "not-the-secret-0123456789"
        })
        assert.strictEqual(failed.exitCode, 1, failed.stderr)
        const errors = receiver.logs().filter((record) => record.level === "ERROR")
        assert.deepStrictEqual(errors.map((record) => [record.message, record.attributes["exit_code"]]), [[
          "Fivetran rejected the API key or secret (401 on GET /v1/roles); check the api-key and api-secret settings",
          1
        ]])
      }).pipe(Effect.provide(sandbox)),
    { timeout: 120_000 }
  )

  it.scopedLive(
    "CLI sync against a collector that refuses every export: the sync succeeds, one warning per export URL, no secret",
    () =>
      Effect.gen(function*() {
        const fivetran = yield* Sandbox
        const key = systemKey(yield* fivetran.snapshot)
        const posted: Array<string> = []
        const collector = yield* Effect.acquireRelease(
          Effect.async<Server>((resume) => {
            const server = createServer((request, response) => {
              posted.push(request.url ?? "")
              request.resume()
              request.on("end", () => response.writeHead(401, { "content-type": "application/json" }).end("{}"))
            })
            server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
          }),
          (server) => Effect.async<void>((resume) => void server.close(() => resume(Effect.void)))
        )
        const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`
        const otelToken = "otel-collector-token-e2e"
        const dir = yield* tempDir
        const result = yield* runApp(
          cliBundle,
          ["--file", join(dir, "sync.c1z"), "--log-format", "json"],
          {
            ...otelEnv(endpoint, "fivetran-sync-e2e"),
            OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20${otelToken}`,
            BATON_BASE_URL: fivetran.baseUrl,
            BATON_API_KEY: key.key,
            BATON_API_SECRET: key.secret
          }
        )
        assert.strictEqual(result.exitCode, 0, result.stderr)
        const warned = result.stderr.split("\n").filter((line) => line.includes("OpenTelemetry export"))
          .map((line) => JSON.parse(line) as Record<string, unknown>)
        // Every URL the exporter tried, warned about once (it retries each failed export).
        const tried = [...new Set(posted)].sort()
        assert.includeMembers(tried, ["/v1/metrics", "/v1/traces"])
        assert.deepStrictEqual(
          warned.map((line) => [line["level"], line["msg"]]).sort(),
          tried.map((path) => [
            "warn",
            `OpenTelemetry export to ${endpoint}${path} failed (HTTP 401); this telemetry is dropped, and exports ` +
            "to it pause for a minute. Check OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_HEADERS and the collector."
          ])
        )
        assertNoSecretIn(result.stdout + result.stderr, [key.secret, otelToken])
      }).pipe(Effect.provide(sandbox)),
    { timeout: 120_000 }
  )

  it.scopedLive(
    "CLI provisioning refused: the failed spans are errors with the error's tag and message, no stack frames, no fiber ids",
    () =>
      Effect.gen(function*() {
        const receiver = yield* makeOtlpReceiver
        const result = yield* runApp(
          cliBundle,
          [
            "--sandbox",
            "-p",
            "--grant-entitlement",
            "group:NOPE:Destination Administrator",
            "--grant-principal",
            small.users[0]!.id,
            "--grant-principal-type",
            "user",
            "--log-format",
            "json",
            // Lines logged within spans become span events too, with fiber ids of their own.
            "--log-level",
            "debug"
          ],
          otelEnv(receiver.endpoint, "fivetran-sync-e2e")
        )
        assert.strictEqual(result.exitCode, 2, result.stderr)
        const spans = receiver.spans()
        const [grant, ...otherGrants] = byName(spans, "Provisioner.grant")
        assert.strictEqual(otherGrants.length, 0)
        assert.deepStrictEqual(grant!.status, { code: 2, message: "group NOPE does not exist" })
        assert.deepStrictEqual(attributesOf(grant!.attributes), {
          "provisioning.outcome": "unknown_entitlement",
          "error.type": "UnknownEntitlement"
        })
        assert.deepStrictEqual(grant!.events.filter((event) => event.name === "exception").map((event) => attributesOf(event.attributes)), [
          { "exception.type": "UnknownEntitlement", "exception.message": "group NOPE does not exist" }
        ])
        const [group] = byName(spans, "Fivetran GET /v1/groups/{id}")
        assert.strictEqual(group!.status.code, 2)
        assert.deepStrictEqual(attributesOf(group!.attributes), {
          "http.request.method": "GET",
          "url.template": "/v1/groups/{id}",
          "http.response.status_code": 404,
          "fivetran.retries": 0,
          "error.type": "NotFound"
        })
        // The CLI logged (the sandbox's address) and OTLP carried it, without the fiber's id.
        assert.isAbove(receiver.logRecords().length, 0)
        for (const record of receiver.logRecords()) assert.notProperty(attributesOf(record.attributes), "fiberId")
        const exported = receiver.received().map((r) => r.body).join("\n")
        for (const absent of ["Interrupted", "status.interrupted", "code.stacktrace", "exception.stacktrace", "fiberId", "bundle/"]) {
          assert.notInclude(exported, absent)
        }
      }),
    { timeout: 120_000 }
  )

  it.scopedLive(
    "HTTP service: request spans with the request id, the sync and provisioning under them, one log line per request",
    () =>
      Effect.gen(function*() {
        const fivetran = yield* Sandbox
        const snapshot = yield* fivetran.snapshot
        const key = systemKey(snapshot)
        const receiver = yield* makeOtlpReceiver
        const dir = yield* tempDir
        const token = "e2e-bearer-token-for-otel"
        const app = yield* startApp(
          httpBundle,
          ["--port", "0", "--data-dir", join(dir, "data"), "--provisioning", "--log-format", "json"],
          {
            ...otelEnv(receiver.endpoint, "fivetran-http-e2e"),
            OTEL_BSP_SCHEDULE_DELAY: "100",
            OTEL_METRIC_EXPORT_INTERVAL: "200",
            BATON_BASE_URL: fivetran.baseUrl,
            BATON_API_KEY: key.key,
            BATON_API_SECRET: key.secret,
            BATON_HTTP_TOKENS: token
          }
        )
        const url = yield* Effect.suspend(() => {
          const found = /listening on (http:\/\/\S+) /.exec(app.stdout())?.[1]
          return found === undefined ? Effect.fail("not listening yet") : Effect.succeed(found)
        }).pipe(Effect.retry(Schedule.spaced("50 millis").pipe(Schedule.upTo("60 seconds"))), Effect.orDie)
        const call = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) =>
          Effect.promise(async () => {
            const response = await fetch(`${url}${path}`, {
              method,
              headers: {
                authorization: `Bearer ${token}`,
                ...(body === undefined ? {} : { "content-type": "application/json" }),
                ...headers
              },
              ...(body === undefined ? {} : { body: JSON.stringify(body) })
            })
            return {
              status: response.status,
              requestId: response.headers.get("x-request-id"),
              json: await response.json() as Record<string, unknown>
            }
          })

        const started = yield* call("POST", "/v1/syncs", { "x-request-id": "e2e-sync-1" })
        assert.strictEqual(started.status, 202)
        assert.strictEqual(started.requestId, "e2e-sync-1")
        let polls = 0
        const poll: Effect.Effect<Record<string, unknown>> = Effect.gen(function*() {
          polls++
          const job = (yield* call("GET", `/v1/syncs/${started.json["id"]}`)).json
          return job["status"] === "succeeded" || job["status"] === "failed"
            ? job
            : yield* Effect.zipRight(Effect.sleep("50 millis"), poll)
        })
        assert.strictEqual((yield* poll)["status"], "succeeded")
        const team = snapshot.teams[0]!.id
        const user = snapshot.users.find((u) => !snapshot.team_users.some((row) => row.team_id === team && row.user_id === u.id))!.id
        const granted = yield* call("POST", "/v1/grants", { "x-request-id": "e2e-grant-1" }, {
          entitlement_id: `team:${team}:member`,
          principal: { type: "user", id: user }
        })
        assert.strictEqual(granted.status, 201)

        yield* receiver.until(() =>
          byName(receiver.spans(), "Provisioner.grant").length === 1 &&
          latestValue(pointsOf(receiver, "http_server_requests_total"), { method: "POST", route: "/v1/grants", status: "201" }) === 1
        )
        const spans = receiver.spans()
        const [post] = byName(spans, "POST /v1/syncs")
        assert.strictEqual(post!.kind, 2, "SPAN_KIND_SERVER")
        const postAttributes = attributesOf(post!.attributes)
        assert.strictEqual(postAttributes["http.request_id"], "e2e-sync-1")
        assert.strictEqual(postAttributes["http.route"], "/v1/syncs")
        assert.strictEqual(postAttributes["http.response.status_code"], 202)
        assert.strictEqual(postAttributes["http.request.header.authorization"], "<redacted>")
        const [sync] = byName(spans, "sync")
        assert.strictEqual(sync!.traceId, post!.traceId)
        assert.strictEqual(byName(spans, "GET /v1/syncs/:id").length, polls)
        const [grantRequest] = byName(spans, "POST /v1/grants")
        assert.strictEqual(attributesOf(grantRequest!.attributes)["http.request_id"], "e2e-grant-1")
        const [grant] = byName(spans, "Provisioner.grant")
        assert.strictEqual(grant!.traceId, grantRequest!.traceId)
        assert.strictEqual(attributesOf(grant!.attributes)["provisioning.outcome"], "granted")
        const grantCalls = spans.filter((span) => span.name.startsWith("Fivetran ") && span.traceId === grant!.traceId)
        assert.isAbove(grantCalls.length, 0)
        assert.include(grantCalls.map((span) => span.name), "Fivetran POST /v1/teams/{id}/users")

        app.child.kill("SIGTERM")
        assert.strictEqual(yield* app.exited, 0)
        const exported = receiver.received().map((r) => r.body).join("\n")
        assertNoSecretIn(exported, [key.secret, key.key, btoa(`${key.key}:${key.secret}`), token])

        // One info line per request, with its request id; nothing secret in the logs either.
        const requestLines = app.stderr().split("\n").filter((line) => line.includes("\"msg\":\"http request\""))
          .map((line) => JSON.parse(line) as Record<string, unknown>)
        assert.strictEqual(requestLines.length, 2 + polls)
        assert.deepStrictEqual(
          requestLines.filter((line) => line["request_id"] === "e2e-sync-1").map((
            line
          ) => [line["level"], line["method"], line["route"], line["status"]]),
          [["info", "POST", "/v1/syncs", 202]]
        )
        assert.isTrue(requestLines.every((line) => typeof line["duration_ms"] === "number" && typeof line["request_id"] === "string"))
        assertNoSecretIn(app.stdout() + app.stderr(), [key.secret, token])
      }).pipe(Effect.provide(sandbox)),
    { timeout: 120_000 }
  )
})

/** Waits (polling, generously) until `ready` holds. */
const eventually = (ready: () => boolean) =>
  Effect.suspend(() => ready() ? Effect.void : Effect.fail("not yet")).pipe(
    Effect.retry(Schedule.spaced("50 millis").pipe(Schedule.upTo("60 seconds"))),
    Effect.orDie
  )

describe("the HTTP service's export warnings", () => {
  /**
   * The service against a collector that never answers, until the exporter has sent its metrics
   * again: its first request was given up and retried. Then stopped before the exporter's last try,
   * so the export is warned of (or left out) as the service closes: all it printed.
   */
  const runAgainstSilentCollector = (env: Record<string, string>) =>
    Effect.gen(function*() {
      const collector = yield* makeSilentCollector
      const dir = yield* tempDir
      const app = yield* startApp(httpBundle, ["--sandbox", "--port", "0", "--data-dir", join(dir, "data")], {
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
        OTEL_METRIC_EXPORT_INTERVAL: "200",
        OTEL_EXPORTER_OTLP_TIMEOUT: "300",
        ...env
      })
      yield* eventually(() => collector.requests("/v1/metrics") >= 2)
      app.child.kill("SIGTERM")
      assert.strictEqual(yield* app.exited, 0, app.stderr())
      return { endpoint: collector.endpoint, stdout: app.stdout(), stderr: app.stderr() }
    })

  it.scopedLive(
    "a collector that never answers: the request is given up and retried; stopped before its last try, the export is warned of as dropped, in the log's format on stderr",
    () =>
      Effect.gen(function*() {
        const { endpoint, stderr, stdout } = yield* runAgainstSilentCollector({ BATON_LOG_FORMAT: "json" })
        const warnings = stderr.split("\n").filter((line) => line.includes("OpenTelemetry export"))
          .map((line) => JSON.parse(line) as Record<string, unknown>)
        assert.deepStrictEqual(
          warnings.filter((line) => String(line["msg"]).includes("/v1/metrics")).map((line) => [line["level"], line["msg"]]),
          [[
            "warn",
            `OpenTelemetry export to ${endpoint}/v1/metrics failed (no answer within 300ms); this telemetry is dropped, as ` +
            "the exporter stopped before trying it again. Check OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_HEADERS and the collector."
          ]]
        )
        assert.notInclude(stdout, "OpenTelemetry")
      }),
    { timeout: 120_000 }
  )

  it.scopedLive("BATON_LOG_LEVEL=error leaves the warning out", () =>
    Effect.gen(function*() {
      const { stderr, stdout } = yield* runAgainstSilentCollector({ BATON_LOG_FORMAT: "json", BATON_LOG_LEVEL: "error" })
      assert.notInclude(stdout + stderr, "OpenTelemetry")
    }), { timeout: 120_000 })
})

describe("the CLI's export warnings", () => {
  it.scopedLive(
    "a collector that accepts and never answers: a short sync's exports, stopped at shutdown in their first try, are each warned of as dropped",
    () =>
      Effect.gen(function*() {
        const collector = yield* makeSilentCollector
        const dir = yield* tempDir
        // The default request timeout (10 s) outlasts the exporter's last export at shutdown (3 s).
        const result = yield* runApp(cliBundle, ["--sandbox", "small", "--file", join(dir, "sync.c1z"), "--log-format", "json"], {
          OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint
        })
        assert.strictEqual(result.exitCode, 0, result.stderr)
        const warnings = result.stderr.split("\n").filter((line) => line.includes("OpenTelemetry export"))
          .map((line) => JSON.parse(line) as Record<string, unknown>)
          .map((line) => [line["level"], line["msg"]])
          .sort()
        assert.deepStrictEqual(
          warnings,
          ["logs", "metrics", "traces"].map((signal) => [
            "warn",
            `OpenTelemetry export to ${collector.endpoint}/v1/${signal} got no answer before the exporter stopped; this ` +
            "telemetry is dropped. Check OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_HEADERS and the collector."
          ])
        )
      }),
    { timeout: 120_000 }
  )
})

describe("without the OTEL variables", () => {
  it.scopedLive("the CLI does not run the exporter's code (and does with them)", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      // The CLI is one bundled program; the OTLP exporter's code in it is found by its user-agent text.
      const program = yield* Effect.promise(() => readFile(cliProgram, "utf8"))
      const marker = program.indexOf("effect-opentelemetry-")
      assert.isAbove(marker, 0)
      assert.strictEqual(program.indexOf("effect-opentelemetry-", marker + 1), -1)

      // V8's coverage of the run (NODE_V8_COVERAGE): how often the innermost function or block
      // around the marker ran.
      const exporterRuns = (name: string, env: Record<string, string>) =>
        Effect.gen(function*() {
          const coverage = join(dir, `${name}-coverage`)
          const result = yield* runApp(
            cliBundle,
            ["--sandbox", "small", "--file", join(dir, `${name}.c1z`), "--log-format", "json"],
            { ...env, NODE_V8_COVERAGE: coverage }
          )
          assert.strictEqual(result.exitCode, 0, result.stderr)
          const scripts: Array<V8ScriptCoverage> = []
          for (const file of yield* Effect.promise(() => readdir(coverage))) {
            const report = JSON.parse(yield* Effect.promise(() => readFile(join(coverage, file), "utf8"))) as V8Coverage
            scripts.push(...report.result.filter((script) => script.url === pathToFileURL(cliProgram).href))
          }
          assert.strictEqual(scripts.length, 1, "the run's coverage holds the program once")
          const around = scripts[0]!.functions.flatMap((fn) => fn.ranges)
            .filter((range) => range.startOffset <= marker && marker < range.endOffset)
            .sort((a, b) => (a.endOffset - a.startOffset) - (b.endOffset - b.startOffset))
          return around[0]!.count
        })

      const receiver = yield* makeOtlpReceiver
      assert.strictEqual(yield* exporterRuns("without", {}), 0, "the exporter ran without OTEL_*")
      assert.isAbove(
        yield* exporterRuns("with", { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint }),
        0,
        "the exporter did not run with OTEL_*"
      )
    }), { timeout: 120_000 })
})
