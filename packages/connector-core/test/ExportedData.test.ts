import { assert, describe, it } from "@effect/vitest"
import { HttpClient, HttpClientResponse } from "@effect/platform"
import { ConfigProvider, Effect, Fiber, Layer } from "effect"
import { ProvisioningDisabled, UnknownEntitlement } from "../src/provisioning/ProvisioningError.js"
import { telemetryLayer } from "../src/telemetry/Telemetry.js"
import { proxiedUndici } from "./support/ExportClients.js"

/**
 * Spans and log records as the exporter sends them (the real @effect/opentelemetry exporter behind
 * telemetryLayer, OTLP/HTTP JSON), to a client that keeps each request's body.
 */

interface Attribute {
  readonly key: string
  readonly value: Readonly<Record<string, unknown>>
}

interface Span {
  readonly name: string
  readonly attributes: ReadonlyArray<Attribute>
  readonly status: { readonly code: number; readonly message?: string }
  readonly events: ReadonlyArray<{ readonly name: string; readonly attributes: ReadonlyArray<Attribute> }>
}

interface LogRecord {
  readonly body: { readonly stringValue?: string }
  readonly attributes: ReadonlyArray<Attribute>
}

interface Exported {
  readonly resourceSpans?: ReadonlyArray<{ readonly scopeSpans: ReadonlyArray<{ readonly spans: ReadonlyArray<Span> }> }>
  readonly resourceLogs?: ReadonlyArray<{ readonly scopeLogs: ReadonlyArray<{ readonly logRecords: ReadonlyArray<LogRecord> }> }>
}

const values = (attributes: ReadonlyArray<Attribute>) =>
  Object.fromEntries(attributes.map(({ key, value }) => [key, Object.values(value)[0]]))

/** Runs `program` with export on; what was sent once the exporter flushed (the layer's end). */
const exported = <A, E>(program: Effect.Effect<A, E>) =>
  Effect.gen(function*() {
    const bodies: Array<Exported> = []
    const collector = HttpClient.make((request) => {
      if (request.body._tag === "Uint8Array") bodies.push(JSON.parse(new TextDecoder().decode(request.body.body)) as Exported)
      return Effect.succeed(HttpClientResponse.fromWeb(request, new Response("{}", { status: 200 })))
    })
    yield* program.pipe(
      Effect.ignore,
      Effect.provide(
        telemetryLayer({ name: "test", version: "0" }).pipe(
          Layer.provide(Layer.merge(Layer.succeed(HttpClient.HttpClient, collector), proxiedUndici))
        )
      ),
      Effect.withConfigProvider(ConfigProvider.fromMap(
        new Map([["OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318"], ["OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"]])
      ))
    )
    const spans = bodies.flatMap((body) => (body.resourceSpans ?? []).flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)))
    const logs = bodies.flatMap((body) => (body.resourceLogs ?? []).flatMap((r) => r.scopeLogs.flatMap((s) => s.logRecords)))
    return { spans, logs, text: JSON.stringify(bodies) }
  })

const spanNamed = (spans: ReadonlyArray<Span>, name: string) => {
  const found = spans.filter((span) => span.name === name)
  assert.strictEqual(found.length, 1, name)
  return found[0]!
}

describe("exported spans and log records", () => {
  it.live("a failed span is an error with the error's tag and message, not an interruption, and has no stack frames", () =>
    Effect.gen(function*() {
      const { spans, text } = yield* exported(Effect.gen(function*() {
        yield* Effect.ignore(Effect.withSpan(new UnknownEntitlement({ message: "group NOPE does not exist" }), "Provisioner.grant", {
          attributes: { "provisioning.outcome": "unknown_entitlement" }
        }))
        yield* Effect.exit(Effect.withSpan(Effect.die(new Error("a bug")), "defect"))
      }))
      const grant = spanNamed(spans, "Provisioner.grant")
      assert.deepStrictEqual(grant.status, { code: 2, message: "group NOPE does not exist" })
      assert.deepStrictEqual(values(grant.attributes), {
        "provisioning.outcome": "unknown_entitlement",
        "error.type": "UnknownEntitlement"
      })
      assert.deepStrictEqual(grant.events.map((event) => [event.name, values(event.attributes)]), [
        ["exception", { "exception.type": "UnknownEntitlement", "exception.message": "group NOPE does not exist" }]
      ])
      const defect = spanNamed(spans, "defect")
      assert.deepStrictEqual(defect.status, { code: 2, message: "a bug" })
      assert.deepStrictEqual(values(defect.attributes), { "error.type": "Error" })
      for (const absent of ["Interrupted", "status.interrupted", "code.stacktrace", "exception.stacktrace", " at "]) {
        assert.notInclude(text, absent)
      }
    }))

  it.live("an interrupted span is neither Ok nor an error: Unset, marked interrupted; a successful one is Ok", () =>
    Effect.gen(function*() {
      const { spans } = yield* exported(Effect.gen(function*() {
        const waiting = yield* Effect.fork(Effect.withSpan(Effect.never, "cancelled"))
        yield* Effect.yieldNow()
        yield* Fiber.interrupt(waiting)
        yield* Effect.withSpan(Effect.void, "done")
      }))
      const cancelled = spanNamed(spans, "cancelled")
      assert.deepStrictEqual(cancelled.status, { code: 0 })
      assert.deepStrictEqual(values(cancelled.attributes), { "status.interrupted": true })
      const done = spanNamed(spans, "done")
      assert.deepStrictEqual(done.status, { code: 1 })
      assert.deepStrictEqual(values(done.attributes), {})
    }))

  it.live("a log record carries no fiber id, and its error without stack frames", () =>
    Effect.gen(function*() {
      const { logs, text } = yield* exported(Effect.gen(function*() {
        yield* Effect.logInfo("listening").pipe(Effect.annotateLogs({ port: 8080 }))
        yield* Effect.catchAllCause(
          new ProvisioningDisabled({ message: "provisioning is disabled" }),
          (cause) => Effect.logError("request failed", cause)
        )
      }))
      assert.deepStrictEqual(logs.map((record) => [record.body.stringValue, values(record.attributes)]), [
        ["listening", { port: 8080 }],
        ["request failed", { "log.error": "ProvisioningDisabled: provisioning is disabled" }]
      ])
      assert.notInclude(text, "fiberId")
    }))

  it.live("a line logged within a span, its event there: no fiber id, its error without stack frames", () =>
    Effect.gen(function*() {
      const { spans, text } = yield* exported(
        Effect.catchAllCause(
          new ProvisioningDisabled({ message: "provisioning is disabled" }),
          (cause) => Effect.logWarning("refused", cause).pipe(Effect.annotateLogs({ action: "grant" }))
        ).pipe(Effect.withSpan("Provisioner.grant"))
      )
      const grant = spanNamed(spans, "Provisioner.grant")
      assert.deepStrictEqual(grant.events.map((event) => [event.name, values(event.attributes)]), [
        ["refused", { action: "grant", "effect.logLevel": "WARN", "effect.cause": "ProvisioningDisabled: provisioning is disabled" }]
      ])
      assert.notInclude(text, "fiberId")
    }))
})
