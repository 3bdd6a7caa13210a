import { randomBytes } from "node:crypto"
import { readdir, rm, stat } from "node:fs/promises"
import { join } from "node:path"
import { Clock, Effect } from "effect"
import { leftBehind, type ScratchEntry } from "./ScratchOwners.js"

/**
 * A reader decompresses a `.c1z` into a private directory of its temporary directory (the OS's, or
 * the .c1z's own when that is not writable, unless `openC1z` is given one: ReaderTempDirectory.ts;
 * `c1z-<pid>-XXXXXX/db`, the size of the database) and removes it when it is closed; only a killed
 * process (SIGKILL, the OOM killer) leaves it behind, and the HTTP service always holds one open, so
 * each of its crashes left a copy of its latest sync in /tmp. Each open removes those left behind
 * (ScratchOwners.ts): never one a reader of this process or of another running one has open. A
 * name without a pid (a build before it was added) cannot say whose it is: while both builds share
 * a /tmp (an upgrade on one host) it may be an older reader's open copy, whose removal failed that
 * reader; such a directory counts as left only once nothing in it has changed for a day. Best effort.
 */

const readerDirectory = /^c1z-(?:([0-9]+)-)?[A-Za-z0-9]{6}$/

/** How long a reader directory without a pid stays untouched before it counts as left behind. */
const UNOWNED_AGE_MILLIS = 24 * 60 * 60 * 1000

const untouchedForADay = (path: string, now: number) => stat(path).then((found) => now - found.mtimeMs > UNOWNED_AGE_MILLIS, () => false)

const nameCharacters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

/**
 * A new reader directory's name, `c1z-<pid>-` and six random letters or digits as `mkdtemp` makes
 * them. Chosen before the directory exists, so that it is marked in use before a sweep can see it.
 */
export const readerDirectoryName = (): string =>
  `c1z-${process.pid}-${Array.from(randomBytes(6), (byte) => nameCharacters[byte % nameCharacters.length]).join("")}`

/**
 * Removes the reader directories left behind in `directory`; returns the paths removed. Names
 * without a pid are an older build's, which made them only in the temporary directory: elsewhere
 * (`unowned: false`, the .c1z's own directory) such a name is the user's, and kept.
 */
export const removeReaderLeftovers = (directory: string, options: { readonly unowned: boolean } = { unowned: true }) =>
  Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    const names = yield* Effect.promise(() => readdir(directory).catch(() => [] as Array<string>))
    const found = names.flatMap((name): Array<ScratchEntry> => {
      const match = readerDirectory.exec(name)
      if (match === null || (match[1] === undefined && !options.unowned)) return []
      return [{ name, owner: match[1] === undefined ? undefined : Number(match[1]), path: join(directory, name) }]
    })
    const owned = found.filter((entry) => entry.owner !== undefined)
    // Not watched: a reader's directory is in a temporary directory of its host's (the OS's, the
    // service's in its locked data directory), and the watch would hold the service's start 22 s
    // after a crash, near its liveness probe's 30 s.
    const ownedLeft = new Set(yield* Effect.map(leftBehind(owned, false), (left) => owned.filter((_, index) => left[index])))
    return yield* Effect.promise(async () => {
      const removed: Array<string> = []
      for (const entry of found) {
        const left = entry.owner === undefined ? await untouchedForADay(entry.path, now) : ownedLeft.has(entry)
        if (!left) continue
        await rm(entry.path, { recursive: true, force: true }).then(() => removed.push(entry.path), () => undefined)
      }
      return removed as ReadonlyArray<string>
    })
  })
