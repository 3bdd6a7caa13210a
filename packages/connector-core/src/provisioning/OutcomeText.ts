import { echoed } from "@baton-fivetran/fivetran-client"
import { resourceRefOf } from "../model/Ids.js"
import type { CreateAccountOutcome, DeleteOutcome, GrantOutcome, PrincipalRef, RevokeOutcome } from "./ProvisionerShape.js"

/**
 * What a grant, revoke or invitation did, in words: the CLI's line and the HTTP service's `message`. Each
 * worded the same outcome its own way (a revoke of access held only through a team: the CLI's
 * "nothing to revoke directly", the service's `already_revoked` alone), so a person reading one and
 * a script's author reading the other understood different things; the statuses stay as they are.
 */

const principalText = (principal: PrincipalRef) => `${principal.type}:${principal.id}`

/** How long a disabled user stays so: Fivetran's API cannot enable one (its `active` is read-only). */
const untilEnabled = "until it is enabled there (Fivetran's API cannot enable a user)"

/** "granted" alone read as access in use, while a disabled user cannot sign in to use it (nor can the API enable one). */
const disabledPrincipalNote = (principal: PrincipalRef, outcome: GrantOutcome) =>
  outcome.principalDisabled ? `; ${principalText(principal)} is disabled in Fivetran: it cannot use this access ${untilEnabled}` : ""

/** A deprecated role grants what its replacement does under an old name; a review asks for the current one. */
const deprecatedRoleNote = (outcome: GrantOutcome) =>
  outcome.deprecatedRole === undefined
    ? ""
    : `; Fivetran has deprecated the role "${outcome.deprecatedRole.name}"` +
      (outcome.deprecatedRole.replacement === undefined ? "" : `: grant "${outcome.deprecatedRole.replacement}" instead`)

export const grantOutcomeText = (entitlementId: string, principal: PrincipalRef, outcome: GrantOutcome): string =>
  (outcome._tag === "Granted"
    ? `granted ${entitlementId} to ${principalText(principal)}` +
      (outcome.replacedRole === undefined ? "" : ` (replacing the role ${outcome.replacedRole} it held there)`)
    : `already exists: ${principalText(principal)} already holds ${entitlementId}`) +
  disabledPrincipalNote(principal, outcome) +
  deprecatedRoleNote(outcome)

/** A team role and the team membership are one membership in Fivetran: its removal ends both grants. */
const alsoRevokedText = (alsoRevoked: ReadonlyArray<string>) =>
  alsoRevoked.length === 0 ? "" : `, and with it ${alsoRevoked.join(" and ")} (one membership in Fivetran, removed whole)`

/** A revoke that removed nothing: not "already revoked" while a team still gives the access (a skimmed line read as gone). */
const nothingRevokedLead = (outcome: RevokeOutcome) =>
  outcome.stillHeldThrough.length > 0 ? "nothing to revoke directly" : "already revoked"

export const revokeOutcomeText = (grantId: string, outcome: RevokeOutcome): string =>
  outcome._tag === "Revoked"
    ? outcome.stillHeldThrough.length === 0
      ? `revoked ${grantId}${alsoRevokedText(outcome.alsoRevoked)}`
      : `revoked ${grantId}${alsoRevokedText(outcome.alsoRevoked)}, but it is still held through ${
        outcome.stillHeldThrough.join(" and ")
      } ` +
        "(revoke that, or remove the user from the team, to end the access)"
    : `${nothingRevokedLead(outcome)}: ${echoed(grantId)}${outcome.detail === undefined ? "" : ` (${outcome.detail})`}`

/** The account's email as Fivetran holds it (the request may differ in case), else as asked. */
const accountEmail = (asked: string, outcome: CreateAccountOutcome) => {
  const trait = outcome.resource.annotations.find((annotation) => annotation._tag === "UserTrait")
  return trait?._tag === "UserTrait" ? trait.emails[0]?.address ?? asked : asked
}

/**
 * "already exists" alone read as an invitation done, while a disabled user found under the email
 * cannot sign in, and Fivetran's API cannot enable one (its `active` is read-only).
 */
const disabledNote = (outcome: CreateAccountOutcome) =>
  outcome.resource.status?.status === "DISABLED"
    ? `, but it is disabled in Fivetran: it cannot sign in ${untilEnabled}`
    : ""

export const createAccountOutcomeText = (email: string, outcome: CreateAccountOutcome): string => {
  const user = `${resourceRefOf(outcome.resource.id)} (${accountEmail(email, outcome)})`
  return outcome._tag === "Created" ? `created ${user}` : `already exists: ${user}${disabledNote(outcome)}`
}

export const deleteOutcomeText = (resourceType: string, id: string, outcome: DeleteOutcome): string =>
  outcome._tag === "Deleted" ? `deleted ${resourceType}:${id}` : `does not exist: ${echoed(`${resourceType}:${id}`)} (nothing to delete)`
