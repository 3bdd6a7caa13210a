import {
  BatonSettings,
  type DefaultedSetting,
  optional,
  requiredUnless,
  sandboxPreset,
  type Setting,
  SettingKind,
  withDefault
} from "@baton-fivetran/settings"
import type { PresetName } from "@baton-fivetran/fivetran-sandbox"
import { Config, ConfigError, Either, Option, Redacted } from "effect"
import { AnyHost, canonicalHost } from "./AllowedHosts.js"
import { DefaultMaxConnections } from "./ConnectionCap.js"
import { DefaultKeepAliveMillis } from "./IdleConnections.js"
import {
  DefaultKeepSyncs,
  DefaultMaxConcurrentExports,
  DefaultMaxProvisioningWaitMillis,
  DefaultReadinessTimeoutMillis,
  DefaultRequestArrivalMillis,
  DefaultDownloadStallMillis
} from "./ServiceConfig.js"

/**
 * The HTTP service's own settings, declared as the shared ones are (@baton-fivetran/settings) and
 * read the same way: flag > variable (`BATON_HTTP_*` for these) > `.baton.yaml` (key: the flag's
 * name) > default.
 */

export const Port: DefaultedSetting<number> = withDefault(SettingKind.integer(0, 65535, "port"), {
  flag: "port",
  env: "BATON_HTTP_PORT",
  description: "TCP port to listen on (0 picks a free one).",
  default: () => 8080
})

export const Host: DefaultedSetting<string> = withDefault(
  SettingKind.text("an address of this machine, e.g. 127.0.0.1 or 0.0.0.0", "address"),
  { flag: "host", env: "BATON_HTTP_HOST", description: "Address to listen on.", default: () => "127.0.0.1" }
)

/** Host names or addresses without a port (`*` for any): a repeated flag, a comma-separated variable, or a YAML list. */
const hostList: SettingKind.SettingKind<ReadonlyArray<string>> = {
  accepts: "host names or IP addresses without a port, or * for any; repeat the flag, or separate with commas",
  pseudoName: "host",
  flag: "repeated",
  secret: false,
  field: { _tag: "StringList" },
  config: (key) =>
    Config.array(Config.string(), key).pipe(Config.mapOrFail((values) => {
      const entries = values.flatMap((value) => value.split(",")).map((value) => value.trim()).filter((v) => v !== "")
      if (entries.length === 0) return Either.left(ConfigError.MissingData([], "empty"))
      const hosts = entries.map((entry) => entry === AnyHost ? Option.some(entry) : canonicalHost(entry))
      const bad = hosts.findIndex(Option.isNone)
      return bad === -1
        ? Either.right(hosts.flatMap(Option.toArray))
        : Either.left(ConfigError.InvalidData(
          [],
          `expected host names or IP addresses without a port or scheme, or *, got ${JSON.stringify(entries[bad]!.slice(0, 80))}`
        ))
    }))
}

export const AllowedHosts: Setting<ReadonlyArray<string>> = optional(hostList, {
  flag: "allowed-hosts",
  env: "BATON_HTTP_ALLOWED_HOSTS",
  description: "Host header names (any port) requests may carry, besides localhost, 127.0.0.1, [::1] and the --host " +
    "address; others are refused (421), so that a web page whose DNS name is pointed at the service cannot read it. " +
    "Listening on 0.0.0.0 or ::, any IP address is accepted too (Kubernetes probes send the pod's), and without this " +
    "setting any Host is, with a warning at start. * accepts any Host (behind a proxy that checks it)."
})

/**
 * At least 16 characters: a token lets its holder provision (with --provisioning), and a short one
 * is guessed over a single connection in seconds.
 */
export const TokenMinimum = { length: 16, howToMake: "make one with `openssl rand -base64 24`" }

const printableAscii = /^[\x20-\x7e]+$/

/** Why a token that is not printable ASCII is refused, after the words naming it ("the token ..."). */
const notPrintableAscii = "holds a character that is not printable ASCII (a letter such as é, a symbol such as €, or a " +
  "control character): clients send it in an HTTP header, which does not carry it as typed, so no request could use " +
  `it; ${TokenMinimum.howToMake}`

/**
 * Why one token cannot serve, in --token's words, if it cannot: for a token file's lines
 * (TokenFile.ts), which the list's own checks (below) do not see one by one.
 */
export const tokenProblem = (token: string): string | undefined =>
  Array.from(token).length < TokenMinimum.length
    ? `is shorter than ${TokenMinimum.length} characters; ${TokenMinimum.howToMake}`
    : !printableAscii.test(token)
    ? notPrintableAscii
    : undefined

/**
 * A token list whose every token is printable ASCII. A client sends the token in a header, whose
 * bytes Node reads as Latin-1: a token with `é` or `€` matched only from a client that sends Latin-1
 * (never `€`), and curl's UTF-8 was refused as "not valid for this service", naming nothing to fix.
 * The refusal names the token by its place, never its value.
 */
const tokenList: SettingKind.SettingKind<ReadonlyArray<Redacted.Redacted<string>>> = (() => {
  const list = SettingKind.secretList("token", TokenMinimum)
  return {
    ...list,
    accepts: `secret text of at least ${TokenMinimum.length} printable ASCII characters (never printed); repeat the ` +
      "flag, or separate with commas",
    config: (key) =>
      Config.mapOrFail(list.config(key), (tokens) => {
        const at = tokens.findIndex((token) => !printableAscii.test(Redacted.value(token)))
        if (at === -1) return Either.right(tokens)
        const which = tokens.length === 1 ? "the token" : `token ${at + 1} of ${tokens.length}`
        return Either.left(ConfigError.InvalidData([], `${which} ${notPrintableAscii}`))
      })
  }
})()

export const Tokens: Setting<ReadonlyArray<Redacted.Redacted<string>>> = requiredUnless(
  tokenList,
  {
    flag: "token",
    env: "BATON_HTTP_TOKENS",
    description: "Bearer token clients must send.",
    unless: "--token-file, or --sandbox (which generates one for the run and prints it once)"
  }
)

/**
 * Tokens that read and change nothing: a request with any method but GET or HEAD is refused
 * (403 ReadOnlyToken), so that a scraper's or a reviewer's credential cannot provision.
 */
export const ReadTokens: Setting<ReadonlyArray<Redacted.Redacted<string>>> = optional(
  tokenList,
  {
    flag: "read-token",
    env: "BATON_HTTP_READ_TOKENS",
    description: "Bearer token that may only read (GET and HEAD: queries, exports, the explorer, /metrics); a request " +
      "that would change something (provisioning, starting or cancelling a sync) is refused with 403 ReadOnlyToken. " +
      "For Prometheus and reviewers, who then hold no credential that can grant access."
  }
)

/**
 * A file of tokens, one a line, that the service re-reads while it runs (TokenFileReload.ts): a
 * Kubernetes Secret mounted as a volume is updated in place, so a token is rotated without a restart.
 */
export const TokenFile: Setting<string> = optional(SettingKind.path("file"), {
  flag: "token-file",
  env: "BATON_HTTP_TOKEN_FILE",
  description: "File of bearer tokens clients must send, instead of --token: one a line, each as --token's; blank " +
    "lines and lines starting with # are ignored. Re-read every 5 s while the service runs (a mounted Kubernetes " +
    "Secret is updated in place): a valid new content replaces the tokens at once, an invalid one is logged and " +
    "the previous tokens stay."
})

export const ReadTokenFile: Setting<string> = optional(SettingKind.path("file"), {
  flag: "read-token-file",
  env: "BATON_HTTP_READ_TOKEN_FILE",
  description: "File of read-only bearer tokens (as --read-token's), instead of --read-token: one a line, re-read " +
    "as --token-file is."
})

export const DataDir: DefaultedSetting<string> = withDefault(SettingKind.path("directory"), {
  flag: "data-dir",
  env: "BATON_HTTP_DATA_DIR",
  description: "Where finished .c1z files, job metadata and the page-token key are kept (created if missing).",
  default: () => "./data"
})

export const TempDir: Setting<string> = optional(SettingKind.path("directory"), {
  flag: "temp-dir",
  env: "BATON_HTTP_TEMP_DIR",
  description: "Where queries, diffs and exports decompress the syncs they read (about 15 times a .c1z each, up to " +
    "4 at once; created if missing). Default: tmp in the data directory."
})

export const KeepSyncs: DefaultedSetting<number> = withDefault(SettingKind.integer(1, 100_000), {
  flag: "keep-syncs",
  env: "BATON_HTTP_KEEP_SYNCS",
  description: "How many successful syncs to keep, and apart from them how many failed or cancelled jobs.",
  default: () => DefaultKeepSyncs
})

export const SyncEvery: Setting<number> = optional(SettingKind.durationAtLeast("1m"), {
  flag: "sync-every",
  env: "BATON_HTTP_SYNC_EVERY",
  description: "Run a sync at start-up and then every this long (±10% jitter); delayed while the rate-limit " +
    "budget would not fit it. A restart goes on from the newest successful sync in --data-dir."
})

export const MaxProvisioningWait: DefaultedSetting<number> = withDefault(SettingKind.duration, {
  flag: "max-provisioning-wait",
  env: "BATON_HTTP_MAX_PROVISIONING_WAIT",
  description: "Longest a provisioning request waits for Fivetran's rate limit, all its waits together; one that " +
    "would wait longer is answered 429 RateLimited with Retry-After at once, and sends nothing more to Fivetran; " +
    "nor is a failed call (5xx, timeout) tried again once it has passed. Each single wait stays within " +
    "--max-rate-limit-wait too, which alone bounds a sync's waits.",
  default: () => DefaultMaxProvisioningWaitMillis,
  shown: `${DefaultMaxProvisioningWaitMillis / 1000}s`
})

export const MaxConcurrentExports: DefaultedSetting<number> = withDefault(SettingKind.integer(1, 1000), {
  flag: "max-concurrent-exports",
  env: "BATON_HTTP_MAX_CONCURRENT_EXPORTS",
  description: "How many access-review exports (GET /v1/export) stream at once, each until its last row is sent or " +
    "its client hangs up; one more is answered 429 TooManyExports with Retry-After at once, not queued. Exports " +
    "share the service's one thread: more at once serve no more rows a second, and slow every other request.",
  default: () => DefaultMaxConcurrentExports
})

export const ReadinessTimeout: DefaultedSetting<number> = withDefault(SettingKind.durationBetween("1s", "1m", "2s, 5s or 10s"), {
  flag: "readiness-timeout",
  env: "BATON_HTTP_READINESS_TIMEOUT",
  description: "Longest GET /readyz waits for its check of Fivetran (GET /v1/account/info, its attempts and their " +
    "--request-timeout together) before it answers without it, naming this setting: 503 NotReady before the key has " +
    "worked, else ready saying Fivetran is failing. Keep it under the readiness probe's timeoutSeconds.",
  default: () => DefaultReadinessTimeoutMillis,
  shown: `${DefaultReadinessTimeoutMillis / 1000}s`
})

export const RequestArrivalTimeout: DefaultedSetting<number> = withDefault(
  SettingKind.durationBetween("1s", "5m", "5s, 20s or 1m"),
  {
    flag: "request-arrival-timeout",
    env: "BATON_HTTP_REQUEST_ARRIVAL_TIMEOUT",
    description: "Longest a client may take to send a whole request to the service, its head and body; its head has " +
      "15 s of it at most. A request still arriving is answered 408 RequestTimeout (up to 2 s later) and its " +
      "connection closed, so that a stalled or slow client cannot hold connections open.",
    default: () => DefaultRequestArrivalMillis,
    shown: `${DefaultRequestArrivalMillis / 1000}s`
  }
)

export const KeepAliveTimeout: DefaultedSetting<number> = withDefault(
  SettingKind.durationBetween("1s", "15m", "65s, 75s or 620s"),
  {
    flag: "keep-alive-timeout",
    env: "BATON_HTTP_KEEP_ALIVE_TIMEOUT",
    description: "How long an idle connection is kept open for the client's next request (answers say Keep-Alive: " +
      "timeout=N; the connection closes 1 s after). Behind a load balancer or ingress, keep it above the proxy's " +
      "idle timeout (AWS ALB and nginx: 60 s; GCP: 600 s, so 620s), or the service may close a connection as the " +
      "proxy sends a request on it, which its client gets as a 502. Each idle connection holds a file descriptor.",
    default: () => DefaultKeepAliveMillis,
    shown: `${DefaultKeepAliveMillis / 1000}s`
  }
)

export const MaxConnections: DefaultedSetting<number> = withDefault(SettingKind.integer(1, 100_000), {
  flag: "max-connections",
  env: "BATON_HTTP_MAX_CONNECTIONS",
  description: "How many connections the service holds open at once, idle keep-alive ones and the probes' included; " +
    "one more is closed as it arrives, before anything is read (its client sees the connection reset), counted " +
    "in baton_http_connections_refused_total. Each holds a file descriptor: keep it below the open-file limit " +
    "(ulimit -n) less --concurrency + 64 for the service's own files and its connections to Fivetran.",
  default: () => DefaultMaxConnections
})

export const DownloadStallTimeout: DefaultedSetting<number> = withDefault(
  SettingKind.durationBetween("5s", "1h", "30s, 1m or 10m"),
  {
    flag: "download-stall-timeout",
    env: "BATON_HTTP_DOWNLOAD_STALL_TIMEOUT",
    description: "A download (an export, a sync's .c1z) whose client takes no byte of it for this long is cut, and " +
      "its --max-concurrent-exports slot freed. Longer for integrations that pause between rows (a slow write per " +
      "batch); shorter to free slots held by stopped readers sooner.",
    default: () => DefaultDownloadStallMillis,
    shown: `${DefaultDownloadStallMillis / 1000}s`
  }
)

export const PublicDocs: DefaultedSetting<boolean> = withDefault(SettingKind.boolean, {
  flag: "public-docs",
  description: "Serve /openapi.json and /docs (Swagger UI) without a token, for a browser.",
  default: () => false
})

export const PublicMetrics: DefaultedSetting<boolean> = withDefault(SettingKind.boolean, {
  flag: "public-metrics",
  description: "Serve /metrics (Prometheus text) without a token, for a scraper without credentials.",
  default: () => false
})

/**
 * A bare `--sandbox` is `--sandbox small` (normalizeArgv); `BATON_SANDBOX` or the file's `sandbox:`
 * names the preset, as for the CLI (one variable serves both apps).
 */
export const Sandbox: Setting<PresetName> = optional(sandboxPreset, {
  flag: "sandbox",
  description: "Serve against an embedded Fivetran sandbox with this preset (a bare --sandbox is small); no Fivetran " +
    "credentials or --token needed."
})

/** Every setting of the service, in help's order. */
export const ServiceSettings: ReadonlyArray<Setting<unknown>> = [
  Port,
  Host,
  AllowedHosts,
  Tokens,
  TokenFile,
  ReadTokens,
  ReadTokenFile,
  DataDir,
  TempDir,
  KeepSyncs,
  SyncEvery,
  MaxProvisioningWait,
  MaxConcurrentExports,
  ReadinessTimeout,
  RequestArrivalTimeout,
  KeepAliveTimeout,
  MaxConnections,
  DownloadStallTimeout,
  PublicDocs,
  PublicMetrics,
  ...BatonSettings.SharedFlags,
  Sandbox
]
