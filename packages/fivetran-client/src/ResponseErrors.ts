import { Either, ParseResult, Schema } from "effect"
import {
  BadRequest,
  Conflict,
  type Endpoint,
  endpointOf,
  Forbidden,
  type FivetranError,
  InvalidResponse,
  NotFound,
  RateLimited,
  ServerError,
  Transport,
  Unauthorized
} from "./FivetranError.js"
import { type ExtraCaCerts, untrustedIssuerHint } from "./ExtraCaCerts.js"
import { withoutEmails } from "./LoggedEmails.js"
import { outOfFilesProblem } from "./OutOfFiles.js"
import { requiredPermission } from "./Permissions.js"
import { readRetryAfter } from "./RetryAfter.js"
import { ErrorBody } from "./schemas/Envelope.js"
import { shownText } from "./ShownText.js"
import { withThousands } from "./Thousands.js"
import type { TransportFailure } from "./UndiciTransport.js"

/** Removes anything secret from text that came from outside (bodies, socket errors). */
export type Scrub = (text: string) => string

/** Long server messages are cut: an error names the problem, it does not carry a whole page. */
const MaxDetail = 300

/** Outside text as an error holds it: secrets masked (on the text as sent), control characters shown escaped, cut. */
const quoted = (text: string, scrub: Scrub) => {
  const shown = shownText(scrub(text))
  return shown.length > MaxDetail ? `${shown.slice(0, MaxDetail)}…` : shown
}

const decodeErrorBody = Schema.decodeUnknownEither(Schema.parseJson(ErrorBody))

export interface FailedResponse {
  readonly method: string
  readonly path: string
  readonly status: number
  readonly body: string
  readonly retryAfter: string | undefined
  /** A redirect's `Location` header. */
  readonly location: string | undefined
  /** The answer's `Date` header: what a `Retry-After` date is counted from. */
  readonly date: string | undefined
  /** When the answer arrived, on Effect's clock: what a `Retry-After` date is counted from without a readable `Date`. */
  readonly receivedAt: number
}

/** A 429's or 503's `Retry-After`, as RateLimited and ServerError carry it. */
const retryAfterFields = (response: FailedResponse) => {
  const retryAfter = readRetryAfter(response.retryAfter, response.date, response.receivedAt)
  const unreadable = response.retryAfter !== undefined && retryAfter.seconds === undefined && retryAfter.date === undefined
  return {
    retryAfterSeconds: retryAfter.seconds,
    retryAfterDate: retryAfter.date,
    retryAfterFrom: retryAfter.from,
    ...(unreadable ? { retryAfterUnreadable: true } : {})
  }
}

/**
 * Whether a body is an HTML (or XML) page: what another web server, a proxy's login page or a
 * gateway's error page sends. No JSON text starts with `<`.
 */
export const isHtmlPage = (body: string): boolean => /^\s*<[!?a-z]/i.test(body)

/**
 * Maps a non-2xx response to its typed error; a body that is not Fivetran's JSON still maps by
 * status. A 4xx that is an HTML page is marked so: its message then names the base URL, not the
 * key, a permission or a missing id (5xx and 429 pages are a gateway's usual answers, retried alike).
 * `credentialsSwapped`: the key and secret sent look swapped (SwappedCredentials.ts), which a 401 says.
 */
export const errorForStatus = (response: FailedResponse, scrub: Scrub, credentialsSwapped = false): FivetranError => {
  const endpoint = endpointOf(response.method, response.path)
  const parsed = Either.getOrUndefined(decodeErrorBody(response.body))
  const htmlPage = parsed === undefined && response.status >= 400 && isHtmlPage(response.body) ? { htmlPage: true } : {}
  const code = (fallback: string) => quoted(parsed?.code ?? fallback, scrub)
  const detail = quoted(parsed?.message ?? "", scrub)
  const status = response.status
  if (status === 401) {
    return new Unauthorized({ endpoint, code: code("Unauthorized"), ...htmlPage, ...(credentialsSwapped ? { looksSwapped: true } : {}) })
  }
  if (status === 403) {
    return new Forbidden({
      endpoint,
      code: code("Forbidden"),
      permission: requiredPermission(response.method, response.path),
      ...htmlPage
    })
  }
  if (status === 404) return new NotFound({ endpoint, code: code("NotFound"), detail, ...htmlPage })
  if (status === 409) return new Conflict({ endpoint, code: code("Conflict"), detail })
  if (status === 429) return new RateLimited({ endpoint, ...retryAfterFields(response) })
  // RFC 9110 gives Retry-After a meaning on a 503 (maintenance, an overloaded gateway), not on other 5xx.
  if (status === 503) return new ServerError({ endpoint, status, ...retryAfterFields(response) })
  if (status >= 500) return new ServerError({ endpoint, status })
  return new BadRequest({
    endpoint,
    status,
    code: code(`HTTP_${status}`),
    detail,
    location: status < 400 && response.location !== undefined ? quoted(response.location, scrub) : undefined,
    ...htmlPage
  })
}

/** `data.items[3].active` from a schema path. */
export const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>(
    (acc, key) => (typeof key === "number" ? `${acc}[${key}]` : acc === "" ? String(key) : `${acc}.${String(key)}`),
    ""
  )

/**
 * The first schema issue of a 2xx answer's body (its `status`), named by field path; a body that
 * is not JSON at all has path "".
 */
export const invalidResponse = (endpoint: Endpoint, error: ParseResult.ParseError, scrub: Scrub, status: number): InvalidResponse => {
  const [issue] = ParseResult.ArrayFormatter.formatErrorSync(error)
  return new InvalidResponse({
    endpoint,
    field: issue === undefined ? "" : formatPath(issue.path),
    detail: quoted(issue?.message ?? "the body does not match the expected shape", scrub),
    answeredStatus: status
  })
}

/** A 2xx body that is an HTML page (`isHtmlPage`): not Fivetran's API answering. */
export const htmlPageResponse = (endpoint: Endpoint, status: number): InvalidResponse =>
  new InvalidResponse({ endpoint, field: "", detail: "an HTML page", htmlPageStatus: status })

/** How much of a body that is no JSON its error shows: enough to tell a proxy's text or a gateway's note from Fivetran's JSON. */
const ShownStart = 40
/** The part of such a body scrubbed before its start is cut: a secret that begins within the start is masked whole. */
const ScrubbedPrefix = 1000

/**
 * A whole 2xx body that is no JSON at all (not cut off mid-JSON, not an HTML page): something between
 * rewrote or garbled it (a proxy, a gateway). Its first characters are kept, scrubbed, cut and
 * escaped, never more: the rest may be anyone's data.
 */
export const notJsonResponse = (endpoint: Endpoint, status: number, text: string, bytes: number, scrub: Scrub): InvalidResponse => {
  // Whoever's address a rewritten body starts with (a proxy's "user ada@example.com denied") stays out of the logs that repeat it.
  const characters = Array.from(withoutEmails(scrub(text.slice(0, ScrubbedPrefix))))
  const start = shownText(characters.slice(0, ShownStart).join(""))
  return new InvalidResponse({
    endpoint,
    field: "",
    detail: "not JSON",
    answeredStatus: status,
    notJson: { bytes, start: characters.length > ShownStart || text.length > ScrubbedPrefix ? `${start}…` : start }
  })
}

/** Whether a body is no JSON at all (checked only once its decoding has failed). */
export const isNotJson = (text: string): boolean => Either.isLeft(Either.try(() => JSON.parse(text) as unknown))

/**
 * A 2xx body that ends in the middle of its JSON, complete by HTTP's framing (a proxy forwarding
 * half a body, a close-delimited answer whose connection dropped): cut off in transit.
 */
export const cutShortResponse = (endpoint: Endpoint, bytes: number): InvalidResponse =>
  new InvalidResponse({
    endpoint,
    field: "",
    detail: `cut off after ${withThousands(bytes)} bytes, in the middle of its JSON`,
    cutShort: true
  })

/** Socket-level error codes that mean no connection was made, so nothing reached Fivetran. */
const ConnectFailureCodes = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
  // No descriptor for the socket: the connect failed before anything left.
  "EMFILE",
  "ENFILE"
])

/**
 * Of those, the ones that through an egress proxy can only be the proxy's: the client connects to
 * the proxy alone (the proxy connects to Fivetran, and answers the tunnel with its status when it
 * cannot). A connect timeout is left out: it may cover the tunnel's TLS handshake with Fivetran too.
 */
const ProxyConnectFailureCodes = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"])

/**
 * Certificate checks that failed in the TLS handshake, before any byte of the request was sent
 * (OpenSSL's verify codes as Node names them, and Node's host-name check).
 */
const CertificateFailureCodes = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "CERT_SIGNATURE_FAILURE",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_REVOKED",
  "INVALID_CA",
  "HOSTNAME_MISMATCH",
  "ERR_TLS_CERT_ALTNAME_INVALID"
])

/** Of those, an issuer this machine does not trust: what a proxy that inspects TLS, signing with its own CA, causes. */
const UntrustedIssuerCodes = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "CERT_UNTRUSTED"
])

/**
 * A TLS handshake answered by bytes that are no TLS: an https: base URL at a server that speaks plain
 * HTTP (a sandbox on this machine, a gateway inside the network). OpenSSL's words ("ssl3_get_record:
 * wrong version number" and its source file) named neither, and five attempts met the same server.
 */
const NotTlsCodes = new Set(["ERR_SSL_WRONG_VERSION_NUMBER", "ERR_SSL_PACKET_LENGTH_TOO_LONG", "ERR_SSL_UNKNOWN_PROTOCOL"])

/** What a proxy's refusal of a tunnel asks the operator to change, by its status. */
const ProxyRefusalHints: Readonly<Record<string, string>> = {
  // The same answer to no credentials and to wrong ones: the proxy URL may well hold them already.
  "407": ": it wants credentials, or refused the ones in the proxy URL; give (or check) the proxy's user and password " +
    "in its URL (http://user:password@proxy:3128)",
  "403": ": it does not let this host through; ask for it to be allowed, or list it in NO_PROXY if it is reachable directly"
}

/** The innermost `code` and message of an error's cause chain (undici and node:http nest them). */
const rootCause = (error: unknown): { readonly code: string | undefined; readonly message: string } => {
  let current: unknown = error
  let code: string | undefined
  let message = ""
  for (let depth = 0; depth < 6 && typeof current === "object" && current !== null; depth++) {
    const candidate = current as { readonly code?: unknown; readonly message?: unknown; readonly cause?: unknown }
    if (typeof candidate.code === "string") code = candidate.code
    if (typeof candidate.message === "string" && candidate.message !== "") message = candidate.message
    current = candidate.cause
  }
  return { code, message }
}

const MiB = 1024 * 1024

/** `32 MiB`, or the bytes when they are not whole mebibytes. */
const formatBytes = (bytes: number) => bytes % MiB === 0 ? `${bytes / MiB} MiB` : `${bytes} bytes`

/**
 * A body the transport stopped reading at its cap (MaxResponseBytes). The upstream's answer is
 * wrong, not the connection, and a repeat would be as large: an `InvalidResponse`, which is never
 * retried, not a `Transport` failure, which is.
 */
export const oversizedResponse = (endpoint: Endpoint, maxBytes: number): InvalidResponse =>
  new InvalidResponse({
    endpoint,
    field: "",
    detail: `larger than ${formatBytes(maxBytes)}, the most the client reads of one response; it stopped reading there`
  })

/**
 * What undici's `bad response` means: the parser met an answer it refuses and closed the socket
 * before any handler of ours saw it (an interim `100 Continue` that was not asked for, which the
 * server follows with its real answer; or an answer to no request). Said, since undici's words name neither.
 */
const brokenAnswer = "the server's answer broke HTTP/1.1 as the client reads it " +
  "(an interim 100 Continue it did not ask for, or an answer to no request)"

/**
 * A failure below HTTP: connection refused or reset, a body cut short, no complete response in
 * time (its cause's message says within how long). Only the cause's code and message are kept, scrubbed.
 */
export const transportError = (
  endpoint: Endpoint,
  failure: Exclude<TransportFailure, { readonly stage: "too-large" }>,
  scrub: Scrub,
  /** The request went through an egress proxy (HTTPS_PROXY, HTTP_PROXY). */
  viaProxy = false,
  /** NODE_EXTRA_CA_CERTS, which a certificate refused for its issuer's hint tells of. */
  extraCa: ExtraCaCerts = { _tag: "Unset" },
  /** Some earlier exchange of this client got an answer, so its host names have resolved. */
  answeredBefore = false
): Transport => {
  const { code, message } = rootCause(failure.cause)
  // A name that has never resolved is mistyped: retried, it waited ~15 s to say so. One that resolved
  // before and fails mid-sync is the resolver's blip, retried as any failed connect.
  const unknownHost = failure.stage === "request" && code === "ENOTFOUND" && !answeredBefore ? { unknownHost: true } : {}
  const withCode = code === undefined || message.includes(code) ? message : `${code} ${message}`.trim()
  if (failure.stage === "url") {
    return new Transport({
      endpoint,
      reason: quoted(`the ${failure.setting === "proxy" ? "proxy URL" : "base URL"} is not valid: ${withCode}`, scrub),
      connectFailed: true,
      unusableUrl: failure.setting
    })
  }
  const what = failure.stage === "response" ? "the connection broke while reading the response" : "the request failed"
  const certificateRefused = code !== undefined && CertificateFailureCodes.has(code)
  if (certificateRefused) {
    const hint = UntrustedIssuerCodes.has(code) ? untrustedIssuerHint(extraCa) : ""
    return new Transport({
      endpoint,
      reason: `the server's TLS certificate was refused (${quoted(`${code} ${message}`, scrub)}), so nothing was sent${hint}`,
      connectFailed: true,
      certificateRefused
    })
  }
  if (code !== undefined && NotTlsCodes.has(code)) {
    const who = viaProxy
      ? "the server at the base URL (or the proxy, when its URL is https:) answered the TLS handshake"
      : "the server at the base URL answered the TLS handshake"
    return new Transport({
      endpoint,
      reason: `${who} with something that is not TLS (${code}), so nothing was sent: the base URL is https:, ` +
        "and this server seems to speak plain HTTP; if it does (a sandbox on this machine), write http:// in the base URL",
      connectFailed: true,
      notTls: true
    })
  }
  const proxyStatus = /^Proxy response \((\d{3})\) !== 200 when HTTP Tunneling$/.exec(message)?.[1]
  if (proxyStatus !== undefined) {
    return new Transport({
      endpoint,
      reason: `the proxy (HTTPS_PROXY or HTTP_PROXY) answered ${proxyStatus} to the tunnel, so nothing was sent${
        ProxyRefusalHints[proxyStatus] ?? "; it could not reach the host: retried as a failed connection"
      }`,
      connectFailed: true,
      proxyStatus: Number(proxyStatus)
    })
  }
  // Said so: "connect ECONNREFUSED 10.0.0.5:3128" read as Fivetran refusing, sending people to check its status.
  if (viaProxy && failure.stage === "request" && code !== undefined && ProxyConnectFailureCodes.has(code)) {
    return new Transport({
      endpoint,
      reason: `could not connect to the proxy (HTTPS_PROXY or HTTP_PROXY), so nothing was sent: ${quoted(withCode, scrub)}`,
      connectFailed: true,
      ...unknownHost
    })
  }
  // A connect that found no descriptor, which its retries meet again while the process stays at its limit.
  const outOfFiles = failure.stage === "request" ? outOfFilesProblem(code) : undefined
  const because = code === "UND_ERR_SOCKET" && message === "bad response"
    ? `${brokenAnswer}: UND_ERR_SOCKET bad response`
    : outOfFiles !== undefined
    ? `${withCode}: ${outOfFiles}`
    : code === "ENOTFOUND" && failure.stage === "request"
    ? `${withCode}: no such host name; check the base URL's host (behind an egress proxy, set HTTPS_PROXY: ` +
      "a machine that reaches the internet only through one may not resolve outside names)"
    : withCode
  return new Transport({
    endpoint,
    reason: quoted(failure.stage === "timeout" ? message : because === "" ? what : `${what}: ${because}`, scrub),
    connectFailed: failure.stage === "request" && code !== undefined && ConnectFailureCodes.has(code),
    ...unknownHost,
    ...(failure.answeredStatus === undefined || failure.answeredStatus === 0 ? {} : { answeredStatus: failure.answeredStatus })
  })
}

/** What an exchange that failed below HTTP fails its call with: `Transport`, or `InvalidResponse` for a body over the cap. */
export const exchangeError = (
  endpoint: Endpoint,
  failure: TransportFailure,
  scrub: Scrub,
  viaProxy = false,
  extraCa: ExtraCaCerts = { _tag: "Unset" },
  answeredBefore = false
): Transport | InvalidResponse =>
  failure.stage === "too-large"
    ? oversizedResponse(endpoint, failure.maxBytes)
    : transportError(endpoint, failure, scrub, viaProxy, extraCa, answeredBefore)
