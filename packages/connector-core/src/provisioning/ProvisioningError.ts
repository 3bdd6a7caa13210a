import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import { Schema } from "effect"

/**
 * Why a provisioning request was refused or failed: one class per reason, so that callers tell
 * them apart with `catchTag`. `message` says what to do. Each class carries the HTTP status the
 * service answers with, as @effect/platform's annotation: apps/http declares these classes as its
 * provisioning errors, and the CLI maps them to exit codes by tag.
 */

const refusal = { message: Schema.String }
const status = <A>(code: number) => HttpApiSchema.annotations<A>({ status: code })

/** Provisioning is switched off: baton enables it only when asked (-p/--provisioning). */
export class ProvisioningDisabled extends Schema.TaggedError<ProvisioningDisabled>()("ProvisioningDisabled", refusal, status(403)) {}

/** An entitlement or grant id without the shape of the id contract, or a user or team id no Fivetran object can have. */
export class InvalidId extends Schema.TaggedError<InvalidId>()("InvalidId", refusal, status(400)) {}

/** A request field that cannot be used as given (an email, an empty name). */
export class InvalidInput extends Schema.TaggedError<InvalidInput>()("InvalidInput", refusal, status(400)) {}

/** The entitlement's resource (role, group, team, connection) does not exist. */
export class UnknownEntitlement extends Schema.TaggedError<UnknownEntitlement>()("UnknownEntitlement", refusal, status(404)) {}

/** The user or team to grant to does not exist. */
export class UnknownPrincipal extends Schema.TaggedError<UnknownPrincipal>()("UnknownPrincipal", refusal, status(404)) {}

/** Fivetran answered 404 while the request was carried out. */
export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", refusal, status(404)) {}

/** No role of the account has that name. */
export class UnknownRole extends Schema.TaggedError<UnknownRole>()("UnknownRole", refusal, status(422)) {}

/** The role exists, but for another scope than the entitlement needs. */
export class WrongScope extends Schema.TaggedError<WrongScope>()("WrongScope", refusal, status(422)) {}

/** The entitlement cannot go to that kind of principal (teams do not nest). */
export class NotGrantable extends Schema.TaggedError<NotGrantable>()("NotGrantable", refusal, status(422)) {}

/** A resource type or operation this connector does not provision. */
export class Unsupported extends Schema.TaggedError<Unsupported>()("Unsupported", refusal, status(422)) {}

/** Fivetran refused the change as against the account's current state (409), e.g. demoting its last Account Administrator. */
export class Conflict extends Schema.TaggedError<Conflict>()("Conflict", refusal, status(409)) {}

/** The Fivetran key lacks a permission the request needs. */
export class MissingPermission extends Schema.TaggedError<MissingPermission>()("MissingPermission", refusal, status(403)) {}

/**
 * Fivetran's rate limit stopped the request: a wait longer than the caller may make (the HTTP
 * service's --max-provisioning-wait, or max-rate-limit-wait), or a 429 on every attempt. The
 * request may be sent again as it is; `retry_after_seconds` is when, where known.
 */
export class RateLimited extends Schema.TaggedError<RateLimited>()("RateLimited", {
  message: Schema.String,
  retry_after_seconds: Schema.optional(Schema.Int)
}, status(429)) {}

/**
 * Fivetran rejected the service's own key or secret (its 401): revoked, rotated, or a wrong secret.
 * No retry mends it; the key's owner must. 502, as for Upstream: the service's call to Fivetran
 * failed, and 500 means a bug in the service.
 */
export class KeyRejected extends Schema.TaggedError<KeyRejected>()("KeyRejected", refusal, status(502)) {}

/** Fivetran failed while the request was carried out. */
export class Upstream extends Schema.TaggedError<Upstream>()("Upstream", refusal, status(502)) {}

/** Every refusal, in the order of the README's status table. */
export const ProvisioningErrors = [
  InvalidId,
  InvalidInput,
  ProvisioningDisabled,
  MissingPermission,
  UnknownEntitlement,
  UnknownPrincipal,
  NotFound,
  Conflict,
  UnknownRole,
  WrongScope,
  NotGrantable,
  Unsupported,
  RateLimited,
  KeyRejected,
  Upstream
] as const

export const ProvisioningError = Schema.Union(...ProvisioningErrors)
export type ProvisioningError = typeof ProvisioningError.Type

export const ProvisioningDisabledReason = "provisioning is disabled; run with -p/--provisioning (HTTP service: --provisioning) to enable it"
