import { randomBytes } from "node:crypto"
import { readdir, rm } from "node:fs/promises"
import { join } from "node:path"
import { Effect } from "effect"
import { isLeftBehind } from "./ScratchOwners.js"

/**
 * A reader decompresses a `.c1z` into a private directory of its temporary directory (the OS's
 * unless `openC1z` is given one: `c1z-<pid>-XXXXXX/db`, the size of the database) and removes it when it is closed; only a killed
 * process (SIGKILL, the OOM killer) leaves it behind, and the HTTP service always holds one open, so
 * each of its crashes left a copy of its latest sync in /tmp. Each open removes those left behind
 * (ScratchOwners.ts): never one a reader of this process or of another running one has open. Names
 * without a pid (from builds before it was added) count as left. Best effort.
 */

const readerDirectory = /^c1z-(?:([0-9]+)-)?[A-Za-z0-9]{6}$/

const nameCharacters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

/**
 * A new reader directory's name, `c1z-<pid>-` and six random letters or digits as `mkdtemp` makes
 * them. Chosen before the directory exists, so that it is marked in use before a sweep can see it.
 */
export const readerDirectoryName = (): string =>
  `c1z-${process.pid}-${Array.from(randomBytes(6), (byte) => nameCharacters[byte % nameCharacters.length]).join("")}`

/** Removes the reader directories left behind in `directory`; returns the paths removed. */
export const removeReaderLeftovers = (directory: string) =>
  Effect.promise(async () => {
    const names = await readdir(directory).catch(() => [] as Array<string>)
    const removed: Array<string> = []
    for (const name of names) {
      const match = readerDirectory.exec(name)
      if (match === null || !isLeftBehind(name, match[1] === undefined ? undefined : Number(match[1]))) continue
      const path = join(directory, name)
      await rm(path, { recursive: true, force: true }).then(() => removed.push(path), () => undefined)
    }
    return removed as ReadonlyArray<string>
  })
