import { withConsoleText } from "@baton-fivetran/fivetran-client/console-text"
import { egressProxyFor, FivetranClient, FivetranClientConfig } from "@baton-fivetran/fivetran-client"
import { ApiKeyCredential, ApiSecretCredential, configErrorText, requiredCredential, SettingError } from "@baton-fivetran/settings"
import type { HttpServerError } from "@effect/platform"
import { Effect, Layer, Option } from "effect"
import type { Settings } from "./settings/Settings.js"

/**
 * Which Fivetran the command talks to: the real API with the user's key, or (`--sandbox`,
 * `BATON_SANDBOX`, `sandbox:`) an embedded sandbox started on a free loopback port for this run,
 * reached with its system key.
 */

/** The client's rate-limit settings and its request timeout, for the real API and the sandbox alike. */
const tuningOf = (settings: Settings) => ({
  rateLimitReservePercent: settings.rateLimitReserve,
  maxRateLimitWaitSeconds: Math.ceil(settings.maxRateLimitWaitMillis / 1000),
  requestTimeoutSeconds: settings.requestTimeoutMillis / 1000
})

const remoteClient = (settings: Settings) =>
  Layer.unwrapEffect(Effect.gen(function*() {
    const apiKey = yield* requiredCredential(ApiKeyCredential, settings.apiKey)
    const apiSecret = yield* requiredCredential(ApiSecretCredential, settings.apiSecret)
    const proxy = yield* Effect.mapError(
      egressProxyFor(settings.baseUrl),
      (error) => new SettingError({ reason: `bad proxy setting: ${configErrorText(error)}` })
    )
    return FivetranClient.layer(FivetranClientConfig.make({
      apiKey,
      apiSecret,
      baseUrl: settings.baseUrl,
      proxy,
      ...tuningOf(settings)
    }))
  }))

/**
 * The sandbox (its generator and HTTP server) is imported only when a setting names a preset: a
 * command against the real API does not load it (it was a fifth of a one-shot grant's code).
 */
const sandboxModule = Effect.promise(() => import("@baton-fivetran/fivetran-sandbox"))

export const fivetranClientLayer = (
  settings: Settings
): Layer.Layer<FivetranClient, SettingError | HttpServerError.ServeError> =>
  Option.match(settings.sandbox, {
    onNone: () => remoteClient(settings),
    onSome: (preset) =>
      Layer.unwrapEffect(Effect.map(sandboxModule, (module) =>
        module.embeddedSandboxClient(
          preset,
          (baseUrl) =>
            Effect.logInfo("embedded Fivetran sandbox listening").pipe(
              Effect.annotateLogs({ preset, base_url: baseUrl }),
              withConsoleText(`embedded Fivetran sandbox ("${preset}" preset) listening on ${baseUrl}`, ["preset", "base_url"])
            ),
          tuningOf(settings)
        )))
  })
