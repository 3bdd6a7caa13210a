import { quotedEchoed } from "@baton-fivetran/fivetran-client/echoed-text"
import { Config, ConfigError, Either } from "effect"
import { type SettingKind, text } from "./SettingKind.js"

/**
 * The embedded sandbox's presets, for both apps' `--sandbox`: checked here rather than by the
 * sandbox's own schema, which would load the sandbox at start-up (a CLI command against the real
 * API never loads it). fivetran-sandbox's PresetName is made of these.
 */
export const SandboxPresets = ["small", "medium", "large"] as const

export type SandboxPreset = (typeof SandboxPresets)[number]

const isPreset = (value: string): value is SandboxPreset => (SandboxPresets as ReadonlyArray<string>).includes(value)

const presetsText = `${SandboxPresets.slice(0, -1).join(", ")} or ${SandboxPresets.at(-1)}`

/** A preset's name; anything else is refused with `expected small, medium or large, got "..."`. */
export const sandboxPreset: SettingKind<SandboxPreset> = {
  ...text(presetsText, SandboxPresets.join("|")),
  config: (key) =>
    Config.string(key).pipe(Config.mapOrFail((value) =>
      isPreset(value)
        ? Either.right(value)
        : Either.left(ConfigError.InvalidData([], `expected ${presetsText}, got ${quotedEchoed(value)}`))
    ))
}
