import { Context, Layer } from "effect"
import type { FivetranClientConfig } from "./FivetranClientConfig.js"
import type { FivetranClientShape } from "./FivetranClientShape.js"
import { makeFivetranClient } from "./makeFivetranClient.js"

export class FivetranClient extends Context.Tag("fivetran/FivetranClient")<FivetranClient, FivetranClientShape>() {
  /** The real client; its connections to Fivetran close with the layer. */
  static readonly layer = (config: FivetranClientConfig): Layer.Layer<FivetranClient> =>
    Layer.scoped(FivetranClient, makeFivetranClient(config))
}
