import { withConsoleText } from "@baton-fivetran/fivetran-client/console-text"
import { find, type Setting, type SettingSources } from "@baton-fivetran/settings"
import { Effect, Option } from "effect"

/**
 * A secret given as a flag (the API key or secret, a token) stays on the service's command line for
 * as long as it runs, where every local user reads it (`ps`, /proc/<pid>/cmdline) and Kubernetes
 * shows it in the pod spec. The start goes on (a refusal would stop deployments that run today), with
 * one warning naming each such flag, never its value, and where to give it instead.
 */
export const warnSecretFlags = (settings: ReadonlyArray<Setting<unknown>>, sources: SettingSources) =>
  Effect.gen(function*() {
    const found = yield* Effect.forEach(settings.filter((setting) => setting.kind.secret), (setting) =>
      Effect.map(find(setting, sources), (value) => Option.isSome(value) && value.value.origin === "flag" ? [setting] : []))
    const given = found.flat()
    if (given.length === 0) {
      return
    }
    const remedies = given.map((setting) =>
      `--${setting.flag} as ${setting.env} or .baton.yaml's ${setting.key}:`
    )
    // One msg for an alert or a log query, whichever flags: they are fields.
    yield* Effect.logWarning("secrets given as flags, which every local user can read on the command line").pipe(
      Effect.annotateLogs({
        flags: given.map((setting) => `--${setting.flag}`),
        variables: given.map((setting) => setting.env),
        config_keys: given.map((setting) => setting.key)
      }),
      withConsoleText(
        `secrets given as flags (${given.map((setting) => `--${setting.flag}`).join(", ")}): every local user can read ` +
          "them on the command line (ps, /proc/<pid>/cmdline), and Kubernetes shows them in the pod spec; give " +
          `${remedies.join(", ")} instead`,
        ["flags", "variables", "config_keys"]
      )
    )
  })
