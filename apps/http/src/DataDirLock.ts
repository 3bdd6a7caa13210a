import { processRunning } from "@baton-fivetran/c1z"
import { FileSystem, Path } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import { isSystemError, makePrivateDirectory, ownerOnlyFile, platformErrorText, writeFileAtomically } from "@baton-fivetran/settings"
import { Clock, Data, DateTime, Deferred, Duration, Effect, Either, Option, Schedule, Schema } from "effect"
import { randomBytes } from "node:crypto"
import { hostname } from "node:os"
import { othersFiles } from "./DataDirOwners.js"

/**
 * The data directory belongs to one service process: a second one on it (a RollingUpdate, two
 * replicas, a second start by hand) marked the first's running sync interrupted and deleted its
 * scratch database. The holder keeps `baton-fivetran-http.lock` in the directory, saying who it is,
 * and a start finding another's refuses. Node has no flock, and a lock file outlives a killed
 * process: the holder touches it every RefreshInterval and removes it when it stops cleanly, and a
 * start takes over a lock whose holder is provably gone (this host's, and its pid is not alive) or
 * that nobody refreshed for StaleAfter (a crashed process on another host).
 */

const LockFileName = "baton-fivetran-http.lock"

const RefreshInterval = Duration.seconds(10)

/** Three refreshes missed: the holder is gone, or stopped for longer than any pause of a live one. */
const StaleAfter = Duration.seconds(30)

/** How long a start watches a lock its clock finds stale before taking it over: a refresh interval and a margin. */
const WatchedFor = Duration.sum(RefreshInterval, Duration.seconds(2))

/** Whether a lock last refreshed at `refreshedAt` was stale (its holder gone or paused) by the time `millis`. */
export const staleBefore = (refreshedAt: Date, millis: number) => millis - refreshedAt.getTime() > Duration.toMillis(StaleAfter)

/** What the lock file holds; `claim` tells this start's lock from any other, the same pid's after a restart too. */
const LockHolder = Schema.Struct({
  pid: Schema.Int,
  hostname: Schema.String,
  started_at: Schema.String,
  claim: Schema.String
})
type LockHolder = typeof LockHolder.Type

const decodeHolder = Schema.decodeUnknownOption(Schema.parseJson(LockHolder))
const encodeHolder = Schema.encodeSync(Schema.parseJson(LockHolder))

/** The lock file as found: who wrote it (none when it cannot be read) and when it was last refreshed. */
export interface FoundLock {
  readonly holder: Option.Option<LockHolder>
  readonly refreshedAt: Date
}

const describeHolder = (holder: Option.Option<LockHolder>) =>
  Option.match(holder, {
    onNone: () => "a process whose lock file cannot be read",
    onSome: ({ hostname, pid, started_at }) => `pid ${pid} on host ${hostname}, started ${started_at}`
  })

/** Another live process holds the data directory. */
export class DataDirInUse extends Data.TaggedError("DataDirInUse")<{
  readonly lockFile: string
  readonly directory: string
  readonly found: FoundLock
  readonly refreshedSecondsAgo: number
}> {
  override get message() {
    return `the data directory ${JSON.stringify(this.directory)} is in use by another baton-fivetran-http ` +
      `(${describeHolder(this.found.holder)}; its lock file ${this.lockFile} was refreshed ${this.refreshedSecondsAgo} s ago): ` +
      "stop that process first, or in Kubernetes run one replica with strategy: Recreate (docs/deploy.md); " +
      `a lock not refreshed for ${Duration.toSeconds(StaleAfter)} s is taken over`
  }
}

/**
 * This process no longer holds its lock: another took it over (it found the lock unrefreshed for
 * StaleAfter, as after a pause of this process: a stopped container, a frozen VM; or it won a race
 * to take over the same dead lock), or the lock file was removed or made unreadable by hand. This
 * process stops rather than write beside another, or unguarded: a restart takes the lock anew.
 */
export class DataDirLockLost extends Data.TaggedError("DataDirLockLost")<{
  readonly directory: string
  readonly lockFile: string
  readonly holder: Option.Option<LockHolder>
}> {
  override get message() {
    const what = Option.match(this.holder, {
      onNone: () => `the data directory's lock file ${this.lockFile} was removed or cannot be read`,
      onSome: () =>
        `the data directory ${JSON.stringify(this.directory)} was taken over by another baton-fivetran-http ` +
        `(${describeHolder(this.holder)}), which found this process's lock not refreshed for ` +
        `${Duration.toSeconds(StaleAfter)} s or took it over at the same moment`
    })
    return `${what}: this process stops, so that one process writes there`
  }
}

/** The lock file cannot be made or read. */
export class DataDirLockFailed extends Data.TaggedError("DataDirLockFailed")<{ readonly reason: string }> {
  override get message() {
    return this.reason
  }
}

const alreadyExists = isSystemError("AlreadyExists")
const notFound = isSystemError("NotFound")
const permissionDenied = isSystemError("PermissionDenied")

/** Whether `pid` is a live process of this host (c1z's processRunning: a zombie is not). */
const processAlive = (pid: number) => Effect.sync(() => processRunning(pid))

/** A lock file that vanished between the failed create and the read: the start tries again. */
class LockVanished extends Data.TaggedError("LockVanished") {}

export class DataDirLock extends Effect.Service<DataDirLock>()("baton-http/DataDirLock", {
  scoped: (dataDir: string) =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const lockFile = path.join(dataDir, LockFileName)
      const failed = (doing: string) => (error: PlatformError) =>
        new DataDirLockFailed({ reason: `could not ${doing} the data directory's lock file ${lockFile}: ${platformErrorText(error)}` })

      // An embedder's directory may not exist yet (the CLI made it before).
      yield* makePrivateDirectory(dataDir).pipe(Effect.mapError((error) =>
        new DataDirLockFailed({ reason: `could not create the data directory ${dataDir}: ${platformErrorText(error)}` })
      ))
      const own: LockHolder = {
        pid: process.pid,
        hostname: hostname(),
        started_at: DateTime.formatIso(yield* DateTime.now),
        claim: randomBytes(8).toString("hex")
      }
      const ownText = encodeHolder(own)

      const read = Effect.gen(function*() {
        const text = yield* fs.readFileString(lockFile)
        const info = yield* fs.stat(lockFile)
        return {
          holder: decodeHolder(text),
          refreshedAt: Option.getOrElse(info.mtime, () =>
            new Date(0))
        } satisfies FoundLock
      })

      /**
       * Makes the lock file whole or not at all: written beside it, then linked into place (a link
       * fails when the name is taken). Written in place, a write that failed (a full disk) left an
       * empty lock file, which the next start refused for 30 s as another process's.
       */
      const create = Effect.gen(function*() {
        const temporary = path.join(dataDir, `.${LockFileName}.${randomBytes(8).toString("hex")}.tmp`)
        yield* fs.writeFileString(temporary, ownText, { flag: "wx", mode: ownerOnlyFile }).pipe(
          Effect.zipRight(fs.link(temporary, lockFile)),
          Effect.ensuring(Effect.ignore(fs.remove(temporary, { force: true })))
        )
      })

      /** Whether the lock as read (none when it cannot be read) is this process's. */
      const ours = (lock: Option.Option<FoundLock>) =>
        Option.exists(lock, (found) => Option.exists(found.holder, (h) => h.claim === own.claim))
      /** Whether the lock is this process's, as read now: false when it cannot be read for any reason. */
      const heldAsRead = Effect.map(Effect.option(read), ours)

      /**
       * The lock as read now, none when it was removed or made unreadable; a failure of another kind
       * (EMFILE: the process had no file descriptor left, as a sync's connections and the exports'
       * copies can leave it) says nothing of who holds it, and fails. Such a failure stopped the
       * service as if the lock were lost: `the data directory's lock file ... was removed or cannot
       * be read`, exit 1.
       */
      const readNow = read.pipe(
        Effect.asSome,
        Effect.catchIf((error) => notFound(error) || permissionDenied(error), () => Effect.succeedNone)
      )
      const unread = (error: PlatformError) =>
        Effect.logWarning("could not read the data directory's lock file: it is still taken as this process's").pipe(
          Effect.annotateLogs({ lock_file: lockFile, error: platformErrorText(error) })
        )

      /**
       * Why `found` may be taken over, if it may: its holder is this host's and its process is gone
       * (a pid of this process is a previous run's in the same container: pid 1 again), or it is stale
       * and stays unrefreshed while this start watches it. Its mtime is its holder's clock (or its file
       * server's), not this host's: a start on a host whose clock ran 40 s ahead found a live lock
       * stale, took it over and stopped its holder. The watch is timed by this process, whatever the clocks say.
       */
      const takeOverReason = (found: FoundLock) =>
        Effect.gen(function*() {
          const now = yield* Clock.currentTimeMillis
          if (Option.isSome(found.holder) && found.holder.value.hostname === own.hostname) {
            const { pid } = found.holder.value
            if (pid === own.pid || !(yield* processAlive(pid))) return Option.some("its process is gone")
          }
          if (!staleBefore(found.refreshedAt, now)) return Option.none<string>()
          yield* Effect.sleep(WatchedFor)
          const watched = yield* read
          return watched.refreshedAt.getTime() === found.refreshedAt.getTime()
            ? Option.some(`it was not refreshed for ${Duration.toSeconds(StaleAfter)} s`)
            : Option.none<string>()
        })

      /** Replaces a lock found dead; the re-read says whether this start won against another doing the same. */
      const takeOver = (found: FoundLock, reason: string) =>
        Effect.gen(function*() {
          yield* writeFileAtomically(lockFile, ownText).pipe(
            Effect.mapError(failed("replace")),
            Effect.provideService(FileSystem.FileSystem, fs),
            Effect.provideService(Path.Path, path)
          )
          if (!(yield* heldAsRead)) return false
          yield* Effect.logWarning("took over the data directory's lock").pipe(
            Effect.annotateLogs({
              lock_file: lockFile,
              reason,
              previous_holder: describeHolder(found.holder),
              last_refreshed_at: found.refreshedAt.toISOString()
            })
          )
          return true
        })

      const attempt: Effect.Effect<Option.Option<FoundLock>, DataDirInUse | DataDirLockFailed | LockVanished> = Effect.gen(
        function*() {
          const created = yield* create.pipe(
            Effect.as(true),
            Effect.catchIf(alreadyExists, () => Effect.succeed(false)),
            Effect.mapError(failed("create"))
          )
          if (created) return Option.none()
          const readOrVanished = <A>(reading: Effect.Effect<A, PlatformError>) =>
            reading.pipe(
              Effect.catchIf(notFound, () => new LockVanished()),
              Effect.mapError((error) => error._tag === "LockVanished" ? error : failed("read")(error))
            )
          const found = yield* readOrVanished(read)
          const reason = yield* readOrVanished(takeOverReason(found))
          if (Option.isSome(reason) && (yield* takeOver(found, reason.value))) return Option.some(found)
          // Held, or another start took it over first: that one is alive, so it is refused like any holder.
          const latest = Option.isSome(reason) ? yield* Effect.orElse(read, () => Effect.succeed(found)) : found
          const now = yield* Clock.currentTimeMillis
          return yield* new DataDirInUse({
            lockFile,
            directory: dataDir,
            found: latest,
            refreshedSecondsAgo: Math.max(0, Math.floor((now - latest.refreshedAt.getTime()) / 1000))
          })
        }
      )

      const takenOver = yield* attempt.pipe(
        Effect.retry({ schedule: Schedule.recurs(3), while: (error) => error._tag === "LockVanished" }),
        Effect.catchTag(
          "LockVanished",
          () => new DataDirLockFailed({ reason: `the data directory's lock file ${lockFile} keeps vanishing` })
        )
      )
      yield* Effect.addFinalizer(() =>
        Effect.gen(function*() {
          if (!(yield* heldAsRead)) return
          yield* fs.remove(lockFile).pipe(
            Effect.catchAll((error) =>
              Effect.logWarning("could not remove the data directory's lock file").pipe(
                Effect.annotateLogs({ lock_file: lockFile, error: platformErrorText(error) })
              )
            )
          )
        })
      )

      // Before anything reads them; the lock is removed as the start is refused.
      const othersLeft = yield* othersFiles(dataDir)
      if (Option.isSome(othersLeft)) return yield* new DataDirLockFailed({ reason: othersLeft.value })

      const lost = yield* Deferred.make<never, DataDirLockLost>()

      /** One refresh: the mtime is the holder's heartbeat. False once another process holds the lock, which ends `lost`. */
      const refresh = Effect.gen(function*() {
        const found = yield* Effect.either(readNow)
        if (Either.isLeft(found)) yield* unread(found.left)
        else if (!ours(found.right)) {
          const holder = Option.flatMap(found.right, (lock) => lock.holder)
          yield* Deferred.fail(lost, new DataDirLockLost({ directory: dataDir, lockFile, holder }))
          return false
        }
        const now = new Date(yield* Clock.currentTimeMillis)
        yield* fs.utimes(lockFile, now, now).pipe(
          Effect.catchAll((error) =>
            Effect.logWarning("could not refresh the data directory's lock file").pipe(
              Effect.annotateLogs({ lock_file: lockFile, error: platformErrorText(error) })
            )
          )
        )
        return true
      })
      yield* Effect.forkScoped(Effect.repeat(refresh, { schedule: Schedule.spaced(RefreshInterval), while: (ours) => ours }))

      return {
        /** The lock of a previous holder that this start took over (it had crashed or was killed), if any. */
        takenOver,
        /** Fails once another process has taken the lock over (checked at each refresh): the service stops on it. */
        lost: Deferred.await(lost),
        /**
         * Whether the lock file is still this process's, read now: a process stopping because another
         * took it over must write nothing more there, and the refresh may not have seen it yet. One
         * that cannot be read now (EMFILE) is still this process's: its refresh checks again.
         */
        held: Effect.map(readNow, ours).pipe(Effect.catchAll((error) => Effect.as(unread(error), true)))
      } as const
    })
}) {}
