import { HttpApp, HttpServerResponse } from "@effect/platform"
import { Effect } from "effect"

/**
 * Headers on every answer the service gives through its routes, whichever check or route answered:
 * - `X-Content-Type-Options: nosniff`: a body is read only as the type it is sent with (JSON that
 *   quotes a name from Fivetran is never taken for a page or a script);
 * - `X-Frame-Options: DENY`: no page is shown in another site's frame (Swagger UI at /docs had no
 *   framing rule: with --public-docs another site could frame it; the explorer says so in its CSP too);
 * - `Cache-Control: no-store` where the route set no caching of its own: the answers hold who has
 *   access to what, with names and emails, and a browser kept them in its disk cache after the
 *   explorer's sign-out (the explorer's own files keep their `no-cache`).
 */
const always = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY"
}

export const securityHeaders = <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R> =>
  Effect.zipRight(
    HttpApp.appendPreResponseHandler((_, response) =>
      Effect.succeed(
        HttpServerResponse.setHeaders(response, {
          ...always,
          ...(response.headers["cache-control"] === undefined ? { "cache-control": "no-store" } : {})
        })
      )
    ),
    app
  )
