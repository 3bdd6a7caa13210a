import { SandboxPresets } from "@baton-fivetran/settings"
import { Effect, Option, Schema } from "effect"
import { commandFlag, commandOptions, decodeCommandFlag } from "./CommandFlag.js"
import {
  accountSource,
  SandboxHost,
  sandboxHostAccepted,
  SandboxPort,
  SandboxPreset,
  SandboxSeed,
  type ServeSettings,
  SnapshotPath
} from "./ServeSettings.js"
import { decodeTrafficFlags, trafficOptions } from "./TrafficFlags.js"
import { UsageError } from "./UsageError.js"

/**
 * The flags of `fivetran-sandbox`, decoded and checked together: all of it is refused here, before
 * the command loads the server (SandboxServe.ts).
 */

const text = Schema.NonEmptyString

const flagDeclarations = {
  port: commandFlag(
    "port",
    "port",
    SandboxPort,
    "a whole number from 0 to 65535",
    "Port to listen on (0 picks a free one). Default: 8080."
  ),
  host: commandFlag("host", "address", SandboxHost, sandboxHostAccepted, "Address to bind. Default: 127.0.0.1."),
  preset: commandFlag(
    "preset",
    SandboxPresets.join("|"),
    SandboxPreset,
    `one of ${SandboxPresets.join(", ")}`,
    "Generate the account from this preset (not with --state). Default: small."
  ),
  state: commandFlag(
    "state",
    "file.json",
    SnapshotPath,
    "the path of a snapshot file",
    "Load an account snapshot written by the generator. Optional."
  ),
  seed: commandFlag(
    "seed",
    "n",
    SandboxSeed,
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

export const options = {
  ...commandOptions(flagDeclarations),
  ...trafficOptions
}

type Given = { readonly [K in keyof typeof options]: Option.Option<string> }

/** The command's flags as what it serves, checked together before the server is loaded. */
export const decodeFlags = (given: Given): Effect.Effect<ServeSettings, UsageError> =>
  Effect.gen(function*() {
    const flags = yield* Effect.all({
      port: decodeCommandFlag(flagDeclarations.port, given.port),
      host: decodeCommandFlag(flagDeclarations.host, given.host),
      preset: decodeCommandFlag(flagDeclarations.preset, given.preset),
      state: decodeCommandFlag(flagDeclarations.state, given.state),
      seed: decodeCommandFlag(flagDeclarations.seed, given.seed),
      apiKey: decodeCommandFlag(flagDeclarations.apiKey, given.apiKey),
      apiSecret: decodeCommandFlag(flagDeclarations.apiSecret, given.apiSecret),
      traffic: decodeTrafficFlags(given)
    })
    if (Option.isSome(flags.preset) && Option.isSome(flags.state)) {
      return yield* new UsageError({ reason: "Give either --preset or --state, not both" })
    }
    if (Option.isSome(flags.apiKey) !== Option.isSome(flags.apiSecret)) {
      return yield* new UsageError({ reason: "--api-key and --api-secret go together" })
    }
    return {
      account: accountSource(flags.preset, flags.state, flags.seed),
      port: Option.getOrElse(flags.port, () => 8080),
      host: Option.getOrElse(flags.host, () => "127.0.0.1"),
      idSeed: flags.seed,
      givenKey: Option.zipWith(flags.apiKey, flags.apiSecret, (key, secret) => ({ key, secret })),
      traffic: flags.traffic
    }
  })
