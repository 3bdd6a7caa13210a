import { Schema } from "effect"

/**
 * Why a sync skipped part of the account, or wrote part of it as it could, and still succeeded: the
 * `kind` label of `baton_sync_warnings_total`, a fixed set so that the label stays bounded.
 * - `missing_permission`: the key may not read an optional part (connections without CONNECTOR:READ)
 * - `unknown_role`: memberships name a role GET /v1/roles does not list in that scope (their grants
 *   are written, under an entitlement marked as unlisted)
 * - `unlisted_resource`: memberships name a group or connection its list does not hold, rows
 *   name a parent or principal the sync did not list (the sink leaves those rows out), or a listed
 *   user, team or group was deleted before its own lists were read (it is left out)
 * - `reserved_role_name`: a custom TEAM role named `member`, whose id the membership keeps
 * - `unknown_value`: Fivetran sent a value it added since this connector was written (a role scope,
 *   a user type), or none where one belongs (a role without a scope): what is known is synced as
 *   before, the rest as UnknownValues.ts says
 */
export const SyncWarningKinds = [
  "missing_permission",
  "unknown_role",
  "unlisted_resource",
  "reserved_role_name",
  "unknown_value"
] as const
export type SyncWarningKind = typeof SyncWarningKinds[number]

/** One warning of a sync: its kind, and the sentence the summary lists and the log says. */
export interface SyncWarning {
  readonly kind: SyncWarningKind
  readonly message: string
  /**
   * Raised once per grant, role or user it concerns (a membership naming an unknown role, a role of
   * an unknown scope), so the summary counts them.
   */
  readonly counts?: "grant" | "role" | "user"
}

/** A warning with the number of times the sync raised it. */
export interface RaisedWarning extends SyncWarning {
  readonly times: number
}

/**
 * A warning as data, beside the summary's sentence: a scheduler or a reviewer's automation tells
 * the kinds apart without parsing English. `message` is the sentence without the count that
 * `summaryText` appends; `count` is the times the sync raised it (for one raised per grant, role
 * or user, the number that sentence ends with).
 */
export const SyncWarningDetail = Schema.Struct({
  kind: Schema.Literal(...SyncWarningKinds),
  message: Schema.String,
  count: Schema.Number
})
export type SyncWarningDetail = typeof SyncWarningDetail.Type

export const warningDetail = ({ kind, message, times }: RaisedWarning): SyncWarningDetail => ({ kind, message, count: times })

/**
 * The summary's sentence for a warning; one raised per grant (role, user) says how many it concerns
 * ("those grants" alone left a reviewer unable to judge the gap).
 */
export const summaryText = ({ counts, message, times }: RaisedWarning): string =>
  counts === undefined ? message : `${message} (${times} ${counts}${times === 1 ? "" : "s"})`
