import { Command, Options } from "@effect/cli"
import { DefaultBaseUrl, DefaultConcurrency, Provisioner, SyncEngine } from "@baton-fivetran/connector-core"
import { FivetranClient, FivetranClientConfig } from "@baton-fivetran/fivetran-client"
import { embeddedSandboxClient, PresetName } from "@baton-fivetran/fivetran-sandbox"
import { type HttpClient, HttpServer, type HttpServerError } from "@effect/platform"
import { NodeHttpClient, NodeHttpServer } from "@effect/platform-node"
import { randomBytes } from "node:crypto"
import { createServer } from "node:http"
import { Config, Console, Context, Data, Effect, Layer, Option, Redacted } from "effect"
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
const DefaultSandboxPreset: PresetName = "small"

/** A secret flag: @effect/cli's own `redacted` rejects its own value when it comes from a variable, so the text is wrapped at once. */
const secret = (name: string, variable: string, description: string) =>
  Options.text(name).pipe(
    Options.withDescription(description),
    Options.withFallbackConfig(Config.string(variable)),
    Options.map(Redacted.make),
    Options.optional
  )

const flags = {
  port: Options.integer("port").pipe(
    Options.withDescription("TCP port to listen on (0 picks a free one)"),
    Options.withFallbackConfig(Config.integer("BATON_HTTP_PORT")),
    Options.withDefault(8080)
  ),
  host: Options.text("host").pipe(
    Options.withDescription("Address to listen on"),
    Options.withFallbackConfig(Config.string("BATON_HTTP_HOST")),
    Options.withDefault("127.0.0.1")
  ),
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
  concurrency: Options.integer("concurrency").pipe(
    Options.withDescription("How many Fivetran membership requests may run at once"),
    Options.withFallbackConfig(Config.integer("BATON_CONCURRENCY")),
    Options.withDefault(DefaultConcurrency)
  ),
  // Options.redacted fails to re-parse its own value when repeated, so the text is wrapped here.
  tokens: Options.text("token").pipe(
    Options.withDescription(`Bearer token clients must send (repeatable; or ${TokensVariable}, comma-separated)`),
    Options.repeated,
    Options.map((tokens) => tokens.map(Redacted.make))
  ),
  dataDir: Options.text("data-dir").pipe(
    Options.withDescription("Where finished .c1z files and job metadata are kept"),
    Options.withFallbackConfig(Config.string("BATON_HTTP_DATA_DIR")),
    Options.withDefault("./data")
  ),
  keepSyncs: Options.integer("keep-syncs").pipe(
    Options.withDescription("How many finished syncs to keep"),
    Options.withFallbackConfig(Config.integer("BATON_HTTP_KEEP_SYNCS")),
    Options.withDefault(DefaultKeepSyncs)
  ),
  provisioning: Options.boolean("provisioning").pipe(
    Options.withDescription("Enable the provisioning endpoints (grant, revoke, create account, delete)"),
    Options.withFallbackConfig(Config.boolean("BATON_PROVISIONING"))
  ),
  publicDocs: Options.boolean("public-docs").pipe(
    Options.withDescription("Serve /openapi.json and /docs (Swagger UI) without a token, for a browser"),
    Options.withFallbackConfig(Config.boolean("BATON_PUBLIC_DOCS"))
  ),
  sandbox: Options.choice("sandbox", PresetName.literals).pipe(
    Options.withDescription("Serve against an embedded Fivetran sandbox with this preset (a bare --sandbox is small)"),
    Options.optional
  )
}

type Flags = Command.Command.ParseConfig<typeof flags>

/** `--sandbox` takes an optional value, which @effect/cli cannot express: a bare one means `small`. */
const normalizeArgv = (argv: ReadonlyArray<string>): ReadonlyArray<string> =>
  argv.flatMap((arg, i) =>
    arg === "--sandbox" && (argv[i + 1] === undefined || argv[i + 1]!.startsWith("-"))
      ? [arg, DefaultSandboxPreset]
      : [arg]
  )

const positive = (flag: string, value: number, minimum: number) =>
  value >= minimum ? Effect.void : Effect.fail(new StartupError({ reason: `--${flag} must be at least ${minimum}, got ${value}` }))

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

const sandboxTarget = (preset: PresetName, tokens: ReadonlyArray<Redacted.Redacted<string>>): Target => {
  const generated = tokens.length === 0 ? Option.some(Redacted.make(randomBytes(24).toString("base64url"))) : Option.none()
  const client = embeddedSandboxClient(
    preset,
    (baseUrl) => Console.log(`embedded Fivetran sandbox ("${preset}" preset) at ${baseUrl}`)
  )
  return {
    client,
    tokens: Option.match(generated, { onNone: () => tokens, onSome: (token) => [token] }),
    generatedToken: generated
  }
}

const remoteTarget = (flags: Flags, tokens: ReadonlyArray<Redacted.Redacted<string>>) =>
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
      baseUrl: flags.baseUrl.replace(/\/+$/, "")
    }))
    return { client, tokens, generatedToken: Option.none() } satisfies Target
  })

const serverUrl = (address: HttpServer.Address) =>
  address._tag === "TcpAddress"
    ? `http://${address.hostname.includes(":") ? `[${address.hostname}]` : address.hostname}:${address.port}`
    : `unix:${address.path}`

/** Starts the service and serves until interrupted (SIGTERM/SIGINT through NodeRuntime.runMain). */
const serve = (flags: Flags) =>
  Effect.gen(function*() {
    yield* positive("concurrency", flags.concurrency, 1)
    yield* positive("keep-syncs", flags.keepSyncs, 1)
    if (flags.port < 0 || flags.port > 65535) {
      return yield* new StartupError({ reason: `--port must be from 0 to 65535, got ${flags.port}` })
    }
    const tokens = yield* readTokens(flags.tokens)
    const target = yield* Option.match(flags.sandbox, {
      onNone: () => remoteTarget(flags, tokens),
      onSome: (preset) => Effect.succeed(sandboxTarget(preset, tokens))
    })
    const config: ServiceConfigShape = {
      tokens: target.tokens,
      publicDocs: flags.publicDocs,
      dataDir: flags.dataDir,
      keepSyncs: flags.keepSyncs,
      provisioning: flags.provisioning,
      syncConnections: flags.syncConnections,
      exclusionGroups: flags.exclusionGroups,
      concurrency: flags.concurrency,
      maxBodyBytes: DefaultMaxBodyBytes
    }
    const connector = Layer.merge(
      SyncEngine.layer,
      Provisioner.layer({ enabled: flags.provisioning, syncConnections: flags.syncConnections })
    ).pipe(Layer.provideMerge(target.client))
    const service = makeServer(config).pipe(
      Layer.provideMerge(NodeHttpServer.layer(createServer, { port: flags.port, host: flags.host })),
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

const command = Command.make("baton-fivetran-http", flags, serve).pipe(
  Command.withDescription("Serves the Fivetran baton connector over HTTP: sync jobs, queries, provisioning, OpenAPI")
)

export const run = (argv: ReadonlyArray<string>) =>
  Command.run(command, { name: "baton-fivetran-http", version: "0.1.0" })(normalizeArgv(argv))
