import { TooManyExports } from "@baton-fivetran/http-api"
import { HttpApp, HttpServerResponse } from "@effect/platform"
import { Effect, Metric, Ref, type Scope } from "effect"
import { ServiceConfig } from "./ServiceConfig.js"

/**
 * The bound on access-review exports streaming at once (`--max-concurrent-exports`). Each streams
 * every row of its sheet (~75,000 rows and 14 MB on a large account) for as long as its client
 * reads; unbounded, N callers at once multiplied the service's memory and CPU, and every other
 * request waited behind them. Past the bound an export is refused at once (429 with Retry-After):
 * a queue would hold sockets open for as long as the downloads ahead of them last, which a slow
 * reader makes unbounded; a refusal costs nothing and the caller retries.
 */

export const exportsRefused = Metric.counter("baton_exports_refused_total", {
  description: "Access-review exports refused because --max-concurrent-exports were already streaming",
  incremental: true
})

export const exportsStreaming = Metric.gauge("baton_exports_streaming", {
  description: "Access-review exports streaming now (at most --max-concurrent-exports)"
})

/** Seconds a refused caller is told to wait: a slot is free as soon as any export ends, and a refusal costs nothing. */
export const ExportRetryAfterSeconds = 5

export class ExportSlots extends Effect.Service<ExportSlots>()("baton-http/ExportSlots", {
  effect: Effect.gen(function*() {
    const { maxConcurrentExports } = yield* ServiceConfig
    // A count rather than a Semaphore: its `take` waits for a permit, and an export past the bound is refused instead.
    const streaming = yield* Ref.make(0)
    // At 0 from the start, so that `increase(...) > 0` sees the first refusal.
    yield* Metric.value(exportsRefused)
    yield* Metric.set(exportsStreaming, 0)
    const take = Effect.tap(
      Ref.modify(streaming, (n) => n < maxConcurrentExports ? [true, n + 1] : [false, n]),
      (taken) => taken ? Metric.increment(exportsStreaming) : Effect.void
    )
    const release = Effect.zipRight(Ref.update(streaming, (n) => n - 1), Metric.incrementBy(exportsStreaming, -1))

    const refusal = new TooManyExports({
      message:
        `the service is already streaming ${maxConcurrentExports} sheet export${
          maxConcurrentExports === 1 ? "" : "s"
        }, as many as it runs at once (--max-concurrent-exports); send this request again in ` +
        `${ExportRetryAfterSeconds} s`,
      retry_after_seconds: ExportRetryAfterSeconds
    })

    const retryAfter = HttpApp.appendPreResponseHandler((_, response) =>
      Effect.succeed(
        response.status === 429 ? HttpServerResponse.setHeader(response, "retry-after", String(ExportRetryAfterSeconds)) : response
      )
    )

    /**
     * A slot held until the request's scope closes: the platform closes it once the response is
     * written, its streamed body included, or once the client hangs up mid-stream (which
     * interrupts the stream), so an aborted download frees its slot.
     */
    const slot: Effect.Effect<void, TooManyExports, Scope.Scope> = Effect.acquireRelease(
      take,
      (taken) => taken ? release : Effect.void
    ).pipe(
      Effect.flatMap((taken) =>
        taken ? Effect.void : Effect.zipRight(Metric.increment(exportsRefused), Effect.zipRight(retryAfter, Effect.fail(refusal)))
      )
    )

    /** `answer` (an export's response, its body streamed later) run in a slot, or TooManyExports at once. */
    const limited = <A, E, R>(answer: Effect.Effect<A, E, R>): Effect.Effect<A, E | TooManyExports, R | Scope.Scope> =>
      Effect.zipRight(slot, answer)

    return { limited } as const
  })
}) {}
