import { shownText } from "@baton-fivetran/fivetran-client/shown-text"
import { Chunk, Effect, Option, Schema, Stream } from "effect"
import type { Entitlement, Grant, Resource, ResourceId } from "../model/Baton.js"
import { resourceRefOf } from "../model/Ids.js"
import { type AccessPath, AccessPath as AccessPathSchema, accessPaths, samePaths } from "./AccessPath.js"
import { accountTypeText, emailOf, statusText } from "./ReviewRow.js"
import { type Keyed, mergeSorted } from "./SortedMerge.js"

/**
 * What changed between two syncs: resources, entitlements and grants added or removed, resources
 * whose name, status, email or account type changed (a user suspended, a team renamed, an account
 * handed to another address, a person's account turned into a service account: a reviewer must see
 * those), and grants whose paths changed (e.g. now held directly as well as through a team). A
 * last login moving is not a change: it moves at every sign-in, so every active user would be a
 * row, and it grants nothing; the sheet's last_login column is where dormant accounts are found.
 * Entries come resources first, then entitlements, then grants, each in id order, so a position in
 * the diff is (kind, id) and a listing can resume after it.
 */

export const DiffKind = Schema.Literal("resource", "entitlement", "grant")
export type DiffKind = typeof DiffKind.Type
export const DiffKinds: ReadonlyArray<DiffKind> = ["resource", "entitlement", "grant"]

export const DiffChange = Schema.Literal("added", "removed", "changed")
export type DiffChange = typeof DiffChange.Type

export const DiffEntry = Schema.Struct({
  change: DiffChange,
  kind: DiffKind,
  /** The resource as `type:id`, the entitlement id or the grant id. */
  id: Schema.String,
  /**
   * Display name of a resource or an entitlement; of a grant, its principal's and its entitlement's
   * as `principal: entitlement` (`Ada Lovelace: View Destination on warehouse`), each its id when
   * the sync has no name for it, each part with its control and bidi characters as `\u` escapes
   * (shownText): a principal named "Eve\u202E" reversed the entitlement after it in a spreadsheet's
   * cell, and one with line breaks pushed it out of the cell's view. From the newer sync; from the
   * older for a removed one.
   */
  name: Schema.optional(Schema.String),
  /** Changed resources: the name in the older sync, when it changed. */
  previous_name: Schema.optional(Schema.String),
  /**
   * A resource's status (`enabled`, `disabled`, `invited`, or "" for none): of a changed one, when it
   * changed; of an added or removed user, its status in the sync that has it (a reviewer sees who
   * was invited, or whether the removed user had been suspended first).
   */
  status: Schema.optional(Schema.String),
  previous_status: Schema.optional(Schema.String),
  /**
   * A user's primary email and account type (`human`, `service`, `system`), as `status` is given:
   * of a changed one, when it changed (who the account now reaches, or whether it still logs in as
   * a person); of an added or removed user, in the sync that has it ("" for none is left out).
   */
  email: Schema.optional(Schema.String),
  previous_email: Schema.optional(Schema.String),
  account_type: Schema.optional(Schema.String),
  previous_account_type: Schema.optional(Schema.String),
  /** Grants: the entitlement and the principal (`type:id`). */
  entitlement: Schema.optional(Schema.String),
  principal: Schema.optional(Schema.String),
  /**
   * Grants: the principal's status (`enabled`, `disabled`, `invited`) in the sync the entry comes
   * from, as `name` is; "" for a team, or a principal that sync has no row of. A suspended or only
   * invited user cannot use what it gained, which changes what the row means for a review.
   */
  principal_status: Schema.optional(Schema.String),
  /** Grants: how the principal holds it (in the newer sync; in the older for a removed grant). */
  paths: Schema.optional(Schema.Array(AccessPathSchema)),
  /** Changed grants: the paths in the older sync. */
  previous_paths: Schema.optional(Schema.Array(AccessPathSchema))
}).annotations({ identifier: "DiffEntry" })
export type DiffEntry = typeof DiffEntry.Type

/**
 * The two syncs a diff compares, as each of its rows names them: the older (`old_`, diff's OLD.c1z)
 * and the newer (`new_`), each by its .c1z sync id and end, in the review sheet's words (`sync_id`,
 * `synced_at`: RFC 3339 in UTC to the millisecond). On every row, after the entry's own fields: a
 * diff kept as evidence, or rows pasted from it, still name the syncs compared.
 */
export const DiffSyncs = Schema.Struct({
  old_sync_id: Schema.String,
  old_synced_at: Schema.String,
  new_sync_id: Schema.String,
  new_synced_at: Schema.String
})
export type DiffSyncs = typeof DiffSyncs.Type

/** The columns DiffSyncs adds, in row order. */
export const DiffSyncColumns = ["old_sync_id", "old_synced_at", "new_sync_id", "new_synced_at"] as const satisfies ReadonlyArray<
  keyof DiffSyncs
>

/** A diff entry with the two syncs it comes from: a row of the service's diff. */
export const DiffRow = Schema.extend(DiffEntry, DiffSyncs).annotations({ identifier: "DiffRow" })
export type DiffRow = typeof DiffRow.Type

/** Where a diff listing resumes: after this id of this kind. */
export interface DiffPosition {
  readonly kind: DiffKind
  readonly id: string
}

/** The two sides of one kind, each sorted by id (KeyOrder), starting after `after` when given. */
export interface DiffSides<A, E> {
  readonly base: (after: string | undefined) => Stream.Stream<Keyed<A>, E>
  readonly target: (after: string | undefined) => Stream.Stream<Keyed<A>, E>
}

/** Which of the two syncs: `base` the older, `target` the newer. */
export type DiffSide = "base" | "target"

export interface DiffSources<E> {
  readonly resources: DiffSides<Resource, E>
  readonly entitlements: DiffSides<Entitlement, E>
  readonly grants: DiffSides<Grant, E>
  /**
   * Principals' names and statuses in one sync (undefined for one without a row there), asked a
   * chunk of entries at a time: a grant row carries only its principal's id, and a reviewer reading
   * a diff of real Fivetran ids needs the person, and whether it can still use the access.
   */
  readonly principals: (
    side: DiffSide,
    principals: ReadonlyArray<ResourceId>
  ) => Effect.Effect<ReadonlyArray<DiffPrincipal | undefined>, E>
}

/** What a grant entry says of its principal, from one sync's row of it. */
export interface DiffPrincipal {
  readonly name: string | undefined
  /** As `statusText`: "" for a team. */
  readonly status: string
}

export const diffPrincipalOf = (resource: Resource): DiffPrincipal => ({ name: resource.displayName, status: statusText(resource) })

const noEntry = Option.none<DiffEntry>()
const someEntry = (entry: DiffEntry) => Option.some(entry)

const principalRef = (grant: Grant) => resourceRefOf(grant.principal.id)

/** A grant entry before its principal's name and status are known, and the sync that has them. */
interface UnnamedGrant {
  readonly side: DiffSide
  readonly grant: Grant
  readonly entry: (name: string, principalStatus: string) => DiffEntry
}

const grantEntry = (change: DiffChange, id: string, grant: Grant, previous?: ReadonlyArray<AccessPath>): UnnamedGrant => ({
  side: change === "removed" ? "base" : "target",
  grant,
  entry: (name, principalStatus) => ({
    change,
    kind: "grant",
    id,
    name,
    entitlement: grant.entitlement.id,
    principal: principalRef(grant),
    principal_status: principalStatus,
    paths: accessPaths(grant),
    ...(previous === undefined ? {} : { previous_paths: previous })
  })
})

/** What a diff compares of a resource besides its name, as text ("" for none: a team has none of them). */
const attributesOf = (resource: Resource) => ({
  status: statusText(resource),
  email: emailOf(resource),
  account_type: accountTypeText(resource)
})
type Attribute = keyof ReturnType<typeof attributesOf>
const attributes: ReadonlyArray<Attribute> = ["status", "email", "account_type"]
const previousOf = {
  status: "previous_status",
  email: "previous_email",
  account_type: "previous_account_type"
} as const satisfies Record<Attribute, keyof DiffEntry>
type AttributeFields = { -readonly [K in Attribute | (typeof previousOf)[Attribute]]?: string }

/** A resource present in both syncs, if its name, status, email or account type changed. */
const resourceChange = (id: string, before: Resource, after: Resource): Option.Option<DiffEntry> => {
  const [nameBefore, nameAfter] = [before.displayName, after.displayName]
  const [was, is] = [attributesOf(before), attributesOf(after)]
  const changed: AttributeFields = {}
  for (const attribute of attributes) {
    if (was[attribute] === is[attribute]) continue
    changed[attribute] = is[attribute]
    changed[previousOf[attribute]] = was[attribute]
  }
  if (nameBefore === nameAfter && Object.keys(changed).length === 0) return noEntry
  return someEntry({
    change: "changed",
    kind: "resource",
    id,
    ...(nameAfter === undefined ? {} : { name: nameAfter }),
    ...(nameBefore === nameAfter ? {} : { previous_name: nameBefore ?? "" }),
    ...changed
  })
}

type About = Pick<DiffEntry, "name" | Attribute>

/** An added or removed resource's name, status, email and account type ("" for none, as a team's, is left out). */
const aboutResource = (resource: Resource): About => {
  const about: AttributeFields = {}
  const values = attributesOf(resource)
  for (const attribute of attributes) if (values[attribute] !== "") about[attribute] = values[attribute]
  return { ...(resource.displayName === undefined ? {} : { name: resource.displayName }), ...about }
}

/**
 * Added and removed, each with what the sync that has it says of it (`about`: its name, and a
 * resource's status, email and account type); `changed` says what a value present in both syncs became, if anything.
 */
const presenceDiff = <A, E>(
  kind: DiffKind,
  sides: DiffSides<A, E>,
  after: string | undefined,
  about: (value: A) => About,
  changed: (id: string, before: A, after: A) => Option.Option<DiffEntry> = () => noEntry
) =>
  mergeSorted(sides.base(after), sides.target(after)).pipe(
    Stream.filterMap((merged): Option.Option<DiffEntry> => {
      if (merged._tag === "Both") return changed(merged.key, merged.left, merged.right)
      return someEntry({
        change: merged._tag === "Left" ? "removed" : "added",
        kind,
        id: merged.key,
        ...about(merged._tag === "Left" ? merged.left : merged.right)
      })
    })
  )

const grantDiff = <E>(sources: DiffSources<E>, after: string | undefined) =>
  mergeSorted(sources.grants.base(after), sources.grants.target(after)).pipe(
    Stream.filterMap((merged): Option.Option<UnnamedGrant> => {
      switch (merged._tag) {
        case "Left":
          return Option.some(grantEntry("removed", merged.key, merged.left))
        case "Right":
          return Option.some(grantEntry("added", merged.key, merged.right))
        case "Both": {
          const before = accessPaths(merged.left)
          return samePaths(before, accessPaths(merged.right))
            ? Option.none()
            : Option.some(grantEntry("changed", merged.key, merged.right, before))
        }
      }
    }),
    Stream.mapChunksEffect((chunk) => namedGrants(sources, Chunk.toReadonlyArray(chunk)))
  )

/**
 * Entries with their principals' names and statuses: a removed grant's from the older sync, the
 * others' from the newer.
 */
const namedGrants = <E>(sources: DiffSources<E>, unnamed: ReadonlyArray<UnnamedGrant>) => {
  const principalsOf = (side: DiffSide) => unnamed.filter((u) => u.side === side).map((u) => u.grant.principal.id)
  return Effect.zipWith(
    sources.principals("base", principalsOf("base")),
    sources.principals("target", principalsOf("target")),
    (basePrincipals, targetPrincipals) => {
      const next = { base: 0, target: 0 }
      return Chunk.unsafeFromArray(unnamed.map(({ entry, grant, side }) => {
        const principal = (side === "base" ? basePrincipals : targetPrincipals)[next[side]++]
        const name = `${shownText(principal?.name || principalRef(grant))}: ${
          shownText(grant.entitlement.displayName || grant.entitlement.id)
        }`
        return entry(name, principal?.status ?? "")
      }))
    }
  )
}

/** The diff from `base` to `target`, resuming after `from` when given. */
export const syncDiff = <E>(sources: DiffSources<E>, from?: DiffPosition): Stream.Stream<DiffEntry, E> => {
  const start = from === undefined ? 0 : DiffKinds.indexOf(from.kind)
  const after = (kind: DiffKind) => from !== undefined && from.kind === kind ? from.id : undefined
  const sections: ReadonlyArray<Stream.Stream<DiffEntry, E>> = [
    presenceDiff("resource", sources.resources, after("resource"), aboutResource, resourceChange),
    presenceDiff("entitlement", sources.entitlements, after("entitlement"), (e) => ({ name: e.displayName })),
    grantDiff(sources, after("grant"))
  ]
  return Stream.concatAll(Chunk.unsafeFromArray(sections.slice(start)))
}
