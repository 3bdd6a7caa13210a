import { Config, type ConfigError, Effect, Option } from "effect"

/**
 * A `BATON_*` variable's text, read through the ambient ConfigProvider (tests give a map). Every
 * variable the apps read goes through here: an empty one counts as unset, as baton's viper reads
 * an empty variable (AllowEmptyEnv off), so `BATON_X=` leaves the file's value or the default.
 */
export const readVariable = (name: string): Effect.Effect<Option.Option<string>, ConfigError.ConfigError> =>
  Effect.map(Config.option(Config.string(name)), Option.filter((text) => text !== ""))
