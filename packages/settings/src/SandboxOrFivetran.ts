import { Effect, Option } from "effect"
import * as BatonSettings from "./BatonSettings.js"
import { find, originRank, type SettingSources, type Sourced } from "./Resolve.js"
import type { Setting } from "./Setting.js"
import { SettingError } from "./SettingError.js"

/**
 * A sandbox preset given beside a setting that names the real Fivetran (its URL, key or secret, or
 * their files). The sandbox won silently: with `sandbox:` left in `.baton.yaml`, `-p --base-url ...
 * --grant-...` printed `granted` for a grant made in a throwaway sandbox, and a sync wrote the
 * sandbox's account. Refused when the Fivetran setting is given at least as specifically as the preset
 * (flag > variable > file), naming both; `--sandbox` over a key left in the environment or the
 * file still runs the sandbox, as someone trying it out means. `sandboxSetting` is the app's own
 * `--sandbox` (each describes it in its own words).
 */
export const checkSandboxOrFivetran = (
  sandboxSetting: Setting<unknown>,
  sources: SettingSources
): Effect.Effect<void, SettingError> =>
  Effect.flatMap(
    Effect.all([
      find(sandboxSetting, sources),
      find(BatonSettings.BaseUrl, sources),
      find(BatonSettings.ApiKey, sources),
      find(BatonSettings.ApiSecret, sources),
      find(BatonSettings.ApiKeyFile, sources),
      find(BatonSettings.ApiSecretFile, sources)
    ]),
    ([sandbox, ...fivetran]) => refusal(sandbox, fivetran)
  )

const refusal = (
  sandbox: Option.Option<Sourced<unknown>>,
  fivetran: ReadonlyArray<Option.Option<Sourced<unknown>>>
): Effect.Effect<void, SettingError> =>
  Option.match(sandbox, {
    onNone: () => Effect.void,
    onSome: (preset) =>
      Option.match(
        Option.fromNullable(
          fivetran.flatMap(Option.toArray).find((given) => originRank(given.origin) >= originRank(preset.origin))
        ),
        {
          onNone: () => Effect.void,
          onSome: (given) =>
            Effect.fail(
              new SettingError({
                reason: `${given.source} names the Fivetran account to use, but ${preset.source} runs against an ` +
                  "embedded sandbox instead: remove one of them (a sandbox needs no base URL, key or secret)"
              })
            )
        }
      )
  })
