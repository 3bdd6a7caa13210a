import { FivetranClient, FivetranClientConfig } from "@baton-fivetran/fivetran-client"
import type { HttpServerError } from "@effect/platform"
import { type Effect as EffectType, Effect, Layer, Redacted } from "effect"
import { generatePreset, type PresetName } from "./generator/Presets.js"
import { Sandbox } from "./Sandbox.js"

/**
 * A FivetranClient wired to a sandbox started for this process (`--sandbox` in the apps): the
 * preset is served on a free loopback port and reached with its system key. `onStart` hears the
 * base URL once the sandbox listens, so each app can announce it its own way.
 */
export const embeddedSandboxClient = (
  preset: PresetName,
  onStart: (baseUrl: string) => EffectType.Effect<void>,
  /** The app's rate-limit settings and request timeout, so `--sandbox` behaves as the real API would. */
  tuning: Partial<Pick<FivetranClientConfig, "rateLimitReservePercent" | "maxRateLimitWaitSeconds" | "requestTimeoutSeconds">> = {}
): Layer.Layer<FivetranClient, HttpServerError.ServeError> =>
  Layer.unwrapEffect(Effect.gen(function*() {
    const sandbox = yield* Sandbox
    const snapshot = yield* sandbox.snapshot
    const systemKey = snapshot.credentials.find((credential) => credential._tag === "SystemKey")
    if (systemKey === undefined) {
      // Every preset is generated with one; without it the build is broken, not the user's input.
      return yield* Effect.dieMessage(`the "${preset}" sandbox preset has no system key`)
    }
    yield* onStart(sandbox.baseUrl)
    return FivetranClient.layer(FivetranClientConfig.make({
      apiKey: Redacted.make(systemKey.key),
      apiSecret: Redacted.make(systemKey.secret),
      baseUrl: sandbox.baseUrl,
      ...tuning
    }))
  })).pipe(Layer.provide(Sandbox.layer({ snapshot: generatePreset(preset), port: 0 })))
