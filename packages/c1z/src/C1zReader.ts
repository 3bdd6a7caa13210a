import {
  type Entitlement,
  type Grant,
  type Resource,
  type ResourceId,
  resourceRefOf,
  type ResourceType
} from "@baton-fivetran/connector-core"
import Database from "better-sqlite3"
import { Chunk, Effect, Either, ExecutionStrategy, Exit, Option, Scope, Stream } from "effect"
import { type Stats, statSync } from "node:fs"
import { mkdir, rm } from "node:fs/promises"
import { join } from "node:path"
import { type C1zError, Corrupt, errorCode, Io, NoFinishedSync, NotAC1z, WorkingCopyDamaged, WorkingCopyFailed } from "./C1zError.js"
import { readerDirectoryName, removeReaderLeftovers } from "./ReaderLeftovers.js"
import { readerTempDirectory, type ReaderTempDirectory } from "./ReaderTempDirectory.js"
import { provideSqliteTempDirectory } from "./SqliteTempDirectory.js"
import {
  type BlobRow,
  blobColumns,
  entitlementOfRow,
  grantOfRow,
  idColumn,
  oversizedIdReason,
  resourceOfRow,
  resourceTypeOfRow,
  rowIdLimitBytes
} from "./RowBlob.js"
import { checkMagic, decompressDatabase } from "./Envelope.js"
import { entitlementDecoder } from "./proto/Decode.js"
import {
  entitlementQuery,
  type EntitlementFilter,
  everything,
  grantQuery,
  type GrantFilter,
  listingIndexes,
  listingSql,
  type Query,
  resourceQuery,
  type ResourceFilter
} from "./Listing.js"
import { integrityProblems, missingReferenceProblems, oversizedIdProblems, rowCounts, type Verified } from "./Integrity.js"
import { upgradeOlderSchema } from "./OlderSchemas.js"
import { takePage } from "./PageBudget.js"
import { notPlainTables } from "./PlainTables.js"
import { missingReadColumn, missingReadTable } from "./ReadColumns.js"
import { type CursorRow, type SortedListings, sortedListings } from "./SortedListings.js"
import { useScratchName } from "./ScratchOwners.js"
import { Tables } from "./SqliteSchema.js"
import { decodeSyncRunRow, rfc3339Time } from "./SyncRunRow.js"
import type { SyncRun } from "./SyncRun.js"

/** One row of a listing: its SQLite row id (the paging cursor) and the decoded message. */
export interface C1zRow<A> {
  readonly rowId: number
  readonly value: A
}

export type { EntitlementFilter, GrantFilter, ResourceFilter } from "./Listing.js"

/**
 * A .c1z opened for reading: the latest finished full sync and its rows. Listings are streams in
 * row-id order, fetched a page at a time through the SQL columns and indexes; page them with
 * `afterRowId` + `limit` (only the rows asked for are read and decoded).
 */
export interface C1zReader {
  readonly path: string
  /** Times are RFC 3339 (UTC), converted from the file's text. */
  readonly syncRun: SyncRun
  readonly resourceTypes: Stream.Stream<ResourceType, C1zError>
  readonly resources: (filter?: ResourceFilter) => Stream.Stream<C1zRow<Resource>, C1zError>
  readonly entitlements: (filter?: EntitlementFilter) => Stream.Stream<C1zRow<Entitlement>, C1zError>
  readonly grants: (filter?: GrantFilter) => Stream.Stream<C1zRow<Grant>, C1zError>
  readonly getResource: (id: ResourceId) => Effect.Effect<Option.Option<Resource>, C1zError>
  readonly getEntitlement: (id: string) => Effect.Effect<Option.Option<Entitlement>, C1zError>
  readonly getGrant: (id: string) => Effect.Effect<Option.Option<Grant>, C1zError>
  /** The same rows in id order, for comparing and exporting syncs (SortedListings.ts). */
  readonly sorted: SortedListings
}

/** Rows fetched per query while streaming, unless the filter's `limit` asks for fewer. */
const pageSize = 1000

/** What a listing selects of a row: its blobs through `blobColumns`, which leaves one over the limit unread. */
const dataColumns = `id, ${idColumn("external_id")}, ${blobColumns(["data"])}`
const grantColumns = `id, ${idColumn("external_id")}, ${blobColumns(["data", "expansion"])}`

/** A batch of grants decodes each distinct embedded entitlement once (entitlementDecoder). */
const grantBatch = () => {
  const entitlementOf = entitlementDecoder()
  return (row: BlobRow) => grantOfRow(row, entitlementOf)
}

/** Where a reader makes its working copy, unless told otherwise (`c1z-<pid>-XXXXXX/db` in it). */
export interface OpenOptions {
  /**
   * The directory the decompressed database goes in (a directory of its own inside); default: the
   * OS's temporary directory, or the .c1z's own when that is not writable (ReaderTempDirectory.ts).
   */
  readonly tempDirectory?: string | undefined
}

/**
 * SQLite failing for want of room or access on the working copy's disk (SQLITE_FULL, SQLITE_IOERR_*,
 * SQLITE_CANTOPEN, SQLITE_READONLY*), rather than for what the file holds.
 */
const workingCopyCodes = /^SQLITE_(?:FULL|IOERR|CANTOPEN|READONLY)/

/**
 * Opens `path`: checks the magic, decompresses (streamed, Envelope.ts) into a private directory of
 * the temporary directory, removed when the scope closes, and selects the finished `full` sync with
 * the newest `ended_at`. If the open fails, the directory and the database are removed at once, not
 * when the caller's scope closes (a CLI `diff` or the HTTP service's reader cache may hold that
 * scope open). A copy that cannot be made or read for want of room or access is `WorkingCopyFailed`;
 * one SQLite finds damaged in a read after the open, changed since the open, is `WorkingCopyDamaged`.
 */
export const openC1z = (path: string, options: OpenOptions = {}): Effect.Effect<C1zReader, C1zError, Scope.Scope> =>
  Effect.map(openWorkingCopy(path, options), (opened) => opened.reader)

/**
 * Opens `path` as openC1z does (every refusal of the open), then runs SQLite's full integrity check
 * of its database (Integrity.ts): the reader trusts the indexes a file brings, and rebuilding them
 * at every open would cost seconds on a large file. A check that finds anything is Corrupt with its
 * first lines. Then an id over the reader's limit (RowBlob.ts), and the rows that name a resource, entitlement or principal the sync does not hold
 * (MissingReferences.ts), which baton's own listings stop at: Corrupt with their counts. Else the
 * sync and its rows' counts.
 */
export const verifyC1z = (path: string, options: OpenOptions = {}): Effect.Effect<Verified, C1zError, Scope.Scope> =>
  Effect.flatMap(openWorkingCopy(path, options), (opened) => opened.verify)

interface Opened {
  readonly reader: C1zReader
  readonly verify: Effect.Effect<Verified, C1zError>
}

const openWorkingCopy = (path: string, options: OpenOptions): Effect.Effect<Opened, C1zError, Scope.Scope> =>
  Effect.flatMap(
    Effect.scope,
    (outer) =>
      Effect.flatMap(Scope.fork(outer, ExecutionStrategy.sequential), (scope) =>
        Effect.flatMap(
          options.tempDirectory === undefined
            ? readerTempDirectory(path)
            : Effect.succeed<ReaderTempDirectory>({ directory: options.tempDirectory, besideFile: false }),
          (temporary) => openReader(path, temporary)
        ).pipe(
          Scope.extend(scope),
          Effect.onExit((exit) => Exit.isFailure(exit) ? Scope.close(scope, exit) : Effect.void)
        ))
  )

const openReader = (path: string, temporary: ReaderTempDirectory): Effect.Effect<Opened, C1zError, Scope.Scope> =>
  Effect.gen(function*() {
    const tempDirectory = temporary.directory
    yield* checkMagic(path)
    yield* removeReaderLeftovers(tempDirectory, { unowned: !temporary.besideFile })
    const name = readerDirectoryName()
    const copyFailed = (operation: string) => (cause: unknown) =>
      new WorkingCopyFailed({ path, directory: tempDirectory, operation, cause })
    // Marked in use before it exists, and until it is removed: another open's sweep leaves it alone.
    yield* useScratchName(name, [join(tempDirectory, name)])
    const directory = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: async () => {
          const dir = join(tempDirectory, name)
          await mkdir(dir, { mode: 0o700 })
          return dir
        },
        catch: copyFailed("create the working copy's directory")
      }),
      (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
    )
    const databasePath = join(directory, "db")
    yield* decompressDatabase(path, databasePath)
    // Adding an index to a large copy spills to SQLite's temporary files: in the temporary directory when no other takes them.
    yield* provideSqliteTempDirectory(tempDirectory)
    // Opened read-write: the reader adds the listing indexes it lacks (Listing.ts).
    const db = yield* Effect.acquireRelease(
      Effect.try({
        try: () => new Database(databasePath, { fileMustExist: true }),
        catch: copyFailed("open the decompressed database")
      }),
      (db) => Effect.sync(() => db.close())
    )

    const corrupt = (cause: unknown) => new Corrupt({ path, reason: cause instanceof Error ? cause.message : String(cause) })
    /** The working copy as the open left it: the reader itself changes it no more. */
    let openedCopy: Option.Option<Stats> = Option.none()
    /**
     * Whether the copy was removed, cut or written since the open. A page deep in a file's database
     * can be damaged though its zstd checksum (of what was compressed) holds: SQLite finds it only
     * when a listing reaches it, and the file, not the copy, is the cause.
     */
    const copyChanged = (): boolean => {
      const now = statSync(databasePath, { throwIfNoEntry: false })
      return Option.match(openedCopy, {
        onNone: () => true,
        onSome: (opened) => now === undefined || now.ino !== opened.ino || now.size !== opened.size || now.mtimeMs !== opened.mtimeMs
      })
    }
    /**
     * What a failed query (or blob decode) means: SQLite and protobuf failures mean a damaged file,
     * but for those of the copy's disk (full, unwritable). Once the open has decompressed the file
     * (its zstd checksum checked) and read it, a SQLite failure on a copy changed since (cut by a tmp
     * cleaner) is the copy's, damaged under the reader; on a copy as the open left it, and a blob
     * that does not decode, it is the file's.
     */
    const failure = (afterOpen: boolean) => (cause: unknown): C1zError => {
      const code = errorCode(cause) ?? ""
      return cause instanceof Error && /not open/.test(cause.message)
        ? new Io({ path, operation: "read the .c1z after it was closed", cause })
        : workingCopyCodes.test(code)
        ? copyFailed("read the working copy")(cause)
        : afterOpen && code.startsWith("SQLITE_") && copyChanged()
        ? new WorkingCopyDamaged({
          path,
          directory: tempDirectory,
          copy: databasePath,
          reason: cause instanceof Error ? cause.message : String(cause)
        })
        : corrupt(cause)
    }
    /** Runs a query of the open, which checks the file. */
    const attempt = <A>(run: () => A): Effect.Effect<A, C1zError> => Effect.try({ try: run, catch: failure(false) })
    /** Runs a query of the open reader. */
    const read = <A>(run: () => A): Effect.Effect<A, C1zError> => Effect.try({ try: run, catch: failure(true) })

    // A SQLite file of another program behind the header: the upgrade below would have created
    // baton's tables in it, and the refusal said the sync was interrupted.
    const batonTables = yield* attempt(() =>
      db.prepare(
        `SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN (${Object.values(Tables).map(() => "?").join(", ")})`
      ).get(...Object.values(Tables)) as { n: number }
    )
    if (batonTables.n === 0) return yield* new NotAC1z({ path, payload: "no baton tables" })
    const notPlain = yield* attempt(() => notPlainTables(db))
    if (Option.isSome(notPlain)) {
      return yield* new Corrupt({
        path,
        reason: `${notPlain.value}: baton writes its rows in plain tables, and the reader runs no query a file brings`
      })
    }

    const missingTable = yield* attempt(() => missingReadTable(db))
    if (Option.isSome(missingTable)) return yield* new Corrupt({ path, reason: missingTable.value })

    // A scratch file removed with its directory: nothing needs a journal or a sync to disk. An older
    // file's schema is brought up to date first: the listing indexes and queries name the newer columns.
    yield* attempt(() => {
      db.pragma("journal_mode = OFF")
      db.pragma("synchronous = OFF")
      upgradeOlderSchema(db)
    })
    const missing = yield* attempt(() => missingReadColumn(db))
    if (Option.isSome(missing)) return yield* new Corrupt({ path, reason: `${missing.value}, which the reader reads` })
    yield* attempt(() => {
      for (const sql of listingIndexes) db.exec(sql)
    })

    const found = yield* attempt(() =>
      db.prepare(
        `SELECT id, ${idColumn("sync_id")}, started_at, ended_at, sync_type FROM ${Tables.syncRuns}
         WHERE sync_type = 'full' AND ended_at IS NOT NULL ORDER BY ended_at DESC, id DESC LIMIT 1`
      ).get() as { id?: unknown; sync_id_bytes?: unknown } | undefined
    )
    if (found === undefined) return yield* new NoFinishedSync({ path })
    if (typeof found.sync_id_bytes === "number" && found.sync_id_bytes > rowIdLimitBytes) {
      return yield* new Corrupt({
        path,
        reason: oversizedIdReason(`${Tables.syncRuns} row ${String(found.id)}`, "sync_id", found.sync_id_bytes)
      })
    }
    const run = yield* Either.mapLeft(decodeSyncRunRow(Tables.syncRuns, found), (reason) => new Corrupt({ path, reason }))
    const syncId = run.sync_id

    openedCopy = Option.some(
      yield* Effect.try({ try: () => statSync(databasePath), catch: copyFailed("read the working copy") })
    )

    const statements = new Map<string, Database.Statement>()
    const prepared = (sql: string) => {
      const cached = statements.get(sql)
      if (cached !== undefined) return cached
      const statement = db.prepare(sql)
      statements.set(sql, statement)
      return statement
    }

    /**
     * Streams `table` in row-id order after `afterRowId`, at most `limit` rows, `pageSize` rows per
     * query (fewer when fewer are left to take, or when their blobs reach the page's budget:
     * PageBudget.ts), resuming after the last id seen. Each query's rows are decoded by a fresh
     * `batch()` decoder.
     */
    const list = <A>(
      table: string,
      columns: string,
      query: Query,
      filter: { readonly afterRowId?: number; readonly limit?: number },
      batch: () => (row: BlobRow) => A
    ): Stream.Stream<C1zRow<A>, C1zError> => {
      const sql = listingSql(table, columns, query)
      const start = { after: filter.afterRowId ?? 0, left: filter.limit ?? Number.POSITIVE_INFINITY }
      return Stream.paginateChunkEffect(start, ({ after, left }) =>
        read(() => {
          const size = Math.min(pageSize, left)
          const { more, rows } = size <= 0
            ? { rows: [], more: false }
            : takePage(prepared(sql).iterate(syncId, ...query.params, after, size) as IterableIterator<BlobRow>, size)
          const decode = batch()
          const page = rows.map((row) => ({ rowId: row.id, value: decode(row) }))
          const last = rows.at(-1)
          return [
            Chunk.unsafeFromArray(page),
            !more || last === undefined
              ? Option.none()
              : Option.some({ after: last.id, left: left - rows.length })
          ] as const
        }))
    }

    const byExternalId = <A>(table: string, columns: string, externalId: string, decode: (row: BlobRow) => A) =>
      read(() => {
        const row = prepared(`SELECT ${columns} FROM ${table} WHERE external_id = ? AND sync_id = ?`)
          .get(externalId, syncId) as BlobRow | undefined
        return row === undefined ? Option.none() : Option.some(decode(row))
      })

    const syncRun: SyncRun = {
      syncId,
      startedAt: rfc3339Time(run.started_at),
      endedAt: rfc3339Time(run.ended_at),
      type: run.sync_type
    }
    const reader = {
      path,
      syncRun,
      resourceTypes: list(Tables.resourceTypes, dataColumns, everything, {}, () => resourceTypeOfRow).pipe(
        Stream.map((row) => row.value)
      ),
      resources: (filter = {}) => list(Tables.resources, dataColumns, resourceQuery(filter), filter, () => resourceOfRow),
      entitlements: (filter = {}) => list(Tables.entitlements, dataColumns, entitlementQuery(filter), filter, () => entitlementOfRow),
      grants: (filter = {}) => list(Tables.grants, grantColumns, grantQuery(filter), filter, grantBatch),
      getResource: (id) => byExternalId(Tables.resources, dataColumns, resourceRefOf(id), resourceOfRow),
      getEntitlement: (id) => byExternalId(Tables.entitlements, dataColumns, id, entitlementOfRow),
      getGrant: (id) => byExternalId(Tables.grants, grantColumns, id, grantBatch()),
      sorted: sortedListings({
        syncId,
        all: (sql, params, decode) => read(() => prepared(sql).all(...params).map(decode)),
        page: (sql, params, limit, decode) =>
          read(() => {
            const { more, rows } = takePage(
              prepared(sql).iterate(...params) as IterableIterator<CursorRow>,
              limit
            )
            return { rows: rows.map(decode), more }
          })
      })
    } satisfies C1zReader
    const verify = Effect.gen(function*() {
      const problems = yield* read(() => integrityProblems(db))
      if (Option.isSome(problems)) {
        return yield* new Corrupt({ path, reason: `SQLite's integrity_check of its database reports: ${problems.value}` })
      }
      const oversized = yield* read(() => oversizedIdProblems(db, syncId))
      if (Option.isSome(oversized)) return yield* new Corrupt({ path, reason: oversized.value })
      // Checked once the indexes are known whole: the lookups go through them.
      const missing = yield* read(() => missingReferenceProblems(db, syncId))
      if (Option.isSome(missing)) return yield* new Corrupt({ path, reason: missing.value })
      // Every row's blobs decoded, as the listings decode them: a row the review commands refuse as
      // damaged (a grant's data that is no protobuf) passed, and the file was filed as evidence.
      yield* Stream.runDrain(reader.resourceTypes)
      yield* Stream.runDrain(reader.resources())
      yield* Stream.runDrain(reader.entitlements())
      yield* Stream.runDrain(reader.grants())
      const counts = yield* read(() => rowCounts(db, syncId))
      return { path, syncRun, ...counts } satisfies Verified
    })
    return { reader, verify }
  })
