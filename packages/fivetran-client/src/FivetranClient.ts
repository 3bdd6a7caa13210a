import type { HttpClient } from "@effect/platform"
import { type ConfigError, Context, Effect, Layer } from "effect"
import { FivetranClientConfig } from "./FivetranClientConfig.js"
import type { FivetranClientShape } from "./FivetranClientShape.js"
import { makeFivetranClient } from "./makeFivetranClient.js"

export class FivetranClient extends Context.Tag("fivetran/FivetranClient")<FivetranClient, FivetranClientShape>() {
  /** The real client over the ambient `HttpClient` (e.g. `NodeHttpClient.layerUndici`). */
  static readonly layer = (config: FivetranClientConfig): Layer.Layer<FivetranClient, never, HttpClient.HttpClient> =>
    Layer.effect(FivetranClient, makeFivetranClient(config))

  /** As `layer`, reading `FivetranClientConfig.config` from the current ConfigProvider. */
  static readonly layerConfig: Layer.Layer<FivetranClient, ConfigError.ConfigError, HttpClient.HttpClient> = Layer
    .unwrapEffect(Effect.map(FivetranClientConfig.config, (config) => FivetranClient.layer(config)))
}
