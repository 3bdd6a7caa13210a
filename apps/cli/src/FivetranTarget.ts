import { FivetranClient, FivetranClientConfig } from "@baton-fivetran/fivetran-client"
import { generatePreset, PresetName, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import type { HttpClient, HttpServerError } from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Effect, Layer, Option, Redacted } from "effect"
import { decodeFlag } from "./settings/FlagValue.js"
import { ApiKeySetting, ApiSecretSetting, required, type Settings } from "./settings/Settings.js"
import type { UsageError } from "./UsageError.js"

/**
 * Which Fivetran the command talks to: the real API with the user's key, or (`--sandbox`) an
 * embedded sandbox started on a free loopback port for this run, reached with its system key.
 */

const sandboxClient = (preset: PresetName) =>
  Layer.unwrapEffect(Effect.gen(function*() {
    const sandbox = yield* Sandbox
    const snapshot = yield* sandbox.snapshot
    const systemKey = snapshot.credentials.find((credential) => credential._tag === "SystemKey")
    if (systemKey === undefined) {
      // Every preset is generated with one; without it this build is broken, not the user's input.
      return yield* Effect.dieMessage(`the "${preset}" sandbox preset has no system key`)
    }
    yield* Effect.logInfo(`embedded Fivetran sandbox ("${preset}" preset) listening on ${sandbox.baseUrl}`)
    return FivetranClient.layer(FivetranClientConfig.make({
      apiKey: Redacted.make(systemKey.key),
      apiSecret: Redacted.make(systemKey.secret),
      baseUrl: sandbox.baseUrl
    }))
  })).pipe(Layer.provide(Sandbox.layer({ snapshot: generatePreset(preset), port: 0 })))

const remoteClient = (settings: Settings) =>
  Layer.unwrapEffect(Effect.gen(function*() {
    const apiKey = yield* required(ApiKeySetting, settings.apiKey)
    const apiSecret = yield* required(ApiSecretSetting, settings.apiSecret)
    return FivetranClient.layer(FivetranClientConfig.make({ apiKey, apiSecret, baseUrl: settings.baseUrl }))
  }))

/** `--sandbox small|medium|large`, also used by the `sandbox` subcommand's `--preset`. */
export const presetFlag = (flag: string, value: Option.Option<string>) =>
  decodeFlag(flag, PresetName, "small, medium or large", value)

export const fivetranClientLayer = (settings: Settings, sandbox: Option.Option<string>) =>
  Layer.unwrapEffect(
    Effect.map(
      presetFlag("sandbox", sandbox),
      (preset): Layer.Layer<FivetranClient, UsageError | HttpServerError.ServeError, HttpClient.HttpClient> =>
        Option.isSome(preset) ? sandboxClient(preset.value) : remoteClient(settings)
    )
  ).pipe(Layer.provide(NodeHttpClient.layerUndici))
