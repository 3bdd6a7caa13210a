import {
  createAccountOutcomeText,
  deleteOutcomeText,
  grantOutcomeText,
  Provisioner,
  ProvisioningDisabled,
  revokeOutcomeText,
  sayingWhetherChanged,
  withSentWrites
} from "@baton-fivetran/connector-core"
import { shownText } from "@baton-fivetran/fivetran-client/shown-text"
import { Console, Effect, LogLevel, Option } from "effect"
import { fivetranClientLayer } from "../FivetranTarget.js"
import { interruptionNotice } from "../output/InterruptionNotice.js"
import type { Settings } from "../settings/Settings.js"
import { withTelemetry } from "../Telemetry.js"
import { actionName, ProvisioningAction, type RequestedAction } from "./ActionFlags.js"

/**
 * Runs one provisioning action and prints its outcome on stdout; idempotent no-ops say so and succeed.
 * A grant's, revoke's, invitation's or deletion's line is the HTTP service's `message` for it (connector-core's OutcomeText.ts).
 * The line quotes Fivetran's text (the role a grant replaced: another admin names custom roles), so
 * it is shown, not acted on (shownText), as the tables and the `error:` line are.
 */

const outcomeLine = (action: ProvisioningAction) =>
  Effect.flatMap(Provisioner, (provisioner) =>
    ProvisioningAction.$match(action, {
      Grant: ({ entitlementId, principal }) =>
        Effect.map(provisioner.grant(entitlementId, principal), (outcome) => grantOutcomeText(entitlementId, principal, outcome)),
      Revoke: ({ grantId }) => Effect.map(provisioner.revoke(grantId), (outcome) => revokeOutcomeText(grantId, outcome)),
      CreateAccount: ({ request }) =>
        Effect.map(provisioner.createAccount(request), (outcome) => createAccountOutcomeText(request.email, outcome)),
      DeleteResource: ({ id, resourceType }) =>
        Effect.map(provisioner.deleteResource(resourceType, id), (outcome) => deleteOutcomeText(resourceType, id, outcome))
    }))

/** What an action changes, for the line that says it was cut short. */
const changeOf = ProvisioningAction.$match({
  Grant: () => "the grant",
  Revoke: () => "the revoke",
  CreateAccount: () => "the new account",
  DeleteResource: () => "the deletion"
})

/** An action as the `provisioning action` audit line's `action` names it. */
const auditActionOf = ProvisioningAction.$match({
  Grant: () => "grant",
  Revoke: () => "revoke",
  CreateAccount: () => "create_account",
  DeleteResource: () => "delete_resource"
})

/**
 * Stopped mid-way: a write sent whose answer was not read (or one Fivetran may have acted on) may
 * have changed Fivetran or not; with none, nothing changed (the action stopped while it read, or
 * waited out a 429 before sending its write or after Fivetran turned it away). Each action is
 * idempotent, so a repeat is safe either way.
 */
const interruptedText = (action: ProvisioningAction, mayHaveActed: boolean) =>
  mayHaveActed
    ? `interrupted: ${changeOf(action)} may or may not have been made in Fivetran; ` +
      "run the same command again to finish it (a change already made is reported as already done)"
    : `interrupted: ${changeOf(action)} was not made: nothing was changed in Fivetran (no write reached it, ` +
      "or Fivetran turned it away); running the same command again is safe"

export const runProvisioning = ({ action, origin }: RequestedAction, settings: Settings) =>
  settings.provisioning
    ? withSentWrites((sent) =>
      outcomeLine(action).pipe(
        sayingWhetherChanged(sent, "running the same command again is safe"),
        Effect.flatMap((line) => Console.log(shownText(line))),
        Effect.onInterrupt(() =>
          Effect.flatMap(sent.mayHaveActed, (mayHaveActed) => {
            // A JSON line's msg is one of two, whatever the action, which is a field.
            const msg = mayHaveActed
              ? "interrupted: the change may or may not have been made in Fivetran; run the same command again to finish it"
              : "interrupted: the change was not made: nothing was changed in Fivetran; running the same command again is safe"
            return interruptionNotice(LogLevel.Warning, interruptedText(action, mayHaveActed), {
              msg,
              fields: { action: auditActionOf(action), exit_code: 130 }
            })
          })
        )
      )
    ).pipe(
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
