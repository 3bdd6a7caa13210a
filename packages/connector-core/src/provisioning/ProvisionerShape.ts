import type { Effect } from "effect"
import type { Grant, Resource } from "../model/Baton.js"
import type { DeprecatedRole } from "../resources/RoleCatalog.js"
import type { ProvisioningError } from "./ProvisioningError.js"

export interface PrincipalRef {
  /** `user` or `team`. */
  readonly type: string
  readonly id: string
}

export interface AccountRequest {
  readonly email: string
  readonly given_name: string
  readonly family_name: string
  readonly role?: string
  readonly phone?: string
}

export type GrantOutcome =
  | {
    readonly _tag: "Granted"
    readonly grants: ReadonlyArray<Grant>
    /** The role the principal held in that container before: one role per member, so the grant replaced it. */
    readonly replacedRole: string | undefined
    /** The principal is a user disabled in Fivetran: it cannot use the access until it is enabled there. */
    readonly principalDisabled: boolean
    /** The role granted, when Fivetran has deprecated it: least privilege asks for its replacement. */
    readonly deprecatedRole: DeprecatedRole | undefined
  }
  | {
    readonly _tag: "AlreadyExists"
    readonly grants: ReadonlyArray<Grant>
    readonly principalDisabled: boolean
    readonly deprecatedRole: DeprecatedRole | undefined
  }

export type RevokeOutcome =
  | {
    readonly _tag: "Revoked"
    /**
     * The team grants (ids) through which the user still holds the entitlement: the direct
     * membership is gone, the access is not, and the next sync still lists the grant.
     */
    readonly stillHeldThrough: ReadonlyArray<string>
    /**
     * Other grants (ids) the same removal ended: a team membership and its team role are one
     * membership in Fivetran, so revoking `team:T:Team Manager` also ends `team:T:member`, and
     * revoking `team:T:member` ends the member's team role. The next sync lists none of them.
     */
    readonly alsoRevoked: ReadonlyArray<string>
  }
  | {
    readonly _tag: "AlreadyRevoked"
    /**
     * Why nothing was held directly, when there is more to say: the principal or the entitlement's
     * group, team or connection is gone (`user U does not exist`, `group G does not exist`), or the
     * user holds it only through teams (what to revoke instead).
     */
    readonly detail: string | undefined
    /** As for Revoked: the team grants through which the user still holds the entitlement. */
    readonly stillHeldThrough: ReadonlyArray<string>
    /**
     * The grant (id) the principal holds in that container instead, with another role (changed
     * since the sync): left in place, as the revoke named another role. Absent when it holds none.
     */
    readonly heldInstead?: string
  }

export type CreateAccountOutcome =
  | { readonly _tag: "Created"; readonly resource: Resource }
  | { readonly _tag: "AlreadyExists"; readonly resource: Resource }

export type DeleteOutcome = { readonly _tag: "Deleted" } | { readonly _tag: "DoesNotExist" }

/** docs/architecture.md §3: every operation reads first and writes only what is needed, so repeats are safe. */
export interface ProvisionerShape {
  readonly grant: (entitlementId: string, principal: PrincipalRef) => Effect.Effect<GrantOutcome, ProvisioningError>
  readonly revoke: (grantId: string) => Effect.Effect<RevokeOutcome, ProvisioningError>
  readonly createAccount: (request: AccountRequest) => Effect.Effect<CreateAccountOutcome, ProvisioningError>
  readonly deleteResource: (resourceType: string, id: string) => Effect.Effect<DeleteOutcome, ProvisioningError>
}
