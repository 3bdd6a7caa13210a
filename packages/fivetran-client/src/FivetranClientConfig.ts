import { Config, type Redacted } from "effect"

/** Everything the client needs to reach Fivetran; secrets stay `Redacted` until a request is built. */
export interface FivetranClientConfig {
  readonly apiKey: Redacted.Redacted<string>
  readonly apiSecret: Redacted.Redacted<string>
  /** Without the `/v1` suffix, e.g. `https://api.fivetran.com`. */
  readonly baseUrl: string
  /** One attempt (request plus body) longer than this fails as `Transport`. */
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
}

export const DefaultBaseUrl = "https://api.fivetran.com"
export const DefaultRateLimitReservePercent = 20
export const DefaultMaxRateLimitWaitSeconds = 3600

const positiveInteger = (name: string, fallback: number) =>
  Config.integer(name).pipe(
    Config.withDefault(fallback),
    Config.validate({ message: `${name} must be a whole number of at least 1`, validation: (n) => n >= 1 })
  )

const percent = (name: string, fallback: number) =>
  Config.integer(name).pipe(
    Config.withDefault(fallback),
    Config.validate({ message: `${name} must be a whole percentage from 0 to 99`, validation: (n) => n >= 0 && n <= 99 })
  )

const httpUrl = (name: string, fallback: string) =>
  Config.string(name).pipe(
    Config.withDefault(fallback),
    Config.validate({
      message: `${name} must be an http(s) URL such as ${DefaultBaseUrl}`,
      validation: (s) => URL.canParse(s) && /^https?:$/.test(new URL(s).protocol)
    }),
    Config.map((s) => s.replace(/\/+$/, ""))
  )

export const FivetranClientConfig = {
  /**
   * Reads `API_KEY`, `API_SECRET` (required, redacted), `BASE_URL`, `REQUEST_TIMEOUT_SECONDS`,
   * `MAX_ATTEMPTS`, `MAX_BACKOFF_SECONDS`, `BACKOFF_BASE_MILLIS`, `RATE_LIMIT_RESERVE` (percent) and
   * `MAX_RATE_LIMIT_WAIT_SECONDS`. Apps scope the names with a
   * nested ConfigProvider (e.g. `BATON_API_KEY` from the environment).
   */
  config: Config.all({
    apiKey: Config.redacted(Config.nonEmptyString("API_KEY")),
    apiSecret: Config.redacted(Config.nonEmptyString("API_SECRET")),
    baseUrl: httpUrl("BASE_URL", DefaultBaseUrl),
    requestTimeoutSeconds: positiveInteger("REQUEST_TIMEOUT_SECONDS", 30),
    maxAttempts: positiveInteger("MAX_ATTEMPTS", 5),
    maxBackoffSeconds: positiveInteger("MAX_BACKOFF_SECONDS", 60),
    backoffBaseMillis: positiveInteger("BACKOFF_BASE_MILLIS", 500),
    rateLimitReservePercent: percent("RATE_LIMIT_RESERVE", DefaultRateLimitReservePercent),
    maxRateLimitWaitSeconds: positiveInteger("MAX_RATE_LIMIT_WAIT_SECONDS", DefaultMaxRateLimitWaitSeconds)
  }) satisfies Config.Config<FivetranClientConfig>,

  /** The documented defaults for everything but the credentials. */
  make: (
    options: Pick<FivetranClientConfig, "apiKey" | "apiSecret"> & Partial<FivetranClientConfig>
  ): FivetranClientConfig => ({
    baseUrl: DefaultBaseUrl,
    requestTimeoutSeconds: 30,
    maxAttempts: 5,
    maxBackoffSeconds: 60,
    backoffBaseMillis: 500,
    rateLimitReservePercent: DefaultRateLimitReservePercent,
    maxRateLimitWaitSeconds: DefaultMaxRateLimitWaitSeconds,
    ...options
  })
}
