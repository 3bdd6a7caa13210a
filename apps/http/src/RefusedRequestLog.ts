import { echoed, withoutEmails } from "@baton-fivetran/fivetran-client"
import { originForm, routeOf, UnmatchedRoute } from "./Routes.js"

/**
 * The `http request` line of a request answered outside the routes (Node's refusals: ClientErrors.ts;
 * a stop's 503: UnservedRequests.ts), with what was read of it, so that it can be found by endpoint
 * as a served request's line can.
 */

/**
 * What is logged of an answer: the request's method, route and path (without its query, cut as
 * messages cut what a caller sent, an email in it `<email>`: a caller may give one where an id
 * belongs) as far as they were read, its status, request id and error name.
 */
export interface ClientErrorLog {
  readonly method?: string
  readonly route: string
  readonly path?: string
  readonly status: number
  readonly request_id: string
  readonly error: string
}

/** A request's method and target as sent, once its request line was read. */
export interface RequestLine {
  readonly method: string
  readonly target: string
}

/** The fields of the log line of a refused request whose request line was read, if it was. */
export const requestLineFields = (line: RequestLine | undefined): Pick<ClientErrorLog, "method" | "route" | "path"> => {
  if (line === undefined) return { route: UnmatchedRoute }
  const path = originForm(line.target)
  const query = path.search(/[?#]/)
  return {
    method: echoed(line.method),
    route: routeOf(line.method, line.target),
    path: withoutEmails(echoed(query === -1 ? path : path.slice(0, query)))
  }
}
