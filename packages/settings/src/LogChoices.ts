/**
 * The values of baton's `--log-level` and `--log-format`. A module with no imports, exported on its
 * own (`@baton-fivetran/settings/log-choices`), so connector-core's logging can name them without
 * loading the settings module.
 */
export const LogLevels = ["debug", "info", "warn", "error"] as const
export type BatonLogLevel = typeof LogLevels[number]

export const LogFormats = ["console", "json"] as const
export type LogFormat = typeof LogFormats[number]
