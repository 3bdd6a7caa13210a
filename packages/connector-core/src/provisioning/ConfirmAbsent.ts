import type { AccountInfo, FivetranClientShape, FivetranError } from "@baton-fivetran/fivetran-client"
import { Effect, Either } from "effect"
import { type ProvisioningError, Upstream } from "./ProvisioningError.js"
import { upstreamFailure } from "./UpstreamFailure.js"

/**
 * A 404 for a user or team is also what a base URL that is not Fivetran's API root answers (a proxy
 * path, a typo): reporting it absent then would turn a deprovisioning job green while the user
 * keeps access. Before `absent` is believed, an endpoint every account has must answer; a 403 there
 * still proves the API is Fivetran's. `what` names the missing thing, e.g. `user U`.
 */
export const confirmAbsent = <A>(client: FivetranClientShape, action: string, what: string, absent: A) =>
  Effect.flatMap(Effect.either(client.accountInfo), (answer) => absentOnceAccountAnswered(answer, action, what, absent))

/** As `confirmAbsent`, from the account's answer already read. */
export const absentOnceAccountAnswered = <A>(
  answer: Either.Either<AccountInfo, FivetranError>,
  action: string,
  what: string,
  absent: A
): Effect.Effect<A, ProvisioningError> => {
  if (Either.isRight(answer) || answer.left._tag === "Forbidden") return Effect.succeed(absent)
  const error = answer.left
  return Effect.fail(
    error._tag === "NotFound"
      ? new Upstream({
        message: `cannot ${action}: ${what} was not found, and neither was the account (${error.message}): ` +
          "the base URL does not look like Fivetran's API root; check --base-url"
      })
      : upstreamFailure(action)(error)
  )
}
