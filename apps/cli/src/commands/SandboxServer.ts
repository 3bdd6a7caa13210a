import {
  type Credential,
  defaultSeed,
  type FaultOptions,
  generatePreset,
  isSnapshotInputError,
  PresetName,
  readSnapshot,
  Sandbox
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

export interface SandboxFlags {
  readonly port: Option.Option<string>
  readonly preset: Option.Option<string>
  readonly state: Option.Option<string>
  readonly seed: Option.Option<string>
  readonly latency: Option.Option<string>
  readonly faultSeed: Option.Option<string>
  readonly serverErrors: Option.Option<string>
  readonly drops: Option.Option<string>
  readonly malformed: Option.Option<string>
  readonly truncated: Option.Option<string>
  readonly slowBodies: Option.Option<string>
  readonly rateLimitBurst: Option.Option<string>
  readonly hourlyLimit: Option.Option<string>
  readonly rateWindowSeconds: Option.Option<string>
}

type SandboxSource =
  | { readonly _tag: "Preset"; readonly preset: PresetName; readonly seed: number }
  | { readonly _tag: "State"; readonly path: string }

const Seed = Schema.NumberFromString.pipe(Schema.int())
const Port = Schema.NumberFromString.pipe(Schema.int(), Schema.between(0, 65535))
const Share = Schema.NumberFromString.pipe(Schema.between(0, 1))
const HourlyLimit = Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 10_000_000))
const WindowSeconds = Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 86_400))
const Millis = Schema.NumberFromString.pipe(Schema.int(), Schema.between(0, 600_000))
/** `20` or `10-50`. */
const Latency = Schema.TemplateLiteralParser(Millis).pipe(
  Schema.transform(Schema.Struct({ minMillis: Schema.Number, maxMillis: Schema.Number }), {
    strict: true,
    decode: ([millis]) => ({ minMillis: millis, maxMillis: millis }),
    encode: ({ minMillis }) => [minMillis] as const
  })
)
const LatencyRange = Schema.TemplateLiteralParser(Millis, "-", Millis).pipe(
  Schema.transform(Schema.Struct({ minMillis: Schema.Number, maxMillis: Schema.Number }), {
    strict: true,
    decode: ([minMillis, , maxMillis]) => ({ minMillis, maxMillis }),
    encode: ({ maxMillis, minMillis }) => [minMillis, "-", maxMillis] as const
  }),
  Schema.filter(({ maxMillis, minMillis }) => minMillis <= maxMillis)
)
/** `N` or `N:SECONDS`. */
const Burst = Schema.Union(
  Schema.TemplateLiteralParser(Schema.NumberFromString.pipe(Schema.int(), Schema.nonNegative())).pipe(
    Schema.transform(Schema.Struct({ requests: Schema.Number, retryAfterSeconds: Schema.Number }), {
      strict: true,
      decode: ([requests]) => ({ requests, retryAfterSeconds: 1 }),
      encode: ({ requests }) => [requests] as const
    })
  ),
  Schema.TemplateLiteralParser(
    Schema.NumberFromString.pipe(Schema.int(), Schema.nonNegative()),
    ":",
    Schema.NumberFromString.pipe(Schema.int(), Schema.nonNegative())
  ).pipe(
    Schema.transform(Schema.Struct({ requests: Schema.Number, retryAfterSeconds: Schema.Number }), {
      strict: true,
      decode: ([requests, , retryAfterSeconds]) => ({ requests, retryAfterSeconds }),
      encode: ({ requests, retryAfterSeconds }) => [requests, ":", retryAfterSeconds] as const
    })
  )
)

/** The sandbox layer's fault options from their flags (all off unless given). */
const faultOptions = (flags: SandboxFlags): Effect.Effect<FaultOptions, UsageError> =>
  Effect.gen(function*() {
    const latency = yield* decodeFlag("latency", Schema.Union(Latency, LatencyRange), "milliseconds, e.g. 20 or 10-50", flags.latency)
    const seed = yield* decodeFlag("fault-seed", Seed, "a whole number", flags.faultSeed)
    const share = (flag: string, value: Option.Option<string>) => decodeFlag(flag, Share, "a share from 0 to 1", value)
    const serverErrorShare = yield* share("server-errors", flags.serverErrors)
    const dropShare = yield* share("drops", flags.drops)
    const malformedShare = yield* share("malformed", flags.malformed)
    const truncatedShare = yield* share("truncated", flags.truncated)
    const slowShare = yield* share("slow-bodies", flags.slowBodies)
    const rateLimitBurst = yield* decodeFlag("rate-limit-burst", Burst, "a request count, optionally :seconds", flags.rateLimitBurst)
    const given = <K extends keyof FaultOptions>(key: K, value: Option.Option<NonNullable<FaultOptions[K]>>) =>
      Option.match(value, { onNone: () => ({}), onSome: (v) => ({ [key]: v }) })
    return {
      ...given("latency", latency),
      ...given("seed", seed),
      ...given("serverErrorShare", serverErrorShare),
      ...given("dropShare", dropShare),
      ...given("malformedShare", malformedShare),
      ...given("truncatedShare", truncatedShare),
      ...given("slowBody", Option.map(slowShare, (share) => ({ share, chunkBytes: 64, chunkDelayMillis: 10 }))),
      ...given("rateLimitBurst", rateLimitBurst)
    }
  })

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
    const faults = yield* faultOptions(flags)
    const hourly = yield* decodeFlag("hourly-limit", HourlyLimit, "a whole number from 1 to 10000000", flags.hourlyLimit)
    const windowSeconds = yield* decodeFlag("rate-window-seconds", WindowSeconds, "whole seconds from 1 to 86400", flags.rateWindowSeconds)
    const rateLimit = {
      ...Option.match(hourly, { onNone: () => ({}), onSome: (n) => ({ hourly: n }) }),
      ...Option.match(windowSeconds, { onNone: () => ({}), onSome: (s) => ({ windowSeconds: s }) })
    }
    const snapshot = yield* load(source)
    // Read at every collection: from here on the server collects under V8's defaults (V8Flags.ts).
    yield* Effect.sync(() => SandboxV8Flags.forEach((flag) => setFlagsFromString(flag)))
    const announce = Effect.gen(function*() {
      const url = (yield* Sandbox).baseUrl
      yield* Console.log([
        `Fivetran sandbox (${describe(source)}) listening on ${url}`,
        `  ${snapshot.users.length} users, ${snapshot.groups.length} groups, ${snapshot.teams.length} teams, ` +
        `${snapshot.connections.length} connections, ${snapshot.roles.length} roles`,
        ...(Object.keys(faults).length === 0 ? [] : [`  faults: ${JSON.stringify(faults)}`]),
        ...(Object.keys(rateLimit).length === 0
          ? []
          : [`  rate limit: ${rateLimit.hourly ?? 20_000} requests per ${rateLimit.windowSeconds ?? 3600} s rolling window`]),
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
