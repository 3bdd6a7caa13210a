import type { Redacted } from "effect"

/**
 * Everything the client needs to reach Fivetran; secrets stay `Redacted` until a request is built.
 * The apps read the user-facing ones as settings (@baton-fivetran/settings); this module imports
 * nothing at run time, so they can take its defaults at start-up (the `./config` export).
 */
export interface FivetranClientConfig {
  readonly apiKey: Redacted.Redacted<string>
  readonly apiSecret: Redacted.Redacted<string>
  /** Without the `/v1` suffix, e.g. `https://api.fivetran.com`. */
  readonly baseUrl: string
  /** One attempt (request plus body) longer than this fails as `Transport`; the apps' `request-timeout`. */
  readonly requestTimeoutSeconds: number
  /** Total attempts per call, the first one included. */
  readonly maxAttempts: number
  /** Longest backoff before retrying a 5xx or transport failure (a 429's `Retry-After` is not capped by it). */
  readonly maxBackoffSeconds: number
  /** First backoff delay after a 5xx or transport failure; doubles on each retry, with jitter. */
  readonly backoffBaseMillis: number
  /** Percent of the account's hourly limit this client never spends, left to the account's other tools. */
  readonly rateLimitReservePercent: number
  /** Longest wait for the rate limit (a 429's `Retry-After` or the reserve); a longer one fails at once. */
  readonly maxRateLimitWaitSeconds: number
  /**
   * The proxy every request goes through (tunnelled with CONNECT), user and password included;
   * none: straight to `baseUrl`. EgressProxy.ts picks it from HTTPS_PROXY, HTTP_PROXY and NO_PROXY.
   */
  readonly proxy?: Redacted.Redacted<string> | undefined
}

export const DefaultBaseUrl = "https://api.fivetran.com"
export const DefaultRateLimitReservePercent = 20
export const DefaultMaxRateLimitWaitSeconds = 3600
export const DefaultRequestTimeoutSeconds = 30

export const FivetranClientConfig = {
  /** The documented defaults for everything but the credentials. */
  make: (
    options: Pick<FivetranClientConfig, "apiKey" | "apiSecret"> & Partial<FivetranClientConfig>
  ): FivetranClientConfig => ({
    baseUrl: DefaultBaseUrl,
    requestTimeoutSeconds: DefaultRequestTimeoutSeconds,
    maxAttempts: 5,
    maxBackoffSeconds: 60,
    backoffBaseMillis: 500,
    rateLimitReservePercent: DefaultRateLimitReservePercent,
    maxRateLimitWaitSeconds: DefaultMaxRateLimitWaitSeconds,
    ...options
  })
}
