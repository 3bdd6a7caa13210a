import { echoed, type FivetranClientShape, type FivetranError } from "@baton-fivetran/fivetran-client"
import { Effect, Option, Stream } from "effect"
import { grantId } from "../model/Ids.js"
import { TeamMemberSlug } from "../resources/Team.js"
import type { GrantTarget, Principal } from "./GrantTarget.js"
import { type ProvisioningError, UnknownEntitlement } from "./ProvisioningError.js"
import { upstreamFailure } from "./UpstreamFailure.js"

/**
 * An id of another kind where a group's, team's or connection's belongs (`group:<user id>:...`, a
 * grant id with its two ids swapped, or `group:<connection id>:...`): the entitlement's resource
 * reads as absent, and a revoke said "already revoked" (exit 0, 200) while the access the caller
 * meant stayed. Asked only once the resource was not found: users, teams and groups by id, a
 * connection by listing them (Fivetran's API has no lookup the client makes; a page per thousand
 * connections), all at once.
 */

type Kind = "user" | "team" | "group" | "connection"

const kinds: ReadonlyArray<Kind> = ["user", "team", "group", "connection"]

/** A 404 is none; so is a 403: a key that may not read that kind cannot tell, and the absence stands as it did. */
const unknownIsNone = <A>(read: Effect.Effect<A, FivetranError>): Effect.Effect<Option.Option<A>, FivetranError> =>
  read.pipe(
    Effect.map(Option.some),
    Effect.catchTags({ NotFound: () => Effect.succeedNone, Forbidden: () => Effect.succeedNone })
  )

/** The `kind` with this id, if Fivetran has one: a GET by id, or for a connection the list up to it. */
const find = (client: FivetranClientShape, kind: Kind, id: string): Effect.Effect<Option.Option<unknown>, FivetranError> =>
  kind === "connection"
    ? Effect.catchTag(
      Stream.runHead(Stream.filter(client.listConnections(), (connection) => connection.id === id)),
      "Forbidden",
      () => Effect.succeedNone
    )
    : unknownIsNone<unknown>(kind === "user" ? client.getUser(id) : kind === "team" ? client.getTeam(id) : client.getGroup(id))

const exists = (client: FivetranClientShape, kind: Kind, id: string): Effect.Effect<boolean, FivetranError> =>
  Effect.map(find(client, kind, id), Option.isSome)

/**
 * The kind of container (a group, then a connection) that has this id, if Fivetran has one: asked
 * once no user of that id was found by a deletion, which said "does not exist (nothing to delete)"
 * for a group's or connection's id while a team's was already refused as one.
 */
export const containerWithId = (
  client: FivetranClientShape,
  id: string,
  action: string
): Effect.Effect<Option.Option<"group" | "connection">, ProvisioningError> =>
  Effect.all([exists(client, "group", id), exists(client, "connection", id)], { concurrency: "unbounded" }).pipe(
    Effect.map(([group, connection]) =>
      group ? Option.some("group" as const) : connection ? Option.some("connection" as const) : Option.none()
    ),
    Effect.mapError(upstreamFailure(action))
  )

/** What the principal holds in another container: a role there, none, or unknown (the key may not read it). */
type Held =
  | { readonly _tag: "Role"; readonly role: string }
  | { readonly _tag: "None" }
  | { readonly _tag: "CannotTell" }

const cannotTell: Held = { _tag: "CannotTell" }

const heldFrom = (read: Effect.Effect<string, FivetranError>): Effect.Effect<Held, FivetranError> =>
  read.pipe(
    Effect.map((role): Held => ({ _tag: "Role", role })),
    Effect.catchTags({
      NotFound: () => Effect.succeed<Held>({ _tag: "None" }),
      Forbidden: () => Effect.succeed(cannotTell)
    })
  )

/** The principal's role in the group, team or connection `id`. Teams do not nest: a team holds none in a team. */
const roleHeldIn = (
  client: FivetranClientShape,
  kind: Exclude<Kind, "user">,
  id: string,
  principal: Principal
): Effect.Effect<Held, FivetranError> => {
  const user = principal.type === "user"
  if (kind === "team") {
    return user ? heldFrom(Effect.map(client.getTeamUser(id, principal.id), (member) => member.role)) : Effect.succeed({ _tag: "None" })
  }
  const api = kind === "group" ? (user ? client.userGroups : client.teamGroups) : user ? client.userConnections : client.teamConnections
  return heldFrom(Effect.map(api.get(principal.id, id), (membership) => membership.role))
}

/** What the entitlement's resource id turned out to be, when its resource is absent. */
type OtherKind =
  /** A user's or team's id, with the two ids swapped when the principal's id is the entitlement's kind. */
  | { readonly _tag: "Principal"; readonly kind: Kind; readonly swapped: boolean }
  /** Another kind of container's, and what the principal holds there (asked by a revoke only). */
  | { readonly _tag: "Container"; readonly kind: Exclude<Kind, "user">; readonly held: Held }

const otherKindOf = (
  client: FivetranClientShape,
  target: GrantTarget,
  action: string,
  verb: "grant" | "revoke"
): Effect.Effect<Option.Option<OtherKind>, ProvisioningError> => {
  const { entitlement, principal } = target
  const others = kinds.filter((kind) => kind !== entitlement.resourceType)
  return Effect.gen(function*() {
    const found = yield* Effect.all(others.map((kind) => exists(client, kind, entitlement.resourceId)), { concurrency: "unbounded" })
    const kind = others.find((_, index) => found[index])
    if (kind === undefined) return Option.none()
    const ownKind = kinds.find((candidate) => candidate === entitlement.resourceType)
    const swapped = kind === principal.type && ownKind !== undefined && (yield* exists(client, ownKind, principal.id))
    if (kind === "user" || swapped) return Option.some<OtherKind>({ _tag: "Principal", kind, swapped })
    const held = verb === "revoke" ? yield* roleHeldIn(client, kind, entitlement.resourceId, principal) : cannotTell
    return Option.some<OtherKind>({ _tag: "Container", kind, held })
  }).pipe(Effect.mapError(upstreamFailure(action)))
}

/** The grant the principal holds in the container its id named, and how to end it. */
const heldGrantHint = (holder: string, held: string, principal: Principal): string =>
  `${echoed(holder)} holds ${echoed(held)}: revoke ${
    echoed(grantId(held, { resourceType: principal.type, resource: principal.id }))
  } to end it`

/**
 * The refusal for an entitlement whose resource id is another kind's, when it is one: `absent` is
 * the resource's absence ("group U does not exist"), `verb` the action (grant, revoke). Refused,
 * not reported absent: the id as given cannot be what was meant. It names the grant or entitlement
 * meant where that can be told: the swapped ids, or what the principal holds in that container.
 */
export const entitlementOfOtherKind = (
  client: FivetranClientShape,
  target: GrantTarget,
  action: string,
  absent: string,
  verb: "grant" | "revoke"
): Effect.Effect<Option.Option<UnknownEntitlement>, ProvisioningError> =>
  Effect.map(
    otherKindOf(client, target, action, verb),
    Option.map((other) => {
      const { entitlement, principal } = target
      const type = entitlement.resourceType
      const id = entitlement.resourceId
      const holder = `${principal.type}:${principal.id}`
      const nothing = verb === "grant" ? "nothing was granted" : "nothing was revoked"
      const ownForm = `a ${type} entitlement names a ${type}'s id (${type}:<${type} id>:${echoed(entitlement.slug)})`
      const swappedEntitlement = `${type}:${principal.id}:${entitlement.slug}`
      const meant = verb === "grant"
        ? `grant ${swappedEntitlement} to ${principal.type}:${id}`
        : `revoke ${grantId(swappedEntitlement, { resourceType: principal.type, resource: id })}`
      const hint = other._tag === "Principal"
        ? other.swapped
          ? `the two ids look swapped (${type} ${echoed(principal.id)} does exist): ${echoed(meant)}`
          : ownForm
        : verb === "revoke" && other.held._tag === "Role"
        ? heldGrantHint(holder, `${other.kind}:${id}:${other.kind === "team" ? TeamMemberSlug : other.held.role}`, principal)
        : verb === "revoke" && other.held._tag === "None"
        ? `${echoed(holder)} holds no role in ${other.kind} ${echoed(id)}, and ${ownForm}`
        : verb === "revoke"
        ? ownForm
        : `${ownForm}; to grant a role in ${other.kind} ${echoed(id)}, grant ${
          echoed(other.kind === "team" ? `team:${id}:${TeamMemberSlug}` : `${other.kind}:${id}:<role>`)
        }`
      return new UnknownEntitlement({ message: `${absent}, but ${other.kind} ${echoed(id)} does: ${nothing}; ${hint}` })
    })
  )
