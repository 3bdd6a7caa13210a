import { HttpApiBuilder, HttpApiSwagger, HttpRouter, HttpServerResponse } from "@effect/platform"
import { Effect, Layer, type Redacted } from "effect"
import { requireToken } from "./Auth.js"
import { PrometheusContentType, prometheusText } from "./PrometheusText.js"

/**
 * The routes served outside the Api's groups that need a token: the OpenAPI document and Swagger
 * UI (unless --public-docs) and /metrics (unless --public-metrics). Each is wrapped in the token
 * check when it is registered; the Api's endpoints have their own middleware, the explorer page
 * (Explorer.ts) and /healthz are public, and a path no route matches needs a token too
 * (RequestFailures.ts). A new route outside the Api belongs here.
 */

/** Their paths (all GET), which Routes.ts also names as route templates. */
export const ExtraRoutePaths = { openApi: "/openapi.json", docs: "/docs", metrics: "/metrics" } as const

const documents = Layer.mergeAll(
  HttpApiSwagger.layer({ path: ExtraRoutePaths.docs }),
  HttpApiBuilder.middlewareOpenApi({ path: ExtraRoutePaths.openApi })
)

/**
 * The platform's document layers register their routes on the service's router directly. Built
 * here on a router of their own (a fresh `Router.Live`, provided to this one effect), their routes
 * are wrapped in the token check as a whole and then added to the service's router.
 */
const documentsBehindToken = (tokens: ReadonlyArray<Redacted.Redacted<string>>) =>
  HttpApiBuilder.Router.use((router) =>
    HttpApiBuilder.Router.router.pipe(
      Effect.provide(Layer.provideMerge(documents, HttpApiBuilder.Router.Live)),
      Effect.flatMap((routes) => router.concat(HttpRouter.use(routes, requireToken(tokens))))
    )
  )

const metrics = Effect.map(prometheusText, (text) => HttpServerResponse.text(text, { contentType: PrometheusContentType }))

export const ExtraRoutesLive = (options: {
  readonly tokens: ReadonlyArray<Redacted.Redacted<string>>
  readonly publicDocs: boolean
  readonly publicMetrics: boolean
}) =>
  Layer.merge(
    options.publicDocs ? documents : documentsBehindToken(options.tokens),
    HttpApiBuilder.Router.use((router) =>
      router.get(ExtraRoutePaths.metrics, options.publicMetrics ? metrics : requireToken(options.tokens)(metrics))
    )
  )
