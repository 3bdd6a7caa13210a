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
 *
 * Those builds made the data directory itself 0755 too (c960614 made it 0700), as does an operator's
 * `mkdir` under the usual umask, which let every local user list the syncs and watch them come and
 * go. The start takes group's and others' access
 * off it when it is this process's uid's: a directory of another uid (a volume's root, given to the
 * service through its group) is the operator's to set, and root could change anyone's. What the
 * directory holds is owner-only already, so closing it takes no reader anything it could read.
 */

/** Group's and others' permission bits. */
const notOwnerBits = 0o077

/** The data directory, or a file of it, that could not be made owner-only. */
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
        if (!info.isFile() || (info.mode & notOwnerBits) === 0) return false
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

/** `mode`'s permission bits as `chmod` takes them (`0755`). */
const octal = (mode: number) => `0${(mode & 0o7777).toString(8)}`

/**
 * Takes group's and others' access off `dataDir` when this process's uid owns it and they have
 * some (its other bits, setgid included, kept), and says so once: the next start finds it closed.
 */
export const makeOlderDataDirOwnerOnly = (dataDir: string) =>
  Effect.tryPromise({
    try: async () => {
      const handle = await open(dataDir, constants.O_RDONLY | constants.O_DIRECTORY)
      try {
        const info = await handle.stat()
        if (info.uid !== process.getuid?.() || (info.mode & notOwnerBits) === 0) return Option.none()
        const mode = info.mode & 0o7777 & ~notOwnerBits
        await handle.chmod(mode)
        return Option.some({ previous_mode: octal(info.mode), mode: octal(mode) })
      } finally {
        await handle.close()
      }
    },
    catch: (cause) => new ModeNotChanged({ name: dataDir, cause })
  }).pipe(
    Effect.flatMap(Option.match({
      onNone: () => Effect.void,
      onSome: (modes) =>
        Effect.logInfo("made the data directory owner-only").pipe(
          Effect.annotateLogs({ directory: dataDir, ...modes })
        )
    })),
    Effect.catchAll((failure) =>
      Effect.logWarning("could not make the data directory owner-only").pipe(
        Effect.annotateLogs({ error: failure.message })
      )
    )
  )
