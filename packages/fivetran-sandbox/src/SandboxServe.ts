import { errorCodeOf } from "@baton-fivetran/fivetran-client/error-code"
import { Console, Effect, Layer, Option } from "effect"
import { defaultSeed, generatePreset } from "./generator/Presets.js"
import { isSnapshotInputError, readSnapshot } from "./generator/SnapshotFile.js"
import { Sandbox } from "./Sandbox.js"
import type { ServedAccount, ServeSettings } from "./ServeSettings.js"
import type { AccountSnapshot, Credential } from "./state/AccountSnapshot.js"
import { UsageError } from "./UsageError.js"

/**
 * Serving a sandbox, as both commands that do it serve one (`fivetran-sandbox` and
 * `baton-fivetran sandbox`): the account generated or read, served, announced in the command's own
 * banner, until interrupted. Each command loads this only once its flags are good, with all of the
 * server.
 */

/** A sandbox listening: what its banner tells. */
export interface ServedSandbox {
  readonly baseUrl: string
  readonly account: ServedAccount
  readonly snapshot: AccountSnapshot
}

/** What differs between the commands that serve a sandbox. */
export interface SandboxProgram {
  /** The lines printed on stdout once the sandbox listens, in one write (a script reads the URL and keys from it). */
  readonly banner: (served: ServedSandbox) => ReadonlyArray<string>
  /** Runs with the account loaded, before the listen. */
  readonly beforeListen: Effect.Effect<void>
  /** Runs once the sandbox listens, before the banner: a warning of where it listens (a failed listen warns of nothing). */
  readonly onListening: Effect.Effect<void>
}

/** Adds the given key as a user key of the first Account Administrator. */
const withGivenKey = (snapshot: AccountSnapshot, key: string, secret: string) => {
  const admin = snapshot.users.find((user) => user.role === "Account Administrator")
  if (admin === undefined) {
    return Effect.fail(new UsageError({ reason: "The account has no Account Administrator to own --api-key" }))
  }
  const credential: Credential = { _tag: "UserKey", key, secret, user_id: admin.id }
  return Effect.succeed({
    ...snapshot,
    credentials: [credential, ...snapshot.credentials.filter((c) => c.key !== key)]
  })
}

const servedAccount = (settings: ServeSettings): ServedAccount =>
  settings.account._tag === "State"
    ? settings.account
    : { ...settings.account, seed: Option.getOrElse(settings.account.seed, () => defaultSeed) }

const loadAccount = (account: ServedAccount, settings: ServeSettings) =>
  Effect.gen(function*() {
    const loaded = account._tag === "State"
      ? yield* readSnapshot(account.path).pipe(
        // A file that is missing, not a file, not JSON or not an account is bad usage (exit 2).
        Effect.catchIf(isSnapshotInputError, (error) => Effect.fail(new UsageError({ reason: error.message })))
      )
      : generatePreset(account.preset, account.seed)
    return Option.isSome(settings.givenKey)
      ? yield* withGivenKey(loaded, settings.givenKey.value.key, settings.givenKey.value.secret)
      : loaded
  })

/**
 * A failed listen (its Node error code, e.g. EADDRINUSE) as a refusal naming the flag at fault:
 * --host for an address that is not this machine's (EADDRNOTAVAIL), else --port.
 */
const listenRefusal = (port: number, host: string) => (error: { readonly cause?: unknown }) => {
  const cause = error.cause
  const code = errorCodeOf(cause) ?? "unknown error"
  return new UsageError({
    reason: code === "EADDRINUSE"
      ? `--port ${port}: the port is already in use on ${host}; choose another port, or --port 0 for any free one`
      : code === "EADDRNOTAVAIL"
      ? `--host ${host}: no network interface of this machine has that address (EADDRNOTAVAIL); give one of its ` +
        "addresses, 127.0.0.1 (the default) or ::1 for this machine only, or 0.0.0.0 or :: for all of them"
      : `--port ${port}: cannot listen on ${host} (${code}); choose another port, or --port 0 for any free one`
  })
}

/** Resumes in the event loop's next check phase (setImmediate). */
const checkPhase: Effect.Effect<void> = Effect.async<void>((resume) => {
  const turn = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(turn))
})

/**
 * Waits until the event loop has passed a poll phase, where Node runs the handler of a signal that
 * came meanwhile. A SIGINT or SIGTERM during the start (the account's generation, the listen) is
 * handled in a later turn than the listen's, and the banner of a sandbox already stopping was
 * printed (`fivetran-sandbox` then exited 0 as after a Ctrl-C; a script read a URL that was gone).
 * Two check phases: the first may come before the poll that sees the signal (one raised during this
 * very turn), the second comes after it.
 */
const signalsTurn: Effect.Effect<void> = Effect.zipRight(checkPhase, checkPhase)

/**
 * Loads or generates the account, serves it and prints the program's banner once a stop signal
 * that came during the start has been handled (interrupted, it prints none); runs until interrupted.
 */
export const serve = (settings: ServeSettings, program: SandboxProgram) =>
  Effect.gen(function*() {
    const account = servedAccount(settings)
    const snapshot = yield* loadAccount(account, settings)
    yield* program.beforeListen
    const server = Sandbox.layer({
      snapshot,
      port: settings.port,
      host: settings.host,
      ...Option.match(settings.idSeed, { onNone: () => ({}), onSome: (seed) => ({ seed }) }),
      faults: settings.traffic.faults,
      rateLimit: settings.traffic.rateLimit
    }).pipe(Layer.mapError(listenRefusal(settings.port, settings.host)))
    const announce = Effect.flatMap(Sandbox, ({ baseUrl }) => Console.log(program.banner({ baseUrl, account, snapshot }).join("\n")))
    // The banner runs outside the layer's build, which is not interruptible (the signals' turn waits for a stop).
    return yield* Effect.scoped(
      Effect.flatMap(Layer.build(server), (context) =>
        signalsTurn.pipe(
          Effect.zipRight(program.onListening),
          Effect.zipRight(Effect.provide(announce, context)),
          Effect.zipRight(Effect.never)
        ))
    )
  })
