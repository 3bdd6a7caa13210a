import { withConsoleText } from "@baton-fivetran/fivetran-client/console-text"
import { echoed, type FivetranClientShape } from "@baton-fivetran/fivetran-client"
import { Effect, Either, Option } from "effect"
import { grantId, teamMemberEntitlementId } from "../model/Ids.js"
import { teamResourceId } from "../resources/Team.js"
import { grantableModule, type ResourceTypeModule } from "../registry/ResourceTypeModule.js"
import type { Access } from "./Access.js"
import { createAccount, deleteResource } from "./Accounts.js"
import { decideAgainOnce } from "./ChangedMeanwhile.js"
import { madeWhen, settledByReading } from "./FateUnknown.js"
import { confirmAbsent } from "./ConfirmAbsent.js"
import type { ResolveError } from "./ContainerAbsent.js"
import type { GrantOutcome, PrincipalRef, ProvisionerShape, RevokeOutcome } from "./ProvisionerShape.js"
import { auditedCreateAccount, auditedDeleteResource, auditedGrant, auditedRevoke } from "./ProvisioningAudit.js"
import { meteredAction } from "./ProvisioningMetrics.js"
import {
  InvalidId,
  ProvisioningDisabled,
  ProvisioningDisabledReason,
  type ProvisioningError,
  UnknownEntitlement
} from "./ProvisioningError.js"
import type { GrantTarget, Principal } from "./GrantTarget.js"
import { grantIdAsEntitlement, grantRequest, grantTarget } from "./ProvisioningTarget.js"
import { meantGrantId, samePrincipalOfOtherType, wrongPrincipalType } from "./OtherPrincipalType.js"
import { entitlementOfOtherKind } from "./OtherKindOfId.js"
import { loadRoleCatalog } from "./RoleChecks.js"
import { makeSlotTurns } from "./SlotTurns.js"
import type { RoleCatalog } from "../resources/RoleCatalog.js"

const disabled = Effect.fail(new ProvisioningDisabled({ message: ProvisioningDisabledReason }))

/** Every operation refused before anything is contacted. */
export const disabledProvisioner: ProvisionerShape = {
  grant: () => disabled,
  revoke: () => disabled,
  createAccount: () => disabled,
  deleteResource: () => disabled
}

const wants = (access: Access, role: string): boolean => access.wanted._tag === "AnyRole" || access.wanted.role === role

/** The team's own grant of the target's entitlement. */
const teamGrantIds = (target: GrantTarget, teamIds: ReadonlyArray<string>) =>
  teamIds.map((teamId) => grantId(target.entitlement.id, teamResourceId(teamId)))

const principalId = (target: GrantTarget) => ({ resourceType: target.principal.type, resource: target.principal.id })

/** What a revoke of one role leaves when the principal holds another there: that entitlement, and how to end it. */
const heldInsteadNote = (target: GrantTarget, entitlementId: string): string =>
  `${target.principal.type}:${target.principal.id} holds ${entitlementId} there instead, which this revoke leaves in place: ` +
  `revoke ${grantId(entitlementId, principalId(target))} to end it`

/** Why a user who holds nothing directly still has the access: the teams it holds it through. */
const heldOnlyThrough = (target: GrantTarget, teamIds: ReadonlyArray<string>): string => {
  const memberships = teamIds.map((teamId) => grantId(teamMemberEntitlementId(teamId), principalId(target)))
  return `held only through team membership (${memberships.join(", ")}): revoke ${
    teamGrantIds(target, teamIds).join(" and ")
  }, or remove the user from the team, to end the access`
}

/**
 * docs/architecture.md §3 over the client. Each operation checks its input, reads the slot it
 * would change (found by the entitlement type's module) and writes only when the read says so: a
 * repeat makes no write. A write that meets another writer's change is decided again from fresh
 * reads (ChangedMeanwhile.ts), so a race with a concurrent grant or revoke ends as a repeat would;
 * one Fivetran may have made before failing is read back (FateUnknown.ts) and reported as found.
 * Grants and revokes of the same slot take turns (SlotTurns.ts).
 */
export const makeProvisioner = (
  client: FivetranClientShape,
  registry: ReadonlyArray<ResourceTypeModule>,
  options: { readonly syncConnections: boolean; readonly teamScanConcurrency: number }
): ProvisionerShape => {
  const inTurn = makeSlotTurns()
  /**
   * The account's roles, read once per operation: the module reads them together with the
   * entitlement's resource, the principal and the slot (readTogether), and a second decision or a
   * read-back (FateUnknown.ts) reuses them, as no grant or revoke changes them.
   */
  const rolesOnce = (action: string): Effect.Effect<Effect.Effect<RoleCatalog, ProvisioningError>> =>
    Effect.cached(loadRoleCatalog(client, action))

  const access = (
    target: GrantTarget,
    action: string,
    catalog: Effect.Effect<RoleCatalog, ProvisioningError>,
    operation: "grant" | "revoke"
  ): Effect.Effect<Access, ResolveError> =>
    Option.match(grantableModule(registry, target.entitlement.resourceType), {
      // grantRequest and grantTarget only let registered types with grants through.
      onNone: () => Effect.dieMessage(`no grants for resource type ${target.entitlement.resourceType}`),
      onSome: (module) => module.grants.resolve({ client, catalog, action, revoking: operation === "revoke", ...options }, target)
    })

  /** Who the target's entitlement can go to (grantRequest and grantTarget only let such types through). */
  const grantableTo = (target: GrantTarget) =>
    Option.match(grantableModule(registry, target.entitlement.resourceType), {
      onNone: () => [],
      onSome: (module) => module.grants.grantableTo
    })

  /** The principal of the other type with the target's id, once the target's was not found (OtherPrincipalType.ts). */
  const otherTypeOf = (target: GrantTarget, action: string) =>
    samePrincipalOfOtherType(client, target.principal, grantableTo(target), action)

  /** A refused grant whose entitlement id is a grant id is refused as that (ProvisioningTarget.ts's grantIdAsEntitlement). */
  const pastedGrantId = (entitlementId: string) => <E extends ProvisioningError>(refusal: E) =>
    Effect.flatMap(
      grantIdAsEntitlement(registry, entitlementId),
      Option.match({ onNone: (): Effect.Effect<never, E | InvalidId> => Effect.fail(refusal), onSome: Effect.fail })
    )

  /** The slot's role read afresh, after a write whose fate is unknown; its resource or principal gone reads as none. */
  const currentRole = (
    target: GrantTarget,
    action: string,
    catalog: Effect.Effect<RoleCatalog, ProvisioningError>,
    operation: "grant" | "revoke"
  ): Effect.Effect<Option.Option<string>, ProvisioningError> =>
    Effect.flatMap(access(target, action, catalog, operation), (fresh) => fresh.slot.current).pipe(
      Effect.catchTags({ ContainerAbsent: () => Effect.succeedNone, UnknownPrincipal: () => Effect.succeedNone })
    )

  /** Reads the slot and writes only what it lacks (docs/architecture.md §3). */
  const grantHeld = (target: GrantTarget, action: string, catalog: Effect.Effect<RoleCatalog, ProvisioningError>) =>
    Effect.gen(function*() {
      const resolved = yield* access(target, action, catalog, "grant").pipe(
        // Refused either way; a lookup that fails leaves the absence as it was found.
        Effect.catchTag("ContainerAbsent", (absent) =>
          Effect.flatMap(
            Effect.orElseSucceed(
              entitlementOfOtherKind(client, target, action, absent.message, "grant"),
              () => Option.none<UnknownEntitlement>()
            ),
            Option.match({
              onNone: () => Effect.fail(new UnknownEntitlement({ message: absent.message })),
              onSome: Effect.fail
            })
          ))
      )
      const current = yield* resolved.slot.current
      if (Option.isSome(current) && wants(resolved, current.value)) {
        return {
          _tag: "AlreadyExists",
          grants: resolved.held(current.value),
          principalDisabled: resolved.principalDisabled,
          deprecatedRole: resolved.deprecated
        } satisfies GrantOutcome
      }
      const role = resolved.wanted._tag === "Role" ? resolved.wanted.role : resolved.wanted.addAs
      // A container holds one role per member: another role is changed in place, which replaces its grant.
      yield* (Option.isSome(current) ? resolved.slot.change(role) : resolved.slot.add(role)).pipe(
        Effect.catchTag("FateUnknown", (unknown) =>
          settledByReading(
            unknown,
            Effect.map(
              currentRole(target, action, catalog, "grant"),
              (now) => madeWhen(Option.exists(now, (held) => wants(resolved, held)))
            )
          ))
      )
      yield* Effect.logDebug("provisioning action done").pipe(
        Effect.annotateLogs({ action }),
        withConsoleText(`provisioning: ${action}`, ["action"])
      )
      return {
        _tag: "Granted",
        grants: resolved.held(role),
        replacedRole: Option.getOrUndefined(current),
        principalDisabled: resolved.principalDisabled,
        deprecatedRole: resolved.deprecated
      } satisfies GrantOutcome
    })

  const grant = Effect.fn("Provisioner.grant")(
    function*(entitlementId: string, principal: PrincipalRef) {
      const target = yield* grantRequest(registry, entitlementId, principal)
      const action = `grant ${echoed(target.entitlement.id)} to ${echoed(`${target.principal.type}:${target.principal.id}`)}`
      // Added by someone else meanwhile: already exists, or a role to change; removed meanwhile: added.
      return yield* decideAgainOnce(grantHeld(target, action, yield* rolesOnce(action))).pipe(
        inTurn(target),
        // A lookup that fails leaves the absence as it was found: the grant is refused either way.
        Effect.catchTag("UnknownPrincipal", (absent) =>
          Effect.flatMap(
            Effect.orElseSucceed(otherTypeOf(target, action), () => Option.none<Principal>()),
            Option.match({
              onNone: () => Effect.fail(absent),
              onSome: (meant) =>
                Effect.fail(
                  wrongPrincipalType(
                    target.principal,
                    meant,
                    `grant ${echoed(target.entitlement.id)} to ${meant.type}:${echoed(meant.id)} instead`
                  )
                )
            })
          )),
        Effect.catchTags({ UnknownRole: pastedGrantId(entitlementId), UnknownEntitlement: pastedGrantId(entitlementId) })
      )
    },
    meteredAction("grant"),
    auditedGrant
  )

  const revokeHeld = (target: GrantTarget, action: string, catalog: Effect.Effect<RoleCatalog, ProvisioningError>) =>
    Effect.gen(function*() {
      const resolved = yield* access(target, action, catalog, "revoke")
      const current = yield* resolved.slot.current
      if (Option.isSome(current) && wants(resolved, current.value)) {
        // The team scan costs a request per page of teams and up to two per team; without it a
        // user who keeps the access through a team would be reported as having lost it. It reads
        // only the teams' side, which the removal leaves as it is, so both run at once.
        const removed = Effect.catchTag(resolved.slot.remove, "FateUnknown", (unknown) =>
          settledByReading(
            unknown,
            Effect.map(currentRole(target, action, catalog, "revoke"), (now) => madeWhen(!Option.contains(now, current.value)))
          ))
        const [, scan] = yield* Effect.all([removed, Effect.either(resolved.inheritedFrom)], {
          concurrency: "unbounded"
        })
        yield* Effect.logDebug("provisioning action done").pipe(
          Effect.annotateLogs({ action }),
          withConsoleText(`provisioning: ${action}`, ["action"])
        )
        const teams = yield* Either.match(scan, {
          onLeft: (error) =>
            Effect.as(
              Effect.logWarning("revoked, but could not check whether a team still gives the access").pipe(
                Effect.annotateLogs({ provisioning: action, error: error.message }),
                withConsoleText(`${action}: revoked, but could not check whether a team still gives it: ${error.message}`, [
                  "provisioning",
                  "error"
                ])
              ),
              []
            ),
          onRight: Effect.succeed
        })
        // The removal ends every grant of that membership (a team role with the team membership).
        const alsoRevoked = resolved.held(current.value).map((grant) => grant.id).filter((id) => id !== target.id)
        return { _tag: "Revoked", stillHeldThrough: teamGrantIds(target, teams), alsoRevoked } satisfies RevokeOutcome
      }
      // Nothing held directly: already revoked (a repeat of a revoke that left team access lands
      // here too, so a retry is safe), naming the team grants through which the access remains.
      const teams = yield* resolved.inheritedFrom
      // Another role held there (changed since the sync) is left alone, but said: "already revoked"
      // alone read as "no access here" while the user may hold more than the role named.
      const instead = Option.map(current, resolved.entitlementIdFor)
      const details = [
        ...Option.toArray(Option.map(instead, (id) => heldInsteadNote(target, id))),
        ...(teams.length === 0 ? [] : [heldOnlyThrough(target, teams)])
      ]
      return {
        _tag: "AlreadyRevoked",
        detail: details.length === 0 ? undefined : details.join("; "),
        stillHeldThrough: teamGrantIds(target, teams),
        ...Option.match(instead, { onNone: () => ({}), onSome: (id) => ({ heldInstead: grantId(id, principalId(target)) }) })
      } satisfies RevokeOutcome
    })

  const revoke = Effect.fn("Provisioner.revoke")(
    function*(grantId: string) {
      const target = yield* grantTarget(registry, grantId)
      const action = `revoke ${echoed(target.id)}`
      const gone = (what: string) => (absent: { readonly message: string }) =>
        confirmAbsent<RevokeOutcome>(client, action, what, { _tag: "AlreadyRevoked", detail: absent.message, stillHeldThrough: [] })
      // Removed meanwhile (the membership, or what it belongs to): the second decision finds it gone.
      return yield* decideAgainOnce(revokeHeld(target, action, yield* rolesOnce(action))).pipe(
        inTurn(target),
        // An offboarded user (or a deleted team, group or connection) holds nothing: a review campaign
        // revoking its grants is done, once Fivetran's API root answers (ConfirmAbsent.ts).
        Effect.catchTags({
          // Only when no principal of the other type has the id: else the grant id named the wrong
          // type, and "already revoked" would leave that principal's access in place unsaid.
          UnknownPrincipal: (absent) =>
            Effect.flatMap(
              otherTypeOf(target, action),
              Option.match({
                onNone: () => gone(`${target.principal.type} ${echoed(target.principal.id)}`)(absent),
                onSome: (meant) =>
                  Effect.fail(
                    wrongPrincipalType(
                      target.principal,
                      meant,
                      `nothing was revoked; to end the ${meant.type}'s access, revoke ${echoed(meantGrantId(target, meant))}`
                    )
                  )
              })
            ),
          // Likewise only when no user, team, group or connection has the id: else the id named the wrong kind.
          ContainerAbsent: (absent) =>
            Effect.flatMap(
              entitlementOfOtherKind(client, target, action, absent.message, "revoke"),
              Option.match({
                onNone: () => gone(`${target.entitlement.resourceType} ${echoed(target.entitlement.resourceId)}`)(absent),
                onSome: Effect.fail
              })
            )
        })
      )
    },
    meteredAction("revoke"),
    auditedRevoke
  )

  return {
    grant,
    revoke,
    createAccount: Effect.fn("Provisioner.createAccount")(
      (request) => createAccount(client, request),
      meteredAction("create_account"),
      auditedCreateAccount
    ),
    deleteResource: Effect.fn("Provisioner.deleteResource")(
      (resourceType, id) =>
        // A type the connector does not have (`User`, `robot`) is a mistake in the request (400), as the CLI
        // already refused it: it was Unsupported (422), "only user resources can be deleted".
        registry.some((module) => module.type.id === resourceType)
          ? deleteResource(client, resourceType, id)
          : Effect.fail(
            new InvalidId({
              message: `${JSON.stringify(echoed(resourceType))} is not a resource type of this connector; the types are ${
                registry.map((module) => module.type.id).join(", ")
              } (in lower case), and only users can be deleted`
            })
          ),
      meteredAction("delete_resource"),
      auditedDeleteResource
    )
  }
}
