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
  /** Longest single wait before a retry: caps `Retry-After` and the exponential backoff. */
  readonly maxRetryAfterSeconds: number
  /** First backoff delay after a 5xx or transport failure; doubles on each retry, with jitter. */
  readonly backoffBaseMillis: number
}

export const DefaultBaseUrl = "https://api.fivetran.com"

const positiveInteger = (name: string, fallback: number) =>
  Config.integer(name).pipe(
    Config.withDefault(fallback),
    Config.validate({ message: `${name} must be a whole number of at least 1`, validation: (n) => n >= 1 })
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
   * `MAX_ATTEMPTS`, `MAX_RETRY_AFTER_SECONDS` and `BACKOFF_BASE_MILLIS`. Apps scope the names with a
   * nested ConfigProvider (e.g. `BATON_API_KEY` from the environment).
   */
  config: Config.all({
    apiKey: Config.redacted(Config.nonEmptyString("API_KEY")),
    apiSecret: Config.redacted(Config.nonEmptyString("API_SECRET")),
    baseUrl: httpUrl("BASE_URL", DefaultBaseUrl),
    requestTimeoutSeconds: positiveInteger("REQUEST_TIMEOUT_SECONDS", 30),
    maxAttempts: positiveInteger("MAX_ATTEMPTS", 5),
    maxRetryAfterSeconds: positiveInteger("MAX_RETRY_AFTER_SECONDS", 60),
    backoffBaseMillis: positiveInteger("BACKOFF_BASE_MILLIS", 500)
  }) satisfies Config.Config<FivetranClientConfig>,

  /** The documented defaults for everything but the credentials. */
  make: (
    options: Pick<FivetranClientConfig, "apiKey" | "apiSecret"> & Partial<FivetranClientConfig>
  ): FivetranClientConfig => ({
    baseUrl: DefaultBaseUrl,
    requestTimeoutSeconds: 30,
    maxAttempts: 5,
    maxRetryAfterSeconds: 60,
    backoffBaseMillis: 500,
    ...options
  })
}
