import { HttpApi } from "@effect/platform"
import { BatonApi } from "@baton-fivetran/http-api"
import { ExplorerPaths } from "./Explorer.js"
import { ExtraRoutePaths } from "./ExtraRoutes.js"

/**
 * The route template a request matched (`/v1/syncs/:id`), for span names, metric labels and the
 * request log: bounded, and free of ids. Anything that matches no route is `unmatched`, so a scan
 * of random paths cannot grow the metrics. Also the Api group the route belongs to, for what is
 * decided before routing (Http.ts: the body of a disabled provisioning request is left unread).
 */

export const UnmatchedRoute = "unmatched"

/** Routes served outside the Api's groups (documents, metrics, the explorer page). */
const ExtraRoutes: ReadonlyArray<RouteDeclaration> = [...Object.values(ExtraRoutePaths), ...ExplorerPaths]
  .map((path) => ({ method: "GET", template: path, group: undefined }))

interface RouteDeclaration {
  readonly method: string
  readonly template: string
  /** The Api group's identifier; none for the routes outside the Api. */
  readonly group: string | undefined
}

interface Route extends RouteDeclaration {
  readonly segments: ReadonlyArray<string>
  readonly literals: number
}

const segmentsOf = (path: string) => path.split("/").filter((segment) => segment !== "")

/** The scheme and authority of an absolute-form target, up to its path's first `/` (the router's own pattern). */
const absoluteFormOrigin = /^https?:\/\/.*?\//

/**
 * A request target in origin form, as the platform's router reads it: an absolute-form target
 * (`GET http://host/v1/syncs`, RFC 9112 §3.2.2, which a client sends through a proxy) loses its
 * scheme and authority. Read as sent, it was served but logged and counted as `unmatched`, and its
 * undecodable parameter was a 404 instead of the 400 naming it.
 */
export const originForm = (target: string): string => target.startsWith("/") ? target : target.replace(absoluteFormOrigin, "/")

/** The path segments of a request target, without its query. */
const targetSegments = (target: string) => {
  const path = originForm(target)
  const query = path.indexOf("?")
  return segmentsOf(query === -1 ? path : path.slice(0, query))
}

const apiRoutes = (): ReadonlyArray<RouteDeclaration> => {
  const routes: Array<RouteDeclaration> = []
  HttpApi.reflect(BatonApi, {
    onGroup: () => {},
    onEndpoint: ({ endpoint, group }) => {
      routes.push({ method: endpoint.method, template: endpoint.path, group: group.identifier })
    }
  })
  return routes
}

const toRoute = (declaration: RouteDeclaration): Route => {
  const segments = segmentsOf(declaration.template)
  return { ...declaration, segments, literals: segments.filter((s) => !s.startsWith(":")).length }
}

// Literal segments win over parameters (`/v1/syncs/latest` before `/v1/syncs/:id`, were both there).
const routes: ReadonlyArray<Route> = [...apiRoutes(), ...ExtraRoutes].map(toRoute).sort((a, b) => b.literals - a.literals)

/**
 * Literal segments match whatever their case, as the platform's router does: `GET /V1/SYNCS` is
 * served, and was logged and counted as `unmatched`, which dashboards per route then missed.
 */
const matches = (route: Route, segments: ReadonlyArray<string>) =>
  route.segments.length === segments.length &&
  route.segments.every((segment, i) => segment.startsWith(":") || segment.toLowerCase() === segments[i]!.toLowerCase())

/** The route `method url` would reach; HEAD is matched as GET. */
const find = (method: string, url: string): Route | undefined => {
  const segments = targetSegments(url)
  const wanted = method === "HEAD" ? "GET" : method
  return routes.find((route) => route.method === wanted && matches(route, segments))
}

/** The template of the route `method url` would reach. */
export const routeOf = (method: string, url: string): string => find(method, url)?.template ?? UnmatchedRoute

/** The identifier of the Api group whose endpoint `method url` would reach, if any. */
export const groupOf = (method: string, url: string): string | undefined => find(method, url)?.group

/** Whether a path segment or query component decodes: a `%` not followed by two hex digits (or bytes that are not UTF-8) does not. */
const decodes = (segment: string) => {
  try {
    decodeURIComponent(segment)
    return true
  } catch {
    return false
  }
}

/**
 * The first path parameter of the route `method url` would reach whose segment is not valid
 * percent-encoding, with that segment as sent (`50%Off` in a grant id naming a role). The platform's
 * router matches no route for such a path, which was answered 404 "no endpoint" for an endpoint
 * that exists.
 */
export const undecodableParameter = (method: string, url: string): { readonly name: string; readonly segment: string } | undefined => {
  const route = find(method, url)
  if (route === undefined) return undefined
  const segments = targetSegments(url)
  const at = route.segments.findIndex((segment, i) => segment.startsWith(":") && !decodes(segments[i]!))
  return at === -1 ? undefined : { name: route.segments[at]!.slice(1), segment: segments[at]! }
}

/**
 * Where the path of `method url` holds a raw `;`: the path parameter of the route it would reach
 * whose segment holds it, else the path itself. The platform's router ends a path at `;` (as in
 * `/foo;jsessionid=1`): `DELETE /v1/grants/<grant id>;x` revoked the grant named by what came
 * before it, and a `;` in a middle segment was a 404 "no endpoint". Encoded (`%3B`), it is part of the id.
 */
export const rawSemicolon = (method: string, url: string): { readonly name: string; readonly segment: string } | undefined => {
  if (!url.includes(";")) return undefined
  const segments = targetSegments(url)
  if (!segments.some((segment) => segment.includes(";"))) return undefined
  const route = find(method, url)
  const at = route?.segments.findIndex((segment, i) => segment.startsWith(":") && segments[i]!.includes(";")) ?? -1
  return route === undefined || at === -1
    ? { name: "path", segment: `/${segments.join("/")}` }
    : { name: route.segments[at]!.slice(1), segment: segments[at]! }
}

/**
 * The first query parameter of a request target whose name or value is not valid percent-encoding,
 * named as it decodes (else as sent), with its value as sent. URLSearchParams, which the platform
 * reads the query with, keeps such a `%` as it is: `?q=%ZZ` searched for the text `%ZZ`, and
 * `?principal=%ZZ` was a 404 for a principal of that id.
 */
export const undecodableQueryParameter = (url: string): { readonly name: string; readonly segment: string } | undefined => {
  const query = url.indexOf("?")
  if (query === -1) return undefined
  for (const pair of url.slice(query + 1).split("&")) {
    const equals = pair.indexOf("=")
    const name = equals === -1 ? pair : pair.slice(0, equals)
    const value = equals === -1 ? "" : pair.slice(equals + 1)
    if (decodes(name) && decodes(value)) continue
    return { name: decodes(name) ? decodeURIComponent(name.replaceAll("+", " ")) : name, segment: value }
  }
  return undefined
}
