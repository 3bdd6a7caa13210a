import { Context, type Option, type Redacted } from "effect"
import type { HostPolicy } from "./AllowedHosts.js"

/** The service's own settings, after the flags and environment have been read and checked. */
export interface ServiceConfigShape {
  /** The Host headers answered (AllowedHosts.ts); others are refused before anything else. */
  readonly hosts: HostPolicy
  /** Bearer tokens accepted on every endpoint except the probes (/healthz, /readyz). */
  readonly tokens: ReadonlyArray<Redacted.Redacted<string>>
  /** Bearer tokens accepted on the same endpoints for reading only (GET, HEAD): `--read-token`. */
  readonly readTokens: ReadonlyArray<Redacted.Redacted<string>>
  /** Serve /openapi.json and /docs without a token (a browser cannot send one when it opens /docs). */
  readonly publicDocs: boolean
  /** Serve /metrics without a token (for a Prometheus that scrapes without credentials). */
  readonly publicMetrics: boolean
  /** Where finished `.c1z` files and job metadata live. */
  readonly dataDir: string
  /**
   * Where the syncs read by queries, diffs and exports are decompressed (`--temp-dir`, by default
   * `tmp` in the data directory): a reader's working copy is about 15 times its `.c1z`.
   */
  readonly tempDir: string
  /** How many successful syncs to keep, and apart from them how many failed or cancelled jobs. */
  readonly keepSyncs: number
  /** Provisioning endpoints act only when this is on; otherwise they answer 403. */
  readonly provisioning: boolean
  readonly syncConnections: boolean
  /** Write EntitlementExclusionGroup annotations (readers need a baton-sdk newer than v0.7.27). */
  readonly exclusionGroups: boolean
  readonly concurrency: number
  /** `--sync-every`: run a sync at start-up and then every this many milliseconds (±10%). */
  readonly syncEveryMillis: Option.Option<number>
  /** Request bodies above this many bytes are refused with 413. */
  readonly maxBodyBytes: number
  /**
   * `--max-provisioning-wait`: the longest a provisioning request waits for Fivetran's rate limit, its waits together
   * (its caller waits on it) before it is answered 429; a sync's waits stay bounded by max-rate-limit-wait.
   */
  readonly maxProvisioningWaitMillis: number
  /** `--max-concurrent-exports`: how many access-review exports stream at once; one more is refused (429). */
  readonly maxConcurrentExports: number
  /** `--readiness-timeout`: the longest `/readyz` waits for its check of Fivetran before it answers without it. */
  readonly readinessTimeoutMillis: number
  /** `--download-stall-timeout`: a streamed answer whose client takes none of it for this long is cut (StalledAnswers.ts). */
  readonly downloadStallMillis: number
}

export const DefaultMaxBodyBytes = 64 * 1024
export const DefaultKeepSyncs = 5
/** Under the 60 s that load balancers and ingress proxies commonly give an answer. */
export const DefaultMaxProvisioningWaitMillis = 30_000
/**
 * An export runs its rows on the service's one JavaScript thread (the sync file's reads are
 * synchronous), so more at once serve no more rows a second: each gets slower, and the queries and
 * probes wait behind them all. The explorer's views are exports too (one principal's, entitlement's
 * or resource's rows, a page at a time): four let two whole-account downloads run beside them.
 */
export const DefaultMaxConcurrentExports = 4
/**
 * A kubelet gives a probe 1 s unless told otherwise, and the deployments we document 10 s or less:
 * the answer must come well within that, whatever `--request-timeout` gives each attempt of the check.
 */
export const DefaultReadinessTimeoutMillis = 5_000
/** A real client sends a request of at most 64 KiB in well under a second; see ClientErrors.ts requestArrival. */
export const DefaultRequestArrivalMillis = 20_000
/**
 * A download whose client reads nothing for a minute has stopped (a hung script, a paused download)
 * rather than paused between rows: its export slot goes to the next one. See StalledAnswers.ts.
 */
export const DefaultDownloadStallMillis = 60_000

export class ServiceConfig extends Context.Tag("baton-http/ServiceConfig")<ServiceConfig, ServiceConfigShape>() {}
