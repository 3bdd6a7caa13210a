import { FileSystem, Path } from "@effect/platform"
import { Effect, Option } from "effect"

/**
 * Files of the data directory this process may not read: what a run as another uid left there,
 * typically a Deployment moved to `runAsNonRoot` over a volume its root runs wrote (every file is
 * owner-only, 0600). Such a start stopped on the first it touched, with Node's
 * `PermissionDenied: FileSystem.readFile (.../page-token.key): EACCES: ...`, or listed the kept
 * syncs as rebuilt from files it could not open. Found before anything reads them, the start is
 * refused with one line naming them, their owners and the remedy. Root reads everything: not checked.
 */

/** How many names the refusal shows; the rest are counted. */
const shownNames = 5

/** The refusal's reason, or none when this process may read every entry of `dataDir`. */
export const othersFiles = (dataDir: string): Effect.Effect<Option.Option<string>, never, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const uid = process.getuid?.()
    if (uid === undefined || uid === 0) return Option.none()
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const names = yield* fs.readDirectory(dataDir).pipe(Effect.orElseSucceed((): ReadonlyArray<string> => []))
    const found = yield* Effect.forEach(
      [...names].sort(),
      (name) =>
        Effect.gen(function*() {
          const entry = path.join(dataDir, name)
          const readable = yield* fs.access(entry, { readable: true }).pipe(Effect.as(true), Effect.orElseSucceed(() => false))
          if (readable) return Option.none()
          const owner = yield* fs.stat(entry).pipe(Effect.map((info) => info.uid), Effect.orElseSucceed(() => Option.none<number>()))
          return Option.some({ name, owner })
        }),
      { concurrency: 8 }
    )
    const unreadable = found.flatMap(Option.toArray)
    if (unreadable.length === 0) return Option.none()
    const owners = [...new Set(unreadable.flatMap(({ owner }) => Option.toArray(owner)))].sort((a, b) => a - b)
    const shown = unreadable.slice(0, shownNames).map(({ name }) => name).join(", ")
    const more = unreadable.length > shownNames ? ` and ${unreadable.length - shownNames} more` : ""
    const ownedBy = owners.length === 0 ? "another user" : `uid ${owners.join(", ")}`
    return Option.some(
      `the data directory ${JSON.stringify(dataDir)} holds files this process (uid ${uid}) may not read, owned by ` +
        `${ownedBy}: ${shown}${more} (left by a run as another user, such as root before runAsNonRoot): ` +
        `give them to this uid (chown -R ${uid} ${dataDir}, by hand or in an initContainer), or run as their owner; ` +
        "fsGroup does not help, as they are owner-only"
    )
  })
