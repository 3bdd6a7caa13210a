import { Provisioner, ResourceTypeRegistry, type ResourceTypeModule, SyncEngine } from "@baton-fivetran/connector-core"
import { loggingLayer } from "@baton-fivetran/connector-core/logging"
import { FivetranClient, FivetranClientConfig } from "@baton-fivetran/fivetran-client"
import { type AccountSnapshot, generatePreset, Sandbox, type SandboxShape } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem, HttpApiClient, HttpClient, HttpClientRequest, type HttpClientResponse, HttpServer } from "@effect/platform"
import { NodeContext, NodeHttpClient } from "@effect/platform-node"
import { Context, Effect, Layer, Option, Redacted } from "effect"
import { BatonApi, type SyncJob } from "@baton-fivetran/http-api"
import { hostPolicy } from "../src/AllowedHosts.js"
import { serviceServerLayer } from "../src/ClientErrors.js"
import { DataDirLock } from "../src/DataDirLock.js"
import { makeServer } from "../src/Http.js"
import {
  DefaultMaxBodyBytes,
  DefaultMaxConcurrentExports,
  DefaultMaxProvisioningWaitMillis,
  DefaultReadinessTimeoutMillis,
  DefaultDownloadStallMillis
} from "../src/ServiceConfig.js"

/**
 * The real service on 127.0.0.1:0 against a real sandbox on 127.0.0.1:0, with a fresh data
 * directory, reached over HTTP by a typed client (HttpApiClient) and by raw requests.
 */

export const TestToken = "test-token-for-the-http-service"
export const OtherToken = "second-token-for-the-service"

export interface HarnessOptions {
  readonly provisioning?: boolean
  readonly keepSyncs?: number
  readonly syncConnections?: boolean
  readonly exclusionGroups?: boolean
  /** Use a wrong API secret (the sandbox answers 401). */
  readonly badSecret?: boolean
  /** `--sync-every`, in milliseconds. */
  readonly syncEveryMillis?: number
  /** Client attempts per request (default 1: no retries). */
  readonly maxAttempts?: number
  /** The client's max-rate-limit-wait, in seconds (default: the client's). */
  readonly maxRateLimitWaitSeconds?: number
  readonly snapshot?: AccountSnapshot
  /** Serve /openapi.json and /docs without a token (--public-docs). */
  readonly publicDocs?: boolean
  /** Serve /metrics without a token (--public-metrics). */
  readonly publicMetrics?: boolean
  /** Reuse a data directory (to check what survives a restart). */
  readonly dataDir?: string
  /** `--temp-dir` (default: a fresh directory beside the data directory, so that it lists only the service's data). */
  readonly tempDir?: string
  /** The sandbox's request budget (default Fivetran's 20,000 per hour). */
  readonly rateLimit?: { readonly hourly: number; readonly windowSeconds: number }
  /** The resource types of the service, the sync engine and the provisioner (default: the built-in ones). */
  readonly registry?: ReadonlyArray<ResourceTypeModule>
  /**
   * Run after each sync of the real engine, before the job store hears of its end: holds a job in
   * the moment between its file's rename and its last metadata write, which no real run can be
   * stopped in on purpose.
   */
  readonly afterEngineRun?: Effect.Effect<void>
  /** `--max-concurrent-exports` (default: the service's). */
  readonly maxConcurrentExports?: number
  /** The service's log level (default warn: `logs` then holds what an operator is warned of). */
  readonly logLevel?: "debug" | "info" | "warn"
}

export interface HarnessShape {
  readonly baseUrl: string
  readonly dataDir: string
  readonly sandbox: SandboxShape
  readonly apiKey: string
  readonly apiSecret: string
  /** Typed client sending the right token. */
  readonly client: BatonClient
  /**
   * The service's log lines at warn (or the harness's `logLevel`) and above so far, as its JSON format writes them on stderr,
   * without the time (`logFields`).
   */
  readonly logs: Effect.Effect<ReadonlyArray<Record<string, unknown>>>
  /** A raw request to the service; `token` undefined sends no Authorization header. */
  readonly request: (
    method: "GET" | "POST" | "DELETE",
    path: string,
    options?: { readonly token?: string | undefined; readonly body?: unknown; readonly headers?: Record<string, string> }
  ) => Effect.Effect<HttpClientResponse.HttpClientResponse>
}

export class Harness extends Context.Tag("test/Harness")<Harness, HarnessShape>() {}

const withToken = (token: string) => HttpClient.mapRequest(HttpClientRequest.bearerToken(token))

export const makeClient = (baseUrl: string, token: string) => HttpApiClient.make(BatonApi, { baseUrl, transformClient: withToken(token) })
export type BatonClient = Effect.Effect.Success<ReturnType<typeof makeClient>>

/** A line of the service's JSON logger as its fields (`level`, `msg`, the annotations), without the time. */
export const logFields = (line: string): Record<string, unknown> =>
  Object.fromEntries(Object.entries(JSON.parse(line) as Record<string, unknown>).filter(([key]) => key !== "ts"))

const make = Effect.gen(function*() {
  const sandbox = yield* Sandbox
  const server = yield* HttpServer.HttpServer
  const http = yield* HttpClient.HttpClient
  const address = server.address
  if (address._tag !== "TcpAddress") return yield* Effect.dieMessage("expected a TCP address")
  const baseUrl = `http://127.0.0.1:${address.port}`
  const client = yield* makeClient(baseUrl, TestToken)
  const snapshot = yield* sandbox.snapshot
  const lines = yield* LogLines
  const request: HarnessShape["request"] = (method, path, requestOptions = {}) => {
    let req = HttpClientRequest.make(method)(`${baseUrl}${path}`)
    if (requestOptions.token !== undefined) req = HttpClientRequest.bearerToken(req, requestOptions.token)
    if (requestOptions.body !== undefined) {
      req = typeof requestOptions.body === "string"
        ? HttpClientRequest.bodyText(req, requestOptions.body, "application/json")
        : requestOptions.body instanceof Uint8Array
        ? HttpClientRequest.bodyUint8Array(req, requestOptions.body, "application/json")
        : HttpClientRequest.bodyUnsafeJson(req, requestOptions.body)
    }
    // After the body, so that a test can send a body under another content-type.
    if (requestOptions.headers !== undefined) req = HttpClientRequest.setHeaders(req, requestOptions.headers)
    return http.execute(req).pipe(Effect.orDie)
  }
  return Harness.of({
    baseUrl,
    dataDir: yield* DataDir,
    sandbox,
    apiKey: systemKey(snapshot).key,
    apiSecret: systemKey(snapshot).secret,
    client,
    logs: Effect.sync(() => lines.map(logFields)),
    request
  })
})

const systemKey = (snapshot: AccountSnapshot) => {
  const key = snapshot.credentials.find((credential) => credential._tag === "SystemKey")
  if (key === undefined || key._tag !== "SystemKey") throw new Error("the snapshot has no system key")
  return key
}

class DataDir extends Context.Tag("test/DataDir")<DataDir, string>() {}

class TempDir extends Context.Tag("test/TempDir")<TempDir, string>() {}

/** What the service's JSON logger has written so far. */
class LogLines extends Context.Tag("test/LogLines")<LogLines, ReadonlyArray<string>>() {}

/** The real sync engine, followed by `after` when given. */
const engine = (after: Effect.Effect<void> | undefined) =>
  after === undefined
    ? SyncEngine.layer
    : Layer.effect(
      SyncEngine,
      Effect.map(SyncEngine, (real) => SyncEngine.of({ run: (options) => Effect.tap(real.run(options), () => after) }))
    ).pipe(Layer.provide(SyncEngine.layer))

export const harness = (options: HarnessOptions = {}) => {
  const snapshot = options.snapshot ?? generatePreset("small")
  const key = systemKey(snapshot)
  const client = Layer.unwrapEffect(Effect.map(Sandbox, (sandbox) =>
    FivetranClient.layer(FivetranClientConfig.make({
      apiKey: Redacted.make(key.key),
      apiSecret: Redacted.make(options.badSecret === true ? "not-the-secret" : key.secret),
      baseUrl: sandbox.baseUrl,
      maxAttempts: options.maxAttempts ?? 1,
      ...(options.maxRateLimitWaitSeconds === undefined ? {} : { maxRateLimitWaitSeconds: options.maxRateLimitWaitSeconds })
    }))))
  const dataDir = Layer.scoped(
    DataDir,
    options.dataDir !== undefined
      ? Effect.succeed(options.dataDir)
      : Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-http-" }))
  )
  const tempDir = options.tempDir !== undefined
    ? Layer.succeed(TempDir, options.tempDir)
    : Layer.scoped(TempDir, Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-http-tmp-" })))
  const service = Layer.unwrapEffect(Effect.map(Effect.all([DataDir, TempDir]), ([dir, temp]) =>
    makeServer({
      hosts: hostPolicy("127.0.0.1", Option.none()).policy,
      tokens: [Redacted.make(TestToken), Redacted.make(OtherToken)],
      readTokens: [],
      publicDocs: options.publicDocs ?? false,
      publicMetrics: options.publicMetrics ?? false,
      dataDir: dir,
      tempDir: temp,
      keepSyncs: options.keepSyncs ?? 5,
      provisioning: options.provisioning ?? false,
      syncConnections: options.syncConnections ?? false,
      exclusionGroups: options.exclusionGroups ?? false,
      concurrency: 4,
      syncEveryMillis: Option.fromNullable(options.syncEveryMillis),
      maxBodyBytes: DefaultMaxBodyBytes,
      maxProvisioningWaitMillis: DefaultMaxProvisioningWaitMillis,
      maxConcurrentExports: options.maxConcurrentExports ?? DefaultMaxConcurrentExports,
      readinessTimeoutMillis: DefaultReadinessTimeoutMillis,
      downloadStallMillis: DefaultDownloadStallMillis
    }).pipe(Layer.provide(DataDirLock.Default(dir)))))
  const lines: Array<string> = []
  // The service's own JSON logger, on stderr as in the service, and kept for `logs`.
  const write = (line: string) => {
    lines.push(line)
    process.stderr.write(`${line}\n`)
  }
  return Layer.effect(Harness, make).pipe(
    Layer.provideMerge(service),
    Layer.provideMerge(serviceServerLayer({ port: 0, host: "127.0.0.1" })),
    Layer.provide(Layer.merge(engine(options.afterEngineRun), Provisioner.layer({ enabled: options.provisioning ?? false }))),
    Layer.provideMerge(client),
    Layer.provideMerge(dataDir),
    Layer.provide(tempDir),
    Layer.provideMerge(Sandbox.layer({ snapshot, port: 0, ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}) })),
    Layer.provideMerge(NodeHttpClient.layerUndici),
    Layer.provideMerge(NodeContext.layer),
    Layer.provide(Layer.succeed(LogLines, lines)),
    Layer.provide(loggingLayer(options.logLevel ?? "warn", "json", write)),
    Layer.provide(options.registry === undefined ? Layer.empty : Layer.succeed(ResourceTypeRegistry, options.registry))
  )
}

const finished = (job: SyncJob) => job.status === "succeeded" || job.status === "failed" || job.status === "cancelled"

/** Polls a job until it has finished (succeeded, failed or cancelled). */
export const awaitJob = (id: string): Effect.Effect<SyncJob, never, Harness> =>
  Effect.gen(function*() {
    const { client } = yield* Harness
    const poll: Effect.Effect<SyncJob> = client.syncs.get({ path: { id } }).pipe(
      Effect.orDie,
      Effect.flatMap((job) => finished(job) ? Effect.succeed(job) : Effect.zipRight(Effect.sleep("50 millis"), poll))
    )
    return yield* poll.pipe(
      Effect.timeoutFail({ duration: "60 seconds", onTimeout: () => new Error(`sync ${id} did not finish`) }),
      Effect.orDie
    )
  })

/** Polls a job until `check` holds (the machine may be slow: generous bound). */
export const awaitStatus = (id: string, check: (job: SyncJob) => boolean) =>
  Effect.gen(function*() {
    const { client } = yield* Harness
    const poll: Effect.Effect<SyncJob> = client.syncs.get({ path: { id } }).pipe(
      Effect.orDie,
      Effect.flatMap((job) => check(job) ? Effect.succeed(job) : Effect.zipRight(Effect.sleep("20 millis"), poll))
    )
    return yield* poll.pipe(Effect.timeoutFail({ duration: "60 seconds", onTimeout: () => new Error("no such status") }), Effect.orDie)
  })

/** A provisioning answer as sent: its status and JSON body. */
export interface ProvisioningAnswer {
  readonly status: number
  readonly body: Record<string, unknown>
}

/** A provisioning request with the test token, its answer read raw (not the typed client's decoding). */
export const provisioningCall = (method: "POST" | "DELETE", path: string, body?: unknown) =>
  Effect.gen(function*() {
    const { request } = yield* Harness
    const response = yield* request(method, path, { token: TestToken, body })
    return { status: response.status, body: (yield* Effect.orDie(response.json)) as Record<string, unknown> } satisfies ProvisioningAnswer
  })

/** Starts a sync and waits for it. */
export const runSync = Effect.gen(function*() {
  const { client } = yield* Harness
  const job = yield* Effect.orDie(client.syncs.start())
  return yield* awaitJob(job.id)
})
