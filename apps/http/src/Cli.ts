import { Version, VersionLine } from "@baton-fivetran/fivetran-client/version"
import { CliConfig, Command, Options, ValidationError } from "@effect/cli"
import { Provisioner, SyncEngine, telemetryLayer } from "@baton-fivetran/connector-core"
import { loggingLayer } from "@baton-fivetran/connector-core/logging"
import { egressProxyFor, errorCodeOf, FivetranClient, FivetranClientConfig, urlHost } from "@baton-fivetran/fivetran-client"
import { echoed } from "@baton-fivetran/fivetran-client/echoed-text"
import { withConsoleText } from "@baton-fivetran/fivetran-client/console-text"
import { quoted } from "@baton-fivetran/http-api"
import type { PresetName } from "@baton-fivetran/fivetran-sandbox"
import {
  ApiKeyCredential,
  ApiSecretCredential,
  BatonSettings,
  BuiltInRequest,
  checkFlags,
  checkSandboxOrFivetran,
  commandFlags,
  type Credential,
  type CommandLine,
  configErrorText,
  emptyVariableNote,
  explainLeftover,
  find,
  findCredential,
  type FlagValue,
  helpText,
  ignoredKeys,
  ignoredVariables,
  loadConfigFile,
  makePrivateDirectory,
  misspeltKeyWarnings,
  lookup,
  LogLevels,
  normalizeArgv,
  resolve,
  resolveSourced,
  type Setting,
  type SettingSources,
  settingOptions,
  withGivenFlags,
  type Sourced,
  withOneFinalLineBreak,
  withPlainHelp
} from "@baton-fivetran/settings"
import { FileSystem, HttpServer, type HttpServerError } from "@effect/platform"
import { randomBytes } from "node:crypto"
import { join } from "node:path"
import { Console, Context, Data, Effect, Layer, Option, Redacted } from "effect"
import { hostPolicy } from "./AllowedHosts.js"
import { type ServiceTokens, sharedReadToken } from "./Auth.js"
import { serviceServerLayer } from "./ClientErrors.js"
import { credentialFileReload } from "./CredentialFileReload.js"
import { DataDirLock } from "./DataDirLock.js"
import { exportHttpClients } from "./ExportHttpClients.js"
import { makeServer } from "./Http.js"
import { warnSecretFlags } from "./SecretFlags.js"
import { scratchRemovedAtStop } from "./ScratchAtStop.js"
import { DefaultMaxBodyBytes, type ServiceConfigShape } from "./ServiceConfig.js"
import {
  AllowedHosts,
  DataDir,
  Host,
  KeepAliveTimeout,
  KeepSyncs,
  MaxConcurrentExports,
  MaxConnections,
  MaxProvisioningWait,
  ReadinessTimeout,
  Port,
  PublicDocs,
  PublicMetrics,
  ReadTokenFile,
  ReadTokens,
  RequestArrivalTimeout,
  DownloadStallTimeout,
  Sandbox,
  ServiceSettings,
  SyncEvery,
  TempDir,
  TokenFile,
  Tokens
} from "./Settings.js"
import { readTokenFile, watchedTokenFile, type WatchedTokenFile } from "./TokenFile.js"

/**
 * `baton-fivetran-http`: its settings (Settings.ts and the shared ones, each from flag > `BATON_*`
 * variable > `.baton.yaml` > default), and the start-up that refuses to run half-configured.
 */

/** A setting is missing or wrong; main.ts exits 2 with this message. */
export class StartupError extends Data.TaggedError("StartupError")<{ readonly reason: string }> {
  override get message() {
    return this.reason
  }
}

const flags = { settings: settingOptions(ServiceSettings) }

const writeStderr = (line: string) => {
  process.stderr.write(`${line}\n`)
}

/**
 * Logs on stderr, and OTLP export when the OTEL_* variables ask for it (flushed after the server
 * stopped). The logger is in place before the exporter starts: its fibers keep the logger they
 * started with, so its warnings follow BATON_LOG_FORMAT and BATON_LOG_LEVEL.
 */
const observed = (sources: SettingSources) =>
  Layer.unwrapEffect(Effect.gen(function*() {
    const level = yield* resolve(BatonSettings.LogLevel, sources)
    const format = yield* resolve(BatonSettings.LogFormat, sources)
    return telemetryLayer({ name: "baton-fivetran-http", version: Version }).pipe(
      Layer.mapError((error) =>
        new StartupError({
          reason: error._tag === "ExportProxySettingError" ?
            `bad proxy setting: ${configErrorText(error.cause)}` :
            `bad OpenTelemetry setting: ${configErrorText(error)}`
        })
      ),
      Layer.provide(exportHttpClients),
      Layer.provideMerge(loggingLayer(level, format, writeStderr))
    )
  }))

/** What the process serves against, and the tokens it accepts. */
interface Target {
  readonly client: Layer.Layer<FivetranClient, StartupError | HttpServerError.ServeError, FileSystem.FileSystem>
  readonly tokens: ReadonlyArray<Redacted.Redacted<string>>
  /** A token generated for this run, printed once. */
  readonly generatedToken: Option.Option<Redacted.Redacted<string>>
}

/**
 * The client's rate-limit settings and its request timeout, from `--rate-limit-reserve`,
 * `--max-rate-limit-wait` and `--request-timeout`.
 */
type Tuning = Pick<FivetranClientConfig, "rateLimitReservePercent" | "maxRateLimitWaitSeconds" | "requestTimeoutSeconds">

const readTuning = (sources: SettingSources) =>
  Effect.gen(function*() {
    const reserve = yield* resolve(BatonSettings.RateLimitReserve, sources)
    const waitMillis = yield* resolve(BatonSettings.MaxRateLimitWait, sources)
    const timeoutMillis = yield* resolve(BatonSettings.RequestTimeout, sources)
    return {
      rateLimitReservePercent: reserve,
      maxRateLimitWaitSeconds: Math.ceil(waitMillis / 1000),
      requestTimeoutSeconds: timeoutMillis / 1000
    } satisfies Tuning
  })

/**
 * The sandbox (its generator, account schemas and HTTP server) is imported only for `--sandbox`: a
 * start against Fivetran ran its modules' top level for nothing, before it could answer `/healthz`.
 */
const sandboxModule = Effect.promise(() => import("@baton-fivetran/fivetran-sandbox"))

const sandboxTarget = (preset: PresetName, tokens: ReadonlyArray<Redacted.Redacted<string>>, tuning: Tuning): Target => {
  const generated = tokens.length === 0 ? Option.some(Redacted.make(randomBytes(24).toString("base64url"))) : Option.none()
  const client = Layer.unwrapEffect(Effect.map(sandboxModule, (module) =>
    module.embeddedSandboxClient(
      preset,
      (baseUrl) => Console.log(`embedded Fivetran sandbox ("${preset}" preset) at ${baseUrl}`),
      tuning
    )))
  return {
    client,
    tokens: Option.match(generated, { onNone: () => tokens, onSome: (token) => [token] }),
    generatedToken: generated
  }
}

/** How a refusal names a missing setting: `--api-key (or BATON_API_KEY)`. */
const missingName = (setting: { readonly flag: string; readonly env: string }) => `--${setting.flag} (or ${setting.env})`

/** A missing key or secret as the refusal names it, and its file's setting; saying when its variable is set but empty. */
const missingCredential = (credential: Credential) =>
  Effect.map(emptyVariableNote(credential.value), (note) => `${missingName(credential.value)}${note} or ${missingName(credential.file)}`)

const remoteTarget = (sources: SettingSources, tokens: ReadonlyArray<Redacted.Redacted<string>>, tuning: Tuning) =>
  Effect.gen(function*() {
    const apiKey = yield* findCredential(ApiKeyCredential, sources)
    const apiSecret = yield* findCredential(ApiSecretCredential, sources)
    const baseUrl = yield* resolve(BatonSettings.BaseUrl, sources)
    const missing = [
      ...(Option.isNone(apiKey) ? [yield* missingCredential(ApiKeyCredential)] : []),
      ...(Option.isNone(apiSecret) ? [yield* missingCredential(ApiSecretCredential)] : []),
      ...(tokens.length === 0 ? [`at least one ${missingName(Tokens)} or a ${missingName(TokenFile)}`] : [])
    ]
    if (Option.isNone(apiKey) || Option.isNone(apiSecret) || missing.length > 0) {
      return yield* new StartupError({
        reason: `missing ${missing.join(", ")}; or start with --sandbox to serve against an embedded sandbox`
      })
    }
    const proxy = yield* Effect.mapError(egressProxyFor(baseUrl), (error) =>
      new StartupError({ reason: `bad proxy setting: ${configErrorText(error)}` }))
    // Their files (if given) are re-read while the client serves: every request goes with the pair in force.
    const files = [apiKey.value, apiSecret.value].flatMap(({ file }) =>
      Option.toArray(file)
    )
    const client = Layer.unwrapScoped(Effect.map(
      credentialFileReload({ apiKey: apiKey.value.value, apiSecret: apiSecret.value.value }, files),
      (credentials) => FivetranClient.layer(FivetranClientConfig.make({ credentials, baseUrl, proxy, ...tuning }))
    ))
    return { client, tokens, generatedToken: Option.none() } satisfies Target
  })

const serverUrl = (address: HttpServer.Address) =>
  address._tag === "TcpAddress"
    ? `http://${urlHost(address.hostname)}:${address.port}`
    : `unix:${address.path}`

/** Why the server could not listen, naming the setting to change. */
const listenRefusal = (host: Sourced<string>, port: Sourced<number>) => (error: HttpServerError.ServeError) => {
  const code = errorCodeOf(error.cause)
  switch (code) {
    case "EADDRINUSE":
      return new StartupError({
        reason:
          `${port.source} ${port.value}: the port is already in use on ${host.value}; choose another port, or --port 0 for any free one`
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
        reason: `${host.source} ${
          quoted(host.value)
        }: cannot listen on this address (${code}); use an address of this machine, e.g. 127.0.0.1 or 0.0.0.0`
      })
    default:
      return new StartupError({
        reason: `cannot listen on ${host.value}:${port.value} (${code ?? String(error.cause)})`
      })
  }
}

/**
 * A directory the service writes in must be a writable directory (it is created if missing); checked
 * before anything starts, so a wrong one is one line naming it and its setting rather than a failure
 * later. Writable means a directory can be made in it (what a reader of a sync does), which also
 * catches a read-only file system whatever the user.
 */
const checkDirectory = (setting: Sourced<string>, holds: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const dir = setting.value
    const refuse = (why: string) => new StartupError({ reason: `${setting.source} ${quoted(dir)} ${why}` })
    const existing = yield* Effect.option(fs.stat(dir))
    if (Option.isSome(existing) && existing.value.type !== "Directory") {
      return yield* refuse(`is not a directory (it is a ${existing.value.type}); give a directory for ${holds}`)
    }
    if (Option.isNone(existing)) {
      yield* makePrivateDirectory(dir).pipe(
        Effect.mapError((error) => refuse(`cannot be created (${errorCodeOf(error.cause) ?? error.message})`))
      )
    }
    const probe = yield* fs.makeTempDirectory({ directory: dir, prefix: ".writable-" }).pipe(
      Effect.mapError((error) => refuse(`is not writable (${errorCodeOf(error.cause) ?? error.message})`))
    )
    yield* Effect.ignore(fs.remove(probe, { recursive: true }))
  })

/** `--temp-dir`, by default `tmp` in the data directory: the volume sized for the service's data. */
const tempDirSetting = (sources: SettingSources, dataDir: string) =>
  Effect.map(
    find(TempDir, sources),
    Option.getOrElse((): Sourced<string> => ({
      value: join(dataDir, "tmp"),
      source: `--${TempDir.flag} (default: tmp in the data directory)`,
      origin: "default"
    }))
  )

/** A read-only token that is also a token of --token is refused, naming its place in the list, never its value. */
const readOnlyTokensApart = (accepted: ServiceTokens, names: { readonly tokens: string; readonly readTokens: string }) =>
  Option.match(sharedReadToken(accepted), {
    onNone: () => Effect.void,
    onSome: (shared) => {
      const which = accepted.readTokens.length === 1 ? "the token" : `token ${shared + 1} of ${accepted.readTokens.length}`
      return new StartupError({
        reason: `${which} of ${names.readTokens} is also a token of ${names.tokens}, which may do everything ` +
          `(provisioning included), so it would not be read-only: remove it from ${names.tokens}`
      })
    }
  })

/**
 * A list of tokens from its flag or its file (the flag's variable and key, the file's), never both:
 * the file is re-read while the service runs and the flag is not, so which tokens would serve
 * after a rotation could only be guessed. Each file is read here, before anything starts: a missing
 * or invalid one refuses the start, as a bad --token does.
 */
const tokenSource = (
  list: Setting<ReadonlyArray<Redacted.Redacted<string>>>,
  fileSetting: Setting<string>,
  kind: WatchedTokenFile["list"],
  sources: SettingSources
) =>
  Effect.gen(function*() {
    const given = yield* find(list, sources)
    const named = yield* find(fileSetting, sources)
    if (Option.isNone(named)) {
      return { tokens: Option.match(given, { onNone: () => [], onSome: ({ value }) => value }), name: missingName(list), file: [] }
    }
    if (Option.isSome(given)) {
      return yield* new StartupError({
        reason: `both ${given.value.source} and ${named.value.source} are given; give one: drop ${given.value.source} to ` +
          `rotate its tokens without a restart (the file is re-read while the service runs), or drop ${named.value.source}`
      })
    }
    const file = watchedTokenFile(kind, named.value)
    const content = yield* Effect.mapError(readTokenFile(file), (refused) => new StartupError({ reason: refused.reason }))
    return { tokens: content.tokens, name: file.name, file: [{ file, started: content.seen }] }
  })

/** Starts the service and serves until interrupted (SIGTERM/SIGINT through NodeRuntime.runMain). */
const serve = (sources: SettingSources) =>
  Effect.gen(function*() {
    const concurrency = yield* resolve(BatonSettings.Concurrency, sources)
    const keepSyncs = yield* resolve(KeepSyncs, sources)
    const port = yield* resolveSourced(Port, sources)
    const host = yield* resolveSourced(Host, sources)
    const dataDir = yield* resolveSourced(DataDir, sources)
    const preset = yield* lookup(Sandbox, sources)
    yield* checkSandboxOrFivetran(Sandbox, sources)
    // Before the directories are made: a refused token leaves nothing behind.
    const tokenList = yield* tokenSource(Tokens, TokenFile, "token", sources)
    const readTokenList = yield* tokenSource(ReadTokens, ReadTokenFile, "read-token", sources)
    const tokens = tokenList.tokens
    const readTokens = readTokenList.tokens
    yield* readOnlyTokensApart({ tokens, readTokens }, { tokens: tokenList.name, readTokens: readTokenList.name })
    const tokenFiles = [...tokenList.file, ...readTokenList.file]
    // Before the directories too: a missing key or secret made ./data and ./data/tmp, then refused.
    const tuning = yield* readTuning(sources)
    const requestArrivalMillis = yield* resolve(RequestArrivalTimeout, sources)
    const keepAliveMillis = yield* resolve(KeepAliveTimeout, sources)
    const maxConnections = yield* resolve(MaxConnections, sources)
    const target = yield* Option.match(preset, {
      onNone: () => remoteTarget(sources, tokens, tuning),
      onSome: (preset) => Effect.succeed(sandboxTarget(preset, tokens, tuning))
    })
    yield* checkDirectory(dataDir, "the sync files")
    const tempDir = yield* tempDirSetting(sources, dataDir.value)
    yield* checkDirectory(tempDir, "the working copies of the syncs queries read")
    const provisioning = yield* resolve(BatonSettings.Provisioning, sources)
    const syncConnections = yield* resolve(BatonSettings.SyncConnections, sources)
    const hosts = hostPolicy(host.value, yield* lookup(AllowedHosts, sources))
    const config: ServiceConfigShape = {
      hosts: hosts.policy,
      tokens: target.tokens,
      readTokens,
      publicDocs: yield* resolve(PublicDocs, sources),
      publicMetrics: yield* resolve(PublicMetrics, sources),
      dataDir: dataDir.value,
      tempDir: tempDir.value,
      keepSyncs,
      provisioning,
      syncConnections,
      exclusionGroups: yield* resolve(BatonSettings.ExclusionGroups, sources),
      concurrency,
      syncEveryMillis: yield* lookup(SyncEvery, sources),
      maxBodyBytes: DefaultMaxBodyBytes,
      maxProvisioningWaitMillis: yield* resolve(MaxProvisioningWait, sources),
      maxConcurrentExports: yield* resolve(MaxConcurrentExports, sources),
      readinessTimeoutMillis: yield* resolve(ReadinessTimeout, sources),
      downloadStallMillis: yield* resolve(DownloadStallTimeout, sources)
    }
    const connector = Layer.merge(
      SyncEngine.layer,
      Provisioner.layer({ enabled: provisioning, syncConnections, concurrency })
    ).pipe(Layer.provideMerge(target.client))
    const service = makeServer(config, tokenFiles).pipe(
      Layer.provideMerge(
        serviceServerLayer({
          port: port.value,
          host: host.value,
          requestArrivalMillis,
          keepAliveMillis,
          maxConnections
        }).pipe(
          Layer.mapError(listenRefusal(host, port))
        )
      ),
      Layer.provideMerge(connector),
      // Before the sandbox starts or a port is bound: a refused start has served nothing and synced nothing.
      Layer.provideMerge(DataDirLock.Default(dataDir.value))
    )
    yield* Effect.scoped(Effect.gen(function*() {
      const context = yield* Layer.build(service)
      const url = serverUrl(Context.get(context, HttpServer.HttpServer).address)
      const lines = [
        `baton-fivetran-http ${VersionLine} listening on ${url} (OpenAPI ${url}/openapi.json, docs ${url}/docs${
          config.publicDocs ? ", served without a token" : ", token required"
        })`,
        ...Option.match(target.generatedToken, {
          onNone: () => [],
          onSome: (token) => [`bearer token for this run (shown once): ${Redacted.value(token)}`]
        }),
        `provisioning ${config.provisioning ? "enabled" : "disabled (start with --provisioning to enable)"}`
      ]
      yield* Effect.forEach(lines, (line) => Console.log(line), { discard: true })
      yield* Effect.forEach(Option.toArray(hosts.warning), (warning) => Effect.logWarning(warning))
      yield* warnSecretFlags(ServiceSettings, sources)
      // Serves until stopped, or until another process takes the data directory over (a pause past the lock's staleness).
      return yield* Context.get(context, DataDirLock).lost
    })).pipe(Effect.ensuring(scratchRemovedAtStop))
  })

/**
 * A `.baton.yaml` key an edit or two from a setting's, one warning naming it and the key it probably
 * meant: logged, so that it is a JSON line among the others with --log-format json.
 */
const warnMisspeltKeys = (file: Effect.Effect.Success<typeof loadConfigFile>) =>
  Effect.flatMap(misspeltKeyWarnings(file, ServiceSettings), (warnings) =>
    Effect.forEach(
      warnings,
      ({ fields, text }) => Effect.logWarning(text).pipe(Effect.annotateLogs(fields), withConsoleText(text, Object.keys(fields))),
      { discard: true }
    ))

/**
 * BATON_* variables and `.baton.yaml` keys of baton-sdk's flags that the service does not take
 * (settings' BatonSdkFlags.ts), each one warning whose fields name it, never its value.
 */
const warnIgnoredBatonSdkFlags = (file: Effect.Effect.Success<typeof loadConfigFile>) =>
  Effect.flatMap(ignoredVariables("baton-fivetran-http"), (variables) =>
    Effect.forEach(
      [...variables, ...ignoredKeys(file, "baton-fivetran-http")],
      ({ fields, text }) => Effect.logWarning(text).pipe(Effect.annotateLogs(fields), withConsoleText(text, Object.keys(fields))),
      { discard: true }
    ))

const command = (given: ReadonlyMap<string, FlagValue>) =>
  Command.make("baton-fivetran-http", flags, (flags) =>
    Effect.gen(function*() {
      const file = yield* loadConfigFile
      const sources: SettingSources = { flags: withGivenFlags(flags.settings, given), file }
      return yield* Effect.provide(
        Effect.zipRight(Effect.zipRight(warnMisspeltKeys(file), warnIgnoredBatonSdkFlags(file)), serve(sources)),
        observed(sources)
      )
    })).pipe(
      Command.withDescription(
        "Serves the Fivetran baton connector over HTTP: sync jobs, queries, provisioning, OpenAPI, /metrics. " +
          `Also takes --log-level ${LogLevels.join("|")} (${helpText(BatonSettings.LogLevel)}), -h/--help and ` +
          "--version. The .baton.yaml the settings name is the file BATON_CONFIG_PATH names if set (a .yaml or .yml), " +
          "else .baton.yaml or .baton.yml in the working directory. OTEL_EXPORTER_OTLP_ENDPOINT (or a signal's own OTEL_EXPORTER_OTLP_{TRACES,METRICS,LOGS}_ENDPOINT) switches on OTLP export of traces, metrics and logs."
      )
    )

const secretFlags = new Set(ServiceSettings.filter((setting) => setting.kind.secret).map((setting) => `--${setting.flag}`))

/** Parses argv (as process.argv: node, script, args...) and serves, or prints the help or the version. */
export const run = (argv: ReadonlyArray<string>) => {
  const { args, given } = normalizeArgv(argv, ServiceSettings)
  const service = command(given)
  const runCommand = Command.run(service, { name: "baton-fivetran-http", version: VersionLine })
  // The CLI's check (settings' FlagCheck.ts), for a command without subcommands.
  const line: CommandLine = {
    name: "baton-fivetran-http",
    rootCommand: "the service",
    root: new Map([
      ...commandFlags(Command.getUsage(service)),
      ["--log-level", { name: "--log-level", placeholder: Option.some(LogLevels.join("|")), repeatable: false }]
    ]),
    subcommands: new Map(),
    everywhere: new Set(),
    provisioning: new Set(),
    secret: secretFlags,
    // `--sandbox` alone means `--sandbox small` (Argv.ts).
    optionalValue: new Set([`--${Sandbox.flag}`])
  }
  return checkFlags(line, argv.slice(2)).pipe(
    Effect.mapError(({ reason }) => new StartupError({ reason })),
    Effect.flatMap(Option.match({
      onNone: () => runCommand(args),
      // Where they stood, @effect/cli took them only first: `--port 1 --help` was an unknown argument.
      onSome: BuiltInRequest.$match({
        Help: () => runCommand([...args.slice(0, 2), "--help"]),
        Version: () => runCommand([...args.slice(0, 2), "--version"])
      })
    })),
    // Help lists the service's own flags: @effect/cli's built-in --log-level (Effect's level names)
    // is replaced by baton's (see Argv.ts), and --help/--version are named in the description.
    Effect.provide(CliConfig.layer({ showBuiltIns: false })),
    // After withPlainHelp's rewrite, whose patterns take whole lines.
    withPlainHelp,
    withOneFinalLineBreak,
    // What the check lets through and @effect/cli refuses ("Received unknown argument: 'x'"): an
    // argument that is no flag's value, said so.
    Effect.catchIf(
      ValidationError.isValidationError,
      (error) =>
        Effect.fail(Option.match(explainLeftover("baton-fivetran-http", Options.all(flags), [], args.slice(2).map(echoed)), {
          onNone: (): StartupError | ValidationError.ValidationError => error,
          onSome: (reason) => new StartupError({ reason })
        }))
    )
  )
}
