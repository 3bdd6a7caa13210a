import { ProxiedHttpClient } from "@baton-fivetran/connector-core"
import { HttpClient } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { ProxyAgent } from "@effect/platform-node/Undici"
import { Effect, Layer, Redacted } from "effect"

/**
 * The HttpClients OTLP exports go through (connector-core's telemetryLayer): undici's, directly, or
 * for an endpoint behind the egress proxy (HTTPS_PROXY, HTTP_PROXY) over undici's ProxyAgent, as the
 * Fivetran client's requests do: a CONNECT tunnel, the proxy's credentials sent to it alone. Each
 * agent is closed with its exporter's layer, after the last flush. The proxied client is made here,
 * not from NodeHttpClient's layers: a layer is built once per build, so the direct client's would
 * have been handed out in its place.
 */
export const exportHttpClients = Layer.merge(
  NodeHttpClient.layerUndici,
  Layer.succeed(ProxiedHttpClient, (proxy) =>
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
)
