import { SyncEngine, type SyncEngineShape } from "@baton-fivetran/connector-core"
import { type BatonLogLevel, loggingLayer } from "@baton-fivetran/connector-core/logging"
import { FivetranClient, FivetranClientConfig } from "@baton-fivetran/fivetran-client"
import { NodeContext } from "@effect/platform-node"
import { Effect, Layer, Option, Redacted } from "effect"
import { tmpdir } from "node:os"
import { hostPolicy } from "../src/AllowedHosts.js"
import { DataDirLock } from "../src/DataDirLock.js"
import { DefaultDownloadStallMillis, DefaultReadinessTimeoutMillis, ServiceConfig } from "../src/ServiceConfig.js"
import { SyncJobs } from "../src/SyncJobs.js"
import { WorkingCopies } from "../src/WorkingCopies.js"

/** What a test gives SyncJobs beyond its data directory. */
export interface JobsOverOptions {
  /** Successful syncs kept (default 5). */
  readonly keepSyncs?: number
  /** The engine its jobs run; by default one that dies, for tests that never sync. */
  readonly engine?: SyncEngineShape
  /** The lowest level written (default warn), as the service's JSON lines, to `write`. */
  readonly logLevel?: BatonLogLevel
  readonly write?: (line: string) => void
}

const neverSyncs = SyncEngine.of({ run: () => Effect.dieMessage("not in this test") })

/**
 * SyncJobs alone over `dataDir`, as a service (re)starting there would list and run its jobs,
 * without an HTTP server. Working copies go to the OS's temporary directory, as readers used before
 * --temp-dir, so the data directory lists only the service's data.
 */
export const jobsOver = (dataDir: string, options: JobsOverOptions = {}) =>
  SyncJobs.Default.pipe(
    Layer.provide(WorkingCopies.Default),
    // No lock file: a test may list a directory that a running harness holds, as a restart would; it writes as a holder.
    Layer.provide(
      Layer.succeed(DataDirLock, DataDirLock.make({ takenOver: Option.none(), lost: Effect.never, held: Effect.succeed(true) }))
    ),
    Layer.provide(Layer.succeed(ServiceConfig, {
      hosts: hostPolicy("127.0.0.1", Option.none()).policy,
      tokens: [Redacted.make("unused-token-for-job-tests")],
      readTokens: [],
      publicDocs: false,
      publicMetrics: false,
      dataDir,
      tempDir: tmpdir(),
      keepSyncs: options.keepSyncs ?? 5,
      provisioning: false,
      syncConnections: false,
      exclusionGroups: false,
      concurrency: 1,
      syncEveryMillis: Option.none(),
      maxBodyBytes: 1024,
      maxProvisioningWaitMillis: 30_000,
      maxConcurrentExports: 2,
      readinessTimeoutMillis: DefaultReadinessTimeoutMillis,
      downloadStallMillis: DefaultDownloadStallMillis
    })),
    Layer.provide(Layer.succeed(SyncEngine, options.engine ?? neverSyncs)),
    // Sent nothing (the test's engine makes no request): a job closes its idle connections after the last row.
    Layer.provide(FivetranClient.layer(FivetranClientConfig.make({
      apiKey: Redacted.make("unused-key"),
      apiSecret: Redacted.make("unused-secret"),
      baseUrl: "http://127.0.0.1:9"
    }))),
    Layer.provide(NodeContext.layer),
    Layer.provide(loggingLayer(options.logLevel ?? "warn", "json", options.write ?? (() => undefined)))
  )
