import { Config, ConfigError, Either, Option, Redacted } from "effect"
import { BlockList } from "node:net"
import { ipVersion } from "./IpVersion.js"

/**
 * The proxy a network without direct egress sends requests through, from the variables every
 * HTTP tool reads (Go's `http.ProxyFromEnvironment`, which baton's Go connectors use, and curl):
 * HTTPS_PROXY for https:// base URLs, HTTP_PROXY for http:// ones, the upper-case name first, then
 * the lower-case one; NO_PROXY lists hosts reached directly. As in Go, loopback hosts are always
 * reached directly, so `--sandbox` never goes through a proxy. A proxy URL may hold a user name
 * and password (sent as Proxy-Authorization), so the URLs stay Redacted and a bad one is refused
 * naming its variable, never quoting it.
 */

export interface EgressProxy {
  /** For http:// base URLs (HTTP_PROXY). */
  readonly http: Option.Option<Redacted.Redacted<string>>
  /** For https:// base URLs (HTTPS_PROXY). */
  readonly https: Option.Option<Redacted.Redacted<string>>
  /**
   * NO_PROXY's entries, lower case: `*`, a host (`.host` and `*.host` also match its subdomains),
   * `host:port`, an IP address (`10.0.0.7`, `[fd00::7]:8443`) or an address range (`10.0.0.0/8`, `fd00::/8`).
   */
  readonly noProxy: ReadonlyArray<string>
  /** The variable each proxy was read from (`https_proxy` when only that is set), for messages; the upper-case name when unset. */
  readonly variables: { readonly http: string; readonly https: string }
}

/** The first of `names` that is set and not blank, with its name. */
const firstSet = (names: ReadonlyArray<string>) =>
  Config.all(names.map((name) => Config.option(Config.string(name)))).pipe(
    Config.map((values) => {
      const index = values.findIndex((value) => Option.isSome(value) && value.value.trim() !== "")
      return index < 0 ? Option.none() : Option.some({ name: names[index]!, value: Option.getOrThrow(values[index]!).trim() })
    })
  )

interface ReadProxy {
  readonly url: Redacted.Redacted<string>
  readonly variable: string
}

/** Whether a URL's user name or password is valid percent-encoding. */
const decodesAsUri = (part: string) => Either.isRight(Either.try(() => decodeURIComponent(part)))

/** A proxy's URL: `http://[user:password@]host:port`; a bare `host:port` reads as http://, as in Go and curl. */
const proxyUrl = (names: readonly [string, string]) =>
  firstSet(names).pipe(
    Config.mapOrFail((given): Either.Either<Option.Option<ReadProxy>, ConfigError.ConfigError> => {
      if (Option.isNone(given)) return Either.right(Option.none<ReadProxy>())
      const { name, value } = given.value
      const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`
      const url = URL.canParse(text) ? new URL(text) : undefined
      if (url === undefined || url.hostname === "") {
        return Either.left(ConfigError.InvalidData([name], "expected a proxy URL such as http://proxy.example:3128"))
      }
      if (url.protocol !== "http:" && url.protocol !== "https:") {
        return Either.left(
          ConfigError.InvalidData([name], `expected an http:// or https:// proxy URL (${url.protocol}// proxies are not supported)`)
        )
      }
      // undici decodes them for Proxy-Authorization: bad percent-encoding failed the first request
      // with "URI malformed", exit 1, naming neither the variable nor the fix.
      if (!decodesAsUri(url.username) || !decodesAsUri(url.password)) {
        return Either.left(ConfigError.InvalidData(
          [name],
          "expected a proxy URL whose user name and password are percent-encoded (%XX with two hex digits; % itself as %25)"
        ))
      }
      return Either.right(Option.some({ url: Redacted.make(url.href), variable: name }))
    })
  )

/** Reads HTTPS_PROXY, HTTP_PROXY and NO_PROXY (or their lower-case names). */
export const egressProxyConfig: Config.Config<EgressProxy> = Config.all({
  http: proxyUrl(["HTTP_PROXY", "http_proxy"]),
  https: proxyUrl(["HTTPS_PROXY", "https_proxy"]),
  noProxy: firstSet(["NO_PROXY", "no_proxy"]).pipe(
    Config.map((given) =>
      Option.match(given, {
        onNone: () => [],
        onSome: ({ value }) => value.split(/[\s,]+/).map((entry) => entry.toLowerCase()).filter((entry) => entry !== "")
      })
    )
  )
}).pipe(
  Config.map(({ http, https, noProxy }) => ({
    http: Option.map(http, (read) => read.url),
    https: Option.map(https, (read) => read.url),
    noProxy,
    variables: {
      http: Option.match(http, { onNone: () => "HTTP_PROXY", onSome: (read) => read.variable }),
      https: Option.match(https, { onNone: () => "HTTPS_PROXY", onSome: (read) => read.variable })
    }
  }))
)

/** `host` as an IP address with its family, or undefined for a name; URL keeps IPv6 hosts in brackets. */
const ipOf = (host: string): { readonly address: string; readonly family: "ipv4" | "ipv6" } | undefined => {
  const address = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host
  const version = ipVersion(address)
  return version === 0 ? undefined : { address, family: version === 4 ? "ipv4" : "ipv6" }
}

/** Whether `host` is an address in `list`: BlockList also matches IPv4-mapped IPv6 addresses (`::ffff:127.0.0.1`) by their IPv4 rules. */
const listed = (list: BlockList, host: string) => {
  const ip = ipOf(host)
  return ip !== undefined && list.check(ip.address, ip.family)
}

const loopbackAddresses = new BlockList()
loopbackAddresses.addSubnet("127.0.0.0", 8, "ipv4")
loopbackAddresses.addAddress("::1", "ipv6")

/** Loopback as Go's ProxyFromEnvironment judges it: `localhost` and any loopback address, in any of its IPv6 forms. */
export const isLoopback = (host: string) => host === "localhost" || host.endsWith(".localhost") || listed(loopbackAddresses, host)

/** The addresses of a NO_PROXY range (`10.0.0.0/8`, `fd00::/8`); undefined when `entry` is not one, as Go then reads it as a name. */
const rangeOf = (entry: string): BlockList | undefined => {
  const match = /^([0-9a-f:.]+)\/(\d{1,3})$/.exec(entry)
  const ip = match === null ? undefined : ipOf(match[1]!)
  const prefix = Number(match?.[2])
  if (ip === undefined || prefix > (ip.family === "ipv4" ? 32 : 128)) return undefined
  const list = new BlockList()
  list.addSubnet(ip.address, prefix, ip.family)
  return list
}

/**
 * Whether a NO_PROXY entry names `host` (and `port`): the host, a domain above it, or, for an IP
 * host, the same address (in any of its forms) or a range holding it (ranges take no port, as in Go).
 */
const bypasses = (entry: string, host: string, port: string): boolean => {
  if (entry === "*") return true
  const range = rangeOf(entry)
  if (range !== undefined) return listed(range, host)
  const colon = entry.lastIndexOf(":")
  const hasPort = colon > 0 && !entry.endsWith("]") && /^\d+$/.test(entry.slice(colon + 1)) && ipVersion(entry) !== 6
  if (hasPort && entry.slice(colon + 1) !== port) return false
  const named = hasPort ? entry.slice(0, colon) : entry
  const address = ipOf(named)
  if (address !== undefined) {
    const same = new BlockList()
    same.addAddress(address.address, address.family)
    return listed(same, host)
  }
  const name = named.replace(/^\*?\./, "")
  return host === name || host.endsWith(`.${name}`)
}

/** The proxy requests to `baseUrl` go through: none for loopback, a NO_PROXY host, or no proxy set for its scheme. */
export const proxyFor = (baseUrl: string, proxy: EgressProxy): Option.Option<Redacted.Redacted<string>> => {
  if (!URL.canParse(baseUrl)) return Option.none()
  const url = new URL(baseUrl)
  const host = url.hostname.toLowerCase()
  const port = url.port !== "" ? url.port : url.protocol === "https:" ? "443" : "80"
  if (isLoopback(host) || proxy.noProxy.some((entry) => bypasses(entry, host, port))) return Option.none()
  return url.protocol === "https:" ? proxy.https : url.protocol === "http:" ? proxy.http : Option.none()
}

/** FivetranClientConfig's `proxy` for `baseUrl`, from the environment, as both apps set it. */
export const egressProxyFor = (baseUrl: string): Config.Config<Redacted.Redacted<string> | undefined> =>
  Config.map(egressProxyConfig, (proxy) => Option.getOrUndefined(proxyFor(baseUrl, proxy)))
