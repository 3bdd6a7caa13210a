import {
  type CreateAccountOutcome,
  type DeleteOutcome,
  echoed,
  type GrantOutcome,
  type PrincipalRef,
  Provisioner,
  ProvisioningDisabled,
  resourceRefOf,
  type RevokeOutcome
} from "@baton-fivetran/connector-core"
import { shownText } from "@baton-fivetran/fivetran-client/shown-text"
import { Console, Effect, LogLevel, Option } from "effect"
import { fivetranClientLayer } from "../FivetranTarget.js"
import { notice } from "../output/Notice.js"
import type { Settings } from "../settings/Settings.js"
import { withTelemetry } from "../Telemetry.js"
import { actionName, ProvisioningAction, type RequestedAction } from "./ActionFlags.js"

/**
 * Runs one provisioning action and prints its outcome on stdout; idempotent no-ops say so and succeed.
 * The line quotes Fivetran's text (the role a grant replaced: another admin names custom roles), so
 * it is shown, not acted on (shownText), as the tables and the `error:` line are.
 */

const principalText = (principal: PrincipalRef) => `${principal.type}:${principal.id}`

const grantLine = (entitlementId: string, principal: PrincipalRef, outcome: GrantOutcome) =>
  outcome._tag === "Granted"
    ? `granted ${entitlementId} to ${principalText(principal)}` +
      (outcome.replacedRole === undefined ? "" : ` (replacing the role ${outcome.replacedRole} it held there)`)
    : `already exists: ${principalText(principal)} already holds ${entitlementId}`

/** A team role and the team membership are one membership in Fivetran: its removal ends both grants. */
const alsoRevokedText = (alsoRevoked: ReadonlyArray<string>) =>
  alsoRevoked.length === 0 ? "" : `, and with it ${alsoRevoked.join(" and ")} (one membership in Fivetran, removed whole)`

/** A revoke that removed nothing: not "already revoked" while a team still gives the access (a skimmed line read as gone). */
const nothingRevokedLead = (outcome: RevokeOutcome) =>
  outcome.stillHeldThrough.length > 0 ? "nothing to revoke directly" : "already revoked"

const revokeLine = (grantId: string, outcome: RevokeOutcome) =>
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
    ? ", but it is disabled in Fivetran: it cannot sign in until it is enabled there (Fivetran's API cannot enable a user)"
    : ""

const createLine = (email: string, outcome: CreateAccountOutcome) => {
  const user = `${resourceRefOf(outcome.resource.id)} (${accountEmail(email, outcome)})`
  return outcome._tag === "Created" ? `created ${user}` : `already exists: ${user}${disabledNote(outcome)}`
}

const deleteLine = (resourceType: string, id: string, outcome: DeleteOutcome) =>
  outcome._tag === "Deleted" ? `deleted ${resourceType}:${id}` : `does not exist: ${echoed(`${resourceType}:${id}`)} (nothing to delete)`

const outcomeLine = (action: ProvisioningAction) =>
  Effect.flatMap(Provisioner, (provisioner) =>
    ProvisioningAction.$match(action, {
      Grant: ({ entitlementId, principal }) =>
        Effect.map(provisioner.grant(entitlementId, principal), (outcome) => grantLine(entitlementId, principal, outcome)),
      Revoke: ({ grantId }) => Effect.map(provisioner.revoke(grantId), (outcome) => revokeLine(grantId, outcome)),
      CreateAccount: ({ request }) => Effect.map(provisioner.createAccount(request), (outcome) => createLine(request.email, outcome)),
      DeleteResource: ({ id, resourceType }) =>
        Effect.map(provisioner.deleteResource(resourceType, id), (outcome) => deleteLine(resourceType, id, outcome))
    }))

/** What an action changes, for the line that says it was cut short. */
const changeOf = ProvisioningAction.$match({
  Grant: () => "the grant",
  Revoke: () => "the revoke",
  CreateAccount: () => "the new account",
  DeleteResource: () => "the deletion"
})

export const runProvisioning = ({ action, origin }: RequestedAction, settings: Settings) =>
  settings.provisioning
    ? outcomeLine(action).pipe(
      Effect.flatMap((line) => Console.log(shownText(line))),
      // Stopped mid-way, the change may have reached Fivetran or not; each action is idempotent.
      Effect.onInterrupt(() => {
        const text = `interrupted: ${changeOf(action)} may or may not have been made in Fivetran; ` +
          "run the same command again to finish it (a change already made is reported as already done)"
        return notice(LogLevel.Warning, text, { msg: text, fields: { exit_code: 130 } })
      }),
      Effect.provide(Provisioner.layer({
        enabled: true,
        syncConnections: settings.syncConnections,
        concurrency: settings.concurrency
      })),
      Effect.provide(fivetranClientLayer(settings)),
      withTelemetry
    )
    // baton enables provisioning only with -p: refused before any setting is required or Fivetran contacted.
    : Effect.fail(
      new ProvisioningDisabled({
        message: `provisioning is disabled: add -p/--provisioning to run ${actionName(action)}` +
          Option.match(origin, { onNone: () => "", onSome: (sources) => ` (asked for by ${sources})` })
      })
    )
