import { outOfFilesProblem } from "@baton-fivetran/fivetran-client/out-of-files"
import { Data } from "effect"
import type { DatabaseSize } from "./SqliteHeader.js"

/**
 * What follows the v1 magic, when it is not a sync file's content: nothing; bytes that do not start
 * a zstd frame; a zstd stream of something other than a SQLite database (a decompression bomb of
 * zeros is refused after its first decompressed bytes); a SQLite database without baton's tables;
 * or the path names no regular file at all (a named pipe, a device: ReadableFile.ts).
 */
export type NotAC1zPayload = "empty" | "not zstd" | "not SQLite" | "no baton tables" | "not a regular file"

const payloadProblems: { readonly [P in NotAC1zPayload]: string } = {
  "empty": "it is the 5-byte header \"C1ZF\\0\" with nothing after it (a sync file's header is followed by its zstd-compressed database)",
  "not zstd": "what follows its header \"C1ZF\\0\" is not zstd-compressed data",
  "not SQLite": "its payload is not a SQLite database",
  "no baton tables": "its database is SQLite but has none of baton's tables (v1_resources, v1_grants, v1_sync_runs, ...)",
  "not a regular file": "it is not a regular file"
}

/**
 * The file is not a sync file: it starts with neither the v1 magic `C1ZF\0` nor v3's, or (`payload`)
 * it does but what follows is not a sync file's content.
 */
export class NotAC1z extends Data.TaggedError("NotAC1z")<{
  readonly path: string
  readonly payload?: NotAC1zPayload
  /** What the path names instead, for "not a regular file" ("a named pipe (FIFO)"). */
  readonly kind?: string
}> {
  override get message() {
    return this.payload === undefined
      ? `${this.path}: not a .c1z file (bad magic; expected the v1 header "C1ZF\\0")`
      : this.kind !== undefined
      ? `${this.path} is ${this.kind}, not a .c1z sync file`
      : `${this.path} is not a c1z sync file: ${payloadProblems[this.payload]}`
  }
}

/**
 * The file is a v3 .c1z (`C1Z3\0`: baton-sdk's Pebble storage, the default for new files since
 * baton-sdk v0.25; docs/c1z-format.md §1), which this reader does not read: reading a Pebble store
 * from TypeScript is not realistic.
 */
export class UnsupportedVersion extends Data.TaggedError("UnsupportedVersion")<{ readonly path: string; readonly version: "v3" }> {
  override get message() {
    return `${this.path} is a ${this.version} .c1z (header "C1Z3", baton-sdk's Pebble storage), which this tool does not read: it reads v1 files (header "C1ZF"). Sync again into a v1 file: baton-sdk connectors write one with --storage-engine sqlite, this connector always does`
  }
}

/** The file holds no `full` sync run with an `ended_at`, so there is nothing finished to read. */
export class NoFinishedSync extends Data.TaggedError("NoFinishedSync")<{ readonly path: string }> {
  override get message() {
    return `${this.path}: the .c1z holds no finished full sync (was the sync interrupted? run it again)`
  }
}

/** A file-system or SQLite operation failed. */
export class Io extends Data.TaggedError("Io")<{
  readonly path: string
  readonly operation: string
  readonly cause: unknown
}> {
  override get message() {
    const missing = missingAddOn(this.cause)
    if (missing !== undefined) return `${this.path}: could not ${this.operation}: ${missing}`
    const reason = this.cause instanceof Error ? this.cause.message : String(this.cause)
    // Out of descriptors, the path, disk and permissions are not the matter: the limit is.
    const advice = outOfFilesProblem(errorCode(this.cause)) ?? "check the path, free disk space and permissions"
    return `${this.path}: could not ${this.operation}: ${reason} (${advice})`
  }
}

/**
 * Where a sync file's write found no room: the directory of the file, where its scratch database
 * and compressed file are written, or SQLite's temporary directory, where indexing a large sync
 * spills its sort (SqliteTempDirectory.ts). Each needs its own fix.
 */
export type FullDirectory =
  | { readonly _tag: "BesideFile"; readonly directory: string }
  | { readonly _tag: "SqliteTemp"; readonly directory: string }

/** A size as the errors give it: `1.9 MiB`, never less than `0.1 MiB`. */
const mebibytes = (bytes: number): string => `${Math.max(0.1, Number((bytes / 1024 ** 2).toFixed(1)))} MiB`

/**
 * The finished file is about 1/15 of its database (a medium sandbox account's: 11 MB to 650 KB,
 * 1/17; a large one's: 107 MB to 7.3 MB, 1/15); so a sync needs free beside the file it replaces
 * about 18 times that file's size, its database and then its new file. Indexing a sync that spills
 * sorts keys of about 1/25 of the database (a large account grown 4 times: 26 MiB of a 720 MB database).
 */
const compressedShare = 15
const neededPerFileByte = 18
const spilledShare = 25

/**
 * A sync file could not be written for want of disk space (ENOSPC, SQLITE_FULL): says where the
 * space ran out and about how much a sync needs there, which Io's "free disk space" did not (and
 * for a full temporary directory, it pointed beside the file).
 */
export class DiskFull extends Data.TaggedError("DiskFull")<{
  /** The sync file being written. */
  readonly path: string
  readonly operation: string
  readonly cause: unknown
  readonly full: FullDirectory
  /** The scratch database's size when the write failed. */
  readonly databaseBytes: number
  /** Whether the database was finished and being compressed into the file. */
  readonly compressing: boolean
  /** The size of the sync file the path held before, if any: a sync of the same account needs about as much again. */
  readonly previousFileBytes: number | undefined
}> {
  /** `ENOSPC` or `SQLITE_FULL`. */
  get code(): string {
    return errorCode(this.cause) ?? "ENOSPC"
  }

  /** How much is needed there, naming no path. */
  get shortage(): string {
    const database = this.databaseBytes
    if (this.full._tag === "SqliteTemp") {
      return `indexing this sync sorts its keys in a temporary file there, about ${mebibytes(database / spilledShare)} ` +
        `(1/${spilledShare} of the sync database, ${mebibytes(database)} so far); SQLite takes the first writable of ` +
        "SQLITE_TMPDIR, TMPDIR, /var/tmp, /tmp"
    }
    if (this.compressing) {
      return `the sync database there is ${mebibytes(database)}, and the file compressed from it needs about ` +
        `${mebibytes(database / compressedShare)} more beside it (1/${compressedShare} of the database) before it replaces the sync file`
    }
    const previous = this.previousFileBytes
    const estimate = previous !== undefined && previous * neededPerFileByte > database
      ? `; with the sync file there now (${mebibytes(previous)}), a sync of the same account needs about ` +
        `${mebibytes(previous * neededPerFileByte)} free there`
      : ""
    return `the sync database there had reached ${mebibytes(database)} and was still growing; a sync needs room beside ` +
      `the file for its whole database, then about 1/${compressedShare} of it more for the compressed file${estimate}`
  }

  override get message() {
    const { directory } = this.full
    return this.full._tag === "SqliteTemp"
      ? `${this.path}: could not ${this.operation}: no space left in ${directory}, SQLite's temporary directory ` +
        `(${this.code}): ${this.shortage}: set SQLITE_TMPDIR (or TMPDIR) to a directory with that much room, or free space in ${directory}`
      : `${this.path}: could not ${this.operation}: no space left in ${directory}, the sync file's directory ` +
        `(${this.code}): ${this.shortage}: free space in ${directory}, or write the sync file to a disk with more room`
  }
}

/** Whether `error` is a native add-on Node could not load (missingAddOn): the installation's fault, not the path's. */
export const isMissingAddOn = (error: C1zError): boolean => error._tag === "Io" && missingAddOn(error.cause) !== undefined

/**
 * A native add-on (better-sqlite3, zstd-napi) that Node could not load: a bundle run away from the
 * node_modules it was built with. The path, disk and permissions are not the matter, and Node's
 * "Require stack" lines are noise in a one-line error.
 */
const missingAddOn = (cause: unknown): string | undefined => {
  if (errorCode(cause) !== "MODULE_NOT_FOUND" || !(cause instanceof Error)) return undefined
  const name = cause.message.match(/Cannot find module '([^']+)'/)?.[1] ?? "a native add-on"
  return `the native add-on ${name} is not installed where this program runs: run it from a checkout set up with ` +
    "pnpm install, which builds its add-ons for this Node (docs/deploy.md, The image)"
}

/** The `code` of a Node or SQLite error (`ENOSPC`, `SQLITE_FULL`), if it has one. */
export const errorCode = (cause: unknown): string | undefined =>
  typeof cause === "object" && cause !== null && "code" in cause && typeof cause.code === "string" ? cause.code : undefined

/**
 * The reader's working copy of the file (its database, decompressed into a directory of its own
 * under `directory`) could not be made or read: the directory is missing, not writable or full. The
 * file itself may be fine; a caller can tell the two apart and say what to fix where.
 */
export class WorkingCopyFailed extends Data.TaggedError("WorkingCopyFailed")<{
  readonly path: string
  readonly directory: string
  readonly operation: string
  readonly cause: unknown
}> {
  /** The Node or SQLite error code of the cause (`ENOSPC`, `SQLITE_FULL`), if it has one. */
  get code(): string | undefined {
    return errorCode(this.cause)
  }

  override get message() {
    const reason = this.cause instanceof Error ? this.cause.message : String(this.cause)
    return `${this.path}: could not ${this.operation} in ${this.directory}: ${reason} (the reader copies the decompressed sync there: check that the directory exists, is writable and has free space)`
  }
}

/**
 * SQLite found the reader's working copy (`copy`, decompressed under `directory`) damaged in a read
 * after the open had decompressed and checked the file (its zstd checksum, its tables, its sync
 * run): something cut or changed the copy under the reader (a tmp cleaner, a failing disk), so the
 * file is not the cause and writing it again would not help. A fresh open reads it again.
 */
export class WorkingCopyDamaged extends Data.TaggedError("WorkingCopyDamaged")<{
  readonly path: string
  readonly directory: string
  readonly copy: string
  readonly reason: string
}> {
  override get message() {
    return `${this.copy}: the working copy of ${this.path} was damaged while it was read (${this.reason}); ` +
      `the .c1z itself was checked when it was opened and is not the cause: check the disk of ${this.directory} ` +
      "and any tmp cleaner that removes or cuts files there, then read it again"
  }
}

/** The file has the right magic but its content cannot be read back (zstd, SQLite or protobuf). */
export class Corrupt extends Data.TaggedError("Corrupt")<{ readonly path: string; readonly reason: string }> {
  override get message() {
    return `${this.path}: the .c1z is damaged: ${this.reason} (write it again)`
  }
}

/**
 * The database inside decompresses to more than it can hold: past the size its SQLite header
 * declares (page size × page count), or, when the header declares none, past a cap; or its header
 * declares more than the cap, refused at the header. A decompression bomb (a small file of a SQLite
 * header and gigabytes of zeros) or a damaged file; refused as soon as it passes the limit, with
 * nothing past the limit written and the partial copy removed.
 */
export class OversizedDatabase extends Data.TaggedError("OversizedDatabase")<{
  readonly path: string
  /** What the header says of the size. */
  readonly size: DatabaseSize
  /** The limit passed: page size × page count, or the cap when the header declares no size or more than it. */
  readonly limitBytes: number
  /** What the decompressed database had reached when it was stopped, the step that passed the limit included. */
  readonly reachedBytes: number
}> {
  override get message() {
    if (this.size._tag === "Declared" && this.size.pageBytes * this.size.pages > this.limitBytes) {
      return `${this.path}: the .c1z is damaged or not a sync file: its SQLite header declares a database of ` +
        `${this.size.pageBytes * this.size.pages} bytes (${this.size.pages} pages of ${this.size.pageBytes} bytes), more than ` +
        `${this.limitBytes} bytes, the most a sync file may hold (baton's own reader's limit); refused before any of it was written`
    }
    const limit = this.size._tag === "Declared"
      ? `the ${this.limitBytes} bytes its SQLite header declares (${this.size.pages} page${
        this.size.pages === 1 ? "" : "s"
      } of ${this.size.pageBytes} bytes)`
      : `${this.limitBytes} bytes, the most a database whose SQLite header does not declare its size may hold`
    return `${this.path}: the .c1z is damaged or not a sync file: its database decompresses to more than ${limit}; ` +
      `stopped at ${this.reachedBytes} bytes`
  }
}

/** A row handed to the writer cannot be encoded (for example a timestamp that is not ISO-8601). */
export class InvalidRow extends Data.TaggedError("InvalidRow")<{ readonly path: string; readonly reason: string }> {
  override get message() {
    return `${this.path}: a sync row cannot be written: ${this.reason}`
  }
}

export type C1zError =
  | NotAC1z
  | UnsupportedVersion
  | NoFinishedSync
  | Io
  | DiskFull
  | WorkingCopyFailed
  | WorkingCopyDamaged
  | Corrupt
  | OversizedDatabase
  | InvalidRow

/** Whether a failure is the `.c1z` writer's or reader's own (C1zError), not a defect or another stream's. */
export const isC1zError = (error: unknown): error is C1zError =>
  error instanceof Io || error instanceof DiskFull || error instanceof InvalidRow || error instanceof Corrupt ||
  error instanceof NotAC1z || error instanceof UnsupportedVersion || error instanceof NoFinishedSync ||
  error instanceof WorkingCopyFailed || error instanceof WorkingCopyDamaged || error instanceof OversizedDatabase
