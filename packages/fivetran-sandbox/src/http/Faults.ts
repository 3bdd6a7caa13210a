import { Schema } from "effect"
import { Prng } from "../generator/Prng.js"

const Share = Schema.Number.pipe(Schema.between(0, 1))

/**
 * Faults the sandbox injects, all off by default. Shares are probabilities per request, drawn from
 * a PRNG seeded with `seed`, so a given seed and request sequence give the same faults every run.
 */
export const FaultOptions = Schema.Struct({
  seed: Schema.optional(Schema.Int),
  /** Added before answering: fixed when `minMillis === maxMillis`, else uniform in between. */
  latency: Schema.optional(Schema.Struct({ minMillis: Schema.NonNegativeInt, maxMillis: Schema.NonNegativeInt })),
  /** Share of requests answered with a 5xx, the status picked uniformly from `serverErrorStatuses`. */
  serverErrorShare: Schema.optional(Share),
  serverErrorStatuses: Schema.optional(Schema.NonEmptyArray(Schema.Literal(500, 502, 503))),
  /** The next `requests` requests get 429 with `Retry-After: retryAfterSeconds`. */
  rateLimitBurst: Schema.optional(
    Schema.Struct({ requests: Schema.NonNegativeInt, retryAfterSeconds: Schema.NonNegativeInt })
  ),
  /** Share of requests whose socket is destroyed without any answer. */
  dropShare: Schema.optional(Share),
  /**
   * The next `requests` requests handled (not refused by a 429, a 5xx or a drop) have their socket
   * destroyed instead of answered: the change made, its answer lost (a reset after Fivetran acted).
   * Counted, as the 429 burst is, and drawing nothing, so it moves no other fault.
   */
  lostAnswers: Schema.optional(Schema.Struct({ requests: Schema.NonNegativeInt })),
  /**
   * The next `requests` requests handled (as for `lostAnswers`) are answered with `status` instead
   * of their answer: the change made, then a failure reported (a 5xx after Fivetran acted). Counted,
   * drawing nothing. Default status 503: the one a client repeats a POST on.
   */
  failAfterActing: Schema.optional(
    Schema.Struct({ requests: Schema.NonNegativeInt, status: Schema.optional(Schema.Literal(500, 502, 503)) })
  ),
  /** Share of answers whose JSON body is made invalid (a stray trailing comma). */
  malformedShare: Schema.optional(Share),
  /** Share of answers whose body is cut in half (with a matching Content-Length). */
  truncatedShare: Schema.optional(Share),
  /** Share of answers sent in `chunkBytes` pieces with `chunkDelayMillis` between them. */
  slowBody: Schema.optional(
    Schema.Struct({ share: Share, chunkBytes: Schema.Int.pipe(Schema.positive()), chunkDelayMillis: Schema.NonNegativeInt })
  ),
  /** The faults above (not the latency) strike only requests of these methods; default: every request. */
  methods: Schema.optional(Schema.NonEmptyArray(Schema.Literal("GET", "POST", "PATCH", "DELETE")))
})
export type FaultOptions = typeof FaultOptions.Type

export type FaultKind =
  | "dropped"
  | "answer-lost"
  | "acted-then-failed"
  | "server-error"
  | "rate-limit-burst"
  | "malformed"
  | "truncated"
  | "slow-body"

/** What to do to one request, decided before it is handled. */
export interface FaultPlan {
  readonly latencyMillis: number
  readonly drop: boolean
  /** Answer at once with this 5xx. */
  readonly serverError: 500 | 502 | 503 | undefined
  /** Answer at once with 429 and this Retry-After. */
  readonly burstRetryAfter: number | undefined
  readonly body: "malformed" | "truncated" | "slow" | undefined
}

const DEFAULT_SEED = 1

/**
 * The fault state of a running sandbox. Each request draws the same number of values from the
 * PRNG whatever is switched on, so enabling one fault does not shift the others' sequence.
 */
export class FaultInjector {
  private options: FaultOptions = {}
  private random = new Prng(DEFAULT_SEED)
  private burstLeft = 0
  private lostAnswersLeft = 0
  private failAfterActingLeft = 0

  constructor(options: FaultOptions) {
    this.set(options)
  }

  /** Replaces every fault setting and restarts the PRNG from the (new) seed. */
  set(options: FaultOptions): void {
    this.options = options
    this.random = new Prng(options.seed ?? DEFAULT_SEED)
    this.burstLeft = options.rateLimitBurst?.requests ?? 0
    this.lostAnswersLeft = options.lostAnswers?.requests ?? 0
    this.failAfterActingLeft = options.failAfterActing?.requests ?? 0
  }

  /** Whether the faults strike requests of `method` (`methods`). */
  private strikes(method: string): boolean {
    const methods = this.options.methods
    return methods === undefined || methods.some((m) => m === method)
  }

  plan(method: string): FaultPlan {
    const o = this.options
    const [latency, drop, server, status, malformed, truncated, slow] = Array.from({ length: 7 }, () => this.random.next())
    const struck = this.strikes(method)
    const hit = (share: number | undefined, draw: number) => struck && share !== undefined && draw < share
    const statuses = o.serverErrorStatuses ?? [500, 502, 503]
    let burstRetryAfter: number | undefined
    if (struck && this.burstLeft > 0 && o.rateLimitBurst !== undefined) {
      this.burstLeft--
      burstRetryAfter = o.rateLimitBurst.retryAfterSeconds
    }
    return {
      latencyMillis: o.latency === undefined
        ? 0
        : o.latency.minMillis + Math.floor(latency! * (Math.max(o.latency.maxMillis, o.latency.minMillis) - o.latency.minMillis + 1)),
      drop: hit(o.dropShare, drop!),
      serverError: hit(o.serverErrorShare, server!) ? statuses[Math.floor(status! * statuses.length)] : undefined,
      burstRetryAfter,
      body: hit(o.malformedShare, malformed!)
        ? "malformed"
        : hit(o.truncatedShare, truncated!)
        ? "truncated"
        : hit(o.slowBody?.share, slow!)
        ? "slow"
        : undefined
    }
  }

  /** Whether the answer of a request of `method` just handled is to be lost (`lostAnswers`); counts it if so. */
  loseAnswer(method: string): boolean {
    if (!this.strikes(method) || this.lostAnswersLeft === 0) return false
    this.lostAnswersLeft--
    return true
  }

  /** The 5xx that replaces the answer of a request of `method` just handled (`failAfterActing`); counts it if so. */
  failAfterActing(method: string): 500 | 502 | 503 | undefined {
    if (!this.strikes(method) || this.failAfterActingLeft === 0) return undefined
    this.failAfterActingLeft--
    return this.options.failAfterActing?.status ?? 503
  }

  get slowBody(): { readonly chunkBytes: number; readonly chunkDelayMillis: number } {
    return this.options.slowBody ?? { chunkBytes: 64, chunkDelayMillis: 0 }
  }
}
