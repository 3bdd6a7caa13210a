import { ipVersion } from "@baton-fivetran/fivetran-client"
import { InvalidRequest, InvalidRequestBody, MisdirectedRequest, MisdirectedRequestBody, quoted } from "@baton-fivetran/http-api"
import { type HttpApp, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeHttpServerRequest } from "@effect/platform-node"
import { Effect, Option, Schema } from "effect"
import { headerFieldCount } from "./HeaderFields.js"

/**
 * Which `Host` headers the service answers. A page on an attacker's domain whose DNS name is then
 * pointed at 127.0.0.1 (DNS rebinding) is same-origin with the service in the victim's browser, and
 * could read what needs no token (/readyz names the Fivetran account, the explorer page, public docs
 * or metrics); its requests carry the attacker's name as Host, so refusing names the service is not
 * reached by closes it. An IP address as Host cannot come from rebinding (there is no name to point
 * elsewhere).
 */

/** What a Host is compared as: a URL's host (lower case, IPv4 dotted, IPv6 bracketed), no trailing dot. */
const hostSyntax = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)$/

const hostnameOf = Option.liftThrowable((host: string) => new URL(`http://${host}/`).hostname)

export const canonicalHost = (text: string): Option.Option<string> => {
  const host = ipVersion(text) === 6 ? `[${text}]` : text
  if (host.length > 255 || !hostSyntax.test(host)) return Option.none()
  // Parsed once (every request's Host comes here); what URL refuses (`[::1::]`, `1.2.3.4.5`) is no host.
  return Option.map(hostnameOf(host), (name) => name.endsWith(".") ? name.slice(0, -1) : name)
}

const isAddress = (host: string) => ipVersion(host.replace(/^\[(.*)\]$/, "$1")) !== 0

/** Always answered: a browser reaches the service on this machine by these. */
export const LoopbackHosts: ReadonlyArray<string> = ["localhost", "127.0.0.1", "[::1]"]

/** `--allowed-hosts *`: any Host, for a service behind a proxy that checks it. */
export const AnyHost = "*"

export type HostPolicy =
  | { readonly _tag: "AnyHost" }
  /** These hosts; and any IP address when the service listens on every address (Kubernetes probes send the pod's). */
  | { readonly _tag: "Listed"; readonly hosts: ReadonlySet<string>; readonly anyAddress: boolean }

/** The policy of a service listening on `listen` with `--allowed-hosts` (canonical hosts, or `*`). */
export const hostPolicy = (listen: string, allowed: Option.Option<ReadonlyArray<string>>): {
  readonly policy: HostPolicy
  /** Said once at start: nothing restricts the Host. */
  readonly warning: Option.Option<string>
} => {
  const listenHost = canonicalHost(listen)
  const everywhere = Option.exists(listenHost, (host) => host === "0.0.0.0" || host === "[::]")
  if (Option.exists(allowed, (hosts) => hosts.includes(AnyHost))) {
    return { policy: { _tag: "AnyHost" }, warning: Option.none() }
  }
  if (Option.isNone(allowed) && everywhere) {
    // A deployment on 0.0.0.0 is reached by names the service cannot know (a Service's, an Ingress's):
    // refusing them would break it on upgrade, so it is said how to restrict.
    return {
      policy: { _tag: "AnyHost" },
      warning: Option.some(
        `listening on ${listen} without --allowed-hosts: requests are answered whatever their Host header, so a web page ` +
          "whose DNS name is pointed at this service can read what needs no token (/readyz names the Fivetran account); " +
          "set --allowed-hosts (BATON_HTTP_ALLOWED_HOSTS) to the names clients use (loopback names and IP addresses are " +
          "always accepted), or to * to accept any Host and silence this warning"
      )
    }
  }
  const hosts = new Set([
    ...LoopbackHosts,
    ...Option.toArray(Option.filter(listenHost, () => !everywhere)),
    ...Option.getOrElse(allowed, () => [])
  ])
  return { policy: { _tag: "Listed", hosts, anyAddress: everywhere }, warning: Option.none() }
}

/** `host[:port]`, as RFC 9110 §7.2 writes it. */
const authority = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::[0-9]{0,5})?$/

// The Api's own wire forms (http-api Errors.ts), which its OpenAPI document declares on every endpoint.
const encodeInvalid = Schema.encodeSync(InvalidRequestBody)
const encodeMisdirected = Schema.encodeSync(MisdirectedRequestBody)

const invalid = (message: string) => HttpServerResponse.unsafeJson(encodeInvalid(new InvalidRequest({ message })), { status: 400 })

/**
 * The authority of an absolute-form request target (`GET http://host:port/path`, RFC 9112 §3.2.2),
 * up to its path, query or fragment; none for a target in origin form (`/path`).
 */
const absoluteTarget = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/

/** The host named by `host[:port]`, canonical; none for anything else (a user name before `@`, a bad host). */
const hostOfAuthority = (text: string) => Option.flatMap(Option.fromNullable(authority.exec(text)?.[1]), canonicalHost)

/**
 * Why a request is refused for its Host, if it is. The host checked is the one the request is
 * for: its target's authority when the target is in absolute form, which RFC 9112 §3.2.2 has a
 * server use instead of Host (else `GET http://rebound.example/readyz` with an allowed Host was
 * answered, and the same request for an allowed target with a proxy's Host refused); the Host
 * header otherwise. A Host header is still required and checked in either case (§3.2).
 */
const refusal = (policy: HostPolicy, request: HttpServerRequest.HttpServerRequest) => {
  const incoming = NodeHttpServerRequest.toIncomingMessage(request)
  // A server must refuse a second Host (RFC 9112 §3.2): a proxy in front may have read the other one.
  if (headerFieldCount(incoming, "host") > 1) return Option.some(invalid("the request has more than one Host header"))
  const header = request.headers["host"]
  if (header === undefined || header === "") {
    // HTTP/1.0 has no Host (old health checkers send none); nothing there can have been rebound.
    return incoming.httpVersion === "1.0"
      ? Option.none()
      : Option.some(invalid("the request has no Host header, which HTTP/1.1 requires"))
  }
  const hostHeader = hostOfAuthority(header)
  if (Option.isNone(hostHeader)) return Option.some(invalid("the Host header is not a host name or address with an optional port"))
  const target = absoluteTarget.exec(request.url)?.[1]
  const host = target === undefined ? hostHeader : hostOfAuthority(target)
  if (Option.isNone(host)) {
    return Option.some(invalid("the request target's authority is not a host name or address with an optional port"))
  }
  if (policy._tag === "AnyHost" || policy.hosts.has(host.value) || (policy.anyAddress && isAddress(host.value))) {
    return Option.none()
  }
  const named = target === undefined ? "the Host header" : "the request target"
  const message = `${named} names ${quoted(host.value)}, which this service does not answer to (a web page ` +
    "whose name was pointed at this machine could otherwise read it); if clients reach the service by that name, " +
    "start it with --allowed-hosts (BATON_HTTP_ALLOWED_HOSTS) naming it"
  return Option.some(HttpServerResponse.unsafeJson(encodeMisdirected(new MisdirectedRequest({ message })), { status: 421 }))
}

/** `app` for requests whose Host the policy accepts; a 400 or 421 with the service's error body for the others. */
export const hostCheck = (policy: HostPolicy) => <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R> =>
  Effect.flatMap(
    HttpServerRequest.HttpServerRequest,
    (request) => Option.match(refusal(policy, request), { onNone: () => app, onSome: Effect.succeed })
  )
