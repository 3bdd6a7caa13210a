import { withConsoleText } from "@baton-fivetran/fivetran-client/console-text"
import {
  answeredBeforeBreaking,
  echoed,
  type FivetranClientShape,
  type FivetranError,
  type InviteUserRequest,
  isFivetran400,
  type User,
  withoutEmails
} from "@baton-fivetran/fivetran-client"
import { Effect, Either, Option, Stream } from "effect"
import { codePointText } from "../model/Ids.js"
import { userResource } from "../resources/User.js"
import type { AccountRequest, CreateAccountOutcome, DeleteOutcome } from "./ProvisionerShape.js"
import { Conflict, InvalidInput, type ProvisioningError, UnknownPrincipal, UnknownRole, Unsupported } from "./ProvisioningError.js"
import { acceptedWrite } from "./AcceptedWrite.js"
import { watchedWrite } from "./SentWrites.js"
import { withLastAdministratorStep } from "./AccessSlot.js"
import { absentOnceAccountAnswered } from "./ConfirmAbsent.js"
import { FateUnknown, fateUnknown, settledByReading } from "./FateUnknown.js"
import { InvitedUserFound, noteInvitedUser } from "./InvitedUserFound.js"
import { containerWithId } from "./OtherKindOfId.js"
import { samePrincipalOfOtherType, wrongPrincipalType } from "./OtherPrincipalType.js"
import { checkedFivetranId } from "./ProvisioningTarget.js"
import { loadRoleCatalog, requireRole } from "./RoleChecks.js"
import { upstreamFailure } from "./UpstreamFailure.js"

/**
 * Account provisioning (docs/architecture.md §3): invite a user (credential option NO_PASSWORD: Fivetran
 * emails the invitation) unless the email is already in the account, and delete users.
 */

/** One `@`, something on both sides, a dot in the domain, no spaces: enough to catch typos. */
const Email = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/** The longest address SMTP carries (RFC 5321 §4.5.3.1.3: a 256-octet path, less its angle brackets). */
const EmailMaxLength = 254

/**
 * Control characters (C0, DEL, C1), and the bidirectional overrides and isolates that make a name
 * read otherwise than it is stored; joiners (a Persian name's U+200C) are left alone.
 */
const unprintable = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u

/** In an address, any invisible formatting character too: none belongs there, and a shown address would hide it. */
const unprintableInEmail = /[\p{Cc}\p{Cf}]/u

/** `given_name contains a control character (U+0007)`, or nothing. */
const unprintableIn = (field: string, value: string, pattern = unprintable): ReadonlyArray<string> => {
  const char = pattern.exec(value)?.[0]
  if (char === undefined) return []
  const what = /\p{Cc}/u.test(char)
    ? "a control character"
    : /[\u202A-\u202E\u2066-\u2069]/u.test(char)
    ? "a bidirectional control character"
    : "an invisible formatting character"
  return [`${field} contains ${what} (${codePointText(char)})`]
}

const emailProblems = (email: string, given: string): ReadonlyArray<string> => {
  const unprintableChars = unprintableIn("email", email, unprintableInEmail)
  if (unprintableChars.length > 0) return unprintableChars
  if (!Email.test(email)) return [`email "${echoed(given)}" is not an email address`]
  return email.length > EmailMaxLength ? [`email is ${email.length} characters long, more than an address can be (${EmailMaxLength})`] : []
}

/**
 * Digits with the usual separators (`+1 (415) 555-0100`, `+44 20 7946 0958`), a dial string's
 * `#`, `*`, `,` and `;`, optionally an extension (`x12`, `ext. 12`, `extension 12`, RFC 3966's
 * `tel:+1-201-555-0123;ext=12`). Fivetran documents the field only as a string; a value with no
 * digit or with words ("Lovelace", a name pasted into the wrong key) is no number to reach anyone at.
 * Lenient past that: an invitation refused over a phone's format would cost more than the format.
 */
const Phone = /^(tel:)?\+?[\d\s()./#*,;-]+((\s*(x|ext\.?|extension)\s*|;ext=)\d+)?$/i

/** Longer than any number with an extension (E.164 has at most 15 digits); also bounds the pattern's backtracking. */
const PhoneMaxLength = 40

const phoneProblems = (phone: string | undefined): ReadonlyArray<string> => {
  if (phone === undefined) return []
  const trimmed = phone.trim()
  if (trimmed === "") return ["phone is empty (leave it out instead)"]
  const unprintableChars = unprintableIn("phone", trimmed)
  if (unprintableChars.length > 0) return unprintableChars
  if (trimmed.length > PhoneMaxLength) return [`phone is ${trimmed.length} characters long, more than a phone number (${PhoneMaxLength})`]
  return Phone.test(trimmed) && /\d/.test(trimmed)
    ? []
    // Not quoted: a person's phone is never shown back (nor a name pasted into the field).
    : ["phone is not a phone number (digits, with + ( ) - . / # * , ; and spaces, and an extension such as \"x12\")"]
}

/** An invitation of a regular user: with an email, which the API lets only service accounts leave out. */
type Invitation = InviteUserRequest & { readonly email: string }

const checkedRequest = (request: AccountRequest): Effect.Effect<Invitation, ProvisioningError> => {
  const email = request.email.trim()
  const given_name = request.given_name.trim()
  const family_name = request.family_name.trim()
  const problems = [
    ...emailProblems(email, request.email),
    ...(given_name === "" ? ["given_name is empty"] : unprintableIn("given_name", given_name)),
    ...(family_name === "" ? ["family_name is empty"] : unprintableIn("family_name", family_name)),
    ...phoneProblems(request.phone)
  ]
  if (problems.length > 0) return Effect.fail(new InvalidInput({ message: `cannot create the account: ${problems.join("; ")}` }))
  return Effect.succeed({
    email,
    given_name,
    family_name,
    ...(request.role === undefined ? {} : { role: request.role }),
    ...(request.phone === undefined ? {} : { phone: request.phone.trim() })
  })
}

/** Emails are unique per account, compared case-insensitively; the listing stops at the match. */
const findByEmail = (client: FivetranClientShape, email: string, action: string) =>
  client.listUsers.pipe(
    Stream.filter((user) => user.email.toLowerCase() === email.toLowerCase()),
    Stream.runHead,
    Effect.mapError(upstreamFailure(action))
  )

/**
 * The user the email already belongs to. Asked with a role it does not hold, that is not the state
 * the caller asked for, and "already exists" would say it is: the role is changed by a grant.
 */
const alreadyExists = (
  user: User,
  body: Invitation,
  action: string
): Effect.Effect<CreateAccountOutcome, Conflict, InvitedUserFound> =>
  body.role === undefined || body.role === user.role
    ? Effect.succeed({ _tag: "AlreadyExists", resource: userResource(user) })
    : Effect.zipRight(
      noteInvitedUser(user.id),
      Effect.fail(
        new Conflict({
          message: `cannot ${action}: it already exists (user:${user.id}) with ${
            user.role === null ? "no account role" : `the role ${user.role}`
          }, not ${echoed(body.role)}; grant role:${echoed(body.role)}:assigned to change it`
        })
      )
    )

/**
 * Fivetran's refusal of an email already in the account: a 409, or perhaps a 400 (which one is
 * UNCONFIRMED, docs/fivetran-api.md §9). Either is read back; a 400 of a proxy's HTML page is not Fivetran's.
 */
const emailInUse = (error: FivetranError): error is Extract<FivetranError, { readonly _tag: "Conflict" | "BadRequest" }> =>
  error._tag === "Conflict" || isFivetran400(error)

export const createAccount = (
  client: FivetranClientShape,
  request: AccountRequest
): Effect.Effect<CreateAccountOutcome, ProvisioningError, InvitedUserFound> =>
  Effect.gen(function*() {
    const body = yield* checkedRequest(request)
    const action = `create an account for ${echoed(body.email)}`
    if (body.role !== undefined) {
      const catalog = yield* loadRoleCatalog(client, action)
      // A new user's role is an account role: any other scope is simply not a valid value here.
      yield* requireRole(catalog, "ACCOUNT", body.role, `role of the new account ${echoed(body.email)}`, UnknownRole)
    }
    const existing = yield* findByEmail(client, body.email, action)
    if (Option.isSome(existing)) return yield* alreadyExists(existing.value, body, action)
    const created = (user: User): CreateAccountOutcome => ({ _tag: "Created", resource: userResource(user) })
    /** The user the email belongs to now, after the invitation failed with `error`; that failure when there is none. */
    const readBack = (
      error: FivetranError,
      outcome: (user: User) => Effect.Effect<CreateAccountOutcome, ProvisioningError, InvitedUserFound>
    ) =>
      Effect.flatMap(findByEmail(client, body.email, action), (found) =>
        Option.match(found, { onSome: outcome, onNone: () => Effect.fail(upstreamFailure(action)(error)) }))
    return yield* watchedWrite(client.inviteUser(body)).pipe(
      Effect.map(created),
      Effect.catchAll((error) => {
        // A repeat's 409 or 400 after an attempt that may have invited them (a 503 after it acted):
        // most likely this very invitation, so created, unless the user now there is not what it asked.
        if (emailInUse(error) && error.repeatOf !== undefined) {
          return readBack(error, (user) =>
            body.role === undefined || body.role === user.role
              ? Effect.as(
                Effect.logWarning(
                  "an invitation's repeat met the user it invited: the invitation most likely landed on an earlier attempt; " +
                    "reporting the user as created"
                ).pipe(
                  // Named by the user's id: the email asked for, and Fivetran's refusal quoting it, stay out of the log.
                  Effect.annotateLogs({
                    provisioning: withoutEmails(action),
                    error: withoutEmails(error.message),
                    resource_id: user.id
                  }),
                  withConsoleText(
                    withoutEmails(
                      `${action}: ${error.message}; the invitation most likely landed on that attempt: reporting user:${user.id} as created`
                    ),
                    ["provisioning", "error", "resource_id"]
                  )
                ),
                created(user)
              )
              : alreadyExists(user, body, action))
        }
        // Invited by someone else between our read and write: report the user now there.
        if (emailInUse(error)) {
          return readBack(error, (user) =>
            alreadyExists(user, body, action))
        }
        // Invited, but the answer naming the new user was cut off: the listing names them.
        if (answeredBeforeBreaking(error)) {
          return Effect.zipRight(
            Effect.logWarning("the invitation's answer broke after Fivetran answered 2xx: the user was invited; reading them back").pipe(
              Effect.annotateLogs({ error: withoutEmails(error.message) }),
              withConsoleText(
                withoutEmails(`${error.message}; Fivetran answered 2xx, so the user was invited: reading the new user back`),
                ["error"]
              )
            ),
            readBack(error, (user) => Effect.succeed(created(user)))
          )
        }
        // Perhaps invited (a 5xx, no answer): the listing tells.
        if (fateUnknown(error)) {
          return Effect.map(
            settledByReading(new FateUnknown({ action, reason: error.message }), findByEmail(client, body.email, action)),
            created
          )
        }
        return Effect.fail(upstreamFailure(action)(error))
      })
    )
  })

export const deleteResource = (
  client: FivetranClientShape,
  resourceType: string,
  id: string
): Effect.Effect<DeleteOutcome, ProvisioningError> =>
  Effect.gen(function*() {
    if (resourceType !== "user") {
      return yield* Effect.fail(
        new Unsupported({
          message: `cannot delete ${echoed(`${resourceType}:${id}`)}: only user resources can be deleted; revoke grants to remove access`
        })
      )
    }
    yield* checkedFivetranId("user", id)
    const action = `delete user:${echoed(id)}`
    const gone: DeleteOutcome = { _tag: "DoesNotExist" }
    const [found, caller] = yield* Effect.all([
      client.getUser(id).pipe(
        Effect.asSome,
        Effect.catchTag("NotFound", () => Effect.succeedNone),
        Effect.mapError(upstreamFailure(action))
      ),
      // Whose key this is: a user key is deleted with its user (docs/fivetran-api.md §8).
      Effect.either(client.accountInfo)
    ], { concurrency: 2 })
    if (Option.isNone(found)) {
      const absent = yield* absentOnceAccountAnswered(caller, action, `user ${echoed(id)}`, gone)
      // Another kind's id reads as no user: "does not exist (nothing to delete)", exit 0, while the
      // team, group or connection the caller meant is there. All asked at once.
      const [team, container] = yield* Effect.all([
        samePrincipalOfOtherType(client, { type: "user", id }, ["team"], action),
        // Asked for a better message only: one that fails (a 429, a 5xx) leaves the absence as it was found.
        Effect.orElseSucceed(containerWithId(client, id, action), () => Option.none())
      ], { concurrency: "unbounded" })
      if (Option.isSome(team)) {
        return yield* wrongPrincipalType(
          { type: "user", id },
          team.value,
          `nothing was deleted; only users can be deleted here: delete the team in Fivetran itself, or revoke its grants ` +
            `(those of team:${echoed(id)}) to end its access`
        )
      }
      if (Option.isNone(container)) return absent
      return yield* new UnknownPrincipal({
        message: `user ${echoed(id)} does not exist, but ${container.value} ${echoed(id)} does: nothing was deleted; only ` +
          `users can be deleted here: delete the ${container.value} in Fivetran itself, or revoke the grants on it (baton-fivetran ` +
          `access --resource ${container.value}:${echoed(id)} lists them)`
      })
    }
    if (Either.isLeft(caller) && caller.left._tag !== "Forbidden") return yield* Effect.fail(upstreamFailure(action)(caller.left))
    if (Either.isRight(caller) && caller.right.user_id === found.value.id) {
      return yield* new Conflict({
        message: `cannot ${action}: it is the user whose API key this connector uses, and Fivetran deletes a user's keys ` +
          "with the user; delete it with another administrator's key or a system key"
      })
    }
    const deleted: DeleteOutcome = { _tag: "Deleted" }
    // Perhaps deleted (a 5xx, no answer): the user's 404 tells.
    const userGone = client.getUser(id).pipe(
      Effect.as(Option.none()),
      Effect.catchTag("NotFound", () => Effect.succeed(Option.some(deleted))),
      Effect.mapError(upstreamFailure(action))
    )
    return yield* acceptedWrite(client.deleteUser(id)).pipe(
      Effect.as(deleted),
      Effect.catchAll((error): Effect.Effect<DeleteOutcome, ProvisioningError> =>
        // A repeat's 404 after an attempt that may have deleted the user is no proof someone else did.
        fateUnknown(error)
          ? settledByReading(new FateUnknown({ action, reason: error.message }), userGone)
          : error._tag === "NotFound"
          ? Effect.succeed(gone)
          : Effect.fail(withLastAdministratorStep(found.value)(upstreamFailure(action)(error)))
      )
    )
  })
