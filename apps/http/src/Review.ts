import {
  accountRoleHolders,
  type C1zError,
  type C1zReader,
  diffReaders,
  endedAfter,
  reviewRows,
  type ReviewScope,
  syncedAt,
  userRows
} from "@baton-fivetran/c1z"
import {
  csvRecord,
  type DiffKind,
  DiffKinds,
  type DiffSyncs,
  echoed,
  emailOf,
  type Resource,
  resourceRef,
  ReviewColumns,
  statusText,
  UserColumns
} from "@baton-fivetran/connector-core"
import { HttpServerResponse } from "@effect/platform"
import { Chunk, Effect, Option, Schema, Stream } from "effect"
import { type AccountRoles, type DiffPage, InvalidRequest, NotFound, type PrincipalMatch } from "@baton-fivetran/http-api"
import { PageTokens } from "./PageTokens.js"
import { resourceSearch } from "./ResourceSearch.js"
import { ScanTurns } from "./ScanTurns.js"
import { SyncJobs } from "./SyncJobs.js"
import { SyncReaders } from "./SyncReaders.js"
import { parseResourceRef } from "./TypeChecks.js"

/**
 * The access-review endpoints over kept syncs, on the c1z package's access review (the same code
 * as the CLI's `diff` and `export`): the diff of two syncs in keyset pages, the review sheet
 * streamed as CSV or JSON lines, a search for principals, and the account roles a destination's
 * sheet points to, all through the shared SyncReaders.
 */

const DefaultPageSize = 100
const DefaultSearchLimit = 20

/** A diff token's position (signed: PageTokens.ts): `{"b": base sync, "t": target sync, "k": kind, "i": last id}`. */
const DiffPosition = Schema.Struct({
  b: Schema.String,
  t: Schema.String,
  k: Schema.Literal(...DiffKinds),
  i: Schema.String
})

const contentTypes = { csv: "text/csv; charset=utf-8", jsonl: "application/x-ndjson; charset=utf-8" }

/** The two syncs a diff compares, as each of its items names them (the CLI's diff rows do too). */
const diffSyncs = (base: C1zReader, target: C1zReader): DiffSyncs => ({
  old_sync_id: base.syncRun.syncId,
  old_synced_at: syncedAt(base.syncRun),
  new_sync_id: target.syncRun.syncId,
  new_synced_at: syncedAt(target.syncRun)
})

const match = (resource: Resource): PrincipalMatch => ({
  id: resourceRef(resource),
  type: resource.id.resourceType === "team" ? "team" : "user",
  name: resource.displayName ?? "",
  email: emailOf(resource),
  status: statusText(resource)
})

export class Review extends Effect.Service<Review>()("baton-http/Review", {
  scoped: Effect.gen(function*() {
    const jobs = yield* SyncJobs
    const readers = yield* SyncReaders
    const { collectInTurn } = yield* ScanTurns
    const latest = readers.latest
    const tokens = (yield* PageTokens).codec("diff", DiffPosition)
    /** A kept sync's reader (NotFound for a sync that is not kept). */
    const reader = (syncId: string) => Effect.zipRight(jobs.fileOf(syncId), readers.reader(syncId))
    /** `use` of a kept sync's reader, open for it alone (SyncReaders' withReader). */
    const withKept = <A, E, R>(syncId: string, use: (open: C1zReader) => Effect.Effect<A, E | C1zError, R>) =>
      Effect.zipRight(jobs.fileOf(syncId), readers.withReader(syncId, use))

    const diff = (
      syncId: string,
      request: { readonly base: string; readonly page_size?: number | undefined; readonly page_token?: string | undefined }
    ) =>
      Effect.gen(function*() {
        const size = request.page_size ?? DefaultPageSize
        let from: { readonly kind: DiffKind; readonly id: string } | undefined
        if (request.page_token !== undefined) {
          const token = yield* tokens.read(request.page_token)
          if (token.b !== request.base || token.t !== syncId) {
            return yield* new InvalidRequest({
              field: "page_token",
              message: "page_token is not a token this service issued for this pair of syncs; " +
                "repeat the base of the page it came from, or list again without page_token"
            })
          }
          from = { kind: token.k, id: token.i }
        }
        const { entries, reversed, syncs } = yield* Effect.scoped(Effect.gen(function*() {
          const base = yield* reader(request.base)
          const target = yield* reader(syncId)
          const listed = yield* diffReaders(base, target, from).pipe(
            Stream.take(size + 1),
            Stream.runCollect,
            // The failure names its file: the sync whose reader failed is the one answered for.
            Effect.catchAll((error) => readers.readFailed(error.path === base.path ? request.base : syncId)(error))
          )
          // Said, as the CLI's diff warns of it: the pair's order is the caller's, and a reader skims past the ids.
          const reversed = endedAfter(base.syncRun, target.syncRun)
          return { entries: listed, syncs: diffSyncs(base, target), reversed }
        }))
        const items = Chunk.toReadonlyArray(Chunk.take(entries, size)).map((entry) => ({ ...entry, ...syncs }))
        const last = items.at(-1)
        return {
          sync_id: syncId,
          base_sync_id: request.base,
          items,
          next_page_token: entries.length > size && last !== undefined
            ? tokens.issue({ b: request.base, t: syncId, k: last.kind, i: last.id })
            : null,
          reversed
        } satisfies DiffPage
      }).pipe(Effect.withSpan("Review.diff"))

    const notInSync = (syncId: string, what: string) =>
      Effect.fail(new NotFound({ message: `${what} is not in the latest sync (${syncId})` }))

    /**
     * The sheet's sync opens before the answer starts (the open reader is kept for its rows), so a
     * working copy that cannot be made is a 503, not a 200 cut off. The principal, entitlement or
     * resource a sheet is asked for must be in the sync: a typo answered with an empty sheet read
     * as "holds nothing" (the access view and the CLI's export refuse it too).
     */
    const inSync = (syncId: string, scope: ReviewScope) =>
      withKept(syncId, (open) =>
        Effect.gen(function*() {
          switch (scope._tag) {
            case "All":
              return
            case "Entitlement":
              if (Option.isNone(yield* open.getEntitlement(scope.entitlementId))) {
                return yield* notInSync(syncId, `entitlement ${echoed(scope.entitlementId)}`)
              }
              return
            case "Principal":
            case "Resource": {
              const id = scope._tag === "Principal" ? scope.principal : scope.resource
              if (Option.isNone(yield* open.getResource(id))) {
                return yield* notInSync(syncId, `${id.resourceType} ${echoed(id.resource)}`)
              }
            }
          }
        }))

    /** Which rows a sheet is asked for: at most one of principal, entitlement and resource. */
    const sheetScope = (request: {
      readonly principal?: string | undefined
      readonly entitlement?: string | undefined
      readonly resource?: string | undefined
    }): Effect.Effect<ReviewScope, InvalidRequest> => {
      const given = (["principal", "entitlement", "resource"] as const).filter((field) => request[field] !== undefined)
      if (given.length > 1) {
        return Effect.fail(
          new InvalidRequest({ field: given[1]!, message: `give one of principal, entitlement and resource, not ${given.join(" and ")}` })
        )
      }
      if (request.principal !== undefined) return Effect.succeed({ _tag: "Principal", principal: parseResourceRef(request.principal) })
      if (request.entitlement !== undefined) return Effect.succeed({ _tag: "Entitlement", entitlementId: request.entitlement })
      if (request.resource === undefined) return Effect.succeed({ _tag: "All" })
      const resource = parseResourceRef(request.resource)
      // A user has no entitlements: its sheet would be empty, read as "nobody has access to it".
      return resource.resourceType === "user"
        ? Effect.fail(
          new InvalidRequest({
            field: "resource",
            message: "resource: a user has no entitlements; its access is principal=user:<id> " +
              "(resource takes a group, connection, role or team)"
          })
        )
        : Effect.succeed({ _tag: "Resource", resource })
    }

    /**
     * A sheet's rows as a streamed download named `<name>-<sync id>.<format>`, its CSV headed by
     * `columns`. The reader is held for the request's scope, which lasts until the body is sent, and
     * taken before the head goes out: taken by the body's first pull, a stop beginning in between cut
     * a 200 after its CSV header (the service's readers are released early in the stop), and the
     * process exited 0.
     */
    const streamedSheet = <Row extends Record<string, string>>(
      syncId: string,
      name: string,
      format: "csv" | "jsonl",
      columns: ReadonlyArray<keyof Row & string>,
      rows: (open: C1zReader) => Stream.Stream<Row, C1zError>
    ) =>
      Effect.map(reader(syncId), (open) => {
        const text = format === "csv"
          ? (row: Row) => csvRecord(columns.map((column) => row[column]))
          : (row: Row) => `${JSON.stringify(row)}\n`
        const lines = rows(open).pipe(
          Stream.map(text),
          Stream.rechunk(500),
          Stream.mapChunks((chunk) => Chunk.of(Chunk.join(chunk, ""))),
          Stream.encodeText,
          Stream.orDie
        )
        const header = format === "csv" ? Stream.make(new TextEncoder().encode(csvRecord(columns))) : Stream.empty
        return HttpServerResponse.stream(Stream.concat(header, lines), {
          contentType: contentTypes[format],
          headers: { "content-disposition": `attachment; filename="${name}-${syncId}.${format}"` }
        })
      })

    /** The sheet of the latest sync as a streamed download; the reader stays open until the last row. */
    const exportSheet = (request: {
      readonly format?: "csv" | "jsonl" | undefined
      readonly principal?: string | undefined
      readonly entitlement?: string | undefined
      readonly resource?: string | undefined
    }) =>
      Effect.gen(function*() {
        const scope = yield* sheetScope(request)
        const syncId = yield* latest
        yield* inSync(syncId, scope)
        return yield* streamedSheet(syncId, "access-review", request.format ?? "csv", ReviewColumns, (open) => reviewRows(open, scope))
      }).pipe(Effect.withSpan("Review.export"))

    /** The users sheet of the latest sync (c1z's userRows), streamed as the access sheet is. */
    const exportUsers = (request: { readonly format?: "csv" | "jsonl" | undefined }) =>
      Effect.flatMap(latest, (syncId) => streamedSheet(syncId, "users", request.format ?? "csv", UserColumns, userRows)).pipe(
        Effect.withSpan("Review.exportUsers")
      )

    const searchPrincipals = (request: { readonly q?: string | undefined; readonly limit?: number | undefined }) =>
      Effect.gen(function*() {
        const syncId = yield* latest
        // A blank or absent `q` lists every user and team (the explorer's empty search box).
        const search = resourceSearch(request.q)
        const found = yield* withKept(syncId, (open) =>
          collectInTurn(
            Stream.fromIterable(["user", "team"]).pipe(
              Stream.flatMap((resourceType) => open.sorted.resources({ resourceType, mayMatch: search?.mayMatch })),
              Stream.map((row) => row.value),
              Stream.filter((resource) => search === undefined || search.matches(resource)),
              Stream.take(request.limit ?? DefaultSearchLimit)
            )
          ))
        return { sync_id: syncId, items: Chunk.toReadonlyArray(found).map(match) }
      }).pipe(Effect.withSpan("Review.searchPrincipals"))

    /** The account roles that reach every destination and connection without rows on their sheets (c1z's AccountRoles.ts). */
    const accountRoles = Effect.gen(function*() {
      const syncId = yield* latest
      const items = yield* withKept(syncId, accountRoleHolders)
      return { sync_id: syncId, items } satisfies AccountRoles
    }).pipe(Effect.withSpan("Review.accountRoles"))

    return { diff, exportSheet, exportUsers, searchPrincipals, accountRoles } as const
  })
}) {}
