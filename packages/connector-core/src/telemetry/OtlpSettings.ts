import { Config, ConfigError, Duration, Either, Option, Redacted } from "effect"

/**
 * The standard OpenTelemetry variables that switch OTLP export on and shape it, read and checked
 * at start: a bad value is refused naming its variable, never quoting it (it may hold a secret).
 *
 * Read: OTEL_SDK_DISABLED; OTEL_EXPORTER_OTLP_ENDPOINT (base URL; /v1/traces, /v1/metrics and
 * /v1/logs are appended) and the per-signal OTEL_EXPORTER_OTLP_{TRACES,METRICS,LOGS}_ENDPOINT (used
 * as given, and taking precedence for their signal); OTEL_EXPORTER_OTLP_HEADERS and
 * OTEL_EXPORTER_OTLP_{TRACES,METRICS,LOGS}_HEADERS (`k=v,...`, kept Redacted: they usually hold a
 * token; a signal's own replace the general ones for it); OTEL_EXPORTER_OTLP_PROTOCOL
 * (`http/protobuf`, the default, or `http/json`) and OTEL_EXPORTER_OTLP_TIMEOUT (milliseconds),
 * each with its per-signal OTEL_EXPORTER_OTLP_{TRACES,METRICS,LOGS}_ variable taking precedence;
 * OTEL_SERVICE_NAME; OTEL_RESOURCE_ATTRIBUTES (`k=v,...`); OTEL_BSP_SCHEDULE_DELAY and
 * OTEL_METRIC_EXPORT_INTERVAL (milliseconds). As the specification asks, an empty variable counts
 * as unset. OTEL_EXPORTER_OTLP_COMPRESSION is not read: exports go uncompressed, which every
 * collector takes.
 */

export type OtlpProtocol = "http/protobuf" | "http/json"

export type Signal = "traces" | "metrics" | "logs"

/** Where and how one signal's exports go, and which variables said where. */
export interface SignalExport {
  readonly url: string
  readonly headers: Redacted.Redacted<Readonly<Record<string, string>>>
  readonly protocol: OtlpProtocol
  /** How long one export request may wait for the collector's answer. */
  readonly timeout: Duration.Duration
  /** The variables to check when its exports fail, named in the warning (ExportFailures.ts). */
  readonly endpointVariable: string
  readonly headersVariable: string
}

export interface OtlpSettings {
  /** None: that signal is not exported (without traces, tracing is off). */
  readonly traces: Option.Option<SignalExport>
  readonly metrics: Option.Option<SignalExport>
  readonly logs: Option.Option<SignalExport>
  readonly serviceName: string
  readonly resourceAttributes: Readonly<Record<string, string>>
  readonly spanExportDelay: Duration.Duration
  readonly metricExportInterval: Duration.Duration
}

/** `OTEL_EXPORTER_OTLP_HEADERS`, or a signal's own `OTEL_EXPORTER_OTLP_TRACES_HEADERS`. */
const variableFor = (signal: Signal | undefined, option: "ENDPOINT" | "HEADERS" | "PROTOCOL" | "TIMEOUT") =>
  `OTEL_EXPORTER_OTLP_${signal === undefined ? "" : `${signal.toUpperCase()}_`}${option}`

/** A variable's trimmed text; none when unset or blank. */
const optionalText = (name: string) =>
  Config.string(name).pipe(
    Config.option,
    Config.map((text) => Option.filter(Option.map(text, (value) => value.trim()), (value) => value !== ""))
  )

const invalid = (name: string, message: string) => Either.left(ConfigError.InvalidData([name], message))

/** `k=v,k2=v2` with percent-encoded values (the OpenTelemetry environment format); blanks skipped. */
const parseKeyValues = (name: string, text: string): Either.Either<Readonly<Record<string, string>>, ConfigError.ConfigError> => {
  const entries: Array<readonly [string, string]> = []
  for (const item of text.split(",").map((part) => part.trim()).filter((part) => part !== "")) {
    const equals = item.indexOf("=")
    if (equals <= 0) return invalid(name, `expected key=value pairs separated by commas`)
    const value = Either.try(() => decodeURIComponent(item.slice(equals + 1).trim()))
    if (Either.isLeft(value)) return invalid(name, `a value is not valid percent-encoding`)
    entries.push([item.slice(0, equals).trim(), value.right])
  }
  return Either.right(Object.fromEntries(entries))
}

const keyValueList = (name: string) =>
  Config.string(name).pipe(Config.withDefault(""), Config.mapOrFail((text) => parseKeyValues(name, text)))

/** C0 controls and DEL: never valid in a header value (RFC 9110 §5.5). */
const hasControlCharacter = (value: string) => Array.from(value).some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f)

/**
 * A headers variable, none when unset or blank. Header values are checked here because the HTTP
 * client, sending them, refuses them with a message that quotes the value (usually a token), long
 * after the start.
 */
const headersVariable = (name: string) =>
  optionalText(name).pipe(
    Config.mapOrFail((text) =>
      Option.match(text, {
        onNone: () => Either.right(Option.none()),
        onSome: (text) =>
          Either.flatMap(parseKeyValues(name, text), (headers) => {
            const bad = Object.keys(headers).find((key) => hasControlCharacter(headers[key]!))
            return bad === undefined ? Either.right(Option.some(headers)) : invalid(
              name,
              `the value of header "${bad}" holds a control character (a percent-encoded %00 to %1F or %7F, such ` +
                `as a trailing %0A); remove it`
            )
          })
      })
    )
  )

const positiveMilliseconds = (name: string) =>
  Config.integer(name).pipe(
    Config.validate({ message: "expected a positive number of milliseconds", validation: (n) => n > 0 }),
    Config.map(Duration.millis)
  )

const milliseconds = (name: string, fallback: number) => positiveMilliseconds(name).pipe(Config.withDefault(Duration.millis(fallback)))

const protocols: ReadonlyArray<OtlpProtocol> = ["http/protobuf", "http/json"]

/** A protocol variable, none when unset or blank; `grpc` is refused, as only OTLP over HTTP is sent. */
const protocolVariable = (name: string) =>
  optionalText(name).pipe(
    Config.mapOrFail((text): Either.Either<Option.Option<OtlpProtocol>, ConfigError.ConfigError> => {
      if (Option.isNone(text)) return Either.right(Option.none())
      const protocol = protocols.find((known) => known === text.value)
      return protocol === undefined ?
        invalid(name, `expected http/protobuf or http/json (OTLP over gRPC is not sent)`) :
        Either.right(Option.some(protocol))
    })
  )

const isHttpUrl = (url: string) => URL.canParse(url) && /^https?:$/.test(new URL(url).protocol)

/** The specification's defaults: the base URL, or a signal's (`http://localhost:4318/v1/traces`). */
const exampleUrl = (signal: Signal | undefined) => `http://localhost:4318${signal === undefined ? "" : `/v1/${signal}`}`

/**
 * An endpoint variable, none when unset or blank. User info (`http://user:password@host`) is
 * refused: fetch refuses such a URL with an error that repeats it, password included, and a
 * collector's credentials belong in a headers variable (`headers`, the one for this endpoint).
 * So are a query and a fragment (`?api_key=...`, `#...`): the general endpoint's `/v1/traces` is
 * appended to the URL's text, inside them (`?api_key=SECRET/v1/traces`, posted to the base path),
 * so such an endpoint never worked. A per-signal URL is used as given, so there a query would
 * reach the collector; it is refused all the same, as it is where keys are put, and the exporter
 * logs each failed request's URL whole (at debug level, in its error), which would repeat the key.
 */
const endpointVariable = (name: string, headers: string, signal: Signal | undefined) =>
  optionalText(name).pipe(
    Config.mapOrFail((text): Either.Either<Option.Option<string>, ConfigError.ConfigError> => {
      if (Option.isNone(text)) return Either.right(Option.none<string>())
      const url = text.value
      if (!isHttpUrl(url)) {
        return invalid(name, `expected an http(s) URL such as ${exampleUrl(signal)}`)
      }
      const { password, username } = new URL(url)
      if (username !== "" || password !== "") {
        return invalid(
          name,
          `the URL must not hold a user name or password (user:password@); send the collector's credentials in ` +
            `${headers} instead, e.g. authorization=Basic%20<base64 of user:password>`
        )
      }
      // The raw text, not URL's search and hash: a bare `?` or `#` leaves those empty.
      if (!/[?#]/.test(url)) return Either.right(Option.some(url))
      return invalid(
        name,
        signal === undefined ?
          "the URL must not hold a query or fragment (?... or #...): give the collector's base URL, to which " +
          `/v1/traces, /v1/metrics and /v1/logs are appended, and send any key or token in ${headers}, ` +
          "e.g. api-key=<key>" :
          `the URL must not hold a query or fragment (?... or #...): give the collector's full URL for this signal ` +
          `(such as ${exampleUrl(signal)}), and send any key or token in ${headers}, e.g. api-key=<key>`
      )
    })
  )

/** The values of one signal's endpoint and headers variables (or the general ones); none where unset or blank. */
interface Given {
  readonly endpoint: Option.Option<string>
  readonly headers: Option.Option<Readonly<Record<string, string>>>
  readonly protocol: Option.Option<OtlpProtocol>
  readonly timeout: Option.Option<Duration.Duration>
}

/** One signal's variables, or (with none) the general ones that every signal falls back to. */
const givenVariables = (signal: Signal | undefined): Config.Config<Given> =>
  Config.all({
    endpoint: endpointVariable(variableFor(signal, "ENDPOINT"), variableFor(signal, "HEADERS"), signal),
    headers: headersVariable(variableFor(signal, "HEADERS")),
    protocol: protocolVariable(variableFor(signal, "PROTOCOL")),
    timeout: Config.option(positiveMilliseconds(variableFor(signal, "TIMEOUT")))
  })

/**
 * One signal's target: its own endpoint as given, else the general one with `/v1/<signal>`; its own
 * headers, else the general ones (the specification: each option overridable per signal, so a
 * signal's headers replace, not join, the general ones, and a token meant for one backend is not
 * sent to another); its own protocol and timeout, else the general ones, else the defaults. The
 * variables named are the ones that apply: a signal's own headers variable when its endpoint is its
 * own and no headers were given, as that is where they would go.
 */
const signalExport = (signal: Signal, own: Given, general: Given): Option.Option<SignalExport> => {
  const url = Option.isSome(own.endpoint) ?
    own.endpoint :
    Option.map(general.endpoint, (base) => `${base.replace(/\/+$/, "")}/v1/${signal}`)
  return Option.map(url, (url) => ({
    url,
    headers: Redacted.make(Option.getOrElse(Option.orElse(own.headers, () => general.headers), () => ({}))),
    protocol: Option.getOrElse(Option.orElse(own.protocol, () => general.protocol), (): OtlpProtocol => "http/protobuf"),
    timeout: Option.getOrElse(Option.orElse(own.timeout, () => general.timeout), () => Duration.seconds(10)),
    endpointVariable: variableFor(Option.isSome(own.endpoint) ? signal : undefined, "ENDPOINT"),
    headersVariable: variableFor(
      Option.isSome(own.headers) || (Option.isSome(own.endpoint) && Option.isNone(general.headers)) ? signal : undefined,
      "HEADERS"
    )
  }))
}

/** The settings when export is switched on; none without any endpoint or with OTEL_SDK_DISABLED=true. */
export const otlpSettings = (defaultServiceName: string): Config.Config<Option.Option<OtlpSettings>> =>
  Config.all({
    disabled: Config.boolean("OTEL_SDK_DISABLED").pipe(Config.withDefault(false)),
    general: givenVariables(undefined),
    traces: givenVariables("traces"),
    metrics: givenVariables("metrics"),
    logs: givenVariables("logs"),
    serviceName: Config.string("OTEL_SERVICE_NAME").pipe(Config.withDefault(defaultServiceName)),
    resourceAttributes: keyValueList("OTEL_RESOURCE_ATTRIBUTES"),
    spanExportDelay: milliseconds("OTEL_BSP_SCHEDULE_DELAY", 5_000),
    metricExportInterval: milliseconds("OTEL_METRIC_EXPORT_INTERVAL", 60_000)
  }).pipe(
    Config.map(({ disabled, general, logs, metrics, traces, ...rest }): Option.Option<OtlpSettings> => {
      const settings = {
        ...rest,
        traces: signalExport("traces", traces, general),
        metrics: signalExport("metrics", metrics, general),
        logs: signalExport("logs", logs, general)
      }
      return disabled || [settings.traces, settings.metrics, settings.logs].every(Option.isNone) ?
        Option.none() :
        Option.some(settings)
    })
  )
