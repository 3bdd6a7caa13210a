/**
 * Where a sync's wall time goes past the latency bound, from the CLI's own debug log
 * (`--log-level debug --log-format json`: one "Fivetran request" line per request, with its end
 * time `ts` in seconds and its duration `duration_ms`). The parts add up to the wall time exactly:
 *   wall = start-up + bound + time past the latency + idle slots + finish
 * - start-up: from spawning the CLI to its first request;
 * - bound: requests × latency / concurrency;
 * - time past the latency: Σ (each request's duration − latency) / concurrency. This is the
 *   sandbox's own time, the loopback, and the wait for either process's busy main thread;
 * - idle slots: slot-time between the first request and the last answer that no request used,
 *   divided by concurrency. It is negative where list pages (outside the slots) ran more than
 *   `concurrency` requests at once. It is shown for the first and last second and for the rest;
 * - finish: from the last answer to the process's exit (index builds, compression, exit).
 * The debug log costs the sync a little time of its own, so a breakdown run is not a timing run.
 */
import { Either, Option, Schema } from "effect"

const RequestLine = Schema.parseJson(Schema.Struct({
  msg: Schema.Literal("Fivetran request"),
  ts: Schema.Number,
  duration_ms: Schema.Number
}))
const decodeRequestLine = Schema.decodeUnknownEither(RequestLine)

export interface SyncBreakdown {
  readonly requests: number
  readonly startupSeconds: number
  readonly boundSeconds: number
  readonly pastLatencySeconds: number
  readonly idleSeconds: { readonly firstSecond: number; readonly middle: number; readonly lastSecond: number }
  readonly finishSeconds: number
  readonly wallSeconds: number
  /** Each request's mean duration, in ms. */
  readonly meanRequestMillis: number
}

/** Slot-seconds in use within [from, to), of requests given as [start, end] in seconds. */
const busyWithin = (spans: ReadonlyArray<readonly [number, number]>, from: number, to: number) =>
  spans.reduce((sum, [start, end]) => sum + Math.max(0, Math.min(end, to) - Math.max(start, from)), 0)

/**
 * The breakdown of one sync: its stderr (the JSON log), when it was spawned and when it exited (ms
 * since the epoch, on the same clock as the log), the sandbox's latency and the sync's concurrency.
 * None when the log holds no request line (the sync was not run with the debug log).
 */
export const syncBreakdown = (
  stderr: string,
  timing: { readonly spawnedAt: number; readonly exitedAt: number; readonly latencyMillis: number; readonly concurrency: number }
): Option.Option<SyncBreakdown> => {
  const spans: Array<readonly [number, number]> = []
  for (const line of stderr.split("\n")) {
    if (!line.includes("\"Fivetran request\"")) continue
    const decoded = decodeRequestLine(line)
    if (Either.isRight(decoded)) spans.push([decoded.right.ts - decoded.right.duration_ms / 1000, decoded.right.ts])
  }
  if (spans.length === 0) return Option.none()
  const { concurrency, latencyMillis } = timing
  const spawned = timing.spawnedAt / 1000
  const exited = timing.exitedAt / 1000
  // A loop, not Math.min(...): a scaled account's sync logs more requests than a call takes arguments.
  const first = spans.reduce((earliest, [start]) => Math.min(earliest, start), Number.POSITIVE_INFINITY)
  const last = spans.reduce((latest, [, end]) => Math.max(latest, end), Number.NEGATIVE_INFINITY)
  const totalDuration = spans.reduce((sum, [start, end]) => sum + (end - start), 0)
  const idle = (from: number, to: number) => ((to - from) * concurrency - busyWithin(spans, from, to)) / concurrency
  const edge = Math.min(1, (last - first) / 2)
  return Option.some({
    requests: spans.length,
    startupSeconds: first - spawned,
    boundSeconds: (spans.length * latencyMillis) / 1000 / concurrency,
    pastLatencySeconds: (totalDuration - (spans.length * latencyMillis) / 1000) / concurrency,
    idleSeconds: {
      firstSecond: idle(first, first + edge),
      middle: idle(first + edge, last - edge),
      lastSecond: idle(last - edge, last)
    },
    finishSeconds: exited - last,
    wallSeconds: exited - spawned,
    meanRequestMillis: (totalDuration * 1000) / spans.length
  })
}

/** The breakdown as the bench prints it, under a run's lines. */
export const describeBreakdown = (breakdown: SyncBreakdown): string => {
  const s = (seconds: number) => `${seconds.toFixed(2)} s`
  const { idleSeconds: idle } = breakdown
  return [
    `    where the ${s(breakdown.wallSeconds)} went (from the debug log; ${breakdown.requests} requests, ` +
    `${breakdown.meanRequestMillis.toFixed(1)} ms each on average):`,
    `      start-up ${s(breakdown.startupSeconds)} + bound ${s(breakdown.boundSeconds)} + time past the latency ` +
    `${s(breakdown.pastLatencySeconds)} + idle slots ${s(idle.firstSecond + idle.middle + idle.lastSecond)} ` +
    `(first second ${s(idle.firstSecond)}, last second ${s(idle.lastSecond)}, between ${s(idle.middle)}) + finish ` +
    `${s(breakdown.finishSeconds)}`
  ].join("\n")
}
