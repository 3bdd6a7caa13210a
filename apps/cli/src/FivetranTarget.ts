import { FivetranClient, FivetranClientConfig } from "@baton-fivetran/fivetran-client"
import { BatonSettings, required, type SettingError } from "@baton-fivetran/settings"
import type { HttpServerError } from "@effect/platform"
import { Effect, Layer, Option } from "effect"
import { decodeFlag } from "./settings/FlagValue.js"
import type { Settings } from "./settings/Settings.js"
import type { UsageError } from "./UsageError.js"

/**
 * Which Fivetran the command talks to: the real API with the user's key, or (`--sandbox`) an
 * embedded sandbox started on a free loopback port for this run, reached with its system key.
 */

const budgetOf = (settings: Settings) => ({
  rateLimitReservePercent: settings.rateLimitReserve,
  maxRateLimitWaitSeconds: Math.ceil(settings.maxRateLimitWaitMillis / 1000)
})

const remoteClient = (settings: Settings) =>
  Layer.unwrapEffect(Effect.gen(function*() {
    const apiKey = yield* required(BatonSettings.ApiKey, settings.apiKey)
    const apiSecret = yield* required(BatonSettings.ApiSecret, settings.apiSecret)
    return FivetranClient.layer(FivetranClientConfig.make({
      apiKey,
      apiSecret,
      baseUrl: settings.baseUrl,
      ...budgetOf(settings)
    }))
  }))

/**
 * The sandbox (its generator and HTTP server) is imported only when a flag names a preset: a
 * command against the real API does not load it (it was a fifth of a one-shot grant's code).
 */
const sandboxModule = Effect.promise(() => import("@baton-fivetran/fivetran-sandbox"))

/** `--sandbox small|medium|large`, also used by the `sandbox` subcommand's `--preset`. */
export const presetFlag = (flag: string, value: Option.Option<string>) =>
  Option.isNone(value)
    ? Effect.succeedNone
    : Effect.flatMap(sandboxModule, (sandbox) => decodeFlag(flag, sandbox.PresetName, "small, medium or large", value))

export const fivetranClientLayer = (settings: Settings, sandbox: Option.Option<string>) =>
  Layer.unwrapEffect(
    Option.isNone(sandbox)
      ? Effect.succeed(remoteClient(settings))
      : Effect.flatMap(sandboxModule, (module) =>
        Effect.map(
          presetFlag("sandbox", sandbox),
          (preset): Layer.Layer<FivetranClient, UsageError | SettingError | HttpServerError.ServeError> =>
            Option.isSome(preset)
              ? module.embeddedSandboxClient(
                preset.value,
                (baseUrl) => Effect.logInfo(`embedded Fivetran sandbox ("${preset.value}" preset) listening on ${baseUrl}`),
                budgetOf(settings)
              )
              : remoteClient(settings)
        ))
  )
