import { Effect, Option } from "effect"
import type { ConfigFileSource } from "./ConfigFile.js"
import { nearestName } from "./NearestName.js"
import type { Setting } from "./Setting.js"

/**
 * `.baton.yaml` keys that are not settings are ignored, as baton (viper) ignores them, and one file
 * may serve both apps, each with keys of its own. A key an edit or two from one of this app's keys
 * is most likely a typo of it, though: ignored silently, `sync-conections: true` synced no
 * connections and said nothing. Each app warns of such keys, with the key they probably meant.
 */

export interface MisspeltKey {
  readonly key: string
  readonly meant: string
}

export const misspeltKeys = (
  file: ConfigFileSource,
  settings: ReadonlyArray<Setting<unknown>>
): Effect.Effect<ReadonlyArray<MisspeltKey>> =>
  Effect.sync(() => {
    const known = settings.map((setting) => setting.key)
    return Object.keys(file.values).sort().flatMap((key): ReadonlyArray<MisspeltKey> => {
      if (known.includes(key)) return []
      const meant = nearestName(key, known)
      return meant === undefined ? [] : [{ key, meant }]
    })
  })

/** What to tell about one: `.baton.yaml: "sync-conections" is not a setting and is ignored; did you mean ...?` */
export const misspeltKeyText = (source: ConfigFileSource, { key, meant }: MisspeltKey): string =>
  `${source.label}: ${JSON.stringify(key)} is not a setting and is ignored; did you mean ${JSON.stringify(meant)}?`

/** A misspelt key as a warning: its sentence, and its fields for a JSON line. */
export interface MisspeltKeyWarning {
  readonly text: string
  readonly fields: { readonly key: string; readonly meant: string }
}

/** The warnings of the file's misspelt keys, if there is a file; each app logs them its own way. */
export const misspeltKeyWarnings = (
  file: Option.Option<ConfigFileSource>,
  settings: ReadonlyArray<Setting<unknown>>
): Effect.Effect<ReadonlyArray<MisspeltKeyWarning>> =>
  Option.match(file, {
    onNone: () => Effect.succeed([]),
    onSome: (source) =>
      Effect.map(misspeltKeys(source, settings), (keys) =>
        keys.map((misspelt) => ({ text: misspeltKeyText(source, misspelt), fields: { key: misspelt.key, meant: misspelt.meant } })))
  })
