import { Version } from "@baton-fivetran/fivetran-client/version"
import { Command, Options } from "@effect/cli"
import { DefaultBaseUrl, DefaultConcurrency, Provisioner, SyncEngine, telemetryLayer } from "@baton-fivetran/connector-core"
import { type BatonLogLevel, type LogFormat, LogFormats, loggingLayer, LogLevels } from "@baton-fivetran/connector-core/logging"
import { FivetranClient, FivetranClientConfig, parseWaitDuration } from "@baton-fivetran/fivetran-client"
import { embeddedSandboxClient, PresetName } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem, type HttpClient, HttpServer, type HttpServerError } from "@effect/platform"
import { NodeHttpClient, NodeHttpServer } from "@effect/platform-node"
import { randomBytes } from "node:crypto"
import { createServer } from "node:http"
import { Config, Console, Context, Data, Effect, Layer, Option, Redacted, Schema } from "effect"
import { makeServer } from "./Http.js"
import { DefaultKeepSyncs, DefaultMaxBodyBytes, type ServiceConfigShape } from "./ServiceConfig.js"

/**
 * `baton-fivetran-http`: flags, their `BATON_*` environment variables, and the start-up that
 * refuses to run half-configured. Flags win over the environment.
 */

/** A setting is missing or wrong; main.ts exits 2 with this message. */
export class StartupError extends Data.TaggedError("StartupError")<{ readonly reason: string }> {
  override get message() {
    return this.reason
  }
}

const TokensVariable = "BATON_HTTP_TOKENS"
/** The CLI's bound too: more parallel membership requests only meet Fivetran's rate limit sooner. */
const MaxConcurrency = 64
const DefaultSandboxPreset: PresetName = "small"

/** A secret flag: @effect/cli's own `redacted` rejects its own value when it comes from a variable, so the text is wrapped at once. */
const secret = (name: string, variable: string, description: string) =>
  Options.text(name).pipe(
    Options.withDescription(description),
    Options.withFallbackConfig(Config.string(variable)),
    Options.map(Redacted.make),
    Options.optional
  )

/** A value flag read as text; the settings check (below) turns it into a value or a StartupError naming it. */
const text = (name: string, description: string) =>
  Options.text(name).pipe(Options.withDescription(description), Options.optional)

const flags = {
  port: text("port", "TCP port to listen on (0 picks a free one); default 8080"),
  host: text("host", "Address to listen on; default 127.0.0.1"),
  apiKey: secret("api-key", "BATON_API_KEY", "Fivetran API key"),
  apiSecret: secret("api-secret", "BATON_API_SECRET", "Fivetran API secret"),
  baseUrl: Options.text("base-url").pipe(
    Options.withDescription("Fivetran REST API base URL"),
    Options.withFallbackConfig(Config.string("BATON_BASE_URL")),
    Options.withDefault(DefaultBaseUrl)
  ),
  syncConnections: Options.boolean("sync-connections").pipe(
    Options.withDescription("Also sync connections and connection-level access"),
    Options.withFallbackConfig(Config.boolean("BATON_SYNC_CONNECTIONS"))
  ),
  exclusionGroups: Options.boolean("exclusion-groups").pipe(
    Options.withDescription(
      "Also write EntitlementExclusionGroup annotations in sync files; readers need a baton-sdk newer than v0.7.27"
    ),
    Options.withFallbackConfig(Config.boolean("BATON_EXCLUSION_GROUPS"))
  ),
  concurrency: text("concurrency", `How many Fivetran membership requests may run at once; default ${DefaultConcurrency}`),
  syncEvery: text(
    "sync-every",
    "Run a sync at start-up and then every this long (e.g. 6h; ±10% jitter); delayed while the rate-limit budget would not fit it"
  ),
  rateLimitReserve: text(
    "rate-limit-reserve",
    "Percent of the account's hourly Fivetran request limit left to its other tools, never spent here; default 20"
  ),
  maxRateLimitWait: text(
    "max-rate-limit-wait",
    "Longest wait for Fivetran's rate limit (e.g. 10m, 1h30m); a longer one fails the sync at once; default 1h"
  ),
  // Options.redacted fails to re-parse its own value when repeated, so the text is wrapped here.
  tokens: Options.text("token").pipe(
    Options.withDescription(`Bearer token clients must send (repeatable; or ${TokensVariable}, comma-separated)`),
    Options.repeated,
    Options.map((tokens) => tokens.map(Redacted.make))
  ),
  dataDir: text("data-dir", "Where finished .c1z files and job metadata are kept; default ./data"),
  keepSyncs: text("keep-syncs", `How many finished syncs to keep; default ${DefaultKeepSyncs}`),
  provisioning: Options.boolean("provisioning").pipe(
    Options.withDescription("Enable the provisioning endpoints (grant, revoke, create account, delete)"),
    Options.withFallbackConfig(Config.boolean("BATON_PROVISIONING"))
  ),
  publicDocs: Options.boolean("public-docs").pipe(
    Options.withDescription("Serve /openapi.json and /docs (Swagger UI) without a token, for a browser"),
    Options.withFallbackConfig(Config.boolean("BATON_PUBLIC_DOCS"))
  ),
  publicMetrics: Options.boolean("public-metrics").pipe(
    Options.withDescription("Serve /metrics (Prometheus text) without a token, for a scraper without credentials"),
    Options.withFallbackConfig(Config.boolean("BATON_PUBLIC_METRICS"))
  ),
  logFormat: text("log-format", `Log format on stderr: ${LogFormats.join(", ")}; default console on a terminal, else json`),
  sandbox: text(
    "sandbox",
    `Serve against an embedded Fivetran sandbox with this preset: ${PresetName.literals.join(", ")} (a bare --sandbox is small)`
  )
}

type Flags = Command.Command.ParseConfig<typeof flags>

/** `--sandbox` takes an optional value, which @effect/cli cannot express: a bare one means `small`. */
const normalizeSandbox = (argv: ReadonlyArray<string>): ReadonlyArray<string> =>
  argv.flatMap((arg, i) =>
    arg === "--sandbox" && (argv[i + 1] === undefined || argv[i + 1]!.startsWith("-"))
      ? [arg, DefaultSandboxPreset]
      : [arg]
  )

/**
 * `--log-level` is an @effect/cli built-in with Effect's level names; baton's `debug|info|warn|error`
 * (as the CLI's) is taken out of argv here and checked with the other settings. A missing value is
 * kept as "" so that it is reported as a bad value.
 */
const takeLogLevel = (argv: ReadonlyArray<string>) => {
  const args: Array<string> = []
  let logLevel = Option.none<string>()
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === "--log-level") {
      const next = argv[i + 1]
      const present = next !== undefined && !next.startsWith("-")
      logLevel = Option.some(present ? next : "")
      if (present) i++
    } else if (arg.startsWith("--log-level=")) {
      logLevel = Option.some(arg.slice("--log-level=".length))
    } else {
      args.push(arg)
    }
  }
  return { args, logLevel }
}

/** A setting's value and where it came from (`--port` or `BATON_HTTP_PORT`), for the messages. */
interface Given {
  readonly value: string
  readonly source: string
}

/** The flag's value, else its environment variable's, else the default. */
const given = (flag: string, value: Option.Option<string>, variable: string | undefined, fallback: string) =>
  Effect.gen(function*() {
    if (Option.isSome(value)) return { value: value.value, source: `--${flag}` } satisfies Given
    if (variable !== undefined) {
      const env = yield* Config.option(Config.string(variable)).pipe(
        Effect.mapError(() => new StartupError({ reason: `${variable} could not be read` }))
      )
      if (Option.isSome(env)) return { value: env.value, source: variable } satisfies Given
    }
    return { value: fallback, source: `--${flag}` } satisfies Given
  })

const shown = (value: string) => JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}...` : value)

const integerSetting = (setting: Given, minimum: number, maximum: number) => {
  const value = Number(setting.value)
  return /^\s*-?\d+\s*$/.test(setting.value) && value >= minimum && value <= maximum
    ? Effect.succeed(value)
    : Effect.fail(
      new StartupError({
        reason: `${setting.source} must be a whole number from ${minimum} to ${maximum}, got ${shown(setting.value)}`
      })
    )
}

const nonEmptySetting = (setting: Given) =>
  setting.value.trim() !== ""
    ? Effect.succeed(setting.value)
    : Effect.fail(new StartupError({ reason: `${setting.source} must not be empty` }))

const choiceSetting = <A extends string>(setting: Given, choices: ReadonlyArray<A>): Effect.Effect<A, StartupError> => {
  const choice = choices.find((c) => c === setting.value)
  return choice !== undefined
    ? Effect.succeed(choice)
    : Effect.fail(
      new StartupError({ reason: `${setting.source} must be one of ${choices.join(", ")}, got ${shown(setting.value)}` })
    )
}

/** baton's rule: console logs for a person at a terminal, JSON for anything else. */
const defaultLogFormat = (): LogFormat => process.stderr.isTTY ? "console" : "json"

const writeStderr = (line: string) => {
  process.stderr.write(`${line}\n`)
}

/** Logs on stderr, and OTLP export when the OTEL_* variables ask for it (flushed after the server stopped). */
const observed = (flags: Flags, logLevelFlag: Option.Option<string>) =>
  Layer.unwrapEffect(Effect.gen(function*() {
    const level = yield* given("log-level", logLevelFlag, "BATON_LOG_LEVEL", "info").pipe(
      Effect.flatMap((setting) => choiceSetting<BatonLogLevel>(setting, LogLevels))
    )
    const format = yield* given("log-format", flags.logFormat, "BATON_LOG_FORMAT", defaultLogFormat()).pipe(
      Effect.flatMap((setting) => choiceSetting<LogFormat>(setting, LogFormats))
    )
    return Layer.merge(
      loggingLayer(level, format, writeStderr),
      telemetryLayer({ name: "baton-fivetran-http", version: Version }).pipe(
        Layer.mapError((error) => new StartupError({ reason: `bad OpenTelemetry setting: ${error}` })),
        Layer.provide(NodeHttpClient.layerUndici)
      )
    )
  }))

const presetSetting = (value: string) =>
  Schema.decodeUnknownOption(PresetName)(value).pipe(Option.match({
    onSome: Effect.succeed,
    onNone: () =>
      Effect.fail(
        new StartupError({ reason: `--sandbox must be one of ${PresetName.literals.join(", ")}, got ${shown(value)}` })
      )
  }))

/** Tokens from `--token` flags, else from the environment variable; blanks are ignored. */
const readTokens = (fromFlags: ReadonlyArray<Redacted.Redacted<string>>) =>
  Effect.gen(function*() {
    const given = fromFlags.filter((token) => Redacted.value(token).trim() !== "")
    if (given.length > 0) return given
    const env = yield* Config.option(Config.redacted(TokensVariable)).pipe(
      Effect.mapError(() => new StartupError({ reason: `${TokensVariable} could not be read` }))
    )
    return Option.match(env, {
      onNone: () => [],
      onSome: (list) =>
        Redacted.value(list).split(",").map((token) => token.trim()).filter((token) => token !== "").map((token) =>
          Redacted.make(token)
        )
    })
  })

/** What the process serves against, and the tokens it accepts. */
interface Target {
  readonly client: Layer.Layer<FivetranClient, StartupError | HttpServerError.ServeError, HttpClient.HttpClient>
  readonly tokens: ReadonlyArray<Redacted.Redacted<string>>
  /** A token generated for this run, printed once. */
  readonly generatedToken: Option.Option<Redacted.Redacted<string>>
}

/** The client's rate-limit settings, from `--rate-limit-reserve` and `--max-rate-limit-wait`. */
type Budget = Pick<FivetranClientConfig, "rateLimitReservePercent" | "maxRateLimitWaitSeconds">

const readBudget = (flags: Flags) =>
  Effect.gen(function*() {
    const reserve = yield* given("rate-limit-reserve", flags.rateLimitReserve, "BATON_RATE_LIMIT_RESERVE", "20")
      .pipe(Effect.flatMap((setting) => integerSetting(setting, 0, 99)))
    const maxWait = yield* given("max-rate-limit-wait", flags.maxRateLimitWait, "BATON_MAX_RATE_LIMIT_WAIT", "1h")
    const millis = yield* Option.match(parseWaitDuration(maxWait.value), {
      onNone: () =>
        Effect.fail(
          new StartupError({ reason: `${maxWait.source} ${shown(maxWait.value)} is not a duration such as 1h, 10m, 90s or 1h30m` })
        ),
      onSome: Effect.succeed
    })
    return { rateLimitReservePercent: reserve, maxRateLimitWaitSeconds: Math.ceil(millis / 1000) } satisfies Budget
  })

const readSyncEvery = (flags: Flags) =>
  Effect.gen(function*() {
    const every = yield* given("sync-every", flags.syncEvery, "BATON_HTTP_SYNC_EVERY", "")
    if (every.value.trim() === "") return Option.none<number>()
    return yield* Option.match(parseWaitDuration(every.value), {
      onNone: () =>
        Effect.fail(new StartupError({ reason: `${every.source} ${shown(every.value)} is not a duration such as 6h, 30m or 1h30m` })),
      onSome: (millis) => Effect.succeed(Option.some(millis))
    })
  })

const sandboxTarget = (preset: PresetName, tokens: ReadonlyArray<Redacted.Redacted<string>>, budget: Budget): Target => {
  const generated = tokens.length === 0 ? Option.some(Redacted.make(randomBytes(24).toString("base64url"))) : Option.none()
  const client = embeddedSandboxClient(
    preset,
    (baseUrl) => Console.log(`embedded Fivetran sandbox ("${preset}" preset) at ${baseUrl}`),
    budget
  )
  return {
    client,
    tokens: Option.match(generated, { onNone: () => tokens, onSome: (token) => [token] }),
    generatedToken: generated
  }
}

const remoteTarget = (flags: Flags, tokens: ReadonlyArray<Redacted.Redacted<string>>, budget: Budget) =>
  Effect.gen(function*() {
    const missing = [
      ...(Option.isNone(flags.apiKey) ? ["--api-key (or BATON_API_KEY)"] : []),
      ...(Option.isNone(flags.apiSecret) ? ["--api-secret (or BATON_API_SECRET)"] : []),
      ...(tokens.length === 0 ? [`at least one --token (or ${TokensVariable})`] : [])
    ]
    if (Option.isNone(flags.apiKey) || Option.isNone(flags.apiSecret) || missing.length > 0) {
      return yield* new StartupError({
        reason: `missing ${missing.join(", ")}; or start with --sandbox to serve against an embedded sandbox`
      })
    }
    if (!URL.canParse(flags.baseUrl) || !/^https?:$/.test(new URL(flags.baseUrl).protocol)) {
      return yield* new StartupError({ reason: `--base-url must be an http(s) URL, got "${flags.baseUrl}"` })
    }
    const client = FivetranClient.layer(FivetranClientConfig.make({
      apiKey: flags.apiKey.value,
      apiSecret: flags.apiSecret.value,
      baseUrl: flags.baseUrl.replace(/\/+$/, ""),
      ...budget
    }))
    return { client, tokens, generatedToken: Option.none() } satisfies Target
  })

const serverUrl = (address: HttpServer.Address) =>
  address._tag === "TcpAddress"
    ? `http://${address.hostname.includes(":") ? `[${address.hostname}]` : address.hostname}:${address.port}`
    : `unix:${address.path}`

/** The Node error code of a failed listen (EADDRINUSE, ENOTFOUND, ...), if there is one. */
const errnoCode = (cause: unknown): string | undefined =>
  typeof cause === "object" && cause !== null && "code" in cause && typeof cause.code === "string" ? cause.code : undefined

/** Why the server could not listen, naming the setting to change. */
const listenRefusal = (host: Given, port: Given) => (error: HttpServerError.ServeError) => {
  const code = errnoCode(error.cause)
  switch (code) {
    case "EADDRINUSE":
      return new StartupError({
        reason: `${port.source} ${port.value}: the port is already in use on ${host.value}; choose another port, or --port 0 for any free one`
      })
    case "EACCES":
      return new StartupError({
        reason: `${port.source} ${port.value}: not allowed to listen on this port; choose one above 1023, or --port 0 for any free one`
      })
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EADDRNOTAVAIL":
    case "EAFNOSUPPORT":
    case "EINVAL":
      return new StartupError({
        reason: `${host.source} ${shown(host.value)}: cannot listen on this address (${code}); use an address of this machine, e.g. 127.0.0.1 or 0.0.0.0`
      })
    default:
      return new StartupError({
        reason: `cannot listen on ${host.value}:${port.value} (${code ?? String(error.cause)})`
      })
  }
}

/**
 * The data directory must be a writable directory (it is created if missing); checked before
 * anything starts, so a wrong one is one line naming it rather than a failure later.
 */
const checkDataDir = (setting: Given) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const dir = setting.value
    const refuse = (why: string) => new StartupError({ reason: `${setting.source} ${shown(dir)} ${why}` })
    const existing = yield* Effect.option(fs.stat(dir))
    if (Option.isSome(existing) && existing.value.type !== "Directory") {
      return yield* refuse(`is not a directory (it is a ${existing.value.type}); give a directory for the sync files`)
    }
    if (Option.isNone(existing)) {
      yield* fs.makeDirectory(dir, { recursive: true }).pipe(
        Effect.mapError((error) => refuse(`cannot be created (${errnoCode(error.cause) ?? error.message})`))
      )
    }
    yield* fs.access(dir, { writable: true }).pipe(Effect.mapError(() => refuse("is not writable")))
  })

/** Starts the service and serves until interrupted (SIGTERM/SIGINT through NodeRuntime.runMain). */
const serve = (flags: Flags) =>
  Effect.gen(function*() {
    const concurrency = yield* given("concurrency", flags.concurrency, "BATON_CONCURRENCY", String(DefaultConcurrency))
      .pipe(Effect.flatMap((setting) => integerSetting(setting, 1, MaxConcurrency)))
    const keepSyncs = yield* given("keep-syncs", flags.keepSyncs, "BATON_HTTP_KEEP_SYNCS", String(DefaultKeepSyncs))
      .pipe(Effect.flatMap((setting) => integerSetting(setting, 1, 100_000)))
    const portSetting = yield* given("port", flags.port, "BATON_HTTP_PORT", "8080")
    const port = yield* integerSetting(portSetting, 0, 65535)
    const host = yield* given("host", flags.host, "BATON_HTTP_HOST", "127.0.0.1")
    yield* nonEmptySetting(host)
    const dataDir = yield* given("data-dir", flags.dataDir, "BATON_HTTP_DATA_DIR", "./data")
    yield* nonEmptySetting(dataDir)
    const preset = yield* Effect.transposeOption(Option.map(flags.sandbox, presetSetting))
    yield* checkDataDir(dataDir)
    const budget = yield* readBudget(flags)
    const tokens = yield* readTokens(flags.tokens)
    const target = yield* Option.match(preset, {
      onNone: () => remoteTarget(flags, tokens, budget),
      onSome: (preset) => Effect.succeed(sandboxTarget(preset, tokens, budget))
    })
    const config: ServiceConfigShape = {
      tokens: target.tokens,
      publicDocs: flags.publicDocs,
      publicMetrics: flags.publicMetrics,
      dataDir: dataDir.value,
      keepSyncs,
      provisioning: flags.provisioning,
      syncConnections: flags.syncConnections,
      exclusionGroups: flags.exclusionGroups,
      concurrency,
      syncEveryMillis: yield* readSyncEvery(flags),
      maxBodyBytes: DefaultMaxBodyBytes
    }
    const connector = Layer.merge(
      SyncEngine.layer,
      Provisioner.layer({ enabled: flags.provisioning, syncConnections: flags.syncConnections })
    ).pipe(Layer.provideMerge(target.client))
    const service = makeServer(config).pipe(
      Layer.provideMerge(
        NodeHttpServer.layer(createServer, { port, host: host.value }).pipe(Layer.mapError(listenRefusal(host, portSetting)))
      ),
      Layer.provideMerge(connector),
      Layer.provide(NodeHttpClient.layerUndici)
    )
    yield* Effect.scoped(Effect.gen(function*() {
      const context = yield* Layer.build(service)
      const url = serverUrl(Context.get(context, HttpServer.HttpServer).address)
      const lines = [
        `baton-fivetran-http listening on ${url} (OpenAPI ${url}/openapi.json, docs ${url}/docs${
          config.publicDocs ? ", served without a token" : ", token required"
        })`,
        ...Option.match(target.generatedToken, {
          onNone: () => [],
          onSome: (token) => [`bearer token for this run (shown once): ${Redacted.value(token)}`]
        }),
        `provisioning ${config.provisioning ? "enabled" : "disabled (start with --provisioning to enable)"}`
      ]
      yield* Effect.forEach(lines, (line) => Console.log(line), { discard: true })
      return yield* Effect.never
    }))
  })

const command = (logLevel: Option.Option<string>) =>
  Command.make("baton-fivetran-http", flags, (flags) => Effect.provide(serve(flags), observed(flags, logLevel))).pipe(
    Command.withDescription(
      "Serves the Fivetran baton connector over HTTP: sync jobs, queries, provisioning, OpenAPI, /metrics. " +
        "Also takes --log-level debug|info|warn|error (env BATON_LOG_LEVEL, default info). " +
        "OTEL_EXPORTER_OTLP_ENDPOINT switches on OTLP export of traces, metrics and logs."
    )
  )

export const run = (argv: ReadonlyArray<string>) => {
  const { args, logLevel } = takeLogLevel(normalizeSandbox(argv))
  return Command.run(command(logLevel), { name: "baton-fivetran-http", version: Version })(args)
}
