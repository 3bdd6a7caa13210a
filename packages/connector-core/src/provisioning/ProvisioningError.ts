import type { FivetranError } from "@baton-fivetran/fivetran-client"
import { Data } from "effect"

/** Why a provisioning request was refused or failed; `message` tells the user what to do. */
export type ProvisioningErrorKind =
  | "ProvisioningDisabled"
  | "InvalidId"
  | "UnknownEntitlement"
  | "UnknownPrincipal"
  | "UnknownRole"
  | "WrongScope"
  | "NotGrantable"
  | "InheritedGrant"
  | "InvalidInput"
  | "MissingPermission"
  | "NotFound"
  | "Unsupported"
  | "Upstream"

export class ProvisioningError extends Data.TaggedError("ProvisioningError")<{
  readonly kind: ProvisioningErrorKind
  readonly reason: string
  readonly cause?: unknown
}> {
  override get message() {
    return this.reason
  }
}

export const refused = (kind: ProvisioningErrorKind, reason: string): ProvisioningError =>
  new ProvisioningError({ kind, reason })

export const ProvisioningDisabledReason =
  "provisioning is disabled; run with -p/--provisioning (HTTP service: --provisioning) to enable it"

/**
 * A client failure during `action` (e.g. "grant group:G:View Destination to user:U"): a 403 names
 * the key permission to add, anything else carries the client's message (which holds no secrets).
 */
export const upstreamFailure = (action: string) => (error: FivetranError): ProvisioningError => {
  switch (error._tag) {
    case "Forbidden":
      return new ProvisioningError({ kind: "MissingPermission", reason: `cannot ${action}: ${error.message}`, cause: error })
    case "NotFound":
      return new ProvisioningError({ kind: "NotFound", reason: `cannot ${action}: ${error.message}`, cause: error })
    default:
      return new ProvisioningError({ kind: "Upstream", reason: `cannot ${action}: ${error.message}`, cause: error })
  }
}
