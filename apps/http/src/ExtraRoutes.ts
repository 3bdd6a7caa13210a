import { HttpApi, HttpApiBuilder, HttpApiSwagger, HttpServerResponse, OpenApi } from "@effect/platform"
import { Effect, Layer } from "effect"
import { TokenCheck } from "./Auth.js"
import { PrometheusContentType, prometheusText } from "./PrometheusText.js"

/**
 * The routes served outside the Api's groups that need a token: the OpenAPI document and Swagger
 * UI (unless --public-docs) and /metrics (unless --public-metrics). Each is wrapped in the token
 * check when it is registered; the Api's endpoints have their own middleware, the explorer page
 * (Explorer.ts) and the probes (/healthz, /readyz) are public, and a path no route matches needs a token too
 * (RequestFailures.ts). A new route outside the Api belongs here.
 */

/** Their paths (all GET), which Routes.ts also names as route templates. */
export const ExtraRoutePaths = { openApi: "/openapi.json", docs: "/docs", metrics: "/metrics" } as const

/** The platform's OpenAPI document and Swagger UI, each registering its route on the router it is given. */
const platformDocuments = Layer.mergeAll(
  HttpApiSwagger.layer({ path: ExtraRoutePaths.docs }),
  HttpApiBuilder.middlewareOpenApi({ path: ExtraRoutePaths.openApi })
)

/**
 * The API's address as the documents give it: relative, so resolved against where the document
 * is served (OpenAPI 3.1, Server Object). Without it a client (Swagger UI's "Try it out" at /docs, a
 * client generated from /openapi.json) calls `/v1/...` at the host's root, which under a reverse
 * proxy's path prefix (`/baton/docs`) is not the service (docs/deploy.md).
 */
const servedWhereTheDocumentIs: ReadonlyArray<OpenApi.OpenAPISpecServer> = [{
  url: ".",
  description: "this service, where this document is served"
}]

/**
 * The two document routes as one app, built on the first request for either: the platform's
 * layers build the OpenAPI document (a JSON Schema of every endpoint) as they are built, which was
 * ~90 ms of the service's start-up (CPU profile, 2026-12-01). Built once, on a router of their own
 * (a fresh `Router.Live`), with the Api they describe and its relative server; uninterruptibly, so
 * a client that hangs up during the first request cannot leave the build unfinished for the
 * requests after it.
 */
const lazyDocuments = Effect.gen(function*() {
  const api = yield* HttpApi.Api
  const router = yield* Effect.cached(HttpApiBuilder.Router.router.pipe(
    Effect.provide(Layer.provideMerge(platformDocuments, HttpApiBuilder.Router.Live)),
    Effect.provideService(HttpApi.Api, { ...api, api: api.api.annotate(OpenApi.Servers, servedWhereTheDocumentIs) })
  ))
  return Effect.flatMap(Effect.uninterruptible(router), (documents) => documents)
})

const metrics = Effect.map(prometheusText, (text) => HttpServerResponse.text(text, { contentType: PrometheusContentType }))

export const ExtraRoutesLive = (options: {
  readonly publicDocs: boolean
  readonly publicMetrics: boolean
}) =>
  HttpApiBuilder.Router.use((router) =>
    Effect.gen(function*() {
      const documents = yield* lazyDocuments
      const { requireToken } = yield* TokenCheck
      const servedDocuments = options.publicDocs ? documents : requireToken(documents)
      yield* router.get(ExtraRoutePaths.openApi, servedDocuments)
      yield* router.get(ExtraRoutePaths.docs, servedDocuments)
      yield* router.get(ExtraRoutePaths.metrics, options.publicMetrics ? metrics : requireToken(metrics))
    })
  )
