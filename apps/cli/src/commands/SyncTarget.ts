import { checkMagic } from "@baton-fivetran/c1z"
import { deniedReadText, fileKindName, readDenied, readTextWithin } from "@baton-fivetran/settings"
import { FileSystem, Path } from "@effect/platform"
import { Effect, Option, Schema } from "effect"
import { lstat } from "node:fs/promises"
import { UsageError } from "../UsageError.js"

/**
 * Where a sync writes `--file` (and `--summary-file`): the file a user named, through any symbolic
 * links. The sync writes a new file beside the target and renames it there, so a link is followed
 * first: renamed over the link itself, the new file would replace the link and leave the file it
 * points to (a shared volume, a "current" link) as it was.
 */
export interface SyncTarget {
  /** The flag that named it, without its dashes. */
  readonly flag: string
  /** As the user gave it: what messages name. */
  readonly given: string
  /** As messages show it: as given, and the file it links to, if it is a link. */
  readonly shown: string
  /** The absolute path the rename lands on. */
  readonly path: string
}

/** Linux's limit on links followed in one path (ELOOP). */
const MaxLinks = 40

const stickyBit = 0o1000
const othersWrite = 0o002

/**
 * Linux's fs.protected_symlinks rule, which a rename does not apply by itself: in a sticky directory
 * anyone may write in (/tmp), a link is followed only if this user or the directory's owner made it.
 * Otherwise anyone could plant `/tmp/sync.c1z -> /etc/shadow` for a root job to replace.
 */
const mayFollow = (link: string, directory: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const dir = yield* fs.stat(directory)
    if ((dir.mode & stickyBit) === 0 || (dir.mode & othersWrite) === 0) return true
    const owner = yield* Effect.tryPromise(() => lstat(link)).pipe(Effect.map((info) => info.uid))
    return owner === process.geteuid?.() || Option.contains(dir.uid, owner)
  }).pipe(Effect.orElseSucceed(() => false))

/**
 * The path a write to `file` lands on: each link in turn read and resolved against its own
 * directory. A dangling link resolves to the file it names, which the sync then creates.
 */
const throughLinks = (flag: string, file: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    let current = path.resolve(file)
    for (let hops = 0; hops < MaxLinks; hops++) {
      // readLink fails on anything that is not a link, including a path that names nothing.
      const target = yield* Effect.option(fs.readLink(current))
      if (Option.isNone(target)) return current
      if (!(yield* mayFollow(current, path.dirname(current)))) {
        return yield* new UsageError({
          reason: `--${flag} ${file}: ${current} is a symbolic link another user made in a directory anyone may write ` +
            `in (${path.dirname(current)}); it is not followed: give the path of the file it points to, or another path`
        })
      }
      current = path.resolve(path.dirname(current), target.value)
    }
    return yield* new UsageError({ reason: `--${flag} ${file}: more than ${MaxLinks} symbolic links in a row (a loop?)` })
  })

/** What a file the sync replaces must already be: the kind it writes there. */
export type Replaces = "sync file" | "summary"

/** The fields every summary has had (SummaryFile.ts); the others may differ between builds. */
const PreviousSummary = Schema.parseJson(Schema.Struct({ file: Schema.String, finishedAt: Schema.String }))

/** Past this, a file is no summary (the largest holds a warning per unknown role or so). */
const SummaryLimit = 64 * 1024 * 1024

const notReplaceable = (flag: string, shown: string, replaces: Replaces) =>
  new UsageError({
    reason: `--${flag} ${shown} is not ${
      replaces === "sync file"
        ? "a .c1z sync file (it does not start with the header \"C1ZF\\0\")"
        : "a summary of a sync (a JSON object with \"file\" and \"finishedAt\")"
    }, and the sync would replace it: choose another path, or remove the file first if it is meant to go`
  })

/** A file this process may not read (a run as another uid wrote it: root before runAsNonRoot) says who runs and who owns it. */
const unreadable = (flag: string, shown: string, target: string, replaces: Replaces) =>
  Effect.gen(function*() {
    const denied = (yield* readDenied(target))
      ? `: permission denied (${yield* deniedReadText(target)}); a run as another user wrote it: give it to this uid (chown), or remove it`
      : ""
    return yield* new UsageError({
      reason: `--${flag} ${shown}: cannot read it to check that it is ${
        replaces === "sync file" ? "a .c1z sync file" : "a summary"
      } the sync may replace${denied}`
    })
  })

const checkContent = (flag: string, shown: string, target: string, replaces: Replaces) =>
  replaces === "sync file"
    ? checkMagic(target).pipe(
      Effect.catchTags({
        NotAC1z: () => Effect.fail(notReplaceable(flag, shown, replaces)),
        // The v3 header: not a file this writer makes, so not one it replaces either.
        UnsupportedVersion: () => Effect.fail(notReplaceable(flag, shown, replaces)),
        Io: () => unreadable(flag, shown, target, replaces)
      })
    )
    : readTextWithin(target, SummaryLimit, "a summary file").pipe(
      Effect.flatMap(Schema.decodeUnknown(PreviousSummary)),
      Effect.catchTags({
        FileTooLarge: () => Effect.fail(notReplaceable(flag, shown, replaces)),
        ParseError: () => Effect.fail(notReplaceable(flag, shown, replaces)),
        BadArgument: () => unreadable(flag, shown, target, replaces),
        SystemError: () => unreadable(flag, shown, target, replaces)
      })
    )

/**
 * Checks, before anything is contacted, that an existing `target` is what the sync writes there
 * (`replaces`: a .c1z for --file, a summary for --summary-file) or empty (made by mktemp, say: it
 * holds nothing to lose): a typo naming a report, a config file or the last sync would otherwise be
 * replaced.
 */
export const checkReplaceable = (
  target: SyncTarget,
  replaces: Replaces
): Effect.Effect<void, UsageError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const existing = yield* Effect.option(fs.stat(target.path))
    if (Option.isSome(existing) && Number(existing.value.size) > 0) {
      yield* checkContent(target.flag, target.shown, target.path, replaces)
    }
  })

/**
 * Checks `file` before anything is contacted, so a wrong path costs no sync: it must name a regular
 * file or nothing yet (not /dev/null, not a directory), in a writable directory that exists (the
 * temporary file goes there). What an existing file holds is checkReplaceable's.
 */
export const checkSyncTarget = (
  flag: string,
  file: string,
  options: {
    readonly example: string
    /** In bytes: the writer's temporary files beside it are named after it, longer. */
    readonly longestName: number
    /** Who writes the file, as the refusal of a path that is no regular file names it (default "the sync"). */
    readonly writer?: string
  }
): Effect.Effect<SyncTarget, UsageError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const writer = options.writer ?? "the sync"
    // `out/` names a directory even while none is there: the file was written as `out`.
    const name = path.basename(file)
    if (file.endsWith("/") || file.endsWith(path.sep) || name === "." || name === "..") {
      return yield* new UsageError({
        reason: `--${flag} ${file} names a directory, not a file: give the file's path, such as ${path.join(file, options.example)}`
      })
    }
    const notRegular = (shown: string, type: FileSystem.File.Type) =>
      new UsageError({
        reason: `--${flag} ${shown} is ${fileKindName(type)}, not a regular file: ${writer} writes a new file and renames it there`
      })
    // Followed by the kernel first: a link into /proc (/dev/stdout into a pipe) reads as "pipe:[470539]",
    // no path, which resolved as one named nothing, and the pipe passed as a file still to create.
    const reached = yield* Effect.option(fs.stat(file))
    if (Option.isSome(reached) && reached.value.type !== "File" && reached.value.type !== "Directory") {
      return yield* notRegular(file, reached.value.type)
    }
    const target = yield* throughLinks(flag, file)
    const shown = target === path.resolve(file) ? file : `${file} (a link to ${target})`
    const existing = yield* Effect.option(fs.stat(target))
    if (Option.isSome(existing) && existing.value.type !== "File") return yield* notRegular(shown, existing.value.type)
    const nameBytes = Buffer.byteLength(path.basename(target))
    if (nameBytes > options.longestName) {
      return yield* new UsageError({
        reason: `--${flag} ${shown}: the file name is ${nameBytes} bytes long; at most ${options.longestName} ` +
          `(${writer}'s temporary files beside it are named after it, and a name has at most 255): ` +
          "choose a shorter name"
      })
    }
    const directory = path.dirname(target)
    const parent = yield* Effect.option(fs.stat(directory))
    if (Option.isNone(parent)) {
      return yield* new UsageError({
        reason: `--${flag} ${shown}: the directory ${directory} does not exist; create it first or choose another path`
      })
    }
    // Something else there (a previous sync file named as the directory) cannot be created as one.
    if (parent.value.type !== "Directory") {
      return yield* new UsageError({
        reason: `--${flag} ${shown}: ${directory} is ${fileKindName(parent.value.type)}, not a directory: choose a path in a directory`
      })
    }
    yield* fs.access(directory, { writable: true }).pipe(
      Effect.mapError(() => new UsageError({ reason: `--${flag} ${shown}: the directory ${directory} is not writable` }))
    )
    return { flag, given: file, shown, path: target }
  })
