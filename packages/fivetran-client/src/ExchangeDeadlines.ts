import { Duration, Effect } from "effect"

/** What the watchdog needs of an exchange in flight. */
export interface Expirable {
  /** Ends the exchange as timed out, for `cause` (called at most once, and not after it is forgotten). */
  readonly expire: (cause: Error) => void
}

export interface ExchangeDeadlines {
  /** Starts the exchange's time; returns the function that forgets it once it has ended. */
  readonly track: (exchange: Expirable) => () => void
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
    const overdue = `no complete response within ${Duration.toSeconds(timeout)}s`
    // Insertion order is start order: the first entry is the oldest.
    const inFlight = new Map<Expirable, number>()
    const busy = yield* Effect.makeLatch(false)

    const watch = Effect.gen(function*() {
      while (true) {
        const oldest = inFlight.entries().next()
        if (oldest.done === true) {
          busy.unsafeClose()
          yield* busy.await
          continue
        }
        const [exchange, deadline] = oldest.value
        const now = clock.unsafeCurrentTimeMillis()
        if (deadline <= now) {
          inFlight.delete(exchange)
          exchange.expire(new Error(overdue))
        } else {
          yield* Effect.sleep(deadline - now)
        }
      }
    })
    yield* Effect.forkScoped(Effect.interruptible(watch))

    const track = (exchange: Expirable) => {
      inFlight.set(exchange, clock.unsafeCurrentTimeMillis() + timeoutMillis)
      if (inFlight.size === 1) busy.unsafeOpen()
      return () => {
        inFlight.delete(exchange)
      }
    }
    return { track } satisfies ExchangeDeadlines
  })
