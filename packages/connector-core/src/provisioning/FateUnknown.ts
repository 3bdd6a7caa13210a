import { withConsoleText } from "@baton-fivetran/fivetran-client/console-text"
import { type FivetranError, mayHaveActed, withoutEmails } from "@baton-fivetran/fivetran-client"
import { Data, Effect, Option } from "effect"
import { KeyRejected, type ProvisioningError, Upstream } from "./ProvisioningError.js"

/**
 * A write that may or may not have been made: Fivetran answered 5xx, or the request was sent and no
 * answer came (a reset, the deadline), or its repeat found the change made (`fateUnknown`). Fivetran may fail after acting, so "cannot grant" would be a
 * guess. Not a refusal: the provisioner reads the access back (`settledByReading`) and reports what
 * it finds.
 */
export class FateUnknown extends Data.TaggedError("FateUnknown")<{
  /** e.g. `grant group:G:View Destination to user:U`. */
  readonly action: string
  /** The client's failure, e.g. `POST /v1/users/U/groups: Fivetran answered 500`. */
  readonly reason: string
}> {
  override get message() {
    return `cannot ${this.action}: ${this.reason}`
  }
}

/**
 * Whether Fivetran may have made a write that failed with `error`: it may have acted (a 5xx, no
 * answer), or the client's repeat found the change made after an attempt that may have made it: a
 * DELETE's 404 (`NotFound.repeatOf`), a POST's 409 (`Conflict.repeatOf`, e.g. a 503 after the
 * membership was added), so the answer may be this very write's, not another writer's.
 */
export const fateUnknown = (error: FivetranError): boolean =>
  mayHaveActed(error) || ((error._tag === "NotFound" || error._tag === "Conflict") && error.repeatOf !== undefined)

/**
 * Ends a write whose fate is unknown by reading back what it was to leave: `found` is that, if it is
 * there now (the role asked, no membership, the invited user, no user). Found: the write counts, with
 * a warning. Not found: the refusal, saying so. The read failing too: the refusal, saying the change
 * may have been made and how to tell (KeyRejected when the read met a rejected key, else Upstream).
 */
export const settledByReading = <A>(
  unknown: FateUnknown,
  found: Effect.Effect<Option.Option<A>, ProvisioningError>
): Effect.Effect<A, ProvisioningError> =>
  Effect.matchEffect(found, {
    onSuccess: Option.match({
      onSome: (made) =>
        Effect.as(
          // An invitation's action names its email, and Fivetran's message may quote it: the audit line names the user.
          Effect.logWarning("a write's outcome was unknown, but the read-back found the change made").pipe(
            Effect.annotateLogs({ provisioning: withoutEmails(unknown.action), error: withoutEmails(unknown.reason) }),
            withConsoleText(withoutEmails(`${unknown.action}: ${unknown.reason}, but the read-back found the change made`), [
              "provisioning",
              "error"
            ])
          ),
          made
        ),
      onNone: () =>
        Effect.fail(
          new Upstream({
            message: `${unknown.message}; read back: the change was not made; retrying is safe (it reads before it writes)`
          })
        )
    }),
    onFailure: (readError) => {
      const message = `${unknown.message}; reading it back failed too: ${withoutAction(unknown, readError.message)}, so the ` +
        "change may have been made: the next sync shows whether, and retrying is safe (it reads before it writes)"
      // A key rejected on the read-back is the key's owner's to fix before any retry can settle it.
      return Effect.fail(readError._tag === "KeyRejected" ? new KeyRejected({ message }) : new Upstream({ message }))
    }
  })

/** The read's failure without the `cannot <action>: ` the message already starts with. */
const withoutAction = (unknown: FateUnknown, message: string): string => {
  const said = `cannot ${unknown.action}: `
  return message.startsWith(said) ? message.slice(said.length) : message
}

/** `Some` when `made`, for `settledByReading`'s `found` of a change that leaves nothing to name. */
export const madeWhen = (made: boolean): Option.Option<void> => made ? Option.some(undefined) : Option.none()
