import { Effect } from "effect"
import { accessSync, constants, statSync } from "node:fs"

/**
 * SQLite writes temporary files of its own: an index build whose keys pass its in-memory sort's
 * 16 MiB (a sync of a large account, tens of thousands of users with long ids) spills sorted runs
 * to a file in the first writable directory of SQLITE_TMPDIR, TMPDIR, /var/tmp, /usr/tmp, /tmp and
 * the working directory (os_unix.c, unixTempFileDir). In a hardened container (a read-only root file
 * system, no TMPDIR) none is writable, and such a sync failed as it indexed its rows with "disk I/O
 * error" (SQLITE_IOERR_GETTEMPPATH), after its whole run. better-sqlite3's SQLite is built without
 * the pragma that names the directory (SQLITE_OMIT_DEPRECATED drops temp_store_directory), and SQLite
 * reads the two variables once, as the process opens its first database.
 */

/** SQLite's candidates after the two variables, in its order. */
const sqliteDefaults = ["/var/tmp", "/usr/tmp", "/tmp", "."]

/** What SQLite checks of a candidate: a directory it may write in and search (access W_OK|X_OK). */
export const writableDirectory = (dir: string): boolean => {
  try {
    if (!statSync(dir).isDirectory()) return false
    accessSync(dir, constants.W_OK | constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** The directory SQLite writes its temporary files in, as it chooses it: none when no candidate is writable. */
export const sqliteTempDirectory = (): string | undefined =>
  [process.env["SQLITE_TMPDIR"], process.env["TMPDIR"], ...sqliteDefaults]
    .find((dir): dir is string => dir !== undefined && dir !== "" && writableDirectory(dir))

/**
 * Run before a database is opened: when SQLite would find no writable directory for its temporary
 * files, names `fallback` (a directory the caller writes in anyway: the sync file's, a reader's
 * working copy's) in SQLITE_TMPDIR. SQLite deletes each such file as it opens it, so a killed
 * process leaves none there. A SQLITE_TMPDIR or TMPDIR the operator set and SQLite can use is kept;
 * once SQLite has read the variables (the process's first open), a later call changes nothing.
 */
export const provideSqliteTempDirectory = (fallback: string): Effect.Effect<void> =>
  Effect.suspend(() => {
    if (sqliteTempDirectory() !== undefined) return Effect.void
    process.env["SQLITE_TMPDIR"] = fallback
    return Effect.logDebug(
      `no writable temporary directory for SQLite (TMPDIR, /var/tmp, /tmp): it writes its temporary files in ${fallback}`
    )
  })
