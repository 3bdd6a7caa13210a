import { progressLogFields, type SyncProgress } from "@baton-fivetran/connector-core"
import { withConsoleText } from "@baton-fivetran/fivetran-client/console-text"
import { Clock, Duration, Effect, Fiber, Option, Ref } from "effect"
import { LogOutput } from "./Logging.js"

/**
 * Progress for a reader of the log rather than a terminal (a CronJob's log, a CI job): the latest
 * progress as one info line every ProgressLogInterval while the sync runs. A terminal gets the
 * redrawn progress line instead, and a debug log gets every phase: at the default level a long
 * sync (a medium account behind a slow network, a rate-limit wait) showed nothing between
 * `syncing into` and `sync complete` for as long as it took. Its `msg` is `sync progress`, its
 * values fields: the sentence (a console's) has the wait's time left in it, which no alert matched.
 */

/** Fixed: often enough to show a sync is alive, rarely enough that a sync of hours stays short. */
export const ProgressLogInterval = Duration.seconds(30)

/** Runs `sync` with an `onProgress` that keeps the latest progress, logged as `line` at each interval. */
export const withProgressLog = <A, E, R>(
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
    const ticker = yield* Effect.fork(Effect.forever(Effect.zipRight(Effect.sleep(ProgressLogInterval), report)))
    return yield* sync((progress) => Ref.set(latest, Option.some(progress))).pipe(Effect.ensuring(Fiber.interrupt(ticker)))
  })
