import { errorCodeOf } from "@baton-fivetran/fivetran-client"
import { ownerOnlyFile } from "@baton-fivetran/settings"
import { Array as Arr, Data, Effect, Option } from "effect"
import { constants } from "node:fs"
import { open } from "node:fs/promises"
import { join } from "node:path"
import { createdAtOf } from "./JobId.js"

/**
 * Builds before 2026-12-02 (a8b9559) wrote a job's record and `.c1z` with the umask's mode, 0644
 * under the usual 022, so every local user could read every Fivetran user's email, role and access.
 * A newer build writes its own files 0600, but left an older build's as they were for as long as
 * `--keep-syncs` kept them. The start makes them owner-only too. Each is opened without following a
 * link (a link named like a job's file is not the service's to change, nor is what it points to)
 * and changed through that descriptor; a file this process may not change is named in a warning.
 */

/** A file of the data directory that could not be made owner-only. */
class ModeNotChanged extends Data.TaggedError("ModeNotChanged")<{ readonly name: string; readonly cause: unknown }> {
  override get message() {
    return `${this.name}: ${errorCodeOf(this.cause) ?? "unknown error"}`
  }
}

const isJobFile = (name: string) =>
  Option.exists(Option.fromNullable(/^(.+)\.(?:json|c1z)$/.exec(name)?.[1]), (id) => Option.isSome(createdAtOf(id)))

/** Makes `name` owner-only when it is a regular file that others may read or write; whether it changed it. */
const makeOwnerOnly = (dataDir: string, name: string) =>
  Effect.tryPromise({
    try: async () => {
      const handle = await open(join(dataDir, name), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(
        (error: unknown) => {
          // O_NOFOLLOW's answer for a link: skipped, as the comment above says.
          if (errorCodeOf(error) === "ELOOP") return undefined
          throw error
        }
      )
      if (handle === undefined) return false
      try {
        const info = await handle.stat()
        if (!info.isFile() || (info.mode & 0o077) === 0) return false
        await handle.chmod(ownerOnlyFile)
        return true
      } finally {
        await handle.close()
      }
    },
    catch: (cause) => new ModeNotChanged({ name, cause })
  })

/** Makes the job files among `names` (the data directory's entries) owner-only, and says which it changed. */
export const makeOlderJobFilesOwnerOnly = (dataDir: string, names: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const [failures, changed] = yield* Effect.partition(
      names.filter(isJobFile),
      (name) => Effect.map(makeOwnerOnly(dataDir, name), (madeOwnerOnly) => madeOwnerOnly ? Option.some(name) : Option.none()),
      { concurrency: 8 }
    )
    const madeOwnerOnly = Arr.getSomes(changed)
    if (madeOwnerOnly.length > 0) {
      // Info, not a warning: nothing is wrong now, but a reader of the volume as another uid may ask why.
      yield* Effect.logInfo("made an older build's sync job files owner-only (0600)").pipe(
        Effect.annotateLogs({ files: madeOwnerOnly.join(", ") })
      )
    }
    if (failures.length > 0) {
      yield* Effect.logWarning("could not make an older build's sync job files owner-only (0600)").pipe(
        Effect.annotateLogs({ error: failures.map((failure) => failure.message).join("; ") })
      )
    }
  })
