import { Duration, Effect, Runtime } from "effect"
import { monotonicMillis } from "./MonotonicClock.js"
import { formatWait } from "./WaitDuration.js"

/** The apps' setting of the timeout, named where it expires so that the fix is in the error. */
const TimeoutSetting = "request-timeout"

/** What the watchdog needs of an exchange in flight. */
export interface Expirable {
  /** Ends the exchange as timed out, for `cause` (called at most once, and not after it is forgotten). */
  readonly expire: (cause: Error) => void
}

/** A deadline sooner than the timeout for one exchange: a caller's cap that ends first (RateLimitWaitCap.ts). */
export interface SoonerDeadline {
  readonly millis: number
  /** Why it expired, e.g. `no complete response before max-provisioning-wait (30.0s) ran out`. */
  readonly overdue: string
}

export interface ExchangeDeadlines {
  /** Starts the exchange's time; returns the function that forgets it once it has ended. */
  readonly track: (exchange: Expirable, sooner?: SoonerDeadline) => () => void
}

/**
 * The per-attempt timeout of every exchange, kept by one watchdog fiber on Effect's clock (so tests
 * drive it with TestClock). Each attempt used to race a sleeping fiber (Effect.timeoutFail): two
 * fibers and a timer per request, ~100 µs of CPU, a sixth of a request's cost in a large sync. Here
 * an attempt costs a Map entry, and the watchdog wakes when the oldest attempt is due: every
 * exchange has the same timeout, so the oldest is always the first to expire. It waits on a latch
 * while nothing is in flight. Lives as long as the scope.
 */
export const makeExchangeDeadlines = (timeout: Duration.Duration) =>
  Effect.gen(function*() {
    const clock = yield* Effect.clock
    const timeoutMillis = Duration.toMillis(timeout)
    const overdue = `no complete response within ${TimeoutSetting} (${formatWait(timeoutMillis)})`
    // Insertion order is start order: the first entry is the oldest.
    const inFlight = new Map<Expirable, number>()
    const busy = yield* Effect.makeLatch(false)

    /**
     * The oldest exchange if it is overdue, else the milliseconds until it is; undefined while none
     * is in flight. Only a number is kept across the watchdog's sleep: the oldest exchange usually
     * ends long before its deadline, and holding it there kept it, and what it read, alive until then.
     */
    const nextDue = (): Expirable | number | undefined => {
      const oldest = inFlight.entries().next()
      if (oldest.done === true) return undefined
      const [exchange, deadline] = oldest.value
      const wait = deadline - monotonicMillis(clock)
      return wait > 0 ? wait : exchange
    }

    const watch = Effect.gen(function*() {
      while (true) {
        const due = nextDue()
        if (due === undefined) {
          busy.unsafeClose()
          yield* busy.await
        } else if (typeof due === "number") {
          yield* Effect.sleep(due)
        } else {
          inFlight.delete(due)
          due.expire(new Error(overdue))
        }
      }
    })
    yield* Effect.forkScoped(Effect.interruptible(watch))

    // A sooner deadline is rare (a provisioning request's attempts, under a caller's cap): a timer
    // fiber of its own, on the same clock, keeps the watchdog's order (the oldest first) intact.
    const runFork = Runtime.runFork(yield* Effect.runtime<never>())

    const track = (exchange: Expirable, sooner?: SoonerDeadline) => {
      inFlight.set(exchange, monotonicMillis(clock) + timeoutMillis)
      if (inFlight.size === 1) busy.unsafeOpen()
      const forget = () => {
        inFlight.delete(exchange)
      }
      if (sooner === undefined || sooner.millis >= timeoutMillis) return forget
      const timer = runFork(Effect.zipRight(
        Effect.sleep(sooner.millis),
        Effect.sync(() => {
          if (!inFlight.delete(exchange)) return
          exchange.expire(new Error(sooner.overdue))
        })
      ))
      return () => {
        forget()
        timer.unsafeInterruptAsFork(timer.id())
      }
    }
    return { track } satisfies ExchangeDeadlines
  })
