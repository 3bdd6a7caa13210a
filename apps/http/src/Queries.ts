import { type C1zReader, type C1zRow, openC1z } from "@baton-fivetran/c1z"
import type { Grant, ResourceId } from "@baton-fivetran/connector-core"
import { Chunk, Duration, Effect, Option, Schema, ScopedCache, Stream } from "effect"
import { type AccessEntry, InvalidRequest, NotFound, type PrincipalAccess } from "./Api.js"
import { SyncJobs } from "./SyncJobs.js"

/**
 * Read-only queries over finished syncs. Pages are keyset pages over the file's row ids; the
 * opaque page token carries the sync id and the last row id, so a listing stays on the sync it
 * started on even if a newer one finishes meanwhile. Opening a `.c1z` decompresses it, so open
 * readers are cached (a few, for a while) and shared between requests.
 */

const DefaultPageSize = 100

/** base64url of `{"s": sync id, "a": last row id}`. */
const PageToken = Schema.compose(
  Schema.StringFromBase64Url,
  Schema.parseJson(Schema.Struct({ s: Schema.String, a: Schema.Int.pipe(Schema.nonNegative()) }))
)
const decodeToken = Schema.decodeUnknownOption(PageToken)
const encodeToken = Schema.encodeSync(PageToken)

/** `type:id`; the id is everything after the first `:` (the Api has checked the shape). */
export const parseResourceRef = (ref: string): ResourceId => {
  const colon = ref.indexOf(":")
  return { resourceType: ref.slice(0, colon), resource: ref.slice(colon + 1) }
}

/** design.md §2: type before the first `:`, slug after the last, resource id in between. */
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

interface Page<A> {
  readonly sync_id: string
  readonly items: ReadonlyArray<A>
  readonly next_page_token: string | null
}

export class Queries extends Effect.Service<Queries>()("baton-http/Queries", {
  scoped: Effect.gen(function*() {
    const jobs = yield* SyncJobs
    const readers = yield* ScopedCache.make({
      lookup: (syncId: string) => openC1z(jobs.filePath(syncId)),
      capacity: 2,
      timeToLive: Duration.minutes(10)
    })

    const noSyncYet = new NotFound({
      message: "no sync has finished yet; start one with POST /v1/syncs and wait for it to succeed"
    })

    /** The sync a request reads: the token's, or the latest successful one. */
    const chooseSync = (token: Option.Option<string>) =>
      Effect.gen(function*() {
        if (Option.isNone(token)) {
          const latest = yield* jobs.latestSucceeded
          if (Option.isNone(latest)) return yield* noSyncYet
          return { syncId: latest.value.id, afterRowId: 0 }
        }
        const decoded = decodeToken(token.value)
        if (Option.isNone(decoded)) {
          return yield* new InvalidRequest({ field: "page_token", message: "page_token is not a token this service issued" })
        }
        const { a: afterRowId, s: syncId } = decoded.value
        const job = yield* jobs.get(syncId).pipe(Effect.option)
        if (Option.isNone(job) || job.value.status !== "succeeded" || job.value.file_bytes === null) {
          return yield* new InvalidRequest({
            field: "page_token",
            message: `page_token belongs to sync ${syncId}, which is no longer kept; list again without page_token`
          })
        }
        return { syncId, afterRowId }
      })

    /** A file that cannot be opened or read back is a server fault (500), not the caller's. */
    const withReader = <A, E>(syncId: string, use: (reader: C1zReader) => Effect.Effect<A, E>) =>
      Effect.scoped(readers.get(syncId).pipe(Effect.orDie, Effect.flatMap(use)))

    /** One page of a listing; reads `page_size + 1` rows to know whether another page follows. */
    const page = <A>(request: PageRequest, list: (reader: C1zReader, afterRowId: number) => Stream.Stream<C1zRow<A>, unknown>) =>
      Effect.gen(function*() {
        const size = request.page_size ?? DefaultPageSize
        const { afterRowId, syncId } = yield* chooseSync(Option.fromNullable(request.page_token))
        const rows = yield* withReader(syncId, (reader) =>
          list(reader, afterRowId).pipe(Stream.take(size + 1), Stream.runCollect, Effect.orDie))
        const items = Chunk.toReadonlyArray(Chunk.take(rows, size))
        const last = items.at(-1)
        const next = rows.length > size && last !== undefined ? encodeToken({ s: syncId, a: last.rowId }) : null
        return { sync_id: syncId, items: items.map((row) => row.value), next_page_token: next } satisfies Page<A>
      })

    const resources = (request: PageRequest & { readonly type?: string | undefined; readonly parent?: string | undefined }) =>
      page(request, (reader, afterRowId) =>
        reader.resources({
          afterRowId,
          ...(request.type === undefined ? {} : { resourceType: request.type }),
          ...(request.parent === undefined ? {} : { parent: parseResourceRef(request.parent) })
        })).pipe(Effect.withSpan("Queries.resources"))

    const entitlements = (request: PageRequest & { readonly resource?: string | undefined }) =>
      page(request, (reader, afterRowId) =>
        reader.entitlements({
          afterRowId,
          ...(request.resource === undefined ? {} : { resource: parseResourceRef(request.resource) })
        })).pipe(Effect.withSpan("Queries.entitlements"))

    const grants = (request: PageRequest & { readonly entitlement?: string | undefined; readonly principal?: string | undefined }) =>
      page(request, (reader, afterRowId) =>
        reader.grants({
          afterRowId,
          ...(request.entitlement === undefined ? {} : { entitlementId: request.entitlement }),
          ...(request.principal === undefined ? {} : { principal: parseResourceRef(request.principal) })
        })).pipe(Effect.withSpan("Queries.grants"))

    /** Everything a user or team holds; bounded by the number of entitlements, so it is one answer. */
    const access = (principal: ResourceId) =>
      Effect.gen(function*() {
        const { syncId } = yield* chooseSync(Option.none())
        return yield* withReader(syncId, (reader) =>
          Effect.gen(function*() {
            const resource = yield* reader.getResource(principal).pipe(Effect.orDie)
            if (Option.isNone(resource)) {
              return yield* new NotFound({
                message: `${principal.resourceType} ${principal.resource} is not in the latest sync (${syncId})`
              })
            }
            const held = yield* reader.grants({ principal }).pipe(
              Stream.map((row) => accessEntry(row.value)),
              Stream.runCollect,
              Effect.orDie
            )
            return {
              sync_id: syncId,
              principal: resource.value,
              grants: Chunk.toReadonlyArray(held)
            } satisfies PrincipalAccess
          }))
      }).pipe(Effect.withSpan("Queries.access"))

    return { resources, entitlements, grants, access } as const
  })
}) {}
