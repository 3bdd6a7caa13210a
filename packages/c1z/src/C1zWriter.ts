import type { Entitlement, Grant, Resource, ResourceType, SyncRow } from "@baton-fivetran/connector-core"
import Database from "better-sqlite3"
import { Chunk, Clock, Effect, Stream } from "effect"
import { randomBytes } from "node:crypto"
import { rename, rm, stat } from "node:fs/promises"
import { basename, dirname, join, resolve } from "node:path"
import { type C1zError, Io, InvalidRow } from "./C1zError.js"
import { compressDatabase } from "./Envelope.js"
import { type OptInAnnotations, writableAnnotationTypeUrls } from "./proto/AnnotationSupport.js"
import { type Encoders, makeEncoders } from "./proto/Encode.js"
import { EncodeFailure, toBytes } from "./proto/Wire.js"
import { indexExternalIds, type LoadedTable } from "./RepeatedIds.js"
import { createLookupIndexes, createOtherUniqueIndexes, createTables, Tables } from "./SqliteSchema.js"
import { ksuid, sqliteTimestamp } from "./SyncRun.js"

export interface C1zWriteOptions {
  /** The sync id to record; default a new KSUID. */
  readonly syncId?: string
  /** A fixed time for started_at, ended_at and discovered_at; default the Effect Clock. */
  readonly now?: Date
  /** Rows per SQLite transaction; default 1000. */
  readonly batchSize?: number
  /**
   * Annotation types newer than baton-sdk v0.7.27 to write as well; default none, so every released
   * `baton` CLI reads the file (proto/AnnotationSupport.ts).
   */
  readonly annotations?: OptInAnnotations
}

export interface C1zTableCounts {
  readonly resourceTypes: number
  readonly resources: number
  readonly entitlements: number
  readonly grants: number
}

export interface C1zWriteResult {
  readonly path: string
  readonly syncId: string
  /** Size of the written .c1z file. */
  readonly bytes: number
  /** Rows per table after upserts (a repeated id counts once). */
  readonly counts: C1zTableCounts
}

/** The loaded tables and their columns in insert order. */
const loadedColumns = {
  [Tables.resourceTypes]: ["external_id", "data", "sync_id", "discovered_at"],
  [Tables.resources]: [
    "resource_type_id",
    "external_id",
    "parent_resource_type_id",
    "parent_resource_id",
    "data",
    "sync_id",
    "discovered_at"
  ],
  [Tables.entitlements]: ["resource_type_id", "resource_id", "external_id", "data", "sync_id", "discovered_at"],
  [Tables.grants]: [
    "resource_type_id",
    "resource_id",
    "entitlement_id",
    "principal_resource_type_id",
    "principal_resource_id",
    "external_id",
    "expansion",
    "needs_expansion",
    "data",
    "sync_id",
    "discovered_at"
  ]
} as const

const loadedTables: ReadonlyArray<LoadedTable> = Object.entries(loadedColumns).map(([name, columns]) => ({
  name: name as LoadedTable["name"],
  updated: columns.filter((c) => c !== "external_id" && c !== "sync_id")
}))

/** A plain append: a repeated (external_id, sync_id) is resolved after the load (RepeatedIds.ts). */
const insert = (table: keyof typeof loadedColumns): string => {
  const columns = loadedColumns[table]
  return `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`
}

/** Prepared statements of one sync; `insertBatch` writes a chunk of rows in one transaction. */
export const makeRowWriter = (
  db: Database.Database,
  syncId: string,
  encode: Encoders
): (rows: ReadonlyArray<SyncRow>, at: string) => void => {
  const resourceType = db.prepare(insert(Tables.resourceTypes))
  const resource = db.prepare(insert(Tables.resources))
  const entitlement = db.prepare(insert(Tables.entitlements))
  const grant = db.prepare(insert(Tables.grants))

  const writeResourceType = (value: ResourceType, at: string) => resourceType.run(value.id, toBytes(encode.resourceType, value), syncId, at)
  const writeResource = (value: Resource, at: string) =>
    resource.run(
      value.id.resourceType,
      `${value.id.resourceType}:${value.id.resource}`,
      value.parentResourceId?.resourceType ?? null,
      value.parentResourceId?.resource ?? null,
      toBytes(encode.resource, value),
      syncId,
      at
    )
  const writeEntitlement = (value: Entitlement, at: string) =>
    entitlement.run(
      value.resource.id.resourceType,
      value.resource.id.resource,
      value.id,
      toBytes(encode.entitlement, value),
      syncId,
      at
    )
  const writeGrant = (value: Grant, at: string) => {
    const { data, expansion } = encode.grantRow(value)
    grant.run(
      value.entitlement.resource.id.resourceType,
      value.entitlement.resource.id.resource,
      value.entitlement.id,
      value.principal.id.resourceType,
      value.principal.id.resource,
      value.id,
      expansion,
      expansion === null ? 0 : 1,
      data,
      syncId,
      at
    )
  }

  return db.transaction((rows: ReadonlyArray<SyncRow>, at: string) => {
    for (const row of rows) {
      switch (row._tag) {
        case "ResourceTypeRow":
          writeResourceType(row.value, at)
          break
        case "ResourceRow":
          writeResource(row.value, at)
          break
        case "EntitlementRow":
          writeEntitlement(row.value, at)
          break
        case "GrantRow":
          writeGrant(row.value, at)
          break
      }
    }
  })
}

/** The database page size (set before the first table is created). */
const pageBytes = 65536

const openDatabase = (path: string) =>
  Effect.acquireRelease(
    Effect.try({
      try: () => {
        const db = new Database(path)
        // 64 KiB pages (SQLite's largest) instead of its default 4 KiB: each index build scans the whole
        // table, and a million grants' scans and sorts take ~30% less CPU, and the load ~10% less, on a
        // sixteenth of the pages. Any page size reads the same in every SQLite (docs/c1z-format.md §1).
        db.pragma(`page_size = ${pageBytes}`)
        // A rollback journal (not WAL) leaves a single self-contained file once closed (docs/c1z-format.md
        // §1). It is kept in memory, and the file locked once: the database is a scratch file nobody else
        // opens, so the journal file each batch's transaction would create and delete, and the locking
        // around it, buy nothing. The journal holds only the pages a transaction changes, not the new ones
        // it appends, so it stays small.
        db.pragma("journal_mode = MEMORY")
        db.pragma("locking_mode = EXCLUSIVE")
        // The database is a scratch file: durability comes from fsyncing the final .c1z before the rename.
        db.pragma("synchronous = OFF")
        // A fixed page cache (16 MiB) keeps index inserts fast without memory growing with the row count.
        db.pragma("cache_size = -16384")
        for (const sql of [...createTables, ...createOtherUniqueIndexes]) db.exec(sql)
        return db
      },
      catch: (cause) => new Io({ path, operation: "create the sync database", cause })
    }),
    (db) => Effect.sync(() => db.open && db.close())
  )

const removeFiles = (paths: ReadonlyArray<string>) =>
  Effect.promise(() => Promise.all(paths.map((p) => rm(p, { force: true }).catch(() => undefined))))

const nowOr = (fixed: Date | undefined) =>
  fixed !== undefined ? Effect.succeed(fixed) : Effect.map(Clock.currentTimeMillis, (ms) => new Date(ms))

/**
 * Writes `rows` as one finished `full` sync into a v1 .c1z at `path`.
 *
 * Rows stream into an on-disk SQLite database beside the target in batched transactions (memory
 * stays flat), the database is closed cleanly, compressed file to file into a second temporary
 * file, fsynced, and only then renamed over `path`. On failure or interruption both temporary
 * files are removed and an existing `path` is left untouched.
 */
export const writeC1z = <E, R>(
  path: string,
  rows: Stream.Stream<SyncRow, E, R>,
  options: C1zWriteOptions = {}
): Effect.Effect<C1zWriteResult, C1zError | E, R> =>
  Effect.scoped(
    Effect.gen(function*() {
      const target = resolve(path)
      const scratch = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString("hex")}`)
      const databasePath = `${scratch}.db`
      const compressedPath = `${scratch}.tmp`
      // Added first, so it runs last: after the database handle below is closed.
      yield* Effect.addFinalizer(() => removeFiles([databasePath, `${databasePath}-journal`, compressedPath]))

      const startedAt = yield* nowOr(options.now)
      const syncId = options.syncId ?? ksuid(startedAt)
      const db = yield* openDatabase(databasePath)
      const dbError = (operation: string) => (cause: unknown) => new Io({ path: databasePath, operation, cause })

      const insertBatch = yield* Effect.try({
        try: () => {
          db.prepare(`INSERT INTO ${Tables.syncRuns} (sync_id, started_at, ended_at, sync_token, sync_type,
            parent_sync_id, linked_sync_id, supports_diff) VALUES (?, ?, NULL, '', 'full', '', '', 1)`)
            .run(syncId, sqliteTimestamp(startedAt))
          return makeRowWriter(db, syncId, makeEncoders(writableAnnotationTypeUrls(options.annotations)))
        },
        catch: dbError("start the sync run")
      })

      yield* rows.pipe(
        Stream.rechunk(options.batchSize ?? 1000),
        Stream.runForEachChunk((chunk) =>
          Effect.flatMap(nowOr(options.now), (at) =>
            Effect.try({
              try: () => insertBatch(Chunk.toReadonlyArray(chunk), sqliteTimestamp(at)),
              catch: (cause): C1zError =>
                cause instanceof EncodeFailure
                  ? new InvalidRow({ path: target, reason: cause.message })
                  : dbError("write sync rows")(cause)
            }))
        )
      )

      // Each index build sorts its keys in runs of the page cache's size, then merges them: runs of
      // 1 MiB fit the CPU's caches, and the builds take ~15% less CPU than with the 16 MiB runs.
      yield* Effect.try({ try: () => db.pragma("cache_size = -1024"), catch: dbError("index the sync rows") })
      // One effect per index, so an interruption is honoured between these long statements.
      for (const table of loadedTables) {
        yield* Effect.try({ try: () => indexExternalIds(db, table), catch: dbError("index the sync rows") })
      }
      for (const sql of createLookupIndexes) {
        yield* Effect.try({ try: () => db.exec(sql), catch: dbError("index the sync rows") })
      }
      const endedAt = yield* nowOr(options.now)
      const counts = yield* Effect.try({
        try: (): C1zTableCounts => {
          db.prepare(`UPDATE ${Tables.syncRuns} SET ended_at = ? WHERE sync_id = ?`).run(sqliteTimestamp(endedAt), syncId)
          const count = (table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n
          const result = {
            resourceTypes: count(Tables.resourceTypes),
            resources: count(Tables.resources),
            entitlements: count(Tables.entitlements),
            grants: count(Tables.grants)
          }
          db.close()
          return result
        },
        catch: dbError("finish the sync run")
      })

      yield* compressDatabase(databasePath, compressedPath)
      const bytes = yield* Effect.tryPromise({
        try: async () => {
          const { size } = await stat(compressedPath)
          await rename(compressedPath, target)
          return size
        },
        catch: (cause) => new Io({ path: target, operation: "move the finished .c1z into place", cause })
      })
      return { path: target, syncId, bytes, counts }
    })
  )
