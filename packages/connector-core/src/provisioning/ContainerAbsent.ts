import { Data } from "effect"
import type { ProvisioningError } from "./ProvisioningError.js"

/**
 * The group, team or connection an entitlement is of does not exist: Fivetran answered 404 for it,
 * or does not list it. Not a refusal itself, because what it means depends on the action: a grant
 * has nothing to grant into (UnknownEntitlement), a revoke has nothing left to revoke (already
 * revoked). A malformed entitlement or a wrong role is a refusal for both, so it is never this.
 */
export class ContainerAbsent extends Data.TaggedError("ContainerAbsent")<{ readonly message: string }> {}

/** What finding an entitlement's access slot can fail with (ResourceTypeModule's `resolve`). */
export type ResolveError = ProvisioningError | ContainerAbsent
