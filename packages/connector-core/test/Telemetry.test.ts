import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Duration, Effect, Option, Redacted } from "effect"
import { type OtlpSettings, otlpSettings } from "../src/telemetry/Telemetry.js"

const read = (env: ReadonlyArray<readonly [string, string]>) =>
  otlpSettings("baton-fivetran").pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map(env))))

/** Each signal's target with its headers revealed; null for a signal not exported. */
const targets = (settings: OtlpSettings) =>
  Object.fromEntries((["traces", "metrics", "logs"] as const).map((signal) => [
    signal,
    Option.match(settings[signal], {
      onNone: () => null,
      onSome: ({ protocol: _protocol, timeout: _timeout, ...target }) => ({ ...target, headers: Redacted.value(target.headers) })
    })
  ]))

/** Each signal's protocol and timeout in milliseconds; null for a signal not exported. */
const deliveries = (settings: OtlpSettings) =>
  Object.fromEntries((["traces", "metrics", "logs"] as const).map((signal) => [
    signal,
    Option.match(settings[signal], {
      onNone: () => null,
      onSome: (target) => [target.protocol, Duration.toMillis(target.timeout)]
    })
  ]))

/** The target every signal has from the general variables alone. */
const fromGeneral = (base: string, headers: Readonly<Record<string, string>> = {}) => ({
  url: base,
  headers,
  endpointVariable: "OTEL_EXPORTER_OTLP_ENDPOINT",
  headersVariable: "OTEL_EXPORTER_OTLP_HEADERS"
})

describe("OTLP settings from the OTEL_* variables", () => {
  it.live("off without an endpoint, with a blank one, and with OTEL_SDK_DISABLED=true", () =>
    Effect.gen(function*() {
      assert.isTrue(Option.isNone(yield* read([])))
      assert.isTrue(Option.isNone(yield* read([["OTEL_SERVICE_NAME", "x"]])))
      assert.isTrue(Option.isNone(yield* read([["OTEL_EXPORTER_OTLP_ENDPOINT", " "]])))
      assert.isTrue(Option.isNone(
        yield* read([
          ["OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318"],
          ["OTEL_SDK_DISABLED", "true"]
        ])
      ))
    }))

  it.live("every variable read, with the defaults the specification gives", () =>
    Effect.gen(function*() {
      const defaults = Option.getOrThrow(yield* read([["OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/"]]))
      assert.deepStrictEqual(targets(defaults), {
        traces: fromGeneral("http://collector:4318/v1/traces"),
        metrics: fromGeneral("http://collector:4318/v1/metrics"),
        logs: fromGeneral("http://collector:4318/v1/logs")
      })
      assert.deepStrictEqual(deliveries(defaults), {
        traces: ["http/protobuf", 10_000],
        metrics: ["http/protobuf", 10_000],
        logs: ["http/protobuf", 10_000]
      })
      assert.strictEqual(defaults.serviceName, "baton-fivetran")
      assert.deepStrictEqual(defaults.resourceAttributes, {})
      assert.strictEqual(Duration.toMillis(defaults.spanExportDelay), 5_000)
      assert.strictEqual(Duration.toMillis(defaults.metricExportInterval), 60_000)

      const all = Option.getOrThrow(
        yield* read([
          ["OTEL_EXPORTER_OTLP_ENDPOINT", "https://otel.example.com"],
          ["OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"],
          ["OTEL_EXPORTER_OTLP_HEADERS", "authorization=Bearer%20abc, x-tenant=ops"],
          ["OTEL_SERVICE_NAME", "fivetran-sync-prod"],
          ["OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=prod,fivetran.account=acme%2Cinc"],
          ["OTEL_BSP_SCHEDULE_DELAY", "200"],
          ["OTEL_METRIC_EXPORT_INTERVAL", "1000"],
          ["OTEL_EXPORTER_OTLP_TIMEOUT", "2500"]
        ])
      )
      assert.deepStrictEqual(deliveries(all), {
        traces: ["http/json", 2_500],
        metrics: ["http/json", 2_500],
        logs: ["http/json", 2_500]
      })
      assert.strictEqual(all.serviceName, "fivetran-sync-prod")
      assert.deepStrictEqual(all.resourceAttributes, { "deployment.environment": "prod", "fivetran.account": "acme,inc" })
      const headers = { authorization: "Bearer abc", "x-tenant": "ops" }
      assert.deepStrictEqual(targets(all), {
        traces: fromGeneral("https://otel.example.com/v1/traces", headers),
        metrics: fromGeneral("https://otel.example.com/v1/metrics", headers),
        logs: fromGeneral("https://otel.example.com/v1/logs", headers)
      })
      assert.notInclude(String(Option.getOrThrow(all.traces).headers), "abc")
      assert.strictEqual(Duration.toMillis(all.spanExportDelay), 200)
      assert.strictEqual(Duration.toMillis(all.metricExportInterval), 1_000)

      // A signal's own protocol and timeout take precedence for it alone; blank counts as unset.
      const perSignal = Option.getOrThrow(
        yield* read([
          ["OTEL_EXPORTER_OTLP_ENDPOINT", "https://otel.example.com"],
          ["OTEL_EXPORTER_OTLP_PROTOCOL", ""],
          ["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/json"],
          ["OTEL_EXPORTER_OTLP_TIMEOUT", "2500"],
          ["OTEL_EXPORTER_OTLP_LOGS_TIMEOUT", "30000"]
        ])
      )
      assert.deepStrictEqual(deliveries(perSignal), {
        traces: ["http/json", 2_500],
        metrics: ["http/protobuf", 2_500],
        logs: ["http/protobuf", 30_000]
      })
    }))

  it.live("a bad value is a ConfigError naming the variable", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [string, string]> = [
        ["OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"],
        ["OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "http"],
        ["OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "0"],
        ["OTEL_RESOURCE_ATTRIBUTES", "no-equals-sign"],
        ["OTEL_BSP_SCHEDULE_DELAY", "0"],
        ["OTEL_EXPORTER_OTLP_TIMEOUT", "-1"]
      ]
      for (const [name, value] of cases) {
        const error = yield* Effect.flip(read([["OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318"], [name, value]]))
        assert.include(String(error), name)
      }
      const badUrl = yield* Effect.flip(read([["OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318"]]))
      assert.include(String(badUrl), "OTEL_EXPORTER_OTLP_ENDPOINT")
    }))

  it.live("an endpoint with user info is refused, naming the variable, not the password", () =>
    Effect.gen(function*() {
      for (const endpoint of ["http://otuser:OTPASSWORD@127.0.0.1:4318", "https://OTPASSWORD@collector:4318"]) {
        const error = yield* Effect.flip(read([["OTEL_EXPORTER_OTLP_ENDPOINT", endpoint]]))
        assert.strictEqual(
          String(error),
          "(Invalid data at OTEL_EXPORTER_OTLP_ENDPOINT: \"the URL must not hold a user name or password " +
            "(user:password@); send the collector's credentials in OTEL_EXPORTER_OTLP_HEADERS instead, e.g. " +
            "authorization=Basic%20<base64 of user:password>\")"
        )
      }
    }))

  it.live("an endpoint with a query or fragment is refused, naming the variable, not the query", () =>
    Effect.gen(function*() {
      for (
        const endpoint of [
          "https://collector.example/v1?key=OTSECRET1",
          "https://collector.example:4318?api_key=OTSECRET2",
          "http://127.0.0.1:4318/?token=OTSECRET3",
          "http://127.0.0.1:4318/otlp#OTSECRET4",
          "http://127.0.0.1:4318?"
        ]
      ) {
        const error = yield* Effect.flip(read([["OTEL_EXPORTER_OTLP_ENDPOINT", endpoint]]))
        assert.strictEqual(
          String(error),
          "(Invalid data at OTEL_EXPORTER_OTLP_ENDPOINT: \"the URL must not hold a query or fragment (?... or #...): " +
            "give the collector's base URL, to which /v1/traces, /v1/metrics and /v1/logs are appended, and send " +
            "any key or token in OTEL_EXPORTER_OTLP_HEADERS, e.g. api-key=<key>\")"
        )
      }
      // A path is still a base URL.
      const settings = Option.getOrThrow(yield* read([["OTEL_EXPORTER_OTLP_ENDPOINT", "https://collector.example/otlp/"]]))
      assert.strictEqual(Option.getOrThrow(settings.metrics).url, "https://collector.example/otlp/v1/metrics")
    }))

  it.live("a header value with a control character is refused, naming the header, not the value", () =>
    Effect.gen(function*() {
      for (const value of ["Bearer%20SECRET8%0A", "Bearer%20SECRET9%00", "SECRET%7F", "a%09b"]) {
        const error = yield* Effect.flip(read([
          ["OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318"],
          ["OTEL_EXPORTER_OTLP_HEADERS", `x-tenant=ops,authorization=${value}`]
        ]))
        assert.strictEqual(
          String(error),
          "(Invalid data at OTEL_EXPORTER_OTLP_HEADERS: \"the value of header \"authorization\" holds a control " +
            "character (a percent-encoded %00 to %1F or %7F, such as a trailing %0A); remove it\")"
        )
      }
      // Resource attributes are not headers: any text is a value there.
      const settings = Option.getOrThrow(
        yield* read([
          ["OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318"],
          ["OTEL_RESOURCE_ATTRIBUTES", "note=a%0Ab"]
        ])
      )
      assert.deepStrictEqual(settings.resourceAttributes, { note: "a\nb" })
    }))

  it.live("a per-signal endpoint is used as given and takes precedence for its signal alone", () =>
    Effect.gen(function*() {
      const settings = Option.getOrThrow(
        yield* read([
          ["OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"],
          ["OTEL_EXPORTER_OTLP_HEADERS", "authorization=Bearer%20general"],
          ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", " https://traces.example/custom/path/ "],
          ["OTEL_EXPORTER_OTLP_TRACES_HEADERS", "x-api-key=traces-key"],
          // Blank: unset, as the specification reads an empty value.
          ["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", ""],
          ["OTEL_EXPORTER_OTLP_METRICS_HEADERS", " "],
          ["OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "http://logs.example:4318"]
        ])
      )
      assert.deepStrictEqual(targets(settings), {
        // Its own headers replace the general ones: the general token does not go to another backend.
        traces: {
          url: "https://traces.example/custom/path/",
          headers: { "x-api-key": "traces-key" },
          endpointVariable: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
          headersVariable: "OTEL_EXPORTER_OTLP_TRACES_HEADERS"
        },
        metrics: fromGeneral("http://collector:4318/v1/metrics", { authorization: "Bearer general" }),
        // No path appended, and the general headers when it has none of its own.
        logs: {
          url: "http://logs.example:4318",
          headers: { authorization: "Bearer general" },
          endpointVariable: "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
          headersVariable: "OTEL_EXPORTER_OTLP_HEADERS"
        }
      })
    }))

  it.live("a per-signal endpoint alone exports that signal alone; OTEL_SDK_DISABLED=true still turns all off", () =>
    Effect.gen(function*() {
      const metricsOnly = Option.getOrThrow(
        yield* read([["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "http://127.0.0.1:4318/v1/metrics"]])
      )
      assert.deepStrictEqual(targets(metricsOnly), {
        traces: null,
        metrics: {
          url: "http://127.0.0.1:4318/v1/metrics",
          headers: {},
          endpointVariable: "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
          headersVariable: "OTEL_EXPORTER_OTLP_METRICS_HEADERS"
        },
        logs: null
      })
      // Headers without an endpoint export nothing.
      assert.isTrue(Option.isNone(yield* read([["OTEL_EXPORTER_OTLP_TRACES_HEADERS", "a=b"]])))
      assert.isTrue(Option.isNone(
        yield* read([
          ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://127.0.0.1:4318/v1/traces"],
          ["OTEL_SDK_DISABLED", "true"]
        ])
      ))
    }))

  it.live("a bad per-signal endpoint is refused as the general one is, naming its variable, never the secret", () =>
    Effect.gen(function*() {
      for (const signal of ["TRACES", "METRICS", "LOGS"] as const) {
        const name = `OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`
        const path = `/v1/${signal.toLowerCase()}`
        const refusal = (message: string) => `(Invalid data at ${name}: "${message}")`
        const refused = (value: string) =>
          Effect.flip(read([["OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318"], [name, value]])).pipe(Effect.map(String))
        assert.strictEqual(
          yield* refused("collector:4318/v1/x"),
          refusal(`expected an http(s) URL such as http://localhost:4318${path}`)
        )
        for (const url of ["http://otuser:OTPASSWORD@127.0.0.1:4318/v1/x", "https://OTPASSWORD@collector/v1/x"]) {
          assert.strictEqual(
            yield* refused(url),
            refusal(
              "the URL must not hold a user name or password (user:password@); send the collector's credentials in " +
                `OTEL_EXPORTER_OTLP_${signal}_HEADERS instead, e.g. authorization=Basic%20<base64 of user:password>`
            )
          )
        }
        for (const url of [`https://collector.example${path}?api_key=OTSECRET5`, `http://127.0.0.1:4318${path}#OTSECRET6`]) {
          assert.strictEqual(
            yield* refused(url),
            refusal(
              "the URL must not hold a query or fragment (?... or #...): give the collector's full URL for this " +
                `signal (such as http://localhost:4318${path}), and send any key or token in ` +
                `OTEL_EXPORTER_OTLP_${signal}_HEADERS, e.g. api-key=<key>`
            )
          )
        }
      }
    }))

  it.live("a per-signal header value with a control character is refused, naming its variable, not the value", () =>
    Effect.gen(function*() {
      for (const signal of ["TRACES", "METRICS", "LOGS"] as const) {
        const error = yield* Effect.flip(read([
          ["OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318"],
          [`OTEL_EXPORTER_OTLP_${signal}_HEADERS`, "x-tenant=ops,authorization=Bearer%20SECRET10%0A"]
        ]))
        assert.strictEqual(
          String(error),
          `(Invalid data at OTEL_EXPORTER_OTLP_${signal}_HEADERS: "the value of header "authorization" holds a control ` +
            "character (a percent-encoded %00 to %1F or %7F, such as a trailing %0A); remove it\")"
        )
      }
      const malformed = yield* Effect.flip(read([
        ["OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318"],
        ["OTEL_EXPORTER_OTLP_LOGS_HEADERS", "SECRET11"]
      ]))
      assert.strictEqual(
        String(malformed),
        "(Invalid data at OTEL_EXPORTER_OTLP_LOGS_HEADERS: \"expected key=value pairs separated by commas\")"
      )
    }))
})
