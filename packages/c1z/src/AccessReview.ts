import {
  accessPaths,
  type DiffEntry,
  type DiffPosition,
  type DiffPrincipal,
  diffPrincipalOf,
  emptyTally,
  type Grant,
  type Keyed,
  type Resource,
  type ResourceId,
  resourceRefOf,
  reviewRow,
  type ReviewRow,
  type SheetSync,
  syncDiff,
  tallied,
  userRow,
  type UserRow
} from "@baton-fivetran/connector-core"
import { Effect, Option, Stream } from "effect"
import type { C1zError } from "./C1zError.js"
import type { C1zReader } from "./C1zReader.js"
import type { SyncRun } from "./SyncRun.js"

/**
 * Access review over `.c1z` files, shared by the CLI and the HTTP service: the review sheet (one
 * row per principal, entitlement and path), its per-principal, per-entitlement and per-resource
 * views, and the diff of two syncs. Everything streams in a stable order from the readers' sorted
 * listings.
 */

/**
 * Whose rows: the whole sync, one principal's access, one entitlement's holders, or the holders of
 * every entitlement of one resource (a destination group's sheet for its owner).
 */
export type ReviewScope =
  | { readonly _tag: "All" }
  | { readonly _tag: "Principal"; readonly principal: ResourceId }
  | { readonly _tag: "Entitlement"; readonly entitlementId: string }
  | { readonly _tag: "Resource"; readonly resource: ResourceId }

/**
 * A sync's end as the review writes its times (`last_login`): RFC 3339 in UTC, to the millisecond.
 * The file's text has nine fraction digits, more than Date reads; a text Date cannot read at all
 * (another writer's) is given as it is.
 */
export const syncedAt = (run: SyncRun): string => {
  const millis = Date.parse(run.endedAt.replace(/(\.\d{3})\d+/, "$1"))
  return Number.isNaN(millis) ? run.endedAt : new Date(millis).toISOString()
}

/** Whether sync `a` ended after sync `b`: a diff given them as old and new reads every change backwards. */
export const endedAfter = (a: SyncRun, b: SyncRun): boolean => Date.parse(syncedAt(a)) > Date.parse(syncedAt(b))

/** The sync a reader's sheet comes from, as its rows name it. */
const sheetSync = (reader: C1zReader): SheetSync => ({ id: reader.syncRun.syncId, syncedAt: syncedAt(reader.syncRun) })

/** Principal types, in the sheet's order. */
const principalTypes = ["user", "team"] as const

/**
 * Team names for `via_name`, looked up once per team. Teams are few next to grants; the map holds
 * one short string per team the rows mention.
 */
const teamNames = (reader: C1zReader) => {
  const names = new Map<string, string>()
  const preload = (grants: ReadonlyArray<Grant>) =>
    Effect.forEach(
      grants.flatMap((grant) => accessPaths(grant).flatMap((path) => path.team === undefined ? [] : [path.team])),
      (team) =>
        names.has(team)
          ? Effect.void
          : Effect.map(reader.getResource({ resourceType: "team", resource: team }), (resource) => {
            names.set(team, Option.match(resource, { onNone: () => "", onSome: (r) => r.displayName ?? "" }))
          }),
      { discard: true }
    )
  return { preload, name: (team: string) => names.get(team) ?? "" }
}

/** The rows of grants that share one principal resource. */
const rowsOf = (principal: Resource, grants: ReadonlyArray<Grant>, name: (team: string) => string, sync: SheetSync) =>
  grants.flatMap((grant) => accessPaths(grant).map((path) => reviewRow(grant, path, { principal, teamName: name, sync })))

/** A batch of grants as rows, with their team names and (when not given) their principals looked up. */
const rowsOfBatch = (
  reader: C1zReader,
  teams: ReturnType<typeof teamNames>,
  grants: ReadonlyArray<Keyed<Grant>>,
  principal: Option.Option<Resource>
): Effect.Effect<ReadonlyArray<ReviewRow>, C1zError> =>
  Effect.gen(function*() {
    const values = grants.map((g) => g.value)
    yield* teams.preload(values)
    const rows: Array<ReviewRow> = []
    const sync = sheetSync(reader)
    for (const grant of values) {
      const holder = Option.isSome(principal)
        ? principal.value
        : Option.getOrElse(yield* reader.getResource(grant.principal.id), () => grant.principal)
      rows.push(...rowsOf(holder, [grant], teams.name, sync))
    }
    return rows
  })

const batched = (
  reader: C1zReader,
  teams: ReturnType<typeof teamNames>,
  grants: Stream.Stream<Keyed<Grant>, C1zError>,
  principal: Option.Option<Resource>
) =>
  grants.pipe(
    Stream.grouped(500),
    Stream.mapEffect((chunk) => rowsOfBatch(reader, teams, Array.from(chunk), principal)),
    Stream.flatMap((rows) => Stream.fromIterable(rows))
  )

/**
 * The review sheet: principals by id (users, then teams), each one's grants by entitlement id,
 * each grant's paths direct first, then by team id. One principal's grants are read at a time.
 */
export const reviewRows = (reader: C1zReader, scope: ReviewScope): Stream.Stream<ReviewRow, C1zError> => {
  const teams = teamNames(reader)
  switch (scope._tag) {
    case "All":
      return Stream.fromIterable(principalTypes).pipe(
        Stream.flatMap((resourceType) => reader.sorted.resources({ resourceType })),
        Stream.flatMap((principal) => batched(reader, teams, reader.sorted.grantsOf(principal.value.id), Option.some(principal.value))),
        // A damaged or another writer's file may grant to a principal it has no row of: its access
        // is still on the sheet (at the end, with the name the grant carries), not left out.
        Stream.concat(
          Stream.fromIterable(principalTypes).pipe(
            Stream.flatMap((resourceType) => Stream.fromIterableEffect(reader.sorted.principalsWithoutResource(resourceType))),
            Stream.flatMap((principal) => batched(reader, teams, reader.sorted.grantsOf(principal), Option.none()))
          )
        )
      )
    case "Principal":
      return Stream.unwrap(Effect.map(reader.getResource(scope.principal), (principal) =>
        Option.isNone(principal)
          ? Stream.empty
          : batched(reader, teams, reader.sorted.grantsOf(scope.principal), principal)))
    case "Entitlement":
      return batched(reader, teams, reader.sorted.holdersOf(scope.entitlementId), Option.none())
    case "Resource": {
      // A resource's entitlement ids are `type:id:slug`: among the keys that start with `type:id:`
      // (a role named `A:B` is there for role `A` too, so each is checked), in id order, one
      // entitlement's holders at a time.
      const ref = resourceRefOf(scope.resource)
      const prefix = `${ref}:`
      return reader.sorted.entitlements({ after: prefix }).pipe(
        Stream.takeWhile((entitlement) => entitlement.key.startsWith(prefix)),
        Stream.filter((entitlement) => resourceRefOf(entitlement.value.resource.id) === ref),
        Stream.flatMap((entitlement) => batched(reader, teams, reader.sorted.holdersOf(entitlement.value.id), Option.none()))
      )
    }
  }
}

/**
 * The users sheet (connector-core's UserRow.ts): every user by id, once, each one's grants counted
 * as they stream (a query per user, nothing kept across users).
 */
export const userRows = (reader: C1zReader): Stream.Stream<UserRow, C1zError> => {
  const sync = sheetSync(reader)
  return reader.sorted.resources({ resourceType: "user" }).pipe(
    Stream.mapEffect((user) =>
      Effect.map(
        Stream.runFold(reader.sorted.grantsOf(user.value.id), emptyTally, (tally, grant) => tallied(tally, grant.value)),
        (tally) => userRow(user.value, tally, sync)
      )
    )
  )
}

/** Principals kept per sync while a diff runs: enough for every user of a large account, and bounded. */
const keptPrincipals = 20_000

/**
 * A principal's display name and status in one sync, remembered: a diff's grants come by
 * entitlement, so each principal recurs once per entitlement it gained or lost, and each lookup is
 * a query and a decode. The status is a short word beside the name the diff already kept.
 */
const diffPrincipalsOf = (reader: C1zReader) => {
  const principals = new Map<string, DiffPrincipal | undefined>()
  return (principal: ResourceId): Effect.Effect<DiffPrincipal | undefined, C1zError> => {
    const key = resourceRefOf(principal)
    if (principals.has(key)) return Effect.succeed(principals.get(key))
    return reader.getResource(principal).pipe(
      Effect.map((resource) => {
        const found = Option.match(resource, { onNone: () => undefined, onSome: diffPrincipalOf })
        if (principals.size >= keptPrincipals) principals.clear()
        principals.set(key, found)
        return found
      })
    )
  }
}

/** The diff from `base` (older) to `target` (newer), resuming after `from` when given. */
export const diffReaders = (base: C1zReader, target: C1zReader, from?: DiffPosition): Stream.Stream<DiffEntry, C1zError> => {
  const principals = { base: diffPrincipalsOf(base), target: diffPrincipalsOf(target) }
  return syncDiff({
    resources: { base: (after) => base.sorted.resources({ after }), target: (after) => target.sorted.resources({ after }) },
    entitlements: {
      base: (after) => base.sorted.entitlements({ after }),
      target: (after) => target.sorted.entitlements({ after })
    },
    grants: { base: (after) => base.sorted.grants({ after }), target: (after) => target.sorted.grants({ after }) },
    principals: (side, ids) => Effect.forEach(ids, principals[side])
  }, from)
}
