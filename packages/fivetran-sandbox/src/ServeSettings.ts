import { SandboxPresets } from "@baton-fivetran/settings"
import { Option, Schema } from "effect"
import type { PresetName } from "./generator/Presets.js"
import { isListenAddress } from "./ListenAddress.js"
import type { Traffic } from "./TrafficFlags.js"

/**
 * What a command that serves a sandbox asks of it (SandboxServe.ts serves it), and the values of the
 * flags both such commands take to say it (`fivetran-sandbox` and `baton-fivetran sandbox`, each
 * wording its own refusals). Loads nothing of the server.
 */

/** --port: 0 picks a free one. */
export const SandboxPort = Schema.NumberFromString.pipe(Schema.int(), Schema.between(0, 65535))

/** --host: an IP address (ListenAddress.ts). */
export const SandboxHost = Schema.String.pipe(Schema.filter(isListenAddress))

/** What --host accepts, as its refusal says it. */
export const sandboxHostAccepted =
  "an IP address of this machine, IPv6 without brackets: 127.0.0.1 or ::1 for this machine only, 0.0.0.0 or :: for all of its addresses"

/** --seed: the generator's seeds are 32-bit (it takes a seed modulo 2^32: -5 and 4294967291 gave the same account). */
export const SandboxSeed = Schema.NumberFromString.pipe(Schema.int(), Schema.between(0, 0xffffffff))

/** --preset: the presets of the apps' --sandbox (the generator's PresetName, without loading the generator). */
export const SandboxPreset = Schema.Literal(...SandboxPresets)

/** --state: `--state ""` (an unset shell variable) would be read as a file named "". */
export const SnapshotPath = Schema.NonEmptyString

/** Where a served account comes from: a preset generated from a seed (the generator's own without), or a snapshot file. */
export type AccountSource =
  | { readonly _tag: "Preset"; readonly preset: PresetName; readonly seed: Option.Option<number> }
  | { readonly _tag: "State"; readonly path: string }

/** The account served: the preset with the seed it was generated from, or the snapshot file. */
export type ServedAccount =
  | { readonly _tag: "Preset"; readonly preset: PresetName; readonly seed: number }
  | { readonly _tag: "State"; readonly path: string }

/** The snapshot file if given (--state), else the preset (default small) from the seed. */
export const accountSource = (
  preset: Option.Option<PresetName>,
  state: Option.Option<string>,
  seed: Option.Option<number>
): AccountSource =>
  Option.match(state, {
    onNone: () => ({ _tag: "Preset", preset: Option.getOrElse(preset, (): PresetName => "small"), seed }),
    onSome: (path) => ({ _tag: "State", path })
  })

export interface ServeSettings {
  readonly account: AccountSource
  readonly port: number
  readonly host: string
  /** Seeds the ids of entities created through the API; the sandbox derives one from the account without. */
  readonly idSeed: Option.Option<number>
  /** A key to accept besides the account's, as a user key of its first Account Administrator. */
  readonly givenKey: Option.Option<{ readonly key: string; readonly secret: string }>
  readonly traffic: Traffic
}
