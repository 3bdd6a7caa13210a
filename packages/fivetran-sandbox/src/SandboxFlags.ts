import { SandboxPresets } from "@baton-fivetran/settings"
import { Effect, Option, Schema } from "effect"
import { commandFlag, commandOptions, decodeCommandFlag } from "./CommandFlag.js"
import { decodeTrafficFlags, type Traffic, trafficOptions } from "./TrafficFlags.js"
import { UsageError } from "./UsageError.js"

/**
 * The flags of `fivetran-sandbox`, decoded and checked together: all of it is refused here, before
 * the command loads the server (SandboxServe.ts).
 */

const Port = Schema.NumberFromString.pipe(Schema.int(), Schema.between(0, 65535))
const Seed = Schema.NumberFromString.pipe(Schema.int(), Schema.between(0, 0xffffffff))

const text = Schema.NonEmptyString

/** The presets of the apps' --sandbox (the generator's PresetName, without loading the generator). */
const Preset = Schema.Literal(...SandboxPresets)

const flagDeclarations = {
  port: commandFlag("port", "port", Port, "a whole number from 0 to 65535", "Port to listen on (0 picks a free one). Default: 8080."),
  host: commandFlag("host", "address", text, "an address of this machine", "Address to bind. Default: 127.0.0.1."),
  preset: commandFlag(
    "preset",
    SandboxPresets.join("|"),
    Preset,
    `one of ${SandboxPresets.join(", ")}`,
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
/** The command's flags, decoded and checked together. */
export type Flags = { readonly [K in keyof Declarations]: Option.Option<Schema.Schema.Type<Declarations[K]["schema"]>> } & {
  readonly traffic: Traffic
}

export const options = {
  ...commandOptions(flagDeclarations),
  ...trafficOptions
}

type Given = { readonly [K in keyof typeof options]: Option.Option<string> }

/** Flags that conflict are refused with the rest, before the server is loaded. */
const checkedTogether = (flags: Flags): Effect.Effect<Flags, UsageError> =>
  Option.isSome(flags.preset) && Option.isSome(flags.state)
    ? Effect.fail(new UsageError({ reason: "Give either --preset or --state, not both" }))
    : Option.isSome(flags.apiKey) !== Option.isSome(flags.apiSecret)
    ? Effect.fail(new UsageError({ reason: "--api-key and --api-secret go together" }))
    : Effect.succeed(flags)

export const decodeFlags = (given: Given): Effect.Effect<Flags, UsageError> =>
  Effect.all({
    port: decodeCommandFlag(flagDeclarations.port, given.port),
    host: decodeCommandFlag(flagDeclarations.host, given.host),
    preset: decodeCommandFlag(flagDeclarations.preset, given.preset),
    state: decodeCommandFlag(flagDeclarations.state, given.state),
    seed: decodeCommandFlag(flagDeclarations.seed, given.seed),
    apiKey: decodeCommandFlag(flagDeclarations.apiKey, given.apiKey),
    apiSecret: decodeCommandFlag(flagDeclarations.apiSecret, given.apiSecret),
    traffic: decodeTrafficFlags(given)
  }).pipe(Effect.flatMap(checkedTogether))
