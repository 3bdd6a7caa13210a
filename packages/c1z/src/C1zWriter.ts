import type { LeftOutRows, SyncRow } from "@baton-fivetran/connector-core"
import { BinaryReader, BinaryWriter } from "@bufbuild/protobuf/wire"
import Database from "better-sqlite3"
import { withConsoleText } from "@baton-fivetran/fivetran-client/console-text"
import { Chunk, Clock, Effect, Option, Stream } from "effect"
import { closeSync, openSync } from "node:fs"
import { rename, rm, stat } from "node:fs/promises"
import { dirname, resolve } from "node:path"
import { type C1zError, type DiskFull, Io, InvalidRow } from "./C1zError.js"
import { compressDatabase, ownerOnlyFile } from "./Envelope.js"
import { type OptInAnnotations, writableAnnotationTypeUrls } from "./proto/AnnotationSupport.js"
import { type Encoders, makeEncoders } from "./proto/Encode.js"
import { EncodeFailure, writeMessage } from "./proto/Wire.js"
import { loadedTables, makeGrantInserts, makeRowInsert } from "./LoadedTables.js"
import { indexExternalIds } from "./RepeatedIds.js"
import { longestScratchTarget, scratchPathBeside } from "./ScratchOwners.js"
import { provideSqliteTempDirectory } from "./SqliteTempDirectory.js"
import { createLookupIndexes, createOtherUniqueIndexes, createTables, Tables } from "./SqliteSchema.js"
import { ksuid, sqliteTimestamp } from "./SyncRun.js"
import { takeOutMissingReferences } from "./MissingReferences.js"
import { diskFull } from "./OutOfSpace.js"

export interface C1zWriteOptions {
  /** The sync id to record; default a new KSUID. */
  readonly syncId?: string
  /** A fixed time for started_at, ended_at and discovered_at; default the Effect Clock. */
  readonly now?: Date
  /**
   * Rows per SQLite transaction; default 250. Each batch is one stretch of synchronous work: a
   * sync's responses wait behind it, and 1000 rows (~10 ms) kept them waiting longer with no gain
   * in the writer's own time (1M grants, alternating builds: 1.29-1.39× the lower bound at 250,
   * 1.30-1.42× at 1000).
   */
  readonly batchSize?: number
  /**
   * Annotation types newer than baton-sdk v0.7.27 to write as well; default none, so every released
   * `baton` CLI reads the file (proto/AnnotationSupport.ts).
   */
  readonly annotations?: OptInAnnotations
  /**
   * Runs once the writer has taken the last row: from then on it only indexes and compresses the
   * file and renames it into place (seconds at most), which a caller may let finish rather than stop.
   */
  readonly onRowsWritten?: Effect.Effect<void>
  /**
   * Runs as the finished file is renamed over the target, with the rename, uninterruptibly: an
   * interruption meanwhile waits for the rename, so that the target holds the previous file or the
   * new one, as the write's result says (one interrupted during it went on in the background and
   * might replace the target after the write had said it was interrupted).
   */
  readonly onReplacing?: Effect.Effect<void>
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
  /** Rows per table after upserts (a repeated id counts once), without the rows left out. */
  readonly counts: C1zTableCounts
  /**
   * The rows left out of the file because they name a parent, entitlement or principal it does not
   * hold: baton's listings fail on such a row (MissingReferences.ts). Empty unless the rows did.
   */
  readonly leftOut: LeftOutRows
  /**
   * When the file this write replaced was last written, if that was after this write began: another
   * writer (an overlapping sync into the same path, a copy over it) put it there meanwhile, and this
   * write's rename replaced it. None when the path held what it held at the start, or nothing.
   */
  readonly replacedMeanwhile: Option.Option<Date>
}

/** What tells one file at a path from another: its inode, and its last write. */
interface FileVersion {
  readonly dev: number
  readonly ino: number
  readonly mtimeMs: number
}

const fileVersion = (path: string): Promise<FileVersion | undefined> =>
  stat(path).then(({ dev, ino, mtimeMs }) => ({ dev, ino, mtimeMs }), () => undefined)

/** The version now at the path, when it is not the one found at the start. */
const changedSince = (before: FileVersion | undefined, now: FileVersion | undefined): Option.Option<Date> =>
  now !== undefined && (before === undefined || before.dev !== now.dev || before.ino !== now.ino || before.mtimeMs !== now.mtimeMs)
    ? Option.some(new Date(now.mtimeMs))
    : Option.none()

/**
 * The writer's load step: the returned function writes a chunk of rows in one transaction. The
 * chunk's blobs are encoded first, one after another into a single buffer, and each row is bound
 * with views of it: one buffer per chunk instead of one per row. Copying each row's bytes out of the
 * protobuf writer into a buffer of its own (an off-heap allocation per grant, then its garbage) was
 * the largest cost of the load.
 */
const makeRowWriter = (
  db: Database.Database,
  syncId: string,
  encode: Encoders
): (rows: ReadonlyArray<SyncRow>, at: string) => void => {
  const insertRow = makeRowInsert(db, syncId)
  const grants = makeGrantInserts(db, syncId)
  const encodeBlobs = makeBlobEncoder(encode)
  return db.transaction((rows: ReadonlyArray<SyncRow>, at: string) => {
    // Grants still buffered from a chunk whose transaction failed are not this chunk's.
    grants.reset()
    const blobs = new BinaryReader(encodeBlobs(rows))
    const next = (): Uint8Array => {
      blobs.tag()
      return blobs.bytes()
    }
    // Row ids are per table: buffering grants behind other rows leaves every table's order as it came.
    for (const row of rows) {
      const expansion = encode.expandable(row) !== undefined ? next() : null
      if (row._tag === "GrantRow") grants.add(row.value, next(), expansion, at)
      else insertRow(row, next(), expansion, at)
    }
    grants.flush(at)
  })
}

/** A chunk's blob buffer larger than this is not kept for the next chunk, so one huge chunk does not pin it. */
const keptChunkBytes = 4 * 1024 * 1024

/**
 * Encodes the blobs of a chunk's rows in row order (a grant's `expansion` before its `data`), as
 * consecutive entries of one buffer. The writer is kept from chunk to chunk: a fresh one regrows its
 * buffer from 128 bytes to a chunk's ~0.5 MiB, zero-filling and copying each size on the way.
 */
const makeBlobEncoder = (encode: Encoders) => {
  let writer = new BinaryWriter()
  return (rows: ReadonlyArray<SyncRow>): Uint8Array => {
    try {
      for (const row of rows) {
        const expandable = encode.expandable(row)
        if (expandable !== undefined) writeMessage(writer, 1, encode.expansion, expandable)
        writeMessage(writer, 1, encode.rowData, row)
      }
      const blobs = writer.finish()
      if (blobs.length > keptChunkBytes) writer = new BinaryWriter()
      return blobs
    } catch (failure) {
      // Half-way through a message: its state is not a writer's to reuse.
      writer = new BinaryWriter()
      throw failure
    }
  }
}

/** The database page size (set before the first table is created). */
const pageBytes = 65536

const openDatabase = (path: string, failed: (operation: string) => (cause: unknown) => Io | DiskFull) =>
  Effect.acquireRelease(
    Effect.try({
      try: () => {
        // Created here, owner-only: SQLite would make it 0644 under the usual umask, readable by every
        // local user while the sync runs (it holds what the .c1z does). An empty file is an empty database.
        closeSync(openSync(path, "wx", ownerOnlyFile))
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
        // The load only appends (the loaded tables are indexed after it), so a small page cache
        // (2 MiB) serves it as well as a large one: a 16 MiB cache filled up in a large sync and was
        // ~12 MB of the CLI's peak RSS.
        db.pragma("cache_size = -2048")
        for (const sql of [...createTables, ...createOtherUniqueIndexes]) db.exec(sql)
        return db
      },
      catch: failed("create the sync database")
    }),
    (db) => Effect.sync(() => db.open && db.close())
  )

const removeFiles = (paths: ReadonlyArray<string>) =>
  Effect.promise(() => Promise.all(paths.map((p) => rm(p, { force: true }).catch(() => undefined))))

/**
 * Lets the event loop take its pending I/O before the next batch. Fibers yield to each other as
 * microtasks, which I/O cannot come between: a backlog of rows (a phase's first rows, the derived
 * grants) was written batch after batch while responses waited, 0.1-0.4 s at a time.
 */
const ioTurn = Effect.async<void>((resume) => {
  const handle = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(handle))
})

const nowOr = (fixed: Date | undefined) =>
  fixed !== undefined ? Effect.succeed(fixed) : Effect.map(Clock.currentTimeMillis, (ms) => new Date(ms))

/** The longest target name (in bytes) whose scratch files' names fit in Linux's 255 (the journal's is the longest). */
export const longestSyncFileName = longestScratchTarget(".db-journal")

/**
 * Writes `rows` as one finished `full` sync into a v1 .c1z at `path`.
 *
 * Rows stream into an on-disk SQLite database beside the target in batched transactions (memory
 * stays flat), rows naming a parent, entitlement or principal it lacks are taken out (`leftOut`), the
 * database is closed cleanly, compressed file to file into a second temporary file, fsynced, and
 * only then renamed over `path`. On failure or interruption both temporary files are removed and
 * an existing `path` is left untouched.
 */
export const writeC1z = <E, R>(
  path: string,
  rows: Stream.Stream<SyncRow, E, R>,
  options: C1zWriteOptions = {}
): Effect.Effect<C1zWriteResult, C1zError | E, R> =>
  Effect.scoped(
    Effect.gen(function*() {
      const target = resolve(path)
      const startVersion = yield* Effect.promise(() => fileVersion(target))
      // Its pid tells a later run whether the writer is still alive (ScratchOwners.ts). In use before
      // the files exist and until they are removed (finalizers run in reverse order).
      const scratch = yield* scratchPathBeside(target)
      const databasePath = `${scratch}.db`
      const compressedPath = `${scratch}.tmp`
      // Added before the database is opened, so it runs after the handle is closed.
      yield* Effect.addFinalizer(() => removeFiles([databasePath, `${databasePath}-journal`, compressedPath]))

      const startedAt = yield* nowOr(options.now)
      const syncId = options.syncId ?? ksuid(startedAt)
      // The index builds of a large sync spill to SQLite's temporary files: beside the target when no other directory takes them.
      yield* provideSqliteTempDirectory(dirname(target))
      // Told apart as it is caught, while the scratch files are still there to measure.
      const dbError = (operation: string) => (cause: unknown): Io | DiskFull =>
        diskFull({ target, database: databasePath, operation, compressing: false }, cause) ??
          new Io({ path: databasePath, operation, cause })
      const db = yield* openDatabase(databasePath, dbError)

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
        Stream.rechunk(options.batchSize ?? 250),
        Stream.runForEachChunk((chunk) =>
          Effect.flatMap(nowOr(options.now), (at) =>
            Effect.try({
              try: () => insertBatch(Chunk.toReadonlyArray(chunk), sqliteTimestamp(at)),
              catch: (cause): C1zError =>
                cause instanceof EncodeFailure
                  ? new InvalidRow({ path: target, reason: cause.message })
                  : dbError("write sync rows")(cause)
            })).pipe(Effect.zipRight(ioTurn))
        )
      )

      if (options.onRowsWritten !== undefined) yield* options.onRowsWritten
      yield* Effect.logDebug("every row is written: indexing and compressing the sync file").pipe(
        Effect.annotateLogs({ path: target }),
        withConsoleText(`every row is written: indexing and compressing the sync file ${target}`, ["path"])
      )

      // A 1 MiB page cache for the index builds (they took ~15% less CPU than with 16 MiB when this
      // was set). It does not bound their sorts: SQLite sorts each index's keys in memory in runs of
      // at least 250 pages (16 MiB at 64 KiB a page; a larger cache only raises that) before merging,
      // so a large sync's finish holds up to 16 MiB of keys (heaptrack), a medium one's a few.
      yield* Effect.try({ try: () => db.pragma("cache_size = -1024"), catch: dbError("index the sync rows") })
      // One effect per index, so an interruption is honoured between these long statements.
      for (const table of loadedTables) {
        yield* Effect.try({ try: () => indexExternalIds(db, table), catch: dbError("index the sync rows") })
      }
      for (const sql of createLookupIndexes) {
        yield* Effect.try({ try: () => db.exec(sql), catch: dbError("index the sync rows") })
      }
      const leftOut = yield* Effect.try({
        try: () => takeOutMissingReferences(db, syncId),
        catch: dbError("check the rows' references")
      })
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

      yield* compressDatabase(databasePath, compressedPath).pipe(
        Effect.mapError((error) =>
          diskFull({ target, database: databasePath, operation: error.operation, compressing: true }, error.cause) ?? error
        )
      )
      const { bytes, replacedMeanwhile } = yield* Effect.uninterruptible(Effect.zipRight(
        options.onReplacing ?? Effect.void,
        Effect.tryPromise({
          try: async () => {
            const { size } = await stat(compressedPath)
            const replaced = await fileVersion(target)
            await rename(compressedPath, target)
            return { bytes: size, replacedMeanwhile: changedSince(startVersion, replaced) }
          },
          catch: (cause) => new Io({ path: target, operation: "move the finished .c1z into place", cause })
        })
      ))
      return { path: target, syncId, bytes, counts, leftOut, replacedMeanwhile }
    })
  )
