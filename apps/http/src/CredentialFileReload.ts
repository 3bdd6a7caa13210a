import type { FivetranCredentials } from "@baton-fivetran/fivetran-client"
import { withConsoleText } from "@baton-fivetran/fivetran-client/console-text"
import { type CredentialFile, readCredentialFile } from "@baton-fivetran/settings"
import type { FileSystem } from "@effect/platform"
import { Effect, Redacted, Ref, Schedule, type Scope } from "effect"
import { TokenFileReloadEvery } from "./TokenFileReload.js"

/**
 * The Fivetran key and secret files (`--api-key-file`, `--api-secret-file`) re-read while the
 * service runs, as the token files are (TokenFileReload.ts) and as often, compared by their
 * contents' SHA-256: a rotated key needs no restart, which cancelled a running sync job and left a
 * gap with no pod answering.
 *
 * A valid new content swaps the pair for every request sent from then on, a running sync job's
 * included (a request in flight is not sent again). An invalid one (unreadable, empty, more than one
 * line, refused by the value's checks) keeps the previous pair and is reported once, not at every
 * read.
 */

/** A credential file as read at start: `started` is its content's SHA-256. */
export interface WatchedCredentialFile {
  readonly file: CredentialFile
  readonly started: string
}

const keptWarning = (file: CredentialFile, reason: string) =>
  Effect.logWarning("Fivetran credential file not reloaded").pipe(
    Effect.annotateLogs({ file: file.path, reason }),
    withConsoleText(`${reason}; the previous Fivetran credentials stay in use`, ["file", "reason"])
  )

const withValue = (pair: FivetranCredentials, file: CredentialFile, value: Redacted.Redacted<string>): FivetranCredentials =>
  file.credential.what === "API key" ? { ...pair, apiKey: value } : { ...pair, apiSecret: value }

const inPair = (pair: FivetranCredentials, file: CredentialFile) =>
  Redacted.value(file.credential.what === "API key" ? pair.apiKey : pair.apiSecret)

/**
 * The pair in force, for the client to read as it builds each request: `started` as given at start,
 * then as `files` change, re-read every TokenFileReloadEvery for as long as the scope lasts.
 */
export const credentialFileReload = (
  started: FivetranCredentials,
  files: ReadonlyArray<WatchedCredentialFile>
): Effect.Effect<Effect.Effect<FivetranCredentials>, never, FileSystem.FileSystem | Scope.Scope> =>
  Effect.gen(function*() {
    if (files.length === 0) return Effect.succeed(started)
    const inForce = yield* Ref.make(started)
    const seen = yield* Ref.make<ReadonlyMap<string, string>>(new Map(files.map(({ file, started }) => [file.credential.what, started])))
    const readAll = Effect.forEach(files, ({ file }) =>
      Effect.map(Effect.either(readCredentialFile(file)), (read) => ({
        file,
        read,
        content: read._tag === "Right" ? read.right.seen : read.left.seen
      })))
    const pass = Effect.gen(function*() {
      const before = yield* Ref.get(seen)
      const reads = yield* readAll
      const changed = reads.filter(({ content, file }) => before.get(file.credential.what) !== content)
      if (changed.length === 0) return
      // A Secret's volume updates both files in one swap of its `..data` link: reads on either side of
      // it would pair the new key with the old secret, which Fivetran refuses. Taken once a second read agrees.
      const again = yield* readAll
      if (again.some(({ content }, index) => content !== reads[index]!.content)) return
      yield* Ref.set(seen, new Map(reads.map(({ content, file }) => [file.credential.what, content])))
      yield* Effect.forEach(
        changed,
        ({ file, read }) => read._tag === "Left" ? keptWarning(file, read.left.reason) : Effect.void,
        { discard: true }
      )
      const current = yield* Ref.get(inForce)
      // A content back to the value in force (after a refused one) changes nothing, and is not logged as a reload.
      const swapped = changed.flatMap(({ file, read }) =>
        read._tag === "Right" && Redacted.value(read.right.value) !== inPair(current, file) ? [{ file, value: read.right.value }] : []
      )
      if (swapped.length === 0) return
      yield* Ref.set(inForce, swapped.reduce((pair, { file, value }) => withValue(pair, file, value), current))
      const names = swapped.map(({ file }) => file.name)
      yield* Effect.logInfo("Fivetran credentials reloaded").pipe(
        Effect.annotateLogs({ files: swapped.map(({ file }) => file.path) }),
        withConsoleText(`Fivetran credentials reloaded from ${names.join(" and ")}; requests sent from now on use them`, ["files"])
      )
    })
    yield* Effect.forkScoped(Effect.repeat(pass, Schedule.spaced(TokenFileReloadEvery)))
    return Ref.get(inForce)
  })
