import { FivetranClient, type FivetranError, formatWait, type RequestWait, withRequestTally } from "@baton-fivetran/fivetran-client"
import { NotReady, type Ready, type ReadyDetails } from "@baton-fivetran/http-api"
import { Data, Effect, Option, Ref, Stream } from "effect"
import { ServiceConfig } from "./ServiceConfig.js"
import { SyncJobs } from "./SyncJobs.js"

/**
 * What `/readyz` answers a caller with a token when the service is ready: the account the configured
 * key reaches, from the check; or, without a successful check, that another answer from Fivetran
 * accepted the key.
 */
type ReadyAnswer = typeof ReadyDetails.Type

/**
 * Why the service is not ready: `detail` quotes Fivetran's answer (for a caller with a token),
 * `kind` says why in terms anyone reaching the port may read.
 */
class Unready extends Data.TaggedError("Unready")<{
  readonly kind: "keyRefused" | "rateLimited" | "fivetranFailing"
  readonly detail: string
}> {}

/**
 * What a caller without a token is told. `/readyz` needs none, so anyone reaching the port reads it:
 * the account's id and name, Fivetran's error texts and the request paths in them are left to
 * callers with a token, who are told the service's token brings them.
 */
const generalReasons: Record<Unready["kind"], string> = {
  keyRefused: "Fivetran refuses the configured key; GET /readyz with a token of the service says why",
  rateLimited: "waiting for Fivetran's rate limit, and no answer from Fivetran has shown the configured key to work " +
    "yet; ask again later",
  fivetranFailing: "Fivetran is failing or not answering, and no answer from it has shown the configured key to work " +
    "yet; GET /readyz with a token of the service says how"
}

/** Ready on the strength of another 2xx answer (the client's `keyAccepted`): the check never got past the wait. */
const keyAccepted: ReadyAnswer = {
  status: "ready",
  account_id: null,
  account_name: null,
  message: "Fivetran accepted the configured key (a request of this service succeeded); the account is named once " +
    "GET /v1/account/info is sent, after the rate-limit wait"
}

/**
 * How long one check of Fivetran answers every probe. `/readyz` needs no token (a kubelet's probe
 * cannot send one), so anyone reaching the port may call it: checked on every call, it spent the
 * key's hourly budget at the caller's pace. Below the documented probe period (30 s, docs/deploy.md),
 * so each probe of one kubelet still sees a fresh check.
 */
const checkLifetime = "20 seconds"

/**
 * Fivetran refused the key or its permission: the configuration is wrong, not Fivetran. A 401 or
 * 403 that is an HTML page (a proxy's or a portal's) says nothing of the key: Fivetran is failing.
 */
const keyRefused = (error: FivetranError) => (error._tag === "Unauthorized" || error._tag === "Forbidden") && error.htmlPage !== true

/** A 429 past the retries, or a rate-limit wait longer than max-rate-limit-wait. */
const rateLimited = (error: FivetranError) => error._tag === "RateLimited" || error._tag === "RateLimitWaitTooLong"

/** Held back by Fivetran's rate limit or our reserve: Fivetran answers, requests are only paced. */
const paced = (wait: Option.Option<RequestWait>) => Option.exists(wait, (w) => w.kind !== "retry")

/**
 * Readiness: the configured key reaches Fivetran (`GET /v1/account/info`). A rate-limit or reserve
 * wait is not unreadiness: while the service waits out the budget (a sync, the README's hour-long
 * repeat wait) it still serves queries, jobs and the explorer, and a probe queued behind that wait
 * timed out, so every such wait took the only replica out of its Service. Then the last successful
 * check answers; without one, any 2xx answer to the service's other requests (the client's
 * `keyAccepted`: a fresh process whose first sync waits for the reserve has had one); without any,
 * the probe is 503, saying why. Fivetran failing on its side is not unreadiness either, once the
 * key has worked (`whenFivetranFails`); a refused key always is.
 */
export class Readiness extends Effect.Service<Readiness>()("baton-http/Readiness", {
  effect: Effect.gen(function*() {
    const client = yield* FivetranClient
    const jobs = yield* SyncJobs
    const lastReady = yield* Ref.make(Option.none<ReadyAnswer>())
    /**
     * A probe wants its answer within its own timeout: the client's attempts, each within
     * request-timeout (30 s by default), and their backoff could take minutes. The answer names the
     * setting, so that an operator knows which limit a silent Fivetran ran into.
     */
    const { readinessTimeoutMillis } = yield* ServiceConfig
    const limit = `readiness-timeout (${formatWait(readinessTimeoutMillis)})`
    /**
     * Said when the check ran out of time. Its attempts may have failed meanwhile (a refused
     * connection, a 5xx), each retried until the limit: the last one's reason is quoted, as "did
     * not answer" sent an operator with a wrong port or firewall to look for a slow Fivetran.
     */
    const unanswered = (lastFailure: string | undefined) =>
      lastFailure === undefined
        ? `Fivetran did not answer within ${limit}`
        : `no attempt of GET /v1/account/info succeeded within ${limit}; the last failed: ${lastFailure}`

    const whenPaced: Effect.Effect<ReadyAnswer, Unready> = Effect.gen(function*() {
      const known = yield* Ref.get(lastReady)
      if (Option.isSome(known)) return known.value
      if (yield* client.keyAccepted) return keyAccepted
      return yield* new Unready({ kind: "rateLimited", detail: generalReasons.rateLimited })
    })

    /** A rate-limit or reserve wait beginning (the check's own, or a sync's) while the check runs. */
    const heldBack = Effect.flatMap(Stream.runHead(Stream.filter(client.waits.changes, paced)), () => whenPaced)

    /**
     * Fivetran failing on its side (5xx, no answer in time, a broken body) once the key has worked:
     * every replica would fail alike, and taking this one out of its Service only stopped the
     * queries, reviews and explorer it serves from its kept syncs. Ready, saying so; before the key
     * ever worked, 503 (a rollout with a wrong key must not become ready).
     */
    const whenFivetranFails = (
      reason: string,
      kind: "rateLimited" | "fivetranFailing" = "fivetranFailing"
    ): Effect.Effect<ReadyAnswer, Unready> =>
      Effect.gen(function*() {
        const serves = Option.isSome(yield* jobs.latestSucceeded)
          ? "the service serves its kept syncs"
          : "the service answers, though no sync is kept yet to query"
        const what = kind === "rateLimited" ? "Fivetran's rate limit holds requests back" : "Fivetran is failing"
        const message = `${what} (${reason}); the key worked before, and ${serves}`
        const known = yield* Ref.get(lastReady)
        if (Option.isSome(known)) return { ...known.value, message }
        if (yield* client.keyAccepted) return { ...keyAccepted, message }
        return yield* new Unready({ kind, detail: reason })
      })

    const answered = client.accountInfo.pipe(
      Effect.map((info): ReadyAnswer => ({ status: "ready", account_id: info.account_id, account_name: info.account_name })),
      Effect.tap((ready) => Ref.set(lastReady, Option.some(ready))),
      Effect.catchAll((error) =>
        keyRefused(error)
          ? Effect.fail(new Unready({ kind: "keyRefused", detail: error.message }))
          // The rate limit, or this service's reserve and wait bound, not a failure of Fivetran's.
          : rateLimited(error)
          ? whenFivetranFails(error.message, "rateLimited")
          : whenFivetranFails(error.message)
      )
    )
    /** The check's own requests (a tally of them): each retry's wait says why the attempt before it failed. */
    const check = withRequestTally((tally) =>
      Effect.gen(function*() {
        const lastFailure = yield* Ref.make<string | undefined>(undefined)
        const noteFailures = Stream.runForEach(
          tally.waits.changes,
          (wait) => Option.isSome(wait) && wait.value.kind === "retry" ? Ref.set(lastFailure, wait.value.reason) : Effect.void
        )
        return yield* answered.pipe(
          Effect.raceFirst(heldBack),
          Effect.raceFirst(Effect.zipRight(noteFailures, Effect.never)),
          Effect.timeout(readinessTimeoutMillis),
          Effect.catchTag("TimeoutException", () => Effect.flatMap(Ref.get(lastFailure), (reason) => whenFivetranFails(unanswered(reason))))
        )
      })
    )
    const cachedCheck = yield* Effect.cachedWithTTL(check, checkLifetime)

    const ready: Effect.Effect<ReadyAnswer, Unready> = Effect.gen(function*() {
      if (paced(yield* client.waits.current)) return yield* whenPaced
      return yield* cachedCheck
    })

    /** The answer for a caller with a token of the service (`detailed`), or for anyone else. */
    const answer = (detailed: boolean): Effect.Effect<typeof Ready.Type, NotReady> =>
      ready.pipe(
        Effect.map((answer) => detailed ? answer : { status: answer.status }),
        Effect.mapError((unready) => new NotReady({ message: detailed ? unready.detail : generalReasons[unready.kind] }))
      )
    return { answer } as const
  })
}) {}
