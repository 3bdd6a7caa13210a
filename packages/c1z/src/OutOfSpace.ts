import { statfsSync, statSync } from "node:fs"
import { dirname, resolve } from "node:path"
import { DiskFull, errorCode, type FullDirectory } from "./C1zError.js"
import { sqliteTempDirectory } from "./SqliteTempDirectory.js"

/**
 * A writer's failure for want of disk space, told where the space ran out. SQLite says only
 * "database or disk is full" (SQLITE_FULL), whether the sync database beside the file filled its
 * disk or an index build's sort filled SQLite's temporary directory; the two are told apart by
 * the disks as the write failed: the database's disk has less than a write left when it was the
 * one that filled, while a sort's temporary file is gone (and its room given back) by the time
 * SQLite reports the failure.
 */

/**
 * Room the file's disk may have left and still be the one that filled: SQLite writes 64 KiB
 * pages, so that disk has less than one left; the margin covers others' small writes meanwhile.
 */
const fullDiskRoomBytes = 1024 * 1024

/** Free bytes on the disk of `directory`: root may also write in the blocks reserved for it. */
const freeBytes = (directory: string): number => {
  const disk = statfsSync(directory)
  return (process.getuid?.() === 0 ? disk.bfree : disk.bavail) * disk.bsize
}

const sizeOf = (path: string): number | undefined => {
  try {
    return statSync(path).size
  } catch {
    return undefined
  }
}

/** Where a failure beside `target` for want of space happened, when it was not in the compressed file. */
const fullDirectory = (target: string): FullDirectory => {
  const beside: FullDirectory = { _tag: "BesideFile", directory: dirname(target) }
  const temporary = sqliteTempDirectory()
  try {
    if (temporary === undefined || statSync(temporary).dev === statSync(beside.directory).dev) return beside
    return freeBytes(beside.directory) < fullDiskRoomBytes ? beside : { _tag: "SqliteTemp", directory: resolve(temporary) }
  } catch {
    return beside
  }
}

export interface WriteFailure {
  /** The sync file being written. */
  readonly target: string
  /** Its scratch database. */
  readonly database: string
  readonly operation: string
  /** Whether the database was being compressed into the file beside it. */
  readonly compressing: boolean
}

/**
 * `cause` as DiskFull when it is a want of space (ENOSPC, SQLITE_FULL), else undefined. Run as the
 * failure is caught, before the scratch files are removed: their sizes and the disks' free space
 * are what tell where it ran out and how much is needed.
 */
export const diskFull = (failure: WriteFailure, cause: unknown): DiskFull | undefined => {
  const code = errorCode(cause)
  if (code !== "ENOSPC" && code !== "SQLITE_FULL") return undefined
  return new DiskFull({
    path: failure.target,
    operation: failure.operation,
    cause,
    full: failure.compressing ? { _tag: "BesideFile", directory: dirname(failure.target) } : fullDirectory(failure.target),
    databaseBytes: sizeOf(failure.database) ?? 0,
    compressing: failure.compressing,
    previousFileBytes: sizeOf(failure.target)
  })
}
