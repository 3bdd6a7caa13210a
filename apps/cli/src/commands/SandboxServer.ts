import {
  type Credential,
  decodeTrafficFlags,
  defaultSeed,
  faultsText,
  generatePreset,
  isSnapshotInputError,
  PresetName,
  rateLimitText,
  readSnapshot,
  Sandbox,
  type TrafficFlagValues
} from "@baton-fivetran/fivetran-sandbox"
import { Console, Effect, Layer, LogLevel, Option, Schema } from "effect"
import { setFlagsFromString } from "node:v8"
import { notice } from "../output/Notice.js"
import { signalsTurn } from "../SignalTurns.js"
import { decodeFlag } from "../settings/FlagValue.js"
import { UsageError } from "../UsageError.js"
import { SandboxV8Flags } from "../V8Flags.js"

/**
 * `baton-fivetran sandbox`: serves the in-memory Fivetran API on loopback for trying the CLI (or
 * the HTTP service, or curl) by hand, until SIGINT/SIGTERM. Its credentials are generated test
 * keys, printed so they can be used.
 */

/** The command's own flags, and the sandbox layer's fault and rate-limit flags (TrafficFlags.ts). */
export interface SandboxFlags extends TrafficFlagValues {
  readonly port: Option.Option<string>
  readonly preset: Option.Option<string>
  readonly state: Option.Option<string>
  readonly seed: Option.Option<string>
}

type SandboxSource =
  | { readonly _tag: "Preset"; readonly preset: PresetName; readonly seed: number }
  | { readonly _tag: "State"; readonly path: string }

const Seed = Schema.NumberFromString.pipe(Schema.int())
const Port = Schema.NumberFromString.pipe(Schema.int(), Schema.between(0, 65535))

const sandboxSource = (flags: SandboxFlags): Effect.Effect<SandboxSource, UsageError> =>
  Effect.gen(function*() {
    const preset = yield* decodeFlag("preset", PresetName, "small, medium or large", flags.preset)
    const seed = yield* decodeFlag("seed", Seed, "a whole number", flags.seed)
    // `--state ""` (an unset shell variable) was read as a file named "", "no such file".
    const state = yield* decodeFlag("state", Schema.NonEmptyString, "the path of a snapshot file", flags.state)
    if (Option.isSome(state)) {
      if (Option.isSome(preset) || Option.isSome(seed)) {
        return yield* new UsageError({ reason: "--state loads a saved account: it cannot be combined with --preset or --seed" })
      }
      return { _tag: "State", path: state.value }
    }
    return {
      _tag: "Preset",
      preset: Option.getOrElse(preset, (): PresetName => "small"),
      seed: Option.getOrElse(seed, () => defaultSeed)
    }
  })

const credentialLine = (credential: Credential) =>
  credential._tag === "SystemKey"
    ? `  system key ${credential.system_key_id}: --api-key ${credential.key} --api-secret ${credential.secret}`
    : `  user key of ${credential.user_id}: --api-key ${credential.key} --api-secret ${credential.secret}`

const describe = (source: SandboxSource) => source._tag === "Preset" ? `"${source.preset}" preset, seed ${source.seed}` : source.path

/** A --state file that is missing, not a file, not JSON or not an account is bad usage (exit 2), said as the sandbox says it. */
const load = (source: SandboxSource) =>
  source._tag === "Preset"
    ? Effect.sync(() => generatePreset(source.preset, source.seed))
    : readSnapshot(source.path).pipe(
      Effect.catchIf(isSnapshotInputError, (error) => Effect.fail(new UsageError({ reason: error.message })))
    )

/** A failed listen (its Node error code, e.g. EADDRINUSE) as a refusal naming --port. */
const listenRefusal = (port: number) => (error: { readonly cause?: unknown }) => {
  const cause = error.cause
  const code = typeof cause === "object" && cause !== null && "code" in cause ? String(cause.code) : "unknown error"
  return new UsageError({
    reason: code === "EADDRINUSE"
      ? `--port ${port}: the port is already in use on 127.0.0.1; choose another port, or --port 0 for any free one`
      : `--port ${port}: cannot listen on 127.0.0.1 (${code}); choose another port, or --port 0 for any free one`
  })
}

export const serveSandbox = (flags: SandboxFlags) =>
  Effect.gen(function*() {
    const source = yield* sandboxSource(flags)
    const port = yield* decodeFlag("port", Port, "a port number from 0 to 65535", flags.port)
    const { faults, rateLimit } = yield* decodeTrafficFlags(flags).pipe(
      Effect.mapError((refusal) => new UsageError({ reason: refusal.reason }))
    )
    const snapshot = yield* load(source)
    // Read at every collection: from here on the server collects under V8's defaults (V8Flags.ts).
    yield* Effect.sync(() => SandboxV8Flags.forEach((flag) => setFlagsFromString(flag)))
    const announce = Effect.gen(function*() {
      const url = (yield* Sandbox).baseUrl
      yield* Console.log([
        `Fivetran sandbox (${describe(source)}) listening on ${url}`,
        `  ${snapshot.users.length} users, ${snapshot.groups.length} groups, ${snapshot.teams.length} teams, ` +
        `${snapshot.connections.length} connections, ${snapshot.roles.length} roles`,
        ...Option.toArray(faultsText(faults)).map((text) => `  faults: ${text}`),
        ...Option.toArray(rateLimitText(rateLimit)).map((text) => `  rate limit: ${text}`),
        ...snapshot.credentials.map(credentialLine),
        `Try: baton-fivetran --base-url ${url} --api-key <key> --api-secret <secret>`,
        "Stop with Ctrl-C."
      ].join("\n"))
    })
    const listenPort = Option.getOrElse(port, () => 0)
    const server = Sandbox.layer({ snapshot, port: listenPort, faults, rateLimit }).pipe(Layer.mapError(listenRefusal(listenPort)))
    // A Ctrl-C during the start (the account's generation, the listen) printed the banner of a
    // sandbox already stopping: its handler runs in a later turn of the event loop than the listen's.
    // The banner waits for that turn, outside the layer's build, which is not interruptible.
    yield* Effect.scoped(
      Effect.flatMap(Layer.build(server), (context) =>
        signalsTurn.pipe(Effect.zipRight(Effect.provide(announce, context)), Effect.zipRight(Effect.never)))
    ).pipe(
      // On stderr: stdout carries the banner only, for a script reading the URL and keys.
      Effect.onInterrupt(() =>
        notice(LogLevel.Info, "sandbox stopped", { msg: "sandbox stopped" })
      )
    )
  })
