import { echoed } from "@baton-fivetran/fivetran-client/echoed-text"
import { Config, type ConfigError, ConfigProvider, Effect, Option } from "effect"
import type { ConfigFileSource } from "./ConfigFile.js"
import type { DefaultedSetting, FlagValue, Setting } from "./Setting.js"
import { SettingError } from "./SettingError.js"
import { readVariable } from "./Variable.js"
import { wholeNumberProblem, yamlKind } from "./YamlValue.js"

/**
 * A setting's value from the first source that has it: flag > environment > `.baton.yaml` >
 * default. Every source's value is checked, not only the one that wins (viper parses only the
 * winner, but the READMEs promise that a bad value from any source stops the run): a bad value
 * fails, naming its source, whichever source has a good one. The environment is read through the
 * ambient ConfigProvider (tests give a map), an empty variable counting as unset (Variable.ts).
 */

/** Raw values the user gave, by source. */
export interface SettingSources {
  /** Flag name -> the text given on the command line (switches: "true"; repeated flags: every value). */
  readonly flags: ReadonlyMap<string, FlagValue>
  readonly file: Option.Option<ConfigFileSource>
}

/** Where a value came from, most specific first; `default` when no source gave it. */
export type Origin = "flag" | "variable" | "file" | "default"

/** A value and the source it came from, as messages name it: `--port`, `BATON_HTTP_PORT`, `.baton.yaml: port`. */
export interface Sourced<A> {
  readonly value: A
  readonly source: string
  readonly origin: Origin
}

/** How specific an origin is: a flag overrides a variable, which overrides the file, which overrides the default. */
export const originRank = (origin: Origin): number => ["default", "file", "variable", "flag"].indexOf(origin)

/** What an error says about a setting: the leaf's message (values of secrets never reach it). */
const describe = (error: ConfigError.ConfigError): string =>
  error._op === "And" || error._op === "Or" ? describe(error.left) : error.message

const attempt = <A>(
  setting: Setting<A>,
  { origin, source }: Omit<Sourced<A>, "value">,
  key: string,
  provider: ConfigProvider.ConfigProvider
): Effect.Effect<Option.Option<Sourced<A>>, SettingError> =>
  Config.option(setting.kind.config(key)).pipe(
    Effect.mapError((error) => new SettingError({ reason: `${source}: ${describe(error)}` })),
    Effect.map(Option.map((value) => ({ value, source, origin }))),
    Effect.withConfigProvider(provider)
  )

/**
 * An empty flag (`--concurrency ""`) or file value (`concurrency: ""`) is given, not unset: cobra and
 * viper take it as set, to nothing. It is refused, the same way for every kind (a number read it as
 * 0). An empty variable is unset (Variable.ts), and so is a YAML null (`concurrency:`), as in viper.
 */
const emptyValue = (setting: Setting<unknown>, source: string) =>
  Effect.fail(new SettingError({ reason: `${source}: expected ${setting.kind.accepts}, got ""` }))

const isEmpty = (value: FlagValue) => typeof value === "string" ? value === "" : value.includes("")

/**
 * A list or a map where the file should give one value, or a list holding lists or maps where it
 * takes a list (`token: [a, b]`): read through a ConfigProvider, `[]` came out as "<nil>", `{}` as
 * "" and `file: []` as no value at all, so the refusal said nonsense or there was none.
 */
const wrongShape = (setting: Setting<unknown>, value: unknown): Option.Option<string> => {
  if (Array.isArray(value) && setting.kind.flag === "repeated") {
    return Option.map(
      Option.fromNullable(value.find((item) => typeof item === "object" && item !== null)),
      (item) => `a list holding ${yamlKind(item)}`
    )
  }
  return typeof value === "object" && value !== null ? Option.some(yamlKind(value)) : Option.none()
}

/**
 * What the file gives that the setting cannot take, as its refusal names it: a wrong shape, or for a
 * whole-number setting a value YAML read as none (`2.5`, `True`), named as the file writes it.
 */
const misfit = (setting: Setting<unknown>, value: unknown, written: string | undefined): Option.Option<string> =>
  Option.orElse(wrongShape(setting, value), () =>
    setting.kind.field._tag === "Int"
      ? Option.map(wholeNumberProblem(value), (problem) => `${echoed(written ?? String(value))} (${problem})`)
      : Option.none())

/** The file's value of the setting, if it has one: its shape checked, then read like a flag's text. */
const fromFile = <A>(setting: Setting<A>, file: ConfigFileSource): Effect.Effect<Option.Option<Sourced<A>>, SettingError> => {
  const source = `${file.label}: ${setting.key}`
  const value = Object.hasOwn(file.values, setting.key) ? file.values[setting.key] : undefined
  if (value === undefined || value === null) return Effect.succeedNone
  if (value === "") return emptyValue(setting, source)
  // A text setting takes a plain scalar as written: YAML read `api-secret: 1.50` as the number 1.5
  // and `file: 0x1F` as 31, and the secret sent or the file written was that number's text.
  const converted = typeof value === "number" || typeof value === "boolean"
  const given = setting.kind.field._tag === "String" && converted ? file.written[setting.key] ?? value : value
  return Option.match(misfit(setting, value, file.written[setting.key]), {
    onNone: () => attempt(setting, { source, origin: "file" }, setting.key, ConfigProvider.fromJson({ [setting.key]: given })),
    onSome: (found) => Effect.fail(new SettingError({ reason: `${source}: expected ${setting.kind.accepts}, got ${found}` }))
  })
}

/** The setting from the flag, the environment or the file, if one of them gives it; each is checked. */
export const find = <A>(
  setting: Setting<A>,
  sources: SettingSources
): Effect.Effect<Option.Option<Sourced<A>>, SettingError> => {
  const flagValue = sources.flags.get(setting.flag)
  const flagSource = `--${setting.flag}`
  const fromFlag = flagValue === undefined
    ? Effect.succeedNone
    : isEmpty(flagValue)
    ? emptyValue(setting, flagSource)
    : attempt(setting, { source: flagSource, origin: "flag" }, setting.flag, ConfigProvider.fromJson({ [setting.flag]: flagValue }))
  const fromEnv = readVariable(setting.env).pipe(
    Effect.mapError((error) => new SettingError({ reason: `${setting.env}: ${describe(error)}` })),
    Effect.flatMap(Option.match({
      onNone: () => Effect.succeedNone,
      onSome: (text) =>
        attempt(setting, { source: setting.env, origin: "variable" }, setting.env, ConfigProvider.fromMap(new Map([[setting.env, text]])))
    }))
  )
  const fromSettingsFile = Option.match(sources.file, {
    onNone: () => Effect.succeedNone,
    onSome: (file) => fromFile(setting, file)
  })
  // In precedence order, so that of several bad values the one that would have won is reported.
  return Effect.map(Effect.all([fromFlag, fromEnv, fromSettingsFile]), Option.firstSomeOf)
}

export const lookup = <A>(setting: Setting<A>, sources: SettingSources): Effect.Effect<Option.Option<A>, SettingError> =>
  Effect.map(find(setting, sources), Option.map((found) => found.value))

/** A defaulted setting's value and its source (the default counts as the flag's). */
export const resolveSourced = <A>(
  setting: DefaultedSetting<A>,
  sources: SettingSources
): Effect.Effect<Sourced<A>, SettingError> =>
  Effect.map(
    find(setting, sources),
    Option.getOrElse((): Sourced<A> => ({ value: setting.fallback.value(), source: `--${setting.flag}`, origin: "default" }))
  )

export const resolve = <A>(setting: DefaultedSetting<A>, sources: SettingSources): Effect.Effect<A, SettingError> =>
  Effect.map(resolveSourced(setting, sources), (found) => found.value)

/** How to give a setting, for messages about a missing one. */
export const howToGive = (setting: Setting<unknown>) => `pass it, set ${setting.env}, or add "${setting.key}:" to .baton.yaml`

/**
 * Why a missing setting's variable did not give it, when it is set but empty (`BATON_API_SECRET=$(cat
 * no-such-file)`): "set BATON_API_SECRET" alone told someone who had set it nothing.
 */
export const emptyVariableNote = (setting: Setting<unknown>): Effect.Effect<string> =>
  Config.string(setting.env).pipe(
    Config.option,
    Effect.map(Option.match({
      onNone: () => "",
      onSome: (text) => text === "" ? ` (${setting.env} is set but empty, which counts as unset: give it a value)` : ""
    })),
    Effect.orElseSucceed(() => "")
  )

/**
 * A setting a command cannot do without, e.g. the API secret for a real sync. `otherwise` is how
 * else it may be given, after the ways of the setting itself (`; or name a file holding it with ...`).
 */
export const required = <A>(setting: Setting<A>, value: Option.Option<A>, otherwise = ""): Effect.Effect<A, SettingError> =>
  Option.match(value, {
    onSome: Effect.succeed,
    onNone: () =>
      Effect.flatMap(
        emptyVariableNote(setting),
        (note) => new SettingError({ reason: `missing --${setting.flag}${note}: ${howToGive(setting)}${otherwise}` })
      )
  })
