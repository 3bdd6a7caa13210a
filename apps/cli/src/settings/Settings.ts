import {
  ApiKeyCredential,
  ApiSecretCredential,
  type BatonLogLevel,
  BatonSettings,
  checkSandboxOrFivetran,
  type Credential,
  findCredential,
  type DefaultedSetting,
  type LogFormat,
  lookup,
  resolve,
  type Setting,
  SettingKind,
  type SettingSources,
  withDefault,
  optional,
  sandboxPreset
} from "@baton-fivetran/settings"
import type { PresetName } from "@baton-fivetran/fivetran-sandbox"
import type { FileSystem } from "@effect/platform"
import { Effect, Option, type Redacted } from "effect"
import { ActionSettings } from "./ActionSettings.js"

/**
 * The CLI's settings: the ones both apps read (@baton-fivetran/settings) and the CLI's own output
 * files, each from flag > `BATON_*` variable > `.baton.yaml` > default.
 */

export type { LogFormat }
export type LogLevel = BatonLogLevel

export const DefaultFile = "sync.c1z"

export const File: DefaultedSetting<string> = withDefault(SettingKind.path("file"), {
  flag: "file",
  alias: "f",
  description: "The sync file to write.",
  default: () => DefaultFile
})

export const SummaryFile: Setting<string> = optional(SettingKind.path("file"), {
  flag: "summary-file",
  description: "Also write the sync summary as JSON to this file (atomically, once the sync completed)."
})

/**
 * How often a sync without a terminal (a CronJob's log, CI) logs its progress. 1s to 1h: 0 would log
 * without pause, and a line an hour apart no longer shows that a sync is alive; a bare number is
 * refused, as every duration's (`30` meant as minutes read as seconds).
 */
export const ProgressLogInterval: DefaultedSetting<number> = withDefault(SettingKind.durationBetween("1s", "1h", "10s, 30s or 5m"), {
  flag: "progress-log-interval",
  description: "How often a sync logs its progress as an info line when stderr is not a terminal or logs are JSON " +
    "(a terminal gets a progress line redrawn in place instead).",
  default: () => 30_000,
  shown: "30s"
})

/** A bare `--sandbox` is `--sandbox small` (normalizeArgv); a variable or the file names the preset. */
export const Sandbox: Setting<PresetName> = optional(sandboxPreset, {
  flag: "sandbox",
  description: "Run against an embedded Fivetran sandbox with this preset (a bare --sandbox is small); no credentials needed."
})

/** The root command's settings, in help's order. */
export const RootSettings: ReadonlyArray<Setting<unknown>> = [
  File,
  SummaryFile,
  ProgressLogInterval,
  ...BatonSettings.SharedFlags,
  Sandbox,
  ...ActionSettings
]

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
  /** One attempt of a Fivetran request, its whole answer included. */
  readonly requestTimeoutMillis: number
  readonly logLevel: LogLevel
  readonly logFormat: LogFormat
  /** How often a sync logs its progress for a reader of the log (ProgressLog.ts). */
  readonly progressLogIntervalMillis: number
  readonly provisioning: boolean
  /** The embedded sandbox's preset to run against instead of Fivetran, if any. */
  readonly sandbox: Option.Option<PresetName>
}

/** A run reads a credential file once: one run is one sync or one action. */
const credentialOf = (credential: Credential, sources: SettingSources) =>
  Effect.map(findCredential(credential, sources), Option.map(({ value }) => value))

export const resolveSettings = (sources: SettingSources) =>
  Effect.zipLeft(
    Effect.all({
      file: resolve(File, sources),
      summaryFile: lookup(SummaryFile, sources),
      apiKey: credentialOf(ApiKeyCredential, sources),
      apiSecret: credentialOf(ApiSecretCredential, sources),
      baseUrl: resolve(BatonSettings.BaseUrl, sources),
      syncConnections: resolve(BatonSettings.SyncConnections, sources),
      exclusionGroups: resolve(BatonSettings.ExclusionGroups, sources),
      concurrency: resolve(BatonSettings.Concurrency, sources),
      rateLimitReserve: resolve(BatonSettings.RateLimitReserve, sources),
      maxRateLimitWaitMillis: resolve(BatonSettings.MaxRateLimitWait, sources),
      requestTimeoutMillis: resolve(BatonSettings.RequestTimeout, sources),
      logLevel: resolve(BatonSettings.LogLevel, sources),
      logFormat: resolve(BatonSettings.LogFormat, sources),
      progressLogIntervalMillis: resolve(ProgressLogInterval, sources),
      provisioning: resolve(BatonSettings.Provisioning, sources),
      sandbox: lookup(Sandbox, sources)
    }),
    checkSandboxOrFivetran(Sandbox, sources)
  ) satisfies Effect.Effect<Settings, unknown, FileSystem.FileSystem>

/** Only the logging settings, for commands that need no Fivetran settings. */
export const resolveLogging = (sources: SettingSources) =>
  Effect.all({
    logLevel: resolve(BatonSettings.LogLevel, sources),
    logFormat: resolve(BatonSettings.LogFormat, sources)
  })
