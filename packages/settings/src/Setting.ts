import { Options } from "@effect/cli"
import { Option } from "effect"
import type { SettingKind } from "./SettingKind.js"

/**
 * One setting, declared once: its flag `--foo-bar`, its variable (`BATON_FOO_BAR` unless the app
 * says otherwise), its `.baton.yaml` key (the flag's name), what it means, what it accepts and
 * what happens when no source gives it. Both apps build their options, their help and their
 * resolution (flag > env > file > default, see Resolve.ts) from these declarations.
 */
export interface Setting<A> {
  readonly flag: string
  readonly alias: Option.Option<string>
  readonly env: string
  readonly key: string
  readonly description: string
  readonly kind: SettingKind<A>
  readonly fallback: Fallback<A>
}

/** What a setting is when no source gives it. */
export type Fallback<A> =
  | { readonly _tag: "Default"; readonly value: () => A; readonly shown: string }
  | { readonly _tag: "Optional" }
  /** A command cannot run without it, except in the named situation (e.g. with --sandbox). */
  | { readonly _tag: "Required"; readonly unless: string }

/** A setting that always has a value: given, or its default. */
export interface DefaultedSetting<A> extends Setting<A> {
  readonly fallback: Extract<Fallback<A>, { readonly _tag: "Default" }>
}

/** baton's rule (viper's): `--foo-bar` is `BATON_FOO_BAR`. */
export const envName = (flag: string) => `BATON_${flag.toUpperCase().replaceAll("-", "_")}`

interface Declaration {
  readonly flag: string
  readonly description: string
  readonly alias?: string
  /** For an app's own variable naming, e.g. `BATON_HTTP_PORT` for `--port`. */
  readonly env?: string
}

const declare = <A, F extends Fallback<A>>(kind: SettingKind<A>, declaration: Declaration, fallback: F) => ({
  flag: declaration.flag,
  alias: declaration.alias === undefined ? Option.none() : Option.some(declaration.alias),
  env: declaration.env ?? envName(declaration.flag),
  key: declaration.flag,
  description: declaration.description,
  kind,
  fallback
})

/** A setting with a default; `shown` is how help prints it (defaults to the value as text). */
export const withDefault = <A>(
  kind: SettingKind<A>,
  declaration: Declaration & { readonly default: () => A; readonly shown?: string }
): DefaultedSetting<A> =>
  declare(kind, declaration, {
    _tag: "Default",
    value: declaration.default,
    shown: declaration.shown ?? String(declaration.default())
  })

export const optional = <A>(kind: SettingKind<A>, declaration: Declaration): Setting<A> => declare(kind, declaration, { _tag: "Optional" })

export const requiredUnless = <A>(
  kind: SettingKind<A>,
  declaration: Declaration & { readonly unless: string }
): Setting<A> => declare(kind, declaration, { _tag: "Required", unless: declaration.unless })

/** The raw text(s) a flag was given, as the resolution reads them. */
export type FlagValue = string | ReadonlyArray<string>

/** How help states what happens without the setting. */
const fallbackText = (fallback: Fallback<unknown>) => {
  switch (fallback._tag) {
    case "Default":
      return `Default: ${fallback.shown}.`
    case "Optional":
      return "Optional."
    case "Required":
      return `Required unless ${fallback.unless}.`
  }
}

/**
 * The help text of a setting: meaning, accepted values, requirement, then its other sources. A
 * secret's adds that a flag is the wrong place for it: "never printed" is about this program, and
 * other users of the machine still read the command line (`ps`, /proc).
 */
export const helpText = (setting: Setting<unknown>) =>
  [
    setting.description,
    `Takes ${setting.kind.accepts}.`,
    fallbackText(setting.fallback),
    `Env: ${setting.env}; .baton.yaml key: ${setting.key}.`,
    ...(setting.kind.secret
      ? [`Prefer ${setting.env} or .baton.yaml to the flag: other local users can see a command line (ps).`]
      : [])
  ].join(" ")

/** The setting's flag: its text as given (checked by the resolution, like any other source). */
export const settingOption = (setting: Setting<unknown>): Options.Options<Option.Option<FlagValue>> => {
  const described = <B>(options: Options.Options<B>) => {
    const named = Options.withDescription(options, helpText(setting))
    return Option.match(setting.alias, { onNone: () => named, onSome: (alias) => Options.withAlias(named, alias) })
  }
  switch (setting.kind.flag) {
    case "switch":
      return described(Options.boolean(setting.flag)).pipe(
        Options.map((on) => on ? Option.some("true") : Option.none())
      )
    case "repeated":
      // Optional around the repetition, so that usage shows it in brackets as every other setting.
      return described(Options.text(setting.flag).pipe(Options.withPseudoName(setting.kind.pseudoName))).pipe(
        Options.repeated,
        Options.optional,
        Options.map((values) => Option.filter(values, (list) => list.length > 0))
      )
    case "value":
      return described(Options.text(setting.flag).pipe(Options.withPseudoName(setting.kind.pseudoName))).pipe(
        Options.optional
      )
  }
}

/** Every flag of these settings, as the map the resolution reads (flag name -> raw value). */
export const settingOptions = (
  settings: ReadonlyArray<Setting<unknown>>
): Options.Options<ReadonlyMap<string, FlagValue>> =>
  Options.all(settings.map(settingOption)).pipe(
    Options.map((values) =>
      new Map(
        values.flatMap((value, i) => Option.isSome(value) ? [[settings[i]!.flag, value.value] as const] : [])
      )
    )
  )
