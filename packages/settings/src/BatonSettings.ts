import {
  DefaultBaseUrl,
  DefaultMaxRateLimitWaitSeconds,
  DefaultRateLimitReservePercent,
  DefaultRequestTimeoutSeconds
} from "@baton-fivetran/fivetran-client/config"
import { LogFormats, LogLevels } from "./LogChoices.js"
import { optional, requiredUnless, withDefault } from "./Setting.js"
import * as Kind from "./SettingKind.js"

/**
 * The settings both apps read (baton's shared ones and this connector's own), each from its flag,
 * its `BATON_*` variable or `.baton.yaml`. App-only settings (the CLI's output files, the HTTP
 * service's port, tokens and data directory) are declared the same way in their app.
 */

export const DefaultConcurrency = 8
/** More parallel membership requests only meet Fivetran's rate limit sooner. */
export const MaxConcurrency = 64

export const ApiKey = requiredUnless(Kind.apiKey, {
  flag: "api-key",
  description: "The Fivetran API key (a scoped user key or a system key).",
  unless: "--api-key-file, or --sandbox"
})

export const ApiSecret = requiredUnless(Kind.secret("secret"), {
  flag: "api-secret",
  description: "The secret of the Fivetran API key.",
  unless: "--api-secret-file, or --sandbox"
})

/**
 * The key and the secret from files (CredentialFile.ts), e.g. a mounted Kubernetes Secret: the HTTP
 * service re-reads them while it runs, so a rotated key needs no restart.
 */
export const ApiKeyFile = optional(Kind.path("file"), {
  flag: "api-key-file",
  description: "File holding the Fivetran API key, instead of --api-key: one line, surrounding whitespace trimmed. " +
    "The HTTP service re-reads it every 5 s (a mounted Kubernetes Secret is updated in place), so a rotated key " +
    "needs no restart; the CLI reads it once a run."
})

export const ApiSecretFile = optional(Kind.path("file"), {
  flag: "api-secret-file",
  description: "File holding the secret of the Fivetran API key, instead of --api-secret: read as --api-key-file is."
})

export const BaseUrl = withDefault(Kind.baseUrl(DefaultBaseUrl, "/v1"), {
  flag: "base-url",
  description: "The Fivetran REST API base URL, without /v1 (the client adds it; a trailing /v1 is dropped).",
  default: () => DefaultBaseUrl
})

export const SyncConnections = withDefault(Kind.boolean, {
  flag: "sync-connections",
  description: "Also sync connections and connection-level access (needs CONNECTOR:READ on a system key).",
  default: () => false
})

export const ExclusionGroups = withDefault(Kind.boolean, {
  flag: "exclusion-groups",
  description: "Also write EntitlementExclusionGroup annotations (one role per container; readers need a " +
    "baton-sdk newer than v0.7.27, the one the current baton CLI vendors).",
  default: () => false
})

export const Concurrency = withDefault(Kind.integer(1, MaxConcurrency), {
  flag: "concurrency",
  description: "How many Fivetran membership requests may run at once.",
  default: () => DefaultConcurrency
})

export const RateLimitReserve = withDefault(Kind.integer(0, 99, "percent"), {
  flag: "rate-limit-reserve",
  description: "Percent of the account's hourly Fivetran request limit left to its other tools, never spent here.",
  default: () => DefaultRateLimitReservePercent
})

export const MaxRateLimitWait = withDefault(Kind.duration, {
  flag: "max-rate-limit-wait",
  description: "Longest wait for Fivetran's rate limit; a longer one fails the sync at once.",
  default: () => DefaultMaxRateLimitWaitSeconds * 1000,
  shown: `${DefaultMaxRateLimitWaitSeconds / 3600}h`
})

/**
 * Bounds one attempt, so a Fivetran (or a proxy) that takes the connection and never answers fails
 * a one-shot command in about five of it plus the backoff, not 2.5 minutes; up to 10m for a slow proxy.
 */
export const RequestTimeout = withDefault(Kind.durationBetween("1s", "10m", "10s, 30s or 2m"), {
  flag: "request-timeout",
  description: "How long one attempt of a Fivetran request may take, its whole answer included; a request is tried " +
    "up to 5 times, each attempt with this timeout.",
  default: () => DefaultRequestTimeoutSeconds * 1000,
  shown: `${DefaultRequestTimeoutSeconds}s`
})

export const LogLevel = withDefault(Kind.choice(LogLevels), {
  flag: "log-level",
  description: "The lowest level logged on stderr.",
  default: () => "info" as const
})

export const LogFormat = withDefault(Kind.choice(LogFormats), {
  flag: "log-format",
  description: "The format of logs (and the CLI's summary) on stderr.",
  // baton's rule: console logs for a person at a terminal, JSON for anything else.
  default: () => process.stderr.isTTY ? "console" as const : "json" as const,
  shown: "console on a terminal, else json"
})

export const Provisioning = withDefault(Kind.boolean, {
  flag: "provisioning",
  alias: "p",
  description: "Enable provisioning (grant, revoke, create account, delete).",
  default: () => false
})

/**
 * The shared settings as both apps list them in help, after their own (--log-level is not among
 * them: it is taken out of argv, see Argv.ts).
 */
export const SharedFlags = [
  ApiKey,
  ApiKeyFile,
  ApiSecret,
  ApiSecretFile,
  BaseUrl,
  SyncConnections,
  ExclusionGroups,
  Concurrency,
  RateLimitReserve,
  MaxRateLimitWait,
  RequestTimeout,
  LogFormat,
  Provisioning
] as const
