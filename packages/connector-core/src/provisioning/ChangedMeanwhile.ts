import { withConsoleText } from "@baton-fivetran/fivetran-client/console-text"
import type { FivetranError } from "@baton-fivetran/fivetran-client"
import { Data, Effect } from "effect"
import { FateUnknown, fateUnknown } from "./FateUnknown.js"
import type { ProvisioningError } from "./ProvisioningError.js"
import { upstreamFailure } from "./UpstreamFailure.js"

/**
 * A write met the access other than the read that decided it: another admin, or a second process
 * revoking the same grant, wrote in between. Not a refusal: the provisioner decides again from
 * fresh reads (`decideAgainOnce`); `failure` is what Fivetran's answer means as a refusal, reported
 * if the access changes once more under that second decision.
 */
export class ChangedMeanwhile extends Data.TaggedError("ChangedMeanwhile")<{ readonly failure: ProvisioningError }> {}

/**
 * 404 with a `NotFound…` code (docs/fivetran-api.md §1.5: match the prefix): the membership, or the
 * user, team, group or connection it belongs to, is gone. The read just before found them, so
 * this is no wrong base URL.
 */
export const gone = (error: FivetranError): boolean => error._tag === "NotFound" && error.code.startsWith("NotFound")

/**
 * For an add: gone as above, or 409, Fivetran's answer to a second membership of the same pair
 * (docs/fivetran-api.md §9; its code is UNCONFIRMED, so the status decides). The fresh reads tell
 * which: a 409 that means something else finds no membership and ends as that Conflict.
 */
export const goneOrAdded = (error: FivetranError): boolean => gone(error) || error._tag === "Conflict"

/**
 * A write's failure during `action`: `changed` answers are ChangedMeanwhile, those Fivetran may have
 * acted on before failing FateUnknown, the others refusals (UpstreamFailure.ts).
 */
export const writeFailure = (action: string, changed: (error: FivetranError) => boolean) =>
(
  error: FivetranError
): ProvisioningError | ChangedMeanwhile | FateUnknown =>
  // First: a repeated DELETE's 404 is `changed` too, but may be this write's own doing.
  fateUnknown(error)
    ? new FateUnknown({ action, reason: error.message })
    : changed(error)
    ? new ChangedMeanwhile({ failure: upstreamFailure(action)(error) })
    : upstreamFailure(action)(error)

/**
 * Runs `decide` (read, then write) and, when its write met a change, once more from fresh reads:
 * the second decision sees what the other writer left (already revoked, already granted, a role to
 * change). A change under that one too is reported, not chased.
 */
export const decideAgainOnce = <A, E, R>(
  decide: Effect.Effect<A, E | ChangedMeanwhile, R>
): Effect.Effect<A, E | ProvisioningError, R> =>
  Effect.catchIf(
    decide,
    (error): error is ChangedMeanwhile => error instanceof ChangedMeanwhile,
    (changed) =>
      Effect.zipRight(
        Effect.logInfo("the access changed between its read and the write; deciding again").pipe(
          Effect.annotateLogs({ error: changed.failure.message }),
          withConsoleText(`the access changed between its read and the write (${changed.failure.message}); deciding again`, ["error"])
        ),
        Effect.catchIf(
          decide,
          (error): error is ChangedMeanwhile => error instanceof ChangedMeanwhile,
          (again) => Effect.fail(again.failure)
        )
      )
  )
