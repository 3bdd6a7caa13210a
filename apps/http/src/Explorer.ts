import { FileSystem, HttpApiBuilder, HttpServerResponse } from "@effect/platform"
import { Effect } from "effect"
import { fileURLToPath } from "node:url"

/**
 * The access explorer page (web/, built into public/ by scripts/build-web.mjs) served at `/`.
 * The page and its two assets are public (a browser cannot send a token to open them; they hold
 * no data); everything they show comes from the API with the token the user enters. The files
 * are read once at start-up; a service built without them answers `/` with how to build them.
 * The page names its assets and the API by relative URLs, so that it works under a reverse
 * proxy's path prefix too, opened at an address ending with `/` (docs/deploy.md).
 */

const assets = [
  { path: "/", file: "index.html", contentType: "text/html; charset=utf-8" },
  { path: "/explorer.js", file: "explorer.js", contentType: "text/javascript; charset=utf-8" },
  { path: "/explorer.css", file: "explorer.css", contentType: "text/css; charset=utf-8" }
] as const

/**
 * Where a browser looks for a page's icon when the page names none: Swagger UI's page at /docs does
 * not, so each opening of it asked `/favicon.ico`, which as an unknown path was answered 401 and
 * logged and counted as a refused request. It has no icon: 204, which browsers keep for a day.
 */
const faviconPath = "/favicon.ico"

const noIcon = HttpServerResponse.empty({ status: 204, headers: { "cache-control": "public, max-age=86400" } })

export const ExplorerPaths: ReadonlyArray<string> = [...assets.map((asset) => asset.path), faviconPath]

/** public/ beside src/, dist/ and bundle/ alike. */
const publicDir = fileURLToPath(new URL("../public/", import.meta.url))

/** Only this origin's script, styles and API; no framing. */
const securityHeaders = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' blob: data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-cache"
}

const notBuilt = HttpServerResponse.text(
  "The access explorer page was not built: run `pnpm build` (apps/http/scripts/build-web.mjs writes apps/http/public/).",
  { status: 503 }
)

export const ExplorerLive = HttpApiBuilder.Router.use((router) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    for (const asset of assets) {
      const body = yield* fs.readFileString(`${publicDir}${asset.file}`).pipe(Effect.option)
      const response = body._tag === "Some"
        ? HttpServerResponse.text(body.value, { contentType: asset.contentType, headers: securityHeaders })
        : notBuilt
      yield* router.get(asset.path, Effect.succeed(response))
    }
    yield* router.get(faviconPath, Effect.succeed(noIcon))
  })
)
