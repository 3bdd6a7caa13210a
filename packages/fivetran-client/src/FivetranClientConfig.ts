import { Effect, type Redacted } from "effect"

/**
 * Everything the client needs to reach Fivetran; secrets stay `Redacted` until a request is built.
 * The apps read the user-facing ones as settings (@baton-fivetran/settings); this module imports
 * only effect at run time, so they can take its defaults at start-up (the `./config` export).
 */

/** An API key and its secret, as a request is sent with them. */
export interface FivetranCredentials {
  readonly apiKey: Redacted.Redacted<string>
  readonly apiSecret: Redacted.Redacted<string>
}

export interface FivetranClientConfig {
  /**
   * The key and secret, read as each request is built: a fixed pair for a one-shot command, the
   * pair in force for a service that rotates them without a restart (its credential files re-read).
   */
  readonly credentials: Effect.Effect<FivetranCredentials>
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
  /** The documented defaults for everything but the credentials: a fixed pair, or their source. */
  make: (
    options:
      & (FivetranCredentials | Pick<FivetranClientConfig, "credentials">)
      & Partial<Omit<FivetranClientConfig, "credentials">>
  ): FivetranClientConfig => {
    const { apiKey: _key, apiSecret: _secret, ...tuning }: Partial<FivetranCredentials> & Partial<FivetranClientConfig> = options
    return {
      baseUrl: DefaultBaseUrl,
      requestTimeoutSeconds: DefaultRequestTimeoutSeconds,
      maxAttempts: 5,
      maxBackoffSeconds: 60,
      backoffBaseMillis: 500,
      rateLimitReservePercent: DefaultRateLimitReservePercent,
      maxRateLimitWaitSeconds: DefaultMaxRateLimitWaitSeconds,
      ...tuning,
      credentials: "credentials" in options
        ? options.credentials
        : Effect.succeed({ apiKey: options.apiKey, apiSecret: options.apiSecret })
    }
  }
}
