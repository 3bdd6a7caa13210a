import { Version } from "@baton-fivetran/fivetran-client/version"
import { explainLeftover, withPlainHelp } from "@baton-fivetran/settings"
import { CliConfig, Command, Options, ValidationError } from "@effect/cli"
import { Console, Data, Effect, Layer, Option, Schema } from "effect"
import { defaultSeed, generatePreset, PresetName } from "./generator/Presets.js"
import { readSnapshot } from "./generator/SnapshotFile.js"
import { DEFAULT_HOURLY_LIMIT, DEFAULT_RATE_WINDOW_SECONDS, Sandbox } from "./Sandbox.js"
import type { AccountSnapshot, Credential } from "./state/AccountSnapshot.js"

/**
 * The `fivetran-sandbox` command: serves an in-memory Fivetran REST API until interrupted. Its
 * flags are @effect/cli options read as text and decoded here, so that a bad value is refused
 * naming the flag and what it takes (@effect/cli's own typed options do not name the flag).
 */

/** A flag value or combination that cannot work; the bin exits 2 with `error: <reason>`. */
export class UsageError extends Data.TaggedError("UsageError")<{ readonly reason: string }> {
  override get message() {
    return this.reason
  }
}

const Port = Schema.NumberFromString.pipe(Schema.int(), Schema.between(0, 65535))
const Seed = Schema.NumberFromString.pipe(Schema.int(), Schema.between(0, 0xffffffff))
const HourlyLimit = Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 10_000_000))
const WindowSeconds = Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 86_400))

/** A value flag, read as text; `decodeFlags` checks it against `schema`. */
interface Flag<A, I> {
  readonly name: string
  readonly schema: Schema.Schema<A, I>
  readonly accepts: string
  readonly options: Options.Options<Option.Option<string>>
}

const flag = <A, I>(
  name: string,
  pseudoName: string,
  schema: Schema.Schema<A, I>,
  accepts: string,
  description: string
): Flag<A, I> => ({
  name,
  schema,
  accepts,
  options: Options.text(name).pipe(
    Options.withPseudoName(pseudoName),
    Options.withDescription(`${description} Takes ${accepts}.`),
    Options.optional
  )
})

/** A flag's value, decoded; a bad one is refused naming the flag, what it takes and what it got. */
const decode = <A, I>(flag: Flag<A, I>, value: Option.Option<string>): Effect.Effect<Option.Option<A>, UsageError> =>
  Option.match(value, {
    onNone: () => Effect.succeedNone,
    onSome: (text) =>
      Schema.decodeUnknown(flag.schema)(text).pipe(
        Effect.map(Option.some),
        Effect.mapError(() => new UsageError({ reason: `--${flag.name}: expected ${flag.accepts}, got ${JSON.stringify(text)}` }))
      )
  })

const text = Schema.NonEmptyString

const flagDeclarations = {
  port: flag("port", "port", Port, "a whole number from 0 to 65535", "Port to listen on (0 picks a free one). Default: 8080."),
  host: flag("host", "address", text, "an address of this machine", "Address to bind. Default: 127.0.0.1."),
  preset: flag(
    "preset",
    PresetName.literals.join("|"),
    PresetName,
    `one of ${PresetName.literals.join(", ")}`,
    "Generate the account from this preset (not with --state). Default: small."
  ),
  state: flag("state", "file.json", text, "the path of a snapshot file", "Load an account snapshot written by the generator. Optional."),
  seed: flag(
    "seed",
    "n",
    Seed,
    "a whole number from 0 to 4294967295",
    "Seed of the preset, and of the ids of entities created through the API. Optional."
  ),
  apiKey: flag(
    "api-key",
    "key",
    text,
    "text",
    "Also accept this key (with --api-secret), as a user key of the first Account Administrator. Optional."
  ),
  apiSecret: flag("api-secret", "secret", text, "text", "The secret of --api-key. Optional, with --api-key."),
  hourlyLimit: flag(
    "hourly-limit",
    "n",
    HourlyLimit,
    "a whole number from 1 to 10000000",
    `Requests allowed per rolling window. Default: ${DEFAULT_HOURLY_LIMIT} (Fivetran's).`
  ),
  rateWindowSeconds: flag(
    "rate-window-seconds",
    "s",
    WindowSeconds,
    "whole seconds from 1 to 86400",
    `Length of that window; a short one shows rate limiting in seconds. Default: ${DEFAULT_RATE_WINDOW_SECONDS}.`
  )
}

type Declarations = typeof flagDeclarations
type Flags = { readonly [K in keyof Declarations]: Option.Option<Schema.Schema.Type<Declarations[K]["schema"]>> }

const options = Object.fromEntries(
  Object.entries(flagDeclarations).map(([key, declaration]) => [key, declaration.options])
) as { readonly [K in keyof Declarations]: Options.Options<Option.Option<string>> }

const decodeFlags = (given: { readonly [K in keyof Declarations]: Option.Option<string> }): Effect.Effect<Flags, UsageError> =>
  Effect.all({
    port: decode(flagDeclarations.port, given.port),
    host: decode(flagDeclarations.host, given.host),
    preset: decode(flagDeclarations.preset, given.preset),
    state: decode(flagDeclarations.state, given.state),
    seed: decode(flagDeclarations.seed, given.seed),
    apiKey: decode(flagDeclarations.apiKey, given.apiKey),
    apiSecret: decode(flagDeclarations.apiSecret, given.apiSecret),
    hourlyLimit: decode(flagDeclarations.hourlyLimit, given.hourlyLimit),
    rateWindowSeconds: decode(flagDeclarations.rateWindowSeconds, given.rateWindowSeconds)
  })

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

const describe = (credential: Credential) =>
  credential._tag === "UserKey"
    ? `user key    ${credential.key}:${credential.secret}  (acts as user ${credential.user_id})`
    : `system key  ${credential.key}:${credential.secret}  (${credential.system_key_id}; ${
      credential.permissions.map((p) => `${p.resource_type}:${p.access_level}`).join(", ")
    })`

const loadAccount = (flags: Flags) =>
  Effect.gen(function*() {
    if (Option.isSome(flags.preset) && Option.isSome(flags.state)) {
      return yield* new UsageError({ reason: "Give either --preset or --state, not both" })
    }
    if (Option.isSome(flags.apiKey) !== Option.isSome(flags.apiSecret)) {
      return yield* new UsageError({ reason: "--api-key and --api-secret go together" })
    }
    const loaded = Option.isSome(flags.state)
      ? yield* readSnapshot(flags.state.value)
      : generatePreset(Option.getOrElse(flags.preset, (): PresetName => "small"), Option.getOrElse(flags.seed, () => defaultSeed))
    return Option.isSome(flags.apiKey) && Option.isSome(flags.apiSecret)
      ? yield* withGivenKey(loaded, flags.apiKey.value, flags.apiSecret.value)
      : loaded
  })

/** Loads or generates the account, serves it and prints the base URL and the accepted credentials; runs until interrupted. */
const serve = (flags: Flags) =>
  Effect.gen(function*() {
    const snapshot = yield* loadAccount(flags)
    const announce = Effect.gen(function*() {
      const sandbox = yield* Sandbox
      yield* Console.log(`Fivetran sandbox listening on ${sandbox.baseUrl}`)
      if (Option.isSome(flags.hourlyLimit) || Option.isSome(flags.rateWindowSeconds)) {
        yield* Console.log(
          `Rate limit: ${Option.getOrElse(flags.hourlyLimit, () => DEFAULT_HOURLY_LIMIT)} requests per ${
            Option.getOrElse(flags.rateWindowSeconds, () => DEFAULT_RATE_WINDOW_SECONDS)
          } s rolling window`
        )
      }
      yield* Console.log(
        `Account ${snapshot.account.account_name} (${snapshot.account.account_id}): ${snapshot.users.length} users, ` +
          `${snapshot.groups.length} groups, ${snapshot.teams.length} teams, ${snapshot.connections.length} connections`
      )
      yield* Console.log("Accepted credentials (HTTP Basic key:secret; sandbox-only, not real Fivetran keys):")
      for (const credential of snapshot.credentials) yield* Console.log(`  ${describe(credential)}`)
    })
    return yield* Layer.launch(
      Layer.effectDiscard(announce).pipe(
        Layer.provideMerge(
          Sandbox.layer({
            snapshot,
            port: Option.getOrElse(flags.port, () => 8080),
            host: Option.getOrElse(flags.host, () => "127.0.0.1"),
            ...Option.match(flags.seed, { onNone: () => ({}), onSome: (seed) => ({ seed }) }),
            rateLimit: {
              ...Option.match(flags.hourlyLimit, { onNone: () => ({}), onSome: (hourly) => ({ hourly }) }),
              ...Option.match(flags.rateWindowSeconds, { onNone: () => ({}), onSome: (windowSeconds) => ({ windowSeconds }) })
            }
          })
        )
      )
    )
  })

export const sandboxCommand = Command.make(
  "fivetran-sandbox",
  options,
  (given) => Effect.flatMap(decodeFlags(given), serve)
).pipe(
  Command.withDescription(
    "Serves an in-memory Fivetran REST API on loopback until interrupted, and prints its base URL and every " +
      "credential it accepts (sandbox-only keys). Also takes -h/--help and --version."
  )
)

/** Parses argv (as process.argv: node, script, args...) and runs the command. */
export const runSandboxCommand = (argv: ReadonlyArray<string>) =>
  Command.run(sandboxCommand, { name: "fivetran-sandbox", version: Version })(argv).pipe(
    Effect.provide(CliConfig.layer({ showBuiltIns: false })),
    // "Received unknown argument" also stands for a flag without its value: say which it is.
    Effect.catchIf(
      ValidationError.isValidationError,
      (error) =>
        Effect.fail(Option.match(explainLeftover("fivetran-sandbox", Options.all(options), [], argv.slice(2)), {
          onNone: (): UsageError | ValidationError.ValidationError => error,
          onSome: (reason) => new UsageError({ reason })
        }))
    ),
    withPlainHelp
  )
