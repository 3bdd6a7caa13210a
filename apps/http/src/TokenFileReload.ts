import { withConsoleText } from "@baton-fivetran/fivetran-client/console-text"
import { Effect, Layer, Option, Ref, Schedule } from "effect"
import { type ServiceTokens, sharedReadToken, TokenCheck } from "./Auth.js"
import { callerName } from "./Caller.js"
import { readTokenFile, type TokenFileContent, type WatchedTokenFile } from "./TokenFile.js"

/**
 * The token files re-read while the service runs, so that a token is rotated without a restart: a
 * Kubernetes Secret mounted as a volume is updated in place (the kubelet swaps its `..data` symbolic
 * link within about a minute). Each file is read on a schedule and compared by its content's
 * SHA-256, not watched: fs.watch misses a swap of the link above the file it watches.
 *
 * A valid new content replaces its list at once for the requests checked from then on. An invalid one
 * (unreadable, empty, a bad line, a read-only token that is also a --token) keeps the previous
 * tokens, so the service never runs with none, and is reported once, not at every read.
 */

/** How often the files are read: a rotation is seen well within the kubelet's own minute. */
export const TokenFileReloadEvery = "5 seconds"

/** The lists as they are served, and each file's content as last read (served or refused). */
interface Served {
  readonly tokens: ServiceTokens
  readonly seen: ReadonlyMap<WatchedTokenFile["list"], string>
}

const withList = (tokens: ServiceTokens, file: WatchedTokenFile, content: TokenFileContent): ServiceTokens =>
  file.list === "token" ? { ...tokens, tokens: content.tokens } : { ...tokens, readTokens: content.tokens }

const keptWarning = (file: WatchedTokenFile, reason: string) => {
  const text = `${reason}; the previous tokens stay in use`
  return Effect.logWarning("bearer token file not reloaded").pipe(
    Effect.annotateLogs({ file: file.path, reason }),
    withConsoleText(text, ["file", "reason"])
  )
}

/**
 * Re-reads `files` (their contents as read at start: `started`) every TokenFileReloadEvery, for as
 * long as the service runs, swapping the TokenCheck's tokens when one changes.
 */
export const tokenFileReload = (
  accepted: ServiceTokens,
  files: ReadonlyArray<{ readonly file: WatchedTokenFile; readonly started: string }>
) =>
  Layer.scopedDiscard(Effect.gen(function*() {
    if (files.length === 0) return
    const check = yield* TokenCheck
    const served = yield* Ref.make<Served>({
      tokens: accepted,
      seen: new Map(files.map(({ file, started }) => [file.list, started]))
    })
    const reload = (file: WatchedTokenFile) =>
      Effect.gen(function*() {
        const read = yield* Effect.either(readTokenFile(file))
        const seen = read._tag === "Right" ? read.right.seen : read.left.seen
        const before = yield* Ref.get(served)
        if (before.seen.get(file.list) === seen) return
        yield* Ref.set(served, { ...before, seen: new Map([...before.seen, [file.list, seen]]) })
        if (read._tag === "Left") return yield* keptWarning(file, read.left.reason)
        const tokens = withList(before.tokens, file, read.right)
        if (Option.isSome(sharedReadToken(tokens))) {
          return yield* keptWarning(
            file,
            `${file.name}: a read-only token is also a token of the service's full-access list, which may do everything ` +
              "(provisioning included), so it would not be read-only: keep each token in one list"
          )
        }
        const change = yield* check.replace(tokens)
        yield* Ref.update(served, (current) => ({ ...current, tokens }))
        const [added, removed] = [change.added.map(callerName), change.removed.map(callerName)]
        yield* Effect.logInfo("bearer tokens reloaded").pipe(
          Effect.annotateLogs({ file: file.path, tokens: read.right.tokens.length, added, removed }),
          withConsoleText(
            `bearer tokens reloaded from ${file.name}: ${read.right.tokens.length} tokens; added ` +
              `${added.join(", ") || "none"}, removed ${removed.join(", ") || "none"}`,
            ["file", "tokens", "added", "removed"]
          )
        )
      })
    yield* Effect.forkScoped(
      Effect.repeat(Effect.forEach(files, ({ file }) => reload(file), { discard: true }), Schedule.spaced(TokenFileReloadEvery))
    )
  }))
