import { progressLogFields, type SyncProgress } from "@baton-fivetran/connector-core"
import { withConsoleText } from "@baton-fivetran/fivetran-client/console-text"
import { Clock, type Duration, Effect, Fiber, Option, Ref } from "effect"
import { LogOutput } from "./Logging.js"

/**
 * Progress for a reader of the log rather than a terminal (a CronJob's log, a CI job): the latest
 * progress as one info line every --progress-log-interval while the sync runs. A terminal gets the
 * redrawn progress line instead, and a debug log gets every phase: at the default level a long
 * sync (a medium account behind a slow network, a rate-limit wait) showed nothing between
 * `syncing into` and `sync complete` for as long as it took. Its `msg` is `sync progress`, its
 * values fields: the sentence (a console's) has the wait's time left in it, which no alert matched.
 */

/** Runs `sync` with an `onProgress` that keeps the latest progress, logged as `line` every `interval`. */
export const withProgressLog = <A, E, R>(
  interval: Duration.DurationInput,
  line: (progress: SyncProgress, nowMillis: number) => string,
  sync: (onProgress: (progress: SyncProgress) => Effect.Effect<void>) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.gen(function*() {
    const { format } = yield* LogOutput
    const latest = yield* Ref.make(Option.none<SyncProgress>())
    const report = Effect.flatMap(Ref.get(latest), (progress) =>
      Option.match(progress, {
        onNone: () => Effect.void,
        onSome: (current) =>
          Effect.flatMap(
            Clock.currentTimeMillis,
            (now) =>
              Effect.logInfo("sync progress").pipe(
                Effect.annotateLogs(format === "json" ? progressLogFields(current) : {}),
                withConsoleText(line(current, now))
              )
          )
      }))
    const ticker = yield* Effect.fork(Effect.forever(Effect.zipRight(Effect.sleep(interval), report)))
    return yield* sync((progress) => Ref.set(latest, Option.some(progress))).pipe(Effect.ensuring(Fiber.interrupt(ticker)))
  })
