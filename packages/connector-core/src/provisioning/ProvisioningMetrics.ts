import { Effect, Metric, MetricLabel } from "effect"
import type { ProvisioningError } from "./ProvisioningError.js"

/**
 * Provisioning outcomes, process-wide: `action` (`grant`, `revoke`, `create_account`,
 * `delete_resource`) and `outcome`, the result (`granted`, `already_exists`, `revoked`, ...) or the
 * refusal's tag (`unknown_entitlement`, `upstream`, ...), in snake case.
 */
export const provisioningActions = Metric.counter("baton_provisioning_actions_total", {
  description: "Provisioning actions, by action and outcome (result or refusal)",
  incremental: true
})

export const ProvisioningActions = ["grant", "revoke", "create_account", "delete_resource"] as const
export type ProvisioningAction = typeof ProvisioningActions[number]

/** An outcome's or refusal's tag as the metric's label and the audit line name it: `AlreadyRevoked` -> `already_revoked`. */
export const outcomeLabel = (tag: string) => tag.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase()

/**
 * The refusals docs/deploy.md alerts on: the key lost a permission, Fivetran's rate limit turned
 * the request away, Fivetran rejected the key, or Fivetran failed the call.
 */
const alertedRefusals: ReadonlyArray<ProvisioningError["_tag"]> = ["MissingPermission", "RateLimited", "KeyRejected", "Upstream"]

/**
 * Each action's alerted refusals at 0 from the start (16 series), so that `increase(...) > 0`
 * sees the first one: a series that appears at 1 is no increase to Prometheus.
 */
export const registerProvisioningSeries: Effect.Effect<void> = Effect.forEach(
  ProvisioningActions.flatMap((action) => alertedRefusals.map((refusal) => [action, outcomeLabel(refusal)] as const)),
  ([action, outcome]) =>
    Metric.value(Metric.taggedWithLabels(provisioningActions, [
      MetricLabel.make("action", action),
      MetricLabel.make("outcome", outcome)
    ])),
  { discard: true }
)

const record = (action: ProvisioningAction, outcome: string) =>
  Effect.zipRight(
    Metric.increment(Metric.taggedWithLabels(provisioningActions, [
      MetricLabel.make("action", action),
      MetricLabel.make("outcome", outcome)
    ])),
    Effect.annotateCurrentSpan("provisioning.outcome", outcome)
  )

/** Counts the action's outcome and names it on the current span (the action's own). */
export const meteredAction = (action: ProvisioningAction) =>
<A extends { readonly _tag: string }, R>(
  effect: Effect.Effect<A, ProvisioningError, R>
): Effect.Effect<A, ProvisioningError, R> =>
  effect.pipe(
    Effect.tap((outcome) => record(action, outcomeLabel(outcome._tag))),
    Effect.tapError((error) => record(action, outcomeLabel(error._tag)))
  )
