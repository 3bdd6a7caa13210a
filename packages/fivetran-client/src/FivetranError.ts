import { Data, Predicate } from "effect"
import { echoed } from "./EchoedText.js"
import { formatPermission, type RequiredPermission } from "./Permissions.js"
import { ClientWaitSetting } from "./RateLimitWaitCap.js"
import { quoteRetryAfter, retryAfterMillis, type RetryAfterBase } from "./RetryAfter.js"
import { swappedHintPrefix } from "./SwappedCredentials.js"
import { withThousands } from "./Thousands.js"
import { formatWait } from "./WaitDuration.js"

/** `METHOD /path` of the failed call, never the query string's secrets (there are none) nor headers. */
export type Endpoint = string

/** The two URLs of the config a request is sent by. */
export type UrlSetting = "base URL" | "proxy"

/**
 * The Endpoint of a call as errors, logs and waits show it: each step of the path cut as `echoed`
 * cuts it, since an id given to a command (16 KB of it) is a step of the path and was repeated
 * whole in the error line.
 */
export const endpointOf = (method: string, path: string): Endpoint => `${method} ${path.split("/").map(echoed).join("/")}`

/**
 * An answer that was an HTML page (ResponseErrors.ts): some other web server at the base URL, or a
 * proxy's or gateway's page. Fivetran's API answers JSON, so the status says nothing about the key.
 */
const htmlPageAnswer = (endpoint: Endpoint, status: number) =>
  `${endpoint}: the server at the base URL answered ${status} with an HTML page, not Fivetran's JSON: check that the ` +
  "base URL is Fivetran's API (https://api.fivetran.com) and that no proxy or gateway answers in its place"

/** Which attempt answered a repeated write, and what the earlier one, that Fivetran may have acted on, met. */
export interface RepeatOf {
  readonly attempts: number
  readonly earlier: string
}

/** `, answering attempt 2; an earlier one (Fivetran answered 503) <earlierDid>`, or nothing for an answer to no repeat. */
const answeringRepeat = (repeatOf: RepeatOf | undefined, earlierDid: string): string =>
  repeatOf === undefined ? "" : `, answering attempt ${repeatOf.attempts}; an earlier one (${repeatOf.earlier}) ${earlierDid}`

/** What a repeated POST's 409 or 400 says of the earlier attempt. */
const madeTheChange = "may have made the change itself"

export class Unauthorized extends Data.TaggedError("Unauthorized")<{
  readonly endpoint: Endpoint
  readonly code: string
  /** The answer was an HTML page, not Fivetran's: the key may be fine. */
  readonly htmlPage?: boolean
  /** The key given has a secret's shape and the secret a key's (SwappedCredentials.ts). */
  readonly looksSwapped?: boolean
}> {
  override get message() {
    if (this.htmlPage === true) return htmlPageAnswer(this.endpoint, 401)
    return `${this.endpoint}: Fivetran rejected the API key or secret (401 ${this.code}); ${
      swappedHintPrefix(this.looksSwapped)
    }check the api-key and api-secret settings`
  }
}

export class Forbidden extends Data.TaggedError("Forbidden")<{
  readonly endpoint: Endpoint
  readonly code: string
  readonly permission: RequiredPermission | undefined
  /** The answer was an HTML page, not Fivetran's: no permission is known to be missing. */
  readonly htmlPage?: boolean
}> {
  override get message() {
    if (this.htmlPage === true) return htmlPageAnswer(this.endpoint, 403)
    const need = this.permission === undefined ? "a permission it lacks" : `the ${formatPermission(this.permission)} permission`
    return `${this.endpoint}: the API key is not allowed to do this (403 ${this.code}); it needs ${need}`
  }
}

export class NotFound extends Data.TaggedError("NotFound")<{
  readonly endpoint: Endpoint
  /** Fivetran's code, e.g. `NotFound_Team`; match on the `NotFound` prefix. */
  readonly code: string
  readonly detail: string
  /** The answer was an HTML page, not Fivetran's: the path may not be Fivetran's API at all. */
  readonly htmlPage?: boolean
  /**
   * Set on the 404 that answered a repeated DELETE after an earlier attempt Fivetran may have acted
   * on (`mayHaveActed`): that attempt may have removed what this 404 finds gone, so it is no proof
   * that someone else did.
   */
  readonly repeatOf?: RepeatOf
}> {
  override get message() {
    if (this.htmlPage === true) return htmlPageAnswer(this.endpoint, 404)
    return `${this.endpoint}: not found (404 ${this.code})${this.detail ? `: ${this.detail}` : ""}${
      answeringRepeat(this.repeatOf, "may have removed it")
    }`
  }
}

export class Conflict extends Data.TaggedError("Conflict")<{
  readonly endpoint: Endpoint
  readonly code: string
  readonly detail: string
  /**
   * Set on the 409 that answered a repeated POST after an earlier attempt Fivetran may have acted on
   * (`mayHaveActed`, e.g. a 503 after it made the change): what this 409 finds already there is most
   * likely that attempt's doing, not another writer's.
   */
  readonly repeatOf?: RepeatOf
}> {
  override get message() {
    return `${this.endpoint}: conflicts with the current state (409 ${this.code})${this.detail ? `: ${this.detail}` : ""}${
      answeringRepeat(this.repeatOf, madeTheChange)
    }`
  }
}

/**
 * The base URL a redirect implies, when it keeps the request's path (an http: address sent to
 * https:, a host that moved): what the user most likely meant to write. None for a redirect elsewhere
 * (a login page), or one whose Location is not a whole URL.
 */
const redirectedBase = (endpoint: Endpoint, location: string | undefined): string | undefined => {
  if (location === undefined || !URL.canParse(location)) return undefined
  const url = new URL(location)
  const path = endpoint.slice(endpoint.indexOf(" ") + 1)
  return /^https?:$/.test(url.protocol) && url.pathname.endsWith(path)
    ? `${url.origin}${url.pathname.slice(0, -path.length)}`
    : undefined
}

/** 400, 405, 406, 415 and other 4xx that retrying cannot fix; a 3xx redirect, which is not followed. */
export class BadRequest extends Data.TaggedError("BadRequest")<{
  readonly endpoint: Endpoint
  readonly status: number
  readonly code: string
  readonly detail: string
  /** A redirect's `Location`, quoted as outside text is. */
  readonly location?: string | undefined
  /** The (4xx) answer was an HTML page, not Fivetran's. */
  readonly htmlPage?: boolean
  /**
   * Set on the 400 that answered a repeated POST after an earlier attempt Fivetran may have acted on,
   * as a 409's is (`Conflict.repeatOf`): Fivetran may refuse what is already there (an email in use)
   * with 400 rather than 409, and then it is most likely that attempt's doing.
   */
  readonly repeatOf?: RepeatOf
}> {
  override get message() {
    if (this.htmlPage === true) return htmlPageAnswer(this.endpoint, this.status)
    // Following a redirect would take the API key to wherever it points (a login page, another host).
    if (this.status >= 300 && this.status < 400) {
      const base = redirectedBase(this.endpoint, this.location)
      return `${this.endpoint}: the server at the base URL answered ${this.status}, a redirect${
        this.location === undefined ? "" : ` to ${this.location}`
      }; the client does not follow redirects (the API key would go along): set the base URL to the API's own address${
        base === undefined ? "" : ` (the redirect keeps the request's path under ${base}: if that is Fivetran's API, use it)`
      }`
    }
    return `${this.endpoint}: Fivetran refused the request (${this.status} ${this.code})${this.detail ? `: ${this.detail}` : ""}${
      answeringRepeat(this.repeatOf, madeTheChange)
    }`
  }
}

/**
 * A retried call's failure says how often it was tried: read alone ("no complete response within
 * 30s"), a failure after five attempts and their backoff looked like one slow request.
 */
const gaveUpAfter = (attempts: number | undefined): string =>
  attempts === undefined || attempts < 2 ? "" : `; gave up after ${attempts} attempts`

export class RateLimited extends Data.TaggedError("RateLimited")<{
  readonly endpoint: Endpoint
  /**
   * The wait `Retry-After` asked for, in seconds: its seconds (what Fivetran sends), or the time
   * until its date; none when absent, unreadable or a date already past (the backoff applies).
   */
  readonly retryAfterSeconds: number | undefined
  /** The date `Retry-After` named instead of seconds (a proxy's or gateway's), as IMF-fixdate. */
  readonly retryAfterDate?: string | undefined
  /** What that date was counted from: the answer's `Date`, or this machine's clock without one. */
  readonly retryAfterFrom?: RetryAfterBase | undefined
  /** `Retry-After` was there but neither seconds nor a date: the backoff applies, as without one. */
  readonly retryAfterUnreadable?: boolean | undefined
  /** Set once every attempt the client makes was answered 429: it gave up. */
  readonly attempts?: number
}> {
  override get message() {
    if (this.attempts !== undefined) {
      // Read as the last answer alone ("retry after 2s"), a sync that gave up after its waits looked
      // like one that never waited.
      return `${this.endpoint}: rate limited by Fivetran (429) on all ${this.attempts} attempts, each waited out; ` +
        "gave up (the account's budget is used by something else too: retry later)"
    }
    const wait = this.retryAfterDate !== undefined
      ? `; retry after ${this.retryAfterDate}`
      : this.retryAfterSeconds === undefined
      ? ""
      : `; retry after ${this.retryAfterSeconds}s`
    return `${this.endpoint}: rate limited by Fivetran (429)${wait}`
  }
}

/**
 * A request would have to wait longer than the configured maximum (a 429's `Retry-After`, or the
 * reserve kept for other tools): failing at once beats an hour of silence, and says how long it
 * would have needed.
 */
export class RateLimitWaitTooLong extends Data.TaggedError("RateLimitWaitTooLong")<{
  readonly endpoint: Endpoint
  readonly reason: string
  readonly neededMillis: number
  readonly maxWaitMillis: number
  /** The setting `maxWaitMillis` came from (RateLimitWaitCap.ts): max-rate-limit-wait unless a caller's was shorter. */
  readonly maxWaitSetting: string
}> {
  override get message() {
    // No wait at all frees a request when the reserve is the whole limit (neededMillis is infinite).
    return Number.isFinite(this.neededMillis)
      ? `${this.endpoint}: ${this.reason}; that needs a wait of ${formatWait(this.neededMillis)}, longer than ` +
        `${this.maxWaitSetting} (${formatWait(this.maxWaitMillis)}): raise it or retry later`
      : `${this.endpoint}: ${this.reason}; no wait leaves a request for this tool: lower rate-limit-reserve`
  }
}

export class ServerError extends Data.TaggedError("ServerError")<{
  readonly endpoint: Endpoint
  readonly status: number
  /**
   * A 503's `Retry-After` (RFC 9110 §10.2.3: how long the service expects to be unavailable), read
   * as a 429's: its seconds, or the time until its date; none when absent, unreadable or already past.
   */
  readonly retryAfterSeconds?: number | undefined
  /** The date that `Retry-After` named instead of seconds, as IMF-fixdate. */
  readonly retryAfterDate?: string | undefined
  /** What that date was counted from: the answer's `Date`, or this machine's clock without one. */
  readonly retryAfterFrom?: RetryAfterBase | undefined
  /** `Retry-After` was there but neither seconds nor a date: the backoff applies, as without one. */
  readonly retryAfterUnreadable?: boolean | undefined
  /** Set when that wait is longer than max-rate-limit-wait: the call failed at once instead of retrying. */
  readonly maxWaitMillis?: number | undefined
  /** The setting `maxWaitMillis` came from (RateLimitWaitCap.ts); max-rate-limit-wait when absent. */
  readonly maxWaitSetting?: string | undefined
  /** Set when the call gave up after more than one attempt, each answered so (or the last so). */
  readonly attempts?: number | undefined
}> {
  override get message() {
    const answered = `${this.endpoint}: Fivetran answered ${this.status}`
    if (this.maxWaitMillis === undefined || this.retryAfterSeconds === undefined) return `${answered}${gaveUpAfter(this.attempts)}`
    return `${answered} with ${quoteRetryAfter(this.retryAfterSeconds, this.retryAfterDate)}; that needs a wait of ` +
      `${formatWait(retryAfterMillis(this.retryAfterSeconds))}, longer than ${this.maxWaitSetting ?? ClientWaitSetting} (${
        formatWait(this.maxWaitMillis)
      }): ` +
      "not retried; raise it or retry later"
  }
}

/**
 * A body that breaks the schema, or that the client refuses as a whole (over MaxResponseBytes, a
 * page whose `next_cursor` repeats one its listing already followed): names the endpoint and the
 * offending field. Not retried: the same request would get the same answer. Only a read's body cut
 * off in the middle of its JSON (`cutShort`) or no JSON at all (`notJson`) is retried, as a
 * transport failure is (RetryPolicy's `garbledBody`).
 */
export class InvalidResponse extends Data.TaggedError("InvalidResponse")<{
  readonly endpoint: Endpoint
  /**
   * Path of the field, e.g. `data.items[3].active` (`data.next_cursor` for a repeated cursor);
   * empty when the body is not JSON at all, or too large to read.
   */
  readonly field: string
  readonly detail: string
  /** The body ended in the middle of its JSON: cut off in transit, so a repeat may get it whole. */
  readonly cutShort?: boolean
  /**
   * The 2xx answer's status when its whole body was no JSON, or JSON of another shape (neither cut
   * off nor an HTML page): Fivetran acted on the request, however its answer reads.
   */
  readonly answeredStatus?: number
  /** The 2xx answer's status when its body was an HTML page, not Fivetran's JSON. */
  readonly htmlPageStatus?: number
  /**
   * The whole 2xx body was no JSON at all (neither cut off nor an HTML page; `answeredStatus` is
   * set): its size, and its first characters as an error may show them (ResponseErrors.ts).
   */
  readonly notJson?: { readonly bytes: number; readonly start: string }
  /** Set when a garbled body (`garbledBody`) ended the call after more than one attempt, each so (or the last). */
  readonly attempts?: number | undefined
}> {
  override get message() {
    if (this.htmlPageStatus !== undefined) return htmlPageAnswer(this.endpoint, this.htmlPageStatus)
    if (this.notJson !== undefined) {
      // Said what answered and what to check: a JSON parser's "Expected double-quoted property name
      // in JSON at position 4602" named neither.
      const body = this.notJson.bytes === 0
        ? "its body is empty, not JSON"
        : `its body is not JSON (${withThousands(this.notJson.bytes)} bytes, starting '${this.notJson.start}')`
      return `${this.endpoint}: Fivetran answered ${this.answeredStatus ?? "2xx"}, but ${body}: a proxy or gateway between may be ` +
        `rewriting answers; check the base URL and any proxy (HTTPS_PROXY, HTTP_PROXY) on the way${gaveUpAfter(this.attempts)}`
    }
    const where = this.field === "" ? "" : ` at ${this.field}`
    return `${this.endpoint}: unexpected response body${where}: ${this.detail}${gaveUpAfter(this.attempts)}`
  }
}

/** Connection refused or reset, timeout, a body cut short. */
export class Transport extends Data.TaggedError("Transport")<{
  readonly endpoint: Endpoint
  readonly reason: string
  /** True when no connection could be made, so Fivetran cannot have seen the request. */
  readonly connectFailed?: boolean
  /** The TLS handshake refused the server's certificate: nothing was sent, and a repeat meets the same certificate. */
  readonly certificateRefused?: boolean
  /** An https: base URL's server answered the TLS handshake with no TLS (it speaks plain HTTP): nothing was sent. */
  readonly notTls?: boolean
  /** The egress proxy's status when it would not open a tunnel: nothing reached Fivetran; a 4xx is no blip. */
  readonly proxyStatus?: number
  /** The config's base URL or proxy is no http(s) URL: nothing was sent, and a repeat fails the same way. */
  readonly unusableUrl?: UrlSetting
  /** The host name did not resolve, and none of this client's requests has been answered yet: mistyped, not a blip. */
  readonly unknownHost?: boolean
  /**
   * The answer's status when the connection broke, or the deadline came, after its status line had
   * arrived: a 2xx means Fivetran acted on the request, whatever became of the body.
   */
  readonly answeredStatus?: number
  /** Set when the call gave up after more than one attempt. */
  readonly attempts?: number | undefined
}> {
  override get message() {
    // "could not reach Fivetran" read as no answer at all, while a write so answered 2xx was made.
    const what = this.answeredStatus === undefined
      ? "could not reach Fivetran"
      : `Fivetran answered ${this.answeredStatus}, but its answer did not arrive whole`
    return `${this.endpoint}: ${what}: ${this.reason}${gaveUpAfter(this.attempts)}`
  }
}

/** The same failure, saying it ended a call after `attempts` attempts. */
export const withAttempts = (
  error: Transport | ServerError | InvalidResponse,
  attempts: number
): Transport | ServerError | InvalidResponse =>
  error._tag === "InvalidResponse"
    ? new InvalidResponse({
      endpoint: error.endpoint,
      field: error.field,
      detail: error.detail,
      ...(error.cutShort === undefined ? {} : { cutShort: error.cutShort }),
      ...(error.answeredStatus === undefined ? {} : { answeredStatus: error.answeredStatus }),
      ...(error.htmlPageStatus === undefined ? {} : { htmlPageStatus: error.htmlPageStatus }),
      ...(error.notJson === undefined ? {} : { notJson: error.notJson }),
      attempts
    })
    : error._tag === "Transport"
    ? new Transport({
      endpoint: error.endpoint,
      reason: error.reason,
      ...(error.connectFailed === undefined ? {} : { connectFailed: error.connectFailed }),
      ...(error.certificateRefused === undefined ? {} : { certificateRefused: error.certificateRefused }),
      ...(error.notTls === undefined ? {} : { notTls: error.notTls }),
      ...(error.proxyStatus === undefined ? {} : { proxyStatus: error.proxyStatus }),
      ...(error.unusableUrl === undefined ? {} : { unusableUrl: error.unusableUrl }),
      ...(error.unknownHost === undefined ? {} : { unknownHost: error.unknownHost }),
      ...(error.answeredStatus === undefined ? {} : { answeredStatus: error.answeredStatus }),
      attempts
    })
    : new ServerError({
      endpoint: error.endpoint,
      status: error.status,
      retryAfterSeconds: error.retryAfterSeconds,
      retryAfterDate: error.retryAfterDate,
      retryAfterFrom: error.retryAfterFrom,
      retryAfterUnreadable: error.retryAfterUnreadable,
      maxWaitMillis: error.maxWaitMillis,
      maxWaitSetting: error.maxWaitSetting,
      attempts
    })

/**
 * The same 404, 409 or 400, saying it answered attempt `attempts` after one that met `earlier` and
 * may have made the change itself: removed what a DELETE's 404 finds gone, created what a POST's
 * 409 or 400 finds there.
 */
export const asRepeatOf = (
  error: NotFound | Conflict | BadRequest,
  attempts: number,
  earlier: string
): NotFound | Conflict | BadRequest => {
  const repeatOf = { attempts, earlier }
  const htmlPage = error._tag !== "Conflict" && error.htmlPage !== undefined ? { htmlPage: error.htmlPage } : {}
  switch (error._tag) {
    case "NotFound":
      return new NotFound({ endpoint: error.endpoint, code: error.code, detail: error.detail, ...htmlPage, repeatOf })
    case "Conflict":
      return new Conflict({ endpoint: error.endpoint, code: error.code, detail: error.detail, repeatOf })
    case "BadRequest":
      return new BadRequest({
        endpoint: error.endpoint,
        status: error.status,
        code: error.code,
        detail: error.detail,
        location: error.location,
        ...htmlPage,
        repeatOf
      })
  }
}

export type FivetranError =
  | Unauthorized
  | Forbidden
  | NotFound
  | Conflict
  | BadRequest
  | RateLimited
  | RateLimitWaitTooLong
  | ServerError
  | InvalidResponse
  | Transport

/** Every tag of the union, checked complete by the compiler: a new error cannot be left out of the guard below. */
const fivetranErrorTags: { readonly [Tag in FivetranError["_tag"]]: true } = {
  Unauthorized: true,
  Forbidden: true,
  NotFound: true,
  Conflict: true,
  BadRequest: true,
  RateLimited: true,
  RateLimitWaitTooLong: true,
  ServerError: true,
  InvalidResponse: true,
  Transport: true
}

const tags: ReadonlySet<string> = new Set(Object.keys(fivetranErrorTags))

/** Whether a value (a cause's failure, a wrapper's cause) is one of the client's errors. */
export const isFivetranError = (value: unknown): value is FivetranError =>
  Predicate.hasProperty(value, "_tag") && typeof value._tag === "string" && tags.has(value._tag)

/**
 * A 400 of Fivetran's own JSON (not a proxy's HTML page): how it may refuse what is already there,
 * an email in use, where a 409 is expected (UNCONFIRMED, docs/fivetran-api.md §9).
 */
export const isFivetran400 = (error: FivetranError): error is BadRequest =>
  error._tag === "BadRequest" && error.status === 400 && error.htmlPage !== true
