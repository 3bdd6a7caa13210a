import { FetchHttpClient, HttpClient } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { ProxyAgent } from "@effect/platform-node/Undici"
import { Effect, Layer, Redacted } from "effect"
import { ProxiedHttpClient } from "../../src/telemetry/ExportProxy.js"

/** undici's client over a ProxyAgent for `proxy` (as the apps send exports through one), the agent closed with the layer. */
export const proxiedUndici = Layer.succeed(ProxiedHttpClient, (proxy) =>
  Layer.scoped(
    HttpClient.HttpClient,
    Effect.map(
      Effect.acquireRelease(
        Effect.sync(() => new ProxyAgent({ uri: Redacted.value(proxy) })),
        (agent) => Effect.promise(() => agent.destroy())
      ),
      NodeHttpClient.makeUndici
    )
  ))

/** The HttpClients telemetryLayer asks for: fetch directly, undici through a proxy. */
export const exportClients = Layer.merge(FetchHttpClient.layer, proxiedUndici)
