import { HttpApi } from "@effect/platform"
import { BatonApi } from "@baton-fivetran/http-api"
import { ExplorerPaths } from "./Explorer.js"
import { ExtraRoutePaths } from "./ExtraRoutes.js"

/**
 * The route template a request matched (`/v1/syncs/:id`), for span names, metric labels and the
 * request log: bounded, and free of ids. Anything that matches no route is `unmatched`, so a scan
 * of random paths cannot grow the metrics.
 */

export const UnmatchedRoute = "unmatched"

/** Routes served outside the Api's groups (documents, metrics, the explorer page). */
const ExtraRoutes: ReadonlyArray<readonly [string, string]> = [...Object.values(ExtraRoutePaths), ...ExplorerPaths]
  .map((path) => ["GET", path] as const)

interface Route {
  readonly method: string
  readonly template: string
  readonly segments: ReadonlyArray<string>
  readonly literals: number
}

const segmentsOf = (path: string) => path.split("/").filter((segment) => segment !== "")

const apiRoutes = (): ReadonlyArray<readonly [string, string]> => {
  const routes: Array<readonly [string, string]> = []
  HttpApi.reflect(BatonApi, {
    onGroup: () => {},
    onEndpoint: ({ endpoint }) => {
      routes.push([endpoint.method, endpoint.path])
    }
  })
  return routes
}

const toRoute = ([method, template]: readonly [string, string]): Route => {
  const segments = segmentsOf(template)
  return { method, template, segments, literals: segments.filter((s) => !s.startsWith(":")).length }
}

// Literal segments win over parameters (`/v1/syncs/latest` before `/v1/syncs/:id`, were both there).
const routes: ReadonlyArray<Route> = [...apiRoutes(), ...ExtraRoutes].map(toRoute).sort((a, b) => b.literals - a.literals)

const matches = (route: Route, segments: ReadonlyArray<string>) =>
  route.segments.length === segments.length &&
  route.segments.every((segment, i) => segment.startsWith(":") || segment === segments[i])

/** The template of the route `method url` would reach; HEAD is matched as GET. */
export const routeOf = (method: string, url: string): string => {
  const query = url.indexOf("?")
  const segments = segmentsOf(query === -1 ? url : url.slice(0, query))
  const wanted = method === "HEAD" ? "GET" : method
  return routes.find((route) => route.method === wanted && matches(route, segments))?.template ?? UnmatchedRoute
}
