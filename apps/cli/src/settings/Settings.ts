import { type BatonLogLevel, type LogFormat, LogFormats, LogLevels } from "@baton-fivetran/connector-core/logging"
import { DefaultBaseUrl, DefaultConcurrency } from "./ConnectorDefaults.js"
import { Config, ConfigError, Effect, Either, Option, type Redacted } from "effect"
import { UsageError } from "../UsageError.js"
import { parseWaitDuration } from "@baton-fivetran/fivetran-client/WaitDuration"
import { envName, lookup, type Setting, type SettingSources } from "./Setting.js"

/**
 * The settings every baton connector reads from flag, `BATON_*` variable or `.baton.yaml`
 * (baton-model.md §5.1), plus this connector's own (connector-core's configurationSchema()).
 */

export { type LogFormat, LogFormats, LogLevels }
export type LogLevel = BatonLogLevel

export const DefaultFile = "sync.c1z"
export const MaxConcurrency = 64

const secret = (flag: string): Setting<Redacted.Redacted<string>> => ({
  flag,
  config: (key) => Config.redacted(Config.nonEmptyString(key))
})

export const FileSetting: Setting<string> = { flag: "file", config: (key) => Config.nonEmptyString(key) }
export const SummaryFileSetting: Setting<string> = { flag: "summary-file", config: (key) => Config.nonEmptyString(key) }
export const ApiKeySetting = secret("api-key")
export const ApiSecretSetting = secret("api-secret")
export const BaseUrlSetting: Setting<string> = {
  flag: "base-url",
  config: (key) =>
    Config.string(key).pipe(
      Config.validate({
        message: `expected an http(s) URL such as ${DefaultBaseUrl}`,
        validation: (s) => URL.canParse(s) && /^https?:$/.test(new URL(s).protocol)
      }),
      Config.map((s) => s.replace(/\/+$/, ""))
    )
}
export const SyncConnectionsSetting: Setting<boolean> = { flag: "sync-connections", config: Config.boolean }
export const ExclusionGroupsSetting: Setting<boolean> = { flag: "exclusion-groups", config: Config.boolean }
export const ConcurrencySetting: Setting<number> = {
  flag: "concurrency",
  config: (key) =>
    Config.integer(key).pipe(
      Config.validate({
        message: `expected a whole number from 1 to ${MaxConcurrency}`,
        validation: (n) => n >= 1 && n <= MaxConcurrency
      })
    )
}
/** Percent of the account's hourly limit left to its other tools (fivetran-client's RATE_LIMIT_RESERVE). */
export const DefaultRateLimitReserve = 20
export const DefaultMaxRateLimitWaitMillis = 3_600_000
export const RateLimitReserveSetting: Setting<number> = {
  flag: "rate-limit-reserve",
  config: (key) =>
    Config.integer(key).pipe(
      Config.validate({ message: "expected a whole percentage from 0 to 99", validation: (n) => n >= 0 && n <= 99 })
    )
}
export const MaxRateLimitWaitSetting: Setting<number> = {
  flag: "max-rate-limit-wait",
  config: (key) =>
    Config.string(key).pipe(
      Config.mapOrFail((text) =>
        Option.match(parseWaitDuration(text), {
          onNone: () =>
            Either.left(ConfigError.InvalidData([], `expected a duration such as 1h, 10m, 90s or 1h30m, got "${text}"`)),
          onSome: Either.right
        })
      )
    )
}
export const LogLevelSetting: Setting<LogLevel> = { flag: "log-level", config: Config.literal(...LogLevels) }
export const LogFormatSetting: Setting<LogFormat> = { flag: "log-format", config: Config.literal(...LogFormats) }
export const ProvisioningSetting: Setting<boolean> = { flag: "provisioning", config: Config.boolean }

export interface Settings {
  readonly file: string
  /** Where a finished sync also writes its summary as JSON (for schedulers), if anywhere. */
  readonly summaryFile: Option.Option<string>
  readonly apiKey: Option.Option<Redacted.Redacted<string>>
  readonly apiSecret: Option.Option<Redacted.Redacted<string>>
  readonly baseUrl: string
  readonly syncConnections: boolean
  /** Write EntitlementExclusionGroup annotations (readers need a baton-sdk newer than v0.7.27). */
  readonly exclusionGroups: boolean
  readonly concurrency: number
  readonly rateLimitReserve: number
  readonly maxRateLimitWaitMillis: number
  readonly logLevel: LogLevel
  readonly logFormat: LogFormat
  readonly provisioning: boolean
}

/** baton's rule: console logs for a person at a terminal, JSON for anything else. */
const defaultLogFormat = (): LogFormat => process.stderr.isTTY ? "console" : "json"

const orDefault = <A>(setting: Setting<A>, sources: SettingSources, fallback: () => A) =>
  Effect.map(lookup(setting, sources), Option.getOrElse(fallback))

export const resolveSettings = (sources: SettingSources): Effect.Effect<Settings, UsageError> =>
  Effect.all({
    file: orDefault(FileSetting, sources, () => DefaultFile),
    summaryFile: lookup(SummaryFileSetting, sources),
    apiKey: lookup(ApiKeySetting, sources),
    apiSecret: lookup(ApiSecretSetting, sources),
    baseUrl: orDefault(BaseUrlSetting, sources, () => DefaultBaseUrl),
    syncConnections: orDefault(SyncConnectionsSetting, sources, () => false),
    exclusionGroups: orDefault(ExclusionGroupsSetting, sources, () => false),
    concurrency: orDefault(ConcurrencySetting, sources, () => DefaultConcurrency),
    rateLimitReserve: orDefault(RateLimitReserveSetting, sources, () => DefaultRateLimitReserve),
    maxRateLimitWaitMillis: orDefault(MaxRateLimitWaitSetting, sources, () => DefaultMaxRateLimitWaitMillis),
    logLevel: orDefault(LogLevelSetting, sources, (): LogLevel => "info"),
    logFormat: orDefault(LogFormatSetting, sources, defaultLogFormat),
    provisioning: orDefault(ProvisioningSetting, sources, () => false)
  })

/** Only the logging settings, for commands that need no Fivetran settings. */
export const resolveLogging = (sources: SettingSources) =>
  Effect.all({
    logLevel: orDefault(LogLevelSetting, sources, (): LogLevel => "info"),
    logFormat: orDefault(LogFormatSetting, sources, defaultLogFormat)
  })

/** A setting a command cannot do without, e.g. the API secret for a real sync. */
export const required = <A>(setting: Setting<A>, value: Option.Option<A>): Effect.Effect<A, UsageError> =>
  Option.match(value, {
    onSome: Effect.succeed,
    onNone: () =>
      new UsageError({
        reason: `missing --${setting.flag}: pass it, set ${envName(setting.flag)}, or add "${setting.flag}:" to .baton.yaml`
      })
  })
