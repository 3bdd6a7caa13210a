import { type Duration, Effect, Either, Redacted } from "effect"
import { Agent, type Dispatcher, ProxyAgent } from "undici"
import { BodyBuffers } from "./BodyBuffers.js"
import type { UrlSetting } from "./FivetranError.js"
import { type Expirable, makeExchangeDeadlines, type SoonerDeadline } from "./ExchangeDeadlines.js"

/** One HTTP exchange as the client sends it: the path (with its query) under the base URL. */
export interface TransportRequest {
  readonly method: Dispatcher.HttpMethod
  /** `/v1/...?...`, ids and query already encoded. */
  readonly path: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string | undefined
}

export interface TransportResponse<A> {
  readonly status: number
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  /** What the exchange's `read` made of the body. */
  readonly body: A
}

/**
 * Reads a response's body when it is complete. The bytes are only valid during the call (their
 * buffer serves later responses): what it returns must not hold them.
 */
export type ReadBody<A> = (status: number, body: Uint8Array) => A

/**
 * The most bytes of one response's body the transport reads. The largest real Fivetran pages are
 * ~300 KB (1000 users), so 32 MiB is two orders of magnitude of headroom; what it stops is an
 * upstream that never ends its body (a broken proxy, a wrong base URL pointing at a stream), which
 * drove a sync to 3 GB of RSS before the buffer's growth failed with ERR_OUT_OF_RANGE.
 */
export const MaxResponseBytes = 32 * 1024 * 1024

/**
 * Why an exchange failed below HTTP. `request`: no response came (connection refused or reset,
 * before the status line); `response`: the body broke off; `timeout`: no complete response within
 * the timeout; `url`: the base URL or the proxy cannot be sent to, so nothing was; `too-large`: the
 * body (or its Content-Length) passed `maxBytes`, and the exchange was aborted there, its socket
 * closed rather than drained.
 */
export type TransportFailure =
  | {
    readonly stage: "request" | "response" | "timeout"
    readonly cause: unknown
    /** The answer's status, when its status line had arrived before it broke off (0: it had not). */
    readonly answeredStatus?: number
  }
  | {
    readonly stage: "url"
    readonly setting: UrlSetting
    readonly cause: unknown
  }
  | {
    readonly stage: "too-large"
    readonly maxBytes: number
  }

export interface UndiciTransport {
  /** `sooner`: a deadline of this exchange before the timeout (an attempt under a caller's cap). */
  readonly send: <A>(
    request: TransportRequest,
    read: ReadBody<A>,
    sooner?: SoonerDeadline
  ) => Effect.Effect<TransportResponse<A>, TransportFailure>
  /**
   * Closes the connections no exchange is using (those in use close once their exchange ends);
   * later exchanges open new ones. Each idle keep-alive connection holds a file descriptor until
   * a keep-alive timeout ends it (the server's, or undici's 4 s): a shared client calls this where
   * a burst of exchanges ends (a sync's last row), so that what follows finds descriptors free.
   */
  readonly closeIdleConnections: Effect.Effect<void>
}

/** The schemes undici sends over, for the API and for a proxy alike. */
const HttpSchemes = new Set(["http:", "https:"])

/**
 * A URL of the config, parsed, or why no request can go by it. The cause is Node's own error or
 * names the scheme only: a proxy's URL holds its password, so the text is never quoted.
 */
const parseUrl = (text: string, schemeHint: string) =>
  Either.flatMap(
    Either.try(() => new URL(text)),
    (url) => HttpSchemes.has(url.protocol) ? Either.right(url) : Either.left(new Error(`its scheme is ${url.protocol}, ${schemeHint}`))
  )

const splitBase = (baseUrl: string) =>
  Either.map(
    parseUrl(baseUrl, "where the API is reached over https: (or http:), e.g. https://api.fivetran.com"),
    (url) => ({ origin: url.origin, prefix: url.pathname.replace(/\/+$/, "") })
  )

/** Whether the proxy's URL can be tunnelled through (a bad one fails each request, as a bad base URL does). */
const checkProxy = (proxy: Redacted.Redacted<string>) =>
  Either.map(parseUrl(Redacted.value(proxy), "where the proxy is reached over http: or https:, e.g. http://proxy:3128"), () => proxy)

/**
 * One exchange as undici's dispatcher sees it: the body is gathered into a buffer from `buffers`
 * (sized by Content-Length when there is one), read once complete, and the buffer given back. A
 * body longer than `maxBytes` (or announced so) ends the exchange as soon as that is known: no
 * buffer grows past `maxBytes`.
 */
class Exchange<A> implements Dispatcher.DispatchHandler, Expirable {
  private controller: Dispatcher.DispatchController | undefined
  private interrupted = false
  private status = 0
  private headers: TransportResponse<A>["headers"] = {}
  private body: Buffer | undefined
  private length = 0
  private done = false
  /** Forgets the exchange's deadline; set once it is tracked. */
  untrack: () => void = () => undefined

  constructor(
    private readonly buffers: BodyBuffers,
    private readonly maxBytes: number,
    private readonly read: ReadBody<A>,
    private readonly resume: (effect: Effect.Effect<TransportResponse<A>, TransportFailure>) => void
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller
    if (this.interrupted) controller.abort(new Error("the request was interrupted"))
  }

  onResponseStart(controller: Dispatcher.DispatchController, status: number, headers: TransportResponse<A>["headers"]): void {
    this.status = status
    this.headers = headers
    // `rawHeaders` is undici's parser's header list, already parsed into `headers`: views into the
    // socket read that carried them. The parser made that list when the answer before ended, and it
    // waited through the keep-alive and the request, long enough for V8 to move it to the old
    // generation. An old list pointing at young views keeps them, and the 64 KiB read under them,
    // through every scavenge until a full collection: a large sync's groups phase held ~11 MB of
    // such dead reads (up to 20 MB). Emptied, the read dies young (~6.5 MB, up to 12 MB).
    if (Array.isArray(controller.rawHeaders)) controller.rawHeaders.length = 0
    controller.rawHeaders = null
    const declared = Number(headers["content-length"])
    this.release()
    if (declared > this.maxBytes) return this.tooLarge(controller)
    this.body = this.buffers.take(Number.isSafeInteger(declared) && declared >= 0 ? declared : 0)
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.body === undefined) return
    const needed = this.length + chunk.length
    if (needed > this.maxBytes) return this.tooLarge(controller)
    if (needed > this.body.length) {
      const larger = this.buffers.take(Math.min(2 * needed, this.maxBytes))
      this.body.copy(larger, 0, 0, this.length)
      this.buffers.give(this.body)
      this.body = larger
    }
    chunk.copy(this.body, this.length)
    this.length += chunk.length
  }

  onResponseEnd(): void {
    if (!this.end()) return
    const bytes = this.body === undefined ? new Uint8Array(0) : this.body.subarray(0, this.length)
    // A defect in `read` belongs to the fiber that waits for it, not to undici's socket callbacks.
    const outcome = Either.try(() => this.read(this.status, bytes))
    this.release()
    this.resume(
      Either.isRight(outcome)
        ? Effect.succeed({ status: this.status, headers: this.headers, body: outcome.right })
        : Effect.die(outcome.left)
    )
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, cause: Error): void {
    if (!this.end()) return
    this.release()
    this.resume(Effect.fail({ stage: this.status === 0 ? "request" : "response", cause, answeredStatus: this.status }))
  }

  /** Stops the exchange (its fiber was interrupted); the buffer is given back when undici reports the abort. */
  interrupt(): void {
    this.untrack()
    this.interrupted = true
    this.controller?.abort(new Error("the request was interrupted"))
  }

  /**
   * Ends the exchange as timed out, now, and aborts it; data undici still delivers is dropped. An
   * answer that had begun is said to be slow, with what had arrived: "no complete response" alone
   * read as a server that never answered, while a slow link was delivering a large page.
   */
  expire(cause: Error): void {
    const controller = this.controller
    const arriving = this.status === 0
      ? cause
      : new Error(`${cause.message}: it was still arriving, ${this.length} bytes in (a slow connection or server)`)
    if (!this.end()) return
    this.release()
    this.interrupted = true
    controller?.abort(arriving)
    this.resume(Effect.fail({ stage: "timeout", cause: arriving, answeredStatus: this.status }))
  }

  /**
   * Ends the exchange as too large, now, and aborts it: undici destroys the socket, so the rest of
   * the body is neither read nor drained; what it already delivered is dropped with the buffer.
   */
  private tooLarge(controller: Dispatcher.DispatchController): void {
    if (!this.end()) return
    this.release()
    this.interrupted = true
    controller.abort(new Error(`the response body is larger than ${this.maxBytes} bytes`))
    this.resume(Effect.fail({ stage: "too-large", maxBytes: this.maxBytes }))
  }

  /**
   * Ends the exchange once (false if it already has): its deadline is forgotten, and so is undici's
   * controller, which keeps the response's raw header bytes: views into the socket read that
   * carried them, up to 64 KiB. Held through an ended exchange that was still reachable, such reads
   * lived long enough for V8 to move them to the old generation, which only full collections free:
   * a large sync ran 23-24 full collections instead of 17, the difference in its groups phase.
   */
  private end(): boolean {
    if (this.done) return false
    this.done = true
    this.untrack()
    this.controller = undefined
    return true
  }

  private release(): void {
    if (this.body !== undefined) this.buffers.give(this.body)
    this.body = undefined
  }
}

/**
 * The client's HTTP transport: undici's dispatcher, driven directly, one exchange per async
 * effect. It replaced @effect/platform's HttpClient here because that cost about 300 µs of CPU per
 * request in its request, header and response wrappers, several seconds of a large sync's
 * 16,000 requests; the dispatcher's handler, unlike its request API, needs neither a body stream
 * nor promises per exchange. The agent (its keep-alive connections) lives as long as the scope,
 * or until `closeIdleConnections` replaces it.
 * Interrupting the effect aborts the exchange; so does its timeout, kept on Effect's clock
 * (ExchangeDeadlines), which covers the request and the whole body, and a body past `maxBytes`.
 * With a `proxy`, each connection is a tunnel through it (CONNECT), its credentials sent to it alone.
 */
export const makeUndiciTransport = (
  baseUrl: string,
  timeout: Duration.Duration,
  maxBytes: number = MaxResponseBytes,
  proxy?: Redacted.Redacted<string>
) =>
  Effect.gen(function*() {
    const tunnel = proxy === undefined ? undefined : checkProxy(proxy)
    const makeAgent = (): Dispatcher =>
      tunnel === undefined || Either.isLeft(tunnel) ? new Agent() : new ProxyAgent({ uri: Redacted.value(tunnel.right) })
    /** The agent exchanges go through, and those closing once their exchanges in flight end. */
    const agents = yield* Effect.acquireRelease(
      Effect.sync(() => ({ current: makeAgent(), closing: new Set<Dispatcher>() })),
      // As @effect/platform-node did: whatever is still open is torn down, not waited for.
      ({ closing, current }) => Effect.promise(() => Promise.all([current, ...closing].map((agent) => agent.destroy())))
    )
    // undici's Agent cannot close its idle sockets alone: the agent is replaced, and the old one
    // closed, which destroys its idle sockets in the promise jobs close() starts and each busy one
    // as its exchange ends. One turn of the event loop later the idle ones' descriptors are free.
    const closeIdleConnections = Effect.zipRight(
      Effect.sync(() => {
        const retired = agents.current
        agents.current = makeAgent()
        agents.closing.add(retired)
        const forget = () => agents.closing.delete(retired)
        retired.close().then(forget, forget)
      }),
      Effect.async<void>((resume) => {
        const turn = setImmediate(() => resume(Effect.void))
        return Effect.sync(() => clearImmediate(turn))
      })
    )
    const base = splitBase(baseUrl)
    const buffers = new BodyBuffers()
    const deadlines = yield* makeExchangeDeadlines(timeout)
    const send = <A>(
      request: TransportRequest,
      read: ReadBody<A>,
      sooner?: SoonerDeadline
    ): Effect.Effect<TransportResponse<A>, TransportFailure> =>
      tunnel !== undefined && Either.isLeft(tunnel)
        ? Effect.fail({ stage: "url", setting: "proxy", cause: tunnel.left })
        : Either.isLeft(base)
        ? Effect.fail({ stage: "url", setting: "base URL", cause: base.left })
        : Effect.async<TransportResponse<A>, TransportFailure>((resume) => {
          const exchange = new Exchange(buffers, maxBytes, read, resume)
          exchange.untrack = deadlines.track(exchange, sooner)
          agents.current.dispatch({
            origin: base.right.origin,
            path: base.right.prefix + request.path,
            method: request.method,
            headers: request.headers,
            body: request.body ?? null,
            // The deadlines time each attempt (request and body); undici's own timers stay off.
            headersTimeout: 0,
            bodyTimeout: 0
          }, exchange)
          return Effect.sync(() => exchange.interrupt())
        })
    return { send, closeIdleConnections } satisfies UndiciTransport
  })
