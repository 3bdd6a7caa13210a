import { type C1zError, type C1zReader, type ListingPosition, type PositionedRow, resourceHolders } from "@baton-fivetran/c1z"
import {
  compareKeys,
  ConnectionResourceType,
  echoed,
  type Grant,
  GroupResourceType,
  type Resource,
  type ResourceId,
  resourceRef,
  resourceRefOf
} from "@baton-fivetran/connector-core"
import { HttpServerResponse } from "@effect/platform"
import { createHash } from "node:crypto"
import { Chunk, Effect, Option, Schema, Stream } from "effect"
import {
  type AccessEntry,
  EntitlementPage,
  GrantPage,
  InvalidRequest,
  NotFound,
  PrincipalAccess,
  ResourceDetails,
  ResourcePage
} from "@baton-fivetran/http-api"
import { PageTokens } from "./PageTokens.js"
import { resourceSearch } from "./ResourceSearch.js"
import { ScanTurns } from "./ScanTurns.js"
import { makeResponseCache } from "./ResponseCache.js"
import { isUnreadable, SyncJobs, unreadableSync } from "./SyncJobs.js"
import { SyncReaders } from "./SyncReaders.js"
import { parseResourceRef } from "./TypeChecks.js"

/**
 * Read-only queries over finished syncs. Listings come by id, in the order the CLI's `resources`,
 * `entitlements` and `grants` list the same file (the c1z reader's sorted listings): resources and
 * entitlements by id, grants by grant id, one principal's by entitlement id, one entitlement's by
 * principal; a reviewer comparing the service's rows with the CLI's, or two syncs, finds them in
 * the same places. Pages are keyset pages on that order; the signed page token (PageTokens.ts)
 * carries the sync id and the last row's key (and row id, where a crafted file can repeat a key),
 * so a listing stays on the sync it started on even if a newer one finishes meanwhile, and the
 * listing and a digest of its filters: a key is a position in that listing only, so a token
 * continues no other. Files are read through the shared
 * SyncReaders (opening a `.c1z` decompresses it, so a few readers stay open).
 *
 * Answers are JSON bodies, encoded with the Api's own success Schemas (so they are exactly what
 * the endpoint would encode) once per sync and request: a sync's file never changes, so a repeated
 * request is served from a bounded cache of bodies without reading, decoding or encoding again.
 */

const DefaultPageSize = 100

/** Bodies kept across requests (a 100-row page of grants is about 100 KB). */
const ResponseCacheBytes = 32 * 1024 * 1024
/** And how many: the pages and views a reviewer goes back to, not every search ever made (ResponseCache.ts). */
const ResponseCacheEntries = 4096

const Listing = Schema.Literal("resources", "entitlements", "grants")
type Listing = typeof Listing.Type

/**
 * A token's position: `{"s": sync id, "k": the last row's key in the listing's order, "l": listing,
 * "f": digest of the filters}`, and `"r"`, the last row's row id, where the key may repeat (one
 * principal's grants, one entitlement's holders: SortedListings' ListingPosition). A token without
 * `r` (issued before it, or of another listing) resumes after every row of its key.
 */
const KeyPosition = Schema.Struct({
  s: Schema.String,
  k: Schema.String,
  r: Schema.optional(Schema.Int),
  l: Listing,
  f: Schema.String
})

/** A token issued when listings came in the file's row order (`"a"`: the last row id), which is no position in the id order. */
const RowIdPosition = Schema.Struct({ s: Schema.String, a: Schema.Int, l: Listing, f: Schema.String })

const PagePosition = Schema.Union(KeyPosition, RowIdPosition)

/** A listing's filters (absent ones included) as a short digest, so a token stays short whatever they hold. */
const filtersDigest = (filters: ReadonlyArray<string | undefined>) =>
  createHash("sha256").update(JSON.stringify(filters)).digest("base64url").slice(0, 22)

/** docs/architecture.md §2: type before the first `:`, slug after the last, resource id in between. */
const entitlementResource = (entitlementId: string): ResourceId => {
  const first = entitlementId.indexOf(":")
  const last = entitlementId.lastIndexOf(":")
  return { resourceType: entitlementId.slice(0, first), resource: entitlementId.slice(first + 1, last) }
}

/**
 * A grant as the principal holds it. Expansion names the team entitlements a grant comes through
 * in `sources`; a grant also held directly keeps its own entitlement there (or has no sources).
 */
const accessEntry = (grant: Grant): AccessEntry => {
  const own = grant.entitlement.id
  const sources = grant.sources ?? {}
  const inherited = Object.keys(sources).filter((id) => id !== own).sort()
  return {
    grant,
    direct: grant.sources === undefined || own in sources || inherited.length === 0,
    sources: inherited.map((id) => ({ entitlement_id: id, resource: entitlementResource(id) }))
  }
}

interface PageRequest {
  readonly page_size?: number | undefined
  readonly page_token?: string | undefined
}

/**
 * What a listing's filters name: each must be in the listing's sync. A typo answered with an empty
 * page read as "holds nothing" or "nobody holds it" (the access view, the export and the CLI refuse it too).
 */
type Named =
  | { readonly _tag: "Resource"; readonly id: ResourceId }
  | { readonly _tag: "Entitlement"; readonly id: string }

const namedResource = (ref: string | undefined): ReadonlyArray<Named> =>
  ref === undefined ? [] : [{ _tag: "Resource", id: parseResourceRef(ref) }]

const namedEntitlement = (id: string | undefined): ReadonlyArray<Named> => id === undefined ? [] : [{ _tag: "Entitlement", id }]

/** NotFound for the first thing named that the sync does not hold. */
const requireNamed = (reader: C1zReader, syncId: string, named: ReadonlyArray<Named>) =>
  Effect.forEach(named, (item) =>
    Effect.gen(function*() {
      const found = item._tag === "Resource"
        ? Option.isSome(yield* reader.getResource(item.id))
        : Option.isSome(yield* reader.getEntitlement(item.id))
      if (found) return
      const what = item._tag === "Resource" ? `${item.id.resourceType} ${echoed(item.id.resource)}` : `entitlement ${echoed(item.id)}`
      return yield* new NotFound({ message: `${what} is not in the latest sync (${syncId})` })
    }), { discard: true })

/** The 404 for a principal or resource the latest sync does not hold. */
const notInLatestSync = (syncId: string, id: ResourceId) =>
  new NotFound({ message: `${id.resourceType} ${echoed(id.resource)} is not in the latest sync (${syncId})` })

/**
 * A connection's destination (its parent group) with its holders' count, as the CLI's note after a
 * connection's rows counts them; none for any other resource.
 */
const destinationOf = (reader: C1zReader, resource: Resource, parent: Option.Option<Resource>) =>
  Option.match(Option.filter(parent, (group) => group.id.resourceType === GroupResourceType.id), {
    onNone: () => Effect.succeed(null),
    onSome: (group) =>
      resource.id.resourceType !== ConnectionResourceType.id
        ? Effect.succeed(null)
        : Effect.map(resourceHolders(reader, group.id), (holders) => ({
          id: resourceRef(group),
          name: group.displayName ?? "",
          holders
        }))
  })

/**
 * A listed row and where the next page resumes after it: its key in the listing's order, or, where
 * that key may repeat (one principal's grants, one entitlement's holders), its key and row id.
 */
interface Listed<A> {
  readonly after: string | ListingPosition
  readonly value: A
}

const byKey = <A>(row: { readonly key: string; readonly value: A }): Listed<A> => ({ after: row.key, value: row.value })
const byPosition = <A>(row: PositionedRow<A>): Listed<A> => ({ after: row.position, value: row.value })

/** The key a listing whose keys never repeat resumes after (a position is issued only where they may). */
const keyOf = (after: string | ListingPosition) => typeof after === "string" ? after : after.cursor

const jsonResponse = (body: Uint8Array) => HttpServerResponse.uint8Array(body, { contentType: "application/json" })

export class Queries extends Effect.Service<Queries>()("baton-http/Queries", {
  scoped: Effect.gen(function*() {
    const jobs = yield* SyncJobs
    const readers = yield* SyncReaders
    const { collectInTurn } = yield* ScanTurns
    const bodies = makeResponseCache(ResponseCacheBytes, ResponseCacheEntries)
    const tokens = (yield* PageTokens).codec("listing", PagePosition)

    /**
     * The sync a listing reads: the token's, or the latest successful one. A token must have been
     * issued for this listing with these filters (`digest`).
     */
    const chooseSync = (token: Option.Option<string>, listing: Listing, digest: string) =>
      Effect.gen(function*() {
        if (Option.isNone(token)) return { syncId: yield* readers.latest, after: "" }
        const position = yield* tokens.read(token.value)
        if (!("k" in position)) {
          return yield* new InvalidRequest({
            field: "page_token",
            message: "page_token is from before this service listed by id; list again without page_token"
          })
        }
        const { f, k, l, r, s: syncId } = position
        if (l !== listing || f !== digest) {
          return yield* new InvalidRequest({
            field: "page_token",
            message: "page_token is not a token this service issued for this listing and these filters; " +
              "repeat the filters of the page it came from, or list again without page_token"
          })
        }
        const job = yield* jobs.get(syncId).pipe(Effect.option)
        // Found damaged by an earlier query (or this one, below): the same 404 each time.
        if (Option.isSome(job) && isUnreadable(job.value)) return yield* unreadableSync(syncId)
        if (Option.isNone(job) || job.value.status !== "succeeded" || job.value.file_bytes === null) {
          return yield* new InvalidRequest({
            field: "page_token",
            message: `page_token belongs to sync ${syncId}, which is no longer kept; list again without page_token`
          })
        }
        const after: string | ListingPosition = r === undefined ? k : { cursor: k, row: r }
        return { syncId, after }
      })

    const { withReader } = readers

    /**
     * The body kept under `key`, or `answer` encoded with `schema` and kept. A value our own
     * reader produced that the schema refuses is a bug (500); `answer`'s own errors pass through.
     */
    const cached = <A, I, E>(key: string, schema: Schema.Schema<A, I>, answer: Effect.Effect<A, E>) =>
      Effect.suspend(() => {
        const kept = bodies.get(key)
        if (kept !== undefined) return Effect.succeed(jsonResponse(kept))
        return answer.pipe(
          Effect.flatMap((value) => Effect.orDie(Schema.encode(schema)(value))),
          Effect.map((encoded) => {
            const body = Buffer.from(JSON.stringify(encoded))
            bodies.set(key, body)
            return jsonResponse(body)
          })
        )
      })

    /**
     * One page of a listing: reads (and decodes) only `page_size + 1` rows, the extra one to know
     * whether another page follows. `filters` are the request's filters, part of the cache key.
     */
    const page = <A, I>(
      listing: Listing,
      schema: Schema.Schema<{ readonly sync_id: string; readonly items: ReadonlyArray<A>; readonly next_page_token: string | null }, I>,
      request: PageRequest,
      filters: ReadonlyArray<string | undefined>,
      named: ReadonlyArray<Named>,
      list: (reader: C1zReader, after: string | ListingPosition) => Stream.Stream<Listed<A>, C1zError>,
      /** The listing may read the whole sync for a page (a search, a parent filter): it waits its turn (ScanTurns). */
      scans = false
    ) =>
      Effect.gen(function*() {
        const size = request.page_size ?? DefaultPageSize
        const digest = filtersDigest(filters)
        const { after, syncId } = yield* chooseSync(Option.fromNullable(request.page_token), listing, digest)
        const key = JSON.stringify([listing, syncId, after, size, ...filters])
        return yield* cached(
          key,
          schema,
          Effect.gen(function*() {
            const rows = yield* withReader(syncId, (reader) => {
              const listed = Stream.take(list(reader, after), size + 1)
              return Effect.zipRight(requireNamed(reader, syncId, named), scans ? collectInTurn(listed) : Stream.runCollect(listed))
            })
            const items = Chunk.toReadonlyArray(Chunk.take(rows, size))
            const last = items.at(-1)
            const next = rows.length > size && last !== undefined
              ? tokens.issue({
                s: syncId,
                ...(typeof last.after === "string" ? { k: last.after } : { k: last.after.cursor, r: last.after.row }),
                l: listing,
                f: digest
              })
              : null
            return {
              sync_id: syncId,
              items: items.map((row) => row.value),
              next_page_token: next
            }
          })
        )
      })

    /**
     * A search (`q`) reads the listing on from the token's row, a page of the file at a time, and
     * stops at the page's matches: the match is on the decoded row (the name and email are in its
     * blob, not in columns), and nothing past the page is read.
     */
    const resources = (
      request: PageRequest & {
        readonly type?: string | undefined
        readonly parent?: string | undefined
        readonly q?: string | undefined
      }
    ) => {
      // `q` is never blank here (the Api's SearchText refuses it), so a search is there exactly when `q` is.
      const search = resourceSearch(request.q)
      return page(
        "resources",
        ResourcePage,
        request,
        // The search is one of the filters: a token continues only the search it came from.
        search === undefined ? [request.type, request.parent] : [request.type, request.parent, search.needle],
        namedResource(request.parent),
        (reader, after) => {
          const parent = request.parent === undefined ? undefined : resourceRefOf(parseResourceRef(request.parent))
          return reader.sorted.resources({ resourceType: request.type, after: keyOf(after), mayMatch: search?.mayMatch }).pipe(
            // A parent's children are not a range of ids: they are read on from the token's key and picked, as a search's matches are.
            Stream.filter((row) =>
              (parent === undefined ||
                (row.value.parentResourceId !== undefined && resourceRefOf(row.value.parentResourceId) === parent)) &&
              (search === undefined || search.matches(row.value))
            ),
            Stream.map(byKey)
          )
        },
        search !== undefined || request.parent !== undefined
      ).pipe(Effect.withSpan("Queries.resources"))
    }

    const entitlements = (request: PageRequest & { readonly resource?: string | undefined }) =>
      page(
        "entitlements",
        EntitlementPage,
        request,
        [request.resource],
        namedResource(request.resource),
        (reader, after) => {
          const afterKey = keyOf(after)
          if (request.resource === undefined) return Stream.map(reader.sorted.entitlements({ after: afterKey }), byKey)
          // A resource's entitlement ids run from `type:id:` on; each is checked against the resource, as the CLI's listing does.
          const ref = resourceRefOf(parseResourceRef(request.resource))
          const start = compareKeys(afterKey, `${ref}:`) > 0 ? afterKey : `${ref}:`
          return reader.sorted.entitlements({ after: start }).pipe(
            Stream.takeWhile((row) => row.key.startsWith(`${ref}:`)),
            Stream.filter((row) => resourceRefOf(row.value.resource.id) === ref),
            Stream.map(byKey)
          )
        }
      ).pipe(Effect.withSpan("Queries.entitlements"))

    /** Grants in the CLI's `grants` order: all by grant id, one principal's by entitlement id, one entitlement's by principal. */
    const grants = (request: PageRequest & { readonly entitlement?: string | undefined; readonly principal?: string | undefined }) =>
      page(
        "grants",
        GrantPage,
        request,
        [request.entitlement, request.principal],
        [...namedEntitlement(request.entitlement), ...namedResource(request.principal)],
        (reader, after) => {
          const principal = request.principal === undefined ? undefined : resourceRefOf(parseResourceRef(request.principal))
          if (request.entitlement !== undefined) {
            return reader.sorted.holdersOf(request.entitlement, { after }).pipe(
              Stream.filter((row) => principal === undefined || resourceRefOf(row.value.principal.id) === principal),
              Stream.map(byPosition)
            )
          }
          // Resumed at the order column's value (the entitlement id the file files it under) and row id.
          if (request.principal !== undefined) {
            return Stream.map(reader.sorted.grantsOf(parseResourceRef(request.principal), { after }), byPosition)
          }
          return Stream.map(reader.sorted.grants({ after: keyOf(after) }), byKey)
        }
      ).pipe(Effect.withSpan("Queries.grants"))

    /**
     * Everything a user or team holds, by entitlement id (as the CLI's `access user:<id>` and `grants
     * --principal` list it); bounded by the number of entitlements, so it is one answer.
     */
    const access = (principal: ResourceId) =>
      Effect.gen(function*() {
        const syncId = yield* readers.latest
        const key = JSON.stringify(["access", syncId, principal.resourceType, principal.resource])
        return yield* cached(
          key,
          PrincipalAccess,
          withReader(syncId, (reader) =>
            Effect.gen(function*() {
              const resource = yield* reader.getResource(principal)
              if (Option.isNone(resource)) return yield* notInLatestSync(syncId, principal)
              const held = yield* reader.sorted.grantsOf(principal).pipe(
                Stream.map((row) => accessEntry(row.value)),
                Stream.runCollect
              )
              return {
                sync_id: syncId,
                principal: resource.value,
                grants: Chunk.toReadonlyArray(held)
              } satisfies PrincipalAccess
            }))
        )
      }).pipe(Effect.withSpan("Queries.access"))

    /**
     * One resource, its parent's name and its holders' count (a connection's destination's too):
     * what a view of it needs besides its rows, without reading any sheet.
     */
    const resourceDetails = (id: ResourceId) =>
      Effect.gen(function*() {
        const syncId = yield* readers.latest
        return yield* cached(
          JSON.stringify(["resource", syncId, id.resourceType, id.resource]),
          ResourceDetails,
          withReader(syncId, (reader) =>
            Effect.gen(function*() {
              const resource = yield* reader.getResource(id)
              if (Option.isNone(resource)) return yield* notInLatestSync(syncId, id)
              const parentId = resource.value.parentResourceId
              const parent = parentId === undefined ? Option.none() : yield* reader.getResource(parentId)
              return {
                sync_id: syncId,
                resource: resource.value,
                parent_name: Option.getOrNull(Option.flatMap(parent, (found) => Option.fromNullable(found.displayName))),
                holders: yield* resourceHolders(reader, id),
                destination: yield* destinationOf(reader, resource.value, parent)
              } satisfies ResourceDetails
            }))
        )
      }).pipe(Effect.withSpan("Queries.resourceDetails"))

    return { resources, resourceDetails, entitlements, grants, access } as const
  })
}) {}
