import { scratchReleased } from "@baton-fivetran/c1z"
import { Duration, Effect } from "effect"

/** Long enough for a working copy's removal under load; a request the platform never ends holds no longer. */
const RemovalWait = Duration.seconds(5)

/**
 * Run once the service has stopped (its server closed, its last connection ended): waits for the
 * working copies and scratch files still in use to be removed. A request that read a sync through a
 * working copy (an export) removes it on its own fiber as its scope closes, after the answer went
 * out: the process exited 0 with that removal under way, and the copy, ~15 times its file, stayed
 * in --temp-dir until the next start. What is still in use after the wait is named in a warning.
 */
export const scratchRemovedAtStop: Effect.Effect<void> = Effect.flatMap(
  scratchReleased(RemovalWait),
  (left) =>
    left.length === 0 ? Effect.void : Effect.logWarning(
      "some working copies or scratch files were still in use as the service stopped; the next start removes them"
    ).pipe(Effect.annotateLogs({ names: left.join(", ") }))
)
