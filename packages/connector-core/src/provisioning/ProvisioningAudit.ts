import { Cause, Effect, Exit, Option, Ref } from "effect"
import { echoed, withoutEmails } from "@baton-fivetran/fivetran-client"
import { parseGrantId } from "../model/Ids.js"
import { InvitedUserFound } from "./InvitedUserFound.js"
import type { AccountRequest, PrincipalRef } from "./ProvisionerShape.js"
import type { ProvisioningError } from "./ProvisioningError.js"
import { outcomeLabel, type ProvisioningAction } from "./ProvisioningMetrics.js"

/**
 * The audit trail of provisioning: every action leaves one info line, `provisioning action`, with
 * `action`, what it was asked to change (`entitlement_id`, `principal_type` and `principal_id`, or
 * the resource), and its `outcome` (the metric's label: `granted`, `already_revoked`, or the
 * refusal's kind), whatever the caller (the HTTP service adds its `request_id`). Ids only: never an
 * email, a name, a profile value or an error message (one may quote an email), so the line holds no
 * personal data beyond the ids the sync file holds too. An email given where an id belongs (refused,
 * `invalid_id`) is logged as `<email>`.
 */

type AuditFields = Readonly<Record<string, string>>

/**
 * An id as the caller gave it. It may be refused as malformed (a newline, a megabyte of text from a
 * request body): cut as every message cuts it (EchoedText.ts), and quoted if it holds a control or
 * invisible character, so that it cannot split or flood a console log line. An email in it, refused
 * as no Fivetran id, is `<email>`: the caller's answer quotes it, the log does not.
 */
const given = (id: string): string => {
  const shown = withoutEmails(echoed(id))
  return /[\p{Cc}\p{Cf}]/u.test(shown) ? JSON.stringify(shown) : shown
}

/** What an action ended with: its outcome's or refusal's label, `interrupted`, or `internal_error` for a defect. */
const outcomeOf = <A extends { readonly _tag: string }>(exit: Exit.Exit<A, ProvisioningError>): string =>
  Exit.match(exit, {
    onSuccess: (outcome) => outcomeLabel(outcome._tag),
    onFailure: (cause) =>
      Option.match(Cause.failureOption(cause), {
        onSome: (error) => outcomeLabel(error._tag),
        onNone: () => Cause.isInterruptedOnly(cause) ? "interrupted" : "internal_error"
      })
  })

const audited = <A extends { readonly _tag: string }, R>(
  action: ProvisioningAction,
  effect: Effect.Effect<A, ProvisioningError, R>,
  subject: Effect.Effect<AuditFields>,
  result: (outcome: A) => AuditFields = () => ({})
): Effect.Effect<A, ProvisioningError, R> =>
  Effect.onExit(effect, (exit) =>
    Effect.flatMap(subject, (fields) =>
      Effect.logInfo("provisioning action").pipe(Effect.annotateLogs({
        action,
        ...fields,
        outcome: outcomeOf(exit),
        ...(Exit.isSuccess(exit) ? result(exit.value) : {})
      }))))

const principalFields = (principal: PrincipalRef): AuditFields => ({
  principal_type: given(principal.type),
  principal_id: given(principal.id)
})

/** For Effect.fn: a grant, with the role it replaced when it changed one. */
export const auditedGrant = <A extends { readonly _tag: string; readonly replacedRole?: string | undefined }, R>(
  effect: Effect.Effect<A, ProvisioningError, R>,
  entitlementId: string,
  principal: PrincipalRef
) =>
  audited(
    "grant",
    effect,
    Effect.succeed({ entitlement_id: given(entitlementId), ...principalFields(principal) }),
    (outcome): AuditFields => outcome.replacedRole === undefined ? {} : { replaced_role: outcome.replacedRole }
  )

/** For Effect.fn: a revoke, its grant id taken apart where it parses. */
export const auditedRevoke = <A extends { readonly _tag: string }, R>(
  effect: Effect.Effect<A, ProvisioningError, R>,
  grantId: string
) =>
  audited(
    "revoke",
    effect,
    Effect.map(Effect.option(parseGrantId(grantId)), (parts) => ({
      grant_id: given(grantId),
      ...Option.match(parts, {
        onNone: () => ({}),
        onSome: (p) => ({
          entitlement_id: given(p.entitlementId),
          ...principalFields({ type: p.principalType, id: p.principalId })
        })
      })
    }))
  )

/**
 * For Effect.fn: an invitation, named by the account's user id once there is one (created, or
 * found under that email: also when refused as holding another role) and the role asked for; the
 * email is personal data and is left out.
 */
export const auditedCreateAccount = <
  A extends { readonly _tag: string; readonly resource: { readonly id: { readonly resource: string } } },
  R
>(
  effect: Effect.Effect<A, ProvisioningError, R | InvitedUserFound>,
  request: AccountRequest
): Effect.Effect<A, ProvisioningError, Exclude<R, InvitedUserFound>> =>
  Effect.flatMap(Ref.make(Option.none<string>()), (found) =>
    audited(
      "create_account",
      Effect.provideService(effect, InvitedUserFound, found),
      Effect.map(Ref.get(found), (userId) => ({
        ...(request.role === undefined ? {} : { role: given(request.role) }),
        ...Option.match(userId, { onNone: () => ({}), onSome: (id) => ({ principal_type: "user", principal_id: id }) })
      })),
      (outcome): AuditFields => ({ principal_type: "user", principal_id: outcome.resource.id.resource })
    ))

/** For Effect.fn: a deletion. */
export const auditedDeleteResource = <A extends { readonly _tag: string }, R>(
  effect: Effect.Effect<A, ProvisioningError, R>,
  resourceType: string,
  resourceId: string
) => audited("delete_resource", effect, Effect.succeed({ resource_type: given(resourceType), resource_id: given(resourceId) }))
