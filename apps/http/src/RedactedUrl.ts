import { HttpServerRequest } from "@effect/platform"
import { Option } from "effect"

/**
 * A request's URL as its server span holds it, without the query's values. The platform's tracer
 * writes the whole URL (`url.full`, `url.query`), and a query holds what a reader searched for (the
 * explorer's `q`, an email or a name) and whose access was asked (`principal=user:...`): a trace
 * backend keeps it longer and shows it to more people than the service's own answers. The path and
 * the parameters' names stay, so a trace still tells which filter a slow request used; each value
 * becomes `REDACTED` (OpenTelemetry's word for a scrubbed value), and a name that is not a plain
 * identifier too, since text sent without `=` arrives as a name. The request log line has only the
 * route template, and no query.
 */

const Scrubbed = "REDACTED"

/** The query parameters' names the Api uses (`page_token`, `q`) look like this; any other name may be a value. */
const plainName = /^[A-Za-z][A-Za-z0-9_]{0,63}$/

/** `search` (a URL's query) with every value, and every name that is not a plain identifier, replaced. */
export const redactedQuery = (search: string): string =>
  Array.from(new URLSearchParams(search).keys(), (name) => `${plainName.test(name) ? name : Scrubbed}=${Scrubbed}`).join("&")

/**
 * The span attributes that replace the platform's `url.full` and `url.query` of a request with a
 * query (none without one: the platform's then hold no query).
 */
export const redactedUrlAttributes = (request: HttpServerRequest.HttpServerRequest): Record<string, string> =>
  Option.match(HttpServerRequest.toURL(request), {
    onNone: () => ({}),
    onSome: (url) => {
      if (url.search === "") return {}
      const query = redactedQuery(url.search)
      url.search = query
      // As the platform's tracer does with them: a Host header may carry credentials.
      if (url.username !== "" || url.password !== "") {
        url.username = Scrubbed
        url.password = Scrubbed
      }
      return { "url.full": url.toString(), "url.query": query }
    }
  })
