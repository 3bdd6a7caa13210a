import { Version } from "@baton-fivetran/fivetran-client/version"
import { explainLeftover, withPlainHelp } from "@baton-fivetran/settings"
import { CliConfig, Command, Options, ValidationError } from "@effect/cli"
import { Console, Effect, Layer, Option, Schema } from "effect"
import { commandFlag, decodeCommandFlag } from "./CommandFlag.js"
import { defaultSeed, generatePreset, PresetName } from "./generator/Presets.js"
import { readSnapshot } from "./generator/SnapshotFile.js"
import { Sandbox } from "./Sandbox.js"
import type { AccountSnapshot, Credential } from "./state/AccountSnapshot.js"
import { decodeTrafficFlags, faultsText, rateLimitText, type Traffic, trafficOptions } from "./TrafficFlags.js"
import { UsageError } from "./UsageError.js"

/**
 * The `fivetran-sandbox` command: serves an in-memory Fivetran REST API until interrupted. It takes
 * the sandbox layer's fault and rate-limit flags as `baton-fivetran sandbox` does (TrafficFlags.ts).
 */

const Port = Schema.NumberFromString.pipe(Schema.int(), Schema.between(0, 65535))
const Seed = Schema.NumberFromString.pipe(Schema.int(), Schema.between(0, 0xffffffff))

const text = Schema.NonEmptyString

const flagDeclarations = {
  port: commandFlag("port", "port", Port, "a whole number from 0 to 65535", "Port to listen on (0 picks a free one). Default: 8080."),
  host: commandFlag("host", "address", text, "an address of this machine", "Address to bind. Default: 127.0.0.1."),
  preset: commandFlag(
    "preset",
    PresetName.literals.join("|"),
    PresetName,
    `one of ${PresetName.literals.join(", ")}`,
    "Generate the account from this preset (not with --state). Default: small."
  ),
  state: commandFlag(
    "state",
    "file.json",
    text,
    "the path of a snapshot file",
    "Load an account snapshot written by the generator. Optional."
  ),
  seed: commandFlag(
    "seed",
    "n",
    Seed,
    "a whole number from 0 to 4294967295",
    "Seed of the preset, and of the ids of entities created through the API. Optional."
  ),
  apiKey: commandFlag(
    "api-key",
    "key",
    text,
    "text",
    "Also accept this key (with --api-secret), as a user key of the first Account Administrator. Optional."
  ),
  apiSecret: commandFlag("api-secret", "secret", text, "text", "The secret of --api-key. Optional, with --api-key.")
}

type Declarations = typeof flagDeclarations
type Flags = { readonly [K in keyof Declarations]: Option.Option<Schema.Schema.Type<Declarations[K]["schema"]>> }

const options = {
  ...(Object.fromEntries(
    Object.entries(flagDeclarations).map(([key, declaration]) => [key, declaration.options])
  ) as { readonly [K in keyof Declarations]: Options.Options<Option.Option<string>> }),
  ...trafficOptions
}

type Given = { readonly [K in keyof typeof options]: Option.Option<string> }

const decodeFlags = (given: Given): Effect.Effect<Flags & { readonly traffic: Traffic }, UsageError> =>
  Effect.all({
    port: decodeCommandFlag(flagDeclarations.port, given.port),
    host: decodeCommandFlag(flagDeclarations.host, given.host),
    preset: decodeCommandFlag(flagDeclarations.preset, given.preset),
    state: decodeCommandFlag(flagDeclarations.state, given.state),
    seed: decodeCommandFlag(flagDeclarations.seed, given.seed),
    apiKey: decodeCommandFlag(flagDeclarations.apiKey, given.apiKey),
    apiSecret: decodeCommandFlag(flagDeclarations.apiSecret, given.apiSecret),
    traffic: decodeTrafficFlags(given)
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
const serve = (flags: Flags & { readonly traffic: Traffic }) =>
  Effect.gen(function*() {
    const snapshot = yield* loadAccount(flags)
    const announce = Effect.gen(function*() {
      const sandbox = yield* Sandbox
      yield* Console.log(`Fivetran sandbox listening on ${sandbox.baseUrl}`)
      for (const faults of Option.toArray(faultsText(flags.traffic.faults))) yield* Console.log(`Faults: ${faults}`)
      for (const rateLimit of Option.toArray(rateLimitText(flags.traffic.rateLimit))) yield* Console.log(`Rate limit: ${rateLimit}`)
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
            faults: flags.traffic.faults,
            rateLimit: flags.traffic.rateLimit
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
