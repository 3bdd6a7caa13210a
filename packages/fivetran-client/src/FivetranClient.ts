import type { HttpClient } from "@effect/platform"
import { Context, Layer } from "effect"
import type { FivetranClientConfig } from "./FivetranClientConfig.js"
import type { FivetranClientShape } from "./FivetranClientShape.js"
import { makeFivetranClient } from "./makeFivetranClient.js"

export class FivetranClient extends Context.Tag("fivetran/FivetranClient")<FivetranClient, FivetranClientShape>() {
  /** The real client over the ambient `HttpClient` (e.g. `NodeHttpClient.layerUndici`). */
  static readonly layer = (config: FivetranClientConfig): Layer.Layer<FivetranClient, never, HttpClient.HttpClient> =>
    Layer.effect(FivetranClient, makeFivetranClient(config))
}
